"""Hot lists (微博热搜, newsnow's lists, TrendRadar's database): snapshots of ranked topics.

A hot list is not a stream of posts: each poll is a snapshot, and what matters is a topic's place
on it over time. One item per topic and list (`hot:LIST:digest of its title`: newsnow's ids change
with the rank, so the title is the identity); each snapshot adds a row to the store's rank series
(`hot_ranks`), and the item carries what the series says in its metrics: `rank` now, `best_rank`,
`prev_best_rank` (before this snapshot: the 上榜/升榜 alert rule fires when a topic reaches a
rank), `heat`, `minutes_on_list`; it is dated when it entered the list.

Formats, as the tools write them:
- `weibo`: weibo.com/ajax/side/hotSearch — `data.realtime[]` with `word`, `note`, `num`
  (heat), `realpos` (rank), `label_name`; advertisements (`is_ad`) are left out.
- `newsnow`: newsnow's `/api/s?id=…` — `items[]` in rank order with `title`, `url`,
  `extra.hover` / `extra.info`; TrendRadar reads the same API.
- TrendRadar's SQLite output (`output/news/YYYY-MM-DD.db`): `news_items`, `rank_history`
  (rank 0: off the list), `platforms` — imported as the series it recorded.
"""

from __future__ import annotations

import json
import re
import sqlite3
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Iterable, Iterator

from ..ingest import BEIJING, decode_bytes, parse_count, parse_time, short_hash, to_simplified
from ..models import Quarantined, Raw
from .files import is_sqlite

FORMATS = ("weibo", "newsnow")
LIST_NAMES = {"weibo": "微博热搜", "zhihu": "知乎热榜", "baidu": "百度热搜", "douyin": "抖音热榜",
              "toutiao": "今日头条", "bilibili-hot-search": "哔哩哔哩热搜", "thepaper": "澎湃新闻",
              "ifeng": "凤凰网", "wallstreetcn-hot": "华尔街见闻", "cls-hot": "财联社", "tieba": "百度贴吧"}


@dataclass
class Entry:
    rank: int
    title: str
    url: str | None = None
    heat: int | None = None
    note: str | None = None


@dataclass
class Snapshot:
    list_key: str                 # weibo, zhihu … (newsnow's id), for the topic ids
    list_name: str                # 微博热搜: the items' source
    ts: int                       # when the list looked like this (epoch seconds)
    entries: list[Entry] = field(default_factory=list)


def topic_id(list_key: str, title: str) -> str:
    """The topic's id on its list: its words, not its rank (which changes every hour)."""
    words = re.sub(r"[\s#]+", "", to_simplified(title)).lower()
    return f"hot:{list_key}:{short_hash(words)}"


def parse_snapshot(content: bytes, fmt: str, ts: int, list_key: str | None = None) -> Snapshot:
    """One fetched hot list; ValueError (with a Chinese reason) when it is not that format."""
    try:
        doc = json.loads(decode_bytes(content)[0])
    except (ValueError, RecursionError) as exc:
        raise ValueError(f"热榜不是有效的 JSON：{exc}") from None
    if not isinstance(doc, dict):
        raise ValueError("热榜 JSON 不是对象")
    if fmt == "weibo":
        rows = (doc.get("data") or {}).get("realtime") if isinstance(doc.get("data"), dict) else None
        if not isinstance(rows, list):
            raise ValueError("不是微博热搜的格式（缺少 data.realtime）")
        snap = Snapshot(list_key or "weibo", LIST_NAMES["weibo"], ts)
        rank = 0
        for row in rows:
            if not isinstance(row, dict) or row.get("is_ad") or not (row.get("word") or row.get("note")):
                continue
            rank += 1
            word = str(row.get("word") or row.get("note"))
            snap.entries.append(Entry(int(row.get("realpos") or rank), word,
                                      f"https://s.weibo.com/weibo?q=%23{word}%23",
                                      parse_count(row.get("num")), row.get("label_name") or None))
        return snap
    if fmt == "newsnow":
        rows = doc.get("items")
        if doc.get("status") not in ("success", "cache") or not isinstance(rows, list):
            raise ValueError(f"不是 newsnow 的格式（status={doc.get('status')!r}）")
        key = list_key or str(doc.get("id") or "newsnow")
        updated = doc.get("updatedTime")
        if isinstance(updated, (int, float)) and updated > 1e9:
            ts = int(updated / 1000 if updated > 1e11 else updated)
        snap = Snapshot(key, LIST_NAMES.get(key, key), ts)
        seen: set[str] = set()
        for row in rows:
            if not isinstance(row, dict) or not isinstance(row.get("title"), str) or not row["title"].strip():
                continue
            title = row["title"].strip()
            if title in seen:          # the same topic twice in one list: its first place counts
                continue
            seen.add(title)
            extra = row.get("extra") if isinstance(row.get("extra"), dict) else {}
            heat = parse_count(re.sub(r"[^\d.万亿wk]", "", str(extra.get("info") or ""))) if extra.get("info") else None
            snap.entries.append(Entry(len(seen), title, row.get("url") or row.get("mobileUrl") or None, heat,
                                      (extra.get("hover") or "").strip() or None))
        return snap
    raise ValueError(f"未知的热榜格式 {fmt!r}；可用：{', '.join(FORMATS)}")


def records(snapshot: Snapshot, store, platform: str = "other") -> list[Raw]:
    """Store the snapshot's ranks and return one record per topic, with what its series says."""
    ids = [topic_id(snapshot.list_key, e.title) for e in snapshot.entries]
    before = store.hot_summary(ids)
    store.record_hot_ranks([(i, snapshot.list_name, snapshot.ts, e.rank, e.heat) for i, e in zip(ids, snapshot.entries)])
    after = store.hot_summary(ids)
    out = []
    for item_id, e in zip(ids, snapshot.entries):
        s, prev = after.get(item_id) or {}, before.get(item_id) or {}
        out.append(Raw(f"{snapshot.list_name}#{e.rank}@{snapshot.ts}", {
            "id": item_id, "platform": platform, "source": snapshot.list_name,
            "title": e.title, "text": e.note or e.title, "url": e.url,
            "published_at": s.get("first_ts", snapshot.ts),
            "metrics": {"rank": e.rank, "best_rank": s.get("best_rank", e.rank), "heat": e.heat,
                        "prev_best_rank": prev.get("best_rank"),
                        "minutes_on_list": (s.get("last_ts", snapshot.ts) - s.get("first_ts", snapshot.ts)) // 60},
            "flags": ["hotlist"],
        }))
    return out


# --- TrendRadar's SQLite output -------------------------------------------------------------

def is_trendradar(path: Path) -> bool:
    if not is_sqlite(path):
        return False
    try:
        con = sqlite3.connect(f"file:{path.resolve()}?mode=ro", uri=True)
        try:
            names = {n for (n,) in con.execute("SELECT name FROM sqlite_master WHERE type='table'")}
        finally:
            con.close()
    except sqlite3.Error:
        return False
    return {"news_items", "rank_history", "platforms"} <= names


def _trendradar_ts(day: str, value: str) -> int | None:
    """TrendRadar writes crawl times as `HH:MM` or `HH-MM` (its database is one per day) or whole."""
    value = (value or "").strip()
    if re.fullmatch(r"\d{1,2}[:\-]\d{2}", value):
        value = f"{day} {value.replace('-', ':')}"
    got = parse_time(value, datetime.now(BEIJING) + timedelta(days=1), BEIJING)
    return int(got.timestamp()) if got else None


def trendradar_snapshots(path: Path) -> Iterator[Snapshot | Quarantined]:
    """The snapshots a TrendRadar database recorded (its rank_history), oldest first."""
    con = sqlite3.connect(f"file:{path.resolve()}?mode=ro", uri=True)
    try:
        day = re.search(r"\d{4}-\d{2}-\d{2}", path.name)
        names = dict(con.execute("SELECT id, name FROM platforms"))
        rows = con.execute(
            "SELECT n.platform_id, n.title, n.url, n.crawl_date, h.rank, h.crawl_time "
            "FROM rank_history h JOIN news_items n ON n.id = h.news_item_id WHERE h.rank > 0 "
            "ORDER BY h.crawl_time, n.platform_id, h.rank").fetchall()
    finally:
        con.close()
    snaps: dict[tuple[str, str], Snapshot] = {}
    for platform_id, title, url, crawl_date, rank, crawl_time in rows:
        when = _trendradar_ts(crawl_date or (day.group(0) if day else ""), crawl_time)
        if when is None:
            yield Quarantined("bad-time", f"{path}#{platform_id}", f"TrendRadar 抓取时间无法识别：「{crawl_time}」")
            continue
        snap = snaps.setdefault((crawl_time, platform_id), Snapshot(
            platform_id, LIST_NAMES.get(platform_id, names.get(platform_id) or platform_id), when))
        snap.entries.append(Entry(int(rank), title, url or None))
    yield from sorted(snaps.values(), key=lambda s: (s.ts, s.list_key))


def import_trendradar(path: Path, store, platform: str = "other") -> Iterable[Raw | Quarantined]:
    for snap in trendradar_snapshots(path):
        if isinstance(snap, Quarantined):
            yield snap
        else:
            yield from records(snap, store, platform)
