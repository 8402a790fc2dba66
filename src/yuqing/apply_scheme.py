"""Applying a new or edited scheme to stored history, without collecting again (issue 17).

Each scheme walks the analysed items in seq order, a chunk at a time; a chunk's judgments and
the scheme's progress are saved in one transaction, so a kill -9 loses at most the chunk in
hand and the next run goes on from there. Items analysed meanwhile are judged by the analysis
stage under the same version (it checks the schemes' state when it saves), so when the walk
reaches the end the whole store holds that version's answers. A save during the walk starts
it again from the first item.
"""

from __future__ import annotations

import logging
import time
from typing import Any, Callable

from .analysis.analyze import Subject
from .store import Store

log = logging.getLogger(__name__)


def scheme_of_row(row: dict[str, Any]):
    """The Scheme of a stored scheme's row (store.schemes()); SchemeError when it no longer loads."""
    from .scheme import scheme_from_text
    from .starter import known_region

    return scheme_from_text(row["text"], row["key"], known_region)


class Judges:
    """One SchemeSet per scheme version, kept between steps (building one takes ~1 s)."""

    def __init__(self):
        self._sets: dict[tuple[int, int], Any] = {}

    def __call__(self, row: dict[str, Any]):
        from .analysis.schemeset import SchemeSet

        key = (row["id"], row["version"])
        if key not in self._sets:
            self._sets = {k: v for k, v in self._sets.items() if k[0] != row["id"]}
            self._sets[key] = SchemeSet([(row["id"], scheme_of_row(row))])
        return self._sets[key]


def apply_step(store: Store, row: dict[str, Any], judges: Judges, chunk: int | None = None) -> int:
    """Judge the next chunk of stored items under `row` (a row of store.schemes()) and save it;
    return how many items it judged (0: the scheme is applied, or it was saved again meanwhile)."""
    after = row["apply_seq"]
    rows = store.apply_rows(after, chunk or store.APPLY_CHUNK)
    if not rows:
        store.save_applied(row, after, after, [], done=True)
        row["applied_version"] = row["version"]
        return 0
    judged = judges(row).judge([Subject.of_row(r) for r in rows])
    pairs = [(r, j[row["id"]]) for r, j in zip(rows, judged)]
    if not store.save_applied(row, after, rows[-1]["seq"], pairs, done=False):
        return 0
    row["apply_seq"] = rows[-1]["seq"]
    return len(rows)


def apply_schemes(store: Store, judges: Judges | None = None, only: str | None = None,
                  until: float | None = None, stop: Callable[[], bool] = lambda: False,
                  on_progress: Callable[[dict[str, Any], int], None] | None = None,
                  chunk: int | None = None) -> dict[str, int] | None:
    """Apply every enabled scheme not yet applied (or `only` that key) to the stored items, until
    done, `until` (a time.monotonic() deadline) or `stop()`; return {key: items judged}, or None
    when another process is applying (one at a time per store)."""
    judges = judges or Judges()
    with store.exclusive("apply") as mine:
        if not mine:
            return None
        done: dict[str, int] = {}
        for row in store.schemes(enabled=True):
            if (only is not None and row["key"] != only) or not row["applying"]:
                continue
            try:
                judges(row)
            except Exception as exc:  # noqa: BLE001 — a scheme that no longer loads waits for its next save
                log.warning("scheme %s cannot be applied: %s", row["key"], exc)
                continue
            done[row["key"]] = 0
            while not stop() and (until is None or time.monotonic() < until):
                n = apply_step(store, row, judges, chunk)
                if not n:
                    break
                done[row["key"]] += n
                if on_progress is not None:
                    on_progress(row, n)
        return done
