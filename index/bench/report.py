"""Machine description, the results table and the performance bars of the search issue."""

from __future__ import annotations

import math
import os
import platform
from pathlib import Path
from typing import Any

import numpy as np

# The bars of the search issue, defined at 1,000,000 passages on one core.
BAR_PASSAGES = 1_000_000
BARS = {
    "p50_ms": ("query p50", 1.0, "≤ {} ms"),
    "p99_ms": ("query p99", 15.0, "≤ {} ms"),
    "passages_per_s": ("build", 30_000.0, "≥ {:,.0f} passages/s"),
    "rss_mb": ("resident memory", 800.0, "≤ {} MB"),
    "load_s": ("index load", 1.0, "≤ {} s"),
}
MB = 1 << 20


def machine_info() -> dict[str, Any]:
    """Cores, CPU model (from /proc/cpuinfo), Python and numpy versions."""
    model = platform.processor() or "unknown"
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.exists():
        for line in cpuinfo.read_text(encoding="utf-8", errors="replace").splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    return {
        "cores": os.cpu_count(),
        "cpu": model,
        "python": platform.python_version(),
        "numpy": np.__version__,
        "platform": platform.platform(),
    }


def _fmt(value: float | None, spec: str) -> str:
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return "–"
    return format(value, spec)


def format_table(machine: dict[str, Any], rows: list[dict[str, Any]]) -> str:
    """A Markdown table: ours beside rank_bm25 per corpus size, plus the ratios."""
    lines = [
        f"Machine: {machine['cores']} cores, {machine['cpu']}; Python {machine['python']}, "
        f"numpy {machine['numpy']}",
    ]
    if rows:
        loads = ", ".join(f"{r['ours'].get('load_average', float('nan')):.1f}" for r in rows)
        lines.append(
            f"Analyzer: {rows[0]['ours']['analyzer']}; load average at query time: {loads}"
        )
    lines += [
        "",
        "| passages | engine | build passages/s (CPU) | index-only passages/s | build s "
        "| build peak MB | load s | RSS MB | disk MB | p50 ms | p95 ms | p99 ms "
        "| CPU p50 / p99 ms |",
        "|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for row in rows:
        ours, base = row["ours"], row["baseline"]
        n = f"{row['passages']:,}"
        lines.append(
            f"| {n} | newsdesk | {_fmt(ours['passages_per_s'], ',.0f')} "
            f"({_fmt(ours.get('cpu_passages_per_s'), ',.0f')}) "
            f"| {_fmt(ours.get('engine_passages_per_s'), ',.0f')} "
            f"| {_fmt(ours['build_s'], '.1f')} "
            f"| {_fmt(_build_peak(ours) / MB, '.0f')} "
            f"| {_fmt(ours['load_s'], '.3f')} "
            f"| {_fmt(ours['rss_bytes'] / MB, '.0f')} | {_fmt(ours['disk_bytes'] / MB, '.0f')} "
            f"| {_fmt(ours['p50_ms'], '.3f')} | {_fmt(ours['p95_ms'], '.3f')} "
            f"| {_fmt(ours['p99_ms'], '.3f')} "
            f"| {_fmt(ours.get('cpu_p50_ms'), '.3f')} / {_fmt(ours.get('cpu_p99_ms'), '.3f')} |"
        )
        if base.get("skipped"):
            lines.append(f"| {n} | rank_bm25 | skipped: {base['skipped']} | | | | | | | | | | |")
            continue
        rate = row["passages"] / base["build_s"]
        lines.append(
            f"| {n} | rank_bm25 | – | {_fmt(rate, ',.0f')} ¹ "
            f"| {_fmt(base['build_s'], '.1f')} ¹ | – | – "
            f"| +{_fmt(base['rss_index_bytes'] / MB, '.0f')} ² | – "
            f"| {_fmt(base['p50_ms'], '.1f')} | {_fmt(base['p95_ms'], '.1f')} "
            f"| {_fmt(base['p99_ms'], '.1f')} ³ | |"
        )
        lines.append(
            f"| {n} | ratio | | | | | | | | "
            f"{_fmt(base['p50_ms'] / ours['p50_ms'], ',.0f')}× faster | | "
            f"{_fmt(base['p99_ms'] / ours['p99_ms'], ',.0f')}× faster | |"
        )
    lines += ["", *build_time_lines(rows), *statement_lines(rows)]
    lines += [
        "",
        "newsdesk build passages/s counts analysis (the analyzer above), statement extraction "
        "and index construction, not text generation, by wall clock (and by the build "
        "process's CPU time, which a busy machine does not inflate); index-only leaves "
        "analysis and statements out (– where worker processes overlap them). Build peak: the "
        "maximum resident set of the build process plus those of its worker processes. "
        "RSS is "
        "the whole query process with the index loaded, after all questions; load is "
        "`SearchIndex.load` in a fresh process (page cache warm). Latency: wall clock of "
        "`search(terms, k=10)`, questions analysed beforehand; CPU is the thread's CPU time.",
        "¹ rank_bm25 build: `BM25Okapi(tokens)` on already analysed tokens. ² memory its index "
        "adds to the process. ³ `get_scores` on "
        + ", ".join(
            f"{r['baseline'].get('questions', 0)} ({r['passages']:,})"
            for r in rows
            if not r["baseline"].get("skipped")
        )
        + " of the same questions.",
    ]
    return "\n".join(lines)


def _build_peak(ours: dict[str, Any]) -> float:
    """The build's memory: every build process's peak added up (the build process alone
    when it encoded by itself)."""
    return ours.get("build_sum_max_rss_bytes", ours.get("build_max_rss_bytes", float("nan")))


def build_time_lines(rows: list[dict[str, Any]]) -> list[str]:
    """Wall and CPU time of each build, with its encoding processes (both cores or one)."""
    lines = []
    for row in rows:
        ours = row["ours"]
        if "encode_processes" not in ours:
            continue
        workers = ours["encode_processes"]
        how = (
            f"{workers} worker processes encoding, extracting statements and sorting runs "
            f"(largest {ours['encoder_max_rss_bytes'] / MB:,.0f} MB resident)"
            if workers > 1
            else "encoded in the build process"
        )
        lines.append(
            f"Build at {row['passages']:,} passages: {ours['build_s']:.1f} s wall, "
            f"{ours['cpu_build_s']:.1f} s CPU (all processes); {how}."
        )
    return lines


def statement_lines(rows: list[dict[str, Any]]) -> list[str]:
    """What statement extraction costs the build, per size (issue 14)."""
    from index.bench.statement_rate import share_of_build

    lines = []
    for row in rows:
        ours = row["ours"]
        if "statements_s" not in ours:
            continue
        cpu_build = ours.get("cpu_build_s", 0.0)
        cpu_share = ours["statements_cpu_s"] / cpu_build if cpu_build > 0 else 0.0
        share = ours["statements_share"]
        # In worker processes extraction overlaps the rest of the build: no wall share exists.
        wall_share = (
            "summed over the worker processes"
            if math.isnan(share)
            else f"{share:.1%} of the build"
        )
        line = (
            f"Statements at {row['passages']:,} passages: {ours['statements_s']:.2f} s wall, "
            f"{wall_share} ({cpu_share:.1%} of its CPU time; "
            f"{ours['statements_found']:,} found: generated text quotes nobody)"
        )
        if "news_paragraphs_per_cpu_s" in ours and cpu_build > ours["statements_cpu_s"]:
            without = row["passages"] / (cpu_build - ours["statements_cpu_s"])
            share = share_of_build(without, ours["news_paragraphs_per_cpu_s"])
            line += (
                f"; on news-style text {ours['news_paragraphs_per_cpu_s']:,.0f} paragraphs "
                f"per CPU s ({ours['news_statements']} statements in {ours['news_units']} "
                f"eval units), which would be {share:.0%} of the build's CPU per passage"
            )
        lines.append(line + ".")
    return lines


def check_bars(rows: list[dict[str, Any]]) -> list[str]:
    """One line per bar for the 1M row (or a note that the run had no 1M row)."""
    row = next((r for r in rows if r["passages"] == BAR_PASSAGES), None)
    if row is None:
        return [f"Bars are defined at {BAR_PASSAGES:,} passages; this run has no such row."]
    ours = dict(row["ours"], rss_mb=row["ours"]["rss_bytes"] / MB)
    out = []
    for key, (label, limit, spec) in BARS.items():
        value = ours[key]
        ok = value >= limit if key == "passages_per_s" else value <= limit
        out.append(f"{'PASS' if ok else 'FAIL'} {label}: {value:,.3f} (bar {spec.format(limit)})")
    return out
