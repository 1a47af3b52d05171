"""The community's 企业微信 group robot (群机器人): the webhook URL an admin pastes, the
Markdown a message is sent as, and the POST that sends it.

The robot's API (企业微信开发者中心, 《群机器人配置说明》): POST JSON
{"msgtype": "markdown", "markdown": {"content": …}} to
https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=…; the content is at most 4096
bytes of UTF-8; the reply is JSON whose `errcode` is 0 when the message was sent. A
group message is read by everyone in the group: it holds a task's or an event's title,
time, place and free places, never a phone, an address or a name (services/reminders.py
decides what goes in `params`).
"""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from collections.abc import Mapping
from urllib.parse import parse_qs, urlsplit

from services.errors import BoardError
from services.i18n import translate

WEBHOOK_HOST = "qyapi.weixin.qq.com"
WEBHOOK_PATH = "/cgi-bin/webhook/send"
MAX_CONTENT_BYTES = 4096  # the robot refuses a longer markdown content
TIMEOUT_SECONDS = 10.0
GROUP_LANG = "zh_CN"  # the group reads Chinese


class SendError(Exception):
    """A send that did not go through: an HTTP error, no reply, or an errcode ≠ 0."""


def webhook_valid(url: str) -> str:
    """The pasted webhook URL, trimmed, or "" to send nothing; refuses anything but the
    robot's own address (https, qyapi.weixin.qq.com, /cgi-bin/webhook/send, a key), so
    the board never posts a group's messages to another server."""
    url = url.strip()
    if not url:
        return ""
    parts = urlsplit(url)
    key = parse_qs(parts.query).get("key", [""])[0]
    if (
        parts.scheme != "https"
        or parts.hostname != WEBHOOK_HOST
        or parts.port not in (None, 443)
        or parts.username is not None
        or parts.path != WEBHOOK_PATH
        or not key.strip()
    ):
        raise BoardError("messages.webhook_invalid")
    return url


def _cut(content: str) -> str:
    """At most MAX_CONTENT_BYTES of UTF-8, cut on a character boundary."""
    data = content.encode("utf-8")
    if len(data) <= MAX_CONTENT_BYTES:
        return content
    return data[: MAX_CONTENT_BYTES - 3].decode("utf-8", errors="ignore") + "…"


def markdown_body(kind: str, params: Mapping[str, object]) -> dict[str, object]:
    """The robot's JSON body of a group message of `kind`, in Chinese."""
    content = translate(f"messages.wecom.{kind}", GROUP_LANG, **params)
    return {"msgtype": "markdown", "markdown": {"content": _cut(content)}}


def post(url: str, body: Mapping[str, object], timeout: float = TIMEOUT_SECONDS) -> None:
    """Sends one message; raises SendError unless the robot answered 200 with errcode 0."""
    request = urllib.request.Request(
        url,
        data=json.dumps(body, ensure_ascii=False).encode("utf-8"),
        headers={"Content-Type": "application/json; charset=utf-8"},
        method="POST",
    )
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            status, raw = response.status, response.read(4096)
    except urllib.error.HTTPError as err:
        raise SendError(f"HTTP {err.code}") from err
    except (urllib.error.URLError, OSError) as err:
        raise SendError(f"{type(err).__name__}: {err}") from err
    if status != 200:
        raise SendError(f"HTTP {status}")
    try:
        reply = json.loads(raw or b"{}")
    except ValueError as err:
        raise SendError("reply is not JSON") from err
    if not isinstance(reply, dict) or reply.get("errcode") != 0:
        errmsg = str(reply.get("errmsg", "")) if isinstance(reply, dict) else ""
        code = reply.get("errcode") if isinstance(reply, dict) else None
        raise SendError(f"errcode {code}: {errmsg[:200]}")
