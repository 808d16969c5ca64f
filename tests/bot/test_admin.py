"""Admin commands end to end, and the refusal of every one of them to non-admins."""

from __future__ import annotations

import asyncio
import itertools
import logging
import threading
from collections.abc import AsyncIterator, Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

import pytest
from aiohttp import web
from telegram.ext import Application

from bot.commands import ADMIN_COMMANDS
from bot.handlers.admin import UPLOAD_SUFFIXES
from index import (
    INGEST_SUFFIXES,
    Archive,
    IndexSettings,
    IngestReport,
    Progress,
    ReindexReport,
)
from tests.auxil.fake_bot_api import ApiCall, FakeBotApi, FakeUser, parse_html
from tests.bot.conftest import ADMIN, USER, make_settings, running_bot
from tests.bot.corpus import RECORDS, UPLOAD_JSONL, write_corpus


class BlockingReindexArchive(Archive):
    """The real archive, except that reindex pauses at its first progress tick until released.

    That holds a reindex open long enough to prove questions are answered meanwhile and that
    the progress message is edited with real figures.
    """

    def __init__(self, settings: IndexSettings) -> None:
        super().__init__(settings)
        self.reached = threading.Event()
        self.release = threading.Event()

    def reindex(self, progress: Callable[[Progress], None] | None = None) -> ReindexReport:
        def paused(tick: Progress) -> None:
            if progress is not None:
                progress(tick)
            if not self.reached.is_set():
                self.reached.set()
                self.release.wait(timeout=30)

        return super().reindex(progress=paused)


@pytest.fixture(scope="module")
def admin_archive(tmp_path_factory: pytest.TempPathFactory) -> Iterator[BlockingReindexArchive]:
    """An archive the admin tests may change (uploads, deletes)."""
    folder = tmp_path_factory.mktemp("admin-archive")
    archive = BlockingReindexArchive(IndexSettings(data_dir=folder / "data", _env_file=None))
    assert archive.ingest([str(write_corpus(folder / "corpus"))]).failed == ()
    yield archive
    archive.close()


@pytest.fixture
async def admin_bot(
    fake_api: FakeBotApi, admin_archive: Archive, tmp_path: Path
) -> AsyncIterator[Application]:  # type: ignore[type-arg]
    settings = make_settings(tmp_path, fake_api, upload_max_bytes=4096)
    async with running_bot(settings, admin_archive, fake_api) as app:
        yield app


def to(user: FakeUser) -> Callable[[ApiCall], bool]:
    """Predicate: a call addressed to ``user``'s private chat."""
    return lambda call: call.params.get("chat_id") == user.id


@pytest.mark.slow
async def test_upload_then_reindex_with_progress_while_questions_are_answered(
    fake_api: FakeBotApi, admin_bot: Application, admin_archive: BlockingReindexArchive
) -> None:
    upload = fake_api.document_message(ADMIN, "more.jsonl", UPLOAD_JSONL.encode())
    fake_api.offer(upload)
    (summary,) = await fake_api.wait_for("sendMessage", to(ADMIN))
    assert "2 new" in summary.params["text"]
    assert fake_api.find("getFile")

    try:
        await _reindex_while_answering(fake_api, admin_archive)
    finally:
        admin_archive.release.set()  # never leave the reindex thread blocked


async def _reindex_while_answering(
    fake_api: FakeBotApi, admin_archive: BlockingReindexArchive
) -> None:
    fake_api.offer(fake_api.private_message(ADMIN, "/reindex"))
    (_, status) = await fake_api.wait_for("sendMessage", to(ADMIN), count=2)
    assert "Reindexing" in status.params["text"]
    assert await asyncio.to_thread(admin_archive.reached.wait, 10)

    fake_api.offer(fake_api.private_message(USER, "old lighthouse in Berdiansk"))
    (answer,) = await fake_api.wait_for("sendMessage", to(USER))
    assert "Berdiansk" in answer.params["text"]  # answered mid-reindex, upload searchable

    (progress,) = await fake_api.wait_for("editMessageText")
    assert "%" in progress.params["text"] and "/s" in progress.params["text"]
    admin_archive.release.set()
    edits = await fake_api.wait_for(
        "editMessageText", lambda c: "done" in c.params["text"], timeout=30
    )
    final = edits[-1]
    assert f"{len(RECORDS) + 2}" in final.params["text"] or "passages" in final.params["text"]
    times = [status.at] + [call.at for call in fake_api.find("editMessageText")]
    assert all(later - earlier >= 1.95 for earlier, later in itertools.pairwise(times))
    assert all(call.ok for call in fake_api.find("editMessageText"))


def test_uploads_accept_every_file_type_a_folder_ingest_reads() -> None:
    for suffix in INGEST_SUFFIXES:
        assert f"dump{suffix}".endswith(UPLOAD_SUFFIXES), suffix
        assert f"dump{suffix}.gz".endswith(UPLOAD_SUFFIXES), suffix


async def test_upload_rejects_oversized_and_unknown_files(
    fake_api: FakeBotApi, admin_bot: Application, admin_archive: Archive
) -> None:
    before = admin_archive.stats().articles
    fake_api.offer(fake_api.document_message(ADMIN, "big.jsonl", b"x" * 5000))
    fake_api.offer(fake_api.document_message(ADMIN, "photo.png", b"\x89PNG"))
    replies = await fake_api.wait_for("sendMessage", to(ADMIN), count=2)
    texts = " ".join(call.params["text"] for call in replies)
    assert "too large" in texts and "photo.png" in texts
    assert fake_api.find("getFile") == []
    assert admin_archive.stats().articles == before


async def test_stats_and_delete(
    fake_api: FakeBotApi,
    admin_bot: Application,
    admin_archive: Archive,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.INFO, logger="bot")
    victim = admin_archive.list_articles(limit=1)[0]
    before = admin_archive.stats().articles
    fake_api.offer(fake_api.private_message(ADMIN, "/stats"))
    (stats,) = await fake_api.wait_for("sendMessage", to(ADMIN))
    assert f"Articles: {before}" in parse_html(stats.params["text"])

    for text in ("/delete", "/delete abc", "/delete 999999", f"/delete {victim.article_id}"):
        fake_api.offer(fake_api.private_message(ADMIN, text))
        await fake_api.wait_for("sendMessage", to(ADMIN), count=1, after=fake_api.cursor())
    replies = [parse_html(c.params["text"]) for c in fake_api.find("sendMessage", to(ADMIN))]
    assert "Usage: /delete" in replies[1] and "Usage: /delete" in replies[2]
    assert "999999" in replies[3]
    assert f"Deleted article #{victim.article_id}" in replies[4]
    assert admin_archive.stats().articles == before - 1
    logged = [r.getMessage() for r in caplog.records if r.name == "bot.guards"]
    assert f"admin action by user {ADMIN.id}: /delete {victim.article_id}" in logged


async def test_ingest_fetches_urls(
    fake_api: FakeBotApi, admin_bot: Application, admin_archive: Archive
) -> None:
    page = (
        "<html><head><title>Bridge reopened in Chernihiv</title></head><body><article>"
        "<h1>Bridge reopened in Chernihiv</h1><p>The bridge over the Desna river in Chernihiv "
        "reopened to traffic on Monday after a year of repairs, the regional administration "
        "said.</p><p>Buses returned to their usual routes.</p></article></body></html>"
    )

    async def serve(_: web.Request) -> web.Response:
        return web.Response(text=page, content_type="text/html")

    app = web.Application()
    app.router.add_get("/bridge.html", serve)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    try:
        fake_api.offer(fake_api.private_message(ADMIN, "/ingest ftp://nope"))
        (usage,) = await fake_api.wait_for("sendMessage", to(ADMIN))
        assert "Usage: /ingest" in usage.params["text"]
        fake_api.offer(
            fake_api.private_message(ADMIN, f"/ingest http://127.0.0.1:{port}/bridge.html")
        )
        replies = await fake_api.wait_for(
            "sendMessage", lambda c: "Ingest done" in c.params["text"], timeout=20
        )
        assert "1 new" in replies[0].params["text"]
    finally:
        await runner.cleanup()


ADMIN_ACTIONS = [f"/{name}" for name in ADMIN_COMMANDS] + ["document"]


@pytest.mark.parametrize("action", ADMIN_ACTIONS)
async def test_non_admin_is_refused_and_nothing_runs(
    fake_api: FakeBotApi,
    bot: Application,
    module_archive: Archive,
    action: str,
    caplog: pytest.LogCaptureFixture,
) -> None:
    before = module_archive.stats()
    first_id = module_archive.list_articles(limit=1)[0].article_id
    arguments = {
        "/ingest": " http://127.0.0.1:9/page.html",
        "/delete": f" {first_id}",
    }
    if action == "document":
        update = fake_api.document_message(USER, "more.jsonl", UPLOAD_JSONL.encode())
    else:
        update = fake_api.private_message(USER, action + arguments.get(action, ""))
    fake_api.offer(update)
    (reply,) = await fake_api.wait_for("sendMessage", to(USER))
    assert (
        parse_html(reply.params["text"]) == "Вибачте, ця команда лише для адміністраторів архіву."
    )
    assert fake_api.find("getFile") == [] and fake_api.find("editMessageText") == []
    after = module_archive.stats()
    assert (after.articles, after.passages, after.index_passages) == (
        before.articles,
        before.passages,
        before.index_passages,
    )
    assert module_archive.get_article(first_id).article_id == first_id
    refusals = [r for r in caplog.records if "refused" in r.getMessage()]
    assert refusals and str(USER.id) in refusals[0].getMessage()


# -- issue 10: uploads are capped while reading; the reply shows warnings and early stops --

HUGE_CHUNK = b'{"title": "x", "text": "' + b"y" * 65_000 + b'"}\n'
HUGE_REPEAT = 1024  # ~64 MB: far more than the socket buffers hold between the two ends


@pytest.fixture
async def capped_bot(
    fake_api: FakeBotApi, admin_archive: Archive, tmp_path: Path
) -> AsyncIterator[Application]:
    """The bot with NEWSDESK_MAX_ITEM_BYTES below the upload limit: the item cap rules."""
    settings = make_settings(tmp_path, fake_api, max_item_bytes=2048)
    async with running_bot(settings, admin_archive, fake_api) as app:
        yield app


async def test_an_upload_over_the_item_cap_is_refused_before_it_is_downloaded(
    fake_api: FakeBotApi, capped_bot: Application, admin_archive: Archive
) -> None:
    before = admin_archive.stats().articles
    data = UPLOAD_JSONL.encode() + b"\n" * 3000  # ingestible, but over 2,048 bytes
    fake_api.offer(fake_api.document_message(ADMIN, "<big> & more.jsonl", data))
    (reply,) = await fake_api.wait_for("sendMessage", to(ADMIN))
    shown = parse_html(reply.params["text"])
    assert shown.startswith("“<big> & more.jsonl” is too large: ")
    assert f"{len(data) / 1e3:.1f} KB, the limit is 2.0 KB (NEWSDESK_MAX_ITEM_BYTES)" in shown
    assert fake_api.find("getFile") == []
    assert admin_archive.stats().articles == before


@pytest.mark.parametrize("reported", [None, 100], ids=["no-size", "small-size"])
async def test_an_upload_that_lies_about_its_size_is_cut_off_at_the_cap(
    fake_api: FakeBotApi, capped_bot: Application, admin_archive: Archive, reported: int | None
) -> None:
    before = admin_archive.stats().articles
    update = fake_api.document_message(
        ADMIN, "huge.jsonl", HUGE_CHUNK, repeat=HUGE_REPEAT, reported_size=reported
    )
    fake_api.offer(update)
    (reply,) = await fake_api.wait_for("sendMessage", to(ADMIN), timeout=20)
    shown = parse_html(reply.params["text"])
    assert shown == (
        "“huge.jsonl” is larger than the limit of 2.0 KB (NEWSDESK_MAX_ITEM_BYTES): the "
        "download was stopped there and nothing was ingested."
    )
    assert fake_api.find("getFile")
    served = fake_api.file(update["message"]["document"]["file_id"])
    # The bot hung up after 2,049 bytes; only what the socket buffers took was ever sent.
    assert served.sent < served.size // 4, served.sent
    assert admin_archive.stats().articles == before


async def test_an_upload_that_fits_is_read_whole_without_a_reported_size(
    fake_api: FakeBotApi, admin_bot: Application, admin_archive: Archive
) -> None:
    data = UPLOAD_JSONL.replace("lighthouse", "beacon").encode()
    fake_api.offer(fake_api.document_message(ADMIN, "beacon.jsonl", data, reported_size=None))
    (summary,) = await fake_api.wait_for("sendMessage", to(ADMIN))
    assert "2 new" in summary.params["text"] or "updated" in summary.params["text"]


async def test_the_ingest_reply_shows_encoding_warnings_escaped(
    fake_api: FakeBotApi, admin_bot: Application
) -> None:
    body = (
        "Café de la Paix reopened on Monday in Odesa after a long renovation, the owners "
        "said. Le café a rouvert ses portes lundi après une longue rénovation.\n"
    )
    data = ("Café reopens in Odesa\n\n" + body * 3).encode("latin-1")
    fake_api.offer(fake_api.document_message(ADMIN, "café <draft>.txt", data))
    (reply,) = await fake_api.wait_for("sendMessage", to(ADMIN))
    assert "café &lt;draft&gt;.txt" in reply.params["text"]
    shown = parse_html(reply.params["text"])
    assert "1 new" in shown
    assert "• Warning, café <draft>.txt: the text is not UTF-8" in shown


class FullDiskArchive(Archive):
    """The real archive on a store that cannot grow: SQLite answers "database or disk is
    full" exactly as on a full filesystem. ``max_page_count`` holds per connection and the
    store keeps one per thread, so it is set on the thread the bot ingests in."""

    def ingest(self, items: Sequence[str], **options: Any) -> IngestReport:
        conn = self.store.db.conn
        pages = conn.execute("PRAGMA page_count").fetchone()[0]
        conn.execute(f"PRAGMA max_page_count = {pages}")
        return super().ingest(items, **options)


@pytest.fixture
def full_archive(tmp_path: Path) -> Iterator[Archive]:
    """A small archive whose store is full."""
    archive = Archive(IndexSettings(data_dir=tmp_path / "full" / "data", _env_file=None))
    assert archive.ingest([str(write_corpus(tmp_path / "corpus"))]).failed == ()
    archive.close()
    reopened = FullDiskArchive(IndexSettings(data_dir=tmp_path / "full" / "data", _env_file=None))
    yield reopened
    reopened.close()


async def test_ingest_urls_on_a_full_disk_says_it_stopped_and_what_was_not_read(
    fake_api: FakeBotApi, full_archive: Archive, tmp_path: Path
) -> None:
    async def serve(request: web.Request) -> web.Response:
        number = request.match_info["number"]
        words = " ".join(f"word{number}x{i}" for i in range(400))  # more than a free page
        page = (
            f"<html><head><title>Report {number}</title></head><body><article>"
            f"<h1>Report {number}</h1><p>{words}</p></article></body></html>"
        )
        return web.Response(text=page, content_type="text/html")

    app = web.Application()
    app.router.add_get("/page-{number}.html", serve)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    urls = [f"http://127.0.0.1:{port}/page-{n}.html?a=1&b=<{n}>" for n in range(1, 5)]
    settings = make_settings(tmp_path, fake_api)
    try:
        async with running_bot(settings, full_archive, fake_api):
            fake_api.offer(fake_api.private_message(ADMIN, "/ingest " + " ".join(urls)))
            replies = await fake_api.wait_for(
                "sendMessage", lambda c: "Ingest done" in c.params["text"], timeout=30
            )
    finally:
        await runner.cleanup()
    raw = replies[0].params["text"]
    assert "&amp;b=&lt;4&gt;" in raw  # item names are escaped
    shown = parse_html(raw)
    assert "0 new" in shown and "1 failed" in shown
    assert (
        "The ingest stopped early: the disk is full. Stored: 0 articles. Not stored: 1 failed, "
        "3 items not read. Free some space, then send the same again." in shown
    )
    assert shown.endswith("Not read:\n" + "\n".join(f"• {url}" for url in urls[1:]))
