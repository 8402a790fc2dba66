"""`create_app(settings, store)`: the FastAPI application — login, the layout, the first pages.

Sessions are signed cookies (the key is `web_secret_key`, or a random key kept in
`yuqing.secret` beside the config); every form carries a per-session CSRF token; failed logins
are throttled per user and address; scraped text is only ever rendered through Jinja2's
autoescaping. Role checks are the library's (alerts/users.py), not only the routes'.
"""

from __future__ import annotations

import hmac
import os
import secrets
import time
from collections import defaultdict, deque
from datetime import datetime
from importlib import resources
from pathlib import Path
from typing import Any

from fastapi import Depends, FastAPI, Form, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse
from fastapi.templating import Jinja2Templates
from starlette.middleware.sessions import SessionMiddleware

from ..alerts.users import User, verify_password
from ..models import BEIJING
from ..settings import Settings

LOGIN_FAILURES = 5            # per user and address within LOGIN_WINDOW_S, then 429
LOGIN_WINDOW_S = 15 * 60


def highlight(text: str | None, terms: list[str]):
    """Escape the text, then mark the search terms (the marks are ours; the text stays escaped)."""
    import re

    from markupsafe import Markup, escape

    out = str(escape(text or ""))
    for term in sorted({str(escape(t)) for t in terms if t}, key=len, reverse=True):
        out = re.sub(re.escape(term), lambda m: f"<mark>{m.group(0)}</mark>", out)
    return Markup(out)


class NotLoggedIn(Exception):
    pass


def secret_key(settings: Settings) -> str:
    """The session key: the setting, else a random key kept (0600) in `yuqing.secret`."""
    if settings.web_secret_key:
        return settings.web_secret_key
    path = Path(settings.base_dir) / "yuqing.secret"
    if not path.exists():
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as f:
            f.write(secrets.token_urlsafe(48))
    return path.read_text().strip()


def create_app(settings: Settings, store) -> FastAPI:
    app = FastAPI(title="yuqing", docs_url="/api/docs", openapi_url="/api/openapi.json", redoc_url=None)
    app.add_middleware(SessionMiddleware, secret_key=secret_key(settings), session_cookie="yuqing_session",
                       same_site="strict", https_only=settings.web_secure_cookies, max_age=12 * 3600)
    templates = Jinja2Templates(directory=str(resources.files("yuqing").joinpath("web/templates")))
    templates.env.filters["highlight"] = highlight
    templates.env.filters["when"] = lambda ts: datetime.fromtimestamp(ts, BEIJING).strftime("%m-%d %H:%M") if ts else ""
    failures: dict[tuple[str, str], deque] = defaultdict(deque)

    def current_user(request: Request) -> User:
        name = request.session.get("user")
        row = store.get_user(name) if name else None
        if row is None or row["disabled"]:
            raise NotLoggedIn()
        return User(row["name"], row["role"], row.get("department"))

    def csrf_token(request: Request) -> str:
        if "csrf" not in request.session:
            request.session["csrf"] = secrets.token_urlsafe(32)
        return request.session["csrf"]

    def check_csrf(request: Request, token: str) -> None:
        if not hmac.compare_digest(token or "", request.session.get("csrf") or "-"):
            raise HTTPException(403, "表单已过期或来源不明（CSRF），请刷新页面后重试")

    def page(request: Request, name: str, user: User | None, **context: Any) -> HTMLResponse:
        return templates.TemplateResponse(request, name, {"user": user, "csrf": csrf_token(request), **context})

    @app.exception_handler(NotLoggedIn)
    async def to_login(request: Request, _exc: NotLoggedIn):
        if request.url.path.startswith("/api/"):
            return HTMLResponse("login required", status_code=401)
        return RedirectResponse(f"/login?next={request.url.path}", status_code=303)

    @app.get("/login", response_class=HTMLResponse)
    def login_form(request: Request, next: str = "/"):
        return page(request, "login.html", None, next=next if next.startswith("/") else "/", error=None)

    @app.post("/login")
    def login(request: Request, name: str = Form(...), password: str = Form(...), csrf: str = Form(""),
              next: str = Form("/")):
        check_csrf(request, csrf)
        key = (name, request.client.host if request.client else "?")
        recent = failures[key]
        while recent and time.time() - recent[0] > LOGIN_WINDOW_S:
            recent.popleft()
        if len(recent) >= LOGIN_FAILURES:
            store.audit(name, "login.throttled", request.url.path)
            raise HTTPException(429, "登录失败次数过多，请 15 分钟后再试")
        row = store.get_user(name)
        if row is None or row["disabled"] or not verify_password(password, row["password_hash"]):
            recent.append(time.time())
            store.audit(name, "login.failed", key[1])
            return page(request, "login.html", None, next=next, error="用户名或密码错误")
        recent.clear()
        request.session.clear()
        request.session["user"] = name
        store.audit(name, "login", key[1])
        return RedirectResponse(next if next.startswith("/") and not next.startswith("//") else "/", status_code=303)

    @app.post("/logout")
    def logout(request: Request, csrf: str = Form(""), user: User = Depends(current_user)):
        check_csrf(request, csrf)
        request.session.clear()
        return RedirectResponse("/login", status_code=303)

    @app.get("/", response_class=HTMLResponse)
    def overview(request: Request, user: User = Depends(current_user)):
        stats = store.stats()
        counts = store.analysis_counts()
        return page(request, "overview.html", user, stats=stats, counts=counts,
                    events=store.list_events(None, 10), alerts=store.list_alerts(10))

    @app.get("/events", response_class=HTMLResponse)
    def events(request: Request, user: User = Depends(current_user)):
        return page(request, "events.html", user, events=store.list_events(None, 50))

    @app.get("/alerts", response_class=HTMLResponse)
    def alerts(request: Request, user: User = Depends(current_user)):
        return page(request, "alerts.html", user, alerts=store.list_alerts(100))

    @app.get("/events/{event_id}", response_class=HTMLResponse)
    def event_page(request: Request, event_id: str, user: User = Depends(current_user)):
        record = store.get_event(event_id)
        if record is None:
            raise HTTPException(404, "没有这个事件")
        items = store.event_items([record["id"]]).get(record["id"], [])
        originals = [r for r in items if not r.get("repost_of")][:50]
        return page(request, "event.html", user, e=record, items=originals, reposts=len(items) - len(originals))

    @app.get("/items/{item_id:path}", response_class=HTMLResponse)
    def item_page(request: Request, item_id: str, user: User = Depends(current_user)):
        import orjson

        rows = store.get_items([item_id])
        if not rows:
            raise HTTPException(404, "没有这条信息")
        item = rows[0]
        analysis = orjson.loads(item["analysis"]) if item.get("analysis") else None
        original = store.get_items([item["duplicate_of"]])[0] if item.get("duplicate_of") else None
        return page(request, "item.html", user, it=item, a=analysis, copies=store.copies_of(item_id),
                    original=original, metrics=orjson.loads(item["metrics"]) if item.get("metrics") else {})

    @app.get("/cases/{case_id}", response_class=HTMLResponse)
    def case_page(request: Request, case_id: int, user: User = Depends(current_user), error: str | None = None):
        from ..alerts.cases import TRANSITIONS

        case = store.get_case(case_id)
        if case is None:
            raise HTTPException(404, "没有这个工单")
        alert = store.get_alert(case["alert_id"])
        steps = [to for (frm, to), roles in TRANSITIONS.items() if frm == case["state"] and user.role in roles]
        return page(request, "case.html", user, case=case, alert=alert, log=store.case_log(case_id), steps=steps,
                    can_assign=user.role in ("leader", "admin"), error=error)

    @app.post("/cases/{case_id}")
    def case_action(request: Request, case_id: int, csrf: str = Form(""), to: str = Form(""), note: str = Form(""),
                    response: str = Form(""), assignee: str = Form(""), department: str = Form(""),
                    user: User = Depends(current_user)):
        from ..alerts import cases as workflow
        from ..alerts.users import PermissionDenied

        check_csrf(request, csrf)
        try:
            if assignee or department:
                workflow.assign(store, case_id, user, assignee or None, department or None)
            if to:
                workflow.transition(store, case_id, to, user, note=note or None, response=response or None)
            elif note:
                workflow.add_note(store, case_id, user, note)
        except PermissionDenied as exc:
            raise HTTPException(403, str(exc)) from None
        except workflow.CaseError as exc:
            raise HTTPException(409, str(exc)) from None
        return RedirectResponse(f"/cases/{case_id}", status_code=303)

    def search_rows(q: str, since: str, platform: str, category: str, sentiment: str, risk: str, event: str,
                    limit: int) -> list[dict[str, Any]]:
        from datetime import timedelta, timezone

        start = None
        if since:
            from ..collect import parse_duration
            from ..settings import SettingsError

            try:
                start = datetime.now(timezone.utc) - timedelta(seconds=parse_duration(since))
            except SettingsError:
                raise HTTPException(400, f"时间范围 {since!r} 无法识别（如 24h、7d）") from None
        hits = store.search(q, since=start, platform=platform or None, limit=limit,
                            filters={"category": category, "sentiment": sentiment, "risk": risk, "event": event})
        rows = {r["id"]: r for r in store.get_items(h.id for h in hits)}
        return [rows[h.id] for h in hits if h.id in rows]

    FILTERS = ("q", "since", "platform", "category", "sentiment", "risk", "event")

    @app.get("/search", response_class=HTMLResponse)
    def search(request: Request, q: str = "", since: str = "", platform: str = "", category: str = "",
               sentiment: str = "", risk: str = "", event: str = "", user: User = Depends(current_user)):
        from urllib.parse import urlencode

        from ..analysis.category import CATEGORIES

        rows = search_rows(q, since, platform, category, sentiment, risk, event, 100) if q.strip() else []
        terms = [t for t in q.split() if t]
        query = urlencode({k: v for k, v in zip(FILTERS, (q, since, platform, category, sentiment, risk, event)) if v})
        return page(request, "search.html", user, rows=rows, terms=terms, query=query, categories=CATEGORIES,
                    f=dict(zip(FILTERS, (q, since, platform, category, sentiment, risk, event))))

    @app.get("/search/export.{fmt}")
    def export(fmt: str, q: str = "", since: str = "", platform: str = "", category: str = "", sentiment: str = "",
               risk: str = "", event: str = "", user: User = Depends(current_user)):
        from .export import export_response

        if fmt not in ("csv", "xlsx"):
            raise HTTPException(404, "导出格式只有 csv 与 xlsx")
        rows = search_rows(q, since, platform, category, sentiment, risk, event, 10_000) if q.strip() else []
        store.audit(user.name, "export", f"search {q!r}", f"{len(rows)} items as {fmt}")
        return export_response(rows, fmt)

    @app.get("/api/events")
    def api_events(limit: int = 20, user: User = Depends(current_user)):
        return {"events": store.list_events(None, min(limit, 200))}

    return app
