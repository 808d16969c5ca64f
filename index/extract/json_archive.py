"""JSON and JSONL archives: one article per object, each object checked on its own.

An archive is a JSON list of objects, an object ``{"articles": [...]}``, a single article
object, or JSONL (one object per line). Objects are validated by a pydantic model (the
edge of the system, where a schema with aliases and coercion earns its keep); a bad object
or line becomes an ExtractionError naming ``file#N`` and the reason, and the others go on.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from dataclasses import replace
from datetime import datetime
from typing import Any

import dateparser
from pydantic import (
    AliasChoices,
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)

from index.analysis.language import detect_language
from index.errors import ExtractionError
from index.extract.body import assemble_body
from index.extract.html_page import extract_html
from index.extract.options import ExtractOptions
from index.models import LANGS, ExtractedArticle, Lang

logger = logging.getLogger(__name__)

RecordResult = ExtractedArticle | ExtractionError
# Language tags seen in archives for our languages ("ua" is a country code, used anyway).
_LANGUAGE_ALIASES: dict[str, Lang] = {"ua": "uk", "ukr": "uk", "rus": "ru", "eng": "en"}


class ArticleRecord(BaseModel):
    """One article object as archives write it; common alternative key names are accepted."""

    model_config = ConfigDict(extra="ignore", str_strip_whitespace=True)

    url: str | None = Field(default=None, validation_alias=AliasChoices("url", "link"))
    title: str = Field(default="", validation_alias=AliasChoices("title", "headline"))
    text: str | None = Field(
        default=None, validation_alias=AliasChoices("text", "body", "content", "articleBody")
    )
    html: str | None = None
    published: datetime | None = Field(
        default=None,
        validation_alias=AliasChoices(
            "published", "published_at", "date", "datePublished", "pubDate"
        ),
    )
    author: str | None = Field(default=None, validation_alias=AliasChoices("author", "authors"))
    source: str | None = Field(
        default=None, validation_alias=AliasChoices("source", "outlet", "sitename", "site")
    )
    language: Lang | None = Field(default=None, validation_alias=AliasChoices("language", "lang"))

    @field_validator("title", mode="before")
    @classmethod
    def _null_title(cls, value: Any) -> Any:
        return "" if value is None else value

    @field_validator("author", mode="before")
    @classmethod
    def _join_authors(cls, value: Any) -> Any:
        if isinstance(value, list):
            return ", ".join(str(item) for item in value if item)
        return value

    @field_validator("published", mode="before")
    @classmethod
    def _parse_loose_date(cls, value: Any) -> Any:
        """ISO strings and epoch numbers are pydantic's; "4 August 2024 17:25" is dateparser's."""
        if not isinstance(value, str) or not value.strip():
            return value or None
        try:
            return datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
        except ValueError:
            parsed = dateparser.parse(value, languages=["en", "uk", "ru"])
            if parsed is None:
                raise ValueError(f"unrecognised date {value[:40]!r}") from None
            return parsed

    @field_validator("language", mode="before")
    @classmethod
    def _normalize_language(cls, value: Any) -> Any:
        """ "en-US" → "en", "ua" → "uk"; a language we do not index → None (detected later)."""
        if not isinstance(value, str) or not value.strip():
            return None
        tag = value.strip().lower().replace("_", "-").split("-", 1)[0]
        tag = _LANGUAGE_ALIASES.get(tag, tag)
        return tag if tag in LANGS else None

    @model_validator(mode="after")
    def _has_content(self) -> ArticleRecord:
        if not (self.text or self.html):
            raise ValueError("the object has neither text nor html")
        return self


# json.loads recurses once per nesting level: a 10,000-deep array or object raises
# RecursionError, which would otherwise escape as an "unexpected error" with a traceback.
_TOO_DEEP = "JSON nested too deeply to be an article archive"


def extract_json_records(
    text: str, name: str, *, jsonl: bool, options: ExtractOptions | None = None
) -> list[RecordResult]:
    """Every object of a JSON or JSONL archive, as an article or the error it caused.

    Args:
        text: the decoded archive.
        name: the item name; records are named ``name#N`` (line number for JSONL,
            1-based position for a JSON list).
        jsonl: read one object per line; a ``.json`` file that turns out to hold several
            top-level values is read as JSONL too.
        options: extraction options.

    Raises:
        ExtractionError: the whole file is unreadable (not JSON) or holds no objects.
    """
    options = options or ExtractOptions()
    if not jsonl:
        try:
            parsed = json.loads(text)
        except RecursionError:
            raise ExtractionError(_TOO_DEEP, item=name) from None
        except json.JSONDecodeError as exc:
            if exc.msg != "Extra data":
                raise ExtractionError(
                    f"not valid JSON ({exc.msg} at line {exc.lineno} column {exc.colno})",
                    item=name,
                ) from None
            jsonl = True
        else:
            objects = list(_objects_of(parsed, name))
    if jsonl:
        objects = list(_jsonl_objects(text, name))
    if not objects:
        raise ExtractionError("no article objects in the archive", item=name)
    return [
        obj if isinstance(obj, ExtractionError) else _record_to_article(obj, item, options)
        for item, obj in objects
    ]


def _objects_of(parsed: Any, name: str) -> Iterator[tuple[str, Any]]:
    if isinstance(parsed, dict) and isinstance(parsed.get("articles"), list):
        parsed = parsed["articles"]
    if isinstance(parsed, dict):
        yield name, parsed
        return
    if not isinstance(parsed, list):
        raise ExtractionError("JSON holds neither an object nor a list of objects", item=name)
    for position, obj in enumerate(parsed, start=1):
        yield f"{name}#{position}", obj


def _jsonl_objects(text: str, name: str) -> Iterator[tuple[str, Any]]:
    for line_number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        item = f"{name}#{line_number}"
        try:
            yield item, json.loads(line)
        except RecursionError:
            yield item, ExtractionError(_TOO_DEEP, item=item)
        except json.JSONDecodeError as exc:
            yield item, ExtractionError(f"line is not JSON ({exc.msg})", item=item)


def _record_to_article(obj: Any, item: str, options: ExtractOptions) -> RecordResult:
    if not isinstance(obj, dict):
        return ExtractionError(f"expected a JSON object, got {type(obj).__name__}", item=item)
    try:
        record = ArticleRecord.model_validate(obj)
    except ValidationError as exc:
        return ExtractionError(_describe(exc), item=item)
    published = record.published
    if published is not None and published.tzinfo is None:
        published = published.replace(tzinfo=options.tzinfo)
    if record.text:
        body = assemble_body(record.text.split("\n"))
        article = ExtractedArticle(title=record.title, body=body)
    else:
        try:
            article = extract_html(record.html or "", item, url=record.url, options=options)
        except ExtractionError as exc:
            return exc
    if not article.body:
        return ExtractionError("the article text is empty", item=item)
    return replace(
        article,
        title=record.title or article.title,
        url=record.url or article.url,
        source=record.source or article.source,
        author=record.author or article.author,
        published_at=published or article.published_at,
        language=record.language or detect_language(article.title + "\n" + article.body),
    )


def _describe(exc: ValidationError) -> str:
    """The first validation problem in one line: "published: unrecognised date 'x'"."""
    first = exc.errors()[0]
    where = ".".join(str(part) for part in first["loc"])
    message = first["msg"].removeprefix("Value error, ")
    return f"{where}: {message}" if where else message
