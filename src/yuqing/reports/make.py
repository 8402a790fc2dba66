"""Make a report and keep it: the one call the CLI, the web and the scheduler share."""

from __future__ import annotations

from datetime import date
from typing import Any
from zoneinfo import ZoneInfo

from ..scheme import configured_region
from ..settings import Settings
from .build import build_brief_report, build_event_report, build_period_report


def build(store, settings: Settings, kind: str, day: date | None = None, event: str | None = None,
          by: str | None = None) -> dict[str, Any]:
    tz = ZoneInfo(settings.timezone)
    region = configured_region(settings)
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
    return build_period_report(store, kind, day, region=region, tz=tz, sla_minutes=settings.case_sla_minutes)


def make_report(store, settings: Settings, kind: str, by: str, day: date | None = None,
                event: str | None = None) -> int:
    """Build a report from the store and keep it; return its id. A 简报 takes `by`'s picks,
    which are cleared once it is kept."""
    report_id = store.add_report(build(store, settings, kind, day, event, by=by), by)
    if kind == "brief":
        store.remove_picks(by)
    return report_id
