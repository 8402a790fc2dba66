"""Trends over the whole stream: rising keywords, and the rising sensitive share of a place or category.

Both compare the last window (24 h by default) with the days before it — each keyword, place or
category against its own baseline — and every signal carries its numbers.
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from dataclasses import dataclass
from typing import Any, Iterable, Mapping

import orjson

from .burst import poisson_sf


@dataclass(frozen=True)
class TrendParams:
    window_s: float = 86400.0
    baseline_days: float = 7.0
    min_count: int = 5             # items with the keyword in the window
    min_sources: int = 2
    alpha: float = 1e-3
    prior_rate: float = 0.5        # least expected count per window
    min_group: int = 5             # items of a place or category in the window
    min_sensitive: int = 3
    min_z: float = 3.0


def _split(rows: Iterable[Mapping[str, Any]], as_of: float, p: TrendParams):
    start = as_of - p.window_s
    now, before = [], []
    for r in rows:
        ts = r["published_ts"]
        if start < ts <= as_of:
            now.append(r)
        elif start - p.baseline_days * 86400 < ts <= start:
            before.append(r)
    first = min((r["published_ts"] for r in before), default=start)
    # windows of history actually held (a new store has less than baseline_days)
    windows = max(1.0, (start - first) / p.window_s) if before else 0.0
    return now, before, windows


def _analysis(r: Mapping[str, Any]) -> dict:
    a = r.get("analysis")
    return orjson.loads(a) if isinstance(a, (str, bytes)) else (a or {})


def rising_keywords(rows: Iterable[Mapping[str, Any]], as_of: float, p: TrendParams = TrendParams(),
                    limit: int = 20) -> list[dict[str, Any]]:
    """Keywords far more frequent in the last window than their own history predicts."""
    now, before, windows = _split(rows, as_of, p)
    count, sources = Counter(), defaultdict(set)
    for r in now:
        for k in dict.fromkeys(_analysis(r).get("keywords") or []):
            count[k] += 1
            sources[k].add(r.get("source") or r.get("author") or r["id"])
    history = Counter(k for r in before for k in dict.fromkeys(_analysis(r).get("keywords") or []) if k in count)
    out = []
    for k, c in count.items():
        if c < p.min_count or len(sources[k]) < p.min_sources:
            continue
        expected = max(p.prior_rate, history[k] / windows) if windows else p.prior_rate
        pvalue = poisson_sf(c, expected)
        if pvalue < p.alpha:
            out.append({"keyword": k, "observed": c, "baseline": round(expected, 2), "ratio": round(c / expected, 1),
                        "p_value": float(f"{pvalue:.2g}"), "sources": len(sources[k]), "window_s": p.window_s})
    out.sort(key=lambda s: (-s["ratio"], -s["observed"], s["keyword"]))
    return out[:limit]


def _sensitive(r: Mapping[str, Any]) -> bool:
    return r.get("sentiment") == "negative" or r.get("risk") == "high"


def sensitive_trends(rows: Iterable[Mapping[str, Any]], as_of: float, p: TrendParams = TrendParams(),
                     place_names: Mapping[str, str] | None = None, limit: int = 20) -> list[dict[str, Any]]:
    """Places (town/street level and below) and categories whose share of negative or high-risk
    items rose against their own history (a one-sided test of the share, z ≥ `min_z`)."""
    now, before, _ = _split(rows, as_of, p)
    names = dict(place_names or {})

    def groups(r) -> set[str]:
        out = {f"category:{r.get('category') or '其他'}"}
        for place in _analysis(r).get("places") or []:
            if len(place["code"]) >= 9:
                out.add(f"place:{place['code']}")
                names.setdefault(place["code"], place["name"])
        return out

    tally: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0, 0])   # n, sensitive now; n, sensitive before
    for part, offset in ((now, 0), (before, 2)):
        for r in part:
            hot = _sensitive(r)
            for g in groups(r):
                tally[g][offset] += 1
                tally[g][offset + 1] += hot
    out = []
    for g, (n, k, n0, k0) in tally.items():
        if n < p.min_group or k < p.min_sensitive:
            continue
        base = (k0 + 1) / (n0 + 2)          # smoothed: a place never seen before starts at ½
        share = k / n
        z = (share - base) / math.sqrt(base * (1 - base) / n)
        if z >= p.min_z:
            kind, key = g.split(":", 1)
            out.append({"kind": kind, "key": key, "name": names.get(key, key) if kind == "place" else key,
                        "observed_share": round(share, 3), "baseline_share": round(base, 3),
                        "ratio": round(share / base, 2), "items": n, "sensitive": k,
                        "baseline_items": n0, "z": round(z, 2), "window_s": p.window_s})
    out.sort(key=lambda s: (-s["z"], s["key"]))
    return out[:limit]
