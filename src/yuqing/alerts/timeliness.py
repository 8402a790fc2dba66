"""Timeliness (the budget's "从发现到处理 ≤ 2 小时"): discovery → alert, alert → 已研判, and
discovery → 已办结, as median and p90 over the alerts of a period, with the counts behind them."""

from __future__ import annotations

from statistics import median
from typing import Any


def _p90(values: list[float]) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(round(0.9 * (len(values) - 1))))]


def _summary(values: list[float]) -> dict[str, Any]:
    if not values:
        return {"n": 0, "median_min": None, "p90_min": None, "max_min": None}
    return {"n": len(values), "median_min": round(median(values) / 60, 1), "p90_min": round(_p90(values) / 60, 1),
            "max_min": round(max(values) / 60, 1)}


def rule_figures(store, start_ts: float, end_ts: float) -> list[dict[str, Any]]:
    """Per rule: alerts, how many were judged false alarms (误报), and their share among the
    assessed ones — what tuning a rule starts from."""
    out = []
    for rule, states in sorted(store.rule_outcomes(start_ts, end_ts).items()):
        total = sum(states.values())
        false = states.get("误报", 0)
        assessed = total - states.get("待研判", 0)
        out.append({"rule": rule, "alerts": total, "false_alarms": false, "assessed": assessed,
                    "false_alarm_share": round(false / assessed, 3) if assessed else None})
    return out


def timeliness(store, start_ts: float, end_ts: float, target_min: float = 120.0) -> dict[str, Any]:
    """Figures for the alerts created in [start, end)."""
    rows = store.timeliness_rows(start_ts, end_ts)
    to_alert = [r["created_ts"] - r["discovered_ts"] for r in rows if r["discovered_ts"]]
    to_judged = [r["judged_ts"] - r["created_ts"] for r in rows if r["judged_ts"]]
    closed = [r for r in rows if r["state"] == "已办结" and r["closed_ts"]]
    to_closed = [r["closed_ts"] - (r["discovered_ts"] or r["created_ts"]) for r in closed]
    return {
        "alerts": len(rows),
        "false_alarms": sum(1 for r in rows if r["state"] == "误报"),
        "open": sum(1 for r in rows if r["state"] not in ("已办结", "误报")),
        "discovery_to_alert": _summary(to_alert),
        "alert_to_assessed": _summary(to_judged),
        "discovery_to_closed": _summary(to_closed),
        "closed_within_target": round(sum(1 for v in to_closed if v <= target_min * 60) / len(to_closed), 3)
        if to_closed else None,
        "target_min": target_min,
    }
