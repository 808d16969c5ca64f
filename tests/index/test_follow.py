"""Matching new articles against followed topics: ask's gate, the reverse index, the outbox."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from index import Archive, IndexSettings, open_archive, split_filters
from index.answer.evidence import question_words
from index.answer.follow import TopicMatcher, _weigh, _weighed
from index.errors import FilterError
from tests.bot.corpus import write_corpus

TOPICS = [
    "wheat harvest in Kherson",
    "yield in Poltava",
    "grain prices Kyiv exchange",
    "Koval gold medal",
    "storage prices",
    "What did the regional agriculture department say about Lviv?",
    "Finland membership talks",  # nothing in the corpus
    "врожай пшениці",
]
# A long topic one article answers by the gate's compound rule (its three heaviest words,
# under a third of the topic's weight): the reverse index must not drop it.
LONG_TOPIC = "weekly review published Poltava Vinnytsia Kherson Odesa Kharkiv Sumy Cherkasy Lviv"
TOPICS.append(LONG_TOPIC)
CHAT = 7
# Topics with filter words: followed after the corpus is stored (``from:`` is checked against
# the archive's outlets), then every article is matched as if new.
FILTERED_TOPICS = [
    "wheat harvest since:2024-08-05 until:2024-08-07",
    "wheat harvest from:example",
    "wheat harvest from:City",
    "storage prices lang:uk",
    "wheat harvest lang:en since:2024-08-09",
    "museum news from:city since:2024-07-10",
    "school news until:2024-07-10 lang:en",
    "grain prices from:“Market <Wire>”",
]


@pytest.fixture(scope="module")
def followed(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Archive]:
    """Topics followed first, then the whole corpus ingested: every article is new to them."""
    folder = tmp_path_factory.mktemp("follow")
    archive = open_archive(IndexSettings(data_dir=folder / "data", _env_file=None))
    for topic in TOPICS:
        archive.follow(CHAT, topic)
    assert archive.ingest([str(write_corpus(folder / "corpus"))]).failed == ()
    yield archive
    archive.close()


def test_a_topic_alerts_on_exactly_the_articles_ask_cites(followed: Archive) -> None:
    alerted: dict[str, set[int]] = {topic: set() for topic in TOPICS}
    for alert in followed.pending_alerts():
        alerted[alert.topic.text].add(alert.answer.citation.article_id)
    assert any(alerted.values())
    for topic in TOPICS:
        answer = followed.ask(topic, k=100)
        cited = {item.citation.article_id for item in answer.articles}
        assert alerted[topic] == cited, topic
    assert alerted["Finland membership talks"] == set()
    assert len(alerted[LONG_TOPIC]) == 1  # the traders' weekly review


@pytest.fixture(scope="module")
def filtered(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Archive]:
    """The corpus stored, topics with filters followed, then every article matched again."""
    folder = tmp_path_factory.mktemp("follow-filters")
    archive = open_archive(IndexSettings(data_dir=folder / "data", _env_file=None))
    assert archive.ingest([str(write_corpus(folder / "corpus"))]).failed == ()
    for topic in FILTERED_TOPICS:
        archive.follow(CHAT, topic)
    with archive._db.transaction() as conn:
        conn.execute("UPDATE meta SET value = '0' WHERE key = 'alerts_matched_up_to'")
    archive.match_new_articles()
    yield archive
    archive.close()


def test_a_topic_with_filters_alerts_on_exactly_the_articles_ask_cites(filtered: Archive) -> None:
    alerted: dict[str, set[int]] = {topic: set() for topic in FILTERED_TOPICS}
    for alert in filtered.pending_alerts():
        alerted[alert.topic.text].add(alert.answer.citation.article_id)
    for topic in FILTERED_TOPICS:
        answer = filtered.ask(topic, k=100)
        cited = {item.citation.article_id for item in answer.articles}
        assert alerted[topic] == cited, topic
    # The filters did restrict: the same words without them alert on more.
    unfiltered = {a.citation.article_id for a in filtered.ask("wheat harvest", k=100).articles}
    window = alerted["wheat harvest since:2024-08-05 until:2024-08-07"]
    assert window and window < unfiltered
    assert alerted["wheat harvest from:example"] == unfiltered
    assert alerted["wheat harvest from:City"] == set()
    assert alerted["storage prices lang:uk"] == set()
    assert alerted["grain prices from:“Market <Wire>”"]


def test_filter_words_are_not_topic_words(filtered: Archive) -> None:
    matcher = filtered._topic_matcher()
    for query in matcher._topics.values():
        words = {shape.text.lower() for shape in query.shapes}
        assert not any(":" in word or word in ("from", "since", "until", "lang") for word in words)
    split = split_filters(filtered.following(CHAT)[0].text)
    assert split.text == "wheat harvest"
    assert [w.token for w in split.words] == ["since:2024-08-05", "until:2024-08-07"]


SAME_STORY = [
    {
        "url": "https://a.example.org/lithium-en",
        "title": "Geologists confirm a lithium deposit near Zhytomyr",
        "text": "Geologists confirmed a large lithium deposit near Zhytomyr. Drilling soon.",
        "published": "2024-09-01T09:00:00Z",
        "source": "Example News",
        "language": "en",
    },
    {
        "url": "https://b.example.org/lithium-en",
        "title": "A lithium deposit near Zhytomyr is confirmed",
        "text": "Geologists confirmed a large lithium deposit near Zhytomyr, traders say.",
        "published": "2024-09-03T09:00:00Z",
        "source": "Market <Wire>",
        "language": "en",
    },
    {
        "url": "https://c.example.org/lithium-uk",
        "title": "Геологи підтвердили родовище літію біля Житомира",
        "text": "Геологи підтвердили велике родовище літію біля Житомира. Буріння навесні.",
        "published": "2024-09-01T09:00:00Z",
        "source": "Приклад",
        "language": "uk",
    },
    {
        "url": "https://d.example.org/lithium-ru",
        "title": "Геологи подтвердили месторождение лития под Житомиром",
        "text": "Геологи подтвердили большое месторождение лития под Житомиром. Бурение весной.",
        "published": "2024-09-01T09:00:00Z",
        "source": "Пример",
        "language": "ru",
    },
]


def test_from_and_lang_topics_alert_only_on_their_outlet_and_language(tmp_path: Path) -> None:
    archive = open_archive(IndexSettings(data_dir=tmp_path / "data", _env_file=None))
    try:
        archive.ingest([str(write_corpus(tmp_path / "corpus"))])
        topics = {
            # The two English reports are one story (a reprint), so without a filter the
            # topic alerts once, on the original; each outlet filter still finds its copy.
            "lithium deposit near Zhytomyr": {"Example News"},
            "lithium deposit near Zhytomyr from:Example": {"Example News"},
            "lithium deposit near Zhytomyr from:market": {"Market <Wire>"},
            "родовище літію біля Житомира": {"Приклад", "Пример"},
            "родовище літію біля Житомира lang:uk": {"Приклад"},
            "родовище літію біля Житомира lang:ru": {"Пример"},
        }
        for topic in topics:
            archive.follow(CHAT, topic)
        new = tmp_path / "new.jsonl"
        new.write_text(
            "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in SAME_STORY), "utf-8"
        )
        assert archive.ingest([str(new)]).failed == ()
        alerted: dict[str, set[str | None]] = {topic: set() for topic in topics}
        for alert in archive.pending_alerts():
            alerted[alert.topic.text].add(alert.answer.citation.source)
        assert alerted == topics
    finally:
        archive.close()


@pytest.mark.parametrize(
    ("topic", "reason"),
    [
        ("wheat harvest from:Exampel Nwes", "Example News"),  # the closest outlets named
        ("wheat harvest since:2024-13-01", "YYYY-MM-DD"),
        ("wheat harvest lang:de", "uk, ru or en"),
        ("since:2024-01-01", "only filters"),
        ("урожай since:2024-02-01 until:2024-01-01", "since:"),
    ],
)
def test_a_bad_filter_refuses_the_topic_and_stores_nothing(
    filtered: Archive, topic: str, reason: str
) -> None:
    before = filtered.following(CHAT)
    with pytest.raises(FilterError) as caught:
        filtered.follow(CHAT, topic)
    assert reason in f"{caught.value.item} {caught.value.reason}"
    assert filtered.following(CHAT) == before


@pytest.mark.parametrize("name", ["followed", "filtered"])
def test_the_reverse_index_finds_every_topic_that_can_pass(
    name: str, request: pytest.FixtureRequest
) -> None:
    followed: Archive = request.getfixturevalue(name)
    index = followed.keeper.current()
    matcher = followed._topic_matcher()
    all_ids = [t.topic_id for t in followed.following(CHAT)]
    for summary in followed.list_articles(limit=100):
        article = followed.get_article(summary.article_id)
        passages = followed.get_passages(article.article_id)
        records = followed.keeper.records_of(article, passages)
        by_index = matcher.match(article, passages, records, index)
        by_brute_force = matcher.match(article, passages, records, index, topic_ids=all_ids)
        assert by_index == by_brute_force


def test_weights_follow_question_words_as_frequencies_move(followed: Archive) -> None:
    index = followed.keeper.current()
    analyzer = followed.keeper.analyzer
    matcher = TopicMatcher(analyzer, layer=True)
    now = datetime.now(UTC)
    for number, topic in enumerate(TOPICS):
        query = matcher.analyse(number, topic, now)
        assert query is not None
        q = query.question
        expected = question_words(
            q.text, q.language, q.terms, q.date_terms, analyzer=analyzer, index=index
        )
        assert _weigh(query.shapes, index, {}) == expected


class _Grown:
    """The index as if another delta had added passages: a new generation, other weights."""

    def __init__(self, index: object) -> None:
        self._index = index

    @property
    def n_docs(self) -> int:
        return 3 * self._index.n_docs  # type: ignore[attr-defined]

    def document_frequency(self, term: str) -> int:
        return self._index.document_frequency(term)  # type: ignore[attr-defined]

    def generation(self) -> str:
        return self._index.generation() + "+delta"  # type: ignore[attr-defined]


def test_kept_weights_are_those_of_the_current_generation(followed: Archive) -> None:
    index = followed.keeper.current()
    matcher = TopicMatcher(followed.keeper.analyzer, layer=True)
    query = matcher.analyse(1, "grain prices Kyiv exchange", datetime.now(UTC))
    assert query is not None
    kept = _weighed(query, index, index.generation(), {})
    assert kept == _weigh(query.shapes, index, {})
    assert _weighed(query, index, index.generation(), {}) is kept  # the same generation
    grown = _Grown(index)
    redone = _weighed(query, grown, grown.generation(), {})  # type: ignore[arg-type]
    assert redone == _weigh(query.shapes, grown, {}) != kept  # type: ignore[arg-type]


def test_the_cost_follows_the_article_not_the_number_of_topics(followed: Archive) -> None:
    index = followed.keeper.current()
    matcher = TopicMatcher(followed.keeper.analyzer, layer=True)
    # 3,000 topics about words the archive never saw, plus one it has.
    topics = [(n, f"Zorvex{n} Quilmar{n} accord") for n in range(3000)]
    matcher.load([*topics, (99_999, "wheat harvest in Kherson")], datetime.now(UTC), 1)
    article_terms = {"farmer", "kherson", "~herson", "wheat", "harvest", "region", "accord"}
    assert matcher.candidates(article_terms, index) == {99_999}


def test_a_topic_is_never_alerted_twice_about_one_story(followed: Archive) -> None:
    before = {(a.topic.topic_id, a.story_id) for a in followed.pending_alerts()}
    # As if a killed process had matched everything but not advanced its mark.
    with followed._db.transaction() as conn:
        conn.execute("UPDATE meta SET value = '0' WHERE key = 'alerts_matched_up_to'")
    assert followed.match_new_articles() == 0
    after = [(a.topic.topic_id, a.story_id) for a in followed.pending_alerts()]
    assert len(after) == len(set(after)) and set(after) == before


def test_articles_stored_before_a_topic_do_not_alert_it(tmp_path: Path) -> None:
    archive = open_archive(IndexSettings(data_dir=tmp_path / "data", _env_file=None))
    try:
        archive.ingest([str(write_corpus(tmp_path / "corpus"))])
        archive.follow(CHAT, "wheat harvest in Kherson")
        assert archive.match_new_articles() == 0
        assert archive.pending_alerts() == []
    finally:
        archive.close()


@pytest.mark.parametrize("layer", [True, False])
def test_the_decision_without_snippets_is_the_one_with_them(
    followed: Archive, layer: bool
) -> None:
    """``decide`` (no sentence chosen) passes exactly the topics ``match`` builds alerts for."""
    index = followed.keeper.current()
    matcher = TopicMatcher(followed.keeper.analyzer, layer=layer)
    matcher.load([(t.topic_id, t.text) for t in followed.following(CHAT)], datetime.now(UTC), 1)
    all_ids = [t.topic_id for t in followed.following(CHAT)]
    decided_any = 0
    for summary in followed.list_articles(limit=100):
        article = followed.get_article(summary.article_id)
        passages = followed.get_passages(article.article_id)
        records = followed.keeper.records_of(article, passages)
        matched = matcher.match(article, passages, records, index, topic_ids=all_ids)
        decided = matcher.decide(article, passages, records, index, topic_ids=all_ids)
        assert decided == [topic_id for topic_id, _ in matched], article.title
        decided_any += len(decided)
    assert decided_any


def test_the_outbox_keeps_the_decision_and_delivery_builds_the_text(tmp_path: Path) -> None:
    archive = open_archive(IndexSettings(data_dir=tmp_path / "data", _env_file=None))
    try:
        topic = archive.follow(CHAT, "wheat harvest in Kherson")
        assert archive.ingest([str(write_corpus(tmp_path / "corpus"))]).failed == ()
        rows = archive.topics.pending()
        assert rows and all(row.payload == "" for row in rows)  # decided, not built
        # What delivery sends is what ``alerts --dry-run`` prints for the same articles.
        preview = {
            a.answer.citation.article_id: a.answer
            for a in archive.preview_alerts(datetime(2000, 1, 1, tzinfo=UTC))
            if a.topic.topic_id == topic.topic_id
        }
        built = archive.pending_alerts()
        assert {a.answer.citation.article_id: a.answer for a in built} == preview
        assert all(a.answer.snippets for a in built)
        # Built once and kept: a resend after a crash sends the same text.
        assert all(row.payload for row in archive.topics.pending())
        assert archive.pending_alerts() == built
        assert archive.get_alert(built[0].alert_id) == built[0]
    finally:
        archive.close()


def test_an_alert_whose_article_is_gone_leaves_the_outbox_unsent(tmp_path: Path) -> None:
    archive = open_archive(IndexSettings(data_dir=tmp_path / "data", _env_file=None))
    try:
        archive.follow(CHAT, "wheat harvest in Kherson")
        assert archive.ingest([str(write_corpus(tmp_path / "corpus"))]).failed == ()
        rows = archive.topics.pending()
        gone = rows[0].article_id
        archive.delete(gone)
        alerts = archive.pending_alerts()
        assert gone not in {a.answer.citation.article_id for a in alerts}
        assert len(alerts) == len([r for r in rows if r.article_id != gone])
        assert (
            archive.alerts_sent_alone_since(
                rows[0].topic.topic_id, datetime(2000, 1, 1, tzinfo=UTC)
            )
            == 0
        )
    finally:
        archive.close()
