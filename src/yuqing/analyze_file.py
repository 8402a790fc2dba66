"""`yuqing analyze`: a JSON Lines file in, the same items with their `analysis` out (DESIGN §3).

Lines are read and normalised like an import (without storing), analysed in published_at
order as a stream would see them, and written back in input order, one line per input line.
"""

from __future__ import annotations

import time
from datetime import datetime, timezone
from typing import IO, Callable
from zoneinfo import ZoneInfo

import orjson

from .analysis.analyze import Analyzer, Subject
from .ingest import TIME_FALLBACK, try_normalize

ANALYZE_DEFAULTS = {TIME_FALLBACK: "now"}
from .models import Item, Quarantined
from .sources.files import byte_lines, parse_json_line
from .settings import Settings


def read_items(path: str, settings: Settings, on_error: Callable[[str], None]):
    """Return ([(line number, Item)], {line number: error}, line count)."""
    now = datetime.now(timezone.utc)
    tz = ZoneInfo(settings.timezone)
    good: list[tuple[int, Item]] = []
    errors: dict[int, str] = {}
    n = 0
    with open(path, "rb") as f:
        # lines no longer than item_max_bytes are held; the rest of a longer one is skipped
        for n, raw, length in byte_lines(f, settings.item_max_bytes):
            if not raw.strip():
                errors[n] = "empty line"
            elif length > settings.item_max_bytes:
                errors[n] = f"line of {length:,} bytes is over item_max_bytes ({settings.item_max_bytes:,})"
            else:
                try:
                    record = parse_json_line(raw.removeprefix(b"\xef\xbb\xbf"))
                except orjson.JSONDecodeError as exc:
                    errors[n] = f"bad JSON: {exc}"
                else:
                    # `yuqing analyze` keeps an unreadable time, flagged (its output is a contract)
                    got = try_normalize(record, now=now, origin=f"{path}:{n}", tz=tz, max_chars=settings.item_max_bytes,
                                        defaults=ANALYZE_DEFAULTS)
                    if isinstance(got, Quarantined):
                        errors[n] = f"{got.reason}: {got.detail}" if got.detail else got.reason
                    else:
                        good.append((n, got))
            if n in errors:
                on_error(f"{path}:{n}: {errors[n]}")
    return good, errors, n


def analyze_file(path: str, out: IO[str], analyzer: Analyzer, settings: Settings,
                 on_error: Callable[[str], None], first: str | None = None) -> dict:
    """With several schemes (`first` names the analyzer's own, the others are its
    `judge_others`), each item carries `analysis.schemes` = {name: {relevant, relevance}} beside
    the first scheme's `relevant` and `relevance`; with one scheme the output is as it always was."""
    started = time.perf_counter()
    good, errors, lines = read_items(path, settings, on_error)
    results: dict[int, dict] = {}
    order = sorted(good, key=lambda pair: (pair[1].published_at, pair[0]))
    size = settings.analyze_batch_size
    for i in range(0, len(order), size):
        part = order[i:i + size]
        subjects = [Subject.of_item(it) for _, it in part]
        for (n, _), analysis in zip(part, analyzer.analyze(subjects)):
            if first is not None:
                # what is shared (places, category, tone, risk, keywords, events) once; per
                # scheme only its relevance
                others = analysis.pop("schemes", None) or {}
                analysis["schemes"] = {first: {"relevant": analysis["relevant"], "relevance": analysis["relevance"]}} | {
                    name: {"relevant": r["label"] == "yes", "relevance": r} for name, r in others.items()}
            results[n] = analysis
    items = dict(good)
    for n in range(1, lines + 1):
        if n in items:
            analysis = results[n]
            if analysis.get("event") and analyzer.events is not None:
                analysis["event"] = analyzer.events.resolve(analysis["event"])   # events merged since
            obj = items[n].to_json() | {"analysis": analysis}
        else:
            obj = {"line": n, "error": errors[n]}
        out.write(orjson.dumps(obj).decode() + "\n")
    return {"lines": lines, "analysed": len(good), "errors": len(errors),
            "seconds": time.perf_counter() - started}
