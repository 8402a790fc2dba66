"""Make a report and keep it: the one call the CLI, the web and the scheduler share."""

from __future__ import annotations

import time
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from ..scheme import configured_region
from ..settings import Settings
from .build import build_brief_report, build_event_report, build_period_report


def build(store, settings: Settings, kind: str, day: date | None = None, event: str | None = None,
          by: str | None = None) -> dict[str, Any]:
    tz = ZoneInfo(settings.timezone)
    region = scheme_region(store, settings)
    if kind == "brief":
        if not by:
            raise ValueError("a 简报 is made of what a user ticked: give the user")
        return build_brief_report(store, store.list_picks(by), region=region, tz=tz)
    if kind == "special":
        if not event:
            raise ValueError("a special report (专报) is about an event: give its id")
        return build_event_report(store, event, region=region, tz=tz)
    if day is None:
        raise ValueError("a period report needs a day inside its period")
    return build_period_report(store, kind, day, region=region, tz=tz, sla_minutes=settings.case_sla_minutes,
                               as_of=time.time())


def scheme_region(store, settings: Settings) -> str | None:
    """The region of the scheme the store is seen by (the configured file's for scheme 1)."""
    if getattr(store, "scheme_id", None) in (None, 1):
        return configured_region(settings)
    own = scheme_of_view(store)
    return own.region if own is not None else None


def scheme_of_view(store):
    """The Scheme of a store seen by a scheme other than the first (None otherwise, or when its
    text no longer loads)."""
    sid = getattr(store, "scheme_id", None)
    if sid in (None, 1):
        return None
    from ..apply_scheme import scheme_of_row
    from ..scheme import SchemeError

    row = store.scheme(sid)
    try:
        return scheme_of_row(row) if row else None
    except (SchemeError, KeyError):
        return None


def office_block(store, settings: Settings, kind: str, now: float) -> dict[str, Any]:
    """The office template of a new briefing: 红头 title, 期号 (the next of its kind this year),
    编发单位, 签发人, 抄送 and the date — fixed when it is made, as on paper."""
    from .build import KINDS

    tz = ZoneInfo(settings.timezone)
    today = datetime.fromtimestamp(now, tz)
    year_start = datetime(today.year, 1, 1, tzinfo=tz).timestamp()
    # the kind's reports of this year (newest first); at most one a day per kind, so 400 is plenty
    issued = sum(1 for r in store.list_reports(4000, kind=kind) if r["created_ts"] >= year_start)
    own = (scheme_of_view(store) or _NoScheme).report       # a scheme's own template over yuqing.toml's
    return {"masthead": own.get("masthead") or settings.report_masthead or f"网络舆情{KINDS[kind]}", "year": today.year,
            "number": issued + 1, "office": own.get("office") or settings.report_office,
            "signer": own.get("signer") or settings.report_signer, "cc": own.get("cc") or settings.report_cc,
            "date": f"{today.year}年{today.month}月{today.day}日"}


class _NoScheme:
    report: dict = {}


def make_report(store, settings: Settings, kind: str, by: str, day: date | None = None,
                event: str | None = None) -> int:
    """Build a report from the store and keep it; return its id. A 简报 takes `by`'s picks,
    which are cleared once it is kept."""
    data = build(store, settings, kind, day, event, by=by)
    data["office"] = office_block(store, settings, kind, time.time())
    sid = getattr(store, "scheme_id", None)
    if sid not in (None, 1):
        row = store.scheme(sid)
        data["scheme"] = {"id": sid, "key": row["key"], "name": row["name"]}
        data["title"] = f"{data['title']}（{row['name']}）"
    report_id = store.add_report(data, by)
    if kind == "brief":
        store.remove_picks(by)
    return report_id
