"""A page showing fewer snippets than the articles it may cite takes each article's spare
(``assemble._with_spares``, ``_spare_of``).

An article's second snippet is shown only at ``SECOND_SNIPPET_MIN_SHARE`` of its first's
score, so a page of one answering article often showed one sentence: the paragraph's
sentence that matched the question's words, and not its neighbour that answers it in other
words (a translated or paraphrased question). Such a page now also shows the best other
unit of the shown snippet's passage, which the snippet choice found anyway. Pages with
enough snippets are unchanged, and no article shows more than ``SNIPPETS_PER_ARTICLE``.
Made-up names throughout.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from index import Archive, IndexSettings, open_archive
from index.answer.assemble import SNIPPETS_PER_ARTICLE, _with_spares
from index.models import ArticleAnswer, Citation, Snippet

NOW = datetime(2024, 11, 20, 12, 0, tzinfo=UTC)


def _snippet(text: str, passage_id: int = 1) -> Snippet:
    return Snippet(text=text, highlights=(), passage_id=passage_id, passage_ordinal=0, score=1.0)


def _answer(article_id: int, *texts: str, spare: str | None = None) -> ArticleAnswer:
    return ArticleAnswer(
        citation=Citation(article_id, f"Article {article_id}", None, None, None, None),
        snippets=tuple(_snippet(t, article_id) for t in texts),
        score=1.0,
        spare=_snippet(spare, article_id) if spare is not None else None,
    )


def test_a_page_of_one_snippet_takes_its_article_spare() -> None:
    (shown,) = _with_spares([_answer(1, "first", spare="spare")], 3)
    assert [s.text for s in shown.snippets] == ["first", "spare"]
    assert shown.spare is None


def test_spares_fill_the_page_in_page_order_and_no_further() -> None:
    page = [_answer(1, "a1", spare="a2"), _answer(2, "b1", spare="b2")]
    shown = _with_spares(page, 3)
    assert [[s.text for s in a.snippets] for a in shown] == [["a1", "a2"], ["b1"]]
    assert all(a.spare is None for a in shown)


def test_a_full_page_is_unchanged_but_for_the_spares_dropped() -> None:
    page = [_answer(i, f"s{i}", spare=f"x{i}") for i in (1, 2, 3)]
    shown = _with_spares(page, 3)
    assert [[s.text for s in a.snippets] for a in shown] == [["s1"], ["s2"], ["s3"]]
    assert all(a.spare is None for a in shown)
    two = [_answer(1, "a1", "a2"), _answer(2, "b1", spare="b2")]
    assert [len(a.snippets) for a in _with_spares(two, 3)] == [2, 1]


# (lang, title, the one paragraph: a sentence with the question's words, then the answer
# in other words, then an unrelated sentence), question, the spare's words
DOCS = [
    (
        "en",
        "Zentauro harbour works",
        "The harbour authority of Zentauro said on Monday that the dredging of the northern "
        "basin of the old harbour, which had been planned for three years and postponed "
        "twice because of the storms of the last two winters, would finally begin in the "
        "spring, and that the fishing fleet would have to moor at the southern quay while "
        "the work lasted, as it did during the repairs of 2019 and 2020. "
        "Officials put the cost at forty million crowns, paid by the regional government "
        "and by a loan from the national development bank, to be repaid from port fees "
        "over the next twenty years. "
        "A new ferry line to the islands opens in June.",
        "What will the dredging of the Zentauro harbour basin cost?",
        "forty million crowns",
    ),
    (
        "ru",
        "Работы в порту Зентауро",
        "Портовое управление Зентауро сообщило в понедельник, что углубление дна северного "
        "бассейна старой гавани, которое планировали три года и дважды откладывали из-за "
        "штормов двух последних зим, наконец начнется весной, и рыболовецкий флот на время "
        "работ будет швартоваться у южного причала, как это было во время ремонта 2019 и "
        "2020 годов. "
        "Чиновники оценили расходы в сорок миллионов крон, которые оплатят областное "
        "правительство и заем национального банка развития, возвращаемый из портовых сборов "
        "в течение двадцати лет. "
        "Новая паромная линия к островам откроется в июне.",
        "Во что обойдется углубление дна бассейна гавани Зентауро?",
        "сорок миллионов крон",
    ),
]
OTHERS = [
    "The museum of Tarvel opened a hall of old maps.",
    "A cycling race crossed the mountains of Orbin on Sunday.",
    "Музей Тарвела открыл зал старинных карт.",
    "Велогонка прошла через горы Орбина в воскресенье.",
]


@pytest.fixture(scope="module")
def archive(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Archive]:
    root: Path = tmp_path_factory.mktemp("spares")
    corpus = root / "articles.jsonl"
    records = [{"title": title, "text": text} for _, title, text, _, _ in DOCS]
    records += [{"title": "", "text": text} for text in OTHERS]
    corpus.write_text(
        "\n".join(json.dumps(r, ensure_ascii=False) for r in records), encoding="utf-8"
    )
    with open_archive(IndexSettings(data_dir=root / "data", _env_file=None)) as opened:
        assert opened.ingest([str(corpus)]).failed == ()
        yield opened


@pytest.mark.parametrize(
    ("lang", "title", "text", "question", "spare"), DOCS, ids=[doc[0] for doc in DOCS]
)
def test_a_one_article_page_shows_the_answer_in_its_spare(
    archive: Archive, lang: str, title: str, text: str, question: str, spare: str
) -> None:
    answer = archive.ask(question, now=NOW)
    assert answer.found
    assert [a.citation.title for a in answer.articles] == [title]
    (article,) = answer.articles
    assert len(article.snippets) == SNIPPETS_PER_ARTICLE
    first, second = article.snippets
    assert spare not in first.text and spare in second.text
    assert first.passage_id == second.passage_id
    assert article.spare is None
