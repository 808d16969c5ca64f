"""How much a word the index never saw weighs in the "nothing found" rule.

Unit tests run ``question_words`` on a fake index with set document frequencies; the sample
tests ask the bundled corpus, where "decided" and "collapsed" occur nowhere while the
articles they ask about do.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest

from index import Archive, IndexSettings, open_archive
from index.answer.evidence import (
    COMMON_UNKNOWN_DF_SHARE,
    evidence_idf,
    measure_evidence,
    question_words,
)
from tests.conftest import SAMPLE_DIR
from tests.index.answer.fakes import SimpleAnalyzer

N_DOCS = 200
FULL = evidence_idf(1, N_DOCS)
COMMON = evidence_idf(math.ceil(COMMON_UNKNOWN_DF_SHARE * N_DOCS), N_DOCS)
NOW = datetime(2024, 8, 14, 12, 0, tzinfo=UTC)


class FrequencyIndex:
    """Only what ``question_words`` reads: the passage count and document frequencies."""

    def __init__(self, dfs: dict[str, int]) -> None:
        self.dfs = dfs
        self.n_docs = N_DOCS

    def document_frequency(self, term: str) -> int:
        return self.dfs.get(term, 0)


# Function words the fake analyzer keeps are known, as in a real archive.
KNOWN = {
    "nato": 12,
    "summit": 8,
    "vilnius": 4,
    "kyiv": 10,
    "at": 150,
    "who": 60,
    "president": 30,
    "say": 50,
}


def words_of(text: str):
    """``question_words`` of an English question over the fake index."""
    analyzer = SimpleAnalyzer()
    terms = analyzer.document_terms(text, "en", None)
    return question_words(text, "en", terms, [], analyzer=analyzer, index=FrequencyIndex(KNOWN))


def weights(text: str) -> dict[str, float]:
    return {word.text: word.weight for word in words_of(text)}


def test_one_unknown_lowercase_word_among_known_ones_weighs_as_a_common_term():
    got = weights("What was decided at the NATO summit in Vilnius?")
    assert got["decided"] == pytest.approx(COMMON)
    assert COMMON < min(got["NATO"], got["summit"], got["Vilnius"]) < FULL


def test_the_discount_lets_the_known_words_carry_the_question():
    words = words_of("What was decided at the NATO summit in Vilnius?")
    assert measure_evidence(words, ["nato", "vilnius"]).enough


@pytest.mark.parametrize(
    ("text", "unknown"),
    [
        # Names keep the full weight, as the question's first word too.
        ("What did the Finnish president say about the NATO summit border?", "Finnish"),
        ("WhatsApp blocked NATO summit Vilnius", "WhatsApp"),
        # Numbers are as specific as names.
        ("What was 2031 at the NATO summit in Vilnius?", "2031"),
    ],
)
def test_unknown_names_and_numbers_keep_the_full_weight(text, unknown):
    assert weights(text)[unknown] == pytest.approx(FULL)


def test_several_unknown_lowercase_words_keep_the_full_weight():
    got = weights("Who won the song contest at the NATO summit in Vilnius?")
    assert got["won"] == got["song"] == got["contest"] == pytest.approx(FULL)


def test_an_unknown_word_beside_fewer_than_three_known_ones_keeps_the_full_weight():
    got = weights("Who is the mayor of Kyiv?")
    assert got["mayor"] == pytest.approx(FULL)
    words = words_of("Who is the mayor of Kyiv?")
    assert not measure_evidence(words, ["kyiv"]).enough


@pytest.fixture(scope="module")
def sample_archive(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Archive]:
    if not (SAMPLE_DIR / "README.md").exists():
        pytest.skip(f"sample corpus not present: {SAMPLE_DIR}")
    data_dir = tmp_path_factory.mktemp("unknown-words") / "data"
    with open_archive(IndexSettings(data_dir=data_dir, _env_file=None)) as archive:
        report = archive.ingest([str(SAMPLE_DIR)])
        assert report.failed == (), report.failed
        yield archive


@pytest.mark.parametrize(
    ("question", "title"),
    [
        ("What was decided at the NATO summit in Vilnius?", "NATO tells Ukraine"),
        ("What did NATO leaders decide in Vilnius in July 2023?", "NATO tells Ukraine"),
        (
            "How many people were evacuated after the Kakhovka dam collapsed?",
            "Kakhovka dam destroyed",
        ),
        ("Why did Russia abandon the Black Sea grain deal?", "Russia quits the Black Sea"),
    ],
)
def test_a_paraphrase_with_one_unknown_verb_is_answered(sample_archive, question, title):
    answer = sample_archive.ask(question, now=NOW)
    assert answer.found, answer.reason
    assert answer.articles[0].citation.title.startswith(title)


@pytest.mark.parametrize(
    "question",
    [
        "WhatsApp blocked in Russia",
        "What did the Finnish president say about the border?",
        "Who won the Eurovision song contest?",
        "Who is the mayor of Kyiv?",
        "What is the population of Kherson?",
    ],
)
def test_a_question_about_a_missing_topic_still_finds_nothing(sample_archive, question):
    assert not sample_archive.ask(question, now=NOW).found
