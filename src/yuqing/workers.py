"""Stage workers over the bus (server mode, issue 18): what `yuqing run` does in one process,
split where the work can be shared out.

- `publish_stream` — a collector or an import: records onto `raw`, nothing else.
- `analyse_worker` — any number, on any machine: ingest a `raw` message (normalise, upsert:
  idempotent by id), analyse each item it stored (the per-item work, most of the CPU), publish
  the analyses on `analysed`, then ack. Killed mid-way, the message comes back to another worker:
  the upsert changes nothing, the analysis is done again and published under the same message id.
- `events_worker` — one per store at a time (it holds the "analysis" lock; others wait as
  standbys): near-duplicates, events and alerts, in order, from the analyses, saved with the
  clusterer's state in one transaction, then ack. A new holder takes the clusterer's state up
  from the database, where every commit left it (docs/decisions/008-bus.md).

Each message whose work never commits (a worker dies on it each time) is quarantined with its
reason after POISON_AFTER deliveries, and the stream goes on.
"""

from __future__ import annotations

import logging
import os
import time
from datetime import datetime, timezone
from typing import Any, Callable, Iterable, Mapping

from sqlalchemy.exc import OperationalError

from .bus import POISON_AFTER, BusClient, BusError, MessageTooLarge, decode, encode, message_id
from .ingest import raw_text
from .models import Quarantined, Raw, Report
from .settings import Settings
from .store import Store

log = logging.getLogger(__name__)

PUBLISH_RECORDS = 200          # records per raw message (and at most a fifth of the bus's max payload)
FAULT_ENV = "YUQING_FAULT_EXIT_ON"   # tests only: a worker given a record with this text exits at once


# --- collectors and imports ----------------------------------------------------------------------

def publish_stream(stream: Iterable[Raw | Quarantined], store: Store, bus: BusClient, *,
                   collector: str | None = None, defaults: Mapping[str, Any] | None = None,
                   now: datetime | None = None, stop: Callable[[], bool] | None = None) -> Report:
    """Put a stream of records on the bus for the analyse workers; return how many went (as
    `published`, and `read`). Entries the reader already quarantined are stored here, and so is
    a record too large for the bus (with that reason)."""
    from .pipeline import Stopped

    report = Report()
    at = (now or datetime.now(timezone.utc)).timestamp()
    limit = bus.max_payload // 5
    batch: list[dict[str, Any]] = []
    size = 0
    bad: list[Quarantined] = []

    def flush() -> None:
        nonlocal batch, size
        if batch:
            payload = {"v": 1, "collector": collector, "defaults": dict(defaults or {}), "now": at, "records": batch}
            bus.publish("raw", payload, message_id("raw", collector, batch))
            report.published += len(batch)
        batch, size = [], 0

    for entry in stream:
        report.read += 1
        if isinstance(entry, Quarantined):
            bad.append(entry)
            report.quarantine(entry.reason)
            continue
        one = {"o": entry.origin, "r": entry.record}
        try:
            n = len(encode(one))
        except Exception:  # noqa: BLE001 — what cannot be written as JSON cannot go on the bus either
            n = bus.max_payload
        if n > bus.max_payload * 0.9:
            bad.append(Quarantined("bus-too-large", entry.origin or "", f"记录 {n} 字节，超过消息总线单条上限 "
                                   f"{bus.max_payload} 字节（nats-server 的 max_payload）", raw_text(one["r"])))
            report.quarantine("bus-too-large")
            continue
        if batch and (len(batch) >= PUBLISH_RECORDS or size + n > limit):
            if stop is not None and stop():
                raise Stopped("stopped between batches")
            flush()
        batch.append(one)
        size += n
    flush()
    if bad:
        store.add_quarantine(bad, collector)
    return report


# --- analyse workers ---------------------------------------------------------------------------------

def _fault(payload: dict[str, Any]) -> None:
    marker = os.environ.get(FAULT_ENV)
    if marker and marker in raw_text(payload.get("records")):
        os._exit(70)


def _quarantine_message(store: Store, msg, reason: str, detail: str) -> None:
    """A message that cannot be (or never got) committed: its records quarantined, one entry each
    (or the whole message when it cannot be read)."""
    try:
        payload = decode(msg.data)
        records = payload.get("records") or []
        entries = [Quarantined(reason, r.get("o") or "bus", detail, raw_text(r.get("r"))) for r in records]
        collector = payload.get("collector")
    except Exception:  # noqa: BLE001
        entries = [Quarantined(reason, f"bus:{msg.subject}", detail, bytes(msg.data))]
        collector = None
    store.add_quarantine(entries or [Quarantined(reason, f"bus:{msg.subject}", detail, bytes(msg.data))], collector)


def analyse_message(store: Store, bus: BusClient, analyzer, settings: Settings, payload: dict[str, Any]) -> Report:
    """One raw message (decoded): ingest, analyse what it stored, publish the analyses. Raises on
    a database or bus failure (the message is then not acked)."""
    from zoneinfo import ZoneInfo

    from .pipeline import analyze_rows, ingest_batch_items

    _fault(payload)
    batch = [Raw(r.get("o") or "", r.get("r")) for r in payload["records"]]
    now = datetime.fromtimestamp(float(payload["now"]), timezone.utc)
    report, items = ingest_batch_items(batch, now, payload.get("defaults") or None, ZoneInfo(settings.timezone),
                                       payload.get("collector"), settings.quarantine_max_bytes,
                                       settings.item_max_bytes, store=store)
    rows = store.waiting_of(i.id for i in items)
    if rows:
        from .analysis.dedup import pack

        analyses = analyze_rows(analyzer, rows)
        for a in analyses:
            if "_dedup" in a:
                a["_dedup"] = pack(a["_dedup"])
        ids = [r["id"] for r in rows]
        state = analyzer.others_state
        out = {"v": 1, "ids": ids, "analyses": analyses, "state": state}
        try:
            bus.publish("analysed", out, message_id("analysed", ids, state))
        except MessageTooLarge:
            if len(rows) == 1:
                raise
            half = len(ids) // 2          # too large in one: in two (same ids, same order)
            for part in (slice(0, half), slice(half, None)):
                bus.publish("analysed", {"v": 1, "ids": ids[part], "analyses": analyses[part], "state": state},
                            message_id("analysed", ids[part], state))
    return report


def analyse_worker(settings: Settings, store: Store, bus: BusClient, stop: Callable[[], bool],
                   on_step: Callable[[str, Any], None] | None = None, idle_exit_s: float | None = None) -> Report:
    """`yuqing worker analyse`: take raw messages until `stop()` (or, with `idle_exit_s`, until the
    stream has been empty that long); return what it stored."""
    from .pipeline import log_failure, make_analyzer, take_up_schemes

    say = on_step or (lambda step, value: None)
    analyzer = make_analyzer(settings)
    total = Report()
    idle_since = time.monotonic()
    last_schemes = 0.0
    while not stop():
        msgs = bus.fetch("raw", settings.bus_fetch, timeout=1.0)
        if not msgs:
            if idle_exit_s is not None and time.monotonic() - idle_since > idle_exit_s:
                break
            continue
        idle_since = time.monotonic()
        if time.monotonic() - last_schemes > 5.0:
            try:
                take_up_schemes(store, analyzer)         # a scheme added or edited: judged from now on
                last_schemes = time.monotonic()
            except OperationalError:
                log_failure(log, "worker analyse: the database is unavailable; the messages wait")
                for msg in msgs:
                    bus.nak(msg, delay=2.0)
                time.sleep(1.0)
                continue
        for msg in msgs:
            delivered = msg.metadata.num_delivered
            try:
                payload, readable = decode(msg.data), True
            except Exception as exc:  # noqa: BLE001 — not ours, or cut: kept in quarantine, never retried
                readable, why = False, f"总线消息无法解读：{type(exc).__name__}: {exc}"
            try:
                if not readable or delivered > POISON_AFTER:
                    reason = "bus-undecodable" if not readable else "bus-poison"
                    _quarantine_message(store, msg, reason, why if not readable else
                                        f"总线消息已投递 {delivered} 次仍未处理完（处理它的进程每次都中止），已隔离，不再重试")
                    bus.ack(msg)
                    say("quarantine", reason)
                    continue
                report = analyse_message(store, bus, analyzer, settings, payload)
            except (OperationalError, BusError):
                # the database or the bus, not the message: it comes back after a pause
                log_failure(log, "worker analyse: a message waits (database or bus unavailable)")
                bus.nak(msg, delay=2.0)
                time.sleep(1.0)
                continue
            except Exception:  # noqa: BLE001 — this message; another delivery may go, then quarantine
                log_failure(log, "worker analyse: a message failed (delivery %d)", delivered)
                bus.nak(msg, delay=1.0)
                continue
            bus.ack(msg)
            total.merge(report)
            say("stored", report)
    return total


# --- the events worker ---------------------------------------------------------------------------------

def _schemes_state(value) -> tuple | None:
    return None if value is None else tuple(tuple(v) for v in value)


def _analysis_of(a: dict[str, Any]) -> dict[str, Any]:
    """An analysis as it came over the bus: scheme numbers are keys again (JSON made them text)."""
    from .analysis.dedup import unpack

    if a.get("schemes"):
        a["schemes"] = {int(k): v for k, v in a["schemes"].items()}
    if "_dedup" in a:
        a["_dedup"] = unpack(a["_dedup"])
    return a


def link_messages(store: Store, linker, msgs: list[tuple[Any, dict[str, Any]]]) -> tuple[int, set[str]]:
    """The analyses of these (message, decoded payload) pairs, linked and saved in time order as
    one batch (each item once, and only if it still waits); return (items saved, events changed)."""
    from .pipeline import failed_analysis

    by_id: dict[str, dict[str, Any]] = {}
    states: list = []
    poisoned: set[str] = set()
    for msg, payload in msgs:
        for item_id, a in zip(payload["ids"], payload["analyses"]):
            by_id[item_id] = _analysis_of(a)
            if msg.metadata.num_delivered > POISON_AFTER:
                poisoned.add(item_id)
        states.append(_schemes_state(payload.get("state")))
    rows = store.waiting_of(by_id)
    if poisoned:
        # the events stage stopped on these each time: saved as not analysed, with why; the rest go on
        why = "事件阶段多次中止于这批信息，未做关联分析（yuqing reanalyze 可重试）"
        store.save_analysis([(r["id"], failed_analysis(why)) for r in rows if r["id"] in poisoned])
        rows = [r for r in rows if r["id"] not in poisoned]
    if not rows:
        return 0, set()
    # one state for the batch: when the messages disagree (a scheme changed between them), judge again
    state = states[0] if len(set(states)) == 1 else ()
    changed = linker.finish(rows, [by_id[r["id"]] for r in rows], state)
    return len(rows), changed


def events_worker(settings: Settings, store: Store, bus: BusClient, stop: Callable[[], bool],
                  on_step: Callable[[str, Any], None] | None = None, idle_exit_s: float | None = None,
                  batch: int = 32) -> int:
    """`yuqing worker events`: while this process holds the store's "analysis" lock, link what the
    analyse workers publish; without it, wait as a standby. Return how many items it saved."""
    from .pipeline import log_failure

    say = on_step or (lambda step, value: None)
    count = {"saved": 0}
    while not stop():
        try:
            _own_and_link(settings, store, bus, stop, say, idle_exit_s, batch, count)
            break
        except OperationalError:
            # the database went away (a restart): the lock went with our connection; take it again
            log_failure(log, "worker events: the database is unavailable; trying again")
            time.sleep(2.0)
    return count["saved"]


def _own_and_link(settings: Settings, store: Store, bus: BusClient, stop: Callable[[], bool], say,
                  idle_exit_s: float | None, batch: int, count: dict[str, int]) -> None:
    """Hold the analysis lock and link until `stop()` or idle (a standby while another holds it)."""
    from .analysis.relevance import RelevanceTally
    from .pipeline import Linker, _analyze_pending, attach_events, log_failure, make_analyzer

    idle_since = time.monotonic()
    while not stop():
        with store.exclusive("analysis") as mine:
            if not mine:
                say("standby", None)
                time.sleep(1.0)
                continue
            say("owner", None)
            analyzer = make_analyzer(settings)
            tally = RelevanceTally()
            linker = Linker(store, analyzer, settings, tally=tally)   # the clusterer's state, from the store
            checked = time.monotonic()
            while not stop():
                if time.monotonic() - checked > 5.0:
                    if not getattr(mine, "alive", lambda: True)():
                        say("lost", None)            # the database dropped our lock: take it again
                        break
                    checked = time.monotonic()
                msgs = bus.fetch("analysed", batch, timeout=1.0)
                if not msgs:
                    waited = linker.flush()           # the big events' records that waited for a quiet moment
                    if waited:
                        _notify(bus, waited, linker)
                    if _orphans(store, bus):
                        # stored but never on the bus (an import straight into the store): linked here
                        count["saved"] += _analyze_pending(store, analyzer, settings.analyze_batch_size, 0.0, None, 0,
                                                           settings, lambda: bool(stop()), tally)
                    if idle_exit_s is not None and time.monotonic() - idle_since > idle_exit_s:
                        return
                    continue
                idle_since = time.monotonic()
                good = []
                for msg in msgs:
                    try:
                        good.append((msg, decode(msg.data)))
                    except Exception:  # noqa: BLE001 — nothing to link; its items (if any) are swept as orphans
                        log.error("worker events: an unreadable message on %s was dropped", msg.subject)
                        bus.ack(msg)
                try:
                    n, changed = link_messages(store, linker, good)
                except OperationalError:
                    for msg, _payload in good:
                        bus.nak(msg, delay=2.0)
                    raise                           # the lock's connection may be gone with it
                except Exception:  # noqa: BLE001 — redelivered; after POISON_AFTER its items are set aside
                    log_failure(log, "worker events: a batch failed")
                    for msg, _payload in good:
                        bus.nak(msg, delay=1.0)
                    # the clusterer may hold half of that batch: take its state up from the store again
                    attach_events(store, analyzer, settings)
                    linker = Linker(store, analyzer, settings, tally=tally)
                    continue
                for msg, _payload in good:
                    bus.ack(msg)
                count["saved"] += n
                if changed:
                    _notify(bus, changed, linker)
                say("linked", n)


def _notify(bus: BusClient, changed: set[str], linker) -> None:
    """Tell `yuqing run` (and anyone) which events changed: it delivers their alerts at once."""
    from .pipeline import log_failure

    now = time.time()            # (the id de-duplicates this notice's retries, not a later one)
    try:
        bus.publish("changes", {"v": 1, "events": sorted(changed), "ts": now},
                    message_id("changes", sorted(changed), linker.done, now))
    except BusError:
        log_failure(log, "worker events: the change notice was not published (the events are saved)")


def _orphans(store: Store, bus: BusClient) -> bool:
    """Items that wait for analysis while nothing for them is on the bus (both stages' consumers
    empty): an import that went straight into the store, say."""
    if not store.count_pending(1):
        return False
    try:
        return all(not any(bus.waiting(stage).values()) for stage in ("raw", "analysed"))
    except Exception:  # noqa: BLE001 — the bus away: not now
        return False

