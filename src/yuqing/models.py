"""The nouns that flow between stages."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from typing import Any

import orjson

PLATFORMS = ("news", "weibo", "wechat", "forum", "video", "complaint", "blog", "other")
# how pages and reports name them
PLATFORM_LABELS = {"news": "新闻", "weibo": "微博", "wechat": "微信", "forum": "论坛", "video": "视频",
                   "complaint": "投诉", "blog": "博客", "other": "其他"}
SENTIMENT_LABELS = {"negative": "负面", "neutral": "中性", "positive": "正面"}
BEIJING = timezone(timedelta(hours=8), "Asia/Shanghai")


# Every datetime can be shown in any zone between these (a day inside Python's year 1 … 9999).
_TS_MIN = datetime(1, 1, 2, tzinfo=timezone.utc).timestamp()
_TS_MAX = datetime(9999, 12, 30, tzinfo=timezone.utc).timestamp()


METRIC_KEYS = ("comments", "likes", "reposts", "views")   # the item contract's four counts


def stored_metrics(metrics: dict[str, Any] | None) -> str | None:
    """An item's counts as the store keeps them: the known ones only, NULL when none is (most
    news and imports: the four nulls took 58 bytes of every such item)."""
    known = {k: v for k, v in (metrics or {}).items() if v is not None}
    return orjson.dumps(known, option=orjson.OPT_SORT_KEYS).decode() if known else None


def metrics_of(stored: str | dict | None) -> dict[str, Any]:
    """Stored counts as the item contract shows them: the four keys always, null when unknown."""
    known = orjson.loads(stored) if isinstance(stored, str) else (stored or {})
    return {k: None for k in METRIC_KEYS} | known


def interactions(metrics: dict[str, Any] | None) -> int | None:
    """Likes + comments + reposts (an event's engagement, the list's 互动量); None when none is known."""
    if not metrics:
        return None
    known = [int(metrics[k]) for k in ("likes", "comments", "reposts") if metrics.get(k) is not None]
    return sum(known) if known else None


def utc_datetime(ts: float) -> datetime:
    """Epoch seconds as an aware UTC datetime; a stored time outside what Python can show is
    clamped to its edge instead of failing every page and report that shows it."""
    ts = float(ts)
    if not math.isfinite(ts):
        ts = 0.0
    return datetime.fromtimestamp(min(max(ts, _TS_MIN), _TS_MAX), timezone.utc)


def beijing_iso(ts: float) -> str:
    """Epoch seconds as a Beijing-time ISO string (to the second)."""
    return utc_datetime(ts).astimezone(BEIJING).isoformat(timespec="seconds")


class SkipItem(Exception):
    """A permanent failure: the input is quarantined with this reason and the run goes on."""

    def __init__(self, reason: str, detail: str = ""):
        super().__init__(f"{reason}: {detail}" if detail else reason)
        self.reason = reason
        self.detail = detail


# The flag of an item from one of the region's own sources (区融媒, the office's 12345 export):
# it involves the region unless its text clearly names another (DESIGN §4).
LOCAL_SOURCE = "local-source"


@dataclass(slots=True)
class Item:
    """One collected article, post, thread, comment or complaint, normalised (DESIGN §3)."""

    id: str
    text: str                       # as published, HTML removed, original script kept
    text_sc: str                    # simplified-Chinese form used for matching and search
    platform: str
    published_at: datetime          # timezone-aware
    collected_at: datetime
    content_hash: str
    url: str | None = None          # canonical URL (tracking parameters dropped)
    source: str | None = None
    author: str | None = None
    title: str | None = None
    title_sc: str | None = None
    metrics: dict[str, int | None] = field(default_factory=dict)
    repost_of: str | None = None
    flags: list[str] = field(default_factory=list)   # e.g. "time-missing", "traditional"
    origin: str | None = None       # where it came from: a source name or FILE:LINE
    reply_to: str | None = None     # a comment's parent comment (repost_of is the post it is under)
    media: list[dict[str, str]] = field(default_factory=list)   # [{"kind": "image", "url": …}]: evidence

    def to_json(self) -> dict[str, Any]:
        """Return the item in the contract's JSON shape (times in Beijing time)."""
        return {
            "id": self.id, "url": self.url, "platform": self.platform, "source": self.source,
            "author": self.author, "title": self.title, "text": self.text,
            "published_at": self.published_at.astimezone(BEIJING).isoformat(),
            "collected_at": self.collected_at.astimezone(BEIJING).isoformat(),
            "metrics": self.metrics, "repost_of": self.repost_of, "reply_to": self.reply_to,
            "media": self.media, "flags": self.flags,
        }


@dataclass(slots=True)
class Raw:
    """One input record before normalisation, with where it came from (FILE:LINE or URL)."""

    origin: str
    record: Any


@dataclass(slots=True)
class Quarantined:
    """Input that could not be ingested, with why and where it came from."""

    reason: str
    origin: str                     # FILE:LINE, a URL, or a source name
    detail: str = ""
    raw: str | bytes | None = None   # may be cut; then raw_len says how long the input was
    raw_len: int | None = None


@dataclass
class Report:
    """What one ingest run did: counts by outcome and quarantine reasons."""

    read: int = 0
    added: int = 0
    updated: int = 0
    duplicates: int = 0             # same id or same content already stored (or twice in the input)
    published: int = 0              # server mode: put on the bus for the analyse workers
    quarantined: dict[str, int] = field(default_factory=dict)

    def quarantine(self, reason: str, n: int = 1) -> None:
        self.quarantined[reason] = self.quarantined.get(reason, 0) + n

    def merge(self, other: "Report") -> None:
        self.read += other.read
        self.added += other.added
        self.updated += other.updated
        self.duplicates += other.duplicates
        self.published += other.published
        for reason, n in other.quarantined.items():
            self.quarantine(reason, n)

    def as_dict(self) -> dict[str, Any]:
        return {"read": self.read, "added": self.added, "updated": self.updated,
                "duplicates": self.duplicates, "quarantined": dict(self.quarantined)} | (
                    {"published": self.published} if self.published else {})
