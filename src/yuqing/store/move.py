"""`yuqing migrate SRC DST`: move a whole store to another database (SQLite → PostgreSQL when an
office outgrows one machine, or back), nothing lost: every table copied in key order, then each
table's row count and a checksum of its rows compared on both sides.

The destination must be a new, empty store (its schema is made by opening it). Derived
indexes are the destination's own: SQLite's full-text index is rebuilt, PostgreSQL's `tsvector`
is generated, and PostgreSQL's sequences continue after the copied numbers. An item's search
terms (`seg`) are derived too: SQLite's index keeps them without a copy in the row, PostgreSQL
generates its `tsvector` from the copy; they are made from the text where the source has none.
"""

from __future__ import annotations

import hashlib
from typing import Any, Callable

import orjson
from sqlalchemy import func, select, text

from . import schema
from .sql import Store, row_terms

CHUNK = 5000


def tables() -> list:
    """The store's tables, parents before children, without the migration record (each
    backend keeps its own)."""
    return [t for t in schema.metadata.sorted_tables if t.name != "schema_migrations"]


def _key(table):
    return list(table.primary_key.columns) or list(table.columns)


def checksum(store: Store, table) -> tuple[int, str]:
    """(rows, SHA-256 over the rows in key order, each as canonical JSON of its columns)."""
    digest = hashlib.sha256()
    n = 0
    cols = [c for c in table.columns if not (table is schema.items and c.name == "seg")]   # derived
    with store.engine.connect() as conn:
        for row in conn.execution_options(stream_results=True).execute(select(*cols).order_by(*_key(table))):
            digest.update(orjson.dumps([_plain(v) for v in row]))
            n += 1
    return n, digest.hexdigest()


def _plain(value: Any) -> Any:
    # a float column read back from another backend may come as int (3.0 → 3): compare numbers
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def move(source: Store, dest: Store, on_table: Callable[[str, int], None] | None = None) -> dict[str, dict]:
    """Copy every table of `source` into the empty `dest`; return {table: {rows, sha256}} as
    verified on both sides. Raise ValueError when `dest` holds items already, RuntimeError when
    a table differs after the copy."""
    with dest.engine.connect() as conn:
        if conn.execute(select(func.count()).select_from(schema.items)).scalar_one():
            raise ValueError("目标库已有信息：请迁移到一个新的空库")
        # the schemes a new store records on opening (none) and anything else: start clean
    out = {}
    if dest.engine.dialect.name == "postgresql":
        from .partitions import make

        # the full-text index built once over the copied rows, not kept up row by row; the
        # partitions of every day the items have made before they are copied
        with source.engine.connect() as r:
            days = list(r.execute(select(schema.items.c.published_ts - schema.items.c.published_ts % 86400)
                                  .distinct()).scalars())
        with dest.engine.begin() as w:
            w.execute(text("DROP INDEX IF EXISTS items_tsv"))
            make(w, days)
    for table in tables():
        cols = list(table.columns)
        with dest.engine.begin() as w:
            w.execute(table.delete())
        copied = 0
        with source.engine.connect() as r:
            rows = r.execution_options(stream_results=True).execute(select(*cols).order_by(*_key(table)))
            while True:
                chunk = rows.fetchmany(CHUNK)
                if not chunk:
                    break
                batch = [dict(zip((c.name for c in cols), row)) for row in chunk]
                if table is schema.items and dest.engine.dialect.name == "postgresql":
                    for row in batch:
                        row["seg"] = row["seg"] or row_terms(row)
                with dest.engine.begin() as w:
                    w.execute(table.insert(), batch)
                copied += len(chunk)
        if on_table is not None:
            on_table(table.name, copied)
    _derived(dest)
    for table in tables():
        a, b = checksum(source, table), checksum(dest, table)
        if a != b:
            raise RuntimeError(f"表 {table.name} 迁移后不一致：源 {a[0]} 行，目标 {b[0]} 行")
        out[table.name] = {"rows": a[0], "sha256": a[1]}
    return out


def _derived(dest: Store) -> None:
    """What the destination derives from the copied rows."""
    with dest.engine.begin() as conn:
        if conn.dialect.name == "sqlite":
            # the index from the copied terms (or the text's, when the source kept none), the rows without them
            last = 0
            while True:
                chunk = conn.execute(select(schema.items.c.seq, schema.items.c.title, schema.items.c.text,
                                            schema.items.c.text_sc, schema.items.c.seg)
                                     .where(schema.items.c.seq > last).order_by(schema.items.c.seq).limit(CHUNK)).all()
                if not chunk:
                    break
                conn.exec_driver_sql("INSERT INTO items_fts(rowid, seg) VALUES (?, ?)",
                                     [(r.seq, r.seg or row_terms(r._mapping)) for r in chunk])
                last = chunk[-1].seq
            conn.execute(text("UPDATE items SET seg = NULL WHERE seg IS NOT NULL"))
            conn.execute(text("UPDATE item_numbers SET highest = (SELECT coalesce(max(seq), 0) FROM items)"))
        elif conn.dialect.name == "postgresql":
            conn.execute(text(next(stmt for stmt in schema.POSTGRES_INDEXES if "items_tsv" in stmt)))
            from .partitions import fill_keys

            fill_keys(conn)
            for table in tables():
                for col in table.primary_key.columns:
                    if col.autoincrement is True or (col.autoincrement == "auto" and len(table.primary_key.columns) == 1
                                                     and str(col.type) == "INTEGER"):
                        seq = conn.execute(text("SELECT pg_get_serial_sequence(:t, :c)"),
                                           {"t": table.name, "c": col.name}).scalar()
                        if seq:
                            conn.execute(text(f"SELECT setval('{seq}', coalesce((SELECT max({col.name}) FROM {table.name}), 0) + 1, false)"))
