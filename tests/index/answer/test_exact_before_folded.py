"""Exact before folded: a fold key adds recall but never outranks an exact match of the name.

Issue 11's repro: over an archive holding both "Zqgunubaba" and "Zqhunubaba" (one fold key,
``~zkhunubab``), "What did Minister Zqgunubaba say?" must cite the Zqgunubaba article first.
The archive holds 300 such pairs (seeded random names, articles of varying length); every
name of a pair is asked about once, in random order, through ``Archive.ask`` with the ranking
layer on (the default). Before the layer preferred exact terms, 180 of the 300 were right here;
the articles vary in length and in how often they name the minister, so even pure BM25Okapi
(layer off, which adds the fold key's score to the exact term's) gets 298.
"""

from __future__ import annotations

import json
import random
from datetime import UTC, datetime
from pathlib import Path

import pytest

from index import IndexSettings, open_archive

pytest.importorskip("index.analysis.analyzer", reason="the analyser has not landed")

SEED = 20240714
PAIRS = 300
QUESTIONS = 300
_CONSONANTS = "bdklmnprstvz"
_VOWELS = "aeiou"
_FILLER = [
    "budget",
    "talks",
    "parliament",
    "coalition",
    "reform",
    "energy",
    "prices",
    "harbour",
    "railway",
    "tax",
    "farmers",
    "hospital",
    "teachers",
    "pension",
    "bridge",
    "election",
    "court",
    "ministry",
    "council",
    "grain",
    "exports",
]


def _name(rng: random.Random) -> str:
    """A made-up surname with a 'g' the variant spells 'h' (the same transliteration key)."""
    syllables = [rng.choice(_CONSONANTS) + rng.choice(_VOWELS) for _ in range(rng.randint(2, 4))]
    at = rng.randint(0, len(syllables))
    syllables.insert(at, "g" + rng.choice(_VOWELS))
    return "Zq" + "".join(syllables)


def _text(rng: random.Random, name: str) -> str:
    words = rng.choices(_FILLER, k=rng.randint(4, 60))
    mentions = rng.randint(1, 3)
    sentences = [f"Minister {name} said the {' '.join(words[:4])} would go ahead."]
    sentences += [f"{name} also spoke about {rng.choice(_FILLER)}." for _ in range(mentions - 1)]
    sentences.append(" ".join(words[4:]).capitalize() + ".")
    return " ".join(sentences)


def _pairs(rng: random.Random) -> list[tuple[str, str]]:
    pairs: list[tuple[str, str]] = []
    seen: set[str] = set()
    while len(pairs) < PAIRS:
        name = _name(rng)
        variant = name.replace("g", "h", 1)
        if name.lower() in seen or variant.lower() in seen:
            continue
        seen |= {name.lower(), variant.lower()}
        pairs.append((name, variant))
    return pairs


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[str]]:
    rng = random.Random(SEED)
    pairs = _pairs(rng)
    path = tmp_path_factory.mktemp("names") / "names.jsonl"
    with path.open("w", encoding="utf-8") as handle:
        for name, variant in pairs:
            for spelling in rng.sample([name, variant], 2):
                record = {
                    "title": f"Statement by the minister {rng.choice(_FILLER)}",
                    "text": _text(rng, spelling),
                    "url": f"https://names.invalid/{spelling.lower()}",
                }
                handle.write(json.dumps(record) + "\n")
    asked = [spelling for pair in pairs for spelling in pair]
    rng.shuffle(asked)
    return path, asked[:QUESTIONS]


def test_the_pairs_share_a_fold_key_and_differ_exactly(corpus) -> None:
    from index.analysis.analyzer import Analyzer

    analyzer = Analyzer()
    now = datetime(2024, 7, 14, tzinfo=UTC)
    for name in corpus[1][:20]:
        variant = name.replace("g", "h", 1) if "g" in name else name.replace("h", "g", 1)
        mine = set(analyzer.question(f"What did Minister {name} say?", now).terms)
        other = set(analyzer.question(f"What did Minister {variant} say?", now).terms)
        assert {t for t in mine if t.startswith("~")} == {t for t in other if t.startswith("~")}
        assert mine != other


def test_an_exact_name_ranks_above_its_folded_spelling(corpus, tmp_path: Path) -> None:
    path, asked = corpus
    settings = IndexSettings(data_dir=tmp_path / "data", ranking_layer=True, _env_file=None)
    with open_archive(settings) as archive:
        assert not archive.ingest([str(path)]).failed
        right = 0
        wrong = []
        for name in asked:
            answer = archive.ask(f"What did Minister {name} say?", k=1)
            url = answer.articles[0].citation.url if answer.found else None
            if url == f"https://names.invalid/{name.lower()}":
                right += 1
            else:
                wrong.append(name)
    assert right == QUESTIONS, f"{right}/{QUESTIONS} right; first wrong: {wrong[:5]}"
