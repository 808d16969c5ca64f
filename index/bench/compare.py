"""``python -m index.bench --compare tantivy,bm25s,rank_bm25``: the engines side by side.

One generated corpus per size, the same analysed tokens for every engine, each engine building
in its own fresh process and answering in another (``index.bench.engines``). The table has one
row per engine with the issue's six columns, wall and CPU build time, the ratios ours/tantivy,
and two checks on the first ``engines.PARITY_QUESTIONS`` questions: our top-10 ids and scores
equal rank_bm25's (exact parity, scores within 1e-9), and tantivy's top-10 overlap with ours
(tantivy's BM25 uses another idf, so only overlap is meaningful).
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

import numpy as np

from index.bench import engines, measure

MB = 1 << 20
#: Score tolerance of the parity check, as in tests/comparison/test_bm25okapi_parity.py.
PARITY_TOLERANCE = 1e-9
#: Seconds rank_bm25 may spend on get_scores per size (~0.13 s a question at 100k).
BASELINE_QUERY_BUDGET_S = 30.0


def parse_engines(text: str) -> list[str]:
    """The comma-separated engine names, checked against ``engines.ENGINES``."""
    names = [part.strip() for part in text.split(",") if part.strip()]
    unknown = [n for n in names if n not in engines.ENGINES]
    if unknown or not names:
        raise argparse.ArgumentTypeError(
            f"unknown engine(s) {', '.join(unknown) or '(none)'}; "
            f"choose from {','.join(engines.ENGINES)}"
        )
    return list(dict.fromkeys(names))


def run_size(
    n: int,
    names: list[str],
    args: argparse.Namespace,
    work: Path,
    previous: dict[str, Any] | None,
) -> dict[str, Any]:
    """Ours and every named engine at one corpus size."""
    keep = engines.PARITY_QUESTIONS
    ours_dir = str(work / f"newsdesk-{n}")
    ours = measure.in_fresh_process(measure.build_ours, n, ours_dir)
    ours |= measure.in_fresh_process(measure.query_ours, ours_dir, n, args.queries, keep)
    # The encoding processes count too (each one's peak: an upper bound on them together),
    # as tantivy's indexing threads count in its process.
    encoders = ours.get("encode_processes", 1) * ours.get("encoder_max_rss_bytes", 0)
    parent = ours.pop("build_max_rss_bytes")
    ours["build_peak_rss_bytes"] = ours.pop("build_sum_max_rss_bytes", parent + encoders)
    results: dict[str, dict[str, Any]] = {"newsdesk": ours}
    for name in names:
        missing = engines.missing_engine(name)
        if missing:
            results[name] = {"skipped": missing}
            continue
        if name == "tantivy":
            where = str(work / f"tantivy-{n}")
            got = measure.in_fresh_process(engines.build_tantivy, n, where)
            got |= measure.in_fresh_process(engines.query_tantivy, where, n, args.queries)
        elif name == "bm25s":
            where = str(work / f"bm25s-{n}")
            got = measure.in_fresh_process(engines.build_bm25s, n, where)
            got |= measure.in_fresh_process(engines.query_bm25s, where, n, args.queries)
        else:
            skipped = _rank_bm25_skip(n, args, previous)
            if skipped:
                results[name] = {"skipped": skipped}
                continue
            got = measure.in_fresh_process(
                engines.query_rank_bm25, n, args.queries, measure_budget(args)
            )
        results[name] = got
    return {"passages": n, "engines": results, "checks": checks(results)}


def measure_budget(args: argparse.Namespace) -> float:
    """Seconds rank_bm25 may spend on questions (as ``python -m index.bench`` allows it)."""
    return float(getattr(args, "baseline_query_budget_s", BASELINE_QUERY_BUDGET_S))


def _rank_bm25_skip(n: int, args: argparse.Namespace, previous: dict[str, Any] | None) -> str:
    if args.no_baseline:
        return "--no-baseline"
    if previous is None:
        return ""
    before = previous["engines"].get("rank_bm25", {})
    if before.get("skipped"):
        return "skipped at the smaller size"
    estimate = before["build_s"] * n / previous["passages"]
    if estimate > args.baseline_cap_s:
        return f"build estimated {estimate:.0f} s > cap {args.baseline_cap_s:.0f} s"
    return ""


def checks(results: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """Parity with rank_bm25 (ids and scores) and tantivy's top-10 overlap with ours."""
    ours = results["newsdesk"]["top"]
    out: dict[str, Any] = {}
    base = results.get("rank_bm25", {})
    if base and not base.get("skipped"):
        pairs = list(zip(ours, base["top"], strict=False))
        equal = sum(
            a["ids"] == b["ids"]
            and np.allclose(a["scores"], b["scores"], rtol=0, atol=PARITY_TOLERANCE)
            for a, b in pairs
        )
        out["rank_bm25_parity"] = {"equal": int(equal), "questions": len(pairs)}
    tantivy = results.get("tantivy", {})
    if tantivy and not tantivy.get("skipped"):
        pairs = list(zip(ours, tantivy["top"], strict=False))
        shared = sum(len(set(a["ids"]) & set(b["ids"])) for a, b in pairs)
        total = sum(len(a["ids"]) for a, _ in pairs)
        out["tantivy_overlap"] = {
            "shared": shared,
            "of": total,
            "questions": len(pairs),
            "same_top1": sum(a["ids"][:1] == b["ids"][:1] for a, b in pairs),
        }
    return out


def _fmt(value: Any, spec: str) -> str:
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return "–"
    return format(value, spec)


def _mb(value: Any) -> str:
    if value is None:
        return "–"
    return f"{value / MB:,.1f} MB" if value < 10 * MB else f"{value / MB:,.0f} MB"


def machine_line(machine: dict[str, Any]) -> str:
    """Cores, CPU, RAM, Python and every engine's version."""
    import psutil

    versions = ", ".join(f"{n} {engines.engine_version(n)}" for n in engines.ENGINES)
    return (
        f"Machine: {machine['cpu']}, {machine['cores']} cores, "
        f"{psutil.virtual_memory().total / (1 << 30):.0f} GB RAM; Python {machine['python']}, "
        f"numpy {machine['numpy']}, {versions}"
    )


def format_compare(machine: dict[str, Any], rows: list[dict[str, Any]]) -> str:
    """The issue's table per corpus size, the ratios ours/tantivy and the checks."""
    lines = [machine_line(machine)]
    for row in rows:
        n = row["passages"]
        res = row["engines"]
        loads = ", ".join(
            f"{name} {r['load_average']:.1f}" for name, r in res.items() if "load_average" in r
        )
        lines += [
            "",
            f"{n:,} passages, {res['newsdesk']['questions']} questions, top-10, one query "
            f"thread; load average at query time: {loads}",
            "",
            "| engine | build passages/s | p50 ms | p99 ms | query-process RSS | build peak RSS "
            "| on disk | build wall / CPU s | index-only passages/s |",
            "|---|---:|---:|---:|---:|---:|---:|---:|---:|",
        ]
        for name, r in res.items():
            if r.get("skipped"):
                lines.append(f"| {name} | skipped: {r['skipped']} | | | | | | | |")
                continue
            lines.append(
                f"| {name} | {_fmt(r.get('passages_per_s'), ',.0f')} "
                f"| {_fmt(r.get('p50_ms'), ',.3f')} | {_fmt(r.get('p99_ms'), ',.3f')} "
                f"| {_mb(r.get('rss_bytes'))} | {_mb(r.get('build_peak_rss_bytes'))} "
                f"| {_mb(r.get('disk_bytes'))} "
                f"| {_fmt(r.get('build_s'), '.1f')} / {_fmt(r.get('cpu_build_s'), '.1f')} "
                f"| {_fmt(r.get('engine_passages_per_s'), ',.0f')} |"
            )
        tan = res.get("tantivy", {})
        if tan and not tan.get("skipped"):
            ours = res["newsdesk"]
            ratios = [
                ("build", ours["passages_per_s"], tan["passages_per_s"]),
                ("build CPU s", ours["cpu_build_s"], tan["cpu_build_s"]),
                ("p50", ours["p50_ms"], tan["p50_ms"]),
                ("p99", ours["p99_ms"], tan["p99_ms"]),
                ("RSS", ours["rss_bytes"], tan["rss_bytes"]),
                ("build peak", ours["build_peak_rss_bytes"], tan["build_peak_rss_bytes"]),
                ("disk", ours["disk_bytes"], tan["disk_bytes"]),
            ]
            lines += [
                "",
                "Ratios, ours/tantivy: "
                + ", ".join(f"{label} {a / b:.2f}×" for label, a, b in ratios if b),
            ]
        lines += ["", *check_lines(row["checks"], res)]
    lines += [
        "",
        "Build passages/s: analysis (the project's analyzer) plus the engine's build, text "
        "generation left out, wall clock; index-only leaves analysis out (ours analyses in "
        "batches through PassageEncoder, the others per passage, which costs them more, so "
        "index-only is the like-for-like build figure). Build peak RSS: the "
        "build process's maximum resident set. Query-process RSS: after all questions. "
        "rank_bm25 builds and queries in one process (it has no disk form) and answers "
        "questions within a time budget. Ratios above 1 favour tantivy except for build "
        "passages/s.",
    ]
    return "\n".join(lines)


def check_lines(found: dict[str, Any], res: dict[str, dict[str, Any]]) -> list[str]:
    """The parity line and the overlap line (or why each is missing)."""
    out = []
    parity = found.get("rank_bm25_parity")
    if parity:
        out.append(
            f"Parity with rank_bm25: {parity['equal']} of {parity['questions']} questions give "
            "identical top-10 ids and scores."
        )
    else:
        why = res.get("rank_bm25", {}).get("skipped", "not requested")
        out.append(f"Parity with rank_bm25: not checked (rank_bm25 {why}).")
    overlap = found.get("tantivy_overlap")
    if overlap:
        out.append(
            f"tantivy top-10 overlap with ours: {overlap['shared']} of {overlap['of']} hits over "
            f"{overlap['questions']} questions ({overlap['same_top1']} with the same first hit); "
            "its BM25 differs (idf formula), so overlap, not equality."
        )
    return out
