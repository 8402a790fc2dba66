"""The REST API under /api for integrations (an OA system, a big screen): the same data and the
same role checks as the pages. A caller sends `Authorization: Bearer <token>` (tokens are made by
an admin on the 用户 page and act as their user), or uses the browser session — then a change
needs the session's CSRF token in `X-CSRF-Token`.
"""

from __future__ import annotations

import hashlib
import hmac
from typing import Any

import orjson
from fastapi import Depends, FastAPI, HTTPException, Query, Request
from pydantic import BaseModel, Field

from ..alerts.users import User, parse_schemes
from ..models import metrics_of
from . import dashboard
from .pages import act_on_case
from .params import Epoch, RowId, Year

ITEM_FIELDS = ("id", "url", "platform", "source", "author", "title", "text", "published_ts", "collected_ts",
               "category", "sentiment", "risk", "relevant", "event", "duplicate_of", "repost_of")


class CaseStep(BaseModel):
    to: str = Field("", description="目标状态：已研判 已上报 处置中 已办结 误报")
    note: str = ""
    response: str = Field("", description="处置措施（到 已办结 时）")
    assignee: str = ""
    department: str = ""


def item_json(row: dict[str, Any], full: bool = False) -> dict[str, Any]:
    out = {k: row.get(k) for k in ITEM_FIELDS}
    if full:
        out["analysis"] = orjson.loads(row["analysis"]) if row.get("analysis") else None
        out["metrics"] = metrics_of(row.get("metrics"))
    return out


def register(app: FastAPI, web) -> None:
    store = web.store

    def api_user(request: Request) -> User:
        auth = request.headers.get("authorization", "")
        if auth.lower().startswith("bearer "):
            name = store.token_user(hashlib.sha256(auth[7:].strip().encode()).hexdigest())
            row = store.get_user(name) if name else None
            if row is None or row["disabled"]:
                raise HTTPException(401, "invalid or revoked token", headers={"WWW-Authenticate": "Bearer"})
            request.state.by_token = True
            return User(row["name"], row["role"], row.get("department"), parse_schemes(row.get("schemes")))
        request.state.by_token = False
        return web.current_user(request)

    def writer(request: Request, user: User = Depends(api_user)) -> User:
        """A change through the session must carry its CSRF token (a token caller has no cookie)."""
        if not request.state.by_token and not hmac.compare_digest(
                request.headers.get("x-csrf-token", ""), request.session.get("csrf") or "-"):
            raise HTTPException(403, "X-CSRF-Token missing or wrong")
        return user

    dep = Depends(api_user)

    def view(request: Request, user: User):
        """The scheme asked for (`?scheme=KEY`, never the browser's last choice), checked."""
        return web.view(request, user, remember=False)

    register_reports(app, web, dep, view)

    @app.get("/api/me", tags=["auth"])
    def me(request: Request, user: User = dep):
        return {"name": user.name, "role": user.role, "department": user.department,
                "schemes": [{"id": r["id"], "key": r["key"], "name": r["name"]} for r in view(request, user).schemes]}

    @app.get("/api/schemes", tags=["schemes"])
    def schemes(request: Request, user: User = dep):
        """The schemes this user may see, with how far each is applied to the stored items."""
        keep = ("id", "key", "name", "owner", "enabled", "version", "applying", "apply_done", "apply_total")
        return {"schemes": [{k: r[k] for k in keep} for r in view(request, user).schemes]}

    @app.get("/api/stats", tags=["overview"])
    def stats(request: Request, user: User = dep):
        """Counts; `scheme=KEY`: what that scheme involves."""
        s = view(request, user).store
        return {**s.stats(), **s.analysis_counts(), **s.event_counts(), **s.alert_counts()}

    @app.get("/api/overview", tags=["overview"])
    def overview(request: Request, user: User = dep):
        """Volume by platform (24 h by hour, 7 d by day), sentiment, rising keywords, towns; `scheme=KEY`."""
        v = view(request, user)
        clock = web.clock()
        o = web.counts.get(("overview", v.key), lambda: dashboard.overview(v.store, clock))
        trends, at = web.trends_of(v).get()
        return {"as_of": clock, "scheme": v.key, "items_24h": o["items_24h"], "items_7d": o["items_7d"],
                "negative_7d": o["negative_7d"], "hours": _series(o["hours"]), "days": _series(o["days"]),
                "trends": trends, "trends_at": at}

    @app.get("/api/items", tags=["items"])
    def items(request: Request, q: str = Query("", description="words, all must occur; A OR B, -A, A* (optional)"),
              scope: str = Query("all", description="yes (涉及本区), possible (疑似), all"),
              sort: str = Query("time", description="time, risk, interactions, heat"),
              limit: int = Query(50, ge=1, le=1000), offset: int = Query(0, ge=0, le=10_000_000), user: User = dep):
        """The information list: filters `since` (24h, 7d), `start`/`end` (YYYY-MM-DD), `platform`,
        `source`, `category`, `sentiment`, `risk`, `place` (a name or a division code), `event`;
        `total` counts every match."""
        from ..store.sql import SCOPES, SORTS
        from .listing import list_query, read_filters

        if scope not in SCOPES or sort not in SORTS:
            raise HTTPException(400, f"scope: {', '.join(SCOPES)}; sort: {', '.join(SORTS)}")
        lq, notes = list_query(read_filters(request, default_scope="all"), web, view(request, user))   # as before scopes
        result = store.browse(lq, limit, offset)
        return {"total": result.total, "offset": offset, "notes": notes + result.notes,
                "items": [item_json(r) for r in result.rows]}

    @app.get("/api/items/{item_id:path}", tags=["items"])
    def item(request: Request, item_id: str, user: User = dep):
        rows = store.get_items([item_id])
        if not rows:
            raise HTTPException(404, "no such item")
        v = view(request, user)
        involved = store.schemes_of_items([item_id])[item_id]
        v.check(involved, "这条信息")
        out = item_json(rows[0], full=True)
        # the other schemes' answers (analysis.schemes, as `yuqing analyze` gives them), by key
        keys = {r["id"]: r["key"] for r in v.schemes}
        labels = store.item_scheme_labels([item_id]).get(item_id, {})
        if out["analysis"] is not None and len(v.schemes) > 1:
            a = out["analysis"]
            out["analysis"]["schemes"] = {keys[sid]: ({"relevant": a["relevant"], "relevance": a.get("relevance")} if sid == 1 else
                                                      {"relevant": labels.get(sid, {}).get("label") == "yes",
                                                       "relevance": labels.get(sid) or {"label": "no", "reasons": []}})
                                          for sid in keys}
        return out

    @app.get("/api/events", tags=["events"])
    def events(request: Request, limit: int = Query(20, ge=1, le=200), since_ts: Epoch = None, user: User = dep):
        """Events hottest first; `scheme=KEY`: that scheme's."""
        return {"events": view(request, user).store.list_events(since_ts, limit)}

    @app.get("/api/events/{event_id}", tags=["events"])
    def event(request: Request, event_id: str, user: User = dep):
        record = store.get_event(event_id)
        if record is None:
            raise HTTPException(404, "no such event")
        view(request, user).check(store.schemes_of_event(record["id"]), "这个事件")
        return record

    @app.get("/api/alerts", tags=["alerts"])
    def alerts(request: Request, limit: int = Query(50, ge=1, le=500), level: str | None = None,
               state: str | None = Query(None, description="a case state, or open"), user: User = dep):
        """The alert inbox; `scheme=KEY`: the alerts of that scheme's rules."""
        return {"alerts": view(request, user).store.list_alerts(limit, level=level, state=state)}

    def case_scheme(case_id: int):
        found = store.get_case(case_id)
        if found is None:
            raise HTTPException(404, "no such case")
        alert = store.get_alert(found["alert_id"])
        return found, [alert.get("scheme") if alert else None]

    @app.get("/api/cases/{case_id}", tags=["cases"])
    def case(request: Request, case_id: RowId, user: User = dep):
        found, schemes = case_scheme(case_id)
        view(request, user).check(schemes, "这个工单")
        return {**found, "log": store.case_log(case_id)}

    @app.post("/api/cases/{case_id}", tags=["cases"])
    def case_step(request: Request, case_id: RowId, step: CaseStep, user: User = Depends(writer)):
        """Take a workflow step, assign, or add a note — as the token's (or session's) user."""
        _found, schemes = case_scheme(case_id)
        view(request, user).check(schemes, "这个工单")
        act_on_case(store, case_id, user, **step.model_dump())
        return {**store.get_case(case_id), "log": store.case_log(case_id)}


def register_reports(app: FastAPI, web, dep, view) -> None:
    """Reports and the self-evaluation for integrations (an OA system files the 日报 itself)."""
    from fastapi.responses import Response

    store = web.store

    @app.get("/api/reports", tags=["reports"])
    def reports(request: Request, limit: int = Query(50, ge=1, le=500), kind: str | None = None, user: User = dep):
        """Reports newest first; `scheme=KEY`: that scheme's."""
        return {"reports": view(request, user).store.list_reports(limit, kind)}

    @app.get("/api/reports/{report_id:int}", tags=["reports"])
    def report(request: Request, report_id: RowId, user: User = dep):
        found = store.get_report(report_id)
        if found is None:
            raise HTTPException(404, "no such report")
        view(request, user).check([found.get("scheme")], "这份报告")
        return found

    @app.get("/api/reports/{report_id:int}.{fmt}", tags=["reports"])
    def report_file(request: Request, report_id: RowId, fmt: str, user: User = dep):
        from ..reports.render import FORMATS, render_kept

        found = store.get_report(report_id)
        if found is None or fmt not in FORMATS:
            raise HTTPException(404, "no such report or format (docx, html, pdf)")
        view(request, user).check([found.get("scheme")], "这份报告")
        store.audit(user.name, "report.download", f"report {report_id}", f"{fmt} (api)")
        return Response(render_kept(found, fmt, web.settings.web_base_url), media_type=FORMATS[fmt])

    @app.get("/api/kpi", tags=["reports"])
    def kpi(request: Request, year: Year, user: User = dep):
        """绩效自评 of a year; `scheme=KEY`: that scheme's (its own audit sample and notes)."""
        from zoneinfo import ZoneInfo

        from ..reports.kpi import evaluate, kpi_label, year_period

        v = view(request, user)
        start, end = year_period(year, ZoneInfo(web.settings.timezone))
        label = kpi_label(str(year), v.scheme)
        return evaluate(v.store, start, end, label, sla_minutes=web.settings.case_sla_minutes)


def _series(option: dict[str, Any]) -> dict[str, Any]:
    """A chart's data without its styling: {x: [...], platform: [...]}."""
    return {"x": option["xAxis"]["data"], **{s["name"]: s["data"] for s in option["series"]}}
