"""From event records to alerts, cases and queued messages; delivery of the queue; digests and
escalation.

- One alert per event per cooldown: a later finding folds into it, and messages go out again only
  when its level rises.
- High goes out at once; medium waits out the quiet hours; low waits for the daily digest.
- Messages are queued in the outbox in the same transaction as their alert, so a crash between
  deciding and sending loses nothing; delivery retries with backoff until `outbox_max_attempts`.
  Delivery is at least once: a process killed after a send and before recording it sends again.
"""

from __future__ import annotations

import logging
import time
from collections import Counter
from datetime import datetime, timedelta
from typing import Any, Iterable, Mapping, Sequence
from zoneinfo import ZoneInfo

from ..models import utc_datetime
from ..settings import Settings
from .channels import Channel, DeliveryError, configured_channels, send
from .rules import LEVELS, Rule, channels_of, parse_rules

log = logging.getLogger(__name__)
LEVEL_NAMES = {"high": "高", "medium": "中", "low": "低"}
STAGE_NAMES = {"latent": "潜伏", "outbreak": "爆发", "peak": "高峰", "decline": "消退"}


def _fmt(ts: float | None, tz: ZoneInfo) -> str:
    return utc_datetime(ts).astimezone(tz).strftime("%m-%d %H:%M") if ts else ""


def finding(record: Mapping[str, Any], rules: Sequence[Rule], texts: Iterable[str] = (), is_new: bool = False
            ) -> tuple[str, list[str], list[str]] | None:
    """(level, rule names, reasons) of the rules that fire on an event record, or None."""
    texts = list(texts)
    fired = [(r, reasons) for r in rules if (reasons := r.check(record, texts, is_new)) is not None]
    if not fired:
        return None
    level = max((r.level for r, _ in fired), key=LEVELS.index)
    reasons = list(dict.fromkeys(x for _, rs in fired for x in rs))
    return level, [r.name for r, _ in fired], reasons


def message(kind: str, title: str, level: str, payload: Mapping[str, Any], tz: ZoneInfo) -> dict[str, Any]:
    """A channel-neutral message: title, labelled lines and evidence."""
    head = {"alert": "舆情预警", "update": "预警升级", "escalation": "工单即将超时"}.get(kind, "舆情")
    numbers = payload.get("numbers", {})
    lines = [("规则", "；".join(payload.get("rules", []))), ("原因", "；".join(payload.get("reasons", [])))]
    if payload.get("event"):
        lines.append(("事件", f"{payload['event']} · {numbers.get('size')} 条 · {numbers.get('sources')} 个来源 · "
                               f"{STAGE_NAMES.get(numbers.get('stage'), '')} · 热度 {numbers.get('heat')}"))
    first = payload.get("first_report") or {}
    if first:
        lines.append(("首发", f"{(first.get('published_at') or '')[:16].replace('T', ' ')} "
                               f"{first.get('source') or first.get('platform') or ''}"))
    if payload.get("discovered_ts"):
        lines.append(("发现", _fmt(payload["discovered_ts"], tz)))
    return {"kind": kind, "level": level, "title": f"【{head}·{LEVEL_NAMES[level]}】{title}", "lines": lines,
            "evidence": payload.get("evidence", []), "event": payload.get("event")}


def _evidence(rows: Sequence[Mapping[str, Any]], tz: ZoneInfo, n: int = 5) -> list[dict[str, Any]]:
    """The first report, the riskiest items and the latest, at most n, in time order."""
    order = {"high": 2, "medium": 1, "low": 0}
    originals = [r for r in rows if not r.get("repost_of")] or list(rows)
    picked = {originals[0]["id"]: originals[0]}
    for r in sorted(originals, key=lambda r: (-order.get(r.get("risk") or "low", 0), -r["published_ts"])):
        if len(picked) >= n - 1:
            break
        picked.setdefault(r["id"], r)
    picked.setdefault(originals[-1]["id"], originals[-1])
    return [{"id": r["id"], "title": r.get("title") or (r.get("text") or "")[:60], "source": r.get("source")
             or r.get("platform"), "platform": r.get("platform"), "url": r.get("url"), "at": _fmt(r["published_ts"], tz)}
            for r in sorted(picked.values(), key=lambda r: r["published_ts"])]


def quiet_until(now: float, quiet: str, tz: ZoneInfo) -> float | None:
    """The end of the quiet hours when `now` is inside them ("22:00-07:00"), else None."""
    if not quiet:
        return None
    start_s, end_s = (x.strip() for x in quiet.split("-", 1))
    local = datetime.fromtimestamp(now, tz)
    start = local.replace(hour=int(start_s[:2]), minute=int(start_s[3:5]), second=0, microsecond=0)
    end = local.replace(hour=int(end_s[:2]), minute=int(end_s[3:5]), second=0, microsecond=0)
    if start <= end:
        inside = start <= local < end
    else:                                    # over midnight
        inside = local >= start or local < end
        if local >= start:
            end += timedelta(days=1)
    return end.timestamp() if inside else None


def raise_alerts(store, records: Sequence[Mapping[str, Any]], members: Mapping[str, Sequence[Mapping[str, Any]]],
                 alert_block: Mapping[str, Any] | None, settings: Settings, now: float | None = None,
                 new_events: Iterable[str] = (), texts: Mapping[str, Sequence[str]] | None = None,
                 held: Counter | None = None, scheme: int | None = None) -> list[int]:
    """Check each changed event against the rules — the scheme's and the global [[alert_rules]] —
    open, fold and queue alerts. Return new alert ids.

    `scheme`: another scheme of the store than its first (its events only): its own rules and
    channels, its own alerts and cases; the global rules go with the first scheme.

    An event whose newest item is older than `alert_max_age_hours` is history (an import, a
    backfill): it would have fired, but nobody is paged for it; `held` counts it by level."""
    rules = parse_rules(alert_block)
    if scheme in (None, 1):
        rules += parse_rules({"rules": list(settings.alert_rules)}, "[[alert_rules]]")
    if not rules:
        return []
    now = now or time.time()
    tz = ZoneInfo(settings.timezone)
    names = channels_of(alert_block)
    new_events = set(new_events)
    opened = []
    oldest = now - settings.alert_max_age_hours * 3600
    for record in records:
        found = finding(record, rules, (texts or {}).get(record["id"], ()), record["id"] in new_events)
        if found is None:
            continue
        level, fired, reasons = found
        if record.get("last_ts", now) < oldest:
            if held is not None:
                held[level] += 1
            continue
        rows = members.get(record["id"], ())
        payload = {"event": record["id"], "rules": fired, "reasons": reasons, "channels": names,
                   "numbers": {"size": record["size"], "sources": record["source_count"], "heat": record["heat"]["value"],
                               "stage": record["stage"]["name"], "risk": record["risk"]["level"],
                               "signal": record["stage"].get("signal")},
                   "first_report": record["first_report"], "discovered_ts": record.get("discovered_ts"),
                   "evidence": _evidence(rows, tz) if rows else []}
        recent = store.recent_alert(record["id"], now - settings.alert_cooldown_minutes * 60, scheme)
        if recent is not None:
            rose = LEVELS.index(level) > LEVELS.index(recent["level"])
            level = max(level, recent["level"], key=LEVELS.index)
            payload["rules"] = list(dict.fromkeys(recent["payload"].get("rules", []) + fired))
            msgs = _messages("update", record["title"], level, payload, names, now, settings, tz) if rose else []
            store.fold_alert(recent["id"], level=level, payload=payload, now=now, messages=msgs)
            continue
        msgs = _messages("alert", record["title"], level, payload, names, now, settings, tz)
        alert_id, _ = store.open_alert(event=record["id"], rule="；".join(fired), level=level, title=record["title"],
                                       payload=payload, discovered_ts=record.get("discovered_ts"), now=now,
                                       sla_s=settings.case_sla_minutes * 60, messages=msgs, scheme=scheme)
        opened.append(alert_id)
    return opened


def _messages(kind, title, level, payload, names, now, settings, tz) -> list[tuple[str, str, dict, float]]:
    if level == "low":
        return []                     # the daily digest carries it
    not_before = now
    if level == "medium":
        not_before = quiet_until(now, settings.alert_quiet_hours, tz) or now
    msg = message(kind, title, level, payload, tz)
    return [(name, kind, msg, not_before) for name in names if name != "inbox"]


def queue_digest(store, alert_block: Mapping[str, Any] | None, settings: Settings, now: float | None = None) -> int:
    """Once a day at `alert_digest_time`: one message per channel listing the low alerts of the day
    before it. Return how many messages were queued."""
    now = now or time.time()
    tz = ZoneInfo(settings.timezone)
    hh, mm = (int(x) for x in settings.alert_digest_time.split(":"))
    local = datetime.fromtimestamp(now, tz)
    due = local.replace(hour=hh, minute=mm, second=0, microsecond=0)
    if local < due:
        return 0
    day = due.strftime("%Y-%m-%d")
    if any(m["payload"].get("day") == day for m in store.messages(kind="digest")):
        return 0
    lows = store.alerts_between(due.timestamp() - 86400, due.timestamp(), level="low")
    names = [n for n in channels_of(alert_block) if n != "inbox"]
    if not lows or not names:
        return 0
    msg = {"kind": "digest", "level": "low", "day": day, "title": f"【舆情日报摘要】{day} 低级别预警 {len(lows)} 条",
           "lines": [(_fmt(a["created_ts"], tz), f"{a['title'][:40]}（{a['rule']}）") for a in lows[:50]], "evidence": []}
    store.queue_messages([(n, "digest", msg, now) for n in names], now)
    return len(names)


def escalate(store, settings: Settings, now: float | None = None) -> int:
    """Cases past `case_escalate_share` of their SLA and still open: escalate each once."""
    now = now or time.time()
    tz = ZoneInfo(settings.timezone)
    done = 0
    for case in store.cases_to_escalate(now, settings.case_escalate_share):
        if not store.change_case(case["id"], case["state"], "system", "escalate", now, escalated_ts=int(now),
                                 note=f"SLA {settings.case_sla_minutes:g} 分钟，截止 {_fmt(case['sla_due_ts'], tz)}"):
            continue
        payload = dict(case["payload"])
        payload["reasons"] = [f"工单 {case['id']} 状态 {case['state']}，将于 {_fmt(case['sla_due_ts'], tz)} 超时"] + payload.get("reasons", [])
        msg = message("escalation", case["title"], "high", payload, tz)
        names = [n for n in payload.get("channels", []) if n != "inbox"]
        store.queue_messages([(n, "escalation", msg, now) for n in names], now, case["alert_id"])
        done += 1
    return done


def _attachments(store, channel, payload: Mapping[str, Any], settings: Settings) -> list[tuple[str, bytes, str]]:
    """A scheduled report goes by mail as its file, rendered from the kept report when sent."""
    if channel.kind != "email" or not payload.get("report_id"):
        return []
    from ..reports.render import FORMATS, file_stem, render_kept

    report = store.get_report(payload["report_id"])
    if report is None:
        return []
    fmt = payload.get("attach") if payload.get("attach") in FORMATS else "docx"
    return [(f"{file_stem(report['data'], report['id'])}.{fmt}", render_kept(report, fmt, settings.web_base_url), FORMATS[fmt])]


def deliver_due(store, settings: Settings, now: float | None = None,
                channels: Mapping[str, Channel] | None = None) -> dict[str, int]:
    """Send the messages that are due; failures retry with doubling backoff (30 s … 1 h)."""
    now = now or time.time()
    channels = configured_channels(settings) if channels is None else channels
    counts = {"sent": 0, "retry": 0, "failed": 0}
    for m in store.due_messages(now):
        channel = channels.get(m["channel"])
        try:
            if channel is None:
                raise DeliveryError(f"no channel named {m['channel']!r} in [[channels]]")
            send(channel, m["payload"], settings, now, _attachments(store, channel, m["payload"], settings))
        except DeliveryError as exc:
            attempts = m["attempts"] + 1
            give_up = channel is None or attempts >= settings.outbox_max_attempts
            store.message_failed(m["id"], str(exc), None if give_up else now + min(3600.0, 30.0 * 2 ** (attempts - 1)))
            counts["failed" if give_up else "retry"] += 1
            log.warning("alert message %s to %s: %s%s", m["id"], m["channel"], exc, " (gave up)" if give_up else "")
            continue
        store.message_sent(m["id"], time.time())
        counts["sent"] += 1
    return counts
