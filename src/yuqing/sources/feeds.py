"""RSS, Atom and JSON Feed (RSSHub's output included), polled with conditional GET.

RSSHub's own writers (lib/views/rss.tsx, json.ts) are what these readers follow: images and
videos come as enclosures, `media:` elements, JSON Feed `image`/`attachments`, and `<img>` and
`<video>` in the description; some routes add `<stats>` counts (reposts, comments, likes).
"""

from __future__ import annotations

import calendar
import json
import re
from dataclasses import dataclass, field
from datetime import datetime, timezone, tzinfo
from typing import Any

import feedparser
from lxml import html as lxml_html

from ..models import Quarantined, Raw
from .http import Fetcher


@dataclass
class FeedResult:
    records: list[Raw | Quarantined] = field(default_factory=list)
    etag: str | None = None
    last_modified: str | None = None
    not_modified: bool = False


def _entry_time(entry) -> str | datetime | None:
    # The raw string first: feedparser turns a time without offset into UTC, but for us such a
    # time is Beijing time (ingest.parse_time applies that). Its parsed value is the fallback.
    for key in ("published", "updated", "created"):
        if entry.get(key):
            return entry[key]
    for key in ("published_parsed", "updated_parsed"):
        if entry.get(key):
            return datetime.fromtimestamp(calendar.timegm(entry[key]), timezone.utc)
    return None


MAX_ATTRIBUTES = 256        # per element; no feed needs more (RSS and Atom use a handful)


def too_complex(content: bytes) -> str | None:
    """Return why a feed would take feedparser far longer than its size says, or None.

    feedparser's strict parser looks each attribute up by a linear scan (the standard library's
    AttributesNSImpl.getValueByQName), so an element with n attributes costs n² — one element
    with 200,000 of them in a 2 MB feed took 551 s. expat finds them in one C pass first.
    """
    import xml.parsers.expat

    worst = 0

    def start(_name, attrs) -> None:
        nonlocal worst
        if len(attrs) > worst:
            worst = len(attrs)
            if worst > MAX_ATTRIBUTES:
                raise _TooComplex

    parser = xml.parsers.expat.ParserCreate()
    parser.StartElementHandler = start
    try:
        parser.Parse(content, True)
    except _TooComplex:
        return f"an element with over {MAX_ATTRIBUTES} attributes; the feed is not parsed"
    except xml.parsers.expat.ExpatError:
        pass   # not well-formed: feedparser's lenient parser takes it, without that cost
    return None


class _TooComplex(Exception):
    pass


# what RSSHub's routes leave in titles and text that is no one's words: placeholders for media,
# and the fallback text inside <video> (「视频无法显示，请前往微博视频观看。」)
_NOISE = re.compile(r"\[(?:图片|视频|组图共\d+张|组图|动图|图)\]|视频无法显示，?请前往(?:<[^<>]{0,300}>|[^<>\s]){0,60}?观看。?")
_COUNTS = {"reposts_count": "reposts", "comments_count": "comments", "attitudes_count": "likes"}
_MEDIA_KIND = {"image": "image", "video": "video", "audio": "audio"}


def denoise(text: str | None) -> str | None:
    if not text:
        return text
    cleaned = _NOISE.sub("", text)
    return re.sub(r"[ \t]{2,}", " ", cleaned).strip() if cleaned != text else text


def _kind(mime: str | None, default: str = "image") -> str:
    return _MEDIA_KIND.get((mime or "").split("/", 1)[0].lower(), default)


def html_media(body: str) -> tuple[str, list[dict[str, str]]]:
    """Return the body without the fallback text of its <video>/<audio>, and the media in it."""
    if not body or "<" not in body:
        return body, []
    try:
        root = lxml_html.fragment_fromstring(body, create_parent="div")
    except Exception:  # noqa: BLE001 — lxml's parser errors: the body is kept as it was
        return body, []
    media: list[dict[str, str]] = []
    for el in root.iter("img", "video", "audio", "source"):
        kind = "image" if el.tag == "img" else ("audio" if el.tag == "audio" else "video")
        if el.tag == "source":
            parent = el.getparent()
            kind = "audio" if parent is not None and parent.tag == "audio" else _kind(el.get("type"), "video")
        for attr in ("src", "data-src") if el.tag == "img" else ("src",):
            if el.get(attr):
                media.append({"kind": kind, "url": el.get(attr)})
                break
        if el.tag == "video" and el.get("poster"):
            media.append({"kind": "image", "url": el.get("poster")})
    # The text a player shows when it cannot play ("您的浏览器不支持视频") is not the post's: it
    # goes, whether it sits in the element, after a <source>, or (libxml2 does not know <source>
    # is empty) inside one.
    changed = False
    for el in list(root.iter("video", "audio")):
        for node in [el, *el.iter("source", "track")]:
            if (node.text or "").strip() or (node is not el and (node.tail or "").strip()):
                changed = True
            node.text = None
            if node is not el:
                node.tail = None
            for child in list(node):
                if child.tag not in ("source", "track"):
                    node.remove(child)
                    changed = True
    return (lxml_html.tostring(root, encoding="unicode") if changed else body), media


def _counts(entry: Any) -> dict[str, Any]:
    return {ours: entry.get(theirs) for theirs, ours in _COUNTS.items() if entry.get(theirs) not in (None, "")}


def relabel(value: Any, zone: tzinfo | None) -> Any:
    """A time whose zone label is wrong (an RSSHub route printing Beijing time as GMT): its wall
    clock, in the source's `timezone`."""
    if zone is None or value in (None, ""):
        return value
    from ..ingest import parse_time

    got = parse_time(value, datetime.now(timezone.utc))
    return got.replace(tzinfo=zone) if got is not None else value


def parse_feed(content: bytes, url: str, content_type: str = "", assume_zone: tzinfo | None = None,
               ) -> list[Raw | Quarantined]:
    """Return the entries of a feed document as records, or one quarantine entry if it is unreadable.

    `assume_zone`: the source's `timezone` with `assume_local_time`: the feed's times are read as
    wall-clock times there, whatever zone they are labelled with."""
    head = content[:64].lstrip(b"\xef\xbb\xbf \t\r\n")
    if head.startswith(b"{") or "json" in content_type.lower():
        return parse_json_feed(content, url, assume_zone)
    refused = too_complex(content)
    if refused:
        return [Quarantined("malformed-feed", url, refused, content[:100_000], raw_len=len(content))]
    parsed = feedparser.parse(content, response_headers={"content-type": content_type or "application/xml",
                                                         "content-location": url})
    records: list[Raw | Quarantined] = []
    problem = parsed.get("bozo_exception")
    benign = (feedparser.CharacterEncodingOverride, feedparser.NonXMLContentType)
    if parsed.get("bozo") and not isinstance(problem, benign):
        # Broken XML: keep what the lenient parser salvaged, and record the feed itself with why.
        records.append(Quarantined("malformed-feed", url, f"{type(problem).__name__}: {problem}", content))
    feed_title = parsed.feed.get("title")
    for i, entry in enumerate(parsed.entries):
        link = entry.get("link")
        body = ""
        if entry.get("content"):
            body = max((c.get("value", "") for c in entry["content"]), key=len)
        body = body or entry.get("summary", "") or entry.get("description", "")
        body, media = html_media(body)
        for enc in entry.get("enclosures") or []:
            if enc.get("href"):
                media.append({"kind": _kind(enc.get("type")), "url": enc["href"]})
        for m in (entry.get("media_content") or []) + (entry.get("media_thumbnail") or []):
            if m.get("url"):
                media.append({"kind": m.get("medium") or _kind(m.get("type")), "url": m["url"]})
        records.append(Raw(link or f"{url}#{i}", {
            # A link is the identity when there is one, so that the same article found through a
            # feed and through its page gets the same id; the GUID is the fallback.
            "id": None if link else (entry.get("id") or None),
            "url": link, "title": denoise(entry.get("title")), "text": denoise(body),
            "author": entry.get("author"), "published_at": relabel(_entry_time(entry), assume_zone),
            "source": feed_title, "media": media, "metrics": _counts(entry),
        }))
    return records


def parse_json_feed(content: bytes, url: str, assume_zone: tzinfo | None = None) -> list[Raw | Quarantined]:
    """JSON Feed 1.0 and 1.1 (RSSHub's `?format=json`)."""
    from ..ingest import decode_bytes

    try:
        doc = json.loads(decode_bytes(content)[0])
    except (ValueError, RecursionError) as exc:
        return [Quarantined("malformed-feed", url, f"JSON Feed 无法解析：{exc}"[:500], content[:100_000],
                            raw_len=len(content))]
    if not isinstance(doc, dict) or not str(doc.get("version", "")).startswith("https://jsonfeed.org/version/") \
            or not isinstance(doc.get("items"), list):
        return [Quarantined("malformed-feed", url, "不是 JSON Feed（缺少 version 或 items）", content[:100_000],
                            raw_len=len(content))]
    feed_title = doc.get("title") if isinstance(doc.get("title"), str) else None
    records: list[Raw | Quarantined] = []
    for i, item in enumerate(doc["items"]):
        origin = f"{url}#{i}"
        if not isinstance(item, dict):
            records.append(Quarantined("not-an-object", origin, f"a JSON {type(item).__name__}", str(item)[:4096]))
            continue
        link = item.get("url") if isinstance(item.get("url"), str) else None
        body = item.get("content_html") or item.get("content_text") or item.get("summary") or ""
        body, media = html_media(body if isinstance(body, str) else "")
        for key in ("image", "banner_image"):
            if isinstance(item.get(key), str):
                media.append({"kind": "image", "url": item[key]})
        for att in item.get("attachments") or []:
            if isinstance(att, dict) and isinstance(att.get("url"), str):
                media.append({"kind": _kind(att.get("mime_type")), "url": att["url"]})
        authors = item.get("authors") or ([item["author"]] if isinstance(item.get("author"), dict) else [])
        author = next((a.get("name") for a in authors if isinstance(a, dict) and a.get("name")), None)
        extra = item.get("_extra") if isinstance(item.get("_extra"), dict) else {}
        stats = extra.get("stats") if isinstance(extra.get("stats"), dict) else {}
        records.append(Raw(link or origin, {
            "id": None if link else (str(item["id"]) if item.get("id") not in (None, "") else None),
            "url": link, "title": denoise(item.get("title") if isinstance(item.get("title"), str) else None),
            "text": denoise(body), "author": author,
            "published_at": relabel(item.get("date_published") or item.get("date_modified"), assume_zone),
            "source": feed_title, "media": media, "metrics": _counts(stats),
        }))
    return records


def fetch_feed(url: str, fetcher: Fetcher, etag: str | None = None, last_modified: str | None = None,
               assume_zone: tzinfo | None = None) -> FeedResult:
    """Fetch a feed, sending the validators of the last poll; a 304 returns no records."""
    headers = {}
    if etag:
        headers["If-None-Match"] = etag
    if last_modified:
        headers["If-Modified-Since"] = last_modified
    resp = fetcher.get(url, headers)
    if resp.status == 304:
        return FeedResult(etag=etag, last_modified=last_modified, not_modified=True)
    return FeedResult(parse_feed(resp.content, resp.url, resp.content_type, assume_zone),
                      resp.headers.get("etag"), resp.headers.get("last-modified"))
