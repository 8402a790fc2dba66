"""The event record: what an analyst reads about an event, built from its stored items.

Title, keywords, places, category, first report (首发), counts by platform and source, an hourly
timeline, sentiment by day, risk, spread, the lifecycle stage and heat (热度) with its parts.
Everything is recomputed from the items, so a record is always what its items say; heat and
stage depend on the time they are taken at (`as_of`).
"""

from __future__ import annotations

import math
from collections import Counter
from datetime import datetime, timedelta
from functools import lru_cache
from typing import Any, Mapping, Sequence

import orjson

from ..models import beijing_iso, interactions
from .accounts import authority_of, source_classes
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
    """The record of an event from its items (oldest first).

    One pass over the items gathers every count (a rebuild of a big event reads thousands: each
    part in a loop of its own cost several times as much); the spread, reprints and hot-list
    parts read the items they need themselves."""
    configured = configured or {}
    params = params or BurstParams()
    rows = sorted(rows, key=lambda r: (r["published_ts"], r["id"]))
    first = rows[0]
    titles: Counter = Counter()
    keywords: Counter = Counter()
    places: dict[str, dict] = {}
    categories: Counter = Counter()
    hourly: Counter = Counter()
    sentiments: Counter = Counter()
    sentiment_days: dict[str, Counter] = {}
    platforms: Counter = Counter()
    sources: Counter = Counter()
    top_risk, high_items = (-1, 0.0, {}), 0
    s_ts, s_weight, s_source = [], [], []
    authorities, reposts, copies, last_24h, engagement = [], 0, 0, 0, 0
    discovered = None
    authority_cache: dict[tuple, float] = {}
    for r in rows:
        a = r.get("analysis")
        a = orjson.loads(a) if isinstance(a, str) else (a or {})
        ts = r["published_ts"]
        if r.get("title"):
            titles[r["title"]] += 1
        keywords.update(dict.fromkeys(a.get("keywords") or ()).keys())   # each once per item
        for p in {p["code"]: p for p in a.get("places") or []}.values():
            places.setdefault(p["code"], {"code": p["code"], "name": p["name"], "items": 0})["items"] += 1
        categories[r.get("category") or "其他"] += 1
        hourly[int(ts) // 3600 * 3600] += 1
        sentiment = r.get("sentiment") or "neutral"
        sentiments[sentiment] += 1
        sentiment_days.setdefault(beijing_day(ts), Counter())[sentiment] += 1
        level = LEVELS.get(r.get("risk") or "low", 0)
        score = (a.get("risk") or {}).get("score", 0.0)
        if (level, score) > top_risk[:2]:
            top_risk = (level, score, a)
        high_items += level == 2
        repost = bool(r.get("repost_of"))
        s_ts.append(float(ts))
        s_weight.append(params.repost_weight if repost else 1.0)
        s_source.append(r.get("source") or r.get("author") or r.get("platform") or "?")
        if repost:
            reposts += 1
        else:
            key = (r.get("collector"), r.get("source"), r.get("platform"))
            if key not in authority_cache:
                authority_cache[key] = authority_of(r, configured)
            authorities.append(authority_cache[key])
            sources[r.get("source") or r.get("author") or "?"] += 1
        if as_of - 86400 < ts <= as_of:
            last_24h += 1
        engagement += (r["interactions"] or 0) if "interactions" in r else _interactions(r.get("metrics"))
        if r.get("collected_ts"):
            discovered = int(r["collected_ts"]) if discovered is None else min(discovered, int(r["collected_ts"]))
        platforms[r.get("platform") or "other"] += 1
        copies += bool(r.get("duplicate_of"))
    title = titles.most_common(1)[0][0] if titles else (first.get("text") or "")[:40]
    category = next((c for c, _ in categories.most_common() if c != "其他"), "其他")
    series = Series.of(s_ts, s_weight, s_source)
    authorities = sorted(authorities, reverse=True)[:3]
    return {
        "id": event_id,
        "title": title,
        "size": len(rows),
        "first_ts": int(first["published_ts"]),
        "last_ts": int(rows[-1]["published_ts"]),
        "first_at": beijing_iso(first["published_ts"]),
        "last_at": beijing_iso(rows[-1]["published_ts"]),
        "as_of": beijing_iso(as_of),
        "keywords": [k for k, _ in keywords.most_common(8)],
        "places": sorted(places.values(), key=lambda p: (-p["items"], -len(p["code"]), p["code"]))[:8],
        "category": category,
        "discovered_ts": discovered,
        "source_classes": source_classes(rows),
        "first_report": {"id": first["id"], "source": first.get("source"), "platform": first.get("platform"),
                         "url": first.get("url"), "published_at": beijing_iso(first["published_ts"]),
                         "title": first.get("title") or (first.get("text") or "")[:60]},
        "platforms": dict(platforms.most_common()),
        "sources": dict(sources.most_common(10)),
        "source_count": len(sources),
        "copies": copies,
        "reposts": reposts,
        "timeline": sorted([_hour(h), n] for h, n in hourly.items()),
        "sentiment": {"overall": dict(sentiments),
                      "by_day": {d: dict(c) for d, c in sorted(sentiment_days.items())}},
        "risk": {"level": ("low", "medium", "high")[top_risk[0]], "score": top_risk[1],
                 "reasons": (top_risk[2].get("risk") or {}).get("reasons", []),
                 "high_items": high_items},
        "stage": stage_of(series, as_of, params),
        "heat": heat(len(rows), last_24h, engagement, sum(authorities) / len(authorities) if authorities else 0.0),
        "spread": cascade(rows, configured) if reposts else None,
        "reprints": reprints(rows) if copies else None,
        "hot": hot_of(rows),
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
