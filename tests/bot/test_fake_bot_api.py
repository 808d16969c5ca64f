"""The fake Bot API refuses what Telegram refuses, so the end-to-end tests mean something."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest

from tests.auxil.fake_bot_api import BadRequestError, FakeBotApi, parse_html
from tests.bot.conftest import TOKEN, USER

CHAT = USER.id


@pytest.mark.parametrize(
    ("html", "visible"),
    [
        ("plain", "plain"),
        ("<b>bold</b> &lt;&gt;&amp;&quot; &#128512; &#x1F600;", 'bold <>&" 😀 😀'),
        ('<a href="https://x.org/?a=1&amp;b=2">link</a>', "link"),
        ('<b><i>nested</i></b><pre><code class="language-py">x</code></pre>', "nestedx"),
        ('<span class="tg-spoiler">s</span><tg-spoiler>t</tg-spoiler>', "st"),
        ("<blockquote expandable>q</blockquote>", "q"),
        ("a > b", "a > b"),
    ],
)
def test_valid_telegram_html(html: str, visible: str) -> None:
    assert parse_html(html) == visible


@pytest.mark.parametrize(
    ("html", "message"),
    [
        ("a < b", 'unsupported start tag ""'),
        ("<div>x</div>", 'unsupported start tag "div"'),
        ("<b>open", 'end tag corresponding to start tag "b"'),
        ("<b><i>x</b></i>", 'end tag corresponding to start tag "i"'),
        ("x</b>", "unexpected end tag"),
        ("<a>no href</a>", "must have attribute href"),
        ('<span class="other">x</span>', "tg-spoiler"),
        ("fish & chips", "unsupported HTML entity"),
        ("&nbsp;", "unsupported HTML entity"),
        ("<b", "unclosed start tag"),
    ],
    ids=[
        "bare-lt",
        "div",
        "unclosed",
        "crossed",
        "stray-end",
        "a-no-href",
        "span",
        "amp",
        "nbsp",
        "cut-tag",
    ],
)
def test_invalid_telegram_html_is_refused(html: str, message: str) -> None:
    with pytest.raises(BadRequestError, match="can't parse entities") as info:
        parse_html(html)
    assert message in info.value.description


@pytest.fixture
async def server() -> AsyncIterator[FakeBotApi]:
    api = FakeBotApi(TOKEN)
    await api.start()
    api.add_chat(api.private_chat(USER))
    yield api
    await api.stop()


async def call(server: FakeBotApi, method: str, **params: Any) -> httpx.Response:
    """POST like PTB does: form fields, non-strings JSON-encoded."""
    data = {k: v if isinstance(v, str) else json.dumps(v) for k, v in params.items()}
    async with httpx.AsyncClient() as client:
        return await client.post(f"{server.base_url}{TOKEN}/{method}", data=data)


def keyboard(data: str) -> dict[str, Any]:
    return {"inline_keyboard": [[{"text": "b", "callback_data": data}]]}


def article(i: int) -> dict[str, Any]:
    return {
        "type": "article",
        "id": str(i),
        "title": f"t{i}",
        "input_message_content": {"message_text": "<b>x</b>", "parse_mode": "HTML"},
    }


@pytest.mark.parametrize(
    ("method", "params", "description"),
    [
        ("sendMessage", {"text": "x" * 4097}, "message is too long"),
        ("sendMessage", {"text": "<b>" + "x" * 4097 + "</b>", "parse_mode": "HTML"}, "too long"),
        ("sendMessage", {"text": "<b>x", "parse_mode": "HTML"}, "can't parse entities"),
        ("sendMessage", {"text": "<p>x</p>", "parse_mode": "HTML"}, "unsupported start tag"),
        ("sendMessage", {"text": "  "}, "message text is empty"),
        ("sendMessage", {"text": "x", "reply_markup": keyboard("d" * 65)}, "BUTTON_DATA_INVALID"),
        ("sendMessage", {"text": "x", "chat_id": 42}, "chat not found"),
        ("answerInlineQuery", {"results": [article(i) for i in range(51)]}, "RESULTS_TOO_MUCH"),
        (
            "answerInlineQuery",
            {"results": [article(1)], "next_offset": "9" * 65},
            "NEXT_OFFSET_INVALID",
        ),
        ("answerInlineQuery", {"results": [article(1), article(1)]}, "RESULT_ID_DUPLICATE"),
        ("editMessageText", {"message_id": 1, "text": "x"}, "message to edit not found"),
        ("sendChatAction", {"action": "dancing"}, "wrong parameter action"),
        ("setMyCommands", {"commands": [{"command": "Bad-Name", "description": "d"}]}, "INVALID"),
        ("getFile", {"file_id": "nope"}, "invalid file_id"),
    ],
    ids=lambda value: value if isinstance(value, str) and len(value) < 30 else None,
)
async def test_requests_telegram_would_refuse_get_400(
    server: FakeBotApi, method: str, params: dict[str, Any], description: str
) -> None:
    if method == "answerInlineQuery":
        update = server.inline_query(USER, "q")
        params = {"inline_query_id": update["inline_query"]["id"], **params}
    else:
        params = {"chat_id": CHAT, **params}
    response = await call(server, method, **params)
    body = response.json()
    assert response.status_code == 400 and body["ok"] is False and body["error_code"] == 400
    assert description in body["description"]
    assert server.calls[-1].error == body["description"]


async def test_limits_themselves_are_accepted_and_edits_must_change(server: FakeBotApi) -> None:
    sent = await call(server, "sendMessage", chat_id=CHAT, text="😀" * 4096)
    assert sent.json()["ok"], sent.json()
    message_id = sent.json()["result"]["message_id"]
    same = await call(
        server, "editMessageText", chat_id=CHAT, message_id=message_id, text="😀" * 4096
    )
    assert "message is not modified" in same.json()["description"]
    edited = await call(server, "editMessageText", chat_id=CHAT, message_id=message_id, text="ok")
    assert edited.json()["ok"]
    update = server.inline_query(USER, "q")
    answered = await call(
        server,
        "answerInlineQuery",
        inline_query_id=update["inline_query"]["id"],
        results=[article(i) for i in range(50)],
        next_offset="9" * 64,
    )
    assert answered.json()["ok"], answered.json()
    async with httpx.AsyncClient() as client:
        wrong_token = await client.post(f"{server.base_url}1:x/getMe")
    assert wrong_token.status_code == 401


async def test_get_updates_long_polls_and_confirms_with_offset(server: FakeBotApi) -> None:
    empty = await call(server, "getUpdates", timeout=0)
    assert empty.json()["result"] == []
    first = server.offer(server.private_message(USER, "one"))
    server.offer(server.private_message(USER, "two"))
    both = (await call(server, "getUpdates", timeout=5)).json()["result"]
    assert [u["update_id"] for u in both] == [first, first + 1]
    rest = (await call(server, "getUpdates", offset=first + 1, timeout=0)).json()["result"]
    assert [u["message"]["text"] for u in rest] == ["two"]
