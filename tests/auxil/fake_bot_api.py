"""A fake Telegram Bot API server on 127.0.0.1 for end-to-end tests and the bot benchmark.

The bot under test talks to it through PTB's real HTTP stack (``base_url``), so handlers,
Defaults, the rate limiter and the updater all run exactly as in production. The server:

* queues updates that tests ``offer`` and serves them through ``getUpdates`` long polling
  (``offset`` confirms, ``timeout`` waits on a condition, never a sleep loop);
* implements the methods newsdesk uses: getMe, getUpdates, sendMessage, editMessageText,
  answerCallbackQuery, answerInlineQuery, sendChatAction, setMyCommands, deleteMessage,
  getFile (+ the file download route), and deleteWebhook, getWebhookInfo, setWebhook, close,
  logOut as PTB needs them;
* validates like Telegram and answers 400 with Telegram's wording when the bot sends text
  over 4096 characters after entity parsing, malformed HTML or unsupported tags,
  callback_data over 64 bytes, more than 50 inline results or a next_offset over 64 bytes;
* records every call, and lets tests await a matching call with a timeout.

Hand-written rather than a mocking library because the point is to exercise the HTTP layer
and Telegram's validation rules, which no PTB-level mock would. HTML is parsed with a small
tokenizer following Telegram's (tdlib's) rules instead of ``html.parser``, which silently
accepts a bare ``<`` and unknown tags that Telegram rejects. It is stricter than Telegram in
one place: a bare ``&`` that starts no entity is rejected (Telegram passes it through), so an
unescaped ampersand in our output is caught.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Literal

from aiohttp import web

MAX_TEXT_CHARS = 4096  # sendMessage/editMessageText, after entity parsing
MAX_CALLBACK_DATA_BYTES = 64
MAX_INLINE_RESULTS = 50
MAX_NEXT_OFFSET_BYTES = 64
MAX_RESULT_ID_BYTES = 64
MAX_CALLBACK_TEXT_CHARS = 200  # answerCallbackQuery text
CHAT_ACTIONS = {
    "typing",
    "upload_photo",
    "record_video",
    "upload_video",
    "record_voice",
    "upload_voice",
    "upload_document",
    "choose_sticker",
    "find_location",
    "record_video_note",
    "upload_video_note",
}
# Telegram's supported HTML tags, and the attributes each may carry.
ALLOWED_TAGS: dict[str, set[str]] = {
    "b": set(),
    "strong": set(),
    "i": set(),
    "em": set(),
    "u": set(),
    "ins": set(),
    "s": set(),
    "strike": set(),
    "del": set(),
    "span": {"class"},
    "tg-spoiler": set(),
    "a": {"href"},
    "code": {"class"},
    "pre": set(),
    "blockquote": {"expandable"},
    "tg-emoji": {"emoji-id"},
}
_JSON_FIELDS = {
    "reply_markup",
    "results",
    "commands",
    "scope",
    "link_preview_options",
    "reply_parameters",
    "entities",
    "allowed_updates",
    "button",
}
_INT_FIELDS = {"chat_id", "message_id", "offset", "limit", "timeout", "cache_time", "user_id"}
_ENTITY = re.compile(r"&(?:(lt|gt|amp|quot);|#(\d{1,7});|#[xX]([0-9a-fA-F]{1,6});)")
_SPECIAL = re.compile(r"[<&]")
_TAG_NAME = re.compile(r"[a-zA-Z0-9-]+")
_ATTRIBUTE = re.compile(r"\s*([a-zA-Z0-9_-]+)(?:\s*=\s*(?:\"([^\"]*)\"|'([^']*)'|([^\s>\"']+)))?")
_NAMED = {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}


class BadRequestError(Exception):
    """A request Telegram would refuse with 400 Bad Request; ``description`` is its wording."""

    def __init__(self, description: str, code: int = 400) -> None:
        super().__init__(description)
        self.description = description
        self.code = code


def _unescape(value: str) -> str:
    return _ENTITY.sub(_entity_char, value)


def _entity_char(match: re.Match[str]) -> str:
    if match.group(1):
        return _NAMED[match.group(1)]
    code = int(match.group(2)) if match.group(2) else int(match.group(3), 16)
    return chr(code) if 0 < code <= 0x10FFFF else "\ufffd"


def parse_html(text: str) -> str:
    """Telegram-HTML → the visible text, or BadRequestError with Telegram's message.

    Raises:
        BadRequestError: unsupported tag, unmatched tag, missing attribute, bad entity.
    """
    out: list[str] = []
    stack: list[str] = []
    i = 0
    n = len(text)
    while i < n:
        # Plain text runs are copied whole (a character loop cost the benchmark's driver
        # ~0.2 ms per 1.6 kB message, on the cores the bot under test needs).
        special = _SPECIAL.search(text, i)
        if special is None:
            out.append(text[i:])
            break
        if special.start() > i:
            out.append(text[i : special.start()])
            i = special.start()
        ch = text[i]
        if ch == "&":
            match = _ENTITY.match(text, i)
            if not match:
                raise BadRequestError(
                    f"Bad Request: can't parse entities: unsupported HTML entity at character "
                    f"offset {i}"
                )
            out.append(_entity_char(match))
            i = match.end()
            continue
        begin = i
        if text.startswith("</", i):
            end = text.find(">", i)
            if end < 0:
                raise BadRequestError(
                    f"Bad Request: can't parse entities: unclosed end tag at byte offset {begin}"
                )
            name = text[i + 2 : end].strip().lower()
            if not stack:
                raise BadRequestError(
                    f'Bad Request: can\'t parse entities: unexpected end tag "{name}" at byte '
                    f"offset {begin}"
                )
            if name and name != stack[-1]:
                raise BadRequestError(
                    f"Bad Request: can't parse entities: can't find end tag corresponding to "
                    f'start tag "{stack[-1]}"'
                )
            stack.pop()
            i = end + 1
            continue
        match = _TAG_NAME.match(text, i + 1)
        name = match.group(0).lower() if match else ""
        if name not in ALLOWED_TAGS:
            raise BadRequestError(
                f'Bad Request: can\'t parse entities: unsupported start tag "{name}" at byte '
                f"offset {begin}"
            )
        i = match.end() if match else i + 1
        attributes: dict[str, str] = {}
        while True:
            if i >= n:
                raise BadRequestError(
                    f'Bad Request: can\'t parse entities: unclosed start tag "{name}" at byte '
                    f"offset {begin}"
                )
            if text[i] == ">":
                i += 1
                break
            attribute = _ATTRIBUTE.match(text, i)
            if not attribute or attribute.end() == i:
                raise BadRequestError(
                    f"Bad Request: can't parse entities: expected equal sign in declaration of "
                    f'an attribute of the tag "{name}" at byte offset {i}'
                )
            key = attribute.group(1).lower()
            value = next((g for g in attribute.groups()[1:] if g is not None), "")
            if key in ALLOWED_TAGS[name]:
                attributes[key] = _unescape(value)
            i = attribute.end()
        _check_attributes(name, attributes, begin)
        stack.append(name)
    if stack:
        raise BadRequestError(
            f"Bad Request: can't parse entities: can't find end tag corresponding to start "
            f'tag "{stack[-1]}"'
        )
    return "".join(out)


def _check_attributes(name: str, attributes: dict[str, str], begin: int) -> None:
    if name == "a" and not attributes.get("href", "").strip():
        raise BadRequestError(
            f'Bad Request: can\'t parse entities: tag "a" must have attribute href at byte '
            f"offset {begin}"
        )
    if name == "span" and attributes.get("class") != "tg-spoiler":
        raise BadRequestError(
            f'Bad Request: can\'t parse entities: tag "span" must have class "tg-spoiler" at '
            f"byte offset {begin}"
        )
    if name == "tg-emoji" and not attributes.get("emoji-id", "").isdigit():
        raise BadRequestError(
            f'Bad Request: can\'t parse entities: tag "tg-emoji" must have attribute '
            f'"emoji-id" at byte offset {begin}'
        )


def visible_text(text: str, parse_mode: str | None) -> str:
    """Parse a message text like Telegram: entities (HTML only here), then strip, then limits."""
    if parse_mode is not None and parse_mode.lower() not in ("html", ""):
        raise BadRequestError(f"Bad Request: unsupported parse_mode {parse_mode!r} in fake server")
    shown = parse_html(text) if parse_mode else text
    shown = shown.strip()
    if not shown:
        raise BadRequestError("Bad Request: message text is empty")
    if len(shown) > MAX_TEXT_CHARS:
        raise BadRequestError("Bad Request: message is too long")
    return shown


def check_reply_markup(markup: Any) -> None:
    """Validate an InlineKeyboardMarkup's buttons like Telegram does."""
    if markup is None:
        return
    if not isinstance(markup, dict):
        raise BadRequestError("Bad Request: can't parse reply keyboard markup JSON object")
    for row in markup.get("inline_keyboard", []):
        for button in row:
            if not button.get("text"):
                raise BadRequestError(
                    "Bad Request: text buttons are unallowed in the inline keyboard"
                )
            data = button.get("callback_data")
            if data is not None and not 1 <= len(data.encode("utf-8")) <= MAX_CALLBACK_DATA_BYTES:
                raise BadRequestError("Bad Request: BUTTON_DATA_INVALID")


def check_commands(commands: Any) -> None:
    """setMyCommands: 1-32 chars of a-z, 0-9, _; description 1-256 characters; ≤ 100."""
    if not isinstance(commands, list) or len(commands) > 100:
        raise BadRequestError("Bad Request: commands must be an array of at most 100 items")
    for command in commands:
        if not re.fullmatch(r"[a-z0-9_]{1,32}", command.get("command", "")):
            raise BadRequestError("Bad Request: BOT_COMMAND_INVALID")
        if not 1 <= len(command.get("description", "")) <= 256:
            raise BadRequestError("Bad Request: BOT_COMMAND_DESCRIPTION_INVALID")


@dataclass(slots=True)
class ApiCall:
    """One request the bot made: method, decoded parameters, outcome and arrival time."""

    method: str
    params: dict[str, Any]
    at: float
    ok: bool = True
    error: str | None = None
    result: Any = None


@dataclass(slots=True)
class StoredMessage:
    """A message the bot sent, as the fake server remembers it (for edits and deletes)."""

    chat_id: int
    message_id: int
    text: str
    html: str
    reply_markup: Any = None


@dataclass(frozen=True, slots=True)
class FormFile:
    """A file the bot uploaded (multipart form data): its name and bytes."""

    filename: str
    data: bytes


@dataclass(slots=True)
class FakeFile:
    """An uploaded file: ``data`` served ``repeat`` times in a row (a large body costs no
    memory here); ``reported_size`` is what the Document and getFile claim (None: nothing);
    ``sent`` counts the bytes the download route managed to write before the reader left."""

    file_id: str
    file_path: str
    data: bytes
    repeat: int = 1
    reported_size: int | None = None
    sent: int = 0

    @property
    def size(self) -> int:
        """The real size of the body."""
        return len(self.data) * self.repeat


@dataclass(slots=True)
class FakeUser:
    """A Telegram user that tests speak as."""

    id: int
    first_name: str = "Test"
    language_code: str | None = "en"
    username: str | None = None

    def to_dict(self) -> dict[str, Any]:
        """The Bot API ``User`` object."""
        data: dict[str, Any] = {"id": self.id, "is_bot": False, "first_name": self.first_name}
        if self.language_code:
            data["language_code"] = self.language_code
        if self.username:
            data["username"] = self.username
        return data


def _utf16_len(value: str) -> int:
    return len(value.encode("utf-16-le")) // 2


def text_entities(text: str) -> list[dict[str, Any]]:
    """Entities Telegram's client would attach: a leading bot_command and @mentions.

    Offsets and lengths are in UTF-16 code units, as in the real Bot API.
    """
    entities = []
    command = re.match(r"/[A-Za-z0-9_]{1,32}(?:@[A-Za-z0-9_]{3,32})?", text)
    if command:
        entities.append({"type": "bot_command", "offset": 0, "length": command.end()})
    for mention in re.finditer(r"(?<![\w@])@[A-Za-z0-9_]{3,32}", text):
        if command and mention.start() < command.end():
            continue
        entities.append(
            {
                "type": "mention",
                "offset": _utf16_len(text[: mention.start()]),
                "length": _utf16_len(mention.group(0)),
            }
        )
    return entities


@dataclass
class FakeBotApi:
    """The server. ``await start()``, point the bot at ``base_url``, offer updates, await calls."""

    token: str
    bot_id: int = 0
    username: str = "newsdesk_test_bot"
    host: str = "127.0.0.1"
    calls: list[ApiCall] = field(default_factory=list)
    messages: dict[tuple[int, int], StoredMessage] = field(default_factory=dict)
    commands: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    offered_at: dict[int, float] = field(default_factory=dict)
    # chat id → user ids getChatMember reports as administrators (everyone else: member).
    chat_admins: dict[int, set[int]] = field(default_factory=dict)
    # Chats that blocked the bot: sendMessage there fails with 403 Forbidden.
    blocked_chats: set[int] = field(default_factory=set)
    # Chats whose sendMessage is recorded but never answered (a bot killed mid-send).
    stalled_chats: set[int] = field(default_factory=set)

    def __post_init__(self) -> None:
        if not self.bot_id:
            self.bot_id = int(self.token.split(":", 1)[0])
        self._updates: list[dict[str, Any]] = []
        self._update_ids = itertools.count(1)
        self._message_ids = itertools.count(1000)
        self._callback_ids = itertools.count(1)
        self._file_ids = itertools.count(1)
        self._new_update: asyncio.Condition | None = None
        self._new_call: asyncio.Condition | None = None
        self._files: dict[str, FakeFile] = {}
        self._chats: dict[int, dict[str, Any]] = {}
        self._open_callbacks: set[str] = set()
        self._open_inline: set[str] = set()
        self._listeners: list[Callable[[ApiCall], None]] = []
        self._runner: web.AppRunner | None = None
        self._closing = False
        self.port = 0

    # --- lifecycle -------------------------------------------------------------------------

    async def start(self) -> None:
        """Listen on 127.0.0.1 at a free port."""
        self._new_update = asyncio.Condition()
        self._new_call = asyncio.Condition()
        app = web.Application(client_max_size=64 * 1024 * 1024)
        app.router.add_route("*", "/bot{token}/{method}", self._handle_method)
        app.router.add_get("/file/bot{token}/{path:.+}", self._handle_file)
        self._runner = web.AppRunner(
            app, access_log=None, handle_signals=False, shutdown_timeout=1.0
        )
        await self._runner.setup()
        site = web.TCPSite(self._runner, self.host, 0)
        await site.start()
        server = site._server
        assert server is not None
        self.port = server.sockets[0].getsockname()[1]  # type: ignore[union-attr]

    async def stop(self) -> None:
        """Stop listening; wakes pending long polls."""
        self._closing = True
        if self._new_update is not None:
            async with self._new_update:
                self._new_update.notify_all()
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    @property
    def base_url(self) -> str:
        """What NEWSDESK_BOT_API_URL should be."""
        return f"http://{self.host}:{self.port}/bot"

    @property
    def base_file_url(self) -> str:
        """Where file downloads live."""
        return f"http://{self.host}:{self.port}/file/bot"

    def bot_user(self) -> dict[str, Any]:
        """The bot's own ``User`` object (getMe)."""
        return {
            "id": self.bot_id,
            "is_bot": True,
            "first_name": "Newsdesk",
            "username": self.username,
            "can_join_groups": True,
            "can_read_all_group_messages": False,
            "supports_inline_queries": True,
        }

    # --- what tests offer ------------------------------------------------------------------

    def add_chat(self, chat: dict[str, Any]) -> None:
        """Make a chat known (setMyCommands with a chat scope needs it, as on Telegram)."""
        self._chats[chat["id"]] = chat

    def offer(self, update: dict[str, Any]) -> int:
        """Queue an update (without ``update_id``) for getUpdates; returns its id."""
        update_id = next(self._update_ids)
        update = {"update_id": update_id, **update}
        self._updates.append(update)
        self.offered_at[update_id] = time.perf_counter()
        if self._new_update is not None:
            asyncio.get_running_loop().create_task(self._wake_pollers())
        return update_id

    def stamp(self, update: dict[str, Any]) -> tuple[dict[str, Any], int]:
        """An update (without ``update_id``) numbered for webhook delivery, not queued for
        getUpdates: the caller POSTs it to a bot's webhook. Returns it and its id."""
        update_id = next(self._update_ids)
        self.offered_at[update_id] = time.perf_counter()
        return {"update_id": update_id, **update}, update_id

    async def _wake_pollers(self) -> None:
        assert self._new_update is not None
        async with self._new_update:
            self._new_update.notify_all()

    def _message(
        self, user: FakeUser, chat: dict[str, Any], text: str | None, **extra: Any
    ) -> dict[str, Any]:
        self._chats[chat["id"]] = chat
        message: dict[str, Any] = {
            "message_id": next(self._message_ids),
            "date": int(time.time()),
            "chat": chat,
            "from": user.to_dict(),
            **extra,
        }
        if text is not None:
            message["text"] = text
            entities = text_entities(text)
            if entities:
                message["entities"] = entities
        return message

    def private_chat(self, user: FakeUser) -> dict[str, Any]:
        """The private chat with ``user``."""
        return {"id": user.id, "type": "private", "first_name": user.first_name}

    def private_message(self, user: FakeUser, text: str) -> dict[str, Any]:
        """An update: ``user`` writes ``text`` to the bot in private."""
        return {"message": self._message(user, self.private_chat(user), text)}

    def group_message(
        self,
        user: FakeUser,
        chat_id: int,
        text: str,
        reply_to: dict[str, Any] | None = None,
    ) -> dict[str, Any]:
        """An update: ``user`` writes ``text`` in supergroup ``chat_id`` (optionally a reply)."""
        chat = {"id": chat_id, "type": "supergroup", "title": "Test group"}
        extra = {"reply_to_message": reply_to} if reply_to else {}
        return {"message": self._message(user, chat, text, **extra)}

    def sent_message_object(self, chat_id: int, message_id: int) -> dict[str, Any]:
        """A message the bot sent, as a ``Message`` object (for replies and button presses)."""
        stored = self.messages[(chat_id, message_id)]
        chat = self._chats.get(chat_id, {"id": chat_id, "type": "private"})
        data: dict[str, Any] = {
            "message_id": message_id,
            "date": int(time.time()),
            "chat": chat,
            "from": self.bot_user(),
            "text": stored.text,
        }
        if stored.reply_markup:
            data["reply_markup"] = stored.reply_markup
        return data

    def inline_query(self, user: FakeUser, query: str, offset: str = "") -> dict[str, Any]:
        """An update: ``user`` types ``@bot query``; the id is remembered for the answer."""
        query_id = f"iq{next(self._callback_ids)}"
        self._open_inline.add(query_id)
        return {
            "inline_query": {
                "id": query_id,
                "from": user.to_dict(),
                "query": query,
                "offset": offset,
                "chat_type": "private",
            }
        }

    def callback_query(self, user: FakeUser, chat_id: int, message_id: int, data: str) -> dict:
        """An update: ``user`` presses the button with ``data`` under a message the bot sent."""
        query_id = f"cq{next(self._callback_ids)}"
        self._open_callbacks.add(query_id)
        return {
            "callback_query": {
                "id": query_id,
                "from": user.to_dict(),
                "message": self.sent_message_object(chat_id, message_id),
                "chat_instance": f"ci{chat_id}",
                "data": data,
            }
        }

    def document_message(
        self,
        user: FakeUser,
        file_name: str,
        data: bytes,
        mime_type: str = "text/plain",
        *,
        repeat: int = 1,
        reported_size: int | Literal["actual"] | None = "actual",
    ) -> dict[str, Any]:
        """An update: ``user`` sends a file in private; getFile + download serve its bytes.

        ``repeat`` serves ``data`` that many times over; ``reported_size`` makes the
        Document (and getFile) claim another size, or none, than the bytes served.
        """
        number = next(self._file_ids)
        file_id = f"file{number}"
        stored = FakeFile(file_id, f"documents/file_{number}", data, repeat)
        stored.reported_size = stored.size if reported_size == "actual" else reported_size
        self._files[file_id] = stored
        document = {
            "file_id": file_id,
            "file_unique_id": f"u{file_id}",
            "file_name": file_name,
            "mime_type": mime_type,
        }
        if stored.reported_size is not None:
            document["file_size"] = stored.reported_size
        return {"message": self._message(user, self.private_chat(user), None, document=document)}

    def channel_chat(
        self, chat_id: int, title: str, username: str | None = None
    ) -> dict[str, Any]:
        """A channel (``username`` None: a private channel)."""
        chat: dict[str, Any] = {"id": chat_id, "type": "channel", "title": title}
        if username is not None:
            chat["username"] = username
        return chat

    def channel_post(
        self,
        chat: dict[str, Any],
        text: str,
        *,
        message_id: int | None = None,
        date: int | None = None,
        edited: bool = False,
        caption: bool = False,
    ) -> dict[str, Any]:
        """An update: a post in a channel where the bot is an admin (``channel_post``), or,
        with ``edited``, an edit of post ``message_id`` (``edited_channel_post``).

        Channel posts have no ``from``; ``caption`` puts the text under a photo instead.
        """
        self._chats[chat["id"]] = chat
        message: dict[str, Any] = {
            "message_id": message_id if message_id is not None else next(self._message_ids),
            "date": date if date is not None else int(time.time()),
            "chat": chat,
            "sender_chat": chat,
        }
        if caption:
            message["photo"] = [
                {"file_id": "photo1", "file_unique_id": "uphoto1", "width": 90, "height": 90}
            ]
            message["caption"] = text
        else:
            message["text"] = text
        if edited:
            message["edit_date"] = int(time.time())
            return {"edited_channel_post": message}
        return {"channel_post": message}

    def forwarded_post(
        self,
        user: FakeUser,
        chat: dict[str, Any],
        text: str,
        *,
        message_id: int,
        date: int,
    ) -> dict[str, Any]:
        """An update: ``user`` forwards post ``message_id`` of channel ``chat`` to the bot."""
        origin = {"type": "channel", "chat": chat, "message_id": message_id, "date": date}
        message = self._message(user, self.private_chat(user), None, forward_origin=origin)
        message["text"] = text
        return {"message": message}

    def file(self, file_id: str) -> FakeFile:
        """The stored file ``file_id`` (``"file1"``…, in the order documents were made)."""
        return self._files[file_id]

    # --- awaiting calls --------------------------------------------------------------------

    def add_listener(self, listener: Callable[[ApiCall], None]) -> None:
        """Call ``listener`` synchronously for every recorded call (the benchmark's hook)."""
        self._listeners.append(listener)

    def cursor(self) -> int:
        """The index of the next call to be recorded; pass as ``after`` to ``wait_for``."""
        return len(self.calls)

    def find(
        self, method: str, predicate: Callable[[ApiCall], bool] | None = None, after: int = 0
    ) -> list[ApiCall]:
        """Recorded calls of ``method`` (matching ``predicate``) from index ``after`` on."""
        return [
            call
            for call in self.calls[after:]
            if call.method == method and (predicate is None or predicate(call))
        ]

    async def wait_for(
        self,
        method: str,
        predicate: Callable[[ApiCall], bool] | None = None,
        *,
        after: int = 0,
        count: int = 1,
        timeout: float = 10.0,
    ) -> list[ApiCall]:
        """Wait until ``count`` matching calls exist after ``after``; TimeoutError otherwise."""
        assert self._new_call is not None

        def ready() -> bool:
            return len(self.find(method, predicate, after)) >= count

        async with self._new_call:
            try:
                await asyncio.wait_for(self._new_call.wait_for(ready), timeout)
            except TimeoutError:
                found = self.find(method, predicate, after)
                raise TimeoutError(
                    f"expected {count} {method} call(s), got {len(found)}: "
                    f"{[c.params for c in found][-3:]}; last calls: "
                    f"{[(c.method, c.error) for c in self.calls[-5:]]}"
                ) from None
        return self.find(method, predicate, after)[:count]

    async def _record(self, call: ApiCall) -> None:
        self.calls.append(call)
        for listener in self._listeners:
            listener(call)
        assert self._new_call is not None
        async with self._new_call:
            self._new_call.notify_all()

    # --- HTTP ------------------------------------------------------------------------------

    async def _handle_file(self, request: web.Request) -> web.StreamResponse:
        if request.match_info["token"] != self.token:
            return web.Response(status=404)
        path = request.match_info["path"]
        for stored in self._files.values():
            if stored.file_path == path:
                return await self._stream_file(request, stored)
        return web.Response(status=404)

    async def _stream_file(self, request: web.Request, stored: FakeFile) -> web.StreamResponse:
        """Send the body in chunks (no Content-Length, as a lying upload would not have one
        right either), counting what was written until the reader hangs up."""
        response = web.StreamResponse(headers={"Content-Type": "application/octet-stream"})
        if stored.reported_size == stored.size:
            response.content_length = stored.size
        await response.prepare(request)
        try:
            for _ in range(stored.repeat):
                await response.write(stored.data)
                stored.sent += len(stored.data)
            await response.write_eof()
        except (ConnectionError, RuntimeError):
            pass  # the reader closed the connection: the rest is never sent
        return response

    async def _handle_method(self, request: web.Request) -> web.Response:
        if request.match_info["token"] != self.token:
            return _error(401, "Unauthorized")
        method = request.match_info["method"]
        try:
            params = await _read_params(request)
        except BadRequestError as exc:
            return _error(exc.code, exc.description)
        call = ApiCall(method=method, params=params, at=time.perf_counter())
        handler = getattr(self, f"_api_{method.lower()}", None)
        if handler is None:
            call.ok, call.error = False, "Not Found: method not found"
            await self._record(call)
            return _error(404, "Not Found: method not found")
        try:
            result = await handler(params)
        except BadRequestError as exc:
            call.ok, call.error = False, exc.description
            await self._record(call)
            return _error(exc.code, exc.description)
        call.result = result
        if method != "getUpdates" or result:
            await self._record(call)
        return web.json_response({"ok": True, "result": result})

    # --- methods ---------------------------------------------------------------------------

    async def _api_getme(self, params: dict[str, Any]) -> dict[str, Any]:
        return self.bot_user()

    async def _api_getupdates(self, params: dict[str, Any]) -> list[dict[str, Any]]:
        offset = int(params.get("offset") or 0)
        limit = min(int(params.get("limit") or 100), 100)
        timeout = float(params.get("timeout") or 0)
        if offset:
            self._updates = [u for u in self._updates if u["update_id"] >= offset]
        if not self._updates and timeout > 0:
            assert self._new_update is not None
            async with self._new_update:
                try:
                    await asyncio.wait_for(
                        self._new_update.wait_for(lambda: bool(self._updates) or self._closing),
                        timeout,
                    )
                except TimeoutError:
                    return []
        return self._updates[:limit]

    async def _api_deletewebhook(self, params: dict[str, Any]) -> bool:
        return True

    async def _api_setwebhook(self, params: dict[str, Any]) -> bool:
        return True

    async def _api_getwebhookinfo(self, params: dict[str, Any]) -> dict[str, Any]:
        return {"url": "", "has_custom_certificate": False, "pending_update_count": 0}

    async def _api_close(self, params: dict[str, Any]) -> bool:
        return True

    async def _api_logout(self, params: dict[str, Any]) -> bool:
        return True

    def _chat(self, chat_id: Any) -> dict[str, Any]:
        try:
            return self._chats[int(chat_id)]
        except (KeyError, TypeError, ValueError):
            raise BadRequestError("Bad Request: chat not found") from None

    async def _api_getchatmember(self, params: dict[str, Any]) -> dict[str, Any]:
        chat = self._chat(params.get("chat_id"))
        user_id = int(params.get("user_id") or 0)
        user = {"id": user_id, "is_bot": False, "first_name": f"User {user_id}"}
        if user_id in self.chat_admins.get(chat["id"], set()):
            rights = [
                "can_be_edited",
                "can_manage_chat",
                "can_delete_messages",
                "can_manage_video_chats",
                "can_restrict_members",
                "can_promote_members",
                "can_change_info",
                "can_invite_users",
                "can_post_stories",
                "can_edit_stories",
                "can_delete_stories",
            ]
            return {
                "status": "administrator",
                "user": user,
                "is_anonymous": False,
                **dict.fromkeys(rights, False),
            }
        return {"status": "member", "user": user}

    async def _api_sendmessage(self, params: dict[str, Any]) -> dict[str, Any]:
        chat = self._chat(params.get("chat_id"))
        if chat["id"] in self.blocked_chats:
            raise BadRequestError("Forbidden: bot was blocked by the user", code=403)
        if chat["id"] in self.stalled_chats:
            # Recorded as its own method so a test can wait for the bot to be mid-send.
            await self._record(ApiCall("sendMessage(stalled)", params, time.perf_counter()))
            await asyncio.Event().wait()  # never answered; the server's stop cancels it
        html = str(params.get("text", ""))
        shown = visible_text(html, params.get("parse_mode"))
        check_reply_markup(params.get("reply_markup"))
        reply = params.get("reply_parameters")
        # Users' messages are not stored, so a reply is checked for its shape only.
        if reply is not None and not isinstance(reply.get("message_id"), int):
            raise BadRequestError("Bad Request: message to be replied not found")
        message_id = next(self._message_ids)
        self.messages[(chat["id"], message_id)] = StoredMessage(
            chat["id"], message_id, shown, html, params.get("reply_markup")
        )
        result: dict[str, Any] = {
            "message_id": message_id,
            "date": int(time.time()),
            "chat": chat,
            "from": self.bot_user(),
            "text": shown,
        }
        if params.get("reply_markup"):
            result["reply_markup"] = params["reply_markup"]
        return result

    async def _api_sendphoto(self, params: dict[str, Any]) -> dict[str, Any]:
        """An uploaded photo: stored as bytes in ``params["photo"]`` (a ``FormFile``)."""
        chat = self._chat(params.get("chat_id"))
        photo = params.get("photo")
        if not isinstance(photo, FormFile) or not photo.data:
            raise BadRequestError("Bad Request: there is no photo in the request")
        if "caption" in params:
            visible_text(str(params["caption"]), params.get("parse_mode"))
        message_id = next(self._message_ids)
        return {
            "message_id": message_id,
            "date": int(time.time()),
            "chat": chat,
            "from": self.bot_user(),
            "photo": [
                {
                    "file_id": f"sent{message_id}",
                    "file_unique_id": f"usent{message_id}",
                    "width": 800,
                    "height": 400,
                    "file_size": len(photo.data),
                }
            ],
        }

    async def _api_editmessagetext(self, params: dict[str, Any]) -> dict[str, Any]:
        key = (int(params.get("chat_id") or 0), int(params.get("message_id") or 0))
        stored = self.messages.get(key)
        if stored is None:
            raise BadRequestError("Bad Request: message to edit not found")
        html = str(params.get("text", ""))
        shown = visible_text(html, params.get("parse_mode"))
        markup = params.get("reply_markup")
        check_reply_markup(markup)
        if html == stored.html and markup == stored.reply_markup:
            raise BadRequestError(
                "Bad Request: message is not modified: specified new message content and reply "
                "markup are exactly the same as a current content and reply markup of the message"
            )
        stored.text, stored.html, stored.reply_markup = shown, html, markup
        return self.sent_message_object(*key)

    async def _api_deletemessage(self, params: dict[str, Any]) -> bool:
        key = (int(params.get("chat_id") or 0), int(params.get("message_id") or 0))
        if self.messages.pop(key, None) is None:
            raise BadRequestError("Bad Request: message to delete not found")
        return True

    async def _api_sendchataction(self, params: dict[str, Any]) -> bool:
        self._chat(params.get("chat_id"))
        if params.get("action") not in CHAT_ACTIONS:
            raise BadRequestError("Bad Request: wrong parameter action in request")
        return True

    async def _api_answercallbackquery(self, params: dict[str, Any]) -> bool:
        query_id = params.get("callback_query_id")
        if query_id not in self._open_callbacks:
            raise BadRequestError(
                "Bad Request: query is too old and response timeout expired or query ID is invalid"
            )
        if len(str(params.get("text") or "")) > MAX_CALLBACK_TEXT_CHARS:
            raise BadRequestError("Bad Request: MESSAGE_TOO_LONG")
        self._open_callbacks.discard(query_id)
        return True

    async def _api_answerinlinequery(self, params: dict[str, Any]) -> bool:
        query_id = params.get("inline_query_id")
        if query_id not in self._open_inline:
            raise BadRequestError(
                "Bad Request: query is too old and response timeout expired or query ID is invalid"
            )
        results = params.get("results")
        if not isinstance(results, list):
            raise BadRequestError("Bad Request: can't parse inline query results JSON object")
        if len(results) > MAX_INLINE_RESULTS:
            raise BadRequestError("Bad Request: RESULTS_TOO_MUCH")
        next_offset = str(params.get("next_offset") or "")
        if len(next_offset.encode("utf-8")) > MAX_NEXT_OFFSET_BYTES:
            raise BadRequestError("Bad Request: NEXT_OFFSET_INVALID")
        seen: set[str] = set()
        for result in results:
            _check_inline_result(result, seen)
        self._open_inline.discard(query_id)
        return True

    async def _api_setmycommands(self, params: dict[str, Any]) -> bool:
        check_commands(params.get("commands"))
        scope = params.get("scope") or {"type": "default"}
        if scope.get("type") == "chat":
            self._chat(scope.get("chat_id"))
        key = json.dumps(scope, sort_keys=True)
        self.commands[key] = params["commands"]
        return True

    async def _api_deletemycommands(self, params: dict[str, Any]) -> bool:
        scope = params.get("scope") or {"type": "default"}
        self.commands.pop(json.dumps(scope, sort_keys=True), None)
        return True

    async def _api_getfile(self, params: dict[str, Any]) -> dict[str, Any]:
        stored = self._files.get(str(params.get("file_id")))
        if stored is None:
            raise BadRequestError("Bad Request: invalid file_id")
        result = {
            "file_id": stored.file_id,
            "file_unique_id": f"u{stored.file_id}",
            "file_path": stored.file_path,
        }
        if stored.reported_size is not None:
            result["file_size"] = stored.reported_size
        return result

    def commands_for(self, scope: dict[str, Any]) -> list[str]:
        """The command names registered for ``scope`` (e.g. ``{"type": "default"}``)."""
        return [c["command"] for c in self.commands.get(json.dumps(scope, sort_keys=True), [])]


def _check_inline_result(result: Any, seen: set[str]) -> None:
    if not isinstance(result, dict) or "type" not in result:
        raise BadRequestError("Bad Request: can't parse inline query result JSON object")
    result_id = str(result.get("id", ""))
    if not 1 <= len(result_id.encode("utf-8")) <= MAX_RESULT_ID_BYTES:
        raise BadRequestError("Bad Request: RESULT_ID_INVALID")
    if result_id in seen:
        raise BadRequestError("Bad Request: RESULT_ID_DUPLICATE")
    seen.add(result_id)
    if result["type"] == "article":
        if not str(result.get("title", "")).strip():
            raise BadRequestError("Bad Request: RESULT_TITLE_EMPTY")
        content = result.get("input_message_content") or {}
        if "message_text" not in content:
            raise BadRequestError("Bad Request: MESSAGE_EMPTY")
        visible_text(content["message_text"], content.get("parse_mode"))
    check_reply_markup(result.get("reply_markup"))


async def _read_params(request: web.Request) -> dict[str, Any]:
    """Decode PTB's form fields (JSON-encoded for non-strings) or a JSON body."""
    if request.content_type == "application/json":
        body = await request.json()
        return dict(body) if isinstance(body, dict) else {}
    form = await request.post()
    params: dict[str, Any] = {}
    for key, value in form.items():
        if isinstance(value, web.FileField):
            params[key] = FormFile(value.filename, value.file.read())
            continue
        if not isinstance(value, str):
            continue
        if key in _JSON_FIELDS:
            try:
                params[key] = json.loads(value)
            except ValueError:
                raise BadRequestError(f"Bad Request: can't parse {key} JSON object") from None
        elif key in _INT_FIELDS and re.fullmatch(r"-?\d+", value):
            params[key] = int(value)
        else:
            params[key] = value
    return params


def _error(code: int, description: str) -> web.Response:
    return web.json_response(
        {"ok": False, "error_code": code, "description": description}, status=code
    )
