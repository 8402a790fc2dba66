"""The stages in order; the only module that knows it.

1. collect  — a source yields Raw records or Quarantined entries (sources/*)
2. ingest   — each Raw record becomes an Item or a quarantine entry (ingest.normalize_record)
3. store    — items are upserted by id and content hash, quarantine entries recorded (store/*)

Analysis, events and alerts are later stages over stored items.
"""

from __future__ import annotations

import logging
from datetime import datetime, timezone
from typing import Any, Callable, Iterable, Mapping

from .ingest import normalize_record
from .models import Item, Quarantined, Raw, Report, SkipItem
from .settings import Settings
from .store import Store

log = logging.getLogger(__name__)


def ingest_stream(stream: Iterable[Raw | Quarantined], store: Store, settings: Settings, *,
                  collector: str | None = None, defaults: Mapping[str, Any] | None = None,
                  clock: Callable[[], datetime] | None = None,
                  on_batch: Callable[[Report], None] | None = None) -> Report:
    """Normalise and store a stream of records in batches; return what happened to each.

    Each batch is one transaction, so a crash loses at most the batch in flight and a re-run
    (idempotent on id and content) completes the rest.
    """
    clock = clock or (lambda: datetime.now(timezone.utc))
    report = Report()
    batch: list[Item] = []
    bad: list[Quarantined] = []
    size = settings.import_batch_size

    def flush() -> None:
        result = store.upsert_items(batch, collector)
        report.added += result.added
        report.updated += result.updated
        report.duplicates += result.duplicates
        store.add_quarantine(bad, collector, settings.quarantine_max_bytes)
        batch.clear()
        bad.clear()
        if on_batch:
            on_batch(report)

    from zoneinfo import ZoneInfo

    tz = ZoneInfo(settings.timezone)
    now = clock()
    for entry in stream:
        report.read += 1
        if isinstance(entry, Quarantined):
            bad.append(entry)
            report.quarantine(entry.reason)
        else:
            try:
                batch.append(normalize_record(entry.record, now=now, origin=entry.origin, defaults=defaults,
                                              tz=tz))
            except SkipItem as exc:
                bad.append(Quarantined(exc.reason, entry.origin, exc.detail, _raw_text(entry.record)))
                report.quarantine(exc.reason)
        if len(batch) + len(bad) >= size:
            flush()
            now = clock()
    if batch or bad:
        flush()
    return report


def _raw_text(record: Any) -> str:
    import json

    try:
        return json.dumps(record, ensure_ascii=False, default=str)
    except (TypeError, ValueError):
        return repr(record)
