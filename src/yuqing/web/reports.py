"""Report pages: make a period report or an event's 专报, read it, edit its 研判与建议, issue it
(签发), download DOCX/HTML/PDF, and give feedback (the satisfaction the self-evaluation counts)."""

from __future__ import annotations

import base64
from datetime import date, datetime
from urllib.parse import quote
from zoneinfo import ZoneInfo

from fastapi import Depends, FastAPI, Form, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from ..alerts.users import User
from .params import RowId
from ..reports.build import DRAFT_NOTE, KINDS, last_complete, statement


def register(app: FastAPI, web) -> None:
    store = web.store
    user_dep = Depends(web.current_user)

    @app.get("/reports", response_class=HTMLResponse)
    def reports_page(request: Request, user: User = user_dep):
        tz = ZoneInfo(web.settings.timezone)
        default_day = last_complete("daily", datetime.fromtimestamp(web.clock(), tz) if web.clock() else datetime.now(tz))
        view = web.view(request, user)
        return web.page(request, "reports.html", user, reports=view.store.list_reports(200), kinds=KINDS, view=view,
                        default_day=default_day.isoformat())

    @app.post("/reports")
    def make(request: Request, csrf: str = Form(""), kind: str = Form(...), day: str = Form(""), event: str = Form(""),
             user: User = Depends(web.allowed("report.make"))):
        from ..reports.make import make_report

        web.check_csrf(request, csrf)
        if kind not in KINDS:
            raise HTTPException(400, f"报告类型：{', '.join(KINDS)}")
        the_day = None
        if kind not in ("special", "brief"):       # a 简报 is made of the picks (/picks), a 专报 of an event
            try:
                the_day = date.fromisoformat(day)
            except ValueError:
                raise HTTPException(400, f"日期 {day!r} 应为 YYYY-MM-DD") from None
        view = web.view(request, user)
        if view.scheme is None and user.schemes is not None:
            raise HTTPException(403, "无权限：请先选择一个方案")
        if event:
            view.check(store.schemes_of_event(event), "这个事件")
        try:
            # made for the scheme in view (its items, events and numbering); the whole store's is scheme 1's
            report_id = make_report(view.store, web.settings, kind, user.name, the_day, event or None)
        except (KeyError, ValueError) as exc:
            raise HTTPException(404 if isinstance(exc, KeyError) else 400, str(exc.args[0] if exc.args else exc)) from None
        return RedirectResponse(f"/reports/{report_id}", status_code=303)

    def get(report_id: int, request: Request | None = None, user: User | None = None) -> dict:
        report = store.get_report(report_id)
        if report is None:
            raise HTTPException(404, "没有这份报告")
        if user is not None:
            web.view(request, user).check([report.get("scheme")], "这份报告")
        return report

    @app.get("/reports/{report_id:int}", response_class=HTMLResponse)
    def report_page(request: Request, report_id: RowId, user: User = user_dep):
        from ..reports.charts import render_chart

        report = get(report_id, request, user)
        ratings = [f for f in store.feedback() if f["report_id"] == report_id]
        return web.page(request, "report.html", user, rep=report, r=report["data"], ratings=ratings,
                        chart_png=lambda c: base64.b64encode(render_chart(c)).decode(),
                        can_issue=user.role in ("leader", "admin"))

    @app.get("/reports/{report_id:int}.{fmt}")
    def download(request: Request, report_id: RowId, fmt: str, user: User = user_dep):
        from ..reports.render import FORMATS, file_stem, render_kept

        if fmt not in FORMATS:
            raise HTTPException(404, "格式只有 docx、html 与 pdf")
        report = get(report_id, request, user)
        body = render_kept(report, fmt, web.settings.web_base_url)
        store.audit(user.name, "report.download", f"report {report_id}", fmt)
        name = f"{file_stem(report['data'], report_id)}.{fmt}"
        return Response(body, media_type=FORMATS[fmt], headers={
            "Content-Disposition": f"attachment; filename=report-{report_id}.{fmt}; filename*=UTF-8''{quote(name)}"})

    @app.post("/reports/{report_id:int}/edit")
    def edit(request: Request, report_id: RowId, csrf: str = Form(""), text: str = Form(""), action: str = Form("save"),
             user: User = Depends(web.allowed("report.edit"))):
        from ..alerts.users import PermissionDenied, require

        web.check_csrf(request, csrf)
        report = get(report_id, request, user)
        if report["issued_ts"]:
            raise HTTPException(409, "报告已签发，不能再修改")
        if action == "issue":
            try:
                require(user, "report.issue")
            except PermissionDenied as exc:
                raise HTTPException(403, f"无权限：{exc}") from None
        data = report["data"]
        from ..reports.render import xml_safe

        lines = [xml_safe(line).strip() for line in text.splitlines() if xml_safe(line).strip()]
        for section in data["sections"]:
            if section.get("editable"):
                section["statements"] = [statement(line) for line in lines]
                section["edited_by"] = user.name
        if action == "issue":          # the draft note goes; what the analyst kept is issued
            for section in data["sections"]:
                if section.get("editable"):
                    section["statements"] = [st for st in section["statements"] if st["text"] != DRAFT_NOTE]
        store.update_report(report_id, data, user.name, issue=action == "issue")
        return RedirectResponse(f"/reports/{report_id}", status_code=303)

    @app.post("/reports/{report_id:int}/feedback")
    def feedback(request: Request, report_id: RowId, csrf: str = Form(""), rating: int = Form(...),
                 comment: str = Form(""),
                 user: User = user_dep):
        web.check_csrf(request, csrf)
        get(report_id, request, user)
        try:
            store.add_feedback(report_id, user.name, rating, comment.strip() or None)
        except ValueError as exc:
            raise HTTPException(400, str(exc)) from None
        return RedirectResponse(f"/reports/{report_id}", status_code=303)
