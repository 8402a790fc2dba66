"""The store: where every stage hands over to the next (DESIGN §6)."""

from __future__ import annotations

from pathlib import Path

from .sql import Hit, Store, UpsertResult

__all__ = ["Hit", "Store", "UpsertResult", "open_store"]


def open_store(url: str, migrate: bool = True) -> Store:
    """Return the store for a database URL, with pending migrations applied."""
    if url.startswith("sqlite:"):
        from .sqlite import SQLiteStore

        path = url.split(":///", 1)[1] if ":///" in url else ""
        if path and path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        store: Store = SQLiteStore(url)
    elif url.startswith(("postgresql:", "postgres:", "postgresql+")):
        from .postgres import PostgresStore

        store = PostgresStore(url)
    else:
        raise ValueError(f"unsupported database_url {url!r}: use sqlite:///PATH or postgresql://…")
    if migrate:
        store.migrate()
    return store
