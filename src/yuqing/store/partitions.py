"""PostgreSQL's items table, partitioned by day (issue 18).

`items` is partitioned by range of `published_ts`: one partition per UTC day for items of the last
`RECENT_DAYS`, one per calendar month for older ones (a year of history imported at once makes
12 partitions, not 365). A time window — every list, count, report and the analysis stage's
reads — touches only its days; an old day leaves the store as one `DROP TABLE`.

PostgreSQL's unique keys on a partitioned table must include the partition key, so `id` cannot
be unique in `items` itself. `item_keys` (id → published_ts, seq, content_hash) is the guard:
an item is stored when its id is claimed there (`INSERT … ON CONFLICT DO NOTHING`, safe with any
number of writers), and a lookup by id reads its day from there first, so that the lookup in
`items` is pruned to the partitions of those days (without, every id is probed in every
partition: 256 ids over 365 partitions took 85 ms, pruned 1 ms).

Partitions are made on demand, before the write transaction of the batch that needs them (made
inside it, a second connection's DDL would wait on the batch's own read lock), one creator at
a time under an advisory transaction lock.
"""

from __future__ import annotations

import bisect
import re
import time
import zlib
from datetime import datetime, timezone
from typing import Iterable

from sqlalchemy import Column, Connection, Engine, Index, Integer, MetaData, Table, Text, text

from .schema import SEQ, items

DAY = 86_400
RECENT_DAYS = 400           # items published within this many days of now get a partition per day
_LOCK = zlib.crc32(b"yuqing:partitions") - 2**31
_BOUND = re.compile(r"FROM \('?(-?\d+)'?\) TO \('?(-?\d+)'?\)")

# each partition's indexes are planned for every query not pruned to a few days: content hashes
# are looked up in item_keys instead (the narrow search keys stay: the place filters read an
# item's event through them)
SQLITE_ONLY = ("items_content_hash",)

keys_metadata = MetaData()
item_keys = Table(
    "item_keys", keys_metadata,
    Column("id", Text, primary_key=True),
    Column("published_ts", Integer, nullable=False),
    Column("seq", SEQ, nullable=False),
    Column("content_hash", Text, nullable=False),
)
Index("item_keys_hash", item_keys.c.content_hash)
Index("item_keys_seq", item_keys.c.seq)            # the newest item number, without a plan per partition
# the published times an event's items span, only ever widened: a read of an event's items is
# pruned to those days (events.first_ts is the clusterer's, and an older item can join later)
event_spans = Table(
    "event_spans", keys_metadata,
    Column("event", Text, primary_key=True),
    Column("lo", Integer, nullable=False),
    Column("hi", Integer, nullable=False),
)


def create_items(conn: Connection) -> None:
    """The partitioned `items` (the columns and indexes of schema.items; the key (seq,
    published_ts); no unique id: that is `item_keys`)."""
    meta = MetaData()
    cols = [Column(c.name, c.type, nullable=c.nullable, primary_key=c.name in ("seq", "published_ts"),
                   autoincrement=c.name == "seq") for c in items.columns]
    table = Table("items", meta, *cols, postgresql_partition_by="RANGE (published_ts)")
    table.create(conn)
    for index in items.indexes:
        if index.name not in SQLITE_ONLY:
            Index(index.name, *(table.c[c.name] for c in index.columns)).create(conn)
    keys_metadata.create_all(conn, checkfirst=True)


def fill_keys(conn: Connection, source: str = "items") -> None:
    """item_keys and event_spans of the rows of `source` (a store moved or converted)."""
    conn.execute(text(f"INSERT INTO item_keys (id, published_ts, seq, content_hash) "
                      f"SELECT id, published_ts, seq, content_hash FROM {source}"))
    conn.execute(text(f"INSERT INTO event_spans (event, lo, hi) SELECT event, min(published_ts), max(published_ts) "
                      f"FROM {source} WHERE event IS NOT NULL GROUP BY event"))


def widen_spans(conn: Connection, spans: dict[str, tuple[int, int]]) -> None:
    """Widen (or make) the spans of these events to cover (lo, hi)."""
    if spans:
        conn.execute(text(
            "INSERT INTO event_spans (event, lo, hi) "
            "SELECT * FROM unnest(CAST(:e AS text[]), CAST(:lo AS integer[]), CAST(:hi AS integer[])) "
            "ON CONFLICT (event) DO UPDATE SET lo = least(event_spans.lo, excluded.lo), "
            "hi = greatest(event_spans.hi, excluded.hi)"),
            {"e": sorted(spans), "lo": [spans[e][0] for e in sorted(spans)], "hi": [spans[e][1] for e in sorted(spans)]})


def is_partitioned(conn: Connection) -> bool:
    return bool(conn.execute(text("SELECT count(*) FROM pg_partitioned_table WHERE partrelid = 'items'::regclass"))
                .scalar())


def bounds(conn: Connection) -> list[tuple[int, int]]:
    """The [from, to) ranges of items' partitions, in order."""
    rows = conn.execute(text(
        "SELECT pg_get_expr(c.relpartbound, c.oid) FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid "
        "WHERE i.inhparent = 'items'::regclass")).scalars()
    out = []
    for bound in rows:
        m = _BOUND.search(bound or "")
        if m:
            out.append((int(m.group(1)), int(m.group(2))))
    return sorted(out)


def covered(ranges: list[tuple[int, int]], ts: int) -> bool:
    at = bisect.bisect_right(ranges, (ts, 2**62)) - 1
    return at >= 0 and ranges[at][0] <= ts < ranges[at][1]


def _wanted(ts: int, now: float) -> tuple[int, int, str]:
    """The range a new partition for `ts` should span, and its name."""
    day = ts - ts % DAY
    if ts >= now - RECENT_DAYS * DAY:
        return day, day + DAY, "items_p" + datetime.fromtimestamp(day, timezone.utc).strftime("%Y%m%d")
    d = datetime.fromtimestamp(day, timezone.utc)
    start = datetime(d.year, d.month, 1, tzinfo=timezone.utc)
    end = datetime(d.year + d.month // 12, d.month % 12 + 1, 1, tzinfo=timezone.utc)
    return int(start.timestamp()), int(end.timestamp()), "items_m" + start.strftime("%Y%m")


def _gap(ranges: list[tuple[int, int]], ts: int, lo: int, hi: int) -> tuple[int, int]:
    """[lo, hi) cut back to the partitions around `ts` (a month partition made after some of its
    days got their own, when they were recent)."""
    for a, b in ranges:
        if b <= ts:
            lo = max(lo, b)
        elif a > ts:
            hi = min(hi, a)
    return lo, hi


def ensure(engine: Engine, stamps: Iterable[int], known: list[tuple[int, int]], now: float | None = None
           ) -> list[tuple[int, int]]:
    """Make the partitions these published times need; return the ranges as they are now
    (`known` is the caller's cache: when it covers every time, nothing is read)."""
    todo = {int(ts) for ts in stamps if not covered(known, int(ts))}
    if not todo:
        return known
    with engine.begin() as conn:
        return make(conn, todo, now)


def make(conn: Connection, stamps: Iterable[int], now: float | None = None) -> list[tuple[int, int]]:
    """`ensure` in the caller's transaction; return the ranges."""
    now = time.time() if now is None else now
    conn.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": _LOCK})
    ranges = bounds(conn)
    for ts in sorted({int(ts) - int(ts) % DAY for ts in stamps}):
        if covered(ranges, ts):
            continue
        want_lo, want_hi, name = _wanted(ts, now)
        lo, hi = _gap(ranges, ts, want_lo, want_hi)
        if (lo, hi) != (want_lo, want_hi):
            name = f"{name}_{lo}"          # cut back around older partitions: named by where it starts
        conn.execute(text(f'CREATE TABLE "{name}" PARTITION OF items FOR VALUES FROM ({lo}) TO ({hi})'))
        bisect.insort(ranges, (lo, hi))
    return ranges
