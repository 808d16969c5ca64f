"""Answer types read from en/uk/ru questions: causes for "why", counts that are not dates,
and questions typed with the keyboard layout switched half-way.

Hand-written sentences: each pair ties on the question's words (or the answer's sentence
matches fewer), so only the rule under test can pick the sentence that answers.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from index import Archive, IndexSettings, open_archive
from index.analysis.analyzer import Analyzer
from index.analysis.normalize import fold_mixed_script
from index.answer.answer_type import answer_type_of, is_count_span, states_reason
from index.answer.evidence import QuestionWord
from index.answer.snippets import SnippetCues, choose_snippet
from index.models import Lang

NOW = datetime(2024, 11, 20, 12, 0, tzinfo=UTC)
REAL = Analyzer()


def _cues(question: str, lang: Lang) -> SnippetCues:
    """Cues from the real analyzer: one word per question term, weight 1."""
    terms = frozenset(REAL.question(question, NOW).terms)
    return SnippetCues(
        words=[QuestionWord(t, frozenset([t]), 1.0, True, False, False) for t in sorted(terms)],
        question_terms=terms,
        answer_type=answer_type_of(question),
    )


# Appended to every text: a short snippet takes its following sentence as context, so the
# chosen sentence starts the snippet.
FILLER = {
    "en": " Nothing else of note happened in the town that week.",
    "ru": " Больше ничего примечательного в городе на той неделе не произошло.",
    "uk": " Більше нічого примітного в місті того тижня не сталося.",
}


def choose(text: str, question: str, lang: Lang) -> str:
    """The snippet ``choose_snippet`` picks from ``text`` plus a filler for ``question``."""
    text += FILLER[lang]
    spans = REAL.term_spans(text, lang, NOW)
    return choose_snippet(text, spans, _cues(question, lang)).text


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        ("Why did the council close the bridge?", "reason"),
        ("Why did prices rise when the port closed?", "reason"),
        ("Почему закрыли мост через реку?", "reason"),
        ("Зачем городу новый мост?", "reason"),
        ("С какой целью мэр созвал совет?", "reason"),
        ("Чому закрили міст через річку?", "reason"),
        ("Навіщо місту новий міст?", "reason"),
        ("When did the council close the bridge?", "date"),
        ("Что сказал мэр о мосте?", None),
    ],
)
def test_why_questions_ask_for_a_reason(question: str, expected: str | None) -> None:
    assert answer_type_of(question) == expected


@pytest.mark.parametrize(
    ("sentence", "expected"),
    [
        ("The bridge was closed because the pillars had cracked.", True),
        ("The bridge was closed due to cracks in the pillars.", True),
        ("The bridge has been closed since 2020.", False),
        ("Мост закрыли, потому что опоры дали трещину.", True),
        ("Мост закрыли из-за трещин в опорах.", True),
        ("Мост закрыли в понедельник.", False),
        ("Міст закрили, бо опори дали тріщину.", True),
        ("Міст закрили через те що опори тріснули.", True),
        ("Міст закрили в понеділок.", False),
    ],
)
def test_a_sentence_states_a_reason_by_its_connective(sentence: str, expected: bool) -> None:
    assert states_reason(sentence) is expected


@pytest.mark.parametrize(
    ("lang", "question", "first", "second"),
    [
        (
            "en",
            "Why did the council close the river bridge?",
            "The council closed the river bridge on Monday morning after a long meeting.",
            "The council closed the river bridge because its old pillars had cracked.",
        ),
        (
            "ru",
            "Почему совет закрыл мост через реку?",
            "Совет закрыл мост через реку в понедельник утром после долгого заседания.",
            "Совет закрыл мост через реку, потому что его старые опоры дали трещину.",
        ),
        (
            "uk",
            "Чому рада закрила міст через річку?",
            "Рада закрила міст через річку в понеділок вранці після довгого засідання.",
            "Рада закрила міст через річку, бо його старі опори дали тріщину.",
        ),
    ],
    ids=["en", "ru", "uk"],
)
def test_a_why_question_prefers_the_sentence_that_states_a_cause(
    lang: Lang, question: str, first: str, second: str
) -> None:
    assert choose(f"{first} {second}", question, lang).startswith(second)
    # Asked without "why", the earlier sentence wins the tie.
    plain = question.split(" ", 1)[1].rstrip("?")
    assert choose(f"{first} {second}", plain, lang).startswith(first)


@pytest.mark.parametrize(
    ("lang", "question", "dated", "counted"),
    [
        (
            "en",
            "How many buses did the city buy for the northern routes?",
            "The city bought buses for the northern routes on 14 March 2024, officials said.",
            "The city bought 45 buses for its northern routes, officials said.",
        ),
        (
            "ru",
            "Сколько автобусов купил город для северных маршрутов?",
            "Город купил автобусы для северных маршрутов в 1998 году, сообщили в мэрии.",
            "Город купил 45 автобусов для северных маршрутов, сообщили в мэрии.",
        ),
        (
            "uk",
            "Скільки автобусів купило місто для північних маршрутів?",
            "Місто купило автобуси для північних маршрутів 9 листопада, повідомили в мерії.",
            "Місто купило 45 автобусів для північних маршрутів, повідомили в мерії.",
        ),
    ],
    ids=["en-day", "ru-year", "uk-day"],
)
def test_a_date_is_no_answer_to_how_many(
    lang: Lang, question: str, dated: str, counted: str
) -> None:
    assert choose(f"{dated} {counted}", question, lang).startswith(counted)


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        ("What percentage of voters backed the plan?", "number"),
        ("Какой процент избирателей поддержал план?", "number"),
        ("Какова была численность населения города?", "number"),
        ("Який відсоток виборців підтримав план?", "number"),
        ("Яка була кількість загиблих?", "number"),
        ("Какой район построили первым?", None),
        ("Який район збудували першим?", None),
    ],
)
def test_a_noun_of_quantity_asks_for_a_number(question: str, expected: str | None) -> None:
    assert answer_type_of(question) == expected


@pytest.mark.parametrize(
    ("lang", "question", "first", "second"),
    [
        (
            "en",
            "What share of the city budget went to the new tram line?",
            "The city budget for the new tram line was debated by the council all week.",
            "About 12% of the city budget is for the new tram line this year.",
        ),
        (
            "ru",
            "Какая доля городского бюджета пошла на новую линию трамвая?",
            "Городской бюджет на новую линию трамвая депутаты обсуждали всю неделю.",
            "Около 12% городского бюджета выделено на новую линию трамвая.",
        ),
        (
            "uk",
            "Яка частка міського бюджету пішла на нову лінію трамвая?",
            "Міський бюджет на нову лінію трамвая депутати обговорювали весь тиждень.",
            "Близько 12% міського бюджету виділено на нову лінію трамвая.",
        ),
    ],
    ids=["en", "ru", "uk"],
)
def test_a_quantity_question_prefers_the_sentence_with_a_number(
    lang: Lang, question: str, first: str, second: str
) -> None:
    assert choose(f"{first} {second}", question, lang).startswith(second)
    # Without the noun of quantity the earlier sentence wins the tie.
    plain = question.replace("What share of", "What of").replace("Какая доля", "Что из")
    plain = plain.replace("Яка частка", "Що з")
    assert choose(f"{first} {second}", plain, lang).startswith(first)


def test_a_year_without_a_year_word_may_still_be_a_count() -> None:
    text = "The stadium holds 2000 people."
    spans = sorted(REAL.term_spans(text, "en", NOW), key=lambda s: s.start)
    number = next(s for s in spans if s.term == "2000")
    following = next(s for s in spans if s.start > number.end)
    assert is_count_span(number, following, [])
    ru = "Стадион построили в 1998 году."
    spans = sorted(REAL.term_spans(ru, "ru", NOW), key=lambda s: s.start)
    year = next(s for s in spans if s.term == "1998")
    assert not is_count_span(year, next(s for s in spans if s.start > year.end), [])


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("Комитет, созданный Симанcом?", "Комитет, созданный Симансом?"),
        ("Що сталося в Kиївi?", "Що сталося в Київі?"),
        ("Who runs Аpple?", "Who runs Apple?"),
        ("Стандарт DVB и слово KГјlГјg", "Стандарт DVB и слово KГјlГјg"),
        ("plain English", "plain English"),
    ],
    ids=["ru-latin-c", "uk-latin-k-i", "en-cyrillic-a", "both-scripts-own-letters", "ascii"],
)
def test_mixed_script_words_are_folded_to_one_script(typed: str, expected: str) -> None:
    folded = fold_mixed_script(typed)
    assert folded == expected
    assert len(folded) == len(typed)


def test_a_question_typed_in_two_scripts_has_the_terms_of_one() -> None:
    mixed = REAL.question("Кто возглавил комитет, созданный Симанcом?", NOW)
    clean = REAL.question("Кто возглавил комитет, созданный Симансом?", NOW)
    assert mixed.terms == clean.terms


@pytest.fixture(scope="module")
def archive(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Archive]:
    root: Path = tmp_path_factory.mktemp("types")
    documents = [
        (
            "Комитет по выбору ракеты",
            "В июле 1961 года Симанс создал специальный комитет по выбору ракеты. Комитет "
            "возглавил его помощник Николай Головин, инженер из Бостона.",
        ),
        ("Урожай в Полтаве", "Фермеры под Полтавой собрали рекордный урожай пшеницы."),
        ("Ночной поезд", "Ночной поезд связал Киев и Черновцы на летний сезон."),
        ("Шахматы в Днепре", "Шахматный клуб в Днепре провел юношеский турнир."),
    ]
    corpus = root / "articles.jsonl"
    corpus.write_text(
        "\n".join(
            json.dumps({"title": title, "text": text}, ensure_ascii=False)
            for title, text in documents
        ),
        encoding="utf-8",
    )
    with open_archive(IndexSettings(data_dir=root / "data", _env_file=None)) as opened:
        assert opened.ingest([str(corpus)]).failed == ()
        yield opened


def test_through_ask_a_name_typed_with_a_latin_letter_is_found(archive: Archive) -> None:
    # "Симанcом" holds a Latin "c": read as written, it is a name the archive lacks.
    answer = archive.ask("Кто возглавил комитет, созданный Симанcом?", now=NOW)
    assert answer.found
    assert "Головин" in answer.articles[0].snippets[0].text
