"""Passages: paragraphs, sentence windows and bullets, with offsets that map back exactly."""

from __future__ import annotations

import random

import pytest

from index.extract import split_passages
from tests.index.extract.conftest import fixture_path

WORDS = (
    "the", "NATO", "summit", "Washington", "2024", "Київ", "ракети", "Столтенберг", "саммит",
    "мира", "Швейцария", "air", "defence", "🇺🇦", "🚀", "coalition", "Tusk", "Kosiniak-Kamysz",
    "«угода»", "“quote”", "п'ятниця",
)  # fmt: skip
ENDINGS = [".", "!", "?", "…", '."', ".»"]


def _random_body(rng: random.Random) -> str:
    paragraphs = []
    for _ in range(rng.randint(1, 6)):
        if rng.random() < 0.3:
            items = [" ".join(rng.choices(WORDS, k=rng.randint(1, 30))) for _ in range(3)]
            paragraphs.append("\n".join("• " + item for item in items))
            continue
        sentences = []
        for _ in range(rng.randint(1, 25)):
            words = rng.choices(WORDS, k=rng.randint(1, 40))
            words[0] = words[0].capitalize()
            sentences.append(" ".join(words) + rng.choice(ENDINGS))
        paragraphs.append(rng.choice([" ", "  ", " \t"]).join(sentences))
    separators = ["\n\n", "\n \n", "\n\n\n", "\r\n\r\n"]
    return (
        rng.choice(["", "  \n"]) + "".join(p + rng.choice(separators) for p in paragraphs).rstrip()
    )


@pytest.mark.parametrize("seed", range(40))
def test_offsets_map_back_exactly_on_random_bodies(seed: int) -> None:
    rng = random.Random(seed)
    body = _random_body(rng)
    target = rng.choice([10, 30, 80])
    passages = split_passages(body, target_words=target)
    assert passages, body
    previous_end = 0
    for ordinal, passage in enumerate(passages):
        assert body[passage.start : passage.end] == passage.text
        assert passage.ordinal == ordinal
        assert passage.start >= previous_end
        assert passage.text == passage.text.strip()
        previous_end = passage.end
    covered = " ".join(p.text for p in passages)
    assert len(covered.split()) == len(body.split())  # no word lost (no headings here)


@pytest.mark.parametrize(
    "name", ["up-en-poland-security-agreement.txt", "up-uk-nato-summit.txt", "news-page.html"]
)
def test_offsets_map_back_on_fixture_bodies(name: str) -> None:
    from index.extract import extract_bytes

    [article] = extract_bytes(fixture_path(name).read_bytes(), name)
    for passage in split_passages(article.body, target_words=20):
        assert article.body[passage.start : passage.end] == passage.text


def test_each_bullet_is_its_own_passage_and_headings_are_skipped() -> None:
    body = "Lede paragraph here.\n\nBackground:\n\n• First item.\n• Second item.\nTail line."
    passages = split_passages(body)
    assert [(p.kind, p.text) for p in passages] == [
        ("paragraph", "Lede paragraph here."),
        ("bullet", "• First item."),
        ("bullet", "• Second item."),
        ("paragraph", "Tail line."),
    ]


def test_long_paragraph_splits_at_sentence_boundaries_into_target_windows() -> None:
    sentence = "Officials said the talks on air defence would continue next week in Brussels."
    body = " ".join([sentence] * 30)  # 13 words x 30 = 390 words
    passages = split_passages(body, target_words=80)
    assert all(p.kind == "window" for p in passages)
    assert all(p.text.endswith("Brussels.") and p.text.startswith("Officials") for p in passages)
    sizes = [len(p.text.split()) for p in passages]
    assert all(40 <= size <= 80 for size in sizes), sizes
    assert sum(sizes) == 390


def test_short_paragraph_a_bit_over_target_stays_whole() -> None:
    body = " ".join(["Word."] * 100)
    assert len(split_passages(body, target_words=80)) == 1


def test_abbreviations_and_initials_do_not_end_sentences() -> None:
    sentence = "Mr. Smith met J. Doe and Dr. Brown at St. Paul's near вул. Хрещатик today. "
    body = (sentence * 20).strip()
    for passage in split_passages(body, target_words=15):
        assert passage.text.endswith("today."), passage.text


def test_run_on_sentence_is_cut_between_words() -> None:
    body = " ".join(["слово"] * 500)
    passages = split_passages(body, target_words=80)
    assert [len(p.text.split()) for p in passages] == [80] * 6 + [20]


def test_empty_and_punctuation_only_bodies_give_no_passages() -> None:
    assert split_passages("") == []
    assert split_passages("\n\n — \n\n") == []


def test_target_words_must_be_positive() -> None:
    with pytest.raises(ValueError, match="target_words"):
        split_passages("x", target_words=0)
