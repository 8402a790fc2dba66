"""What the overview and the event page show, as data and as ECharts options.

Counts come from the store's narrow indexes (one query per chart). Rising keywords, sensitive
trends and the town/street breakdown read a week of analyses (JSON), which at a million items
takes seconds: they are computed in a background thread and the page shows the latest result
with its time, never waiting for it.
"""

from __future__ import annotations

import threading
import time
from collections import Counter
from datetime import datetime
from typing import Any, Callable

import orjson

from ..events.record import fill_hours
from ..models import BEIJING, PLATFORM_LABELS, SENTIMENT_LABELS
from ..reports.build import platform_series

SENTIMENT_COLOURS = {"negative": "#c23531", "neutral": "#8c9aa8", "positive": "#2f9e44"}


class Background:
    """The latest value of `compute()`, refreshed in a thread when older than `ttl_s`; readers
    never wait (before the first result they get None)."""

    def __init__(self, compute: Callable[[], Any], ttl_s: float = 300.0):
        self.compute, self.ttl_s = compute, ttl_s
        self.value: Any = None
        self.at = 0.0
        self.error: str | None = None
        self._lock = threading.Lock()
        self._running = False

    def get(self) -> tuple[Any, float]:
        if time.time() - self.at > self.ttl_s:
            self.refresh()
        return self.value, self.at

    def refresh(self, wait: bool = False) -> None:
        with self._lock:
            if self._running:
                return
            self._running = True
        thread = threading.Thread(target=self._run, name="yuqing-dashboard", daemon=True)
        thread.start()
        if wait:
            thread.join()

    def _run(self) -> None:
        try:
            self.value, self.error = self.compute(), None
        except Exception as exc:  # shown on the page; the next refresh tries again
            self.error = f"{type(exc).__name__}: {exc}"
        finally:
            self.at = time.time()
            self._running = False


def day_start(ts: float) -> int:
    d = datetime.fromtimestamp(ts, BEIJING).replace(hour=0, minute=0, second=0, microsecond=0)
    return int(d.timestamp())


def volume_chart(rows, start: int, buckets: int, bucket_s: int, label: Callable[[int], str]) -> dict[str, Any]:
    """Stacked bars of items per bucket by platform."""
    xs = [start + i * bucket_s for i in range(buckets)]
    series = [{"name": PLATFORM_LABELS.get(p, p), "type": "bar", "stack": "v", "data": counts}
              for p, counts in platform_series(rows, xs).items()]
    return {"tooltip": {"trigger": "axis"}, "legend": {"top": 0}, "grid": {"left": 40, "right": 10, "bottom": 24, "top": 30},
            "xAxis": {"type": "category", "data": [label(x) for x in xs]}, "yAxis": {"type": "value", "minInterval": 1},
            "series": series}


def sentiment_chart(rows) -> dict[str, Any]:
    count = Counter()
    for _b, _platform, sentiment, n in rows:
        if sentiment:
            count[sentiment] += n
    return {"tooltip": {"trigger": "item"}, "legend": {"bottom": 0},
            "series": [{"type": "pie", "radius": ["40%", "70%"],
                        "data": [{"name": SENTIMENT_LABELS[k], "value": count[k], "itemStyle": {"color": SENTIMENT_COLOURS[k]}}
                                 for k in SENTIMENT_LABELS if count[k]]}]}


def bar_chart(pairs: list[tuple[str, int]], name: str) -> dict[str, Any]:
    pairs = list(reversed(pairs))
    return {"tooltip": {}, "grid": {"left": 90, "right": 20, "top": 10, "bottom": 20},
            "xAxis": {"type": "value", "minInterval": 1}, "yAxis": {"type": "category", "data": [p[0] for p in pairs]},
            "series": [{"type": "bar", "name": name, "data": [p[1] for p in pairs]}]}


def overview(store, clock: float) -> dict[str, Any]:
    """Volume by platform (24 h by hour, 7 d by day) and the sentiment split of the 7 days, of
    what involves the region: with broad feeds, everything collected would swamp it."""
    hour0 = int(clock) // 3600 * 3600 - 23 * 3600
    hours = store.volume(hour0, hour0 + 24 * 3600, 3600, relevant_only=True)
    day0 = day_start(clock) - 6 * 86400
    days = store.volume(day0, day0 + 7 * 86400, 86400, relevant_only=True)
    return {
        "hours": volume_chart(hours, hour0, 24, 3600, lambda t: datetime.fromtimestamp(t, BEIJING).strftime("%H时")),
        "days": volume_chart(days, day0, 7, 86400, lambda t: datetime.fromtimestamp(t, BEIJING).strftime("%m-%d")),
        "sentiment": sentiment_chart(days),
        "items_24h": sum(r[3] for r in hours), "items_7d": sum(r[3] for r in days),
        "negative_7d": sum(r[3] for r in days if r[2] == "negative"),
    }


def trends(store, clock: float, region: str | None) -> dict[str, Any]:
    """Rising keywords, sensitive trends and relevant items by town/street over the last 7 days."""
    from ..events.trends import TrendParams, rising_keywords, sensitive_trends

    p = TrendParams()
    rows = store.analysed_between(clock - p.window_s - p.baseline_days * 86400, clock)
    towns, names, words = Counter(), {}, Counter()
    week = clock - 7 * 86400
    for r in rows:
        if r["published_ts"] <= week:
            continue
        seen = set()
        analysis = orjson.loads(r["analysis"]) if r["analysis"] else {}
        words.update(set(analysis.get("keywords") or ()))
        for place in analysis.get("places") or []:
            code = place["code"]
            if len(code) >= 9 and (region is None or code.startswith(region)):
                town = code[:9]
                if len(code) == 9:
                    names[town] = place["name"]
                seen.add(town)
        towns.update(seen)
    if towns:
        from ..analysis.gazetteer import load_gazetteer

        gazetteer = load_gazetteer()
        for code in towns:
            if code not in names:
                place = gazetteer.places.get(code)
                names[code] = place.name if place else code
    return {"rising": rising_keywords(rows, clock, p, limit=15), "sensitive": sensitive_trends(rows, clock, p, limit=10),
            "towns": [(names[c], n) for c, n in towns.most_common(12)], "as_of": clock,
            "words": [(w, n) for w, n in words.most_common(WORDS) if n >= 2]}


WORDS = 60     # the word cloud's words: the commonest keywords of the week's relevant items


def word_cloud(pairs: list[tuple[str, int]]) -> dict[str, Any]:
    """ECharts options of a word cloud (the echarts-wordcloud extension)."""
    return {"tooltip": {}, "series": [{
        "type": "wordCloud", "shape": "circle", "left": "center", "top": "center", "width": "96%", "height": "96%",
        "sizeRange": [12, 44], "rotationRange": [0, 0], "gridSize": 6, "drawOutOfBound": False,
        "textStyle": {"fontFamily": "Noto Sans CJK SC, Microsoft YaHei, PingFang SC, sans-serif"},
        "data": [{"name": w, "value": n, "textStyle": {"color": PALETTE[i % len(PALETTE)]}} for i, (w, n) in enumerate(pairs)]}]}


PALETTE = ["#1f3a5f", "#b00020", "#2f7d32", "#b36b00", "#4e79a7", "#76448a", "#00796b", "#5d4037"]


def event_charts(e: dict[str, Any]) -> dict[str, Any]:
    """Timeline, sentiment by day and the spread of one event record."""
    timeline = fill_hours(e.get("timeline") or [])
    charts = {"timeline": {
        "tooltip": {"trigger": "axis"}, "grid": {"left": 40, "right": 10, "top": 20, "bottom": 40},
        "xAxis": {"type": "category", "data": [h.replace("T", " ") + "时" for h, _ in timeline]},
        "yAxis": {"type": "value", "minInterval": 1},
        "dataZoom": [{"type": "inside"}] if len(timeline) > 48 else [],
        "series": [{"type": "bar", "name": "信息", "data": [n for _, n in timeline]}]}}
    by_day = (e.get("sentiment") or {}).get("by_day") or {}
    if by_day:
        charts["sentiment"] = {
            "tooltip": {"trigger": "axis"}, "legend": {"top": 0}, "grid": {"left": 40, "right": 10, "top": 30, "bottom": 24},
            "xAxis": {"type": "category", "data": list(by_day)}, "yAxis": {"type": "value", "minInterval": 1},
            "series": [{"type": "bar", "stack": "s", "name": SENTIMENT_LABELS[k], "itemStyle": {"color": SENTIMENT_COLOURS[k]},
                        "data": [c.get(k, 0) for c in by_day.values()]} for k in SENTIMENT_LABELS]}
    spread = e.get("spread")
    if spread:
        over = fill_hours(spread.get("size_over_time") or [], carry=True)
        charts["spread"] = {
            "tooltip": {"trigger": "axis"}, "legend": {"top": 0},
            "grid": [{"left": 40, "right": "55%", "top": 30, "bottom": 30}, {"left": "55%", "right": 10, "top": 30, "bottom": 30}],
            "xAxis": [{"type": "category", "gridIndex": 0, "data": [h.replace("T", " ") + "时" for h, _ in over]},
                      {"type": "category", "gridIndex": 1, "name": "层级",
                       "data": [str(d) for d in range(len(spread.get("by_depth") or []))]}],
            "yAxis": [{"type": "value", "gridIndex": 0}, {"type": "value", "gridIndex": 1, "minInterval": 1}],
            "series": [{"type": "line", "name": "累计转发评论", "data": [n for _, n in over], "xAxisIndex": 0, "yAxisIndex": 0},
                       {"type": "bar", "name": "各层级信息", "data": spread.get("by_depth") or [], "xAxisIndex": 1, "yAxisIndex": 1}]}
    return charts


def related_events(store, e: dict[str, Any], limit: int = 5) -> list[dict[str, Any]]:
    """Other events of the last 30 days sharing a town/village or several keywords with this one."""
    places = {p["code"] for p in e.get("places") or [] if len(p.get("code", "")) >= 9}
    words = set(e.get("keywords") or [])
    scored = []
    for other in store.event_briefs(int(e["last_ts"]) - 30 * 86400, 300):
        if other["id"] == e["id"]:
            continue
        shared_places = places & set(other["places"])
        shared_words = words & set(other["keywords"])
        if shared_places or len(shared_words) >= 2:
            scored.append((2 * len(shared_places) + len(shared_words), other["heat"] or 0, other, sorted(shared_words)))
    scored.sort(key=lambda s: (-s[0], -s[1]))
    return [{"event": o, "shared": w} for _, _, o, w in scored[:limit]]


class TTLCache:
    """Values kept for `ttl_s` seconds (the overview's counts: a minute-old count is still true
    enough, and recounting a week of items for every page view is not needed)."""

    def __init__(self, ttl_s: float):
        self.ttl_s = ttl_s
        self.values: dict[Any, tuple[float, Any]] = {}
        self._lock = threading.Lock()

    def get(self, key: Any, compute: Callable[[], Any]) -> Any:
        hit = self.values.get(key)
        if hit is not None and time.time() - hit[0] < self.ttl_s:
            return hit[1]
        value = compute()
        with self._lock:
            self.values = {k: v for k, v in self.values.items() if time.time() - v[0] < self.ttl_s}
            self.values[key] = (time.time(), value)
        return value

    def forget(self, kind: str) -> None:
        """Drop the values whose key is a tuple starting with `kind` (a person's change is seen at once)."""
        with self._lock:
            self.values = {k: v for k, v in self.values.items() if not (isinstance(k, tuple) and k[:1] == (kind,))}


def schemes_overview(store, schemes: list[dict], clock: float) -> list[dict[str, Any]]:
    """全部方案: one line per scheme — what it involved in the last 7 days, the negatives and the
    high-risk among them, its open alerts, and the 7 days one by one (the trend). Each from a
    narrow index (the list's count for high risk)."""
    day0 = day_start(clock) - 6 * 86400
    out = []
    for row in schemes:
        view = store.scoped(row["id"])
        days = view.volume(day0, day0 + 7 * 86400, 86400, relevant_only=True)
        per_day = Counter()
        for b, _platform, _sentiment, n in days:
            per_day[b] += n
        from ..store.sql import ListQuery

        high = view.count_list(ListQuery(scheme=row["id"], since_ts=day0)).get("high", 0)
        out.append({"scheme": row, "items_7d": sum(r[3] for r in days),
                    "negative_7d": sum(r[3] for r in days if r[2] == "negative"), "high": high,
                    "open_alerts": len(view.list_alerts(1000, state="open")),
                    "trend": [per_day.get(day0 + i * 86400, 0) for i in range(7)]})
    return out
