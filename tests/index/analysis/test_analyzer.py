"""Analyzer: document terms, questions, spans, and the cross-language seed case."""

from __future__ import annotations

import unicodedata
from datetime import UTC, date, datetime

import pytest

from index.analysis import AnalyzedQuestion, Analyzer
from index.analysis.analyzer import _TOKEN_RE, analyze_surface, compound_parts
from index.analysis.markup import strip_markup
from tests.conftest import shared_data

PUBLISHED = datetime(2024, 8, 4, 17, 25, tzinfo=UTC)
NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)
STOLTENBERG_BULLET = (
    "On 14 July, NATO Secretary General Jens Stoltenberg made it clear that he is opposed to "
    "the idea of Poland using its air defence systems to shoot down Russian missiles over "
    "the territory of Ukraine."
)


@pytest.fixture(scope="module")
def analyzer() -> Analyzer:
    return Analyzer()


def test_document_terms_carry_stems_fold_keys_and_dates(analyzer: Analyzer) -> None:
    terms = analyzer.document_terms(STOLTENBERG_BULLET, "en", PUBLISHED)
    assert {"stoltenberg", "~stoltenberh", "missil", "nato", "@d2024-07-14", "@m07-14"} <= set(
        terms
    )
    assert "the" not in terms
    assert "of" not in terms


def test_document_terms_are_stable_across_calls(analyzer: Analyzer) -> None:
    first = analyzer.document_terms(STOLTENBERG_BULLET, "en", PUBLISHED)
    assert analyzer.document_terms(STOLTENBERG_BULLET, "en", PUBLISHED) == first
    assert Analyzer().document_terms(STOLTENBERG_BULLET, "en", PUBLISHED) == first


def test_without_publication_date_only_year_less_date_terms(analyzer: Analyzer) -> None:
    terms = analyzer.document_terms("On 14 July and yesterday", "en", None)
    assert [t for t in terms if t.startswith("@")] == ["@m07-14"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param(
            "Ukraine-NATO Council",
            ["ukrain", "~ukraine", "nato", "~nato", "council", "~kounkil"],
            id="split",
        ),
        pytest.param("F-16 jets", ["16", "f16", "jet"], id="joined-with-digits"),
        pytest.param("F16 jets", ["f16", "jet"], id="joined-query-form"),
        pytest.param("COVID-19", ["19", "covid19"], id="covid"),
        pytest.param("the 14th", ["14"], id="ordinal"),
        pytest.param("8,000 targets", ["8000", "target"], id="thousands"),
        pytest.param("NATO’s and NATO's", ["nato", "~nato", "nato", "~nato"], id="possessive"),
        pytest.param("score 3-1", ["score", "3", "1"], id="score"),
        pytest.param("м’ясо і мʼясо", ["мяс", "мяс"], id="uk-apostrophes"),
    ],
)
def test_tokenization_table(analyzer: Analyzer, text: str, expected: list[str]) -> None:
    lang = "uk" if "я" in text else "en"
    assert analyzer.document_terms(text, lang, None) == expected


def _name_key(analyzer: Analyzer, text: str, lang: str) -> set[str]:
    return {t for t in analyzer.document_terms(text, lang, None) if t.startswith("~")}  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("text", "lang"),
    [
        ("President Zelenskyy said", "en"),
        ("President Zelensky said", "en"),
        ("President Zelenskiy said", "en"),
        ("Президент Зеленський заявив", "uk"),
        ("Президент Зеленский заявил", "ru"),
        ("Заява Зеленського", "uk"),
    ],
)
def test_zelenskyy_spellings_meet_in_documents(analyzer: Analyzer, text: str, lang: str) -> None:
    assert "~zelensk" in _name_key(analyzer, text, lang)


@pytest.mark.parametrize(
    "question",
    [
        "what did Zelensky say",
        "what did zelenskiy say",
        "Що сказав Зеленський?",
        "Что сказал Зеленский?",
        "заява Зеленського",
        "что сказал зеленский",
    ],
)
def test_question_names_meet_document_names(analyzer: Analyzer, question: str) -> None:
    assert "~zelensk" in analyzer.question(question, NOW).terms


@pytest.mark.parametrize(
    "question",
    [
        "what did Stoltenberg say on 14 July",
        "What did Stoltenberg say on July 14th?",
        "Що сказав Столтенберг 14 липня?",
        "Что сказал Столтенберг 14 июля?",
    ],
)
def test_stoltenberg_questions_match_the_english_bullet(analyzer: Analyzer, question: str) -> None:
    analyzed = analyzer.question(question, NOW)
    document = set(analyzer.document_terms(STOLTENBERG_BULLET, "en", PUBLISHED))
    assert analyzed.date_terms == ("@m07-14",)
    assert {"~stoltenberh", "@m07-14"} <= set(analyzed.terms) & document
    assert analyzed.period is None


@pytest.mark.parametrize(
    ("question", "key"),
    [
        ("NATO summit in Vilnius", "~nato"),
        ("Зеленський про коаліцію", "~zelensk"),
        ("Stoltenberg on air defence", "~stoltenberh"),
        ("Kyiv attacks", "~kyiv"),
    ],
)
def test_a_question_opening_with_a_name_keeps_its_fold_key(
    analyzer: Analyzer, question: str, key: str
) -> None:
    assert key in analyzer.question(question, NOW).terms


def test_a_question_opening_with_a_common_word_gets_no_fold_key(analyzer: Analyzer) -> None:
    assert not [t for t in analyzer.question("Missiles over Kyiv", NOW).terms if t == "~misiles"]


def test_capitalised_russian_common_words_in_questions_get_no_fold_key(
    analyzer: Analyzer,
) -> None:
    # A fold key is how a name meets its other spellings; "Соединенных Штатов" has none, and
    # its keys only counted the words twice (xquad-ru-dev, docs/quality.md). Names, places
    # and words pymorphy3 does not know keep theirs.
    terms = analyzer.question("Кто союзник Соединенных Штатов и Ирана, кроме Гарварда?", NOW).terms
    folded = {t for t in terms if t.startswith("~")}
    assert {"~iran", "~harvard"} <= folded
    assert not folded & {"~soedinen", "~statov"}
    assert "~stoltenberh" in analyzer.question("Что сказал Столтенберг?", NOW).terms


def test_question_words_are_dropped(analyzer: Analyzer) -> None:
    assert analyzer.question("what did Stoltenberg say", NOW).terms == (
        "stoltenberg",
        "~stoltenberh",
    )


@pytest.mark.parametrize("question", ["on 14 July", "July 14th", "14 липня", "14 июля"])
def test_question_dates_are_the_document_year_less_terms(
    analyzer: Analyzer, question: str
) -> None:
    assert analyzer.question(question, NOW).terms == ("@m07-14",)


def test_question_with_year_gives_both_terms(analyzer: Analyzer) -> None:
    for question in ("on 14.07.2024", "2024-07-14", "14 July 2024", "14 липня 2024 року"):
        analyzed = analyzer.question(question, NOW)
        assert analyzed.date_terms == ("@d2024-07-14", "@m07-14"), question


@pytest.mark.parametrize(
    ("question", "period", "terms"),
    [
        ("what happened in Kyiv in July 2024", (date(2024, 7, 1), date(2024, 7, 31)), {"kyiv"}),
        ("що було у Києві минулого тижня", (date(2026, 11, 16), date(2026, 11, 25)), {"~kyiv"}),
        ("Харьков на прошлой неделе", (date(2026, 11, 16), date(2026, 11, 25)), {"~kharkiv"}),
        ("missiles since 14 July", (date(2026, 7, 14), date(2026, 11, 25)), {"missil"}),
    ],
)
def test_periods_become_windows_not_terms(
    analyzer: Analyzer, question: str, period: tuple[date, date], terms: set[str]
) -> None:
    analyzed = analyzer.question(question, NOW)
    assert analyzed.period == period
    assert analyzed.date_terms == ()
    assert terms <= set(analyzed.terms)
    assert not {"juli", "2024", "week", "тиждень", "недел", "14"} & set(analyzed.terms)


@pytest.mark.parametrize(
    "question", ["", "   ", "the of and", "🙂🙂🙂", "<b>?</b>", "what did they say", "x" * 10_000]
)
def test_degenerate_questions_never_crash(analyzer: Analyzer, question: str) -> None:
    analyzed = analyzer.question(question, NOW)
    assert isinstance(analyzed, AnalyzedQuestion)
    assert analyzed.language in ("en", "uk", "ru")


def test_stopword_only_question_has_no_terms(analyzer: Analyzer) -> None:
    assert analyzer.question("what did they say about it", NOW).terms == ()


@pytest.mark.parametrize(
    "text",
    [
        STOLTENBERG_BULLET,
        "ﬁnance ministers of Ｋｙｉｖ met on 14 July; Zelenskyy’s aides said",
        "Президент Зеле\u0301нський 14-го липня (вчора) заявив: «м’ясо»",
        "inter\u00adnational F‑16 jets, 14.07.2024",
        "  \n\tleading whitespace and trailing  ",
    ],
)
def test_term_spans_match_document_terms_and_point_into_the_original(
    analyzer: Analyzer, text: str
) -> None:
    lang = "uk" if "я" in text else "en"
    spans = analyzer.term_spans(text, lang, PUBLISHED)  # type: ignore[arg-type]
    assert sorted(span.term for span in spans) == sorted(
        analyzer.document_terms(text, lang, PUBLISHED)  # type: ignore[arg-type]
    )
    for span in spans:
        piece = text[span.start : span.end]
        assert piece == piece.strip()
        assert piece
        if not span.term.startswith(("~", "@")) and span.term.isascii() and span.term.isalpha():
            assert unicodedata.normalize("NFKC", piece).casefold().startswith(span.term[:2])


def test_term_spans_are_the_tokenizers_spans_cold_and_cached() -> None:
    """The fast paths (a letters-only chunk is one token; a chunk's token spans are kept)
    give exactly the spans of tokenizing the text and analysing each token."""
    text = (
        "Zelenskyy’s aides (AP) said: «м’ясо» F‑16 jets, 14.07.2024; Kyiv. Kyiv, Kyiv. "
        "inter\u00adnational e\u0301te 5-го 1st ﬁnance x_y said, said,\u00a0Kyiv\u2028said"
        "\x1cKyiv\u200bsaid\u3000on 14 July  \n"
    )
    expected = [
        (term, match.start(), match.end())
        for match in _TOKEN_RE.finditer(text)
        for term in analyze_surface(match.group(), "uk")
    ] + [("@m07-14", text.index("14 July"), text.index("14 July") + len("14 July"))]
    analyzer = Analyzer()
    for _ in range(2):  # first sight, then every chunk from the caches
        spans = analyzer.term_spans(text, "uk", None)
        assert [(span.term, span.start, span.end) for span in spans] == expected


def test_term_spans_cover_nfkc_changed_words(analyzer: Analyzer) -> None:
    text = "ﬁnance in Ｋｙｉｖ"
    spans = analyzer.term_spans(text, "en", None)
    by_term = {span.term: text[span.start : span.end] for span in spans}
    assert by_term["financ"] == "ﬁnance"
    assert by_term["~kyiv"] == "Ｋｙｉｖ"


def test_seed_passages_analyse_and_answer_terms_meet() -> None:
    path = shared_data("seed/up-2024-08-04-zelenskyy-coalition.txt")
    text = path.read_text(encoding="utf-8")
    analyzer = Analyzer()
    bullets = [line for line in text.splitlines() if "Stoltenberg" in line]
    assert bullets
    terms = set(analyzer.document_terms(bullets[0], "en", PUBLISHED))
    question = analyzer.question("Що сказав Столтенберг 14 липня?", NOW)
    assert {"~stoltenberh", "@m07-14"} <= set(question.terms) & terms


def test_a_language_we_do_not_analyse_falls_back_to_english(analyzer: Analyzer) -> None:
    text = "Die Regierung in Berlin"
    assert analyzer.document_terms(text, "de", None) == analyzer.document_terms(  # type: ignore[arg-type]
        text, "en", None
    )


def test_a_fresh_analyzer_uses_each_language_from_the_first_call() -> None:
    fresh = Analyzer()
    assert fresh.document_terms("ракети", "uk", None) == ["ракет"]
    assert fresh.document_terms("ракеты", "ru", None) == ["ракет"]
    assert fresh.document_terms("ракети", "en", None) == ["ракет"]  # by script and letters


@pytest.mark.parametrize(
    ("uk", "ru"),
    [("ракети", "ракеты"), ("спікеру", "спикеру"), ("парламенту", "парламента"),
     ("резервістів", "резервистов")],
)  # fmt: skip
def test_ukrainian_and_russian_cognates_share_a_term(analyzer: Analyzer, uk: str, ru: str) -> None:
    assert analyzer.document_terms(uk, "uk", None) == analyzer.document_terms(ru, "ru", None)


@pytest.mark.parametrize(
    "text",
    [
        STOLTENBERG_BULLET,
        "F-16s, (Zelenskyy’s) 14th—“quote” 2024-07-14; 14.07.2024. 8,000 3-1 1-го м’ясо…",
        "inter\u00adnational Зеле\u0301нський ﬁnance Ｋｙｉｖ",
    ],
)
def test_tokens_are_fixed_points_of_the_tokenizer(text: str) -> None:
    from index.analysis.analyzer import _TOKEN_RE

    for token in _TOKEN_RE.findall(text):
        assert _TOKEN_RE.findall(token) == [token]


@pytest.mark.parametrize(
    ("raw", "plain"),
    [
        (
            "<b>When</b> did the <i>dam</i> fall? <script>alert(1)</script>",
            "When did the dam fall? ",
        ),
        ("Dni<b>pro</b> bridge", "Dnipro bridge"),
        ("a<br>b<p>c</p>", "a b c "),
        ("<!-- x -->dam <style>p { color: red }</style>fell", "dam fell"),
        ("AT&amp;T &#39;deal&#39;", "AT&T 'deal'"),
        ("is 3 < 5 > 2", "is 3 < 5 > 2"),
        ("no markup at all", "no markup at all"),
    ],
)
def test_strip_markup_drops_tags_and_code_keeps_inline_text(raw: str, plain: str) -> None:
    assert strip_markup(raw) == plain


def test_question_terms_ignore_markup(analyzer) -> None:
    now = datetime(2024, 5, 10, tzinfo=UTC)
    plain = analyzer.question("When was the Kakhovka dam destroyed?", now)
    marked = analyzer.question(
        "When was the <b>Kakhovka</b> dam destroyed? <script>alert(1)</script>", now
    )
    assert marked.terms == plain.terms
    assert marked.text == "When was the Kakhovka dam destroyed?"


@pytest.mark.parametrize(
    ("surface", "lang", "is_name"),
    [("Коста-Рики", "ru", True), ("Bankman-Fried", "en", True), ("boundary-layer", "en", False)],
)
def test_compound_parts_split_a_hyphenated_word_as_the_analyzer_does(
    surface: str, lang: str, is_name: bool
) -> None:
    compound = compound_parts(surface, lang)
    assert compound is not None
    assert compound.is_name is is_name
    assert len(compound.parts) == 2
    # The parts hold exactly the terms the analyzer gives the whole word, each in one part.
    flat = [term for part in compound.parts for term in part]
    assert sorted(flat) == sorted(analyze_surface(surface, lang, question=True))


@pytest.mark.parametrize("surface", ["F-16", "Аполлон-1", "COVID-19", "budget", "e-mail"])
def test_compounds_kept_joined_or_unhyphenated_have_no_parts(surface: str) -> None:
    assert compound_parts(surface, "en") is None
