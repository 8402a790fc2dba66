"""绩效自评: the budget's indicator table, measured from the store for a year or any period.

| 一级 | 二级 | 三级 | 分值 | 目标 | measured as |
|---|---|---|---|---|---|
| 产出 | 数量 | 舆情信息采集、分析、报送数量 | 20 | ≥500 条 | relevant originals collected and analysed in the period |
| 产出 | 时效 | 从发现到处置时间 | 20 | ≤2 小时 | median discovery → 已办结 over the cases of the period (p90 shown) |
| 产出 | 质量 | 涉及本地舆情覆盖率 | 20 | ≥80% | relevant / (relevant + rejected × miss rate of an audited random sample of rejected items), 95% interval |
| 满意度 | 服务对象满意度 | 报告使用者满意度 | 20 | ≥80% | share of report ratings of 4 or 5 |
| 效益 | 社会效益 | 网络生态环境 | 10 | 持续改善 | analyst-written, scored by the evaluator |
| 效益 | 可持续影响 | 长效机制 | 10 | 长期发挥作用 | analyst-written, scored by the evaluator |

Scoring (stated in the table itself): a measured indicator scores in proportion to how far it
reached its target, capped at its weight (timeliness: weight × 120 / median when the median is
over 2 h); no data scores 0 and says why. The two narrative indicators score what the evaluator
entered.
"""

from __future__ import annotations

import math
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from ..privacy import defuse_formula

TARGET_ITEMS = 500
TARGET_MINUTES = 120.0
TARGET_COVERAGE = 0.80
TARGET_SATISFACTION = 0.80
NARRATIVE = {"ecology": ("效益指标", "社会效益指标", "网络生态环境", 10, "网络生态持续改善"),
             "sustainability": ("效益指标", "可持续影响指标", "舆情工作长效机制", 10, "长期发挥作用")}


def wilson(k: int, n: int, z: float = 1.96) -> tuple[float, float]:
    """The Wilson score interval of a proportion k/n."""
    if n == 0:
        return 0.0, 1.0
    p = k / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    return max(0.0, centre - half), min(1.0, centre + half)


def kpi_label(period: str, scheme: dict | None) -> str:
    """The label a period's self-evaluation, audit sample and notes are kept under: the period
    ("2026") for the store's first scheme, "KEY:2026" for another (each scheme its own)."""
    return period if scheme is None or scheme["id"] == 1 else f"{scheme['key']}:{period}"


def coverage_estimate(relevant: int, rejected: int, judged: int, missed: int) -> dict[str, Any]:
    """Coverage of what involves the region: the scheme's relevant items against those plus the
    estimated misses among the rejected (their share from the audited sample), with the 95%
    interval carried through from the sample's miss rate."""
    if judged == 0:
        return {"coverage": None, "low": None, "high": None, "miss_rate": None}
    rate = missed / judged
    lo, hi = wilson(missed, judged)

    def cov(r: float) -> float:
        total = relevant + rejected * r
        return relevant / total if total else 1.0

    return {"coverage": round(cov(rate), 4), "low": round(cov(hi), 4), "high": round(cov(lo), 4),
            "miss_rate": round(rate, 4), "estimated_missed": round(rejected * rate)}


def _proportional(weight: float, ratio: float | None) -> float:
    return 0.0 if ratio is None else round(weight * max(0.0, min(1.0, ratio)), 2)


def evaluate(store, start_ts: int, end_ts: int, period: str, sample: str | None = None,
             sla_minutes: float = TARGET_MINUTES) -> dict[str, Any]:
    """The indicator table for [start, end); `period` names it (its notes and audit sample)."""
    from ..alerts.timeliness import timeliness

    rows = []
    counts = store.period_counts(start_ts, end_ts)
    n = counts["relevant_originals"]
    rows.append({"key": "quantity", "level1": "产出指标", "level2": "数量指标", "level3": "舆情信息采集、分析、报送数量",
                 "weight": 20, "target": f"≥{TARGET_ITEMS} 条", "actual": f"{n} 条",
                 "score": _proportional(20, n / TARGET_ITEMS),
                 "basis": f"期内发布并实时采集 {counts['collected']} 条、分析 {counts['analysed']} 条，其中涉及本地（去重）{n} 条；"
                          f"期内开始的事件 {counts['events']} 个"
                          + (f"；另有事后补采的期内信息 {counts['backfill']} 条（涉及本地 {counts['backfill_relevant']} 条），"
                             f"不计入本期工作量" if counts.get("backfill") else "")})
    t = timeliness(store, start_ts, end_ts, sla_minutes)
    closed = t["discovery_to_closed"]
    if closed["n"]:
        med = closed["median_min"]
        score = 20.0 if med <= TARGET_MINUTES else round(20 * TARGET_MINUTES / med, 2)
        actual = f"中位 {med} 分钟，P90 {closed['p90_min']} 分钟"
        basis = (f"已办结工单 {closed['n']} 件，{round((t['closed_within_target'] or 0) * 100, 1)}% 在 {int(sla_minutes)} 分钟内；"
                 f"预警 {t['alerts']} 条，误报 {t['false_alarms']} 条，未办结 {t['open']} 条")
    else:
        score, actual, basis = 0.0, "无数据", "期内没有已办结的工单"
    rows.append({"key": "timeliness", "level1": "产出指标", "level2": "时效指标", "level3": "从发现到处置时间",
                 "weight": 20, "target": "≤2 小时", "actual": actual, "score": score, "basis": basis,
                 "median_min": closed.get("median_min"), "p90_min": closed.get("p90_min")})
    rel = store.count_relevance(start_ts, end_ts)
    audit = [a for a in store.coverage_sample(sample or period) if a["involves"] is not None]
    missed = sum(1 for a in audit if a["involves"] == 1)
    cov = coverage_estimate(rel["relevant"], rel["rejected"], len(audit), missed)
    if cov["coverage"] is None:
        actual, basis = "未核查", "没有已核查的抽样（方案判为无关的信息中随机抽取，由分析员逐条核实）"
    else:
        actual = f"{cov['coverage'] * 100:.1f}%（95% 区间 {cov['low'] * 100:.1f}%–{cov['high'] * 100:.1f}%）"
        basis = (f"方案判为相关 {rel['relevant']} 条、无关 {rel['rejected']} 条；抽查无关信息 {len(audit)} 条，"
                 f"其中实际涉及本地 {missed} 条（漏判率 {cov['miss_rate'] * 100:.1f}%），估计漏判 {cov['estimated_missed']} 条")
    rows.append({"key": "coverage", "level1": "产出指标", "level2": "质量指标", "level3": "涉及本地舆情覆盖率",
                 "weight": 20, "target": "≥80%", "actual": actual, "basis": basis, **cov,
                 "score": _proportional(20, cov["coverage"] / TARGET_COVERAGE if cov["coverage"] is not None else None)})
    ratings = store.feedback(start_ts, end_ts)
    happy = sum(1 for r in ratings if r["rating"] >= 4)
    share = happy / len(ratings) if ratings else None
    rows.append({"key": "satisfaction", "level1": "满意度指标", "level2": "服务对象满意度指标", "level3": "报告使用者满意度",
                 "weight": 20, "target": "≥80%", "actual": f"{share * 100:.1f}%" if share is not None else "无评价",
                 "score": _proportional(20, share / TARGET_SATISFACTION if share is not None else None),
                 "basis": f"报告评价 {len(ratings)} 条，满意（4–5 分）{happy} 条" if ratings else "期内没有报告评价",
                 "ratings": len(ratings)})
    notes = store.kpi_notes(period)
    for key, (l1, l2, l3, weight, target) in NARRATIVE.items():
        note = notes.get(key) or {}
        score = note.get("score")
        rows.append({"key": key, "level1": l1, "level2": l2, "level3": l3, "weight": weight, "target": target,
                     "actual": note.get("text") or "（待填写）",
                     "score": round(max(0.0, min(float(weight), float(score))), 2) if score is not None else 0.0,
                     "basis": f"由 {note['by']} 填写" if note.get("by") else "分析员撰写、评价人打分"})
    total = round(sum(r["score"] for r in rows), 2)
    return {"period": period, "start_ts": start_ts, "end_ts": end_ts, "rows": rows, "total": total, "weight": 100}


def year_period(year: int, tz: ZoneInfo) -> tuple[int, int]:
    return int(datetime(year, 1, 1, tzinfo=tz).timestamp()), int(datetime(year + 1, 1, 1, tzinfo=tz).timestamp())


COLUMNS = ["一级指标", "二级指标", "三级指标", "分值", "年度目标", "实际完成", "得分", "依据"]


def table_rows(ev: dict[str, Any]) -> list[list[Any]]:
    out = [[r["level1"], r["level2"], r["level3"], r["weight"], r["target"], r["actual"], r["score"], r["basis"]]
           for r in ev["rows"]]
    out.append(["合计", "", "", ev["weight"], "", "", ev["total"], ""])
    return out


def to_xlsx(ev: dict[str, Any], title: str) -> bytes:
    import io

    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font

    wb = Workbook()
    ws = wb.active
    ws.title = "绩效自评"
    ws.append([title])
    ws["A1"].font = Font(bold=True, size=14)
    ws.append(COLUMNS)
    for row in table_rows(ev):
        ws.append([defuse_formula(v) for v in row])   # a leader's note is text, never a formula
    for col, width in zip("ABCDEFGH", (10, 16, 24, 6, 14, 30, 8, 60)):
        ws.column_dimensions[col].width = width
    for row in ws.iter_rows(min_row=2):
        for cell in row:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def to_docx(ev: dict[str, Any], title: str) -> bytes:
    """The table as the office files it: a DOCX through the report renderer's layout."""
    from .render import render

    report = {"kind": "kpi", "title": title, "subtitle": ev["period"],
              "period": {"start_ts": ev["start_ts"], "end_ts": ev["end_ts"]},
              "sections": [{"heading": "绩效自评表", "statements": [
                  {"text": f"总分 {ev['total']} 分（满分 {ev['weight']} 分）。", "refs": []}],
                  "charts": [], "tables": [{"title": "绩效指标", "columns": COLUMNS, "rows": table_rows(ev), "refs": []}]}]}
    return render(report, "docx")
