"""Bursts and lifecycle stages: counts in a sliding window against the series' own baseline.

An event is in outbreak (爆发) when the items of the last window are far more than its own
history predicts — a Poisson upper tail below `alpha` — and there are at least `min_count` of
them from at least `min_sources` different sources. A repost or comment counts `repost_weight`
of an original report: a hundred reposts of one post in an hour is as loud as a handful of
reports. The defaults were chosen on half of the CED Weibo cascades (bench/RESULTS.md) and are
settings.

Every signal carries its numbers: the window, the observed count, the baseline and the ratio.
"""

from __future__ import annotations

import math
from bisect import bisect_right
from dataclasses import dataclass, field
from itertools import accumulate
from typing import Sequence

import numpy as np

STAGES = {"latent": "潜伏", "outbreak": "爆发", "peak": "高峰", "decline": "消退"}


@dataclass(frozen=True)
class BurstParams:
    window_s: float = 3600.0
    min_count: float = 5.5         # weighted items in the window, past the first report
    min_sources: int = 2
    alpha: float = 1e-3
    prior_rate: float = 0.5        # the least baseline, in weighted items per window
    baseline_s: float = 24 * 3600  # history before the window that sets the baseline
    repost_weight: float = 1 / 15
    idle_s: float = 72 * 3600      # no item for this long: the event is declining whatever it did


def poisson_sf(k: float, lam: float) -> float:
    """P(X ≥ k) for X ~ Poisson(lam); k is rounded down (weighted counts are not integers)."""
    k = int(math.floor(k))
    if k <= 0:
        return 1.0
    if lam <= 0:
        return 0.0
    # P(X ≤ k-1) summed in log space; k is at most a few thousand here
    log_terms = [i * math.log(lam) - lam - math.lgamma(i + 1) for i in range(k)]
    top = max(log_terms)
    cdf = math.exp(top) * sum(math.exp(t - top) for t in log_terms)
    return max(0.0, 1.0 - cdf) if cdf < 0.999999 else _upper_tail(k, lam)


def _upper_tail(k: int, lam: float) -> float:
    """P(X ≥ k) summed upward, for tails too small for 1 − cdf."""
    log_p = k * math.log(lam) - lam - math.lgamma(k + 1)
    total, term, i = 0.0, math.exp(log_p), k
    while term > total * 1e-12 and i < k + 10_000:
        total += term
        i += 1
        term *= lam / i
    return total


@dataclass
class Series:
    """An event's items in time order: time, weight (1 or repost_weight) and source."""

    ts: list[float] = field(default_factory=list)
    weight: list[float] = field(default_factory=list)
    source: list[str] = field(default_factory=list)
    _cum: list[float] = field(default_factory=list)

    def add(self, ts: float, weight: float, source: str) -> None:
        self.ts.append(ts)
        self.weight.append(weight)
        self.source.append(source)
        self._cum.append((self._cum[-1] if self._cum else 0.0) + weight)

    @classmethod
    def of(cls, ts: Sequence[float], weight: Sequence[float], source: Sequence[str]) -> "Series":
        s = cls(list(ts), list(weight), list(source))
        s._cum = list(accumulate(s.weight))
        return s

    def total(self, start: float, end: float) -> float:
        """Weighted items with start < ts ≤ end."""
        i, j = bisect_right(self.ts, start), bisect_right(self.ts, end)
        return (self._cum[j - 1] if j else 0.0) - (self._cum[i - 1] if i else 0.0)

    def sources(self, start: float, end: float) -> int:
        i, j = bisect_right(self.ts, start), bisect_right(self.ts, end)
        return len(set(self.source[i:j]))


def burst_at(series: Series, at: float, p: BurstParams) -> dict | None:
    """The outbreak signal as of `at`, with its numbers, or None when there is none."""
    start = at - p.window_s
    observed = series.total(start, at)
    if series.ts and series.ts[0] > start:
        observed -= series.weight[0]     # the first report is the event's birth, not its spread
    if observed < p.min_count:
        return None
    first = series.ts[0] if series.ts else at
    if start - first >= p.baseline_s:
        # an event with a day of history is measured against it: loud all day is not a burst
        baseline = max(p.prior_rate, series.total(start - p.baseline_s, start) * p.window_s / p.baseline_s)
    else:
        # a young event has no history to speak of (its own first hours would hide its growth)
        baseline = p.prior_rate
    pvalue = poisson_sf(observed, baseline)
    sources = series.sources(start, at)
    if pvalue >= p.alpha or sources < p.min_sources:
        return None
    return {"kind": "burst", "window_s": p.window_s, "observed": round(observed, 2),
            "baseline": round(baseline, 2), "ratio": round(observed / baseline, 1),
            "p_value": float(f"{pvalue:.2g}"), "sources": sources}


def _arrays(series: Series) -> tuple[np.ndarray, np.ndarray]:
    """The series' times and running totals (a 0 before the first) as arrays."""
    return np.asarray(series.ts), np.concatenate(([0.0], np.asarray(series._cum)))


def _window_totals(arrays: tuple[np.ndarray, np.ndarray], ends: np.ndarray, window_s: float) -> np.ndarray:
    """series.total(end - window_s, end) for every end at once (the same sums of the same
    running totals, so the same floats)."""
    ts, cum = arrays
    return cum[np.searchsorted(ts, ends, "right")] - cum[np.searchsorted(ts, ends - window_s, "right")]


def first_outbreak(series: Series, p: BurstParams,
                   arrays: tuple[np.ndarray, np.ndarray] | None = None) -> tuple[float, dict] | None:
    """The first moment the outbreak signal holds (checked at each item, as a stream would).

    The windows are counted for all items at once; the Poisson tail (whose cost grows with the
    count) is taken only where it could be below alpha: a window with at least `min_count` and
    more than one below its baseline (a Poisson variable reaches its median, above λ − 1, half
    the time; an event of thousands, steady, has nearly every window so)."""
    if not series.ts:
        return None
    arrays = arrays or _arrays(series)
    ts = arrays[0]
    observed = _window_totals(arrays, ts, p.window_s)
    observed = np.where(ts[0] > ts - p.window_s, observed - series.weight[0], observed)
    maybe = observed >= p.min_count
    if p.alpha <= 0.5:
        start = ts - p.window_s
        history = start - ts[0] >= p.baseline_s
        before = _window_totals(arrays, start, p.baseline_s) * p.window_s / p.baseline_s
        baseline = np.where(history, np.maximum(p.prior_rate, before), p.prior_rate)
        maybe &= np.floor(observed) > baseline - 1.5
    for i in np.flatnonzero(maybe).tolist():
        signal = burst_at(series, series.ts[i], p)
        if signal is not None:
            return series.ts[i], signal
    return None


def stage_of(series: Series, as_of: float, p: BurstParams) -> dict:
    """Lifecycle stage as of `as_of`, with the numbers it rests on.

    潜伏 latent: never in outbreak. 爆发 outbreak: the signal holds now and the last window is
    louder than the one before. 高峰 peak: still at least half the loudest window. 消退 decline:
    quieter than that, or idle for `idle_s`.
    """
    now = series.total(as_of - p.window_s, as_of)
    before = series.total(as_of - 2 * p.window_s, as_of - p.window_s)
    upto = bisect_right(series.ts, as_of)
    ts = series.ts[:upto]
    arrays = _arrays(series)
    # loudest window so far: ending at some item's time (window counts change only there)
    peak = float(_window_totals(arrays, arrays[0][:upto], p.window_s).max()) if ts else 0.0
    # (the signal at an item's time reads only the items up to it: the items after as_of change none)
    if upto == len(series.ts):
        first = first_outbreak(series, p, arrays) if ts else None
    else:
        first = first_outbreak(Series.of(ts, series.weight[:upto], series.source[:upto]), p) if ts else None
    signal = burst_at(series, as_of, p)
    numbers = {"window_s": p.window_s, "last_window": round(now, 2), "window_before": round(before, 2),
               "peak_window": round(peak, 2),
               "first_outbreak_ts": first[0] if first else None}
    if ts and as_of - ts[-1] > p.idle_s:
        name = "decline" if first else "latent"
    elif first is None:
        name = "latent"
    elif signal is not None and now > before:
        name = "outbreak"
    elif now >= 0.5 * peak:
        name = "peak"
    else:
        name = "decline"
    return {"name": name, "label": STAGES[name], **numbers, "signal": signal}
