"""The PostgreSQL store (server mode, issue 18): the same data-access layer as SQLite, with
what differs — the schema made at once (a baseline, then the migrations after it), full-text
search over the same segmented terms in a `tsvector` (the `simple` configuration, a GIN index),
`ON CONFLICT DO NOTHING` for idempotent inserts, and advisory locks for the stages that run once
at a time across processes and machines.

Several writers are safe: each transaction's reads that decide a write are guarded by the
database (unique keys, `ON CONFLICT`), not by "the one writer" SQLite has.
"""

from __future__ import annotations

import re
import time
import zlib
from contextlib import contextmanager

from sqlalchemy import and_, create_engine, func, select, text
from sqlalchemy.dialects.postgresql import insert as pg_insert

from ..models import utc_datetime
from . import partitions
from .partitions import event_spans, item_keys
from .schema import items
from .sql import Hit, Store
from .sqlite import ListingSQL, parse_query, search_conditions

_TERM = re.compile(r'"((?:[^"]|"")*)"(\*?)')


def tsquery(match: str) -> str:
    """The FTS5 expression `parse_query` makes, as a PostgreSQL tsquery over the same terms:
    "a" → 'a', "a"* → 'a':*, AND → &, OR → |, NOT → & !."""
    def term(m: re.Match) -> str:
        word = m.group(1).replace('""', '"').replace("'", "''").replace("\\", "\\\\")
        return f"'{word}'" + (":*" if m.group(2) else "")

    out = _TERM.sub(term, match)
    return out.replace(" AND ", " & ").replace(" OR ", " | ").replace(") NOT (", ") & !(")


def engine_url(url: str) -> str:
    """postgresql://… and postgres://… through psycopg (version 3)."""
    for head in ("postgresql+psycopg://", "postgresql://", "postgres://"):
        if url.startswith(head):
            return "postgresql+psycopg://" + url[len(head):]
    return url


class Held:
    """A named lock as `exclusive()` yields it: true when had."""

    def __init__(self, had: bool, conn, key: int):
        self.had, self._conn, self._key = had, conn, key

    def __bool__(self) -> bool:
        return self.had

    def alive(self) -> bool:
        if not self.had:
            return False
        try:
            held = self._conn.execute(text(
                "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND pid = pg_backend_pid() "
                "AND objid = (CAST(:k AS bigint) & 4294967295) AND objsubid = 1 AND granted"), {"k": self._key}).scalar()
            self._conn.commit()
            return bool(held)
        except Exception:  # noqa: BLE001 — the connection is gone, and the lock with it
            return False


class PostgresStore(ListingSQL, Store):
    def _indexed(self, name: str) -> str:
        return ""                   # no index hints: PostgreSQL's planner keeps statistics

    def _match_sql(self) -> tuple[str, str]:
        return "items i", "i.tsv @@ to_tsquery('simple', :match)"

    def _match_param(self, match: str) -> str:
        return tsquery(match)

    @staticmethod
    def _is_match(source: str) -> bool:
        return False

    _keys_table = item_keys                 # (the newest number too: no plan into every partition)

    def __init__(self, url: str):
        # connections kept, not opened per burst: a new backend plans its first queries over
        # every partition's indexes with nothing cached (65 ms for a max() at 90 days), so the
        # web's threads under 20 users must find warm ones (pool 5 + overflow closed churned)
        super().__init__(create_engine(engine_url(url), pool_pre_ping=True, pool_size=12, max_overflow=24))
        self._partitions: list[tuple[int, int]] = []        # the ranges known to exist

    def _insert_ignore(self, table):
        return pg_insert(table).on_conflict_do_nothing()

    # --- items partitioned by day (partitions.py) ---------------------------------------------
    def _before_write(self, batch):
        self._partitions = partitions.ensure(self.engine, (int(it.published_at.timestamp()) for it in batch),
                                             self._partitions)

    def _insert_items(self, conn, rows):
        """Claim each id in the guard (in id order: two writers of the same ids wait for each
        other, never deadlock), then store the rows whose claim was ours."""
        rows = sorted(rows, key=lambda r: r["id"])
        claimed = dict(conn.execute(text(
            "INSERT INTO item_keys (id, published_ts, content_hash, seq) "
            "SELECT k.id, k.ts, k.h, nextval(pg_get_serial_sequence('items', 'seq')) "
            "FROM unnest(CAST(:ids AS text[]), CAST(:ts AS integer[]), CAST(:hs AS text[])) AS k(id, ts, h) "
            "ON CONFLICT (id) DO NOTHING RETURNING id, seq"),
            {"ids": [r["id"] for r in rows], "ts": [r["published_ts"] for r in rows],
             "hs": [r["content_hash"] for r in rows]}).all())
        mine = [r | {"seq": claimed[r["id"]]} for r in rows if r["id"] in claimed]
        if mine:
            conn.execute(items.insert(), mine)
        return len(mine)

    def _by_ids(self, conn, ids):
        days = conn.execute(select(item_keys.c.published_ts).distinct().where(item_keys.c.id.in_(ids))).scalars().all()
        return and_(items.c.id.in_(ids), items.c.published_ts.in_(days))

    def _by_events(self, conn, event_ids):
        lo, hi = conn.execute(select(func.min(event_spans.c.lo), func.max(event_spans.c.hi))
                              .where(event_spans.c.event.in_(event_ids))).one()
        if lo is None:                  # (no span kept: every partition is read, nothing is missed)
            return items.c.event.in_(event_ids)
        return and_(items.c.event.in_(event_ids), items.c.published_ts.between(lo, hi))

    def _joined_events(self, conn, spans):
        partitions.widen_spans(conn, spans)

    def _merged_event(self, conn, gone, keep):
        conn.execute(text("INSERT INTO event_spans (event, lo, hi) SELECT :keep, lo, hi FROM event_spans "
                          "WHERE event = :gone ON CONFLICT (event) DO UPDATE SET "
                          "lo = least(event_spans.lo, excluded.lo), hi = greatest(event_spans.hi, excluded.hi)"),
                     {"gone": gone, "keep": keep})

    def latest_published_ts(self):
        # unpruned, max() plans a path into every partition (17 ms at 90 days, warm); the newest
        # days first, the whole table only when they are empty (an archive)
        with self.engine.connect() as conn:
            for since in (time.time() - 3 * 86400, None):
                query = select(func.max(items.c.published_ts))
                if since is not None:
                    query = query.where(items.c.published_ts >= int(since))
                newest = conn.execute(query).scalar()
                if newest is not None or since is None:
                    return newest


    @contextmanager
    def exclusive(self, name: str):
        """A named lock across processes and machines (a session advisory lock, held by one
        connection for the block); yields a false Held at once when another holds it. The lock
        goes with its connection: `alive()` says whether the server still has it (after a
        database restart it does not, and another process may have taken it)."""
        key = zlib.crc32(f"yuqing:{name}".encode()) - 2**31
        with self.engine.connect() as conn:
            had = conn.execute(text("SELECT pg_try_advisory_lock(:k)"), {"k": key}).scalar()
            conn.commit()
            try:
                yield Held(bool(had), conn, key)
            finally:
                if had:
                    try:
                        conn.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": key})
                        conn.commit()
                    except Exception:  # noqa: BLE001 — the connection is gone, and the lock with it
                        conn.invalidate()

    def search(self, query, *, since=None, platform=None, limit=20, filters=None):
        match, _notes = parse_query(query)
        if match is None:
            return []
        sql = ("SELECT id, platform, source, author, title, text, url, published_ts FROM items i "
               "WHERE i.tsv @@ to_tsquery('simple', :q)")
        cond, params = search_conditions(self, since, platform, filters)
        sql += cond
        params |= {"q": tsquery(match), "limit": limit}
        sql += " ORDER BY i.published_ts DESC, i.seq DESC LIMIT :limit"
        with self.engine.connect() as conn:
            rows = conn.execute(text(sql), params).all()
        return [Hit(r.id, r.platform, r.source, r.author, r.title, r.text, r.url, utc_datetime(r.published_ts))
                for r in rows]
