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

import gc
import itertools
from collections import Counter
from contextlib import contextmanager
import logging
import os
import sys
import threading
import time
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from datetime import datetime, timezone, tzinfo
from pathlib import Path
from typing import Any, Callable, Iterable, Iterator, Mapping, Sequence

from sqlalchemy.exc import OperationalError

from .ingest import raw_text, try_normalize
from .models import Item, Quarantined, Raw, Report
from .scheme import SchemeError
from .settings import Settings, SettingsError
from .store import Store, UpsertResult, open_store
from .store.schemes import SchemesChanged

log = logging.getLogger(__name__)


def log_failure(logger: logging.Logger, message: str, *args: Any) -> None:
    """Log the exception being handled as one line (what an operator reads); its traceback only
    at DEBUG (what a maintainer asks for: YUQING_LOG_LEVEL=DEBUG)."""
    exc = sys.exc_info()[1]
    logger.error(message + ": %s: %s", *args, type(exc).__name__, exc)
    logger.debug("details", exc_info=exc)

Batch = list[Raw | Quarantined]
_worker_store: Store | None = None   # a worker process's own connection


def prepare_batch(batch: Batch, now: datetime, defaults: Mapping[str, Any] | None,
                  tz: tzinfo, max_chars: int = 2_000_000) -> tuple[list[Item], list[Quarantined]]:
    """Stage 2 for one batch: normalise each record or say why it cannot be (each on its own)."""
    items: list[Item] = []
    bad: list[Quarantined] = []
    for entry in batch:
        if isinstance(entry, Quarantined):
            bad.append(entry)
            continue
        got = try_normalize(entry.record, now=now, origin=entry.origin, defaults=defaults, tz=tz, max_chars=max_chars)
        (bad if isinstance(got, Quarantined) else items).append(got)
    return items, bad


def store_items(store: Store, items: list[Item], collector: str | None) -> tuple[UpsertResult, list[Quarantined]]:
    """Stage 3: upsert a batch in one transaction; when the batch is refused for what is in it, store
    its items one by one and quarantine those the store refuses. A busy or broken database is not
    the items' fault: that error goes up, and the caller tries again later."""
    try:
        return store.upsert_items(items, collector), []
    except OperationalError:
        raise
    except Exception as exc:  # noqa: BLE001 — the batch's data: find the item
        log.warning("a batch of %d items was refused (%s: %s); storing them one by one",
                    len(items), type(exc).__name__, exc)
    total, bad = UpsertResult(), []
    for item in items:
        try:
            one = store.upsert_items([item], collector)
        except OperationalError:
            raise
        except Exception as exc:  # noqa: BLE001
            bad.append(Quarantined("store-refused", item.origin or item.id, f"{type(exc).__name__}: {exc}"[:500],
                                   raw_text(item.to_json())))
            continue
        total.added += one.added
        total.updated += one.updated
        total.duplicates += one.duplicates
    return total, bad


def ingest_batch(batch: Batch, now: datetime, defaults: Mapping[str, Any] | None, tz: tzinfo,
                 collector: str | None, quarantine_max_bytes: int, max_chars: int = 2_000_000,
                 store: Store | None = None) -> Report:
    """Stages 2 and 3 for one batch, in one transaction for the items; return what happened."""
    return ingest_batch_items(batch, now, defaults, tz, collector, quarantine_max_bytes, max_chars, store)[0]


def ingest_batch_items(batch: Batch, now: datetime, defaults: Mapping[str, Any] | None, tz: tzinfo,
                       collector: str | None, quarantine_max_bytes: int, max_chars: int = 2_000_000,
                       store: Store | None = None) -> tuple[Report, list[Item]]:
    """ingest_batch, and the items it stored (the bus's analyse worker analyses them next)."""
    store = store or _worker_store
    items, bad = prepare_batch(batch, now, defaults, tz, max_chars)
    report = Report(read=len(batch))
    result, refused = store_items(store, items, collector)
    bad += refused
    report.added, report.updated, report.duplicates = result.added, result.updated, result.duplicates
    for q in bad:
        report.quarantine(q.reason)
    store.add_quarantine(bad, collector, quarantine_max_bytes)
    return report, items


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


class Stopped(Exception):
    """The stage was asked to stop (SIGTERM); what was committed stays, the rest is done next time."""


def ingest_stream(stream: Iterable[Raw | Quarantined], store: Store, settings: Settings, *,
                  collector: str | None = None, defaults: Mapping[str, Any] | None = None,
                  clock: Callable[[], datetime] | None = None,
                  on_batch: Callable[[Report], None] | None = None,
                  stop: Callable[[], bool] | None = None) -> Report:
    """Normalise and store a stream of records in batches; return what happened to each.

    Each batch is one transaction, so a crash keeps every committed batch and a re-run
    (idempotent on id) adds the rest. After the first batch, a long stream moves to worker
    processes; small imports and feed polls never pay for starting them. A worker that dies
    takes no batch with it: its batches are stored here instead. `stop()` is asked between
    batches and raises Stopped.
    """
    from zoneinfo import ZoneInfo

    clock = clock or (lambda: datetime.now(timezone.utc))
    tz = ZoneInfo(settings.timezone)
    size = settings.import_batch_size
    report = Report()
    workers = worker_count(settings)
    pool: ProcessPoolExecutor | None = None
    pending: list[tuple[Batch, datetime, Future]] = []
    args = (defaults, tz, collector, settings.quarantine_max_bytes, settings.item_max_bytes)

    def done(part: Report) -> None:
        report.merge(part)
        if on_batch:
            on_batch(report)

    def settle(entry: tuple[Batch, datetime, Future]) -> None:
        nonlocal pool
        batch, at, future = entry
        try:
            done(future.result())
        except BrokenProcessPool:
            log.warning("an ingest worker died; storing its batches in this process")
            pool = None           # not shut down here: the broken pool is dropped with its futures
            done(ingest_batch(batch, at, *args, store=store))

    try:
        for n, batch in enumerate(_batches(stream, size)):
            if stop is not None and stop():
                raise Stopped("stopped between batches")
            if pool is None and workers and n >= 1 and not pending:
                pool = ProcessPoolExecutor(workers, initializer=_start_worker,
                                           initargs=(os.getpid(), settings.database_url))
            if pool is None:
                done(ingest_batch(batch, clock(), *args, store=store))
                continue
            at = clock()
            try:
                pending.append((batch, at, pool.submit(ingest_batch, batch, at, *args)))
            except BrokenProcessPool:
                pool = None
                done(ingest_batch(batch, at, *args, store=store))
            while len(pending) > 2 * workers:       # bounded: memory stays flat on huge files
                settle(pending.pop(0))
        while pending:
            settle(pending.pop(0))
    finally:
        for _, _, future in pending:
            future.cancel()
        if pool is not None:
            pool.shutdown(cancel_futures=True)
    return report


# --- the analysis stage -----------------------------------------------------------------------

def make_analyzer(settings: Settings, scheme_path: str | None = None, configured: bool = True):
    """Return an Analyzer for `scheme_path`, else for the configured scheme when `configured` and
    its file exists, else without a scheme (every item relevant)."""
    from .analysis.analyze import Analyzer
    from .analysis.dedup import NearDuplicates
    from .scheme import load_scheme
    from .starter import known_region

    # the configured scheme is beside the config file, whatever the working directory
    path = Path(scheme_path) if scheme_path else settings.path(settings.scheme)
    scheme = load_scheme(path, known_region) if (scheme_path or (configured and path.is_file())) else None
    analyzer = Analyzer(scheme, settings.model_dir)
    # the index sizes its ring by its bound: a fresh one, before any item
    analyzer.dups = NearDuplicates(max_items=int(settings.dedup_max_items))
    return analyzer


def other_schemes(store: Store) -> tuple[list[tuple[int, Any]], tuple]:
    """([(number, Scheme)] of the store's enabled schemes other than its first, the state they
    were read in). A stored scheme that no longer loads is left out, with a log line."""
    from .apply_scheme import scheme_of_row

    state = store.schemes_state()          # first: a change after it is seen by the save
    out = []
    for row in store.schemes(enabled=True):
        if row["id"] == 1:
            continue
        try:
            out.append((row["id"], scheme_of_row(row)))
        except (SchemeError, KeyError):
            log_failure(log, "scheme %s could not be loaded; its items are not judged", row["key"])
    return out, state


def take_up_schemes(store: Store, analyzer) -> bool:
    """Give the analyzer the store's other schemes when they changed; return whether they did."""
    if analyzer.others_state is not None and store.schemes_state() == analyzer.others_state:
        return False
    schemes, state = other_schemes(store)
    analyzer.judge_others(schemes, state)
    return True


_worker_analyzer = None    # an analysis worker's own models (no near-duplicate state)


_FORKED: dict[tuple[int, int], Any] = {}   # (pid, id) → the analyzer forked analysis workers take over


def _start_analysis_worker(parent: int, scheme, model_dir: str, others=(), state=None, key=None) -> None:
    from .analysis.analyze import Analyzer

    global _worker_analyzer
    inherited = _FORKED.get(key) if key is not None and key[0] == parent else None
    if inherited is not None:
        # forked from the process that judges under the same scheme: its models, whose pages stay
        # shared until written (numpy weights, the automaton: never), instead of ~150 MB of its own
        _worker_analyzer = inherited
    else:                                    # started afresh (spawn, forkserver)
        _worker_analyzer = Analyzer(scheme, model_dir)
        _worker_analyzer.judge_others(list(others), state)
    _exit_with(parent)


@contextmanager
def _analysis_pool(workers: int, analyzer):
    """Analysis workers that share this process's models: they are forked at once, after a
    collection and with the heap frozen, so that their own collections never write to (and copy)
    the pages of what they inherited (the gc module's advice for fork without exec)."""
    key = (os.getpid(), id(analyzer))
    _FORKED[key] = analyzer
    gc.collect()
    gc.freeze()
    try:
        pool = ProcessPoolExecutor(workers, initializer=_start_analysis_worker,
                                   initargs=(os.getpid(), analyzer.scheme, analyzer.model_dir,
                                             [(m.name, m.scheme) for m in analyzer.others.members] if analyzer.others else [],
                                             analyzer.others_state, key))
        try:
            pool.submit(int).result()            # with fork, the first task starts every worker
        except BrokenProcessPool:
            pass                                 # the batches find out and are analysed here
    finally:
        gc.unfreeze()
        _FORKED.pop(key, None)
    with pool:
        yield pool


def _analyze_rows(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return analyze_rows(_worker_analyzer, rows)


def analyze_rows(analyzer, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The per-item analysis of stored rows; an item that analysis fails on gets `failed_analysis`
    and the rest of its batch is analysed as usual."""
    from .analysis.analyze import Subject

    try:
        return analyzer.analyze_each([Subject.of_row(r) for r in rows])
    except Exception:  # noqa: BLE001 — find the item, analyse the others
        if len(rows) == 1:
            log_failure(log, "analysis failed on item %s", rows[0].get("id"))
            return [failed_analysis(f"{type(sys.exc_info()[1]).__name__}: {sys.exc_info()[1]}")]
        return [a for row in rows for a in analyze_rows(analyzer, [row])]


def failed_analysis(why: str) -> dict[str, Any]:
    """The `analysis` of an item the analysis stage could not analyse: stored with `error`, so that
    it is not tried forever, and shown with its reason on the item's page."""
    return {"relevant": False, "relevance": {"label": "no", "reasons": ["分析失败，未判断"]}, "places": [], "category": "其他", "sentiment": {"label": "neutral", "score": 0.0},
            "risk": {"level": "low", "score": 0.0, "reasons": []}, "keywords": [], "duplicate_of": None,
            "event": None, "error": why[:500]}


def attach_events(store: Store, analyzer, settings: Settings) -> None:
    """Give the analyzer the store's clusterer: the events active in the window, numbered on."""
    from .events.cluster import EventClusterer

    clusterer = EventClusterer(window_s=settings.event_window_days * 86400, max_active=settings.event_max_active,
                               max_bytes=int(float(settings.event_max_mb) * 2**20))
    newest = store.latest_published_ts() or time.time()
    states = store.active_event_states(int(newest - clusterer.window_s), clusterer.max_active)
    clusterer.load(with_first_texts(store, states), store.last_event_number())
    analyzer.enable_events(clusterer)
    analyzer.store_events = True


def with_first_texts(store: Store, states: list[dict]) -> list[dict]:
    """Event states with what an event of one item has said read back from its item (a state
    names that item instead of copying its text: a third of the state of most events)."""
    from .analysis.analyze import MAX_ANALYSED_CHARS, Subject
    from .events.cluster import first_text

    wanted = {st["first"] for st in states if st.get("text") is None and st.get("first")}
    if wanted:
        said = {r["id"]: first_text(s.title or "", s.text[:MAX_ANALYSED_CHARS])
                for r in store.item_texts(wanted) for s in [Subject.of_row(r)]}
        for st in states:
            if st.get("text") is None and st.get("first") in said:
                st["text"] = said[st["first"]]
    return states


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


class _Members(dict):
    """{event: its items} for the alert stage, read from the store only for an event that asks
    (a record kept from its running totals read no items; an alert's evidence needs them)."""

    def __init__(self, rows: dict, store: Store):
        super().__init__(rows)
        self.store = store

    def get(self, event_id, default=()):
        if event_id not in self:
            self[event_id] = self.store.event_items([event_id]).get(event_id, list(default))
        return self[event_id]


def update_events(store: Store, event_ids, settings: Settings, as_of: float | None = None,
                  on_records: Callable[[list, dict], None] | None = None, totals=None,
                  joined: Mapping[str, Sequence[str]] | None = None, keep_from: int = 0) -> int:
    """Rebuild the records of these events from their stored items; return how many.
    `on_records(records, {event: items})` sees each chunk (the alert stage).

    With `totals` (an events.record.TotalsCache) an event whose running totals are there takes
    in only its items `joined` since — if the store holds exactly those and the ones before
    (else it is read whole) — and the totals of events of `keep_from` items or more are kept."""
    from .events.record import Totals

    as_of = as_of or stream_clock(store)
    params = burst_params(settings)
    authority = configured_authority(settings)
    ids = sorted(set(event_ids))
    joined = joined or {}
    done = 0
    for part in _record_chunks(store, ids):
        current: dict[str, Totals] = {}
        sizes = store.event_sizes(part)     # one index count for the chunk (no item is read)
        if totals is not None:
            held = {eid: t for eid in part if (t := totals.take(eid)) is not None}
            if held:
                wanted = [item for eid in held for item in joined.get(eid, ())]
                new = store.event_items(held, item_ids=wanted) if wanted else {}
                for eid, t in held.items():
                    rows = new.get(eid, [])
                    # an item left, came back or was analysed again: the totals are not the store's
                    if sizes.get(eid) == t.n + len(rows):
                        current[eid] = t.add(rows)
        need = [eid for eid in part if eid not in current]
        # a big event is read a page at a time (its record's totals hold a light row per item,
        # its rows were 2-5 KB each: the flush ending a 1M import read one of 100,000 items);
        # its items are read again only if the alert stage asks for them
        big = {eid for eid in need if sizes.get(eid, 0) > RECORD_PAGE_ITEMS}
        members = store.event_items([eid for eid in need if eid not in big])
        current.update((eid, Totals(authority).add(rows)) for eid, rows in members.items())
        current.update((eid, totals_of(store, eid, authority)) for eid in big)
        records = []
        for eid, t in current.items():
            try:
                records.append(t.record(eid, max(as_of, t.last_ts), params))
            except Exception:  # noqa: BLE001 — this event's record stays as it was; the others go on
                log_failure(log, "event %s: its record could not be rebuilt", eid)
                continue
            if totals is not None and t.n >= keep_from:
                totals.put(eid, t)
        store.save_event_records(records)
        if on_records is not None:
            try:
                on_records(records, _Members(members, store))
            except OperationalError:
                raise
            except Exception:  # noqa: BLE001 — the alert stage's failure must not undo the events'
                log_failure(log, "alerts for %d events failed", len(records))
        done += len(records)
    return done


RECORD_CHUNK_EVENTS = 500
RECORD_CHUNK_ITEMS = 20_000
RECORD_PAGE_ITEMS = 5000


def totals_of(store: Store, event_id: str, authority):
    """An event's running totals from all its stored items, read a page at a time."""
    from .events.record import Totals

    totals = Totals(authority)
    for rows in store.event_item_pages(event_id, RECORD_PAGE_ITEMS):
        totals.add(rows)
    return totals


def _record_chunks(store: Store, ids: list[str]) -> Iterator[list[str]]:
    """These events in chunks of at most RECORD_CHUNK_EVENTS events and, where there are
    many, about RECORD_CHUNK_ITEMS items (the flush at the end of a 1M import read 500 big
    events' items at once: 600 MB more for a moment)."""
    if len(ids) <= 50:
        yield ids
        return
    sizes = store.event_sizes(ids)
    part: list[str] = []
    items = 0
    for eid in ids:
        n = sizes.get(eid, 0)
        if part and (len(part) >= RECORD_CHUNK_EVENTS or items + n > RECORD_CHUNK_ITEMS):
            yield part
            part, items = [], 0
        part.append(eid)
        items += n
    if part:
        yield part


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
                    settings: Settings | None = None, until: float | None = None,
                    stop: Callable[[], bool] | None = None, tally=None) -> int:
    """Analyse every stored item waiting for it; raise StageBusy when another process (a
    `yuqing run`) is at it — it will take these items too. One analysis stage per store at a
    time: near-duplicates, events and their numbering follow one order. `tally` (a
    RelevanceTally) counts how the items were judged.

    `until` (a time.monotonic() deadline) and `stop()` end it early between batches: what is
    analysed is saved, the rest waits for the next call."""
    with store.exclusive("analysis") as mine:
        if not mine:
            raise StageBusy("another process is analysing this store (yuqing run?); it will analyse these items")
        return _analyze_pending(store, analyzer, batch_size, warm_days, on_batch, workers, settings,
                                lambda: (until is not None and time.monotonic() > until) or bool(stop and stop()),
                                tally)


class Linker:
    """Stage 4's serial half, in time order: near-duplicates, events and the judgments of the
    other schemes saved in one transaction with the clusterer's state, then the records of the
    events that changed rebuilt and their alerts raised. One Linker per store at a time (the
    holder of the "analysis" lock): `yuqing run`, an import, or the bus's events worker.

    A fresh analyzer first learns the texts of the last `warm_days` (already analysed), so a
    copy arriving today still points at last week's original. Without `settings`, no events.

    A record is rebuilt from all of its event's items, so an event of thousands costs thousands
    of rows each time one more joins (issue 20: the cost per item grew with the store). An event
    of DEFER_FROM items or more is rebuilt again once it has grown by DEFER_GROWTH, after
    DEFER_MAX_S (when it took a recent item: history, older than alert_max_age_hours, pages
    nobody and waits until it has doubled — HISTORY_GROWTH —, so that in an import of the past
    an event past DEFER_FROM items costs at most two rows re-read per item joined, whatever its
    size and whatever the running totals held), when a high-risk item joins one not yet high or (live) it takes
    in a merge — and at `flush()`, which the callers run when the backlog is done; until then its
    record lags by at most that much. The records of big events are kept from their running
    totals (events/record.Totals, up to event_cache_items items in all): a rebuild reads only
    the items that joined since. (Live, a backlog is a few batches: every record is current again within the
    analysis slice. From 20 items: an event below costs at most 20 rows a rebuild, so an item
    costs about the same in a store of any size; at 200, the 100k import read 8.8 rows per
    item, most of them for events of 20–200.)"""

    DEFER_FROM = 20
    DEFER_GROWTH = 0.1
    HISTORY_GROWTH = 1.0       # history: rebuilt when doubled (rows re-read per item ≤ 2 whatever the size)
    DEFER_MAX_S = 60.0

    def __init__(self, store: Store, analyzer, settings: Settings | None, warm_days: float = 7.0,
                 tally=None, on_batch: Callable[[int], None] | None = None):
        from .analysis.analyze import Subject
        from .events.record import TotalsCache

        self.store, self.analyzer, self.settings = store, analyzer, settings
        self.tally, self.on_batch = tally, on_batch
        self.with_events = settings is not None
        self.done = 0
        self._built: dict[str, tuple[int, float, int, str]] = {}   # big events: (size, when, items since, risk)
        self.deferred: dict[str, None] = {}                    # their records, waiting
        # big events' running totals, and the items that joined each since they were taken
        self.totals = TotalsCache(settings.event_cache_items) if settings is not None else None
        self._joined: dict[str, list[str]] = {}
        self._folded: set[str] = set()                 # merged into, their totals folded (this batch)
        self._authority = configured_authority(settings) if settings is not None else {}
        self._clock = 0.0
        take_up_schemes(store, analyzer)
        if self.with_events and (not getattr(analyzer, "store_events", False)
                                 or store.last_event_number() != analyzer.events._n):
            # first time, or another process formed events since: take up the store's state
            attach_events(store, analyzer, settings)
        self.as_of = stream_clock(store) if self.with_events else 0.0
        if warm_days and not getattr(analyzer, "warmed", False):
            since = int(time.time() - warm_days * 86400)
            for row in store.recent_analyzed(since):
                analyzer.remember(Subject.of_row(row))
            analyzer.warmed = True

    def _link_and_save(self, rows, analyses) -> tuple[list, list, dict]:
        """Near-duplicates and events in time order, saved in one transaction with the
        clusterer's state; return (subjects, analyses, merges)."""
        from .analysis.analyze import Subject
        from .store.sql import judged_relevance

        store, analyzer = self.store, self.analyzer
        events = analyzer.events if self.with_events else None
        subjects = [Subject.of_row(r) for r in rows]
        # a person's answer to 疑似涉及 stands over the rules (before events: a yes forms one)
        judged = store.relevance_judgments([s.id for s in subjects])
        for s, a in zip(subjects, analyses):
            if s.id in judged:
                a.update(judged_relevance(a, judged[s.id]["label"], judged[s.id]["user"]))
        known = None
        if events is not None:
            known = store.events_of({s.repost_of for s in subjects if s.repost_of})
            known.update({r["id"]: r["event"] for r in rows if r.get("event")})    # analysed before
        analyses = analyzer.link_copies(subjects, analyses, known, store.events_of if events is not None else None)
        if events is not None:
            for a in analyses:
                a["event"] = events.resolve(a["event"]) if a["event"] else None
        closed = set(events.closed) if events is not None else set()
        states, merges = events.drain() if events is not None else ([], {})
        self._fold(merges)
        store.save_analysis(list(zip((s.id for s in subjects), analyses)), states, merges,
                            schemes_state=analyzer.others_state, closed=closed)
        return subjects, analyses, merges

    def _rejudge(self, rows, analyses) -> None:
        from .analysis.analyze import Subject

        subjects = [Subject.of_row(r) for r in rows]
        for a, other in zip(analyses, self.analyzer.others_of(subjects) or [None] * len(rows)):
            a.pop("schemes", None)
            if other is not None:
                a["schemes"] = other

    def _save(self, rows, analyses, state=None):
        """Save a batch judged under the schemes `state` (the analyzer's now, by default)."""
        if state is not None and state != self.analyzer.others_state:
            self._rejudge(rows, analyses)          # judged by a worker started before the schemes changed
        try:
            return self._link_and_save(rows, analyses)
        except SchemesChanged:
            # a scheme was saved while this batch was judged: judge it under the new ones, from
            # the clusterer's stored state (it may hold half of this batch)
            take_up_schemes(self.store, self.analyzer)
            self._retake_events()
            self._rejudge(rows, analyses)
            return self._link_and_save(rows, analyses)

    def _retake_events(self) -> None:
        """The clusterer's state from the store again (a failed or retried save may have left half
        a batch in it), and the running totals dropped with it (a merge may have been folded)."""
        if self.with_events:
            attach_events(self.store, self.analyzer, self.settings)
            self.totals.clear()
            self._joined.clear()

    def _save_one_by_one(self, rows, analyses, state=None):
        # the batch failed between analysis and saving: take the store's event state up again
        # (the clusterer may hold half of that batch) and try each item alone
        self._retake_events()
        out: tuple[list, list, dict] = ([], [], {})
        for row, a in zip(rows, analyses):
            try:
                part = self._save([row], [a], state)
            except OperationalError:
                raise
            except Exception as exc:  # noqa: BLE001 — this item, stored as failed, never tried forever
                log_failure(log, "item %s: analysis could not be saved", row["id"])
                self._retake_events()
                self.store.save_analysis([(row["id"], failed_analysis(f"{type(exc).__name__}: {exc}"))])
                continue
            out[0].extend(part[0])
            out[1].extend(part[1])
            out[2].update(part[2])
        return out

    def finish(self, rows, analyses, state=None) -> set[str]:
        """Link and save one batch analysed under the schemes `state`; return the events it changed."""
        tally = self.tally
        try:
            subjects, analyses, merges = self._save(rows, analyses, state)
        except OperationalError:
            raise
        except Exception:  # noqa: BLE001
            log_failure(log, "a batch of %d items could not be saved; saving them one by one", len(rows))
            subjects, analyses, merges = self._save_one_by_one(rows, analyses, state)
        if tally is not None:
            for a in analyses:
                tally.add(a)
        changed: set[str] = set()
        if self.with_events and subjects:
            touched = Counter(a["event"] for a in analyses if a["event"])
            texts: dict[str, list[str]] = {}
            for s, a in zip(subjects, analyses):
                if a["event"]:
                    texts.setdefault(a["event"], []).append(s.full_text)
            high = {a["event"] for a in analyses if a["event"] and (a.get("risk") or {}).get("level") == "high"}
            merged = set(merges.values())
            # totals that are no longer what the store holds: an item analysed again (its old
            # event and its new one), a merge (both sides)
            again = {r["id"] for r in rows if r.get("event")}
            self._forget({r["event"] for r in rows if r.get("event")} | set(merges) | (merged - self._folded)
                         | {a["event"] for s, a in zip(subjects, analyses) if s.id in again and a["event"]})
            for s, a in zip(subjects, analyses):
                if a["event"] in self.totals:
                    self._joined.setdefault(a["event"], []).append(s.id)
            # an event whose items in this batch are all history (older than alert_max_age_hours:
            # an import of the past) pages nobody: its record waits for growth, not for the clock
            recent = time.time() - self.settings.alert_max_age_hours * 3600
            live = {a["event"] for s, a in zip(subjects, analyses) if a["event"] and s.ts >= recent}
            changed = self._due(set(touched) | merged, touched, high, merged, live)
            self._clock = max(self.as_of, self._clock, max(s.ts for s in subjects))
            self._rebuild(changed, touched, texts)
        self.done += len(rows)
        if self.on_batch:
            self.on_batch(self.done)
        return changed

    def _due(self, changed: set[str], touched: Counter, high: set[str], merged: set[str],
             live: set[str] | None = None) -> set[str]:
        """Of the changed events, those whose records are rebuilt now (the others wait): `high`
        took a high-risk item, `merged` another event, `live` (None: all) a recent one."""
        now = time.monotonic()
        due = set()
        for eid in changed:
            built = self._built.get(eid)
            history = live is not None and eid not in live
            # (a high-risk item changes nothing of an event whose record says high already; a
            # merge into an event of the past waits like its growth: at 1M items, big events of
            # history took in merges by the thousand and each was rebuilt whole at once)
            if built is not None and (eid not in merged or history) and (eid not in high or built[3] == "high"):
                size, when, since, level = built
                since += touched.get(eid, 0)
                if since < size * (self.HISTORY_GROWTH if history else self.DEFER_GROWTH) and (
                        history or now - when < self.DEFER_MAX_S):
                    self._built[eid] = (size, when, since, level)
                    self.deferred[eid] = None
                    continue
            due.add(eid)
        return due

    def _fold(self, merges: dict[str, str]) -> None:
        """Events merged into one whose running totals are held: fold theirs in, read before the
        save moves their items (a big event took in hundreds of merges at 1M items, and each
        read it whole again)."""
        self._folded = set()
        if self.totals is None:
            return
        for gone, keep in merges.items():
            mine = self.totals.take(keep)
            if mine is None:
                continue
            theirs = self.totals.take(gone)
            if theirs is None:
                theirs = totals_of(self.store, gone, self._authority)
            elif self._joined.get(gone):
                theirs.add(self.store.event_items([gone], item_ids=self._joined[gone]).get(gone, []))
            self._joined.pop(gone, None)
            if mine.merge(theirs):
                self.totals.put(keep, mine)
                self._folded.add(keep)
            else:
                self._joined.pop(keep, None)

    def _rebuild(self, ids: set[str], touched: Counter, texts: dict[str, list[str]]) -> None:
        """Rebuild these events' records and raise their alerts."""
        store, analyzer, settings, tally = self.store, self.analyzer, self.settings, self.tally
        block = analyzer.scheme.alert if analyzer.scheme is not None else None

        def alert(records, members) -> None:
            from .alerts.engine import raise_alerts

            now = time.monotonic()
            for r in records:
                self.deferred.pop(r["id"], None)
                if r["size"] >= self.DEFER_FROM:
                    self._built[r["id"]] = (r["size"], now, 0, r["risk"]["level"])
            new = {r["id"] for r in records if touched.get(r["id"]) == r["size"]}
            if block or settings.alert_rules:
                raise_alerts(store, records, members, block, settings, new_events=new, texts=texts,
                             held=tally.held_alerts if tally is not None else None)
            # each other scheme with alert rules: its events, its rules, its alerts
            alerting = [m for m in (analyzer.others.members if analyzer.others is not None else ()) if m.scheme.alert]
            by_scheme = store.events_by_scheme([r["id"] for r in records]) if alerting else {}
            for member in alerting:
                theirs = by_scheme.get(member.name)
                if theirs:
                    raise_alerts(store, [r for r in records if r["id"] in theirs], members, member.scheme.alert,
                                 settings, new_events=new, texts=texts, scheme=member.name)

        if ids:
            update_events(store, ids, settings, self._clock, on_records=alert, totals=self.totals,
                          joined=self._joined, keep_from=self.DEFER_FROM)
            for eid in ids:
                self._joined.pop(eid, None)

    def _forget(self, event_ids) -> None:
        self.totals.drop(event_ids)
        for eid in event_ids:
            self._joined.pop(eid, None)

    def flush(self) -> set[str]:
        """Rebuild the records that were waiting; return their events."""
        ids = set(self.deferred)
        if ids and self.with_events:
            self._rebuild(ids, Counter(), {})
        self.deferred.clear()
        return ids


def _analyze_pending(store: Store, analyzer, batch_size: int, warm_days: float,
                     on_batch: Callable[[int], None] | None, workers: int, settings: Settings | None,
                     enough: Callable[[], bool] = lambda: False, tally=None) -> int:
    """Analyse every stored item waiting for it, oldest first; return how many were analysed.

    With `workers` and a backlog of more than a few batches, the per-item work runs in worker
    processes while this process links near-duplicates in time order and stores the results
    (a Linker). With `settings`, items are put into events too, and the records of the events
    that changed are rebuilt (and their alerts raised), batch by batch.
    """
    linker = Linker(store, analyzer, settings, warm_days, tally, on_batch)
    finish = linker.finish

    if not workers or store.count_pending(batch_size * 4) < batch_size * 4:   # small: workers cost more to start
        while not enough():
            rows = store.pending_analysis(batch_size)
            if not rows:
                break
            finish(rows, analyze_rows(analyzer, rows))
        linker.flush()
        return linker.done
    pool_state = analyzer.others_state       # what the workers judge under
    with _analysis_pool(workers, analyzer) as pool:
        inflight: list[tuple[list, Future | None]] = []
        after, broken = None, False
        while True:
            rows = store.pending_analysis(batch_size, after=after) if not enough() else []
            if rows:
                after = (rows[-1]["published_ts"], rows[-1]["seq"])
                try:
                    inflight.append((rows, None if broken else pool.submit(_analyze_rows, rows)))
                except BrokenProcessPool:
                    broken = True
                    inflight.append((rows, None))
            while inflight and (len(inflight) > 2 * workers or not rows):
                batch, future = inflight.pop(0)      # in submission order: time order for the copies
                state = pool_state if future is not None else None
                try:
                    analyses = future.result() if future is not None else analyze_rows(analyzer, batch)
                except BrokenProcessPool:            # a worker died: this process analyses the rest
                    broken, state = True, None
                    analyses = analyze_rows(analyzer, batch)
                finish(batch, analyses, state)
            if not rows and not inflight:
                linker.flush()
                return linker.done


# --- everything, continuously ------------------------------------------------------------------

REFRESH_S = 300.0      # how often `yuqing run` re-takes heat and stage of recent events
ANALYSIS_SLICE_S = 20.0   # a backlog is analysed in slices this long: polls and deliveries go on between them
APPLY_SLICE_S = 5.0       # and a scheme is applied to stored history in slices this long


def run_forever(settings: Settings, store: Store, analyzer, fetcher, stop: Callable[[], bool] = lambda: False,
                on_step: Callable[[str, Any], None] | None = None, tick: float = 1.0) -> None:
    """`yuqing run`: poll due sources, analyse what is waiting (events and alerts with it),
    deliver due messages, queue the daily digest, escalate cases at risk — until `stop()`.

    Items another process stores (an import) are analysed on the next tick too; messages are
    checked every `tick` seconds, so a retry or the end of quiet hours is not late. A backlog is
    analysed in slices of ANALYSIS_SLICE_S, and what its batches raise is delivered batch by
    batch. A step that fails is reported (`on_step("error", …)`) and the loop goes on: one bad
    record, source or message never stops the rest.
    """
    from .alerts.engine import deliver_due, escalate, queue_digest
    from .collect import Collector, configured_sources
    from .reports.schedule import due_reports

    say = on_step or (lambda step, value: None)
    state = {"analyzer": analyzer, "settings": settings, "sources": configured_sources(settings),
             "last_refresh": 0.0, "last_deliver": 0.0}
    workers = worker_count(settings)
    config = settings.config_path
    scheme_file = settings.path(settings.scheme)

    def mtime(path: Path | None) -> float | None:
        return path.stat().st_mtime if path and path.exists() else None

    seen = {"config": mtime(config), "scheme": mtime(scheme_file)}
    from .apply_scheme import Judges

    state["judges"] = Judges()
    if scheme_file.is_file():
        from .configfile import remember_scheme

        remember_scheme(store, scheme_file)      # the store's scheme 1, with the file as it is

    def step(name: str, fn: Callable[[], Any]) -> Any:
        if stop():
            return None
        try:
            return fn()
        except Exception as exc:  # noqa: BLE001 — reported, and the next step and tick go on
            log_failure(log, "yuqing run: %s failed", name)
            say("error", f"{name}: {type(exc).__name__}: {exc}")
            return None

    def reload_scheme() -> None:
        if mtime(scheme_file) == seen["scheme"]:
            return
        # the scheme saved (the web's 方案 page, or by hand): items analysed from now on use it,
        # and the stored ones are judged again under it (the apply step)
        seen["scheme"] = mtime(scheme_file)
        try:
            state["analyzer"] = make_analyzer(state["settings"])
            say("scheme", state["analyzer"].scheme.name if state["analyzer"].scheme else None)
        except (SchemeError, KeyError, OSError) as exc:
            say("scheme-error", str(exc))
            return
        from .configfile import remember_scheme

        remember_scheme(store, scheme_file)

    def apply() -> None:
        from .apply_scheme import apply_schemes

        if not any(r["applying"] for r in store.schemes(enabled=True)):
            return
        done = apply_schemes(store, state["judges"], until=time.monotonic() + APPLY_SLICE_S, stop=stop,
                             chunk=state["settings"].apply_batch_size)
        if done:
            say("apply", done)

    def reload_config() -> None:
        if mtime(config) == seen["config"]:
            return
        # sources edited (the web's 信息源 page, or by hand): the next round uses them
        seen["config"] = mtime(config)
        try:
            from .settings import load_settings

            fresh = load_settings(config)
            state["sources"] = configured_sources(fresh)
            state["settings"] = fresh
            say("config", [s.name for s in state["sources"]])
        except SettingsError as exc:
            say("config-error", str(exc))

    def deliver(force: bool = False) -> None:
        if not force and time.monotonic() - state["last_deliver"] < 1.0:
            return
        state["last_deliver"] = time.monotonic()
        sent = deliver_due(store, state["settings"])
        if any(sent.values()):
            say("deliver", sent)

    def collect() -> None:
        for result in collector.tick(state["settings"], state["sources"], stop):
            say("collect", result)

    def analyse() -> None:
        from .analysis.relevance import RelevanceTally

        if state["settings"].bus_url or not store.count_pending(1):
            return                 # server mode: `yuqing worker events` analyses (docs/deploy.md)
        try:
            tally = RelevanceTally()
            n = analyze_pending(store, state["analyzer"], state["settings"].analyze_batch_size, workers=workers,
                                settings=state["settings"], until=time.monotonic() + ANALYSIS_SLICE_S, stop=stop,
                                on_batch=lambda _n: step("deliver", deliver), tally=tally)
        except StageBusy:
            n = 0                  # an import is analysing what it stored; next tick
        if n:
            say("analyse", tally)

    def refresh() -> None:
        if time.time() - state["last_refresh"] >= REFRESH_S:
            refresh_events(store, state["settings"], stale_s=REFRESH_S)
            state["last_refresh"] = time.time()

    def reports() -> None:
        made = due_reports(store, state["settings"])
        if made:
            say("report", made)

    def block():
        a = state["analyzer"]
        return a.scheme.alert if a.scheme is not None else None

    collector = Collector(store, fetcher, settings.collect_workers)
    # server mode: the events worker's change notice ends the pause, so that an alert it raised
    # is delivered now, not at the next tick
    woken = threading.Event()
    if settings.bus_url:
        from .bus import BusError, client

        try:
            client(settings).on_changes(woken.set)
        except BusError:
            log_failure(log, "yuqing run: the bus is unavailable; delivery checks every %s s", tick)
    try:
        while not stop():
            step("scheme", reload_scheme)
            step("config", reload_config)
            step("collect", collect)
            step("analyse", analyse)
            step("apply", apply)
            step("refresh", refresh)
            step("digest", lambda: queue_digest(store, block(), state["settings"]))
            step("reports", reports)
            step("escalate", lambda: escalate(store, state["settings"]))
            step("deliver", lambda: deliver(force=True))
            waiting = [s for s in state["sources"] if s.name not in collector.inflight]   # in flight: next tick
            next_due = step("schedule", lambda: _next_due(store, waiting))
            sleep_unless_stopped(min(max((next_due or 0) - time.time(), 0.05), tick), stop, woken)
    finally:
        collector.close()


def _next_due(store: Store, sources) -> float:
    states = {s["name"]: s for s in store.source_states()}
    return min((states.get(s.name, {}).get("next_due_ts") or 0 for s in sources if s.enabled),
               default=time.time() + 60)


def sleep_unless_stopped(seconds: float, stop: Callable[[], bool], wake: threading.Event | None = None) -> None:
    """Sleep up to `seconds`, waking within 0.1 s of `stop()` turning true (or at once when
    `wake` is set; it is cleared)."""
    end = time.monotonic() + seconds
    while not stop() and (left := end - time.monotonic()) > 0:
        if wake is None:
            time.sleep(min(left, 0.1))
        elif wake.wait(min(left, 0.1)):
            wake.clear()
            return
