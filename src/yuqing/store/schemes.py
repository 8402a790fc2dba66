"""The store's side of monitoring schemes (issue 17): the schemes of a store, every saved text of
each with who and when (the 方案 page's history, diff and roll back), what the other schemes
judged each item, and applying a scheme to stored history in resumable steps.

Scheme 1 (key "default") is the install's own: the file yuqing.toml names; its judgments are the
items' `relevant` and `relevance` columns. Every other scheme's judgments are rows of
item_schemes (yes and possible only). Mixed into Store (sql.py); SQLAlchemy Core only.
"""

from __future__ import annotations

import hashlib
import time
from typing import Any, Iterable, Sequence

import orjson
from sqlalchemy import and_, delete, func, insert, select, text, update

from .schema import item_schemes, items, relevance_judgments, scheme_versions, schemes

PRIMARY = "default"


class SchemesChanged(Exception):
    """A scheme was saved, enabled or disabled while a batch was judged: judge it again."""


def scheme_name(text: str) -> str | None:
    """The `name:` of a scheme's YAML text, or None (a text that does not parse names nothing)."""
    import yaml

    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError:
        return None
    return str(data["name"]) if isinstance(data, dict) and data.get("name") else None


class SchemeStore:
    engine: Any

    def _json_text(self, column, *path):  # pragma: no cover - provided by Store
        raise NotImplementedError

    def _json_set_sql(self) -> str:  # pragma: no cover - provided by Store
        raise NotImplementedError

    def _write(self):  # pragma: no cover - provided by Store
        raise NotImplementedError

    # --- schemes and their versions ------------------------------------------------------------
    def add_scheme_version(self, scheme: str, text: str, by: str, note: str | None = None, *,
                           owner: str | None = None, applied: bool = False) -> int:
        """Keep a saved text of a scheme as its next version and make it the one in force; return
        the version (the latest one, unchanged, when the text is what it already holds).

        A new version is applied to stored history from the start (`apply_scheme_step`) unless
        `applied`: the items were judged with this very text (the file as a store first sees it)."""
        digest = hashlib.sha256(text.encode("utf-8")).hexdigest()
        now = int(time.time())
        with self._write() as conn:
            last = conn.execute(select(scheme_versions.c.version, scheme_versions.c.sha256)
                                .where(scheme_versions.c.scheme == scheme)
                                .order_by(scheme_versions.c.version.desc()).limit(1)).first()
            row = conn.execute(select(schemes.c.id).where(schemes.c.key == scheme)).first()
            same = last is not None and last.sha256 == digest
            if same and row is not None:
                return last.version
            version = last.version if same else (last.version if last else 0) + 1
            if not same:
                conn.execute(scheme_versions.insert().values(scheme=scheme, version=version, text=text, sha256=digest,
                                                             by=by, ts=now, note=note))
            newest = self.newest_seq(conn)
            values = {"name": scheme_name(text) or scheme, "version": version, "updated_ts": now,
                      "apply_seq": newest if applied else 0, "apply_target": newest}
            if applied:
                values |= {"applied_version": version, "applied_ts": now}
            if owner is not None:
                values["owner"] = owner
            if row is None:
                values |= {"key": scheme, "enabled": 1, "created_ts": now}
                # number 1 is the install's own scheme whether or not it is recorded yet: another
                # never takes it (its judgments would be read from the items' own columns)
                values["id"] = 1 if scheme == PRIMARY else max(conn.execute(select(func.max(schemes.c.id))).scalar() or 1, 1) + 1
                conn.execute(schemes.insert().values(**values))
            else:
                conn.execute(update(schemes).where(schemes.c.id == row.id).values(**values))
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

    def schemes(self, enabled: bool | None = None) -> list[dict[str, Any]]:
        """Every scheme of the store (scheme 1 first) with the text of the version in force and
        how far applying it to history has got (`apply_done`, `apply_total`)."""
        query = (select(schemes, scheme_versions.c.text)
                 .join(scheme_versions, and_(scheme_versions.c.scheme == schemes.c.key,
                                             scheme_versions.c.version == schemes.c.version))
                 .order_by(schemes.c.id))
        if enabled is not None:
            query = query.where(schemes.c.enabled == int(enabled))
        with self.engine.connect() as conn:
            rows = [dict(r._mapping) for r in conn.execute(query)]
            newest = self.newest_seq(conn)
        for r in rows:
            r["applying"] = bool(r["enabled"]) and r["applied_version"] != r["version"]
            r["apply_done"], r["apply_total"] = min(r["apply_seq"], newest), newest
        return rows

    def scheme(self, ref: str | int) -> dict[str, Any] | None:
        """The scheme a person names: by key, by name or by number; None when there is none."""
        for row in self.schemes():
            if ref in (row["key"], row["name"]) or str(ref) == str(row["id"]):
                return row
        return None

    def set_scheme_enabled(self, key: str, enabled: bool) -> bool:
        """Turn a scheme on or off (scheme 1 stays on); return whether it exists."""
        if key == PRIMARY and not enabled:
            raise ValueError("本区方案（第 1 个方案）不能停用；可以修改它的内容")
        with self._write() as conn:
            row = conn.execute(select(schemes.c.enabled).where(schemes.c.key == key)).first()
            if row is None:
                return False
            values: dict[str, Any] = {"enabled": int(enabled), "updated_ts": int(time.time())}
            if enabled and not row.enabled:
                # items analysed while it was off were not judged by it: it walks history again
                values |= {"apply_seq": 0, "applied_version": None,
                           "apply_target": self.newest_seq(conn)}
            conn.execute(update(schemes).where(schemes.c.key == key).values(**values))
            return True

    def schemes_state(self, conn=None) -> tuple:
        """What the analysis stage's judgments depend on: each scheme's number, version and
        enabled flag. A batch judged under another state is judged again before it is saved."""
        query = select(schemes.c.id, schemes.c.version, schemes.c.enabled).order_by(schemes.c.id)
        if conn is not None:
            return tuple(tuple(r) for r in conn.execute(query))
        with self.engine.connect() as c:
            return tuple(tuple(r) for r in c.execute(query))

    def scheme_counts(self) -> dict[int, dict[str, int]]:
        """{scheme id: {"yes": n, "possible": n}} over the stored items."""
        with self.engine.connect() as conn:
            out: dict[int, dict[str, int]] = {1: dict(conn.execute(
                select(items.c.relevance, func.count()).where(items.c.relevance.in_(["yes", "possible"]))
                .group_by(items.c.relevance)).all())}
            for sid, label, n in conn.execute(select(item_schemes.c.scheme, item_schemes.c.label, func.count())
                                              .group_by(item_schemes.c.scheme, item_schemes.c.label)):
                out.setdefault(sid, {})[label] = n
        return out

    # --- what the other schemes judged ------------------------------------------------------------
    def _save_scheme_judgments(self, conn, results: Sequence[tuple[str, dict[str, Any]]], state: tuple | None) -> None:
        """Inside save_analysis' transaction: each item's judgments under the other schemes
        (`analysis["schemes"]`, {scheme id: relevance}) replace the ones it had."""
        if state is not None and self.schemes_state(conn) != state:
            raise SchemesChanged("方案在这批信息分析期间有改动")
        judged = [(item_id, a["schemes"]) for item_id, a in results if a.get("schemes")]
        if not judged:
            return
        ids = {sid for _i, per in judged for sid in per}
        keys = self._keys_of(conn, [i for i, _p in judged])
        seqs = {i: seq for i, (seq, _ts) in keys.items()}
        ts = dict(keys.values())
        conn.execute(delete(item_schemes).where(item_schemes.c.scheme.in_(ids), item_schemes.c.seq.in_(list(seqs.values()))))
        rows = [{"scheme": sid, "seq": seqs[item_id], "label": r["label"], "reasons": orjson.dumps(r["reasons"]).decode(),
                 "ts": ts[seqs[item_id]]}
                for item_id, per in judged if item_id in seqs for sid, r in per.items() if r["label"] != "no"]
        if rows:
            conn.execute(insert(item_schemes), rows)

    def item_scheme_labels(self, item_ids: Iterable[str]) -> dict[str, dict[int, dict[str, Any]]]:
        """{item id: {scheme id: {label, reasons}}} for the schemes other than 1 that involve each."""
        ids = list(item_ids)
        out: dict[str, dict[int, dict[str, Any]]] = {}
        if not ids:
            return out
        with self.engine.connect() as conn:
            for item_id, sid, label, reasons in conn.execute(
                    select(items.c.id, item_schemes.c.scheme, item_schemes.c.label, item_schemes.c.reasons)
                    .join(item_schemes, item_schemes.c.seq == items.c.seq).where(self._by_ids(conn, ids))):
                out.setdefault(item_id, {})[sid] = {"label": label, "reasons": orjson.loads(reasons)}
        return out

    def schemes_of_items(self, item_ids: Iterable[str]) -> dict[str, set[int]]:
        """{item id: the schemes that judged it yes or possible} (1 for the items' own column)."""
        ids = list(item_ids)
        out: dict[str, set[int]] = {i: set() for i in ids}
        if not ids:
            return out
        with self.engine.connect() as conn:
            for item_id, relevance in conn.execute(select(items.c.id, items.c.relevance).where(self._by_ids(conn, ids))):
                if relevance in ("yes", "possible"):
                    out[item_id].add(1)
            for item_id, sid in conn.execute(select(items.c.id, item_schemes.c.scheme)
                                             .join(item_schemes, item_schemes.c.seq == items.c.seq)
                                             .where(self._by_ids(conn, ids))):
                out[item_id].add(sid)
        return out

    def schemes_of_event(self, event_id: str) -> set[int]:
        """The schemes one of the event's items involves (yes)."""
        with self.engine.connect() as conn:
            out = {1} if conn.execute(select(items.c.seq).where(self._by_events(conn, [event_id]), items.c.relevant == 1)
                                      .limit(1)).first() else set()
            out |= set(conn.execute(select(item_schemes.c.scheme).distinct()
                                    .join(items, items.c.seq == item_schemes.c.seq)
                                    .where(self._by_events(conn, [event_id]), item_schemes.c.label == "yes")).scalars())
        return out

    def scheme_items_without_event(self, scheme_id: int) -> tuple[int, int | None]:
        """(how many items scheme `scheme_id` involves that are in no event, the oldest one's
        time): what a scheme applied to history found where no other scheme formed an event
        (`yuqing reanalyze --since` that time forms them, judging under every scheme)."""
        if scheme_id == 1:
            where = [items.c.relevant == 1]
            source = items
        else:
            where = [item_schemes.c.scheme == scheme_id, item_schemes.c.label == "yes"]
            source = item_schemes.join(items, items.c.seq == item_schemes.c.seq)
        with self.engine.connect() as conn:
            n, oldest = conn.execute(select(func.count(), func.min(items.c.published_ts)).select_from(source)
                                     .where(*where, items.c.event.is_(None), items.c.analyzed_ts.is_not(None),
                                            items.c.duplicate_of.is_(None))).first()
        return n or 0, oldest

    def events_by_scheme(self, event_ids: Iterable[str]) -> dict[int, set[str]]:
        """{scheme (not 1): those of these events with an item it judged relevant}, in one query."""
        ids = list(event_ids)
        out: dict[int, set[str]] = {}
        if not ids:
            return out
        with self.engine.connect() as conn:
            for sid, event in conn.execute(select(item_schemes.c.scheme, items.c.event).distinct()
                                           .join(items, items.c.seq == item_schemes.c.seq)
                                           .where(items.c.event.in_(ids), item_schemes.c.label == "yes")):
                out.setdefault(sid, set()).add(event)
        return out

    # --- applying a scheme to history ---------------------------------------------------------------
    APPLY_CHUNK = 2000

    def apply_rows(self, after: int, limit: int) -> list[dict[str, Any]]:
        """Analysed items after seq `after`, in seq order, with what judging needs."""
        query = (select(items.c.seq, items.c.id, items.c.platform, items.c.source, items.c.title, items.c.text,
                        items.c.text_sc, items.c.published_ts, items.c.flags, items.c.relevance,
                        self._json_text(items.c.analysis, "relevance", "reasons").label("reasons"),
                        self._json_text(items.c.analysis, "error").label("error"))
                 .where(items.c.seq > after, items.c.analyzed_ts.is_not(None)).order_by(items.c.seq).limit(limit))
        with self.engine.connect() as conn:
            return [dict(r._mapping) for r in conn.execute(query)]

    def save_applied(self, scheme: dict[str, Any], after: int, upto: int,
                     judged: Sequence[tuple[dict[str, Any], dict[str, Any]]], done: bool) -> bool:
        """Store one step of applying `scheme` (a row of schemes()) to items (after, upto] and
        move its progress on, in one transaction: a kill -9 keeps the step whole or not at all.
        Return False (nothing written) when the scheme was saved again since the step began."""
        now = int(time.time())
        with self._write() as conn:
            current = conn.execute(select(schemes.c.version, schemes.c.apply_seq).where(schemes.c.id == scheme["id"])).first()
            if current is None or current.version != scheme["version"] or current.apply_seq != after:
                return False
            if scheme["id"] == 1:
                self._apply_primary(conn, judged)
            else:
                conn.execute(delete(item_schemes).where(item_schemes.c.scheme == scheme["id"],
                                                        item_schemes.c.seq > after, item_schemes.c.seq <= upto))
                rows = [{"scheme": scheme["id"], "seq": row["seq"], "label": r["label"],
                         "reasons": orjson.dumps(r["reasons"]).decode(), "ts": row["published_ts"]}
                        for row, r in judged if r["label"] != "no"]
                if rows:
                    conn.execute(insert(item_schemes), rows)
            values: dict[str, Any] = {"apply_seq": upto}
            if done:
                values |= {"applied_version": scheme["version"], "applied_ts": now}
            conn.execute(update(schemes).where(schemes.c.id == scheme["id"]).values(**values))
        return True

    def _apply_primary(self, conn, judged: Sequence[tuple[dict[str, Any], dict[str, Any]]]) -> None:
        """Scheme 1's judgments are the items' own columns and analysis: rewrite those that
        changed; a person's answer stands over the rules (with the rules' new reasons under it)."""
        from sqlalchemy import bindparam

        from .sql import judged_relevance

        people = dict(((r.item_id, (r.label, r.user)) for r in conn.execute(
            select(relevance_judgments.c.item_id, relevance_judgments.c.label, relevance_judgments.c.user)
            .where(relevance_judgments.c.item_id.in_([row["id"] for row, _r in judged])))))
        changed = []
        for row, r in judged:
            if row.get("error"):
                continue                     # analysis failed on it: stays as stored, with its reason
            a = {"relevant": r["label"] == "yes", "relevance": r}
            if row["id"] in people:
                a.update(judged_relevance(a, *people[row["id"]]))
            old = orjson.loads(row["reasons"]) if row.get("reasons") else None
            if a["relevance"]["label"] != row["relevance"] or a["relevance"]["reasons"] != old:
                changed.append({"b_seq": row["seq"], "b_pts": row["published_ts"], "relevant": int(a["relevant"]), "relevance": a["relevance"]["label"],
                                "b_rel": orjson.dumps(a["relevance"]).decode(), "b_yes": "true" if a["relevant"] else "false"})
        if changed:
            conn.execute(update(items).where(items.c.seq == bindparam("b_seq"), items.c.published_ts == bindparam("b_pts")).values(
                relevant=bindparam("relevant"), relevance=bindparam("relevance"),
                analysis=text(self._json_set_sql())), changed)

