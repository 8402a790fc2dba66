"""Build a report's content from the store: a period report (日报, 周报, 月报) or an event's
special report (专报). The result is plain JSON-ready data — sections of statements, tables and
charts — that the renderers (DOCX, HTML, PDF) only lay out. The same store gives the same data:
nothing here reads the clock, and every list has a total order.

Every statement carries refs to the events and items it rests on. Text taken from items passes
through privacy.mask before it enters a report.
"""

from __future__ import annotations

from calendar import monthrange
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import orjson

from ..models import PLATFORM_LABELS, SENTIMENT_LABELS, utc_datetime
from ..privacy import mask

KINDS = {"daily": "日报", "weekly": "周报", "monthly": "月报", "special": "专报", "brief": "简报"}
LEVEL_NAMES = {"high": "高", "medium": "中", "low": "低"}
DRAFT_NOTE = "（以下为系统生成的初稿，请分析员核实、修改后签发。）"


# --- periods ---------------------------------------------------------------------------------

def period(kind: str, day: date, tz: ZoneInfo) -> dict[str, Any]:
    """The period a report of `kind` covers for the given day: that day; the Monday–Sunday week
    holding it; its calendar month. With the same length before it, for comparison."""
    if kind == "daily":
        start, end = day, day + timedelta(days=1)
        label = f"{day.year}年{day.month}月{day.day}日"
    elif kind == "weekly":
        start = day - timedelta(days=day.weekday())
        end = start + timedelta(days=7)
        last = end - timedelta(days=1)
        label = f"{start.year}年{start.month}月{start.day}日—{last.year}年{last.month}月{last.day}日"   # a week may cross the new year
    elif kind == "monthly":
        start = day.replace(day=1)
        end = start + timedelta(days=monthrange(start.year, start.month)[1])
        label = f"{start.year}年{start.month}月"
    else:
        raise ValueError(f"a period report is daily, weekly or monthly, not {kind!r}")

    def ts(d: date) -> int:
        return int(datetime(d.year, d.month, d.day, tzinfo=tz).timestamp())

    s, e = ts(start), ts(end)
    if kind == "monthly":
        prev_start = (start - timedelta(days=1)).replace(day=1)
        p = ts(prev_start)
    else:
        p = s - (e - s)
    return {"kind": kind, "start_ts": s, "end_ts": e, "label": label, "previous": {"start_ts": p, "end_ts": s}}


def last_complete(kind: str, now: datetime) -> date:
    """A day inside the last complete period before `now` (what the schedule reports on)."""
    today = now.date()
    if kind == "daily":
        return today - timedelta(days=1)
    if kind == "weekly":
        return today - timedelta(days=today.weekday() + 1)
    return today.replace(day=1) - timedelta(days=1)


# --- helpers -----------------------------------------------------------------------------------

def _when(ts: float, tz: ZoneInfo) -> str:
    t = utc_datetime(ts).astimezone(tz)
    return f"{t.month}月{t.day}日{t.hour:02d}:{t.minute:02d}"


def _change(now: int, before: int) -> str:
    if before == 0:
        return "上期无" if now else "与上期持平"
    pct = (now - before) / before * 100
    return f"较上期{'增加' if pct >= 0 else '减少'}{abs(pct):.1f}%"


def _share(n: int, total: int) -> str:
    return f"{n / total * 100:.1f}%" if total else "—"


def _excerpt(row: dict[str, Any], n: int = 60) -> str:
    text = (row.get("title") or row.get("text") or "").strip().replace("\n", " ")
    return mask(text[:n] + ("…" if len(text) > n else ""))


def _title(e: dict[str, Any]) -> str:
    return mask(e["title"]).strip().rstrip("。．.!！;；,，")


def ref_event(e: dict[str, Any]) -> dict[str, str]:
    return {"type": "event", "id": e["id"], "label": e["id"]}


def ref_item(item_id: str, label: str | None = None) -> dict[str, str]:
    return {"type": "item", "id": item_id, "label": label or "原文"}


def statement(text: str, *refs: dict[str, str]) -> dict[str, Any]:
    return {"text": text, "refs": [r for r in refs if r]}


def region_name(code: str | None) -> str:
    if not code:
        return ""
    from ..analysis.gazetteer import load_gazetteer

    g = load_gazetteer()
    place = g.places.get(code)
    if place is None:
        return code
    chain = [p.name for p in reversed(g.ancestors(code)) if p.level >= 2] + [place.name]
    return "".join(chain[-2:])          # 廊坊市广阳区


LEVELS = {"high": 2, "medium": 1, "low": 0}


def _negative_share(e: dict[str, Any]) -> float:
    overall = (e.get("sentiment") or {}).get("overall") or {}
    total = sum(overall.values())
    return overall.get("negative", 0) / total if total else 0.0


def _event_line(e: dict[str, Any], in_period: int | None, tz: ZoneInfo) -> dict[str, Any]:
    fr = e["first_report"]
    at = datetime.fromisoformat(fr["published_at"]).timestamp() if fr.get("published_at") else e["first_ts"]
    first = f"首发于{_when(at, tz)}（{mask(fr.get('source') or PLATFORM_LABELS.get(fr.get('platform'), fr.get('platform') or ''))}）"
    spread = f"共 {e['size']} 条、{e['source_count']} 个来源"
    if e.get("reposts"):
        spread += f"，转发评论 {e['reposts']} 条"
    if e.get("spread"):
        spread += f"，传播深度 {e['spread']['depth']}"
    risk = e["risk"]
    text = (f"{_title(e)}。{first}；{'期内 ' + str(in_period) + ' 条，' if in_period is not None else ''}{spread}；"
            f"处于{e['stage']['label']}阶段，热度 {e['heat']['value']}；风险{LEVEL_NAMES.get(risk['level'], risk['level'])}"
            + (f"（{'、'.join(risk.get('reasons') or [])}）" if risk.get("reasons") else "") + "。")
    return statement(text, ref_event(e), ref_item(fr["id"], "首发") if fr.get("id") else None)


def platform_series(rows, xs: list[int]) -> dict[str, list[int]]:
    """Store.volume rows → {platform: items in each bucket of xs}, busiest platform first (the
    overview's charts and the reports' volume chart)."""
    by: dict[str, dict[int, int]] = {}
    for b, platform, _sentiment, count in rows:
        buckets = by.setdefault(platform, {})
        buckets[int(b)] = buckets.get(int(b), 0) + count
    return {p: [by[p].get(x, 0) for x in xs] for p in sorted(by, key=lambda p: (-sum(by[p].values()), p))}


def _volume_chart(store, start: int, end: int, tz: ZoneInfo, title: str) -> tuple[dict[str, Any], list]:
    days = max(1, round((end - start) / 86400))
    bucket = 3600 if days <= 1 else 86400
    rows = store.volume(start, end, bucket)
    xs = [start + i * bucket for i in range((end - start) // bucket)]
    fmt = (lambda t: f"{datetime.fromtimestamp(t, tz).hour}时") if bucket == 3600 else \
        (lambda t: f"{datetime.fromtimestamp(t, tz).month}/{datetime.fromtimestamp(t, tz).day}")
    series = {PLATFORM_LABELS.get(p, p): counts for p, counts in platform_series(rows, xs).items()}
    return {"kind": "stacked_bar", "title": title, "x": [fmt(x) for x in xs], "series": series}, rows


# --- period reports ------------------------------------------------------------------------------

def build_period_report(store, kind: str, day: date, *, region: str | None, tz: ZoneInfo,
                        sla_minutes: float = 120.0, top_events: int = 8, as_of: float | None = None) -> dict[str, Any]:
    """`as_of`: when the report is made (the caller's clock); a period not over by then is
    labelled 「截至…」 and compared with the same stretch of the period before, not all of it."""
    from ..alerts.timeliness import timeliness

    per = period(kind, day, tz)
    s, e = per["start_ts"], per["end_ts"]
    ps, pe = per["previous"]["start_ts"], per["previous"]["end_ts"]
    if as_of is not None and s < as_of < e:
        t = utc_datetime(as_of).astimezone(tz)
        per["partial_until_ts"] = int(as_of)
        per["label"] += f"（截至{t.month}月{t.day}日{t.hour:02d}:{t.minute:02d}）"
        pe = min(pe, ps + (int(as_of) - s))        # like with like: the same hours of the period before
        per["previous"]["end_ts"] = pe
    place = region_name(region)
    summary = store.period_summary(s, e, keywords=60)
    before = store.period_summary(ps, pe, keywords=200, top_events=1)
    chart, rows = _volume_chart(store, s, e, tz, "各平台信息量")
    total = sum(r[3] for r in rows)
    prev_total = sum(r[3] for r in store.volume(ps, pe, pe - ps))
    by_platform: dict[str, int] = {}
    for _b, platform, _s, count in rows:
        by_platform[platform] = by_platform.get(platform, 0) + count
    sentiment = summary["by_sentiment"]
    relevant = summary["relevant"]
    neg = sentiment.get("negative", 0)
    prev_neg_share = (before["by_sentiment"].get("negative", 0) / before["relevant"]) if before["relevant"] else None

    # 一、总体态势
    platforms = "、".join(f"{PLATFORM_LABELS.get(p, p)} {n} 条" for p, n in sorted(by_platform.items(), key=lambda kv: (-kv[1], kv[0])))
    overall = [
        statement(f"{per['label']}，共采集网络信息 {total} 条，{_change(total, prev_total)}"
                  + ("（本期未结束，与上期同一时段相比）" if per.get("partial_until_ts") else "")
                  + f"；其中涉及{place or '本地'}的信息 "
                  f"{relevant} 条（去除转载与转发后 {summary['relevant_originals']} 条），{_change(relevant, before['relevant'])}。"),
        statement(f"按平台：{platforms or '无'}。"),
        statement(f"相关信息中，负面 {neg} 条（{_share(neg, relevant)}），中性 {sentiment.get('neutral', 0)} 条，"
                  f"正面 {sentiment.get('positive', 0)} 条。"),
    ]
    cats = "、".join(f"{c or '其他'} {n} 条" for c, n in summary["by_category"][:6])
    if cats:
        overall.append(statement(f"按类别：{cats}。"))
    sentiment_chart = {"kind": "pie", "title": "相关信息情感分布",
                       "labels": [SENTIMENT_LABELS[k] for k in SENTIMENT_LABELS if sentiment.get(k)],
                       "values": [sentiment[k] for k in SENTIMENT_LABELS if sentiment.get(k)]}

    # 二、重点舆情
    in_period = dict(summary["events"])
    records = [r for r in (store.get_event(ev) for ev in in_period) if r]
    records = {r["id"]: r for r in records}.values()        # merged ids point at the same record
    # 重点: what an analyst must look at first — risk, then how negative, then heat (publicity,
    # however hot, does not sit beside the fire)
    ranked = sorted(records, key=lambda r: (-LEVELS.get(r["risk"]["level"], 0), -round(_negative_share(r), 1),
                                            -r["heat"]["value"], -in_period.get(r["id"], 0), r["id"]))[:top_events]
    key_events = [_event_line(r, in_period.get(r["id"]), tz) for r in ranked]
    events_table = {"title": "重点事件", "columns": ["事件", "热度", "阶段", "期内信息", "来源", "风险"],
                    "rows": [[_title(r), r["heat"]["value"], r["stage"]["label"], in_period.get(r["id"], 0),
                              r["source_count"], LEVEL_NAMES.get(r["risk"]["level"], r["risk"]["level"])] for r in ranked],
                    "refs": [ref_event(r) for r in ranked]}

    # 三、热点话题与关键词
    prev_kw = dict(before["keywords"])
    kw_rows = [[k, n, prev_kw.get(k, 0), _change(n, prev_kw.get(k, 0)).replace("较上期", "")]
               for k, n in summary["keywords"][:20]]
    rising = [k for k, n in summary["keywords"] if n >= 5 and n >= 3 * max(prev_kw.get(k, 0), 1)]
    topics = [statement(f"期内相关信息出现最多的关键词：{'、'.join(k for k, _ in summary['keywords'][:10]) or '无'}。")]
    if rising:
        topics.append(statement(f"较上期明显上升的关键词：{'、'.join(rising[:8])}。"))

    # 四、负面与高风险信息
    high = summary["by_risk"].get("high", 0)
    risky = store.risky_items(s, e, 15)
    negative = [statement(f"负面信息 {neg} 条，占相关信息的 {_share(neg, relevant)}"
                          + (f"（上期 {prev_neg_share * 100:.1f}%）" if prev_neg_share is not None else "")
                          + f"；高风险信息 {high} 条，中风险 {summary['by_risk'].get('medium', 0)} 条。")]
    risky_table = {"title": "高风险信息", "columns": ["时间", "平台/来源", "内容", "风险原因"],
                   "rows": [], "refs": []}
    for r in risky:
        a = orjson.loads(r["analysis"]) if r.get("analysis") else {}
        risky_table["rows"].append([_when(r["published_ts"], tz), mask(r.get("source") or PLATFORM_LABELS.get(r["platform"], r["platform"])),
                                    _excerpt(r), "、".join((a.get("risk") or {}).get("reasons") or [])])
        risky_table["refs"].append(ref_item(r["id"]))

    # 五、处置情况
    alerts = store.alerts_between(s, e)
    t = timeliness(store, s, e, sla_minutes)
    by_level = {lv: sum(1 for a in alerts if a["level"] == lv) for lv in LEVEL_NAMES}
    handling = [statement(f"期内产生预警 {len(alerts)} 条（高 {by_level['high']}、中 {by_level['medium']}、低 {by_level['low']}），"
                          f"其中误报 {t['false_alarms']} 条，尚未办结 {t['open']} 条。",
                          *[ref_event({"id": a["event"]}) for a in alerts[:10] if a.get("event")])]
    closed = t["discovery_to_closed"]
    if closed["n"]:
        handling.append(statement(f"已办结 {closed['n']} 条，从发现到办结中位 {closed['median_min']} 分钟、"
                                  f"90% 在 {closed['p90_min']} 分钟内，{_share(round((t['closed_within_target'] or 0) * closed['n']), closed['n'])} "
                                  f"在 {int(sla_minutes)} 分钟时限内。"))
    if t["discovery_to_alert"]["n"]:
        handling.append(statement(f"从发现到预警中位 {t['discovery_to_alert']['median_min']} 分钟。"))

    # 六、研判与建议 (a starting text; the analyst edits it)
    advice = [statement(DRAFT_NOTE)]
    for r in ranked[:3]:
        if r["risk"]["level"] == "high" or r["stage"]["name"] in ("outbreak", "peak"):
            advice.append(statement(f"「{_title(r)}」处于{r['stage']['label']}阶段、风险{LEVEL_NAMES.get(r['risk']['level'])}，"
                                    f"建议相关部门及时发布权威信息、回应关切，并持续跟踪。", ref_event(r)))
    if prev_neg_share is not None and relevant and neg / relevant - prev_neg_share >= 0.05:
        advice.append(statement(f"负面信息占比较上期上升 {(neg / relevant - prev_neg_share) * 100:.1f} 个百分点，建议关注诉求集中的领域。"))
    if rising:
        advice.append(statement(f"关键词「{'、'.join(rising[:3])}」明显上升，建议研判是否形成新的热点。"))
    if t["open"]:
        advice.append(statement(f"尚有 {t['open']} 条预警未办结，建议督促相关部门按时限办理。"))
    if len(advice) == 1:
        advice.append(statement("期内网络舆情总体平稳，建议保持日常监测。"))

    title = f"{place}网络舆情{KINDS[kind]}" if place else f"网络舆情{KINDS[kind]}"
    return {
        "kind": kind, "title": title, "subtitle": per["label"], "region": {"code": region, "name": place},
        "period": per, "event": None,
        "figures": {"items": total, "items_previous": prev_total, "relevant": relevant, "negative": neg, "high_risk": high,
                    "alerts": len(alerts), "events": len(in_period)},
        "sections": [
            {"heading": "一、总体态势", "statements": overall, "charts": [chart, sentiment_chart], "tables": []},
            {"heading": "二、重点舆情", "statements": key_events or [statement("期内无重点事件。")], "charts": [],
             "tables": [events_table] if ranked else []},
            {"heading": "三、热点话题与关键词", "statements": topics,
             "charts": [{"kind": "wordcloud", "title": "期内热词", "words": summary["keywords"][:60]}] if len(summary["keywords"]) >= 5 else [],
             "tables": [{"title": "关键词", "columns": ["关键词", "期内", "上期", "变化"], "rows": kw_rows, "refs": []}] if kw_rows else []},
            {"heading": "四、负面与高风险信息", "statements": negative, "charts": [],
             "tables": [risky_table] if risky_table["rows"] else []},
            {"heading": "五、处置情况", "statements": handling, "charts": [], "tables": []},
            {"heading": "六、研判与建议", "statements": advice, "charts": [], "tables": [], "editable": True},
        ],
    }


# --- special reports ---------------------------------------------------------------------------

def timeline_chart(timeline: list) -> dict[str, Any]:
    """The event's items per hour with its quiet hours as 0 (a gap is not nothing); an event
    over more than three days per day instead (hundreds of bars read as none)."""
    from ..events.record import fill_hours

    hours = fill_hours(timeline, max_hours=100_000)
    if len(hours) <= 72:
        return {"kind": "bar", "title": "每小时信息量", "x": [h[5:].replace("T", " ") + "时" for h, _ in hours],
                "series": {"信息": [n for _, n in hours]}}
    days: dict[str, int] = {}
    for h, n in hours:
        days[h[:10]] = days.get(h[:10], 0) + n
    return {"kind": "bar", "title": "每日信息量", "x": [d[5:] for d in days], "series": {"信息": list(days.values())}}

def build_event_report(store, event_id: str, *, region: str | None, tz: ZoneInfo) -> dict[str, Any]:
    e = store.get_event(event_id)
    if e is None:
        raise KeyError(f"no event {event_id!r}")
    place = region_name(region)
    fr = e["first_report"]
    items = store.event_items([e["id"]]).get(e["id"], [])
    overview = [
        _event_line(e, None, tz),
        statement(f"涉及地点：{'、'.join(p['name'] for p in e.get('places') or []) or '未识别'}；类别：{e.get('category') or '其他'}；"
                  f"关键词：{'、'.join(e.get('keywords') or [])}。"),
    ]
    if fr.get("id"):
        first = next((r for r in items if r["id"] == fr["id"]), None)
        if first:
            overview.append(statement(f"首发内容：{_excerpt(first, 160)}", ref_item(first["id"], "首发")))
    timeline = e.get("timeline") or []
    course = [statement(f"事件于{_when(e['first_ts'], tz)}首次出现，最近一条在{_when(e['last_ts'], tz)}；"
                        f"当前处于{e['stage']['label']}阶段，热度 {e['heat']['value']}（规模、速度、互动、权威构成见附表）。")]
    signal = e["stage"].get("signal")
    if signal:
        course.append(statement(f"爆发信号：{signal['window_s'] // 60} 分钟内 {signal['observed']} 条，为基线 {signal['baseline']} 的 "
                                f"{signal['ratio']} 倍（p={signal['p_value']}，{signal['sources']} 个来源）。"))
    heat_table = {"title": "热度构成", "columns": ["部分", "数值", "得分", "权重"],
                  "rows": [[{"volume": "规模", "velocity": "速度", "engagement": "互动", "authority": "权威"}.get(k, k),
                            p["value"], p["score"], p["weight"]] for k, p in e["heat"]["parts"].items()], "refs": []}
    platforms = e.get("platforms") or {}
    spread = [statement("按平台：" + "、".join(f"{PLATFORM_LABELS.get(p, p)} {n} 条" for p, n in platforms.items()) + "。")]
    if e.get("spread"):
        sp = e["spread"]
        spread.append(statement(f"转发评论 {sp['reposts']} 条，传播深度 {sp['depth']}、广度 {sp['breadth']}，经公共账号传播的占 "
                                f"{sp['through_public_accounts'] * 100:.1f}%"
                                + (f"；关键节点：{'、'.join(n['name'] + '（' + str(n['reached']) + '）' for n in sp['key_nodes'])}" if sp.get("key_nodes") else "")
                                + "。"))
    if e.get("reprints"):
        rp = e["reprints"]
        spread.append(statement(f"相似转载 {rp['copies']} 条" + (f"，跟进的公共来源：{'、'.join(f['source'] for f in rp['followers'])}" if rp.get("followers") else "") + "。"))
    by_day = (e.get("sentiment") or {}).get("by_day") or {}
    attitude_rows = [[d, c.get("negative", 0), c.get("neutral", 0), c.get("positive", 0)] for d, c in by_day.items()]
    overall = (e.get("sentiment") or {}).get("overall") or {}
    attitude = [statement("情感分布：" + "、".join(f"{SENTIMENT_LABELS.get(k, k)} {v}" for k, v in sorted(overall.items())) + "。")] \
        if overall else [statement("暂无情感统计。")]
    risk = e["risk"]
    risky = [r for r in items if r.get("risk") == "high" and not r.get("duplicate_of")][:10]
    risk_st = [statement(f"风险等级：{LEVEL_NAMES.get(risk['level'], risk['level'])}（得分 {risk.get('score')}）；依据："
                         f"{'、'.join(risk.get('reasons') or []) or '无'}；高风险信息 {risk.get('high_items', 0)} 条。",
                         *[ref_item(r["id"]) for r in risky[:5]])]
    alerts = store.list_alerts(50, event=e["id"])
    handling = [statement(f"针对本事件产生预警 {len(alerts)} 条。")] if alerts else [statement("本事件未产生预警。")]
    for a in sorted(alerts, key=lambda a: a["id"]):
        case = store.get_case(a["case_id"]) if a.get("case_id") else None
        text = f"{_when(a['created_ts'], tz)} {LEVEL_NAMES.get(a['level'])}级预警（{a['rule']}）"
        if case:
            text += f"，工单 {case['id']} {case['state']}" + (f"，处置：{mask(case['response'])}" if case.get("response") else "")
        handling.append(statement(text + "。"))
    advice = [statement(DRAFT_NOTE)]
    if risk["level"] == "high" or e["stage"]["name"] in ("outbreak", "peak"):
        advice.append(statement("建议相关部门尽快核实情况，通过官方渠道发布权威信息，回应群众关切，并持续跟踪舆情走势。"))
    else:
        advice.append(statement("事件热度与风险可控，建议继续关注后续进展。"))
    title = f"关于「{_title(e)}」的舆情专报"
    return {
        "kind": "special", "title": title, "subtitle": f"{place or ''}网络舆情专报", "region": {"code": region, "name": place},
        "period": {"start_ts": e["first_ts"], "end_ts": e["last_ts"] + 1, "label": f"{_when(e['first_ts'], tz)}—{_when(e['last_ts'], tz)}"},
        "event": e["id"],
        "figures": {"items": e["size"], "sources": e["source_count"], "heat": e["heat"]["value"]},
        "sections": [
            {"heading": "一、事件概况", "statements": overview, "charts": [], "tables": []},
            {"heading": "二、发展过程", "statements": course,
             "charts": [timeline_chart(timeline)] if timeline else [], "tables": [heat_table]},
            {"heading": "三、传播情况", "statements": spread, "charts": [], "tables": []},
            {"heading": "四、舆论态度", "statements": attitude, "charts": [],
             "tables": [{"title": "每日情感", "columns": ["日期", "负面", "中性", "正面"], "rows": attitude_rows, "refs": []}] if attitude_rows else []},
            {"heading": "五、风险研判", "statements": risk_st, "charts": [], "tables": []},
            {"heading": "六、处置情况", "statements": handling, "charts": [], "tables": []},
            {"heading": "七、研判与建议", "statements": advice, "charts": [], "tables": [], "editable": True},
        ],
    }


# --- a 简报 of what an analyst ticked ---------------------------------------------------------

def build_brief_report(store, picked: dict[str, list[str]], *, region: str | None, tz: ZoneInfo) -> dict[str, Any]:
    """A 简报 made of the events and items an analyst ticked in the lists, in the order ticked:
    each event in one line (first report, size, stage, heat, risk), each item with its source,
    time and an excerpt, then the analyst's 研判与建议."""
    place = region_name(region)
    events = [e for e in (store.get_event(i) for i in picked.get("event") or []) if e]
    events = list({e["id"]: e for e in events}.values())          # two ticks of merged events are one
    rows = {r["id"]: r for r in store.get_items(picked.get("item") or [])}
    items = [rows[i] for i in picked.get("item") or [] if i in rows]
    if not events and not items:
        raise ValueError("简报素材为空：请先在信息或事件列表中勾选并“加入简报”")
    times = [e["first_ts"] for e in events] + [e["last_ts"] for e in events] + [r["published_ts"] for r in items]
    start, end = min(times), max(times)
    sections = []
    n = 0
    numerals = "一二三四五六七八九"
    if events:
        lines = [_event_line(e, None, tz) for e in events]
        sections.append({"heading": f"{numerals[n]}、重点事件", "statements": lines, "charts": [], "tables": []})
        n += 1
    if items:
        lines = []
        for r in items:
            who = mask(r.get("source") or "") or PLATFORM_LABELS.get(r["platform"], r["platform"])
            level = LEVEL_NAMES.get(r.get("risk") or "", "")
            tone = SENTIMENT_LABELS.get(r.get("sentiment") or "", "")
            tail = "，".join(x for x in (f"风险{level}" if level else "", tone) if x)
            lines.append(statement(f"{_when(r['published_ts'], tz)}，{who}：{_excerpt(r, 120)}" + (f"（{tail}）" if tail else "") + "。",
                                   ref_item(r["id"])))
        sections.append({"heading": f"{numerals[n]}、重点信息", "statements": lines, "charts": [], "tables": []})
        n += 1
    sections.append({"heading": f"{numerals[n]}、研判与建议", "statements": [statement(DRAFT_NOTE)], "charts": [], "tables": [],
                     "editable": True})
    first, last = utc_datetime(start).astimezone(tz), utc_datetime(end).astimezone(tz)
    label = f"{first.year}年{_when(start, tz)}—" + (f"{last.year}年" if last.year != first.year else "") + _when(end, tz)
    return {
        "kind": "brief", "title": f"{place}网络舆情简报" if place else "网络舆情简报",
        "subtitle": f"事件 {len(events)} 个、信息 {len(items)} 条", "region": {"code": region, "name": place},
        "period": {"start_ts": start, "end_ts": end + 1, "label": label},
        "figures": {"events": len(events), "items": len(items)},
        "picked": {"event": [e["id"] for e in events], "item": [r["id"] for r in items]},
        "sections": sections,
    }
