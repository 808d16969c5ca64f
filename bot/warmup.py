"""Warming the archive up before the first update, so the first user is not the slow one.

The analysis stages load lazily: the language detector, the Snowball stemmers, the index's
memory maps and, per language, simplemma's lemma dictionary (the Russian one alone takes
~1 s to decode). Measured on the bot's test corpus, a fresh process answered its first
English question in ~0.3 s, its first Ukrainian one in ~0.4 s and its first Russian one in
~1.0 s, and its first Cyrillic question without Ukrainian or Russian marker letters (which
goes to lingua) in ~0.5 s more, against a few ms once warm. A few throwaway questions
through the real ``Archive.ask``, one for each of those paths, pay all of that at start-up.

``NEWSDESK_WARM_UP_LANGUAGES`` names the paths to warm: an archive (and its users) in one
language need not load the other languages' dictionaries in the bot and in every worker it
starts or replaces. Measured in one fresh process on the bot's test corpus (CPU seconds,
load ~8 on 2 cores, so high): imports 1.2, index 0.3, en 0.5, uk 1.1, ru 2.3, lingua 0.7:
``en`` alone makes a worker ready in about a third of the CPU (2.0 of 6.1 s).
"""

from __future__ import annotations

import gc
import logging
import time
from collections.abc import Iterable

from index import LANGS, Archive, NewsdeskError

logger = logging.getLogger(__name__)

# Each question reaches a different lazily loaded part. All have a content word (so stemming,
# lemmas and the index are reached, not stopped at "no searchable words") and a date (so
# date parsing loads too).
WARM_UP_QUESTIONS: tuple[str, ...] = (
    "what did the minister say on 14 July",  # English: Snowball en
    "що сказав міністр 14 липня",  # Ukrainian letters: the uk lemmas
    "что сказал министр 14 июля",  # Russian words: the ru lemmas (~1 s to decode)
    "министр финансов 14 июля",  # Cyrillic without marker letters or words: lingua (~0.4 s)
)
WARM_UP_LANGUAGES: tuple[str, ...] = LANGS  # every language the archive analyses
# The languages each question warms for: lingua tells Ukrainian from Russian, so the question
# that reaches it is needed as soon as either of them is.
_QUESTION_LANGUAGES: tuple[frozenset[str], ...] = (
    frozenset({"en"}),
    frozenset({"uk"}),
    frozenset({"ru"}),
    frozenset({"uk", "ru"}),
)


def warm_up_questions(languages: Iterable[str] = WARM_UP_LANGUAGES) -> tuple[str, ...]:
    """The warm-up questions that ``languages`` need, in ``WARM_UP_QUESTIONS`` order."""
    wanted = set(languages)
    return tuple(
        question
        for question, needed in zip(WARM_UP_QUESTIONS, _QUESTION_LANGUAGES, strict=True)
        if needed & wanted
    )


def warm_up(archive: Archive, languages: Iterable[str] = WARM_UP_LANGUAGES) -> float:
    """Ask each warm-up question of ``languages`` once and drop the answers; returns the
    seconds taken. The index is opened whatever the languages (none: only that).

    Never raises: warming up is an optimisation, so an archive that cannot answer yet (no
    index before the first ingest) or an unexpected failure is logged, and the bot starts
    anyway. Answering would hit the same error later and report it to the user then.
    """
    started = time.perf_counter()
    try:
        archive.warm_search()
    except NewsdeskError as exc:
        logger.info("warm-up could not open the index: %s", exc.reason)
    except Exception:
        logger.exception("warm-up could not open the search index; starting cold")
    for question in warm_up_questions(languages):
        try:
            archive.ask(question)
        except NewsdeskError as exc:
            logger.info("warm-up stopped at %r: %s", question, exc.reason)
            break
        except Exception:
            logger.exception("warm-up failed at %r; starting cold", question)
            break
    seconds = time.perf_counter() - started
    logger.info("warm-up done in %.2f s", seconds)
    return seconds


# The collector's thresholds once the long-lived objects are frozen (``gc.set_threshold``;
# Python's defaults are 700, 10, 10). A bot process makes and drops thousands of container
# objects per update (PTB's update and reply objects, asyncio tasks and futures), and with
# 700 it ran a young collection every few updates. Counted with ``gc.callbacks`` in each of
# the two replicas of ``python -m bot.bench --replicas 2 --pool threads`` (docs/postgres.md,
# "Cheaper updates on two replicas"), ~2,500 updates each: with the defaults 539-561 young,
# 48-50 middle and 4 full collections after the freeze, 300-320 ms of CPU, the longest
# pause 16-22 ms; with these, 21 young and at most 1 middle, 44-72 ms, the longest 3-18 ms.
# Full collections still run (every 10th middle one, and Python's own rule of waiting until
# a quarter as many objects as the long-lived ones survived), so cyclic garbage is freed.
GC_THRESHOLDS = (10_000, 20, 10)


def freeze_long_lived() -> None:
    """Move every object alive now into the GC's permanent generation (``gc.freeze``), and
    collect what comes later less often (``GC_THRESHOLDS``).

    Called once after the warm-up: the archive, its memory maps, the analyzer's lemma
    dictionaries and the answer caches live as long as the process, yet every full
    collection walked them all: at 100k passages those pauses (~20-40 ms, about one per
    100-200 asks, measured while profiling ``Archive.ask``) set the bot's p99. Garbage cycles
    left from start-up are collected first so they are not frozen with the rest; objects
    created later (per-update state) are collected as before, in fewer, larger batches.
    """
    started = time.perf_counter()
    gc.collect()
    gc.freeze()
    gc.set_threshold(*GC_THRESHOLDS)
    logger.info(
        "froze %d long-lived objects out of GC scans in %.3f s; GC thresholds %s",
        gc.get_freeze_count(),
        time.perf_counter() - started,
        GC_THRESHOLDS,
    )
