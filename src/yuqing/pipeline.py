"""The stages in order; the only module that knows it.

1. collect  — a source yields Raw records or Quarantined entries (sources/*)
2. ingest   — each Raw record becomes an Item or a quarantine entry (ingest.normalize_record)
3. store    — items are upserted by id (and content hash) with their search terms, quarantine
              entries recorded (store/*)

4. analyse  — stored items waiting for analysis get their `analysis` object, oldest first
              (`analyze_pending`); near-duplicates and the event of each item are linked in
              time order in this process, the rest may run in workers
5. events   — the records of the events that changed are rebuilt from their items
              (`update_events`: timeline, heat, stage, spread)

Alerts are a later stage over events and analysed items.

Stages 2 and 3 are one function over a batch (`ingest_batch`), so a large stream runs them in
worker processes, each with its own connection, while this process reads the input. Writers
take turns on the database (BEGIN IMMEDIATE), so dedup stays exact.
"""

from __future__ import annotations

import itertools
from collections import Counter
import json
import logging
import os
import time
from concurrent.futures import Future, ProcessPoolExecutor
from datetime import datetime, timezone, tzinfo
from pathlib import Path
from typing import Any, Callable, Iterable, Iterator, Mapping

from .ingest import normalize_record
from .models import Item, Quarantined, Raw, Report, SkipItem
from .scheme import SchemeError
from .settings import Settings, SettingsError
from .store import Store, open_store

log = logging.getLogger(__name__)

Batch = list[Raw | Quarantined]
_worker_store: Store | None = None   # a worker process's own connection


def prepare_batch(batch: Batch, now: datetime, defaults: Mapping[str, Any] | None,
                  tz: tzinfo) -> tuple[list[Item], list[Quarantined]]:
    """Stage 2 for one batch: normalise each record or say why it cannot be."""
    items: list[Item] = []
    bad: list[Quarantined] = []
    for entry in batch:
        if isinstance(entry, Quarantined):
            bad.append(entry)
            continue
        try:
            items.append(normalize_record(entry.record, now=now, origin=entry.origin, defaults=defaults, tz=tz))
        except SkipItem as exc:
            bad.append(Quarantined(exc.reason, entry.origin, exc.detail, _raw_text(entry.record)))
    return items, bad


def ingest_batch(batch: Batch, now: datetime, defaults: Mapping[str, Any] | None, tz: tzinfo,
                 collector: str | None, quarantine_max_bytes: int, store: Store | None = None) -> Report:
    """Stages 2 and 3 for one batch, in one transaction for the items; return what happened."""
    store = store or _worker_store
    items, bad = prepare_batch(batch, now, defaults, tz)
    report = Report(read=len(batch))
    result = store.upsert_items(items, collector)
    report.added, report.updated, report.duplicates = result.added, result.updated, result.duplicates
    for q in bad:
        report.quarantine(q.reason)
    store.add_quarantine(bad, collector, quarantine_max_bytes)
    return report


def _start_worker(parent: int, database_url: str) -> None:
    """Worker initializer: its own store, and an exit when the parent dies (kill -9)."""
    global _worker_store
    _worker_store = open_store(database_url, migrate=False)
    _exit_with(parent)


def _exit_with(parent: int) -> None:
    import threading

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(0.5)
        os._exit(1)

    threading.Thread(target=watch, daemon=True).start()


def _batches(stream: Iterable[Raw | Quarantined], size: int) -> Iterator[Batch]:
    it = iter(stream)
    while batch := list(itertools.islice(it, size)):
        yield batch


def worker_count(settings: Settings) -> int:
    """Return how many worker processes a large import uses (0: all in this process)."""
    if ":memory:" in settings.database_url or settings.database_url.rstrip("/").endswith("sqlite:"):
        return 0   # a private in-memory database cannot be shared with another process
    if settings.ingest_workers >= 0:
        return settings.ingest_workers
    return min(os.cpu_count() or 1, 4) if (os.cpu_count() or 1) >= 2 else 0


def ingest_stream(stream: Iterable[Raw | Quarantined], store: Store, settings: Settings, *,
                  collector: str | None = None, defaults: Mapping[str, Any] | None = None,
                  clock: Callable[[], datetime] | None = None,
                  on_batch: Callable[[Report], None] | None = None) -> Report:
    """Normalise and store a stream of records in batches; return what happened to each.

    Each batch is one transaction, so a crash keeps every committed batch and a re-run
    (idempotent on id) adds the rest. After the first batch, a long stream moves to worker
    processes; small imports and feed polls never pay for starting them.
    """
    from zoneinfo import ZoneInfo

    clock = clock or (lambda: datetime.now(timezone.utc))
    tz = ZoneInfo(settings.timezone)
    size = settings.import_batch_size
    report = Report()
    workers = worker_count(settings)
    pool: ProcessPoolExecutor | None = None
    pending: list[Future] = []
    args = (defaults, tz, collector, settings.quarantine_max_bytes)

    def done(part: Report) -> None:
        report.merge(part)
        if on_batch:
            on_batch(report)

    try:
        for n, batch in enumerate(_batches(stream, size)):
            if pool is None and workers and n >= 1:
                pool = ProcessPoolExecutor(workers, initializer=_start_worker,
                                           initargs=(os.getpid(), settings.database_url))
            if pool is None:
                done(ingest_batch(batch, clock(), *args, store=store))
                continue
            pending.append(pool.submit(ingest_batch, batch, clock(), *args))
            while len(pending) > 2 * workers:       # bounded: memory stays flat on huge files
                done(pending.pop(0).result())
        for future in pending:
            done(future.result())
        pending.clear()
    finally:
        for future in pending:
            future.cancel()
        if pool is not None:
            pool.shutdown(cancel_futures=True)
    return report


def _raw_text(record: Any) -> str:
    try:
        return json.dumps(record, ensure_ascii=False, default=str)
    except (TypeError, ValueError):
        return repr(record)


# --- the analysis stage -----------------------------------------------------------------------

def make_analyzer(settings: Settings, scheme_path: str | None = None, configured: bool = True):
    """Return an Analyzer for `scheme_path`, else for the configured scheme when `configured` and
    its file exists, else without a scheme (every item relevant)."""
    from .analysis.analyze import Analyzer
    from .scheme import load_scheme
    from .starter import known_region

    # the configured scheme is beside the config file, whatever the working directory
    path = Path(scheme_path) if scheme_path else settings.path(settings.scheme)
    scheme = load_scheme(path, known_region) if (scheme_path or (configured and path.is_file())) else None
    return Analyzer(scheme, settings.model_dir)


_worker_analyzer = None    # an analysis worker's own models (no near-duplicate state)


def _start_analysis_worker(parent: int, scheme, model_dir: str) -> None:
    from .analysis.analyze import Analyzer

    global _worker_analyzer
    _worker_analyzer = Analyzer(scheme, model_dir)
    _exit_with(parent)


def _analyze_rows(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    from .analysis.analyze import Subject

    return _worker_analyzer.analyze_each([Subject.of_row(r) for r in rows])


def attach_events(store: Store, analyzer, settings: Settings) -> None:
    """Give the analyzer the store's clusterer: the events active in the window, numbered on."""
    from .events.cluster import EventClusterer

    clusterer = EventClusterer(window_s=settings.event_window_days * 86400, max_active=settings.event_max_active)
    newest = store.latest_published_ts() or time.time()
    clusterer.load(store.active_event_states(int(newest - clusterer.window_s), clusterer.max_active),
                   store.last_event_number())
    analyzer.enable_events(clusterer)
    analyzer.store_events = True


def stream_clock(store: Store, now: float | None = None) -> float:
    """The time heat and stages are taken at: now, unless the store holds only older items (a
    replay or an archive), then the newest item's time."""
    now = now or time.time()
    newest = store.latest_published_ts()
    return float(newest) if newest and newest < now - 2 * 86400 else now


def configured_authority(settings: Settings) -> dict[str, float]:
    """{source name: authority} for the [[sources]] that set one (a file drop or a replay mixing
    many outlets says nothing about each, so their items are judged by their own source)."""
    out = {}
    for raw in settings.sources:
        try:
            out[str(raw["name"])] = float(raw["authority"])
        except (KeyError, TypeError, ValueError):
            continue
    return out


def update_events(store: Store, event_ids, settings: Settings, as_of: float | None = None,
                  on_records: Callable[[list, dict], None] | None = None) -> int:
    """Rebuild the records of these events from their stored items; return how many.
    `on_records(records, {event: items})` sees each chunk (the alert stage)."""
    from .events.record import build

    as_of = as_of or stream_clock(store)
    params = burst_params(settings)
    authority = configured_authority(settings)
    ids = sorted(set(event_ids))
    done = 0
    for i in range(0, len(ids), 500):
        members = store.event_items(ids[i:i + 500])
        records = [build(eid, rows, max(as_of, rows[-1]["published_ts"]), authority, params)
                   for eid, rows in members.items()]
        store.save_event_records(records)
        if on_records is not None:
            on_records(records, members)
        done += len(records)
    return done


def refresh_events(store: Store, settings: Settings, days: float = 3.0, stale_s: float = 300.0) -> int:
    """Heat and stage change with time alone: re-take them for the events active in the last
    `days` (of the stream's clock) whose record is older than `stale_s`."""
    clock = stream_clock(store)
    ids = store.event_ids_since(int(clock - days * 86400), stale_before=int(time.time() - stale_s))
    return update_events(store, ids, settings, clock)


def burst_params(settings: Settings):
    from .events.burst import BurstParams

    return BurstParams(window_s=settings.burst_window_minutes * 60, min_count=settings.burst_min_count,
                       min_sources=settings.burst_min_sources)


class StageBusy(Exception):
    """Another process is running this stage on the same store."""


def analyze_pending(store: Store, analyzer, batch_size: int = 256, warm_days: float = 7.0,
                    on_batch: Callable[[int], None] | None = None, workers: int = 0,
                    settings: Settings | None = None) -> int:
    """Analyse every stored item waiting for it; raise StageBusy when another process (a
    `yuqing run`) is at it — it will take these items too. One analysis stage per store at a
    time: near-duplicates, events and their numbering follow one order."""
    with store.exclusive("analysis") as mine:
        if not mine:
            raise StageBusy("another process is analysing this store (yuqing run?); it will analyse these items")
        return _analyze_pending(store, analyzer, batch_size, warm_days, on_batch, workers, settings)


def _analyze_pending(store: Store, analyzer, batch_size: int, warm_days: float,
                     on_batch: Callable[[int], None] | None, workers: int, settings: Settings | None) -> int:
    """Analyse every stored item waiting for it, oldest first; return how many were analysed.

    A fresh analyzer first learns the texts of the last `warm_days` (already analysed), so a
    copy arriving today still points at last week's original. With `workers` and a backlog of
    more than a few batches, the per-item work runs in worker processes while this process
    links near-duplicates in time order and stores the results. With `settings`, items are
    put into events too, and the records of the events that changed are rebuilt.
    """
    from .analysis.analyze import Subject

    if settings is not None and (not getattr(analyzer, "store_events", False)
                                 or store.last_event_number() != analyzer.events._n):
        # first time, or another process formed events since: take up the store's state
        attach_events(store, analyzer, settings)
    events = analyzer.events if getattr(analyzer, "store_events", False) else None
    as_of = stream_clock(store) if events is not None else 0.0

    if warm_days and not getattr(analyzer, "warmed", False):
        since = int(time.time() - warm_days * 86400)
        for row in store.recent_analyzed(since):
            analyzer.remember(Subject.of_row(row))
        analyzer.warmed = True
    done = 0

    def finish(rows, analyses) -> None:
        nonlocal done
        subjects = [Subject.of_row(r) for r in rows]
        known = None
        if events is not None:
            known = store.events_of({s.repost_of for s in subjects if s.repost_of})
            known.update({r["id"]: r["event"] for r in rows if r.get("event")})    # analysed before
        analyses = analyzer.link_copies(subjects, analyses, known, store.events_of if events is not None else None)
        if events is not None:
            for a in analyses:
                a["event"] = events.resolve(a["event"]) if a["event"] else None
        states, merges = events.drain() if events is not None else ([], {})
        store.save_analysis(list(zip((s.id for s in subjects), analyses)), states, merges)
        if events is not None:
            touched = Counter(a["event"] for a in analyses if a["event"])
            texts: dict[str, list[str]] = {}
            for s, a in zip(subjects, analyses):
                if a["event"]:
                    texts.setdefault(a["event"], []).append(s.full_text)
            block = analyzer.scheme.alert if analyzer.scheme is not None else None

            def alert(records, members) -> None:
                if block or settings.alert_rules:
                    from .alerts.engine import raise_alerts

                    new = {r["id"] for r in records if touched.get(r["id"]) == r["size"]}
                    raise_alerts(store, records, members, block, settings, new_events=new, texts=texts)

            update_events(store, set(touched) | set(merges.values()), settings,
                          max(as_of, max(s.ts for s in subjects)), on_records=alert)
        done += len(rows)
        if on_batch:
            on_batch(done)

    if not workers or store.count_pending(batch_size * 4) < batch_size * 4:   # small: workers cost more to start
        while True:
            rows = store.pending_analysis(batch_size)
            if not rows:
                return done
            finish(rows, analyzer.analyze_each([Subject.of_row(r) for r in rows]))
    with ProcessPoolExecutor(workers, initializer=_start_analysis_worker,
                             initargs=(os.getpid(), analyzer.scheme, analyzer.model_dir)) as pool:
        inflight: list[tuple[list, Future]] = []
        after = None
        while True:
            rows = store.pending_analysis(batch_size, after=after)
            if rows:
                after = (rows[-1]["published_ts"], rows[-1]["seq"])
                inflight.append((rows, pool.submit(_analyze_rows, rows)))
            while inflight and (len(inflight) > 2 * workers or not rows):
                batch, future = inflight.pop(0)      # in submission order: time order for the copies
                finish(batch, future.result())
            if not rows and not inflight:
                return done


# --- everything, continuously ------------------------------------------------------------------

REFRESH_S = 300.0      # how often `yuqing run` re-takes heat and stage of recent events


def run_forever(settings: Settings, store: Store, analyzer, fetcher, stop: Callable[[], bool] = lambda: False,
                on_step: Callable[[str, Any], None] | None = None, tick: float = 1.0) -> None:
    """`yuqing run`: poll due sources, analyse what is waiting (events and alerts with it),
    deliver due messages, queue the daily digest, escalate cases at risk — until `stop()`.

    Items another process stores (an import) are analysed on the next tick too; messages are
    checked every `tick` seconds, so a retry or the end of quiet hours is not late.
    """
    from .alerts.engine import deliver_due, escalate, queue_digest
    from .collect import collect_once, configured_sources

    block = analyzer.scheme.alert if analyzer.scheme is not None else None
    sources = configured_sources(settings)
    workers = worker_count(settings)
    last_refresh = 0.0
    config = settings.config_path
    seen_mtime = config.stat().st_mtime if config and config.exists() else None
    scheme_file = settings.path(settings.scheme)

    def scheme_mtime() -> float | None:
        return scheme_file.stat().st_mtime if scheme_file.exists() else None

    seen_scheme = scheme_mtime()
    while not stop():
        if scheme_mtime() != seen_scheme:
            # the scheme saved (the web's 方案 page, or by hand): items analysed from now on use it
            seen_scheme = scheme_mtime()
            try:
                analyzer = make_analyzer(settings)
                block = analyzer.scheme.alert if analyzer.scheme is not None else None
                if on_step:
                    on_step("scheme", analyzer.scheme.name if analyzer.scheme else None)
            except (SchemeError, KeyError) as exc:
                if on_step:
                    on_step("scheme-error", str(exc))
        if config and config.exists() and config.stat().st_mtime != seen_mtime:
            # sources edited (the web's 信息源 page, or by hand): the next round uses them
            seen_mtime = config.stat().st_mtime
            try:
                from .settings import load_settings

                fresh = load_settings(config)
                sources = configured_sources(fresh)
                settings = fresh
                if on_step:
                    on_step("config", [s.name for s in sources])
            except SettingsError as exc:
                if on_step:
                    on_step("config-error", str(exc))
        for result in collect_once(settings, store, fetcher):
            if on_step:
                on_step("collect", result)
        if store.count_pending(1):
            try:
                n = analyze_pending(store, analyzer, settings.analyze_batch_size, workers=workers, settings=settings)
            except StageBusy:
                n = 0                  # an import is analysing what it stored; next tick
            if on_step and n:
                on_step("analyse", n)
        if time.time() - last_refresh >= REFRESH_S:
            refresh_events(store, settings, stale_s=REFRESH_S)
            last_refresh = time.time()
        queue_digest(store, block, settings)
        from .reports.schedule import due_reports

        made = due_reports(store, settings)
        if on_step and made:
            on_step("report", made)
        escalate(store, settings)
        sent = deliver_due(store, settings)
        if on_step and any(sent.values()):
            on_step("deliver", sent)
        states = {s["name"]: s for s in store.source_states()}
        next_due = min((states.get(s.name, {}).get("next_due_ts") or 0 for s in sources if s.enabled),
                       default=time.time() + 60)
        time.sleep(min(max(next_due - time.time(), 0.05), tick))
