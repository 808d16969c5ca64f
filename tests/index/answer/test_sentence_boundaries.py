"""``snippets._BOUNDARY_RE`` led by one character class finds what the unled pattern it
replaced (kept here as the reference) found: the same matches, spans and text, on generated
passages, hand-written edge cases and, when the evaluation data is present, the QA corpora."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from index.answer.snippets import _BOUNDARY_RE, split_sentences
from index.bench.corpus import ZipfCorpus
from tests.conftest import shared_data

UNLED_BOUNDARY_RE = re.compile(r"[.!?…]+[\"'»”’)\]]*\s+(?=[\"'«“‘(\[•\-–—\d\w])|\n+")

HAND_TEXTS = [
    "",
    "\n",
    "a.\n\nb",
    'x...  "Y',
    "end!)\n\n",
    "\n\n\n",
    "Mr. Smith left. He said: «Yes!» — and went.",
    "a…b. C",
    "1. 2. 3",
    "q?» «W",
    ".\n.",
    "!!!   ",
    "a.\u00a0B",
    "x.\u2028Y",
    "Тест. Ещё одна фраза! Третья? (Четвёртая.) • пятая",
    "U.S. Navy. The D.C. office… said 5 p.m. Friday.\n\nNext paragraph.\n",
    "trailing dot.",
    "no boundary at all",
    "?.!\n?.! x",
]


def _matches(pattern: re.Pattern[str], text: str) -> list[tuple[int, int, str]]:
    return [(m.start(), m.end(), m.group()) for m in pattern.finditer(text)]


def _corpus_texts(path: Path) -> list[str]:
    """Every string of the set's corpus records (titles and texts)."""
    texts: list[str] = []
    for line in path.read_text(encoding="utf-8").splitlines():
        texts.extend(v for v in json.loads(line).values() if isinstance(v, str))
    return texts


def test_led_pattern_matches_the_unled_one_on_passages_and_edge_cases() -> None:
    texts = [p.text for p in ZipfCorpus(2000).chunk(0, 2000)] + HAND_TEXTS
    for text in texts:
        assert _matches(_BOUNDARY_RE, text) == _matches(UNLED_BOUNDARY_RE, text), text


@pytest.mark.parametrize("name", ["multihop-rag-facts-dev", "xquad-ru-dev"])
def test_led_pattern_matches_the_unled_one_on_the_qa_corpora(name: str) -> None:
    texts = _corpus_texts(shared_data(f"eval/{name}/corpus.jsonl"))
    assert texts
    for text in texts:
        assert _matches(_BOUNDARY_RE, text) == _matches(UNLED_BOUNDARY_RE, text), text


def test_split_sentences_still_cuts_after_terminal_punctuation() -> None:
    text = "Mr. Smith left. He said: «Yes!» Then he went.\n\nNext one."
    assert [text[s.start : s.end] for s in split_sentences(text)] == [
        "Mr. Smith left.",
        "He said: «Yes!»",
        "Then he went.",
        "Next one.",
    ]
