"""Where alerts go: e-mail, a generic JSON webhook, and the WeCom, DingTalk and Feishu group robots.

`[[channels]]` in yuqing.toml (docs/alerts.md):

```toml
[[channels]]
name = "duty"          # what a scheme's `alert.channels` names
kind = "dingtalk"      # email | webhook | wecom | dingtalk | feishu
url = "https://oapi.dingtalk.com/robot/send?access_token=…"
secret = "SEC…"        # DingTalk and Feishu sign each request with it; a webhook gets an HMAC header
# to = ["duty@example.gov.cn"]   (email)
```

The inbox is not a channel here: every alert is in the store and shown by `yuqing alerts`.
Scraped text is made inert before it goes into a robot's markdown (no links, no markup).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import re
import smtplib
import ssl
import time
import urllib.parse
from dataclasses import dataclass, field
from email.message import EmailMessage
from typing import Any, Mapping, Sequence

import httpx

from ..settings import Settings

KINDS = ("email", "webhook", "wecom", "dingtalk", "feishu")


class DeliveryError(Exception):
    pass


class ChannelError(ValueError):
    pass


@dataclass(frozen=True)
class Channel:
    name: str
    kind: str
    url: str = ""
    secret: str = ""
    to: tuple[str, ...] = ()
    extra: Mapping[str, Any] = field(default_factory=dict)


def configured_channels(settings: Settings) -> dict[str, Channel]:
    """The [[channels]] of the settings, checked; a clear ChannelError for a bad entry."""
    out = {}
    for i, raw in enumerate(settings.channels, start=1):
        name, kind = str(raw.get("name") or ""), str(raw.get("kind") or "")
        where = f"[[channels]] #{i}" + (f" ({name})" if name else "")
        if not name or name == "inbox":
            raise ChannelError(f"{where}: needs a name other than 'inbox'")
        if kind not in KINDS:
            raise ChannelError(f"{where}: kind {kind!r} is not one of {KINDS}")
        if kind == "email":
            to = raw.get("to") or []
            to = (to,) if isinstance(to, str) else tuple(to)
            if not to:
                raise ChannelError(f"{where}: an email channel needs `to`")
            out[name] = Channel(name, kind, to=to)
        else:
            url = str(raw.get("url") or "")
            if not url.startswith(("http://", "https://")):
                raise ChannelError(f"{where}: needs an http(s) url")
            out[name] = Channel(name, kind, url, str(raw.get("secret") or ""))
    return out


_INERT = str.maketrans({"<": "＜", ">": "＞", "[": "［", "]": "］", "(": "（", ")": "）", "*": "＊",
                        "_": "＿", "`": "'", "#": "＃", "|": "｜", "\\": "＼"})
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")


def inert(text: str | None, limit: int = 200) -> str:
    """Scraped text as plain words: no markup, no links, one line, at most `limit` characters."""
    text = _CONTROL.sub("", (text or "").replace("\n", " ")).translate(_INERT)
    text = re.sub(r"(?i)(https?|javascript|data)\s*:", lambda m: m.group(1) + "：", text)
    return text[:limit] + ("…" if len(text) > limit else "")


def markdown(message: Mapping[str, Any]) -> str:
    """The message as markdown for the group robots and the body of the mail."""
    lines = [f"**{inert(message['title'], 120)}**", ""]
    for label, value in message.get("lines", []):
        lines.append(f"- {label}：{inert(str(value), 300)}")    # a first report's source is scraped text too
    evidence = message.get("evidence") or []
    if evidence:
        lines.append("- 证据：")
        for i, e in enumerate(evidence, start=1):
            lines.append(f"  {i}. {inert(e.get('title'), 80)}（{inert(e.get('source'), 30)}，{e.get('at', '')}）")
    return "\n".join(lines)


_clients: dict[float, httpx.Client] = {}


def _client(timeout: float) -> httpx.Client:
    # one client per process: making one loads the CA bundle (~35 ms), and keeps connections alive;
    # trust_env=False: no proxy from the environment (an intranet robot is reached directly)
    if timeout not in _clients:
        _clients[timeout] = httpx.Client(timeout=timeout, trust_env=False)
    return _clients[timeout]


def _post(url: str, body: Mapping[str, Any], timeout: float, headers: Mapping[str, str] | None = None) -> dict:
    data = json.dumps(body, ensure_ascii=False).encode("utf-8")
    try:
        r = _client(timeout).post(url, content=data, headers={"Content-Type": "application/json; charset=utf-8",
                                                              **(headers or {})})
    except httpx.HTTPError as exc:
        raise DeliveryError(f"{type(exc).__name__}: {exc}") from None
    if r.status_code >= 300:
        raise DeliveryError(f"HTTP {r.status_code}: {r.text[:200]}")
    try:
        return r.json()
    except ValueError:
        return {}


def dingtalk_sign(secret: str, timestamp_ms: int) -> str:
    digest = hmac.new(secret.encode(), f"{timestamp_ms}\n{secret}".encode(), hashlib.sha256).digest()
    return urllib.parse.quote_plus(base64.b64encode(digest))


def feishu_sign(secret: str, timestamp_s: int) -> str:
    # Feishu signs with the string as the key and an empty message
    digest = hmac.new(f"{timestamp_s}\n{secret}".encode(), b"", hashlib.sha256).digest()
    return base64.b64encode(digest).decode()


def send(channel: Channel, message: Mapping[str, Any], settings: Settings, now: float | None = None,
         attachments: Sequence[tuple[str, bytes, str]] = ()) -> None:
    """Deliver one message on one channel; raise DeliveryError when it did not arrive. Mail
    carries `attachments` (name, bytes, MIME type); the others carry the message's link."""
    now = now or time.time()
    timeout = settings.fetch_timeout
    text = markdown(message)
    title = inert(message["title"], 60)
    if channel.kind == "webhook":
        body = {"kind": message.get("kind", "alert"), "title": message["title"], "level": message.get("level"),
                "text": text, "message": message}
        raw = json.dumps(body, ensure_ascii=False).encode("utf-8")
        headers = {}
        if channel.secret:
            headers["X-Yuqing-Signature"] = "sha256=" + hmac.new(channel.secret.encode(), raw, hashlib.sha256).hexdigest()
        _post(channel.url, body, timeout, headers)
    elif channel.kind == "wecom":
        reply = _post(channel.url, {"msgtype": "markdown", "markdown": {"content": text}}, timeout)
        if reply.get("errcode", 0) != 0:
            raise DeliveryError(f"WeCom errcode {reply.get('errcode')}: {reply.get('errmsg')}")
    elif channel.kind == "dingtalk":
        url = channel.url
        if channel.secret:
            ts = int(now * 1000)
            url += ("&" if "?" in url else "?") + f"timestamp={ts}&sign={dingtalk_sign(channel.secret, ts)}"
        reply = _post(url, {"msgtype": "markdown", "markdown": {"title": title, "text": text}}, timeout)
        if reply.get("errcode", 0) != 0:
            raise DeliveryError(f"DingTalk errcode {reply.get('errcode')}: {reply.get('errmsg')}")
    elif channel.kind == "feishu":
        body: dict[str, Any] = {"msg_type": "interactive", "card": {
            "header": {"title": {"tag": "plain_text", "content": title}},
            "elements": [{"tag": "markdown", "content": text}]}}
        if channel.secret:
            ts = int(now)
            body = {"timestamp": str(ts), "sign": feishu_sign(channel.secret, ts), **body}
        reply = _post(channel.url, body, timeout)
        if reply.get("code", reply.get("StatusCode", 0)) != 0:
            raise DeliveryError(f"Feishu code {reply.get('code')}: {reply.get('msg')}")
    elif channel.kind == "email":
        _mail(channel, title, text, settings, attachments)
    else:
        raise DeliveryError(f"unknown channel kind {channel.kind!r}")


def _mail(channel: Channel, subject: str, body: str, settings: Settings,
          attachments: Sequence[tuple[str, bytes, str]] = ()) -> None:
    if not settings.smtp_host:
        raise DeliveryError("smtp_host is not set")
    msg = EmailMessage()
    msg["Subject"] = subject
    msg["From"] = settings.smtp_sender
    msg["To"] = ", ".join(channel.to)
    msg.set_content(body)
    for name, blob, mime in attachments:
        main, _, sub = mime.split(";")[0].partition("/")
        msg.add_attachment(blob, maintype=main, subtype=sub, filename=name)
    try:
        # certificates are always verified; an intranet CA is named by smtp_ca_file
        context = ssl.create_default_context(cafile=settings.smtp_ca_file or None)
        if settings.smtp_security == "tls":
            smtp = smtplib.SMTP_SSL(settings.smtp_host, settings.smtp_port, timeout=settings.fetch_timeout,
                                    context=context)
        else:
            smtp = smtplib.SMTP(settings.smtp_host, settings.smtp_port, timeout=settings.fetch_timeout)
        with smtp:
            if settings.smtp_security == "starttls":
                smtp.starttls(context=context)
            if settings.smtp_user:
                smtp.login(settings.smtp_user, settings.smtp_password)
            smtp.send_message(msg)
    except (OSError, smtplib.SMTPException) as exc:
        raise DeliveryError(f"SMTP: {type(exc).__name__}: {exc}") from None
