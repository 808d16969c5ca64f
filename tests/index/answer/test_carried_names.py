"""A window of a long paragraph carries the names of the window before it into its evidence
(``assemble._carried_names``).

A long paragraph is cut into windows of about 80 words (``extract.passages``); it names its
subject once and goes on about it, so the window that answers may not hold the name the
question asks about, and without it the answer was "nothing found" or another window.
Hand-written paragraphs in en/ru/uk: the answer is in the second window, the name only in
the first (the Russian and Ukrainian questions may be answered from either article: both
tell the same story). Names never cross a paragraph break (a blank line), where a news
article moves on.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from index import Archive, IndexSettings, open_archive
from index.answer.assemble import _carried_names
from index.answer.candidates import RankedPassage
from index.extract.passages import split_passages
from index.models import Passage

NOW = datetime(2024, 11, 20, 12, 0, tzinfo=UTC)

# (lang, (title, first window, second window), question, answer)
DOCS = [
    (
        "en",
        (
            "A river port with a long memory",
            "Velmora grew up around a ferry crossing on the lower river, where fishermen from "
            "the surrounding villages traded salted fish, grain and timber every autumn. In the "
            "eighteenth century the crossing became a busy river port, with warehouses, a "
            "customs office and a small shipyard that built flat barges for the grain trade. "
            "Merchants from the coast settled there, built stone houses along the embankment "
            "and paid for a market hall, which still stands on the main square today.",
            "In 1791 the settlement received a charter from the provincial governor and was "
            "named after Admiral Gregor Stane, who had cleared the river mouth of pirates a "
            "decade earlier. A bronze statue of the admiral was unveiled on the embankment "
            "for the centenary, and the shipyard later built river steamers until it closed "
            "in the nineteen sixties.",
        ),
        "After whom was Velmora named?",
        "Gregor Stane",
    ),
    (
        "ru",
        (
            "Речной порт с долгой памятью",
            "Вельмора выросла вокруг паромной переправы на нижнем течении реки, где рыбаки из "
            "окрестных деревень каждую осень продавали солёную рыбу, зерно и лес. В восемнадцатом "
            "веке переправа превратилась в оживлённый речной порт со складами, таможней и "
            "небольшой верфью, строившей плоские баржи для хлебной торговли. Купцы с побережья "
            "селились там, строили каменные дома вдоль набережной и оплатили рыночный зал, "
            "который до сих пор стоит на главной площади.",
            "В 1791 году поселение получило грамоту от губернатора и было названо в честь "
            "адмирала Григория Стейна, который десятью годами ранее очистил устье реки от "
            "пиратов. Бронзовую статую адмирала открыли на набережной к столетию, а верфь "
            "позднее строила речные пароходы, пока её не закрыли в шестидесятых годах. Сегодня в "
            "бывших складах работают музей судоходства, библиотека и несколько мастерских.",
        ),
        "В честь кого названа Вельмора?",
        "адмирала Григория Стейна",
    ),
    (
        "uk",
        (
            "Річковий порт із довгою пам'яттю",
            "Вельмора виросла довкола поромної переправи в нижній течії річки, де рибалки з "
            "навколишніх сіл щоосені продавали солону рибу, зерно й ліс. У вісімнадцятому "
            "столітті переправа перетворилася на жвавий річковий порт зі складами, митницею та "
            "невеликою верфлю, що будувала пласкі баржі для хлібної торгівлі. Купці з "
            "узбережжя оселялися там, зводили кам'яні будинки вздовж набережної й оплатили "
            "ринкову залу, яка досі стоїть на головній площі.",
            "У 1791 році поселення отримало грамоту від губернатора й було назване на честь "
            "адмірала Григорія Стейна, який десятьма роками раніше очистив гирло річки від "
            "піратів. Бронзову статую адмірала відкрили на набережній до сторіччя, а верф "
            "згодом будувала річкові пароплави, доки її не закрили в шістдесятих роках. "
            "Сьогодні в колишніх складах працюють музей судноплавства, міська бібліотека, "
            "дитяча художня школа й кілька столярних майстерень.",
        ),
        "На честь кого названа Вельмора?",
        "адмірала Григорія Стейна",
    ),
]
# Other articles, so that the question's everyday words are not rare.
OTHERS = [
    "The new bridge was named after a local teacher and opened in spring.",
    "A street in the old town was named after a poet last year.",
    "Мост назвали в честь местного учителя и открыли весной.",
    "Улицу в старом городе назвали в честь поэта в прошлом году.",
    "Міст назвали на честь місцевого вчителя й відкрили навесні.",
    "Вулицю в старому місті назвали на честь поета торік.",
    "Школа названа в честь первой учительницы села.",
    "Площадь названа в честь основателя завода.",
    "Пристань названа в честь героя войны.",
    "Школа названа на честь першої вчительки села.",
    "Площа названа на честь засновника заводу.",
    "Пристань названа на честь героя війни.",
]


def _archive(root: Path, separator: str) -> Iterator[Archive]:
    corpus = root / "articles.jsonl"
    records = [
        {"title": title, "text": f"{first}{separator}{second}"}
        for _, (title, first, second), _, _ in DOCS
    ] + [{"title": "", "text": text} for text in OTHERS]
    corpus.write_text(
        "\n".join(json.dumps(r, ensure_ascii=False) for r in records), encoding="utf-8"
    )
    with open_archive(IndexSettings(data_dir=root / "data", _env_file=None)) as opened:
        assert opened.ingest([str(corpus)]).failed == ()
        yield opened


@pytest.fixture(scope="module")
def one_paragraph(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Archive]:
    yield from _archive(tmp_path_factory.mktemp("windows"), " ")


@pytest.mark.parametrize(("lang", "doc", "question", "answer"), DOCS)
def test_a_window_carries_the_name_of_the_window_before(
    one_paragraph: Archive, lang: str, doc: tuple[str, str, str], question: str, answer: str
) -> None:
    _, first, second = doc
    assert len(split_passages(f"{first} {second}")) == 2  # two windows of one paragraph
    assert "Velmora" not in second and "Вельмор" not in second
    reply = one_paragraph.ask(question, now=NOW)
    assert reply.found
    shown = " ".join(s.text for s in reply.articles[0].snippets)
    assert answer.split()[-1] in shown  # the admiral's surname, in either language


def _passage(passage_id: int, ordinal: int, start: int, end: int) -> Passage:
    return Passage(passage_id, 1, ordinal, "x" * (end - start), start, end)


def _ranked(passage: Passage) -> RankedPassage:
    return RankedPassage(passage.passage_id, passage.article_id, 1.0)


def test_names_are_carried_across_a_window_cut_only() -> None:
    # Passage 11 follows 10 after one space (a window cut); 12 follows 11 after a blank
    # line (a paragraph break); 14 follows no candidate (13 was not ranked).
    passages = [
        _passage(10, 0, 0, 100),
        _passage(11, 1, 101, 200),
        _passage(12, 2, 202, 300),
        _passage(14, 4, 401, 500),
    ]
    terms = [
        frozenset({"~velmora", "river"}),
        frozenset({"~stane", "named"}),
        frozenset({"~kyiv"}),
        frozenset({"port"}),
    ]
    carried = _carried_names([(_ranked(p), p) for p in passages], terms)
    assert carried == {11: frozenset({"~velmora"})}
