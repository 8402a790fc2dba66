"""The data-access layer over SQLAlchemy Core; backends subclass it for search and connection setup."""

from __future__ import annotations

import hashlib
import json
import time
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Iterable, Iterator, Mapping, Sequence

import orjson
from sqlalchemy import Engine, case, func, insert, select, text, update
from sqlalchemy.dialects.postgresql import JSONB

from ..analysis.segment import index_terms
from ..models import BEIJING, LOCAL_SOURCE, Item, Quarantined, interactions, stored_metrics, utc_datetime
from . import schema
from .alerting import AlertingStore
from .reporting import ReportingStore
from .schemes import SchemeStore
from .schema import (PLACE_LEVELS, events, hot_ranks, item_places, item_schemes, items, picks, quarantine,
                     relevance_judgments, sources)


@dataclass
class UpsertResult:
    added: int = 0
    updated: int = 0
    duplicates: int = 0


@dataclass
class Hit:
    """One search result."""

    id: str
    platform: str
    source: str | None
    author: str | None
    title: str | None
    text: str
    url: str | None
    published_at: datetime

    def to_json(self) -> dict[str, Any]:
        return {"id": self.id, "platform": self.platform, "source": self.source, "author": self.author,
                "title": self.title, "text": self.text, "url": self.url,
                "published_at": self.published_at.astimezone(BEIJING).isoformat()}


SCOPES = ("yes", "possible", "all")           # 涉及本区, 疑似涉及, 全部
SORTS = ("time", "risk", "interactions", "heat")
RISK_ORDER = ("high", "medium", "low", None)   # None: not analysed yet


@dataclass
class ListQuery:
    """What the information list asks: a scope, filters, an optional keyword query, a sort."""

    q: str = ""
    scope: str = "yes"
    since_ts: int | None = None
    until_ts: int | None = None
    platform: str = ""
    source: str = ""
    category: str = ""
    sentiment: str = ""
    risk: str = ""
    event: str = ""
    places: tuple[str, ...] = ()      # division codes; an item naming any of them (or a place inside)
    sort: str = "time"
    scheme: int = 1                   # whose scope (涉及/疑似): scheme 1's is the items' own column
    within: tuple[int, ...] = ()      # a user limited to these schemes sees what involves them only

    def __post_init__(self):
        if self.scope not in SCOPES:
            raise ValueError(f"scope must be one of {SCOPES}, not {self.scope!r}")
        if self.sort not in SORTS:
            raise ValueError(f"sort must be one of {SORTS}, not {self.sort!r}")


@dataclass
class ListPage:
    total: int
    rows: list[dict[str, Any]]
    by_risk: dict[str | None, int]
    notes: list[str]                  # how the query was read (OR, prefix, what is not supported)


LIST_COLUMNS = ("seq", "id", "url", "platform", "source", "author", "title", "text", "published_ts", "category",
                "sentiment", "risk", "relevance", "event", "duplicate_of", "repost_of", "interactions")


def _chunks(seq: Sequence, n: int = 500):
    for i in range(0, len(seq), n):
        yield seq[i:i + n]


def _storable(text: str) -> str:
    """Return text the database can hold: a lone surrogate (from a file name or a hostile \\ud800)
    written as its escape."""
    try:
        text.encode("utf-8")
        return text
    except UnicodeEncodeError:
        return text.encode("utf-8", "backslashreplace").decode("utf-8")


def judged_relevance(analysis: dict[str, Any], label: str, user: str) -> dict[str, Any]:
    """The `relevant` and `relevance` of an analysis once a person has answered yes or no."""
    rules = (analysis.get("relevance") or {}).get("reasons") or []
    if rules and rules[0].startswith("人工判定"):
        rules = rules[1:]                    # judged before: the rules' reasons follow the first line
    said = "涉及本区" if label == "yes" else "不涉及本区"
    return {"relevant": label == "yes", "relevance": {"label": label, "reasons": [f"人工判定{said}（{user}）", *rules]}}


def is_derived_id(item_id: str) -> bool:
    """Return True for ids made by ingest from a URL or the text (see ingest.make_id)."""
    return item_id.startswith(("url:", "txt:"))


def searchable_text(item: Item) -> str:
    """Return the simplified title and text that the full-text index covers."""
    return f"{item.title_sc}\n{item.text_sc}" if item.title_sc else item.text_sc


def row_terms(row: Mapping[str, Any]) -> str:
    """The full-text terms of a stored row, as they were made for its Item (a store moved
    between backends: SQLite's index keeps them without a copy in the row)."""
    from ..ingest import to_simplified

    title = to_simplified(row["title"]) if row.get("title") else None
    text = row.get("text_sc") or row["text"]
    return index_terms(f"{title}\n{text}" if title else text)


def item_row(item: Item, collector: str | None, seg: str) -> dict[str, Any]:
    """Return the items-table row of an Item."""
    return {
        "id": item.id, "url": item.url, "platform": item.platform, "source": item.source,
        "author": item.author, "title": item.title, "text": item.text,
        "text_sc": item.text_sc if item.text_sc != item.text else None,
        "published_ts": int(item.published_at.timestamp()), "collected_ts": int(item.collected_at.timestamp()),
        "metrics": stored_metrics(item.metrics),
        "repost_of": item.repost_of, "flags": ",".join(item.flags) or None,
        "reply_to": item.reply_to, "media": orjson.dumps(item.media).decode() if item.media else None,
        "content_hash": item.content_hash, "collector": collector, "origin": item.origin,
        "seg": seg, "interactions": interactions(item.metrics),
    }


def place_rows(places: Sequence[dict[str, Any]]) -> set[str]:
    """Every code an item's places and the divisions around them have (item_places)."""
    return {code[:n] for p in places for code in [str(p.get("code") or "")] for n in PLACE_LEVELS if len(code) >= n}


class Store(AlertingStore, ReportingStore, SchemeStore):
    """Items, quarantine and source health in one SQL database."""

    def __init__(self, engine: Engine):
        self.engine = engine
        self.scheme_id: int | None = None      # see scoped()

    def scoped(self, scheme_id: int | None) -> "Store":
        """This store seen by one scheme: what "relevant" means in counts, lists, reports and the
        KPI is that scheme's judgment, and events are those with an item it involves. None: the
        store as a whole (scheme 1's judgments, every event). Same engine, nothing copied."""
        import copy

        view = copy.copy(self)
        view.scheme_id = scheme_id
        return view

    # --- what differs between the backends' SQL, as expressions --------------------------------
    def _json_text(self, column, *path: str):
        """The JSON value at `path` of a JSON text column, as text (a list or object as its JSON)."""
        if self.engine.dialect.name == "postgresql":
            return func.jsonb_extract_path_text(column.cast(JSONB), *path)
        return func.json_extract(column, "$." + ".".join(path))

    def _join_in_order(self) -> str:
        """A join SQLite keeps in the order written (CROSS JOIN); PostgreSQL plans it itself."""
        return "JOIN" if self.engine.dialect.name == "postgresql" else "CROSS JOIN"

    def _json_set_sql(self) -> str:
        """SQL that sets $.relevant (:b_yes) and $.relevance (:b_rel) of the analysis JSON."""
        if self.engine.dialect.name == "postgresql":
            return ("jsonb_set(jsonb_set(analysis::jsonb, '{relevant}', CAST(:b_yes AS jsonb)), '{relevance}', "
                    "CAST(:b_rel AS jsonb))::text")
        return "json_set(analysis, '$.relevant', json(:b_yes), '$.relevance', json(:b_rel))"

    def _keywords_sql(self, where: str) -> str:
        if self.engine.dialect.name == "postgresql":
            return (f"SELECT k.value, count(*) FROM items, jsonb_array_elements_text(items.analysis::jsonb -> 'keywords') k(value) "
                    f"WHERE {where} GROUP BY k.value ORDER BY 2 DESC, 1 LIMIT :n")
        return (f"SELECT k.value, count(*) FROM items, json_each(items.analysis, '$.keywords') k "
                f"WHERE {where} GROUP BY k.value ORDER BY 2 DESC, 1 LIMIT :n")

    def _mine(self):
        """The clause "the scheme in view judged the item relevant" (scheme 1: its own column)."""
        sid = self.scheme_id or 1
        if sid == 1:
            return items.c.relevant == 1
        return items.c.seq.in_(select(item_schemes.c.seq).where(item_schemes.c.scheme == sid, item_schemes.c.label == "yes"))

    def _mine_sql(self, alias: str = "") -> str:
        """The same as SQL text, for the raw queries (`alias`: the items table's, e.g. "i.")."""
        sid = int(self.scheme_id or 1)
        if sid == 1:
            return f"{alias}relevant = 1"
        return f"{alias}seq IN (SELECT seq FROM item_schemes WHERE scheme = {sid} AND label = 'yes')"

    def _events_mine_sql(self) -> str | None:
        """Events in view (SQL on the `events` table): all of them for the whole store (None); for
        a scheme, those with an item it involves. Scheme 1 involves most items: each candidate
        event is probed through items_event until one of its items is relevant (a page of the
        hottest costs a page). Another scheme involves a few: the set of their events, from its
        item_schemes rows outward (CROSS JOIN keeps that order; the planner scanned the items)."""
        if self.scheme_id is None:
            return None
        if self.scheme_id == 1:
            return "EXISTS (SELECT 1 FROM items ie WHERE ie.event = events.id AND ie.relevant = 1)"
        return (f"events.id IN (SELECT i.event FROM item_schemes s {self._join_in_order()} items i ON i.seq = s.seq "
                f"WHERE s.scheme = {int(self.scheme_id)} AND s.label = 'yes' AND i.event IS NOT NULL)")

    def _events_mine(self):
        sql = self._events_mine_sql()
        return None if sql is None else text(sql)

    # --- lifecycle ---------------------------------------------------------------------
    def migrate(self) -> list[int]:
        """Apply pending migrations; return the versions applied."""
        with self.engine.begin() as conn:
            return schema.migrate(conn)

    def close(self) -> None:
        self.engine.dispose()

    # --- items -------------------------------------------------------------------------
    def upsert_items(self, batch: Sequence[Item], collector: str | None = None) -> UpsertResult:
        """Insert new items and refresh the metrics of known ones, in one transaction.

        An item is new unless its id is stored (or earlier in the batch). An item whose id was
        derived (no native id) is also a duplicate when its content hash is stored: the same words
        from the same author reached again, e.g. through another URL. Items with native ids keep
        their own identity even when their words repeat (a citizen submitting a complaint twice).
        """
        result = UpsertResult()
        if not batch:
            return result
        # Segment outside the write lock (it is the costliest step): look up which items are
        # new without the lock, segment those, then decide for real under the lock.
        with self.engine.connect() as conn:
            stored_before = self._lookup(conn, batch)[0]
        todo = [it for it in batch if it.id not in stored_before]
        segs = {it.id: index_terms(searchable_text(it)) for it in todo}
        self._before_write(todo)
        with self._write() as conn:
            known, known_hashes, flags = self._lookup(conn, batch)
            fresh: list[Item] = []
            updates = []
            for it in batch:
                if it.id in known:
                    merged = self._merged_metrics(known[it.id], it.metrics)
                    # an import marked --local again, over items stored before without it: they
                    # become the region's own (and are judged again)
                    marked = LOCAL_SOURCE in it.flags and LOCAL_SOURCE not in flags[it.id]
                    if merged is None and not marked:
                        result.duplicates += 1
                        continue
                    if marked:
                        flags[it.id] = flags[it.id] + [LOCAL_SOURCE]
                    updates.append({"b_id": it.id, "b_metrics": merged or known[it.id],
                                    "b_interactions": interactions(orjson.loads(merged or known[it.id] or "{}")),
                                    "b_flags": ",".join(flags[it.id]), "b_ts": int(it.collected_at.timestamp())})
                    known[it.id] = merged or known[it.id]
                    continue
                if it.content_hash in known_hashes and is_derived_id(it.id):
                    result.duplicates += 1
                    continue
                # the same id again later in this batch compares with these counts (a duplicate, not an update)
                known[it.id] = stored_metrics(it.metrics)
                flags[it.id] = it.flags
                known_hashes.add(it.content_hash)
                fresh.append(it)
            added = 0
            if fresh:
                rows = [item_row(it, collector, segs.get(it.id) or index_terms(searchable_text(it))) for it in fresh]
                added = self._insert_items(conn, rows)
                # another writer stored some of them meanwhile (PostgreSQL's id guard said so)
                result.duplicates += len(fresh) - added
            if updates:
                from sqlalchemy import bindparam

                keys = self._keys_of(conn, [u["b_id"] for u in updates])
                updates = [u | {"b_pts": keys[u["b_id"]][1]} for u in updates if u["b_id"] in keys]
                # engagement is part of risk: an item whose counts moved is analysed again
                conn.execute(update(items).where(items.c.id == bindparam("b_id"),
                                                 items.c.published_ts == bindparam("b_pts")).values(
                    metrics=bindparam("b_metrics"), interactions=bindparam("b_interactions"), flags=bindparam("b_flags"),
                    updated_ts=bindparam("b_ts"), analyzed_ts=None), updates)
            result.added, result.updated = added, len(updates)
        return result

    def _lookup(self, conn, batch: Sequence[Item]) -> tuple[dict[str, str | None], set[str], dict[str, list[str]]]:
        """Return {stored id: metrics JSON}, the stored content hashes of derived-id items and
        {stored id: flags}."""
        known: dict[str, str | None] = {}
        flags: dict[str, list[str]] = {}
        hashes: set[str] = set()
        for part in _chunks([it.id for it in batch]):
            for item_id, metrics, item_flags in conn.execute(
                    select(items.c.id, items.c.metrics, items.c.flags).where(self._by_ids(conn, part))):
                known[item_id] = metrics
                flags[item_id] = item_flags.split(",") if item_flags else []
        derived = list({it.content_hash for it in batch if is_derived_id(it.id)})
        for part in _chunks(derived):
            hashes.update(self._stored_hashes(conn, part))
        return known, hashes, flags

    def _stored_hashes(self, conn, hashes: Sequence[str]) -> Iterable[str]:
        keys = self._keys_table
        return conn.execute(select(keys.c.content_hash).where(keys.c.content_hash.in_(hashes)).distinct()).scalars()

    @staticmethod
    def _merged_metrics(stored: str | None, new: dict[str, int | None]) -> str | None:
        """Return the merged metrics JSON when the new counts change something, else None."""
        old = {k: v for k, v in (json.loads(stored) if stored else {}).items() if v is not None}
        merged = {**old, **{k: v for k, v in new.items() if v is not None}}
        return None if merged == old else stored_metrics(merged)

    def _insert_ignore(self, table):
        raise NotImplementedError

    # where an item's id, number, time and content hash are looked up: the items themselves here,
    # PostgreSQL's id guard there (so that what follows is pruned to those days' partitions)
    _keys_table = items

    def _keys_of(self, conn, ids: Sequence[str]) -> dict[str, tuple[int, int]]:
        """{stored id: (seq, published_ts)}."""
        keys = self._keys_table
        out: dict[str, tuple[int, int]] = {}
        for part in _chunks(list(ids)):
            out.update({r.id: (r.seq, r.published_ts) for r in conn.execute(
                select(keys.c.id, keys.c.seq, keys.c.published_ts).where(keys.c.id.in_(part)))})
        return out

    def _by_ids(self, conn, ids: Sequence[str]):
        """The condition for these items by id (≤ 500 ids; PostgreSQL adds their days)."""
        return items.c.id.in_(ids)

    def _by_events(self, conn, event_ids: Sequence[str]):
        """The condition for the items of these events (PostgreSQL adds the days they span)."""
        return items.c.event.in_(event_ids)

    def _joined_events(self, conn, spans: dict[str, tuple[int, int]]) -> None:
        """Items joined these events at these published times ({event: (lo, hi)}; PostgreSQL
        widens the events' spans)."""

    def _merged_event(self, conn, gone: str, keep: str) -> None:
        """The items of `gone` are now `keep`'s (PostgreSQL: its span covers theirs)."""

    def _before_write(self, batch: Sequence[Item]) -> None:
        """What a backend prepares before the write transaction of a batch (partitions)."""

    def _insert_items(self, conn, rows: list[dict[str, Any]]) -> int:
        """Insert new rows and add them to the full-text index; return how many were inserted
        (backends specialise this)."""
        conn.execute(items.insert(), rows)
        return len(rows)

    def _write(self):
        """Return a context manager for one write transaction."""
        return self.engine.begin()


    @contextmanager
    def exclusive(self, name: str):
        """A lock across processes for a stage that must run once at a time (yields whether it
        was had); backends provide it."""
        yield True

    def copies_of(self, item_id: str, limit: int = 200) -> list[dict[str, Any]]:
        """Items stored as near-copies of this one, oldest first."""
        query = (select(items.c.id, items.c.platform, items.c.source, items.c.title, items.c.text, items.c.url,
                        items.c.published_ts).where(items.c.duplicate_of == item_id)
                 .order_by(items.c.published_ts).limit(limit))
        with self.engine.connect() as conn:
            return [dict(r._mapping) for r in conn.execute(query)]

    def latest_published_ts(self) -> int | None:
        with self.engine.connect() as conn:
            return conn.execute(select(func.max(items.c.published_ts))).scalar()

    def newest_seq(self, conn) -> int:
        """The largest item number stored (0 when none)."""
        return conn.execute(select(func.max(self._keys_table.c.seq))).scalar() or 0

    def count_items(self) -> int:
        with self.engine.connect() as conn:
            return conn.execute(select(func.count()).select_from(items)).scalar_one()

    def get_items(self, ids: Iterable[str]) -> list[dict[str, Any]]:
        """Return stored rows for the given ids (for tests and exports)."""
        ids = list(ids)
        out = []
        with self.engine.connect() as conn:
            for part in _chunks(ids):
                out.extend(dict(r._mapping) for r in conn.execute(select(items).where(self._by_ids(conn, part))))
        for row in out:      # the `event` column follows merges; the stored analysis said where it began
            if row.get("analysis") and row.get("event"):
                analysis = orjson.loads(row["analysis"])
                if analysis.get("event") != row["event"]:
                    row["analysis"] = orjson.dumps(analysis | {"event": row["event"]}).decode()
        return out

    def iter_items(self, since: datetime | None = None, batch: int = 2000) -> Iterator[dict[str, Any]]:
        """Yield stored items (id, platform, source, title, text, text_sc, published_ts, flags, relevant,
        duplicate_of), oldest first."""
        cols = (items.c.seq, items.c.id, items.c.platform, items.c.source, items.c.title, items.c.text,
                items.c.text_sc, items.c.published_ts, items.c.flags, items.c.relevant, items.c.duplicate_of)
        last = 0
        while True:
            query = select(*cols).where(items.c.seq > last).order_by(items.c.seq).limit(batch)
            if since is not None:
                query = query.where(items.c.published_ts >= int(since.timestamp()))
            with self.engine.connect() as conn:
                rows = [dict(r._mapping) for r in conn.execute(query)]
            if not rows:
                return
            yield from rows
            last = rows[-1]["seq"]

    def known_urls(self, urls: Iterable[str]) -> set[str]:
        """Return which of the URLs are stored as items or quarantined (so crawlers skip them)."""
        urls = [u for u in urls if u]
        found: set[str] = set()
        with self.engine.connect() as conn:
            for part in _chunks(urls):
                found.update(conn.execute(select(items.c.url).where(items.c.url.in_(part))).scalars())
                found.update(conn.execute(select(quarantine.c.origin).where(quarantine.c.origin.in_(part))).scalars())
        return found

    # --- analysis ----------------------------------------------------------------------
    _ANALYSIS_READ = (items.c.seq, items.c.id, items.c.platform, items.c.source, items.c.title, items.c.text,
                      items.c.text_sc, items.c.metrics, items.c.published_ts, items.c.repost_of, items.c.event,
                      items.c.flags)

    def pending_analysis(self, limit: int = 256, after: tuple[int, int] | None = None) -> list[dict[str, Any]]:
        """Return up to `limit` items waiting for analysis, oldest published first.

        `after` (published_ts, seq) of the last row already taken pages on without waiting for
        those rows to be saved (the parallel analysis pass keeps several batches in flight).
        """
        query = (select(*self._ANALYSIS_READ).where(items.c.analyzed_ts.is_(None))
                 .order_by(items.c.published_ts, items.c.seq).limit(limit))
        if after is not None:
            from sqlalchemy import tuple_

            query = query.where(tuple_(items.c.published_ts, items.c.seq) > tuple_(*after))
        with self.engine.connect() as conn:
            return [dict(r._mapping) for r in conn.execute(query)]

    def waiting_of(self, ids: Iterable[str]) -> list[dict[str, Any]]:
        """The rows of these items that still wait for analysis, oldest published first (a bus
        message redelivered after its commit finds none: nothing is linked twice)."""
        out = []
        with self.engine.connect() as conn:
            for part in _chunks(list(dict.fromkeys(ids))):
                out.extend(dict(r._mapping) for r in conn.execute(
                    select(*self._ANALYSIS_READ).where(self._by_ids(conn, part), items.c.analyzed_ts.is_(None))))
        return sorted(out, key=lambda r: (r["published_ts"], r["seq"]))

    # --- backfills (yuqing reanalyze --dask) ------------------------------------------------
    def begin_backfill(self, since_ts: int | None) -> dict[str, Any]:
        """The unfinished backfill over the same window (resumed), or a new one."""
        from .schema import backfills

        with self._write() as conn:
            row = conn.execute(select(backfills).where(backfills.c.finished_ts.is_(None),
                                                       backfills.c.since_ts.is_not_distinct_from(since_ts))
                               .order_by(backfills.c.id.desc()).limit(1)).first()
            if row is not None:
                conn.execute(update(backfills).where(backfills.c.id == row.id).values(runs=row.runs + 1))
                return dict(row._mapping) | {"resumed": True}
            # the second now running counts as before the backfill: an item the live stage
            # analysed in it is judged again (its own saves are stamped no earlier than this)
            started = int(time.time()) + 1
            bid = conn.execute(insert(backfills).values(since_ts=since_ts, started_ts=started, items=0, runs=1)
                               .returning(backfills.c.id)).scalar_one()
            return {"id": bid, "since_ts": since_ts, "started_ts": started, "items": 0, "runs": 1, "resumed": False}

    def backfill_done(self, backfill_id: int, items_: int, finished: bool = False) -> None:
        from .schema import backfills

        values: dict[str, Any] = {"items": backfills.c["items"] + items_}
        if finished:
            values["finished_ts"] = int(time.time())
        with self._write() as conn:
            conn.execute(update(backfills).where(backfills.c.id == backfill_id).values(**values))

    def _backfill_where(self, since_ts: int | None, before_ts: int):
        # analysed before the backfill began; what waits for analysis is the live stage's
        cond = [items.c.analyzed_ts.is_not(None), items.c.analyzed_ts < before_ts]
        if since_ts is not None:
            cond.append(items.c.published_ts >= since_ts)
        return cond

    def backfill_parts(self, since_ts: int | None, before_ts: int, size: int) -> list[tuple[int, int]]:
        """[lo, hi) ranges of item numbers holding about `size` items each still to do."""
        where = self._backfill_where(since_ts, before_ts)
        numbered = select(items.c.seq, func.row_number().over(order_by=items.c.seq).label("n")).where(*where).subquery()
        with self.engine.connect() as conn:
            starts = list(conn.execute(select(numbered.c.seq).where((numbered.c.n - 1) % size == 0)
                                       .order_by(numbered.c.seq)).scalars())
            top = self.newest_seq(conn)
        return [(lo, hi) for lo, hi in zip(starts, starts[1:] + [top + 1])]

    def backfill_rows(self, lo: int, hi: int, since_ts: int | None, before_ts: int) -> list[dict[str, Any]]:
        """The items of one part still to do, with the links they keep (duplicate_of, event)."""
        query = (select(*self._ANALYSIS_READ, items.c.duplicate_of)
                 .where(items.c.seq >= lo, items.c.seq < hi, *self._backfill_where(since_ts, before_ts))
                 .order_by(items.c.published_ts, items.c.seq))
        with self.engine.connect() as conn:
            return [dict(r._mapping) for r in conn.execute(query)]

    def backfill_left(self, since_ts: int | None, before_ts: int) -> int:
        with self.engine.connect() as conn:
            return conn.execute(select(func.count()).select_from(items)
                                .where(*self._backfill_where(since_ts, before_ts))).scalar_one()

    def mark_pending(self, ids: Iterable[str]) -> int:
        """Send these items back to the analysis stage (to be linked in order there)."""
        n = 0
        with self._write() as conn:
            for part in _chunks(list(ids)):
                n += conn.execute(update(items).where(self._by_ids(conn, part)).values(analyzed_ts=None)).rowcount
        return n

    def count_pending(self, up_to: int) -> int:
        """How many items wait for analysis, counted no further than `up_to`."""
        waiting = select(items.c.seq).where(items.c.analyzed_ts.is_(None)).limit(up_to).subquery()
        with self.engine.connect() as conn:
            return conn.execute(select(func.count()).select_from(waiting)).scalar_one()

    def recent_analyzed(self, since_ts: int, limit: int = 50_000) -> list[dict[str, Any]]:
        """Return analysed items published since `since_ts`, oldest first (to warm the near-duplicate index)."""
        query = (select(*self._ANALYSIS_READ).where(items.c.analyzed_ts.is_not(None), items.c.published_ts >= since_ts,
                                                    items.c.duplicate_of.is_(None))
                 .order_by(items.c.published_ts, items.c.seq).limit(limit))
        with self.engine.connect() as conn:
            return [dict(r._mapping) for r in conn.execute(query)]

    def save_analysis(self, results: Sequence[tuple[str, dict[str, Any]]],
                      event_states: Sequence[dict[str, Any]] = (), merges: dict[str, str] | None = None,
                      schemes_state: tuple | None = None, analyzed_at: int | None = None,
                      closed: Iterable[str] = ()) -> None:
        """Store each item's analysis object and the columns filters use — with the clusterer's
        state of the events they went into, in the same transaction (a crash keeps both or neither).

        `analysis["schemes"]` ({scheme id: relevance}, the schemes other than 1) goes to
        item_schemes, not into the object; with `schemes_state` (what they were judged under)
        the save raises SchemesChanged when a scheme changed meanwhile. `analyzed_at` is the
        earliest stamp the items get (a backfill's, so they count as done by it). `closed`: events
        the clusterer let go (idle past the window, or beyond its bound): no item joins them again,
        so their state is not kept (nearly half of what an event took on disk)."""
        with self._write() as conn:
            self._save_scheme_judgments(conn, results, schemes_state)
            self._save_analysis(conn, results, analyzed_at)
            self._save_event_states(conn, event_states, merges or {})
            kept = {st["id"] for st in event_states}
            closed = [e for e in closed if e not in kept]
            for part in _chunks(closed):
                conn.execute(update(events).where(events.c.id.in_(part)).values(state=None))

    def _save_analysis(self, conn, results: Sequence[tuple[str, dict[str, Any]]], at: int | None = None) -> None:
        now = max(int(time.time()), at or 0)
        rows = [{"b_id": item_id, "analysis": orjson.dumps({k: v for k, v in a.items() if k != "schemes"}).decode(),
                 "analyzed_ts": now,
                 "relevant": int(bool(a["relevant"])), "category": a["category"],
                 "sentiment": a["sentiment"]["label"], "risk": a["risk"]["level"],
                 "duplicate_of": a["duplicate_of"], "event": a.get("event"),
                 "relevance": (a.get("relevance") or {}).get("label") or ("yes" if a["relevant"] else "no")}
                for item_id, a in results]
        if not rows:
            return
        from sqlalchemy import bindparam

        keys = self._keys_of(conn, [r["b_id"] for r in rows])
        rows = [r | {"b_pts": keys[r["b_id"]][1]} for r in rows if r["b_id"] in keys]
        if not rows:
            return
        stmt = (update(items).where(items.c.id == bindparam("b_id"), items.c.published_ts == bindparam("b_pts"))
                .values(**{k: bindparam(k) for k in ("analysis", "analyzed_ts", "relevant", "category",
                                                       "sentiment", "risk", "duplicate_of", "event", "relevance")}))
        conn.execute(stmt, rows)
        spans: dict[str, tuple[int, int]] = {}
        for r in rows:
            if r["event"]:
                lo, hi = spans.get(r["event"], (r["b_pts"], r["b_pts"]))
                spans[r["event"]] = (min(lo, r["b_pts"]), max(hi, r["b_pts"]))
        self._joined_events(conn, spans)
        # the places filter's rows: replaced whole (an item analysed again may name other places)
        for part in _chunks([seq for seq, _ts in keys.values()]):
            conn.execute(item_places.delete().where(item_places.c.seq.in_(part)))
        wanted = [(item_id, code) for item_id, a in results for code in place_rows(a.get("places") or ())]
        if wanted:
            conn.execute(self._insert_ignore(item_places), [
                {"code": code, "ts": keys[i][1], "seq": keys[i][0]} for i, code in wanted if i in keys])

    def reset_analysis(self, since: datetime | None = None) -> int:
        """Mark items (published since `since`, or all) for analysis again; return how many.

        Their events are formed again too: the items leave their events, and events that began
        since then are dropped (older ones take their later items back as they come); a dropped
        event's id is not used again.
        """
        stmt = update(items).values(analyzed_ts=None, event=None)
        # kept as a tombstone ("-"), so that its number is never given to another event
        drop = update(events).values(merged_into="-", state=None, record=None)
        if since is not None:
            stmt = stmt.where(items.c.published_ts >= int(since.timestamp()))
            drop = drop.where(events.c.first_ts >= int(since.timestamp()))
        with self._write() as conn:
            conn.execute(drop)
            return conn.execute(stmt).rowcount

    def analysis_counts(self) -> dict[str, Any]:
        """Counts for `yuqing stats`: analysed, waiting, relevant, by category, sentiment and risk."""
        with self.engine.connect() as conn:
            def by(col, *where):
                return dict(conn.execute(select(col, func.count()).where(col.is_not(None), *where).group_by(col)).all())
            waiting = conn.execute(select(func.count()).select_from(items).where(items.c.analyzed_ts.is_(None))).scalar_one()
            relevant = self.count_relevant(conn)
            dups = conn.execute(select(func.count()).select_from(items).where(items.c.duplicate_of.is_not(None))).scalar_one()
            mine = self._mine()
            if self.scheme_id not in (None, 1):
                # a scheme's few items, read from its rows outward (CROSS JOIN keeps that order: the
                # IN form and a plain join scanned every item)
                def by_mine(col):
                    return dict(conn.execute(text(
                        f"SELECT i.{col.name}, count(*) FROM item_schemes s {self._join_in_order()} items i ON i.seq = s.seq "
                        f"WHERE s.scheme = :s AND s.label = 'yes' AND i.{col.name} IS NOT NULL GROUP BY i.{col.name}"),
                        {"s": int(self.scheme_id)}).all())
            else:
                def by_mine(col):
                    return by(col, mine)
            # by_*: every analysed item (as before); relevant_by_*: what involves the region, the
            # counts a person reads first
            return {"waiting": waiting, "relevant": relevant, "near_duplicates": dups, "by_relevance": by(items.c.relevance),
                    "by_category": by(items.c.category), "by_sentiment": by(items.c.sentiment), "by_risk": by(items.c.risk),
                    "relevant_by_category": by_mine(items.c.category), "relevant_by_sentiment": by_mine(items.c.sentiment),
                    "relevant_by_risk": by_mine(items.c.risk)}

    # --- events --------------------------------------------------------------------------
    def save_event_states(self, states: Sequence[dict[str, Any]], merges: dict[str, str]) -> None:
        """Keep the clusterer's state of changed events, and move the items of merged events."""
        with self._write() as conn:
            self._save_event_states(conn, states, merges)

    def _save_event_states(self, conn, states: Sequence[dict[str, Any]], merges: dict[str, str]) -> None:
        now = int(time.time())
        if states:
            have = set()
            for part in _chunks([st["id"] for st in states]):
                have.update(conn.execute(select(events.c.id).where(events.c.id.in_(part))).scalars())
            rows = [{"id": st["id"], "first_ts": int(st["first_ts"]), "last_ts": int(st["last_ts"]),
                     "size": st["size"], "state": orjson.dumps(st), "updated_ts": now} for st in states]
            new = [r for r in rows if r["id"] not in have]
            if new:
                conn.execute(events.insert(), new)
            old = [{"b_id": r["id"], **{k: v for k, v in r.items() if k != "id"}} for r in rows if r["id"] in have]
            if old:
                from sqlalchemy import bindparam

                conn.execute(update(events).where(events.c.id == bindparam("b_id"))
                             .values(**{k: bindparam(k) for k in ("first_ts", "last_ts", "size", "state", "updated_ts")}), old)
        for gone, keep in merges.items():
            self._merged_event(conn, gone, keep)
            conn.execute(update(items).where(self._by_events(conn, [gone])).values(event=keep))
            conn.execute(update(events).where(events.c.id == gone).values(merged_into=keep, state=None))

    def active_event_states(self, since_ts: int, limit: int) -> list[dict[str, Any]]:
        """States of the events last active since `since_ts`, the most recent `limit`."""
        query = (select(events.c.state).where(events.c.last_ts >= since_ts, events.c.merged_into.is_(None),
                                              events.c.state.is_not(None))
                 .order_by(events.c.last_ts.desc()).limit(limit))
        with self.engine.connect() as conn:
            return [orjson.loads(s) for s in conn.execute(query).scalars()]

    def item_texts(self, ids: Iterable[str]) -> list[dict[str, Any]]:
        """(id, title, text, text_sc) of these stored items."""
        out: list[dict[str, Any]] = []
        with self.engine.connect() as conn:
            for part in _chunks(list(ids)):
                out.extend(dict(r._mapping) for r in conn.execute(
                    select(items.c.id, items.c.title, items.c.text, items.c.text_sc).where(self._by_ids(conn, part))))
        return out

    def last_event_number(self) -> int:
        """The largest number in the store's event ids (e-000123 → 123), to go on from."""
        from .schema import alerts

        # alerts keep the ids of events a re-analysis dropped: numbers are never used twice
        with self.engine.connect() as conn:
            found = [conn.execute(select(func.max(events.c.id)).where(events.c.id.like("e-%"))).scalar(),
                     conn.execute(select(func.max(alerts.c.event)).where(alerts.c.event.like("e-%"))).scalar()]
        return max((int(x[2:]) for x in found if x and x[2:].isdigit()), default=0)

    def events_of(self, item_ids: Iterable[str]) -> dict[str, str]:
        """{item id: event} for stored items that have one."""
        out: dict[str, str] = {}
        with self.engine.connect() as conn:
            for part in _chunks(list(item_ids)):
                out.update(conn.execute(select(items.c.id, items.c.event)
                                        .where(self._by_ids(conn, part), items.c.event.is_not(None))).all())
        return out

    _EVENT_ITEM_COLUMNS = (items.c.id, items.c.event, items.c.url, items.c.platform, items.c.source, items.c.author,
                           items.c.collector, items.c.title, items.c.text, items.c.published_ts, items.c.metrics,
                           items.c.repost_of, items.c.duplicate_of, items.c.sentiment, items.c.risk,
                           items.c.category, items.c.analysis, items.c.collected_ts, items.c.flags, items.c.interactions)

    def event_items(self, event_ids: Iterable[str], item_ids: Iterable[str] | None = None) -> dict[str, list[dict[str, Any]]]:
        """{event: its items, oldest first} (what an event record is built from); with
        `item_ids`, only those of them (the items that joined since a record was taken)."""
        out: dict[str, list[dict[str, Any]]] = {}
        wanted = set(event_ids)

        def group(rows) -> None:
            names = list(rows.keys())        # (dict(row._mapping) rebuilt the keys for every row)
            at = names.index("event")
            for r in rows:
                if r[at] in wanted:
                    out.setdefault(r[at], []).append(dict(zip(names, r)))

        with self.engine.connect() as conn:
            if item_ids is not None:
                for part in _chunks(list(item_ids)):
                    group(conn.execute(select(*self._EVENT_ITEM_COLUMNS).where(self._by_ids(conn, part))))
                return out
            for part in _chunks(list(wanted)):
                group(conn.execute(select(*self._EVENT_ITEM_COLUMNS).where(self._by_events(conn, part))
                                   .order_by(items.c.published_ts, items.c.seq)))
        return out

    def event_item_pages(self, event_id: str, page: int = 5000) -> Iterator[list[dict[str, Any]]]:
        """An event's items a page at a time, oldest first (a big event's record rebuilt from
        the store without holding its rows all at once)."""
        from sqlalchemy import tuple_

        after = None
        while True:
            with self.engine.connect() as conn:
                query = select(*self._EVENT_ITEM_COLUMNS, items.c.seq).where(self._by_events(conn, [event_id]))
                if after is not None:
                    query = query.where(tuple_(items.c.published_ts, items.c.seq) > tuple_(*after))
                rows = conn.execute(query.order_by(items.c.published_ts, items.c.seq).limit(page))
                names = list(rows.keys())
                got = [dict(zip(names, r)) for r in rows]
            if not got:
                return
            after = (got[-1]["published_ts"], got[-1]["seq"])
            for r in got:
                del r["seq"]
            yield got
            if len(got) < page:
                return

    def event_sizes(self, event_ids: Iterable[str]) -> dict[str, int]:
        """{event: how many items it has} (an index count: no item is read)."""
        out: dict[str, int] = {}
        with self.engine.connect() as conn:
            for part in _chunks(list(event_ids)):
                out.update(conn.execute(select(items.c.event, func.count()).where(self._by_events(conn, part))
                                        .group_by(items.c.event)).all())
        return out

    def save_event_records(self, records: Sequence[dict[str, Any]]) -> None:
        """Store built event records (and the columns lists sort and filter by)."""
        if not records:
            return
        from sqlalchemy import bindparam

        now = int(time.time())
        rows = [{"b_id": r["id"], "title": r["title"], "category": r["category"], "risk": r["risk"]["level"],
                 "tags": orjson.dumps({"k": r.get("keywords") or [], "p": [p["code"] for p in r.get("places") or []]}).decode(),
                 "heat": r["heat"]["value"], "stage": r["stage"]["name"], "size": r["size"],
                 "first_ts": r["first_ts"], "last_ts": r["last_ts"],
                 "record": orjson.dumps(r), "updated_ts": now} for r in records]
        with self._write() as conn:
            conn.execute(update(events).where(events.c.id == bindparam("b_id"))
                         .values(**{k: bindparam(k) for k in rows[0] if k != "b_id"}), rows)

    def list_events(self, since_ts: int | None = None, limit: int = 20, order: str = "heat") -> list[dict[str, Any]]:
        """Event records last active since `since_ts`, hottest (or latest) first."""
        key = events.c.heat.desc() if order == "heat" else events.c.last_ts.desc()
        query = select(events.c.record).where(events.c.merged_into.is_(None), events.c.record.is_not(None))
        if since_ts is not None:
            query = query.where(events.c.last_ts >= since_ts)
        if self._events_mine() is not None:
            query = query.where(self._events_mine())
        with self.engine.connect() as conn:
            return [orjson.loads(r) for r in conn.execute(query.order_by(key, events.c.id).limit(limit)).scalars()]

    EVENT_SORTS = {"heat": "heat DESC, id", "latest": "last_ts DESC, id", "size": "size DESC, id"}

    def browse_events(self, *, risk: str = "", stage: str = "", category: str = "", places: Sequence[str] = (),
                      since_ts: int | None = None, sort: str = "heat", limit: int = 50,
                      offset: int = 0, total: int | None = None) -> tuple[int, list[dict[str, Any]]]:
        """The events list: (true total, one page of records) of the events not merged away, with
        these filters (`places`: division codes; an event with an item naming one), sorted by
        heat, latest activity or size. Live events have two narrow partial indexes (heat,
        last_ts) holding every filter column, so a total never reads an event's record."""
        if sort not in self.EVENT_SORTS:
            raise ValueError(f"sort must be one of {sorted(self.EVENT_SORTS)}, not {sort!r}")
        where = ["merged_into IS NULL", "record IS NOT NULL"]
        params: dict[str, Any] = {}
        for name, value in (("risk", risk), ("stage", stage), ("category", category)):
            if value:
                where.append(f"{name} = :{name}")
                params[name] = value
        if since_ts is not None:
            where.append("last_ts >= :since")
            params["since"] = int(since_ts)
        if places:
            params.update({f"p{n}": code for n, code in enumerate(places)})
            codes = ", ".join(f":p{n}" for n in range(len(places)))
            window = " AND ip.ts >= :since_items" if since_ts is not None else ""
            if window:
                params["since_items"] = int(since_ts) - 90 * 86400   # an event active since then began at most so long before
            where.append(f"id IN (SELECT i.event FROM item_places ip JOIN items i ON i.seq = ip.seq "
                         f"WHERE ip.code IN ({codes}){window} AND i.event IS NOT NULL)")
        if self.scheme_id is not None:
            where.append(self._events_mine_sql())       # a scheme's events: those with an item it involves
        cond = " AND ".join(where)
        # the planner does not see that these partial indexes hold every live event (it scanned
        # the table, records and all: 0.7 s at 660k events); each is named for what it orders
        index = {"heat": "events_live_heat", "latest": "events_live_last", "size": "events_live_size"}[sort]
        if since_ts is not None and sort == "heat":
            index = "events_live_last"          # a recent window is a range of last_ts, then sorted
        # (a place filter names a few events by id: those are looked up, not the index walked)
        # (scheme 1's test is per event and keeps the walk; another scheme's is a set of ids)
        source = f"events INDEXED BY {index}" if self.engine.dialect.name == "sqlite" and not places \
            and self.scheme_id in (None, 1) else "events"
        with self.engine.connect() as conn:
            if total is None:        # (`total`: counted before, as the web keeps it while a person pages)
                total = conn.execute(text(f"SELECT count(*) FROM {source} WHERE {cond}"), params).scalar_one()
            ids = list(conn.execute(text(f"SELECT id FROM {source} WHERE {cond} ORDER BY {self.EVENT_SORTS[sort]} "
                                         "LIMIT :limit OFFSET :offset"), {**params, "limit": limit, "offset": offset}).scalars())
            records = {} if not ids else {i: orjson.loads(r) for i, r in conn.execute(
                select(events.c.id, events.c.record).where(events.c.id.in_(ids)))}
        return total, [records[i] for i in ids if i in records]

    # --- picks: what an analyst ticked for the next 简报 --------------------------------------
    def add_picks(self, user: str, kind: str, refs: Iterable[str]) -> int:
        """Tick items or events for `user`'s next 简报; return how many were new."""
        if kind not in ("item", "event"):
            raise ValueError(f"kind must be item or event, not {kind!r}")
        refs = [r for r in dict.fromkeys(refs) if r]
        if not refs:
            return 0
        with self._write() as conn:
            table = items if kind == "item" else events
            known = {r for part in _chunks(refs) for r in conn.execute(select(table.c.id).where(table.c.id.in_(part))).scalars()}
            # ts in ms, one apart: the 简报 keeps the order the rows were ticked in
            now_ms = int(time.time() * 1000)
            rows = [{"user": user, "kind": kind, "ref": r, "ts": now_ms + n} for n, r in enumerate(x for x in refs if x in known)]
            if not rows:
                return 0
            before = conn.execute(select(func.count()).select_from(picks).where(picks.c.user == user)).scalar_one()
            conn.execute(self._insert_ignore(picks), rows)
            return conn.execute(select(func.count()).select_from(picks).where(picks.c.user == user)).scalar_one() - before

    def remove_picks(self, user: str, kind: str | None = None, refs: Iterable[str] | None = None) -> None:
        """Untick some (or, without `refs`, all) of `user`'s picks."""
        query = picks.delete().where(picks.c.user == user)
        if kind:
            query = query.where(picks.c.kind == kind)
        if refs is not None:
            query = query.where(picks.c.ref.in_(list(refs)))
        with self._write() as conn:
            conn.execute(query)

    def list_picks(self, user: str) -> dict[str, list[str]]:
        """{"item": [ids], "event": [ids]} in the order they were ticked."""
        out: dict[str, list[str]] = {"item": [], "event": []}
        with self.engine.connect() as conn:
            for kind, ref in conn.execute(select(picks.c.kind, picks.c.ref).where(picks.c.user == user)
                                          .order_by(picks.c.ts, picks.c.ref)):
                out.setdefault(kind, []).append(ref)
        return out

    def judgment_feedback(self, limit: int = 50) -> dict[str, Any]:
        """What people's relevance answers say about the scheme: how often they overruled it
        (the rules said 涉及 and a person no, or the reverse, or they settled a 疑似), and the
        latest such answers with the rules' reasons then."""
        with self.engine.connect() as conn:
            counts = {(was or "?", label): n for was, label, n in conn.execute(
                select(relevance_judgments.c.was_label, relevance_judgments.c.label, func.count())
                .group_by(relevance_judgments.c.was_label, relevance_judgments.c.label))}
            latest = [dict(r._mapping) for r in conn.execute(
                select(relevance_judgments.c.item_id, relevance_judgments.c.label, relevance_judgments.c.was_label,
                       relevance_judgments.c.was, relevance_judgments.c.user, relevance_judgments.c.ts,
                       items.c.title, items.c.text)
                .join(items, items.c.id == relevance_judgments.c.item_id, isouter=True)
                .order_by(relevance_judgments.c.ts.desc(), relevance_judgments.c.item_id).limit(limit))]
        return {"counts": counts, "latest": latest}

    def event_briefs(self, since_ts: int, limit: int = 300) -> list[dict[str, Any]]:
        """The hottest events last active since then, with only what comparing them needs (id,
        title, heat, stage label, keywords, place codes) — from the small `tags` column."""
        from ..events.burst import STAGES

        query = (select(events.c.id, events.c.title, events.c.heat, events.c.stage, events.c.tags)
                 .where(events.c.last_ts >= int(since_ts), events.c.merged_into.is_(None), events.c.record.is_not(None))
                 .order_by(events.c.heat.desc(), events.c.id).limit(limit))
        out = []
        with self.engine.connect() as conn:
            for r in conn.execute(query):
                tags = orjson.loads(r.tags) if r.tags else {}
                out.append({"id": r.id, "title": r.title, "heat": r.heat, "stage": STAGES.get(r.stage, r.stage),
                            "keywords": tags.get("k") or [], "places": tags.get("p") or []})
        return out

    def get_event(self, event_id: str) -> dict[str, Any] | None:
        """An event's record (following merges)."""
        with self.engine.connect() as conn:
            for _ in range(20):
                row = conn.execute(select(events.c.record, events.c.merged_into).where(events.c.id == event_id)).first()
                if row is None:
                    return None
                if row.merged_into is None:
                    return orjson.loads(row.record) if row.record else None
                event_id = row.merged_into
        return None

    def analysed_between(self, start_ts: float, end_ts: float, relevant_only: bool = True) -> list[dict[str, Any]]:
        """Analysed items published in (start, end] with what trends read (keywords, places)."""
        cols = (items.c.id, items.c.published_ts, items.c.source, items.c.author, items.c.category,
                items.c.sentiment, items.c.risk, items.c.analysis)
        query = select(*cols).where(items.c.published_ts > int(start_ts), items.c.published_ts <= int(end_ts),
                                    items.c.analyzed_ts.is_not(None))
        if relevant_only:
            query = query.where(self._mine())
        with self.engine.connect() as conn:
            return [dict(r._mapping) for r in conn.execute(query)]

    def event_ids_since(self, since_ts: int, stale_before: int | None = None) -> list[str]:
        """Events last active since `since_ts` (whose record is older than `stale_before`)."""
        query = select(events.c.id).where(events.c.last_ts >= since_ts, events.c.merged_into.is_(None))
        if stale_before is not None:
            query = query.where((events.c.updated_ts < stale_before) | events.c.record.is_(None))
        with self.engine.connect() as conn:
            return list(conn.execute(query).scalars())

    def event_counts(self) -> dict[str, Any]:
        """For `yuqing stats`: events (not merged away) by stage."""
        with self.engine.connect() as conn:
            by_stage = dict(conn.execute(select(events.c.stage, func.count()).where(events.c.merged_into.is_(None))
                                         .group_by(events.c.stage)).all())
        return {"events": sum(by_stage.values()), "events_by_stage": {k or "?": v for k, v in by_stage.items()}}

    # --- search ------------------------------------------------------------------------
    def search(self, query: str, *, since: datetime | None = None, platform: str | None = None,
               limit: int = 20, filters: dict[str, Any] | None = None) -> list[Hit]:
        """Return the newest items matching every word of the query (and the column `filters`:
        category, sentiment, risk, event, relevant, source)."""
        raise NotImplementedError

    # --- quarantine --------------------------------------------------------------------
    def add_quarantine(self, records: Sequence[Quarantined], collector: str | None = None,
                       max_bytes: int = 1_000_000) -> int:
        """Store quarantined input; return how many records were new (re-runs add nothing)."""
        if not records:
            return 0
        now = int(time.time())
        rows = []
        for q in records:
            raw = q.raw if q.raw is not None else ""
            data = raw if isinstance(raw, bytes) else raw.encode("utf-8", "surrogatepass")
            digest = hashlib.sha256(data).hexdigest()
            kept = data[:max_bytes].decode("utf-8", errors="replace")
            key = hashlib.sha256(f"{q.origin}\x1f{q.reason}\x1f{digest}".encode("utf-8", "surrogatepass")).hexdigest()
            rows.append({"key": key, "at_ts": now, "reason": _storable(q.reason)[:100], "origin": _storable(q.origin)[:2000],
                         "collector": _storable(collector) if collector else collector,
                         "detail": _storable(q.detail[:2000]), "raw": kept, "raw_len": q.raw_len or len(data),
                         "raw_sha256": digest})
        with self._write() as conn:    # IMMEDIATE: a read-then-write transaction cannot be refused half-way
            before = conn.execute(select(func.count()).select_from(quarantine)).scalar_one()
            conn.execute(self._insert_ignore(quarantine), rows)
            after = conn.execute(select(func.count()).select_from(quarantine)).scalar_one()
        return after - before

    def quarantine_counts(self) -> dict[str, int]:
        with self.engine.connect() as conn:
            rows = conn.execute(select(quarantine.c.reason, func.count()).group_by(quarantine.c.reason))
            return {reason: n for reason, n in rows}

    def quarantined(self, limit: int = 100) -> list[dict[str, Any]]:
        with self.engine.connect() as conn:
            rows = conn.execute(select(quarantine).order_by(quarantine.c.qid.desc()).limit(limit))
            return [dict(r._mapping) for r in rows]

    # --- hot lists -------------------------------------------------------------------------
    def record_hot_ranks(self, rows: Sequence[tuple[str, str, int, int, int | None]]) -> None:
        """Add (item id, list, snapshot time, rank, heat) rows; a snapshot seen again adds nothing."""
        if not rows:
            return
        with self._write() as conn:
            conn.execute(self._insert_ignore(hot_ranks), [
                {"item_id": i, "list": lst, "ts": int(ts), "rank": int(rank), "heat": heat}
                for i, lst, ts, rank, heat in rows])

    def hot_summary(self, ids: Iterable[str]) -> dict[str, dict[str, Any]]:
        """{item id: first_ts, last_ts, best_rank, snapshots} of the topics' rank series."""
        out: dict[str, dict[str, Any]] = {}
        with self.engine.connect() as conn:
            for part in _chunks(list(dict.fromkeys(ids))):
                for item_id, first, last, best, n in conn.execute(
                        select(hot_ranks.c.item_id, func.min(hot_ranks.c.ts), func.max(hot_ranks.c.ts),
                               func.min(hot_ranks.c.rank), func.count())
                        .where(hot_ranks.c.item_id.in_(part)).group_by(hot_ranks.c.item_id)):
                    out[item_id] = {"first_ts": first, "last_ts": last, "best_rank": best, "snapshots": n}
        return out

    def hot_series(self, item_id: str) -> list[dict[str, Any]]:
        """A topic's places on its list, oldest first."""
        with self.engine.connect() as conn:
            return [dict(r._mapping) for r in conn.execute(
                select(hot_ranks.c.ts, hot_ranks.c.list, hot_ranks.c.rank, hot_ranks.c.heat)
                .where(hot_ranks.c.item_id == item_id).order_by(hot_ranks.c.ts))]

    # --- sources -----------------------------------------------------------------------
    def source_state(self, name: str) -> dict[str, Any] | None:
        with self.engine.connect() as conn:
            row = conn.execute(select(sources).where(sources.c.name == name)).first()
            return dict(row._mapping) if row else None

    def save_source_state(self, name: str, kind: str, **fields: Any) -> None:
        """Create or update a source's health record."""
        with self._write() as conn:
            exists = conn.execute(select(sources.c.name).where(sources.c.name == name)).first()
            if exists:
                conn.execute(update(sources).where(sources.c.name == name).values(kind=kind, **fields))
            else:
                conn.execute(sources.insert().values(**{"runs": 0, "errors": 0, "items_total": 0, **fields},
                                                     name=name, kind=kind))

    def source_states(self) -> list[dict[str, Any]]:
        with self.engine.connect() as conn:
            return [dict(r._mapping) for r in conn.execute(select(sources).order_by(sources.c.name))]

    def items_per_day(self, days: int = 7, now: float | None = None) -> dict[str, float]:
        """Return items collected per day over the last `days` days, by collector."""
        since = int((now or time.time()) - days * 86400)
        with self.engine.connect() as conn:
            rows = conn.execute(select(items.c.collector, func.count()).where(items.c.collected_ts >= since)
                                .group_by(items.c.collector))
            return {name: n / days for name, n in rows if name}

    # --- dashboard ---------------------------------------------------------------------
    def volume(self, start_ts: int, end_ts: int, bucket_s: int,
               relevant_only: bool = False) -> list[tuple[int, str, str | None, int]]:
        """(bucket start, platform, sentiment, items) for items published in [start, end), in
        buckets of `bucket_s` from `start_ts`; `relevant_only`: only what involves the region
        (read from the items_volume index alone either way)."""
        where = f" AND {self._mine_sql()}" if relevant_only else ""
        sql = text("SELECT :start + ((published_ts - :start) / :bucket) * :bucket AS b, platform, sentiment, count(*) "
                   f"FROM items WHERE published_ts >= :start AND published_ts < :end{where} GROUP BY b, platform, sentiment")
        with self.engine.connect() as conn:
            return [tuple(r) for r in conn.execute(sql, {"start": int(start_ts), "end": int(end_ts), "bucket": int(bucket_s)})]

    # --- people's relevance judgments (疑似涉及) -----------------------------------------
    def possible_items(self, limit: int = 50, offset: int = 0) -> tuple[int, list[dict[str, Any]]]:
        """Items the rules call possible (疑似涉及) and no person has judged, newest first, and how many."""
        where = items.c.relevance == "possible"
        query = (select(items.c.id, items.c.platform, items.c.source, items.c.title, items.c.text,
                        items.c.published_ts, items.c.analysis).where(where)
                 .order_by(items.c.published_ts.desc()).limit(limit).offset(offset))
        with self.engine.connect() as conn:
            total = conn.execute(select(func.count()).select_from(items).where(where)).scalar_one()
            return total, [dict(r._mapping) for r in conn.execute(query)]

    def count_relevant(self, conn=None) -> int:
        """Items that involve the region, or the scheme in view (the overview's first number)."""
        if self.scheme_id not in (None, 1):
            query = select(func.count()).select_from(item_schemes).where(item_schemes.c.scheme == self.scheme_id,
                                                                          item_schemes.c.label == "yes")
        else:
            query = select(func.count()).select_from(items).where(self._mine())
        if conn is not None:
            return conn.execute(query).scalar_one()
        with self.engine.connect() as c:
            return c.execute(query).scalar_one()

    def judge_relevance(self, item_id: str, label: str, user: str) -> bool:
        """Record a person's yes/no for an item; it is judged again with that answer (its events and
        alerts follow). Return False when there is no such item."""
        if label not in ("yes", "no"):
            raise ValueError(f"label must be yes or no, not {label!r}")
        with self._write() as conn:
            row = conn.execute(select(items.c.analysis).where(self._by_ids(conn, [item_id]))).first()
            if row is None:
                return False
            analysis = orjson.loads(row.analysis) if row.analysis else {}
            was = "；".join((analysis.get("relevance") or {}).get("reasons") or [])
            conn.execute(relevance_judgments.delete().where(relevance_judgments.c.item_id == item_id))
            before = conn.execute(select(relevance_judgments.c.was_label, relevance_judgments.c.was)
                                  .where(relevance_judgments.c.item_id == item_id)).first()
            # judged again: what the rules said is what they said before the first judgment
            was_label = before.was_label if before else (analysis.get("relevance") or {}).get("rules_label") or \
                (analysis.get("relevance") or {}).get("label")
            was = before.was if before else was
            conn.execute(relevance_judgments.delete().where(relevance_judgments.c.item_id == item_id))
            conn.execute(relevance_judgments.insert().values(item_id=item_id, label=label, user=user,
                                                            ts=int(time.time()), was=was[:2000], was_label=was_label))
            if analysis:
                analysis |= judged_relevance(analysis, label, user)
            # shown at once; the analysis stage takes it again and applies the answer (events, alerts)
            conn.execute(update(items).where(self._by_ids(conn, [item_id])).values(
                relevant=int(label == "yes"), relevance=label, analyzed_ts=None,
                analysis=orjson.dumps(analysis).decode() if analysis else None))
        self.audit(user, "relevance.judge", item_id, label)
        return True

    def relevance_judgments(self, ids: Iterable[str]) -> dict[str, dict[str, Any]]:
        """{item id: {"label", "user", "ts"}} for the items a person judged."""
        out: dict[str, dict[str, Any]] = {}
        with self.engine.connect() as conn:
            for part in _chunks(list(ids)):
                for r in conn.execute(select(relevance_judgments).where(relevance_judgments.c.item_id.in_(part))):
                    out[r.item_id] = {"label": r.label, "user": r.user, "ts": r.ts}
        return out

    def recent_items(self, since_ts: int, limit: int) -> list[dict[str, Any]]:
        """The newest items published since then (what a scheme preview runs over)."""
        query = (select(items.c.id, items.c.platform, items.c.source, items.c.title, items.c.text, items.c.text_sc,
                        items.c.published_ts, items.c.relevant, items.c.flags, items.c.duplicate_of)
                 .where(items.c.published_ts >= int(since_ts)).order_by(items.c.published_ts.desc()).limit(limit))
        with self.engine.connect() as conn:
            return [dict(r._mapping) for r in conn.execute(query)]

    def period_counts(self, start_ts: int, end_ts: int, backfill_s: float = 48 * 3600) -> dict[str, Any]:
        """Items published in [start, end) and collected as they came (within `backfill_s` of
        publication) — analysed, relevant, relevant originals (not near-copies) by platform — the
        events that began then, and apart from those the backfill: items of the period collected
        later (an import of history is not the period's monitoring work). One basis, publication
        time, for items and events alike."""
        published = (items.c.published_ts >= start_ts) & (items.c.published_ts < end_ts)
        late = (items.c.collected_ts - items.c.published_ts) > backfill_s
        in_period = published & ~late
        mine = case((self._mine(), 1), else_=0)
        with self.engine.connect() as conn:
            collected, analysed, relevant = conn.execute(
                select(func.count(), func.count(items.c.analyzed_ts), func.sum(mine)).where(in_period)).first()
            originals = dict(conn.execute(select(items.c.platform, func.count())
                                          .where(in_period, self._mine(), items.c.duplicate_of.is_(None))
                                          .group_by(items.c.platform)).all())
            backfill, backfill_relevant = conn.execute(
                select(func.count(), func.sum(mine)).where(published & late)).first()
            # events that began in the period with items collected as they came (a backfill's
            # events are history too)
            live_events = select(items.c.event).where(in_period, items.c.event.is_not(None),
                                                      *([self._mine()] if self.scheme_id is not None else [])).distinct()
            began = conn.execute(select(func.count()).select_from(events).where(
                events.c.first_ts >= start_ts, events.c.first_ts < end_ts, events.c.merged_into.is_(None),
                events.c.id.in_(live_events))).scalar_one()
        return {"collected": collected, "analysed": analysed, "relevant": relevant or 0,
                "relevant_originals": sum(originals.values()), "relevant_by_platform": originals, "events": began,
                "backfill": backfill, "backfill_relevant": backfill_relevant or 0}

    # --- reports -----------------------------------------------------------------------
    def period_summary(self, start_ts: int, end_ts: int, keywords: int = 30, top_events: int = 50) -> dict[str, Any]:
        """What a period report counts, by SQL over items published in [start, end): relevant
        items by category, risk and sentiment, the keywords of relevant items (JSON read by
        SQLite), and the events with the most relevant items in the period."""
        p = {"s": int(start_ts), "e": int(end_ts)}
        where = f"published_ts >= :s AND published_ts < :e AND {self._mine_sql()}"
        with self.engine.connect() as conn:
            def pairs(sql, **extra):
                return [tuple(r) for r in conn.execute(text(sql), {**p, **extra})]
            out = {
                "relevant": conn.execute(text(f"SELECT count(*) FROM items WHERE {where}"), p).scalar_one(),
                "relevant_originals": conn.execute(text(f"SELECT count(*) FROM items WHERE {where} AND duplicate_of IS NULL "
                                                        "AND repost_of IS NULL"), p).scalar_one(),
                "by_category": pairs(f"SELECT category, count(*) FROM items WHERE {where} GROUP BY category ORDER BY 2 DESC, 1"),
                "by_risk": dict(pairs(f"SELECT risk, count(*) FROM items WHERE {where} GROUP BY risk")),
                "by_sentiment": dict(pairs(f"SELECT sentiment, count(*) FROM items WHERE {where} GROUP BY sentiment")),
                "keywords": pairs(self._keywords_sql(where), n=keywords),
                "events": pairs(f"SELECT event, count(*) FROM items WHERE {where} AND event IS NOT NULL "
                                "GROUP BY event ORDER BY 2 DESC, 1 LIMIT :n", n=top_events),
            }
        return out

    def risky_items(self, start_ts: int, end_ts: int, limit: int = 20) -> list[dict[str, Any]]:
        """Relevant high-risk originals published in [start, end), newest first, with their analysis."""
        query = (select(items.c.id, items.c.platform, items.c.source, items.c.title, items.c.text, items.c.url,
                        items.c.published_ts, items.c.event, items.c.analysis, items.c.sentiment)
                 .where(items.c.published_ts >= int(start_ts), items.c.published_ts < int(end_ts), self._mine(),
                        items.c.risk == "high", items.c.duplicate_of.is_(None), items.c.repost_of.is_(None))
                 .order_by(items.c.published_ts.desc(), items.c.id).limit(limit))
        with self.engine.connect() as conn:
            return [dict(r._mapping) for r in conn.execute(query)]

    # --- stats -------------------------------------------------------------------------
    def stats(self) -> dict[str, Any]:
        """Return counts of items (by platform), quarantine (by reason) and sources."""
        with self.engine.connect() as conn:
            by_platform = dict(conn.execute(select(items.c.platform, func.count()).group_by(items.c.platform)).all())
            n_sources = conn.execute(select(func.count()).select_from(sources)).scalar_one()
            span = conn.execute(select(func.min(items.c.published_ts), func.max(items.c.published_ts))).first()
        q = self.quarantine_counts()

        def iso(ts):
            return utc_datetime(ts).astimezone(BEIJING).isoformat() if ts else None

        return {"items": sum(by_platform.values()), "items_by_platform": by_platform,
                "quarantined": sum(q.values()), "quarantined_by_reason": q, "sources": n_sources,
                "first_published": iso(span[0]), "last_published": iso(span[1])}
