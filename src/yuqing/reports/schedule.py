"""Scheduled reports: `yuqing run` makes each period's report once, after its time (08:00 for the
day before, Monday 08:30 for the week before, the 1st 09:00 for the month before, by default),
and queues it to `report_channels` through the alerts' outbox — so a channel that is down gets it
when it is back, and a restart neither loses nor repeats it."""

from __future__ import annotations

import time
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from ..settings import Settings, SettingsError
from .build import KINDS, last_complete, period

# periods passed over because the store was not collecting then (checked once per process)
_NOT_WATCHED: set[tuple[int, str, int]] = set()
WEEKDAYS = {"mon": 0, "tue": 1, "wed": 2, "thu": 3, "fri": 4, "sat": 5, "sun": 6}


def _hhmm(text: str, name: str) -> tuple[int, int]:
    try:
        h, m = (int(x) for x in text.split(":"))
        if 0 <= h < 24 and 0 <= m < 60:
            return h, m
    except ValueError:
        pass
    raise SettingsError(f"{name} = {text!r}: the time is HH:MM")


def last_trigger(kind: str, spec: str, now: datetime) -> datetime | None:
    """The latest moment ≤ now at which the schedule `spec` fires (None: no schedule)."""
    spec = (spec or "").strip().lower()
    if not spec:
        return None
    name = f"report_{kind}_at"
    if kind == "daily":
        h, m = _hhmm(spec, name)
        t = now.replace(hour=h, minute=m, second=0, microsecond=0)
        return t if t <= now else t - timedelta(days=1)
    day, _, clock = spec.partition(" ")
    h, m = _hhmm(clock, name)
    if kind == "weekly":
        if day not in WEEKDAYS:
            raise SettingsError(f"{name} = {spec!r}: a weekday (mon…sun) and HH:MM")
        t = (now - timedelta(days=(now.weekday() - WEEKDAYS[day]) % 7)).replace(hour=h, minute=m, second=0, microsecond=0)
        return t if t <= now else t - timedelta(days=7)
    if not day.isdigit() or not 1 <= int(day) <= 28:
        raise SettingsError(f"{name} = {spec!r}: a day of the month (1–28) and HH:MM")
    t = now.replace(day=int(day), hour=h, minute=m, second=0, microsecond=0)
    if t > now:
        prev = (now.replace(day=1) - timedelta(days=1))
        t = prev.replace(day=int(day), hour=h, minute=m, second=0, microsecond=0)
    return t


def report_message(report_id: int, data: dict[str, Any], settings: Settings) -> dict[str, Any]:
    figures = data.get("figures", {})
    lines = [("期间", data["subtitle"]),
             ("概况", f"信息 {figures.get('items', 0)} 条，相关 {figures.get('relevant', 0)} 条，负面 {figures.get('negative', 0)} 条，"
                     f"高风险 {figures.get('high_risk', 0)} 条，预警 {figures.get('alerts', 0)} 条")]
    url = f"{settings.web_base_url.rstrip('/')}/reports/{report_id}" if settings.web_base_url else None
    if url:
        lines.append(("查看", url))
    return {"kind": "report", "level": None, "title": f"【舆情{KINDS[data['kind']]}】{data['title']}（{data['subtitle']}）",
            "lines": lines, "evidence": [], "report_id": report_id, "attach": settings.report_attach, "url": url}


def due_reports(store, settings: Settings, now: float | None = None) -> list[int]:
    """Make the reports whose time has come and that are not made yet; queue them to the
    report channels. Return the new reports' ids."""
    from .make import make_report

    from .make import scheme_of_view

    tz = ZoneInfo(settings.timezone)
    moment = datetime.fromtimestamp(now or time.time(), tz)
    # the store's own reports go to report_channels; another scheme's, when its `report:` names
    # recipients, are made for it and go to them
    views = [(store, 1, [c.strip() for c in settings.report_channels.split(",") if c.strip()])]
    for row in store.schemes(enabled=True) if hasattr(store, "schemes") else ():
        if row["id"] != 1:
            own = scheme_of_view(store.scoped(row["id"]))
            if own is not None and own.report.get("recipients"):
                views.append((store.scoped(row["id"]), row["id"], list(own.report["recipients"])))
    made = []
    for view, sid, channels in views:
        for kind, spec in (("daily", settings.report_daily_at), ("weekly", settings.report_weekly_at),
                           ("monthly", settings.report_monthly_at)):
            trigger = last_trigger(kind, spec, moment)
            if trigger is None:
                continue
            day = last_complete(kind, trigger)
            per = period(kind, day, tz)
            key = (id(store), sid, kind, per["start_ts"])
            if key in _NOT_WATCHED or view.find_report(kind, per["start_ts"], per["end_ts"]) is not None:
                continue
            if not store.collected_before(per["end_ts"]):
                # a new install (or the demo) was not collecting then: an empty briefing helps no one
                _NOT_WATCHED.add(key)
                continue
            report_id = make_report(view, settings, kind, "schedule", day)
            data = store.get_report(report_id)["data"]
            if channels:
                msg = report_message(report_id, data, settings)
                store.queue_messages([(c, "report", msg, moment.timestamp()) for c in channels], moment.timestamp())
            made.append(report_id)
    return made
