"""The stages in order; the only module that knows it.

1. collect  — a source yields Raw records or Quarantined entries (sources/*)
2. ingest   — each Raw record becomes an Item (with its search terms) or a quarantine entry
              (ingest.normalize_record, analysis.segment.index_terms)
3. store    — items are upserted by id (and content hash), quarantine entries recorded (store/*)

Analysis, events and alerts are later stages over stored items.

Stage 2 is a pure function over a batch, so a large stream runs it in worker processes while
this process reads the input and writes the store (SQLite wants one writer anyway).
"""

from __future__ import annotations

import itertools
import json
import logging
import os
from concurrent.futures import Future, ProcessPoolExecutor
from datetime import datetime, timezone, tzinfo
from typing import Any, Callable, Iterable, Iterator, Mapping

from .analysis.segment import index_terms
from .ingest import normalize_record
from .models import Item, Quarantined, Raw, Report, SkipItem
from .settings import Settings
from .store import Store
from .store.sql import searchable_text

log = logging.getLogger(__name__)

Batch = list[Raw | Quarantined]


def prepare_batch(batch: Batch, now: datetime, defaults: Mapping[str, Any] | None, tz: tzinfo,
                  segment: bool = False) -> tuple[list[Item], list[Quarantined]]:
    """Stage 2 for one batch: normalise each record (and segment it when asked)."""
    items: list[Item] = []
    bad: list[Quarantined] = []
    for entry in batch:
        if isinstance(entry, Quarantined):
            bad.append(entry)
            continue
        try:
            item = normalize_record(entry.record, now=now, origin=entry.origin, defaults=defaults, tz=tz)
        except SkipItem as exc:
            bad.append(Quarantined(exc.reason, entry.origin, exc.detail, _raw_text(entry.record)))
            continue
        if segment:
            item.seg = index_terms(searchable_text(item))
        items.append(item)
    return items, bad


def _exit_with_parent(parent: int) -> None:
    """Worker initializer: a worker whose parent died (kill -9) exits instead of lingering."""
    import threading
    import time

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
    if settings.ingest_workers >= 0:
        return settings.ingest_workers
    return min(os.cpu_count() or 1, 4) if (os.cpu_count() or 1) >= 2 else 0


def ingest_stream(stream: Iterable[Raw | Quarantined], store: Store, settings: Settings, *,
                  collector: str | None = None, defaults: Mapping[str, Any] | None = None,
                  clock: Callable[[], datetime] | None = None,
                  on_batch: Callable[[Report], None] | None = None) -> Report:
    """Normalise and store a stream of records in batches; return what happened to each.

    Each batch is one transaction, so a crash loses at most the batches in flight and a re-run
    (idempotent on id) completes the rest. Past `parallel_after` records, stage 2 moves to
    worker processes; small imports and feed polls never pay for starting them.
    """
    from zoneinfo import ZoneInfo

    clock = clock or (lambda: datetime.now(timezone.utc))
    tz = ZoneInfo(settings.timezone)
    size = settings.import_batch_size
    report = Report()
    workers = worker_count(settings)
    parallel_after = size   # the first batch runs here (and loads the dictionary the forks inherit)
    pool: ProcessPoolExecutor | None = None
    pending: list[Future] = []

    def write(items: list[Item], bad: list[Quarantined], n: int) -> None:
        report.read += n
        result = store.upsert_items(items, collector)
        report.added += result.added
        report.updated += result.updated
        report.duplicates += result.duplicates
        for q in bad:
            report.quarantine(q.reason)
        store.add_quarantine(bad, collector, settings.quarantine_max_bytes)
        if on_batch:
            on_batch(report)

    try:
        seen = 0
        for batch in _batches(stream, size):
            seen += len(batch)
            if pool is None and workers and seen > parallel_after:
                pool = ProcessPoolExecutor(workers, initializer=_exit_with_parent, initargs=(os.getpid(),))
            if pool is None:
                write(*prepare_batch(batch, clock(), defaults, tz), len(batch))
                continue
            pending.append(pool.submit(prepare_batch, batch, clock(), defaults, tz, True))
            pending[-1].n = len(batch)  # type: ignore[attr-defined]
            while len(pending) > 2 * workers:       # bounded: memory stays flat on huge files
                done = pending.pop(0)
                write(*done.result(), done.n)       # type: ignore[attr-defined]
        for done in pending:
            write(*done.result(), done.n)           # type: ignore[attr-defined]
        pending.clear()
    finally:
        for f in pending:
            f.cancel()
        if pool is not None:
            pool.shutdown(cancel_futures=True)
    return report


def _raw_text(record: Any) -> str:
    try:
        return json.dumps(record, ensure_ascii=False, default=str)
    except (TypeError, ValueError):
        return repr(record)
