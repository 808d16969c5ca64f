"""``python -m index.bench.alerts``: the cost of matching one new article against many topics.

The archive is the generated Zipf corpus (``index.bench.corpus``) ingested through
``Archive.ingest`` and kept under ``--work-dir``. Topics come from the corpus: by default
(``--topic-kind specific``) the 2–3 rarest content words of a random passage, as a reader
names a person, a place or an event; ``broad`` uses the ask bench's questions (3–6 random
content words of a passage), which alert on far more articles than real topics do. They are
loaded into the ``TopicMatcher`` that ``Archive.match_new_articles`` uses. New articles
(passages beyond the corpus, 8 per article) are then stored and indexed through
``Archive.ingest_bytes``, and each is matched against all topics, timed:

* match: ``TopicMatcher.decide``, what an ingest pays (what the issue's bar times): the
  reverse index's candidates, the evidence check on the article's terms, and ``ask``'s
  article check without choosing sentences for those that pass;
* building the alerts: ``TopicMatcher.render`` of each decided alert (``ask``'s snippet
  work), which the outbox does at delivery; with building: both, in CPU time (what one
  match cost before the split);
* with analysis: plus turning the article's passages into index records, which the ingest
  has already paid for the index but the matcher repeats.

All the new articles are stored by one ingest, so they are matched under one index state,
and what the matcher keeps per state (each topic's weights and evidence verdicts, the idfs)
serves all of them. ``--state-per-article`` matches each under a state of its own, as when
every ingest stores a single article: that cost is computed again for each.
``--moved-per-article`` also moves the passage count under each article's state (by the
article's number plus one), so every weight moves, as after an ingest of one article.
``--ingest-per-article`` is that ingest itself: each new article (fresh passages of the
corpus, after those already stored) is stored by an ingest of its own and matched under the
index state it made, whose passage count and document frequencies (the article's own terms)
moved. It adds the articles to the archive, as every run adds the first 200 (after which
the default run finds them unchanged).

Besides the times, the report counts what the reverse index weighed while matching
(``weighings``): every posting (the passage count left its window), or only the topics
holding terms whose frequency left theirs (``follow._ReverseIndex.reweigh``); their cost
is in the match times of the articles that paid it.

Usage: ``python -m index.bench.alerts [--passages 100000] [--topics 100000] [--articles 300]
[--topic-kind specific|broad] [--work-dir DIR] [--state-per-article | --moved-per-article |
--ingest-per-article] [--json]``
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
import tempfile
import time
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np

from index.answer.follow import TopicMatcher
from index.archive import open_archive
from index.bench.archive_corpus import ingest_generated_archive
from index.bench.corpus import PASSAGES_PER_ARTICLE, ZipfCorpus
from index.bench.report import machine_info
from index.settings import IndexSettings

logger = logging.getLogger("index.bench.alerts")

# The bars of issue 12, defined at 1,000,000 passages and 100,000 topics.
BAR_P50_MS = 5.0
BAR_P99_MS = 20.0
_EPOCH_DAY = datetime(1970, 1, 1, tzinfo=UTC)


def new_articles(n_passages: int, n_articles: int) -> bytes:
    """JSONL of ``n_articles`` articles made of the passages right after the corpus."""
    extra = n_articles * PASSAGES_PER_ARTICLE
    passages = ZipfCorpus(n_passages + extra).chunk(n_passages, n_passages + extra)
    lines = []
    for number in range(n_articles):
        mine = passages[number * PASSAGES_PER_ARTICLE : (number + 1) * PASSAGES_PER_ARTICLE]
        words = mine[0].text.split()
        lines.append(
            json.dumps(
                {
                    "url": f"https://bench.example.org/new/{n_passages}/{number}",
                    "title": " ".join(words[:8]),
                    "text": "\n\n".join(p.text for p in mine),
                    "published": "2024-07-19T08:00:00Z",
                    "language": "en",
                }
            )
        )
    return ("\n".join(lines) + "\n").encode()


class _NewState:
    """The index under a generation of its own: what the matcher keeps per index state
    (topic weights, idfs, verdicts) is computed again, as after an ingest of one article."""

    def __init__(self, index: Any, number: int) -> None:
        self._index = index
        self._generation = f"{index.generation()}+article-{number}"

    def generation(self) -> str:
        return self._generation

    def __getattr__(self, name: str) -> Any:
        return getattr(self._index, name)


class _Moved(_NewState):
    """The index as if an ingest had added ``number`` passages that hold none of the topics'
    words: every weight moves (the passage count does), as after any ingest."""

    def __init__(self, index: Any, number: int) -> None:
        super().__init__(index, number)
        self._n_docs = index.n_docs + number

    @property
    def n_docs(self) -> int:
        return self._n_docs


def run(
    work_dir: Path,
    n_passages: int,
    n_topics: int,
    n_articles: int,
    kind: str = "specific",
    *,
    state_per_article: bool = False,
    moved_per_article: bool = False,
    ingest_per_article: bool = False,
) -> dict[str, Any]:
    """Build (or reuse) the archive, load the topics, store and match the new articles.

    ``state_per_article``: match each article under an index state of its own (``_NewState``)
    instead of all under the one their ingest made; ``moved_per_article``: under one whose
    passage count moved too (``_Moved``); ``ingest_per_article``: store each article by an
    ingest of its own (fresh passages) and match it under the state that ingest made.
    """
    data_dir = work_dir / f"archive-{n_passages}"
    build_s = None
    if not (data_dir / "newsdesk.sqlite3").exists():
        sys.stderr.write(f"building a {n_passages}-passage archive in {data_dir}…\n")
        build_s = ingest_generated_archive(data_dir, n_passages, work_dir / f"corpus-{n_passages}")
    with open_archive(IndexSettings(data_dir=data_dir, _env_file=None)) as archive:
        started = time.perf_counter()
        corpus = ZipfCorpus(n_passages)
        if kind == "specific":
            topics = corpus.specific_questions(n_topics)
        else:
            topics = corpus.questions(n_topics)
        matcher = TopicMatcher(archive.keeper.analyzer, layer=archive.settings.ranking_layer)
        matcher.load(enumerate(topics, 1), datetime.now(UTC), version=1)
        load_s = time.perf_counter() - started
        report = archive.ingest_bytes(
            f"new-{time.time_ns()}.jsonl", new_articles(n_passages, n_articles)
        )
        ids = [item.article_id for item in report.items if item.article_id is not None]
        index = archive.keeper.current()
        started = time.perf_counter()
        matcher.candidates((), index)  # the reverse index is built on first use
        sign_s = time.perf_counter() - started
        match_ms, total_ms, filter_ms, candidates, alerts, unbuilt = [], [], [], [], 0, 0
        build_ms, cpu_ms, both_cpu_ms = [], [], []
        shared = index
        fresh: list[str] = []
        if ingest_per_article:
            # Passages after every one stored so far, so each run's articles are new.
            fresh = new_articles(index.n_docs, n_articles).decode().splitlines()
            ids = list(range(len(fresh)))
        weighed_before = matcher.weighings()
        for number, article_id in enumerate(ids):
            if ingest_per_article:
                one = archive.ingest_bytes(f"one-{time.time_ns()}.jsonl", fresh[number].encode())
                (article_id,) = (i.article_id for i in one.items if i.article_id is not None)
                index = archive.keeper.current()
            elif moved_per_article:
                index = _Moved(shared, number + 1)
            elif state_per_article:
                index = _NewState(shared, number)
            article = archive.get_article(article_id)
            passages = archive.get_passages(article_id)
            started = time.perf_counter()
            records = archive.keeper.records_of(article, passages)
            analysed = time.perf_counter()
            cpu = time.process_time()
            decided = matcher.decide(article, passages, records, index)
            decide_cpu = time.process_time() - cpu
            done = time.perf_counter()
            match_ms.append((done - analysed) * 1000)
            cpu_ms.append(decide_cpu * 1000)
            total_ms.append((done - started) * 1000)
            # Delivery: each decided alert's cited snippets, as the outbox builds them.
            cpu = time.process_time()
            built = [matcher.render(t, article, passages, index) for t in decided]
            both_cpu_ms.append((decide_cpu + time.process_time() - cpu) * 1000)
            build_ms.append((time.perf_counter() - done) * 1000)
            unbuilt += sum(answer is None for answer in built)
            terms = {t for r in records for t in r.terms}
            started = time.perf_counter()
            listed = matcher.candidates(terms, index, article.language)
            filter_ms.append((time.perf_counter() - started) * 1000)
            candidates.append(len(listed))
            alerts += len(decided)
        passages_indexed = index.n_docs
        weighed = matcher.weighings()
        reweigh_ms = []
        for number in range(1, 6):
            # A passage count 5% further each time: past any window, every posting is
            # weighed again.
            cpu = time.process_time()
            matcher.candidates((), _Moved(index, number * max(index.n_docs // 20, 1)))
            reweigh_ms.append((time.process_time() - cpu) * 1000)
    return {
        "topic_kind": kind,
        "state_per_article": state_per_article or moved_per_article or ingest_per_article,
        "moved_per_article": moved_per_article,
        "ingest_per_article": ingest_per_article,
        "passages": passages_indexed,
        "topics": len(matcher),
        "articles": len(ids),
        "build_s": build_s,
        "topic_load_s": load_s,
        "reverse_index_s": sign_s,
        "match_p50_ms": float(np.percentile(match_ms, 50)),
        "match_p99_ms": float(np.percentile(match_ms, 99)),
        "with_analysis_p50_ms": float(np.percentile(total_ms, 50)),
        "with_analysis_p99_ms": float(np.percentile(total_ms, 99)),
        "match_cpu_p50_ms": float(np.percentile(cpu_ms, 50)),
        "match_cpu_p99_ms": float(np.percentile(cpu_ms, 99)),
        "match_cpu_max_ms": float(np.max(cpu_ms)),
        "with_build_cpu_p50_ms": float(np.percentile(both_cpu_ms, 50)),
        "with_build_cpu_p99_ms": float(np.percentile(both_cpu_ms, 99)),
        "alert_build_p50_ms": float(np.percentile(build_ms, 50)),
        "alert_build_p99_ms": float(np.percentile(build_ms, 99)),
        "alert_build_ms_per_alert": float(sum(build_ms) / max(alerts, 1)),
        "reverse_index_p50_ms": float(np.percentile(filter_ms, 50)),
        "reverse_index_p99_ms": float(np.percentile(filter_ms, 99)),
        "candidates_mean": float(np.mean(candidates)),
        # CPU of weighing every posting of the reverse index again (a new state past the
        # window it was weighed for).
        "reweigh_cpu_ms": float(np.median(reweigh_ms)),
        # What the reverse index weighed while the articles were matched: every posting,
        # the topics of terms that left their windows (times), and those terms.
        "full_weighings": weighed.full - weighed_before.full,
        "partial_weighings": weighed.partial - weighed_before.partial,
        "terms_reweighed": weighed.terms - weighed_before.terms,
        "alerts": alerts,
        "decided_but_not_built": unbuilt,
    }


def format_table(machine: dict[str, Any], row: dict[str, Any]) -> str:
    """A Markdown table in the engine bench's style, with the issue's bars."""
    ok50 = "PASS" if row["match_p50_ms"] <= BAR_P50_MS else "FAIL"
    ok99 = "PASS" if row["match_p99_ms"] <= BAR_P99_MS else "FAIL"
    return "\n".join(
        [
            f"Machine: {machine['cores']} cores, {machine['cpu']}; Python {machine['python']}, "
            f"numpy {machine['numpy']}",
            "",
            "| passages | topics | kind | new articles | match p50 ms | match p99 ms "
            "| match CPU p50 / p99 ms "
            "| with building CPU p50 / p99 ms | building the alerts p50 / p99 ms "
            "| with analysis p50 / p99 ms | reverse index p50 / p99 ms | candidates / article "
            "| alerts / article | topic load s |",
            "|---:|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
            f"| {row['passages']:,} | {row['topics']:,} | {row['topic_kind']} "
            f"| {row['articles']:,} "
            f"| {row['match_p50_ms']:.2f} | {row['match_p99_ms']:.2f} "
            f"| {row['match_cpu_p50_ms']:.2f} / {row['match_cpu_p99_ms']:.2f} "
            f"| {row['with_build_cpu_p50_ms']:.2f} / {row['with_build_cpu_p99_ms']:.2f} "
            f"| {row['alert_build_p50_ms']:.2f} / {row['alert_build_p99_ms']:.2f} "
            f"| {row['with_analysis_p50_ms']:.2f} / {row['with_analysis_p99_ms']:.2f} "
            f"| {row['reverse_index_p50_ms']:.2f} / {row['reverse_index_p99_ms']:.2f} "
            f"| {row['candidates_mean']:.1f} | {row['alerts'] / max(row['articles'], 1):.1f} "
            f"| {row['topic_load_s']:.1f} |",
            "",
            "Each article stored by an ingest of its own and matched under the state it made "
            "(--ingest-per-article)."
            if row.get("ingest_per_article")
            else "Each article matched under an index state of its own, its passage count moved "
            "(--moved-per-article)."
            if row.get("moved_per_article")
            else "Each article matched under an index state of its own (--state-per-article)."
            if row.get("state_per_article")
            else "All articles matched under the index state their ingest made.",
            f"Reverse index weighings while matching: {row['full_weighings']} of every "
            f"posting, {row['partial_weighings']} of the topics of {row['terms_reweighed']} "
            "terms that left their windows.",
            f"{ok50} match p50 ≤ {BAR_P50_MS} ms; {ok99} match p99 ≤ {BAR_P99_MS} ms "
            "(the bars are set at 1,000,000 passages; this row's size is above).",
            "match: what an ingest pays, the decision (reverse-index candidates, the "
            "evidence check, ask's article check without choosing sentences); building the "
            "alerts: their cited snippets, built at delivery by the outbox "
            f"({row['alert_build_ms_per_alert']:.2f} ms per alert; "
            f"{row['decided_but_not_built']} decided but not built); with building: both, "
            "what a match cost when it built the alerts; with analysis adds "
            "turning the article's passages into index records; reverse index: the candidate "
            "lookup alone. Wall clock (CPU: this process's CPU time, steadier on a shared "
            "machine), one article at a time. Topics: specific = the 2–3 "
            "rarest words of a corpus passage (a name, a place); broad = 3–6 random content "
            "words of one (the ask bench's questions), which alert far more often than real "
            "ones.",
        ]
    )


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m index.bench.alerts", description=__doc__)
    parser.add_argument("--passages", type=int, default=100_000, help="corpus size")
    parser.add_argument("--topics", type=int, default=100_000, help="followed topics")
    parser.add_argument("--articles", type=int, default=300, help="new articles matched")
    parser.add_argument(
        "--topic-kind",
        choices=("specific", "broad"),
        default="specific",
        help="specific: 2-3 rare words of a passage; broad: 3-6 random words of one",
    )
    parser.add_argument(
        "--work-dir",
        type=Path,
        default=Path(tempfile.gettempdir()) / "newsdesk-alerts-bench",
        help="where the archive is built once and kept",
    )
    parser.add_argument(
        "--state-per-article",
        action="store_true",
        help="match each article under an index state of its own, as when every ingest "
        "stores one article (what the matcher keeps per state is computed again)",
    )
    parser.add_argument(
        "--moved-per-article",
        action="store_true",
        help="as --state-per-article, with the passage count moved under each state",
    )
    parser.add_argument(
        "--ingest-per-article",
        action="store_true",
        help="store each new article (fresh passages) by an ingest of its own and match it "
        "under the index state it made (adds the articles to the archive)",
    )
    parser.add_argument("--json", action="store_true", help="print the result as JSON")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if args.passages < 10 or args.topics < 1 or args.articles < 1:
        sys.stderr.write("--passages must be ≥ 10, --topics and --articles ≥ 1\n")
        return 2
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s %(message)s")
    row = run(
        args.work_dir,
        args.passages,
        args.topics,
        args.articles,
        args.topic_kind,
        state_per_article=args.state_per_article,
        moved_per_article=args.moved_per_article,
        ingest_per_article=args.ingest_per_article,
    )
    machine = machine_info()
    if args.json:
        sys.stdout.write(json.dumps({"machine": machine, **row}, indent=2) + "\n")
    else:
        sys.stdout.write(format_table(machine, row) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
