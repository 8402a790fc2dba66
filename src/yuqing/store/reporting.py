"""The store's side of reports: the built report (its data; files are rendered from it) and the
feedback readers give. Mixed into Store (sql.py); SQLAlchemy Core only."""

from __future__ import annotations

import time
from typing import Any, Mapping

import orjson
from sqlalchemy import case, func, select, update

from .schema import audit_log, coverage_audit, items, kpi_notes, report_feedback, reports


class ReportingStore:
    engine: Any
    scheme_id: int | None = None

    def _mine(self):  # pragma: no cover - provided by Store
        raise NotImplementedError

    def _write(self):  # pragma: no cover - provided by Store
        raise NotImplementedError

    def add_report(self, data: Mapping[str, Any], by: str) -> int:
        with self._write() as conn:
            report_id = conn.execute(reports.insert().values(
                kind=data["kind"], title=data["title"], period_start=data.get("period", {}).get("start_ts"),
                period_end=data.get("period", {}).get("end_ts"), event=data.get("event"),
                data=orjson.dumps(data).decode(), created_ts=int(time.time()), created_by=by,
                scheme=None if self.scheme_id in (None, 1) else int(self.scheme_id))).inserted_primary_key[0]
            conn.execute(audit_log.insert().values(ts=time.time(), user=by, action="report.make",
                                                   target=f"report {report_id}", detail=data["title"]))
        return report_id

    def get_report(self, report_id: int) -> dict[str, Any] | None:
        with self.engine.connect() as conn:
            row = conn.execute(select(reports).where(reports.c.id == report_id)).first()
        if row is None:
            return None
        out = dict(row._mapping)
        out["data"] = orjson.loads(out["data"])
        return out

    def list_reports(self, limit: int = 100, kind: str | None = None) -> list[dict[str, Any]]:
        cols = [c for c in reports.c if c.name != "data"]
        query = select(*cols).order_by(reports.c.created_ts.desc(), reports.c.id.desc()).limit(limit)
        if self.scheme_id is not None:
            query = query.where(_report_of(self.scheme_id))
        if kind:
            query = query.where(reports.c.kind == kind)
        with self.engine.connect() as conn:
            return [dict(r._mapping) for r in conn.execute(query)]

    def find_report(self, kind: str, start_ts: int, end_ts: int) -> dict[str, Any] | None:
        """The report already made for this period (the scheduler makes each one once)."""
        with self.engine.connect() as conn:
            row = conn.execute(select(reports.c.id).where(reports.c.kind == kind, reports.c.period_start == start_ts,
                                                          reports.c.period_end == end_ts, _report_of(self.scheme_id))
                               .limit(1)).first()
        return self.get_report(row.id) if row else None

    def update_report(self, report_id: int, data: Mapping[str, Any], by: str, issue: bool = False) -> bool:
        """Save the analyst's edits (the 研判与建议 text); `issue` makes it final (签发)."""
        values: dict[str, Any] = {"data": orjson.dumps(data).decode(), "title": data["title"]}
        if issue:
            values.update(issued_ts=int(time.time()), issued_by=by)
        with self._write() as conn:
            n = conn.execute(update(reports).where(reports.c.id == report_id, reports.c.issued_ts.is_(None))
                             .values(**values)).rowcount
            if n:
                conn.execute(audit_log.insert().values(ts=time.time(), user=by, action="report.issue" if issue else "report.edit",
                                                       target=f"report {report_id}"))
        return bool(n)

    def add_feedback(self, report_id: int, user: str, rating: int, comment: str | None = None) -> None:
        if not 1 <= int(rating) <= 5:
            raise ValueError("评分为 1 到 5")
        with self._write() as conn:
            conn.execute(report_feedback.insert().values(report_id=report_id, user=user, rating=int(rating),
                                                         comment=comment, ts=int(time.time())))

    def feedback(self, start_ts: int | None = None, end_ts: int | None = None) -> list[dict[str, Any]]:
        query = select(report_feedback)
        if start_ts is not None:
            query = query.where(report_feedback.c.ts >= start_ts)
        if end_ts is not None:
            query = query.where(report_feedback.c.ts < end_ts)
        with self.engine.connect() as conn:
            return [dict(r._mapping) for r in conn.execute(query.order_by(report_feedback.c.id))]

    def collected_before(self, ts: int) -> bool:
        """Whether the store holds anything collected before `ts` (was it watching then?)."""
        with self.engine.connect() as conn:
            return conn.execute(select(items.c.seq).where(items.c.collected_ts < ts).limit(1)).first() is not None

    def report_counts(self) -> dict[str, Any]:
        with self.engine.connect() as conn:
            mine = [_report_of(self.scheme_id)] if self.scheme_id is not None else []
            by_kind = dict(conn.execute(select(reports.c.kind, func.count()).where(*mine).group_by(reports.c.kind)).all())
        return {"reports": sum(by_kind.values()), "reports_by_kind": by_kind}

    # --- the self-evaluation ---------------------------------------------------------------------
    def draw_coverage_sample(self, sample: str, start_ts: int, end_ts: int, n: int, seed: int) -> int:
        """Draw `n` items at random (seeded: the draw can be repeated) from those the scheme judged
        not relevant in [start, end), for analysts to check; return how many were drawn."""
        import random

        with self.engine.connect() as conn:
            ids = list(conn.execute(select(items.c.id).where(items.c.published_ts >= start_ts, items.c.published_ts < end_ts,
                                                             items.c.relevant.is_not(None), ~self._mine(),
                                                             items.c.duplicate_of.is_(None))
                                    .order_by(items.c.seq)).scalars())
        picked = random.Random(seed).sample(ids, min(n, len(ids)))
        now = int(time.time())
        with self._write() as conn:
            conn.execute(self._insert_ignore(coverage_audit),
                         [{"sample": sample, "item_id": i, "drawn_ts": now} for i in picked])
        return len(picked)

    def coverage_sample(self, sample: str) -> list[dict[str, Any]]:
        query = (select(coverage_audit, items.c.title, items.c.text, items.c.platform, items.c.source, items.c.published_ts)
                 .join(items, items.c.id == coverage_audit.c.item_id, isouter=True)
                 .where(coverage_audit.c.sample == sample).order_by(coverage_audit.c.id))
        with self.engine.connect() as conn:
            return [dict(r._mapping) for r in conn.execute(query)]

    def judge_coverage(self, audit_id: int, involves: bool, by: str) -> None:
        with self._write() as conn:
            conn.execute(update(coverage_audit).where(coverage_audit.c.id == audit_id)
                         .values(involves=int(bool(involves)), judged_by=by, judged_ts=int(time.time())))

    def coverage_samples(self) -> list[str]:
        with self.engine.connect() as conn:
            return list(conn.execute(select(coverage_audit.c.sample).distinct().order_by(coverage_audit.c.sample)).scalars())

    def set_kpi_note(self, period: str, indicator: str, text: str | None, score: float | None, by: str) -> None:
        with self._write() as conn:
            conn.execute(kpi_notes.delete().where(kpi_notes.c.period == period, kpi_notes.c.indicator == indicator))
            conn.execute(kpi_notes.insert().values(period=period, indicator=indicator, text=text, score=score, by=by,
                                                   ts=int(time.time())))

    def kpi_notes(self, period: str) -> dict[str, dict[str, Any]]:
        with self.engine.connect() as conn:
            return {r.indicator: dict(r._mapping) for r in conn.execute(select(kpi_notes).where(kpi_notes.c.period == period))}

    def count_relevance(self, start_ts: int, end_ts: int) -> dict[str, int]:
        """Originals published in [start, end) the scheme judged relevant and not relevant."""
        mine = case((self._mine(), 1), else_=0)
        with self.engine.connect() as conn:
            total, relevant = conn.execute(select(func.count(), func.sum(mine)).where(
                items.c.published_ts >= start_ts, items.c.published_ts < end_ts, items.c.duplicate_of.is_(None),
                items.c.relevant.is_not(None))).first()
        return {"relevant": relevant or 0, "rejected": total - (relevant or 0)}


def _report_of(scheme: int | None):
    """Reports made for this scheme (scheme 1's are stored with NULL, as before schemes)."""
    return reports.c.scheme.is_(None) if scheme in (None, 1) else reports.c.scheme == int(scheme)
