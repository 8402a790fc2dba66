"""The store's side of monitoring schemes: every saved text of a scheme, with who and when (the
方案 page's history, diff and roll back). Mixed into Store (sql.py); SQLAlchemy Core only."""

from __future__ import annotations

import hashlib
import time
from typing import Any

from sqlalchemy import select

from .schema import scheme_versions


class SchemeStore:
    engine: Any

    def _write(self):  # pragma: no cover - provided by Store
        raise NotImplementedError

    # --- scheme versions ---------------------------------------------------------------------
    def add_scheme_version(self, scheme: str, text: str, by: str, note: str | None = None) -> int:
        """Keep a saved text of a scheme as its next version; return the version (the latest
        one, unchanged, when the text is what it already holds)."""
        digest = hashlib.sha256(text.encode("utf-8")).hexdigest()
        with self._write() as conn:
            last = conn.execute(select(scheme_versions.c.version, scheme_versions.c.sha256)
                                .where(scheme_versions.c.scheme == scheme)
                                .order_by(scheme_versions.c.version.desc()).limit(1)).first()
            if last and last.sha256 == digest:
                return last.version
            version = (last.version if last else 0) + 1
            conn.execute(scheme_versions.insert().values(scheme=scheme, version=version, text=text, sha256=digest,
                                                         by=by, ts=int(time.time()), note=note))
        return version

    def scheme_versions(self, scheme: str, limit: int = 200) -> list[dict[str, Any]]:
        """The versions of a scheme, newest first, without their texts."""
        cols = [c for c in scheme_versions.c if c.name != "text"]
        with self.engine.connect() as conn:
            return [dict(r._mapping) for r in conn.execute(
                select(*cols).where(scheme_versions.c.scheme == scheme)
                .order_by(scheme_versions.c.version.desc()).limit(limit))]

    def scheme_version(self, scheme: str, version: int | None = None) -> dict[str, Any] | None:
        """One version of a scheme with its text (the latest without `version`), or None."""
        query = select(scheme_versions).where(scheme_versions.c.scheme == scheme)
        query = query.where(scheme_versions.c.version == version) if version is not None else \
            query.order_by(scheme_versions.c.version.desc()).limit(1)
        with self.engine.connect() as conn:
            row = conn.execute(query).first()
        return dict(row._mapping) if row else None
