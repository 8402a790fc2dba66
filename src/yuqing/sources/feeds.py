"""RSS and Atom feeds (RSSHub's output included), polled with conditional GET."""

from __future__ import annotations

import calendar
from dataclasses import dataclass, field
from datetime import datetime, timezone

import feedparser

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


def parse_feed(content: bytes, url: str, content_type: str = "") -> list[Raw | Quarantined]:
    """Return the entries of a feed document as records, or one quarantine entry if it is unreadable."""
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
        records.append(Raw(link or f"{url}#{i}", {
            # A link is the identity when there is one, so that the same article found through a
            # feed and through its page gets the same id; the GUID is the fallback.
            "id": None if link else (entry.get("id") or None),
            "url": link, "title": entry.get("title"), "text": body,
            "author": entry.get("author"), "published_at": _entry_time(entry),
            "source": feed_title,
        }))
    return records


def fetch_feed(url: str, fetcher: Fetcher, etag: str | None = None, last_modified: str | None = None) -> FeedResult:
    """Fetch a feed, sending the validators of the last poll; a 304 returns no records."""
    headers = {}
    if etag:
        headers["If-None-Match"] = etag
    if last_modified:
        headers["If-Modified-Since"] = last_modified
    resp = fetcher.get(url, headers)
    if resp.status == 304:
        return FeedResult(etag=etag, last_modified=last_modified, not_modified=True)
    return FeedResult(parse_feed(resp.content, resp.url, resp.content_type),
                      resp.headers.get("etag"), resp.headers.get("last-modified"))
