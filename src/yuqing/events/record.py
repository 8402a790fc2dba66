"""The event record: what an analyst reads about an event, built from its stored items.

Title, keywords, places, category, first report (首发), counts by platform and source, an hourly
timeline, sentiment by day, risk, spread, the lifecycle stage and heat (热度) with its parts.
Everything is recomputed from the items, so a record is always what its items say; heat and
stage depend on the time they are taken at (`as_of`).
"""

from __future__ import annotations

import heapq
import math
import sys
from bisect import bisect_right
from collections import Counter, OrderedDict
from datetime import datetime, timedelta
from functools import lru_cache
from operator import itemgetter
from typing import Any, Mapping, Sequence

import orjson

from ..models import beijing_iso, interactions
from .accounts import authority_of, classes_of
from .burst import BurstParams, Series, stage_of
from .spread import cascade, reprints

# heat: each part on a fixed log scale (so 0–100 means the same for every event and every day)
HEAT_PARTS = {            # weight, the value that scores 1
    "volume": (0.30, 1000),        # items
    "velocity": (0.25, 200),       # items in the last 24 h
    "engagement": (0.30, 100_000),  # likes + comments + reposts
    "authority": (0.15, 1.0),      # mean of the three most authoritative sources
}
LEVELS = {"low": 0, "medium": 1, "high": 2}


_BEIJING_S = 8 * 3600          # models.BEIJING is a fixed +8: a day or an hour is arithmetic


@lru_cache(maxsize=8192)
def _day(day_number: int) -> str:
    return beijing_iso(day_number * 86400 - _BEIJING_S)[:10]


def beijing_day(ts: float) -> str:
    """beijing_iso(ts)[:10] without a datetime per item (a rebuild reads every item of the event)."""
    return _day((math.floor(ts) + _BEIJING_S) // 86400)


def _interactions(metrics) -> int:
    return interactions(orjson.loads(metrics) if isinstance(metrics, str) else metrics) or 0


def hot_of(rows: Sequence[Mapping[str, Any]]) -> dict[str, Any] | None:
    """The event's best place on a hot list (its hot-list topics, sources/hotlist.py), or None."""
    best = None
    for r in rows:
        if "hotlist" not in (r.get("flags") or ""):
            continue
        m = r.get("metrics")
        m = orjson.loads(m) if isinstance(m, str) else (m or {})
        if m.get("best_rank") is None:
            continue
        here = {"list": r.get("source"), "title": r.get("title") or r.get("text"), "rank": m.get("rank"),
                "best_rank": m["best_rank"], "prev_best_rank": m.get("prev_best_rank"),
                "minutes_on_list": m.get("minutes_on_list"), "heat": m.get("heat")}
        if best is None or here["best_rank"] < best["best_rank"]:
            best = here
    return best


def heat(n: int, last_24h: int, engagement: int, authority: float) -> dict[str, Any]:
    """热度 0–100 with its parts: each part's raw value, its 0–1 score and its weight."""
    raw = {"volume": n, "velocity": last_24h, "engagement": engagement, "authority": round(authority, 2)}
    parts = {}
    for name, (weight, full) in HEAT_PARTS.items():
        value = raw[name]
        score = min(1.0, value / full) if name == "authority" else min(1.0, math.log1p(value) / math.log1p(full))
        parts[name] = {"value": value, "score": round(score, 3), "weight": weight}
    return {"value": round(100 * sum(p["score"] * p["weight"] for p in parts.values()), 1), "parts": parts}


@lru_cache(maxsize=65536)
def _hour(hour_ts: int) -> str:
    return beijing_iso(hour_ts)[:13]


def build(event_id: str, rows: Sequence[Mapping[str, Any]], as_of: float,
          configured: Mapping[str, float] | None = None, params: BurstParams | None = None) -> dict[str, Any]:
    """The record of an event from its items."""
    return Totals(configured).add(rows).record(event_id, as_of, params)


def _count(counts: dict, name, key) -> None:
    """One more of `name`, first seen at `key` (ties between counts go to the first seen)."""
    entry = counts.get(name)
    if entry is None:
        counts[name] = [1, key]
    else:
        entry[0] += 1
        if key < entry[1]:
            entry[1] = key


def _merge_counts(mine: dict, theirs: dict) -> None:
    for name, (n, key) in theirs.items():
        entry = mine.get(name)
        if entry is None:
            mine[name] = [n, key]
        else:
            entry[0] += n
            if key < entry[1]:
                entry[1] = key


def _top(counts: dict, n: int | None = None) -> list[tuple[Any, int]]:
    """[(name, count)] most first, ties in the order first seen (Counter.most_common over the
    items in time order)."""
    def order(kv):
        return -kv[1][0], kv[1][1]

    # (nsmallest is sorted()[:n] without sorting a big event's thousands of keywords)
    ranked = sorted(counts.items(), key=order) if n is None else heapq.nsmallest(n, counts.items(), key=order)
    return [(k, v[0]) for k, v in ranked]


def _in_order(counts: dict) -> dict:
    """{name: count} in the order first seen."""
    return {k: v[0] for k, v in sorted(counts.items(), key=lambda kv: kv[1][1])}


_LIGHT = ("published_ts", "id", "repost_of", "duplicate_of", "source", "author", "platform", "collector")


def _intern(value):
    return sys.intern(value) if isinstance(value, str) else value


class Totals:
    """An event's running totals: everything its record is made of, gathered item by item in
    any order, so that a record can be kept current from the items that joined since (issue 20:
    re-reading a big event's thousands of items for each few that joined made the cost per item
    grow with the store). The record is the same whatever the order the items came in: counts
    tie in the order first seen in time, as when built from the sorted items.

    What stays per item is one light tuple (time, id, links, source, platform) for the stage's
    series, the spread and reprints parts, which read every item."""

    def __init__(self, configured: Mapping[str, float] | None = None):
        self.configured = configured or {}
        self.rows: list[tuple] = []          # light rows (_LIGHT), in time order when `_sorted`
        self._sorted = True
        self.first: tuple | None = None      # (key, the first report's fields)
        self.titles: dict[int, list] = {}    # {hash of a title: [count, first key]}
        self.title: tuple | None = None      # (count, first key, the title most used)
        self.keywords: dict[str, list] = {}
        self.places: dict[str, list] = {}    # {code: [items, first key, name]}
        self.categories: dict[str, list] = {}
        self.hourly: Counter = Counter()
        self.sentiments: dict[str, list] = {}
        self.sentiment_days: dict[str, dict[str, list]] = {}
        self.platforms: dict[str, list] = {}
        self.sources: dict[str, list] = {}
        self.top_risk: tuple = (-1, 0.0, None, [])    # level, score, key, reasons
        self.high_items = 0
        self.authorities: list[float] = []   # the three highest
        self.reposts = self.copies = self.engagement = 0
        self.discovered: int | None = None
        self.last_ts = float("-inf")
        self.classes: set[tuple] = set()
        self.hot: tuple | None = None        # (best rank, key, the hot-list part)
        self._authority: dict[tuple, float] = {}

    @property
    def n(self) -> int:
        return len(self.rows)

    def add(self, rows: Sequence[Mapping[str, Any]]) -> "Totals":
        """Take in these items (stored rows: store.event_items)."""
        for r in rows:
            self._add(r)
        return self

    def _add(self, r: Mapping[str, Any]) -> None:
        a = r.get("analysis")
        a = orjson.loads(a) if isinstance(a, str) else (a or {})
        ts = r["published_ts"]
        light = tuple(_intern(r.get(k)) for k in _LIGHT)
        key = (ts, light[1])                # the order of the items: time, then id
        self.last_ts = max(self.last_ts, ts)
        if self.rows and key < self.rows[-1][:2]:
            self._sorted = False
        self.rows.append(light)
        if self.first is None or key < self.first[0]:
            self.first = (key, {k: r.get(k) for k in ("id", "source", "platform", "url", "published_ts", "title")}
                          | {"text": (r.get("text") or "")[:60]})
        if r.get("title"):
            # titles by their hash (most are distinct: a news event held every one), the best kept
            # whole; the best only changes to the title whose count or first time just moved
            title = r["title"]
            _count(self.titles, hash(title), key)
            n, first_seen = self.titles[hash(title)]
            if self.title is None or (-n, first_seen) < (-self.title[0], self.title[1]):
                self.title = (n, first_seen, title)
        for j, k in enumerate(dict.fromkeys(a.get("keywords") or ())):    # each once per item, in its order
            _count(self.keywords, sys.intern(k), (ts, light[1], j))
        for p in {p["code"]: p for p in a.get("places") or []}.values():
            entry = self.places.get(p["code"])
            if entry is None:
                self.places[p["code"]] = [1, key, p["name"]]
            else:
                entry[0] += 1
                if key < entry[1]:
                    entry[1], entry[2] = key, p["name"]
        _count(self.categories, r.get("category") or "其他", key)
        self.hourly[int(ts) // 3600 * 3600] += 1
        sentiment = r.get("sentiment") or "neutral"
        _count(self.sentiments, sentiment, key)
        _count(self.sentiment_days.setdefault(beijing_day(ts), {}), sentiment, key)
        level = LEVELS.get(r.get("risk") or "low", 0)
        score = (a.get("risk") or {}).get("score", 0.0)
        top = self.top_risk
        if (level, score) > top[:2] or ((level, score) == top[:2] and key < top[2]):
            self.top_risk = (level, score, key, (a.get("risk") or {}).get("reasons", []))
        self.high_items += level == 2
        if r.get("repost_of"):
            self.reposts += 1
        else:
            akey = (r.get("collector"), r.get("source"), r.get("platform"))
            if akey not in self._authority:
                self._authority[akey] = authority_of(r, self.configured)
            self.authorities = sorted(self.authorities + [self._authority[akey]], reverse=True)[:3]
            _count(self.sources, r.get("source") or r.get("author") or "?", key)
            self.classes.add((_intern(r.get("source") or ""), r.get("platform")))
        self.engagement += (r["interactions"] or 0) if "interactions" in r else _interactions(r.get("metrics"))
        if r.get("collected_ts"):
            c = int(r["collected_ts"])
            self.discovered = c if self.discovered is None else min(self.discovered, c)
        _count(self.platforms, r.get("platform") or "other", key)
        self.copies += bool(r.get("duplicate_of"))
        if "hotlist" in (r.get("flags") or ""):
            here = hot_of([r])
            if here is not None and (self.hot is None or (here["best_rank"], key) < self.hot[:2]):
                self.hot = (here["best_rank"], key, here)

    def merge(self, other: "Totals") -> bool:
        """Take in another event's totals (it merged into this one); False when the result cannot
        be told without the items (the most used title is one neither side had as its own)."""
        for mine, theirs in ((self.keywords, other.keywords), (self.categories, other.categories),
                             (self.sentiments, other.sentiments), (self.platforms, other.platforms),
                             (self.sources, other.sources), (self.titles, other.titles)):
            _merge_counts(mine, theirs)
        for day, counts in other.sentiment_days.items():
            _merge_counts(self.sentiment_days.setdefault(day, {}), counts)
        for code, (n, key, name) in other.places.items():
            entry = self.places.get(code)
            if entry is None:
                self.places[code] = [n, key, name]
            else:
                entry[0] += n
                if key < entry[1]:
                    entry[1], entry[2] = key, name
        self.hourly.update(other.hourly)
        self.rows.extend(other.rows)
        self._sorted = False
        if other.first is not None and (self.first is None or other.first[0] < self.first[0]):
            self.first = other.first
        mine, theirs = self.top_risk, other.top_risk
        if theirs[0] >= 0 and (theirs[:2] > mine[:2] or (theirs[:2] == mine[:2] and theirs[2] < mine[2])):
            self.top_risk = theirs
        self.high_items += other.high_items
        self.authorities = sorted(self.authorities + other.authorities, reverse=True)[:3]
        self.reposts += other.reposts
        self.copies += other.copies
        self.engagement += other.engagement
        if other.discovered is not None:
            self.discovered = other.discovered if self.discovered is None else min(self.discovered, other.discovered)
        self.last_ts = max(self.last_ts, other.last_ts)
        self.classes |= other.classes
        if other.hot is not None and (self.hot is None or other.hot[:2] < self.hot[:2]):
            self.hot = other.hot
        if not self.titles:
            return True
        best, (n, first_seen) = min(self.titles.items(), key=lambda kv: (-kv[1][0], kv[1][1]))
        known = {hash(t[2]): t[2] for t in (self.title, other.title) if t is not None}
        if best not in known:
            return False
        self.title = (n, first_seen, known[best])
        return True

    def _light(self) -> list[dict[str, Any]]:
        return [dict(zip(_LIGHT, t)) for t in self.rows]

    def record(self, event_id: str, as_of: float, params: BurstParams | None = None) -> dict[str, Any]:
        """The event's record taken at `as_of` (heat and stage depend on it)."""
        params = params or BurstParams()
        if not self._sorted:
            self.rows.sort(key=itemgetter(0, 1))
            self._sorted = True
        rows, first = self.rows, self.first[1]
        ts = [float(t[0]) for t in rows]
        series = Series.of(ts, [params.repost_weight if t[2] else 1.0 for t in rows],
                           [t[4] or t[5] or t[6] or "?" for t in rows])
        last_24h = bisect_right(ts, as_of) - bisect_right(ts, as_of - 86400)
        title = self.title[2] if self.title else (first.get("text") or "")[:40]
        category = next((c for c, _ in _top(self.categories) if c != "其他"), "其他")
        light = self._light() if self.reposts or self.copies else None
        level, score, _key, reasons = self.top_risk
        authorities = self.authorities
        found: set[str] = set()
        for name, platform in self.classes:
            found |= classes_of(name, platform)
        return {
            "id": event_id,
            "title": title,
            "size": len(rows),
            "first_ts": int(rows[0][0]),
            "last_ts": int(rows[-1][0]),
            "first_at": beijing_iso(rows[0][0]),
            "last_at": beijing_iso(rows[-1][0]),
            "as_of": beijing_iso(as_of),
            "keywords": [k for k, _ in _top(self.keywords, 8)],
            "places": [{"code": code, "name": name, "items": n} for code, (n, _k, name)
                       in sorted(self.places.items(), key=lambda kv: (-kv[1][0], -len(kv[0]), kv[0]))[:8]],
            "category": category,
            "discovered_ts": self.discovered,
            "source_classes": sorted(found),
            "first_report": {"id": first["id"], "source": first.get("source"), "platform": first.get("platform"),
                             "url": first.get("url"), "published_at": beijing_iso(first["published_ts"]),
                             "title": first.get("title") or first["text"][:60]},
            "platforms": dict(_top(self.platforms)),
            "sources": dict(_top(self.sources, 10)),
            "source_count": len(self.sources),
            "copies": self.copies,
            "reposts": self.reposts,
            "timeline": sorted([_hour(h), n] for h, n in self.hourly.items()),
            "sentiment": {"overall": _in_order(self.sentiments),
                          "by_day": {d: _in_order(c) for d, c in sorted(self.sentiment_days.items())}},
            "risk": {"level": ("low", "medium", "high")[level], "score": score, "reasons": reasons,
                     "high_items": self.high_items},
            "stage": stage_of(series, as_of, params),
            "heat": heat(len(rows), last_24h, self.engagement, sum(authorities) / len(authorities) if authorities else 0.0),
            "spread": cascade(light, self.configured) if self.reposts else None,
            "reprints": reprints(light) if self.copies else None,
            "hot": self.hot[2] if self.hot else None,
        }


def fill_hours(points: list, carry: bool = False, max_hours: int = 24 * 30) -> list[tuple[str, int]]:
    """[("2026-11-28T03", n), …] with the hours between that had nothing put back (0, or the
    last value for a running total), so that a chart's gaps read as quiet hours, not as nothing."""
    if not points:
        return []
    fmt = "%Y-%m-%dT%H"
    have = {h: n for h, n in points}
    start = datetime.strptime(points[0][0], fmt)
    hours = int((datetime.strptime(points[-1][0], fmt) - start).total_seconds() // 3600) + 1
    if hours > max_hours:            # a months-long event: its own points only
        return [(h, n) for h, n in points]
    out, last = [], 0
    for i in range(hours):
        h = (start + timedelta(hours=i)).strftime(fmt)
        last = have.get(h, last if carry else 0)
        out.append((h, last))
    return out


class TotalsCache:
    """The running totals of the events whose records are kept current from their new items,
    the most recently rebuilt first, holding at most `max_items` items in all (a bound that does
    not grow with the store: an event pushed out is read whole from the store next time)."""

    def __init__(self, max_items: int):
        self.max_items = max_items
        self.items = 0
        self._by_event: OrderedDict[str, Totals] = OrderedDict()

    def __contains__(self, event_id: str) -> bool:
        return event_id in self._by_event

    def __len__(self) -> int:
        return len(self._by_event)

    def take(self, event_id: str) -> Totals | None:
        """Its totals, out of the cache (put them back once they are current)."""
        totals = self._by_event.pop(event_id, None)
        if totals is not None:
            self.items -= totals.n
        return totals

    def put(self, event_id: str, totals: Totals) -> None:
        """Keep these totals, pushing out the least recently kept to make room."""
        self.take(event_id)
        if totals.n > self.max_items:
            return
        self._by_event[event_id] = totals
        self.items += totals.n
        while self.items > self.max_items:
            _gone, old = self._by_event.popitem(last=False)
            self.items -= old.n

    def drop(self, event_ids) -> None:
        for eid in event_ids:
            self.take(eid)

    def clear(self) -> None:
        self._by_event.clear()
        self.items = 0
