"""Replay a timed JSON Lines stream at a chosen speed (for the demo, tests and drills)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from ..ingest import parse_time
from ..models import Quarantined, Raw
from .files import read_jsonl


@dataclass
class ReplayState:
    start: float | None = None    # wall-clock epoch seconds when the replay began
    emitted: int = 0              # records handed out so far (in time order)


def load_stream(path: Path, now: datetime, max_bytes: int) -> tuple[list[tuple[datetime, Raw]], list[Quarantined]]:
    """Return the stream's records sorted by time, and the lines that cannot be replayed."""
    timed, bad = [], []
    for entry in read_jsonl(path, max_bytes, {}):
        if isinstance(entry, Quarantined):
            bad.append(entry)
            continue
        t = parse_time(entry.record.get("published_at"), now)
        if t is None:
            bad.append(Quarantined("time-missing", entry.origin, "a replayed record needs published_at",
                                   json.dumps(entry.record, ensure_ascii=False)))
            continue
        timed.append((t, entry))
    timed.sort(key=lambda pair: pair[0])
    return timed, bad


def due_records(path: Path, state: ReplayState, now: datetime, speed: float, retime: bool | str,
                max_bytes: int = 2_000_000) -> list[Raw | Quarantined]:
    """Return the records whose turn has come and advance the state.

    speed 0 plays everything at once; speed N plays N stream-seconds per wall second. With
    `retime`, published_at moves to the replay's clock (the last item lands "now" at speed 0;
    at speed N the stream's times are squeezed N-fold). With `retime = "shift"` the stream keeps
    its own spacing and ends where the replay began: a sped-up replay delivers days of history
    in minutes, each item dated as it was, relative to now (the live demo).
    """
    timed, bad = load_stream(path, now, max_bytes)
    if not timed:
        return list(bad) if state.emitted == 0 else []
    first = state.start is None
    if first:
        state.start = now.timestamp()
    t0, t_last = timed[0][0], timed[-1][0]
    start = datetime.fromtimestamp(state.start, now.tzinfo)
    if speed <= 0:
        due = len(timed)
    else:
        horizon = t0 + timedelta(seconds=(now - start).total_seconds() * speed)
        due = sum(1 for t, _ in timed if t <= horizon)
    out: list[Raw | Quarantined] = list(bad) if first else []
    for t, raw in timed[state.emitted:due]:
        record = dict(raw.record)
        if retime == "shift":
            new_t = start + (t - t_last)
            record["published_at"] = new_t.isoformat()
        elif retime:
            new_t = start + (t - t_last) if speed <= 0 else start + (t - t0) / speed
            record["published_at"] = new_t.isoformat()
        out.append(Raw(raw.origin, record))
    state.emitted = max(state.emitted, due)
    return out
