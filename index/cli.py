"""The `newsdesk` commands that need no Telegram: ingest, list, stats, show, ask, reindex,
delete, the feeds stage's sources and poll, followed topics (follow, alerts), and migrate
(the SQLite store into PostgreSQL).

Thin by design (as trafilatura's ``cli.py``): parse, load settings once, open the archive, call
the facade method the bot also calls, and format its result. Results go to stdout (as text or
``--json``), logs and the progress bar to stderr; the bar is drawn only on a terminal and
never with ``--json``. Exit codes: 0 success, 1 some items failed, 2 usage or config error,
a damaged store or no archive at the data dir. With ``--json`` an error is a JSON object on
stdout too (``{"error": ..., "exit_code": ...}``), so a script never has to parse stderr.

Only ``ingest``, ``sources add`` and ``restore`` create an archive; every other command on
a data dir without one says so and exits 2, instead of creating an empty archive and
answering "nothing found".
"""

from __future__ import annotations

import argparse
import contextlib
import importlib.metadata
import io
import json
import logging
import sqlite3
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, is_dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Any

from index.errors import ArchiveMissingError, NewsdeskError, StoreError
from index.feeds.models import PollReport
from index.models import (
    Alert,
    Answer,
    Attribution,
    IngestReport,
    Progress,
    Quote,
    Story,
    Topic,
    highlight_pieces,
)
from index.settings import IndexSettings, SettingsError, load_settings

if TYPE_CHECKING:
    from index.archive import Archive

logger = logging.getLogger(__name__)

EXIT_OK = 0
EXIT_FAILED = 1
EXIT_USAGE = 2
# Highlight markers around matched terms in text answers (JSON carries spans instead).
MARK_OPEN, MARK_CLOSE = "**", "**"
LOG_FORMAT = "%(levelname)s %(name)s: %(message)s"
JSON_HELP = "print the result as JSON (errors too)"
EPILOG = """\
examples:
  newsdesk --data-dir ./data ingest sample/        create an archive from a folder
  newsdesk ingest https://example.org/news.html    add a page (files, .gz and URLs too)
  newsdesk ask "What did Zelensky tell Congress?"  cited snippets
  newsdesk ask "Kakhovka dam" --json               the same as JSON
  newsdesk ask "Kakhovka dam from:ukr lang:en"     only that outlet's English articles
  newsdesk sources add https://example.org/rss     poll a feed (then `newsdesk poll`)
  newsdesk check                                   is the store healthy, the index in step?
  newsdesk backup ./newsdesk-backup.sqlite3        a consistent copy, even while the bot runs
  newsdesk restore ./newsdesk-backup.sqlite3       put it back (bot stopped) and reindex
  newsdesk migrate --to postgresql://u:pw@db/nd    copy the store to PostgreSQL (replicas)

Every command takes --data-dir DIR (default: NEWSDESK_DATA_DIR or ./data) and -v.
Exit codes: 0 ok, 1 some items failed, 2 usage error, no archive or a damaged store.
"""

Handler = Callable[..., int]


@dataclass(frozen=True, slots=True)
class Subcommands:
    """Where subcommands are added, so ``bot.cli`` can extend this parser with ``run``."""

    action: Any  # argparse._SubParsersAction, private in typeshed
    common: argparse.ArgumentParser

    def add(
        self,
        name: str,
        help_text: str,
        handler: Handler,
        *,
        needs_archive: bool = True,
        creates_archive: bool = False,
    ) -> argparse.ArgumentParser:
        """Add a subcommand whose ``handler(args, archive)`` (or ``handler(args)``) runs it.

        ``creates_archive``: the command may create a missing archive (ingest); any other
        command that needs one fails with "no archive at PATH" instead.
        """
        sub = self.action.add_parser(
            name, help=help_text, description=help_text, parents=[self.common]
        )
        sub.set_defaults(
            handler=handler, needs_archive=needs_archive, creates_archive=creates_archive
        )
        return sub


def build_parser(
    prog: str = "newsdesk", extend: Callable[[Subcommands], None] | None = None
) -> argparse.ArgumentParser:
    """The argument parser of every archive command (``extend`` adds more, e.g. ``run``)."""
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument(
        "--data-dir",
        default=argparse.SUPPRESS,
        help="where the store and index live (overrides NEWSDESK_DATA_DIR)",
    )
    common.add_argument(
        "-v",
        "--verbose",
        action="count",
        default=argparse.SUPPRESS,
        help="log more to stderr (-v info, -vv debug)",
    )
    parser = argparse.ArgumentParser(
        prog=prog,
        description="Answer questions about a news archive with cited snippets.",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "--data-dir",
        default=None,
        metavar="DIR",
        help="where the store and index live (default: NEWSDESK_DATA_DIR or ./data); "
        "also accepted after the command",
    )
    parser.add_argument(
        "-v", "--verbose", action="count", default=0, help="log more to stderr (-v, -vv)"
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {_version()}")
    parser.set_defaults(handler=None, needs_archive=False, creates_archive=False)
    subcommands = Subcommands(parser.add_subparsers(title="commands", metavar="COMMAND"), common)

    ingest = subcommands.add(
        "ingest",
        "ingest files, folders, .gz files and URLs (creates the archive)",
        cmd_ingest,
        creates_archive=True,
    )
    ingest.add_argument(
        "items",
        nargs="+",
        metavar="PATH_OR_URL",
        help="a file, a folder (searched recursively), a .gz file or an http(s) URL",
    )
    ingest.add_argument("--source", help="outlet label for every ingested article")
    ingest.add_argument(
        "--json", action="store_true", help="every item's outcome as JSON (errors too)"
    )

    listing = subcommands.add("list", "the newest articles", cmd_list)
    listing.add_argument("--source", help="only this outlet")
    listing.add_argument("--since", type=_parse_date, help="published on or after YYYY-MM-DD")
    listing.add_argument("--limit", type=_positive_int, default=20, help="at most N (20)")
    listing.add_argument("--json", action="store_true", help=JSON_HELP)

    stats = subcommands.add("stats", "what the archive holds", cmd_stats)
    stats.add_argument("--json", action="store_true", help=JSON_HELP)
    stats.add_argument(
        "--chart",
        metavar="FILE.png",
        type=Path,
        help="also write a PNG chart of articles per day for the last 30 days, by outlet",
    )

    show = subcommands.add("show", "one stored article", cmd_show)
    show.add_argument(
        "article_id", type=int, metavar="ARTICLE_ID", help="an id from `list` or an answer"
    )
    show.add_argument("--json", action="store_true", help=JSON_HELP)

    ask = subcommands.add("ask", "answer a question with cited snippets", cmd_ask)
    ask.add_argument(
        "question",
        metavar="QUESTION",
        help="in English, Ukrainian or Russian (quote it); filter words anywhere in it: "
        'from:OUTLET (a name\'s start; quote names with spaces: from:"Kyiv Independent"), '
        "since:YYYY-MM-DD, until:YYYY-MM-DD, lang:uk|ru|en",
    )
    ask.add_argument("--k", type=_positive_int, default=3, help="articles to cite (3)")
    ask.add_argument("--json", action="store_true", help=JSON_HELP)

    quotes = subcommands.add("quotes", "what a person said: stored statements", cmd_quotes)
    quotes.add_argument("speaker", metavar="SPEAKER", help="a name in any script (Tusk, Туск)")
    quotes.add_argument("--about", metavar="WORDS", help="rank statements by these words")
    quotes.add_argument("--since", type=_iso_date, metavar="YYYY-MM-DD", help="said on or after")
    quotes.add_argument("--until", type=_iso_date, metavar="YYYY-MM-DD", help="said on or before")
    quotes.add_argument("--k", type=_positive_int, default=10, help="statements to show (10)")
    quotes.add_argument("--json", action="store_true", help=JSON_HELP)

    reindex = subcommands.add("reindex", "rebuild the search index from the store", cmd_reindex)
    reindex.add_argument("--json", action="store_true", help=JSON_HELP)

    delete = subcommands.add("delete", "delete an article from store and index", cmd_delete)
    delete.add_argument("article_id", type=int, metavar="ARTICLE_ID", help="the article's id")
    delete.add_argument("--json", action="store_true", help=JSON_HELP)

    check = subcommands.add(
        "check",
        "is the store sound and the index in step with it? names the fix; exit 1 if not",
        cmd_check,
    )
    check.add_argument("--json", action="store_true", help=JSON_HELP)

    backup = subcommands.add(
        "backup",
        "a consistent copy of the store, safe while the bot runs (restore: copy it back, "
        "then `newsdesk reindex`)",
        cmd_backup,
    )
    backup.add_argument(
        "dest",
        type=Path,
        metavar="DEST",
        help="a new file, or a folder to put newsdesk-DATE-TIME.sqlite3 in",
    )
    backup.add_argument("--json", action="store_true", help=JSON_HELP)

    restore = subcommands.add(
        "restore",
        "put a backup in place of the store (the old one is kept aside) and reindex; "
        "stop the bot first",
        cmd_restore,
        needs_archive=False,
    )
    restore.add_argument(
        "backup", type=Path, metavar="BACKUP", help="a file written by `newsdesk backup`"
    )
    restore.add_argument("--json", action="store_true", help=JSON_HELP)

    migrate = subcommands.add(
        "migrate",
        "copy the SQLite store into PostgreSQL (everything, ids kept, counts verified); "
        "running it again copies nothing twice",
        cmd_migrate,
        needs_archive=False,
    )
    migrate.add_argument(
        "--to",
        metavar="URL",
        help="postgresql://user:password@host:port/db (default: NEWSDESK_DATABASE_URL)",
    )
    migrate.add_argument("--json", action="store_true", help=JSON_HELP)

    poll = subcommands.add("poll", "poll the news sources (feeds, sitemaps)", cmd_poll)
    poll.add_argument("--once", action="store_true", help="one round, then exit (for cron)")
    poll.add_argument("--all", action="store_true", help="every source, due or not")
    poll.add_argument("--source", action="append", metavar="NAME", help="only this source")
    poll.add_argument("--json", action="store_true", help="the poll report as JSON")

    sources = subcommands.add("sources", "add, list and remove news sources", cmd_sources)
    actions = sources.add_subparsers(dest="action", metavar="ACTION", required=True)
    add_source = actions.add_parser(
        "add", help="register an RSS/Atom feed or news sitemap", parents=[subcommands.common]
    )
    add_source.set_defaults(creates_archive=True)
    add_source.add_argument(
        "url", metavar="URL", help="the feed's or sitemap's http(s) URL, or a Telegram @channel"
    )
    add_source.add_argument("--name", help="a one-word handle (default: the host)")
    add_source.add_argument("--outlet", help="outlet label stored on its articles")
    add_source.add_argument("--language", choices=("en", "uk", "ru"))
    add_source.add_argument(
        "--interval", type=_positive_int, metavar="SECONDS", help="poll interval"
    )
    add_source.add_argument("--json", action="store_true", help=JSON_HELP)
    list_sources = actions.add_parser(
        "list", help="sources with their polling record", parents=[subcommands.common]
    )
    list_sources.add_argument("--json", action="store_true", help=JSON_HELP)
    remove_source = actions.add_parser(
        "remove", help="unregister a source (its articles stay)", parents=[subcommands.common]
    )
    remove_source.add_argument("name", metavar="NAME", help="the source's name (`sources list`)")
    remove_source.add_argument("--json", action="store_true", help=JSON_HELP)

    follow = subcommands.add("follow", "add, list and remove followed topics", cmd_follow)
    follow_actions = follow.add_subparsers(dest="action", metavar="ACTION", required=True)
    follow_add = follow_actions.add_parser(
        "add", help="follow a question or keywords in a chat", parents=[subcommands.common]
    )
    follow_add.add_argument("topic", metavar="TOPIC")
    follow_add.add_argument("--chat", type=int, required=True, help="Telegram chat id")
    follow_add.add_argument("--daily", action="store_true", help="one digest a day")
    follow_add.add_argument(
        "--hour", type=_hour, default=None, help="UTC hour of the daily digest (0-23)"
    )
    follow_add.add_argument("--json", action="store_true")
    follow_list = follow_actions.add_parser(
        "list", help="a chat's topics (every chat's without --chat)", parents=[subcommands.common]
    )
    follow_list.add_argument("--chat", type=int, help="Telegram chat id")
    follow_list.add_argument("--json", action="store_true")
    follow_remove = follow_actions.add_parser(
        "remove", help="stop following a topic", parents=[subcommands.common]
    )
    follow_remove.add_argument("topic_id", type=int, metavar="TOPIC_ID")
    follow_remove.add_argument("--chat", type=int, required=True, help="Telegram chat id")
    follow_remove.add_argument("--json", action="store_true")

    alerts = subcommands.add("alerts", "what followed topics would be alerted", cmd_alerts)
    alerts.add_argument(
        "--dry-run",
        action="store_true",
        required=True,
        help="print what would be sent, send and store nothing (the bot sends alerts)",
    )
    alerts.add_argument(
        "--since",
        type=_parse_since,
        default="24h",
        help="articles stored since YYYY-MM-DD or the last N h/d (24h)",
    )
    alerts.add_argument("--json", action="store_true")

    if extend is not None:
        extend(subcommands)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """`python -m index`: run one command; returns the exit code."""
    return run(build_parser(), argv)


def run(
    parser: argparse.ArgumentParser,
    argv: Sequence[str] | None = None,
    settings_cls: type[IndexSettings] = IndexSettings,
) -> int:
    """Parse ``argv``, load settings, open the archive and dispatch to the command.

    Every ``NewsdeskError`` becomes one line on stderr (and a JSON object on stdout with
    ``--json``); a bad setting, no archive at the data dir or an unusable or damaged store
    exits 2, other errors (unknown article, missing index, bad question) exit 1.
    """
    argv = list(sys.argv[1:] if argv is None else argv)
    as_json = "--json" in argv
    usage_errors = io.StringIO()
    try:
        with contextlib.redirect_stderr(usage_errors):
            args = parser.parse_args(argv)
    except SystemExit as exc:  # argparse printed usage (or --help/--version to stdout)
        sys.stderr.write(usage_errors.getvalue())
        code = exc.code if isinstance(exc.code, int) else EXIT_USAGE
        if code != EXIT_OK and as_json:
            lines = usage_errors.getvalue().strip().splitlines()
            _print_json({"error": lines[-1] if lines else "invalid usage", "exit_code": code})
        return code
    sys.stderr.write(usage_errors.getvalue())
    as_json = bool(getattr(args, "json", False))
    configure_logging(args.verbose)
    if args.handler is None:
        parser.print_help(sys.stderr)
        return EXIT_USAGE
    settings: IndexSettings | None = None
    try:
        if not args.needs_archive:
            return int(args.handler(args))
        settings = load_settings(settings_cls, data_dir=args.data_dir)
        # The archive stack (numpy, the analyzers, the store; ~1.3 s of CPU) loads only for
        # a command that opens it: a subcommand the caller adds without an archive, such as
        # the bot's ``run``, reports a bad setting or token before paying for it.
        from index.archive import open_archive

        with open_archive(settings, create=_may_create(args, settings)) as archive:
            return int(args.handler(args, archive))
    except (SettingsError, StoreError, ArchiveMissingError) as exc:
        return _fail(str(exc), EXIT_USAGE, as_json)
    except NewsdeskError as exc:
        return _fail(str(exc), EXIT_FAILED, as_json)
    except sqlite3.OperationalError as exc:
        # Locked beyond the busy timeout, disk full, read-only: the store is fine but
        # cannot be used right now.
        where = f"{settings.data_dir}: " if settings is not None else ""
        return _fail(f"{where}the store cannot be used right now ({exc})", EXIT_USAGE, as_json)
    except sqlite3.DatabaseError as exc:
        # Page damage surfaces only when a damaged page is read, long after the store
        # opened cleanly; the store code cannot foresee every read, so it is caught here.
        from index.upkeep import RESTORE_FIX

        where = f"{settings.data_dir}: " if settings is not None else ""
        return _fail(f"{where}the store is damaged ({exc}): {RESTORE_FIX}", EXIT_USAGE, as_json)
    except KeyboardInterrupt:
        return _fail("interrupted", 130, as_json)


def _may_create(args: argparse.Namespace, settings: IndexSettings) -> bool:
    """Whether this command may create a missing archive.

    Commands that put articles in do (``ingest``, ``sources add``), and so do ``poll`` and
    ``sources list`` when NEWSDESK_FEEDS names sources: the configuration then asks for an
    archive fed by them.
    """
    if args.creates_archive:
        return True
    return bool(settings.feeds) and args.handler in (cmd_poll, cmd_sources)


def _fail(message: str, code: int, as_json: bool) -> int:
    """Report an error as one line on stderr, and as a JSON object on stdout with --json."""
    _error(message)
    if as_json:
        _print_json({"error": message, "exit_code": code})
    return code


def _version() -> str:
    """The installed package's version (``unknown`` when run from a bare source tree)."""
    try:
        return importlib.metadata.version("newsdesk")
    except importlib.metadata.PackageNotFoundError:
        return "unknown"


def configure_logging(verbosity: int) -> None:
    """Logs go to stderr: warnings by default, -v info, -vv debug; HTTP libraries stay quiet.

    httpx logs request URLs, which for the bot contain the token, so it stays at WARNING.
    """
    level = {0: logging.WARNING, 1: logging.INFO}.get(verbosity, logging.DEBUG)
    handler = _CurrentStderrHandler()
    handler.setFormatter(logging.Formatter(LOG_FORMAT))
    logging.basicConfig(level=level, handlers=[handler])
    logging.getLogger().setLevel(level)
    for noisy in ("httpx", "httpcore", "trafilatura", "htmldate", "charset_normalizer"):
        logging.getLogger(noisy).setLevel(max(level, logging.WARNING))


# -- commands -------------------------------------------------------------------------------


class _CurrentStderrHandler(logging.StreamHandler):  # type: ignore[type-arg]
    """Writes to whatever ``sys.stderr`` is at the time of the record.

    While rich's progress bar is drawn it swaps ``sys.stderr`` for a proxy that prints above
    the bar; a handler holding the original stream would tear the bar apart.
    """

    def __init__(self) -> None:
        super().__init__(sys.stderr)

    @property  # type: ignore[override]
    def stream(self) -> Any:
        return sys.stderr

    @stream.setter
    def stream(self, _value: Any) -> None:
        """The stream is always the current ``sys.stderr``; assignments are ignored."""


def cmd_ingest(args: argparse.Namespace, archive: Archive) -> int:
    """Ingest paths and URLs; a summary (or every item as JSON); exit 1 if any item failed."""
    with ProgressBar(enabled=_bar_wanted(args), label="ingest") as bar:
        report = archive.ingest(args.items, source=args.source, progress=bar)
    summary = {
        outcome: report.count(outcome) for outcome in ("new", "updated", "unchanged", "failed")
    }
    if args.json:
        _print_json(
            {
                "summary": summary,
                "items": [asdict(item) for item in report.items],
                "index_error": report.index_error,
                "stopped": report.stopped,
                "not_read": list(report.not_read),
            }
        )
    else:
        _echo(
            f"{len(report.items)} items: {summary['new']} new, {summary['updated']} updated, "
            f"{summary['unchanged']} unchanged, {summary['failed']} failed"
        )
        for item in report.failed:
            _echo(f"  failed: {item.item}: {item.reason}")
        for item in report.items:
            if item.warning:
                _echo(f"  warning: {item.item}: {item.warning}")
    if report.stopped:
        _warn(_stop_line(report))
    elif report.index_error:
        _warn(f"the articles are stored but not searchable yet: {report.index_error}")
    return EXIT_FAILED if report.failed or report.stopped else EXIT_OK


def _stop_line(report: IngestReport) -> str:
    """One line for an ingest that stopped early: what was stored, what was not, what next."""
    stored = report.count("new") + report.count("updated")
    searchable = " (the next command indexes them)" if report.index_error else ""
    n = len(report.not_read)
    not_read = (
        f", {n} {'item' if n == 1 else 'items'} not read from {report.not_read[0]} on" if n else ""
    )
    return (
        f"stopped: {report.stopped}: {stored} articles stored{searchable}; not stored: "
        f"{report.count('failed')} failed{not_read}. Free space, then run the same ingest again."
    )


def cmd_list(args: argparse.Namespace, archive: Archive) -> int:
    """The newest articles: id, date, outlet, language and title."""
    articles = archive.list_articles(source=args.source, since=args.since, limit=args.limit)
    if args.json:
        _print_json([asdict(a) for a in articles])
        return EXIT_OK
    for a in articles:
        _echo(
            f"{a.article_id:>6}  {_day(a.published_at):<10}  {(a.source or '-')[:24]:<24}  "
            f"{a.language or '-':<2}  {a.title}"
        )
    if not articles:
        _echo("no articles")
    return EXIT_OK


def cmd_stats(args: argparse.Namespace, archive: Archive) -> int:
    """Articles, passages, languages, sources, date range and sizes on disk."""
    stats = archive.stats()
    if args.json:
        _print_json(asdict(stats))
        return _write_chart(archive, args.chart, quiet=True) if args.chart else EXIT_OK
    lines = [
        f"articles:   {stats.articles}",
        f"passages:   {stats.passages} ({stats.index_passages} indexed)",
        f"languages:  {_counts(stats.languages)}",
        f"sources:    {_counts(stats.sources)}",
        f"published:  {_day(stats.first_published)} .. {_day(stats.last_published)}",
        f"store size: {_size(stats.store_bytes)}",
        f"index size: {_size(stats.index_bytes)}",
    ]
    _echo("\n".join(lines))
    return _write_chart(archive, args.chart) if args.chart else EXIT_OK


def _write_chart(archive: Archive, path: Path, *, quiet: bool = False) -> int:
    """``stats --chart FILE``: the same chart ``/stats`` sends; exit 1 when there is none.

    ``quiet`` (with ``--json``) keeps stdout one JSON document: errors still go to stderr.
    """
    from index.charts import write_daily_chart

    counts = archive.daily_counts()
    if counts.total == 0:
        _error(f"no chart written to {path}: the archive has no dated articles")
        return EXIT_FAILED
    try:
        size = write_daily_chart(counts, path)
    except OSError as exc:
        _error(f"could not write {path}: {exc.strerror or type(exc).__name__}")
        return EXIT_FAILED
    if not quiet:
        _echo(f"chart:      {path} ({_size(size)}, {counts.days[0]} .. {counts.days[-1]})")
    return EXIT_OK


def cmd_show(args: argparse.Namespace, archive: Archive) -> int:
    """One stored article: metadata, its story's members when it has reprints, the body."""
    article = archive.get_article(args.article_id)
    passages = archive.get_passages(args.article_id)
    story = archive.story_of(args.article_id)
    if args.json:
        _print_json(
            {
                **asdict(article),
                "passages": [asdict(p) for p in passages],
                "story": story_json(story, -1) if story and len(story.members) > 1 else None,
            }
        )
        return EXIT_OK
    _echo(
        "\n".join(
            [
                f"id:        {article.article_id}",
                f"title:     {article.title}",
                f"source:    {article.source or '-'}",
                f"author:    {article.author or '-'}",
                f"published: {_iso(article.published_at) or '-'}",
                f"language:  {article.language or '-'}",
                f"url:       {article.url or '-'}",
                f"ingested:  {_iso(article.ingested_at)}",
                f"passages:  {len(passages)}",
                *story_lines(story, article.article_id),
                "",
                article.body,
            ]
        )
    )
    return EXIT_OK


def cmd_ask(args: argparse.Namespace, archive: Archive) -> int:
    """Answer a question: snippets with highlighted terms and citation lines, or JSON."""
    started = time.perf_counter()
    answer = archive.ask(args.question, k=args.k)
    took_ms = (time.perf_counter() - started) * 1000
    if args.json:
        _print_json(answer_json(answer, archive, took_ms))
    else:
        _echo(format_answer(answer))
    return EXIT_OK


def _iso_date(value: str) -> date:
    """An argparse type: a YYYY-MM-DD date."""
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a YYYY-MM-DD date: {value!r}") from None


def cmd_quotes(args: argparse.Namespace, archive: Archive) -> int:
    """A speaker's statements: verbatim text, speaker and date, and the reporting article."""
    found = archive.quotes(
        args.speaker, about=args.about, since=args.since, until=args.until, limit=args.k
    )
    if args.json:
        _print_json({"speaker": args.speaker, "statements": [quote_json(q) for q in found]})
        return EXIT_OK
    if not found:
        about = f" about {args.about}" if args.about else ""
        _echo(f"No statements by {args.speaker}{about} in the archive.")
        return EXIT_OK
    lines = []
    for number, quote in enumerate(found, 1):
        lines.append(f"{number}. {mark_highlights(quote.context, quote.highlights)}")
        said = _said_day(quote.said_on) if quote.said_on else "undated"
        c = quote.citation
        reported = " · ".join(
            p for p in (c.title, c.source, _day(c.published_at) if c.published_at else None) if p
        )
        lines.append(f"   — {quote.speaker}, {said} · {quote.kind} · reported in: {reported}")
        lines.append(f"     [article {c.article_id}, chars {quote.start}-{quote.end}]")
    _echo("\n".join(lines))
    return EXIT_OK


def quote_json(quote: Quote) -> dict[str, Any]:
    """One statement in ``quotes --json`` (issue 14's keys; ``article`` as in ``ask``)."""
    c = quote.citation
    return {
        "speaker": quote.speaker,
        "speaker_as_written": quote.speaker_as_written,
        "text": quote.text,
        "kind": quote.kind,
        "said_on": quote.said_on.isoformat() if quote.said_on else None,
        "date_source": quote.date_source,
        "article": {
            "id": c.article_id,
            "title": c.title,
            "url": c.url,
            "source": c.source,
            "author": c.author,
            "published": _iso(c.published_at),
        },
        "start": quote.start,
        "end": quote.end,
    }


def cmd_reindex(args: argparse.Namespace, archive: Archive) -> int:
    """Rebuild the index from the store and swap it in."""
    with ProgressBar(enabled=_bar_wanted(args), label="reindex") as bar:
        report = archive.reindex(progress=bar)
    if args.json:
        _print_json(asdict(report))
    else:
        terms = f" ({report.terms} terms)" if report.terms else ""
        _echo(
            f"reindexed {report.passages} passages{terms} in "
            f"{report.seconds:.2f} s; index size {_size(report.index_bytes)}"
        )
    return EXIT_OK


def cmd_delete(args: argparse.Namespace, archive: Archive) -> int:
    """Delete one article from store and index."""
    article = archive.delete(args.article_id)
    if args.json:
        _print_json({"deleted": article.article_id, "title": article.title})
    else:
        _echo(f"deleted article {article.article_id}: {article.title}")
    return EXIT_OK


def cmd_check(args: argparse.Namespace, archive: Archive) -> int:
    """Integrity of the store, index against store, sizes; exit 1 with the fix if not ok."""
    report = archive.check()
    if args.json:
        _print_json({**asdict(report), "ok": report.ok})
        return EXIT_OK if report.ok else EXIT_FAILED

    def count(value: int | None) -> str:
        return "?" if value is None else str(value)

    store = "DAMAGED" if report.store_problems else "ok (SQLite integrity check passed)"
    lines = [
        f"store:      {store}",
        f"articles:   {count(report.articles)}",
        f"passages:   {count(report.passages)} stored, {count(report.indexed_passages)} indexed, "
        f"{count(report.pending_index_updates)} index updates queued",
        f"store size: {_size(report.store_bytes)}",
        f"index size: {_size(report.index_bytes)}",
    ]
    for problem in report.problems:
        lines += [f"problem: {problem.what}", f"  fix: {problem.fix}"]
    lines.append("all good" if report.ok else f"{len(report.problems)} problem(s) found")
    _echo("\n".join(lines))
    return EXIT_OK if report.ok else EXIT_FAILED


def cmd_backup(args: argparse.Namespace, archive: Archive) -> int:
    """Copy the store through SQLite's backup API and say what was copied."""
    report = archive.backup(args.dest)
    if args.json:
        _print_json(asdict(report))
        return EXIT_OK
    _echo(
        f"backed up {report.articles} articles, {report.passages} passages and "
        f"{report.sources} sources ({_size(report.bytes)}) to {report.path} "
        f"in {report.seconds:.2f} s\n"
        f"restore: stop the bot, then `newsdesk restore {report.path}`"
    )
    return EXIT_OK


def cmd_restore(args: argparse.Namespace) -> int:
    """Restore a backup over the store (keeping the old one aside), then rebuild the index."""
    from index.archive import restore_archive

    settings = load_settings(IndexSettings, data_dir=args.data_dir)
    with ProgressBar(enabled=_bar_wanted(args), label="reindex") as bar:
        restored, reindexed = restore_archive(settings, args.backup, progress=bar)
    if args.json:
        _print_json({"restored": asdict(restored), "reindex": asdict(reindexed)})
        return EXIT_OK
    kept = f"; the replaced store is kept as {restored.replaced}" if restored.replaced else ""
    _echo(
        f"restored {restored.articles} articles and {restored.passages} passages from "
        f"{restored.backup}{kept}\nreindexed {reindexed.passages} passages in "
        f"{reindexed.seconds:.2f} s"
    )
    return EXIT_OK


def cmd_migrate(args: argparse.Namespace) -> int:
    """Copy the SQLite store into PostgreSQL; exit 1 when the counts do not match."""
    settings = load_settings(IndexSettings, data_dir=args.data_dir)
    url = args.to or (
        settings.database_url.get_secret_value() if settings.database_url is not None else None
    )
    if not url:
        return _fail(
            "migrate needs --to postgresql://… (or NEWSDESK_DATABASE_URL)", EXIT_USAGE, args.json
        )
    if not url.startswith(("postgresql://", "postgres://")):
        return _fail(
            "--to must be a postgresql://user:password@host:port/db URL", EXIT_USAGE, args.json
        )
    from index.archive import migrate_store

    with ProgressBar(enabled=_bar_wanted(args), label="migrate") as bar:
        report = migrate_store(settings, url, progress=bar)
    if args.json:
        _print_json({**asdict(report), "verified": report.verified, "inserted": report.inserted})
    else:
        for table in report.tables:
            mark = "ok" if table.source_rows == table.destination_rows else "MISMATCH"
            _echo(
                f"{table.table:<17} {table.source_rows:>9} rows, {table.inserted:>9} copied now"
                f"  {mark}"
            )
        verdict = "verified" if report.verified else "NOT verified: counts differ"
        _echo(
            f"copied {report.inserted} rows to {report.destination} in {report.seconds:.1f} s; "
            f"{verdict}"
        )
    return EXIT_OK if report.verified else EXIT_FAILED


def cmd_poll(args: argparse.Namespace, archive: Archive) -> int:
    """Poll the sources once (``--once``) or until interrupted; exit 1 if anything failed."""
    if not args.once:
        _warn("polling until interrupted (Ctrl-C stops)")
        try:
            archive.poll(once=False, on_report=lambda report: _echo_poll(report, args.json))
        except KeyboardInterrupt:
            _warn("polling stopped")
        return EXIT_OK
    with ProgressBar(enabled=_bar_wanted(args), label="poll") as bar:
        report = archive.poll(due_only=not args.all, names=args.source, progress=bar)
    _echo_poll(report, args.json)
    return EXIT_OK if report.ok else EXIT_FAILED


def _echo_poll(report: PollReport, as_json: bool) -> None:
    if as_json:
        _print_json(asdict(report))
        return
    if not report.sources:
        _echo("no source is due")
    for poll in report.sources:
        if poll.outcome in ("failed", "deferred"):  # deferred: the server asked us to wait
            _echo(
                f"{poll.name}: {poll.outcome}: {poll.error} (next poll {_when(poll.next_poll_at)})"
            )
            continue
        _echo(
            f"{poll.name}: {poll.outcome.replace('_', ' ')}, {poll.entries} entries, "
            f"{poll.count('new')} new, {poll.count('updated')} updated, "
            f"{poll.count('failed')} failed"
        )
        for item in poll.items:
            if item.outcome == "failed":
                _echo(f"  failed: {item.item}: {item.reason}")


def cmd_sources(args: argparse.Namespace, archive: Archive) -> int:
    """``sources add URL``, ``sources list``, ``sources remove NAME``."""
    if args.action == "add":
        source = archive.add_source(
            args.url,
            name=args.name,
            outlet=args.outlet,
            language=args.language,
            interval_s=args.interval,
        )
        if args.json:
            _print_json(asdict(source))
        else:
            _echo(f"added {source.name}: {source.url} (every {source.interval_s} s)")
        return EXIT_OK
    if args.action == "remove":
        source = archive.remove_source(args.name)
        if args.json:
            _print_json({"removed": source.name, "url": source.url})
        else:
            _echo(f"removed {source.name}: {source.url} (its articles stay)")
        return EXIT_OK
    statuses = archive.list_sources()
    if args.json:
        _print_json([{**asdict(s), "failing": s.failing} for s in statuses])
        return EXIT_OK
    if not statuses:
        _echo("no sources (add one with `newsdesk sources add URL`)")
    for s in statuses:
        state = f"FAILING ×{s.failures}: {s.last_error}" if s.failing else "ok"
        _echo(
            f"{s.source.name}  {s.kind or '?'}  every {s.source.interval_s} s  "
            f"{s.articles_ingested} articles  last success {_when(s.last_success_at)}  "
            f"next poll {_when(s.next_poll_at)}  {state}\n  {s.source.url}"
        )
    return EXIT_OK


def cmd_follow(args: argparse.Namespace, archive: Archive) -> int:
    """``follow add TOPIC --chat ID``, ``follow list [--chat ID]``, ``follow remove ID``."""
    if args.action == "add":
        topic = archive.follow(args.chat, args.topic, daily=args.daily, daily_hour=args.hour)
        if args.json:
            _print_json(asdict(topic))
        else:
            _echo(f"following #{topic.topic_id} in chat {topic.chat_id}: {topic.text}")
        return EXIT_OK
    if args.action == "remove":
        topic = archive.unfollow(args.chat, args.topic_id)
        if args.json:
            _print_json({"removed": topic.topic_id, "chat_id": topic.chat_id})
        else:
            _echo(f"unfollowed #{topic.topic_id} in chat {topic.chat_id}: {topic.text}")
        return EXIT_OK
    topics = archive.following(args.chat)
    if args.json:
        _print_json([asdict(t) for t in topics])
        return EXIT_OK
    if not topics:
        _echo("no topics (add one with `newsdesk follow add TOPIC --chat ID`)")
    for topic in topics:
        _echo(_topic_line(topic))
    return EXIT_OK


def _topic_line(topic: Topic) -> str:
    mode = f"daily at {topic.daily_hour:02d}:00 UTC" if topic.mode == "daily" else "instant"
    paused = "  PAUSED (the chat blocked the bot)" if topic.paused_at else ""
    return (
        f"#{topic.topic_id}  chat {topic.chat_id}  {mode}  since {_when(topic.created_at)}  "
        f"last alert {_when(topic.last_alert_at)}{paused}\n  {topic.text}"
    )


def cmd_alerts(args: argparse.Namespace, archive: Archive) -> int:
    """``alerts --dry-run``: the alerts the articles stored since ``--since`` raise."""
    alerts = archive.preview_alerts(args.since)
    if args.json:
        _print_json([_alert_json(alert) for alert in alerts])
        return EXIT_OK
    if not alerts:
        _echo(f"no alerts for articles stored since {_when(args.since)}")
    for alert in alerts:
        _echo(_alert_text(alert))
    return EXIT_OK


def _alert_json(alert: Alert) -> dict[str, Any]:
    return {
        "chat_id": alert.topic.chat_id,
        "topic_id": alert.topic.topic_id,
        "topic": alert.topic.text,
        "story_id": alert.story_id,
        "article": asdict(alert.answer),
    }


def _alert_text(alert: Alert) -> str:
    citation = alert.answer.citation
    lines = [f"chat {alert.topic.chat_id}  #{alert.topic.topic_id} {alert.topic.text}"]
    lines += [f"  {mark_highlights(s.text, s.highlights)}" for s in alert.answer.snippets]
    meta = " · ".join(
        part
        for part in (
            citation.title,
            citation.source,
            citation.published_at.date().isoformat() if citation.published_at else None,
            citation.url,
        )
        if part
    )
    lines.append(f"  — {meta}")
    return "\n".join(lines)


def _when(value: datetime | None) -> str:
    return value.strftime("%Y-%m-%d %H:%M UTC") if value is not None else "never"


# -- formatting -----------------------------------------------------------------------------


def mark_highlights(text: str, spans: Sequence[tuple[int, int]]) -> str:
    """``text`` with each [start, end) span wrapped in the highlight markers.

    The spans are a snippet's highlights, already normalised by the answer stage
    (``index.answer.snippets.highlight_spans`` merges overlaps and names split by spaces);
    this only renders them, cut by ``highlight_pieces`` exactly as the bot cuts them.
    """
    return "".join(
        f"{MARK_OPEN}{piece}{MARK_CLOSE}" if marked else piece
        for piece, marked in highlight_pieces(text, spans)
    )


def format_answer(answer: Answer) -> str:
    """The text view of an answer: numbered articles, their snippets, a citation line each.

    The answer's note (a relaxed period, a period listing) comes first, so a reader sees
    why the articles are from other dates before reading them.
    """
    lines = [f"Note: {answer.note}"] if answer.note else []
    if not answer.found:
        lines.append(f"Nothing found{': ' + answer.reason if answer.reason else '.'}")
        if answer.nearest_titles:
            lines.append("Nearest articles:")
            lines += [f"  - {title}" for title in answer.nearest_titles]
        return "\n".join(lines)
    for number, item in enumerate(answer.articles, 1):
        c = item.citation
        for i, snippet in enumerate(item.snippets):
            prefix = f"{number}. " if i == 0 else " " * len(f"{number}. ")
            lines.append(prefix + mark_highlights(snippet.text, snippet.highlights))
        parts = [c.title, c.source, c.author, _day(c.published_at) if c.published_at else None]
        ordinals = ", ".join(str(s.passage_ordinal) for s in item.snippets)
        cite = " · ".join(p for p in parts if p)
        if item.said_by:
            # A statement answer: who said it and when, then where it was reported (issue 14).
            cite = f"{_said_by(item.said_by)} · reported in: {cite}"
        lines.append(f"   — {cite} [article {c.article_id}, passage {ordinals}]")
        if c.url:
            lines.append(f"     {c.url}")
        if item.reprints_note:
            lines.append(f"     {item.reprints_note}")
    return "\n".join(lines)


def _said_by(said_by: Sequence[Attribution]) -> str:
    """ "Jens Stoltenberg, 14 July 2024" per speaker, a speaker's dates joined by "; "."""
    days: dict[str, list[str]] = {}
    for item in said_by:
        said = days.setdefault(item.speaker, [])
        if item.said_on is not None and _said_day(item.said_on) not in said:
            said.append(_said_day(item.said_on))
    return " · ".join(
        f"{speaker}, {'; '.join(said)}" if said else speaker for speaker, said in days.items()
    )


def _said_day(day: date) -> str:
    """14 July 2024: a statement's date as the citation line writes it."""
    return f"{day.day} {day:%B %Y}"


def answer_json(answer: Answer, archive: Archive, took_ms: float) -> dict[str, Any]:
    """The README's JSON schema: one entry per snippet, with its article and passage."""
    passage_ids = [s.passage_id for a in answer.articles for s in a.snippets]
    passages = archive.passages_for(passage_ids)
    answers = []
    for item in answer.articles:
        c = item.citation
        for snippet in item.snippets:
            passage = passages.get(snippet.passage_id)
            answers.append(
                {
                    "snippet": snippet.text,
                    "highlights": [list(span) for span in snippet.highlights],
                    "score": snippet.score,
                    "article": {
                        "id": c.article_id,
                        "title": c.title,
                        "url": c.url,
                        "source": c.source,
                        "author": c.author,
                        "published": _iso(c.published_at),
                    },
                    "passage": {
                        "id": snippet.passage_id,
                        "ordinal": snippet.passage_ordinal,
                        "start": passage.start if passage else None,
                        "end": passage.end if passage else None,
                    },
                    "story": story_json(item.story, c.article_id),
                    "reprints_note": item.reprints_note,
                    "said_by": [
                        {
                            "speaker": who.speaker,
                            "said_on": who.said_on.isoformat() if who.said_on else None,
                        }
                        for who in item.said_by
                    ],
                }
            )
    return {
        "question": answer.question,
        "found": answer.found,
        "answers": answers,
        "nearest_titles": list(answer.nearest_titles),
        "reason": answer.reason,
        "note": answer.note,
        "took_ms": round(took_ms, 3),
    }


def story_json(story: Story | None, shown_id: int) -> dict[str, Any] | None:
    """A story for ``--json``: ids, the original, and the members other than the one shown."""
    if story is None:
        return None
    return {
        "id": story.story_id,
        "original_id": story.original_id,
        "member_ids": list(story.member_ids),
        "reprints": [
            {
                "id": m.article_id,
                "title": m.title,
                "source": m.source,
                "url": m.url,
                "published": _iso(m.published_at),
            }
            for m in story.members
            if m.article_id != shown_id
        ],
    }


def story_lines(story: Story | None, article_id: int) -> list[str]:
    """``newsdesk show``'s list of the story's members, the article itself marked."""
    if story is None or len(story.members) < 2:
        return []
    lines = [f"story:     {story.story_id} ({len(story.members)} articles, original first)"]
    for m in story.members:
        mark = "*" if m.article_id == article_id else " "
        parts = [m.source, _day(m.published_at) if m.published_at else None, m.title]
        lines.append(f"  {mark} {m.article_id}: " + " · ".join(p for p in parts if p))
    return lines


class ProgressBar:
    """A rich progress bar on stderr (files or passages, rate, ETA); a no-op when disabled.

    Used as the facade's progress callback. Ticks of stage ``articles`` only update the
    rate shown beside the file count.
    """

    def __init__(self, *, enabled: bool, label: str) -> None:
        self.enabled = enabled
        self.label = label
        self._progress: Any = None
        self._task: Any = None

    def __enter__(self) -> ProgressBar:
        if self.enabled:
            from rich.console import Console
            from rich.progress import (
                BarColumn,
                MofNCompleteColumn,
                TextColumn,
                TimeElapsedColumn,
                TimeRemainingColumn,
            )
            from rich.progress import Progress as RichProgress

            self._progress = RichProgress(
                TextColumn("{task.description}"),
                BarColumn(),
                MofNCompleteColumn(),
                TextColumn("{task.fields[rate]}"),
                TimeElapsedColumn(),
                TimeRemainingColumn(),
                console=Console(stderr=True),
            )
            self._progress.start()
            self._task = self._progress.add_task(self.label, total=None, rate="")
        return self

    def __call__(self, tick: Progress) -> None:
        if self._progress is None:
            return
        rate = f"{tick.done / tick.elapsed_s:,.0f} {tick.unit}/s" if tick.elapsed_s > 0 else ""
        if tick.stage == "articles":
            self._progress.update(self._task, rate=rate)
            return
        self._progress.update(
            self._task,
            description=f"{self.label}: {tick.stage}",
            completed=tick.done,
            total=tick.total,
            **({} if tick.unit == "files" else {"rate": rate}),
        )

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if self._progress is not None:
            self._progress.stop()
            self._progress = None


def _bar_wanted(args: argparse.Namespace) -> bool:
    return not getattr(args, "json", False) and sys.stderr.isatty()


def _echo(text: str) -> None:
    sys.stdout.write(text + "\n")


def _error(text: str) -> None:
    sys.stderr.write(f"error: {text}\n")


def _warn(text: str) -> None:
    sys.stderr.write(f"warning: {text}\n")


def _print_json(value: object) -> None:
    _echo(json.dumps(value, ensure_ascii=False, indent=2, default=_json_default))


def _json_default(value: object) -> object:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if is_dataclass(value) and not isinstance(value, type):
        return asdict(value)
    if hasattr(value, "__fspath__"):
        return str(value)
    raise TypeError(f"not JSON serialisable: {type(value).__name__}")


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def _day(value: datetime | None) -> str:
    return value.date().isoformat() if value is not None else "-"


def _counts(values: dict[str, int]) -> str:
    return ", ".join(f"{key} {count}" for key, count in values.items()) or "-"


def _size(n_bytes: int) -> str:
    size = float(n_bytes)
    for unit in ("B", "KB", "MB", "GB"):
        if size < 1024 or unit == "GB":
            return f"{size:.0f} {unit}" if unit == "B" else f"{size:.1f} {unit}"
        size /= 1024
    return f"{n_bytes} B"


def _parse_date(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a date (YYYY-MM-DD): {value!r}") from None


def _hour(value: str) -> int:
    try:
        hour = int(value.split(":", 1)[0])
    except ValueError:
        raise argparse.ArgumentTypeError(f"not an hour (0-23): {value!r}") from None
    if not 0 <= hour <= 23:
        raise argparse.ArgumentTypeError(f"not an hour (0-23): {value!r}")
    return hour


def _parse_since(value: str) -> datetime:
    """``YYYY-MM-DD`` (midnight UTC) or ``N h`` / ``N d`` back from now."""
    text = value.strip().lower()
    if text[-1:] in ("h", "d") and text[:-1].strip().isdigit():
        amount = int(text[:-1])
        delta = timedelta(hours=amount) if text[-1] == "h" else timedelta(days=amount)
        return datetime.now(UTC) - delta
    try:
        day = date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"not a date (YYYY-MM-DD) or a span (24h, 7d): {value!r}"
        ) from None
    return datetime(day.year, day.month, day.day, tzinfo=UTC)


def _positive_int(value: str) -> int:
    try:
        number = int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number: {value!r}") from None
    if number < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1: {value}")
    return number
