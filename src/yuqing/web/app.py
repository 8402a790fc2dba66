"""`create_app(settings, store)`: the FastAPI application — sessions, login, security headers,
static files; the pages (pages.py, admin.py) and the REST API (api.py) register on it.

Sessions are signed cookies (the key is `web_secret_key`, or a random key kept in
`yuqing.secret` beside the config); every form carries a per-session CSRF token; failed logins
are throttled per user and address; scraped text is only ever rendered through Jinja2's
autoescaping, and the Content-Security-Policy allows scripts from this server only. Role checks
are the library's (alerts/users.py), not only the routes'.
"""

from __future__ import annotations

import hmac
import logging
import os
import re
import secrets
import time
from dataclasses import dataclass, field
from datetime import datetime
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

from fastapi import Depends, FastAPI, Form, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from markupsafe import Markup, escape
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.middleware.sessions import SessionMiddleware

from ..alerts.users import (PermissionDenied, User, hash_password, may_see, parse_schemes, require, require_scheme,
                            scheme_in_view, verify_password)
from ..labels import zh
from ..models import BEIJING, utc_datetime
from ..settings import Settings
from .dashboard import Background, TTLCache

log = logging.getLogger(__name__)

LOGIN_FAILURES = 5            # per user and address within LOGIN_WINDOW_S, then 429
LOGIN_WINDOW_S = 15 * 60
SESSION_MAX_AGE_S = 12 * 3600
ROLE_NAMES = {"analyst": "分析员", "leader": "领导", "admin": "管理员"}

# Scripts only from this server; the JSON data islands charts read are not scripts. Styles may be
# inline (ECharts sets element styles). The API docs page (Swagger UI) needs its inline starter.
CSP = ("default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
       "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'")
CSP_DOCS = CSP.replace("script-src 'self'", "script-src 'self' 'unsafe-inline'")


def highlight(text: str | None, terms: list[str]):
    """Escape the text, then mark the search terms (the marks are ours; the text stays escaped)."""
    out = str(escape(text or ""))
    for term in sorted({str(escape(t)) for t in terms if t}, key=len, reverse=True):
        out = re.sub(re.escape(term), lambda m: f"<mark>{m.group(0)}</mark>", out)
    return Markup(out)


def safe_url(url: str | None) -> str | None:
    """Only http(s) links are rendered as links (no javascript:, data: or relative tricks)."""
    return url if url and re.match(r"(?i)^https?://[^\s\"'<>]+$", url) else None


class NotLoggedIn(Exception):
    pass


@cache
def dummy_hash() -> str:
    """A password hash of nobody's password, verified for an unknown user (constant-time login)."""
    return hash_password(secrets.token_urlsafe(16))


def secret_key(settings: Settings) -> str:
    """The session key: the setting, else a random key kept (0600) in `yuqing.secret`."""
    if settings.web_secret_key:
        return settings.web_secret_key
    path = Path(settings.base_dir) / "yuqing.secret"
    if not path.exists():
        # written whole under a temporary name, then linked into place: a second server process
        # starting at the same moment either wins or reads the winner's key, never half a key
        tmp = path.with_name(f".yuqing.secret.{os.getpid()}")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as f:
            f.write(secrets.token_urlsafe(48))
        try:
            os.link(tmp, path)
        except FileExistsError:
            pass
        finally:
            tmp.unlink(missing_ok=True)
    return path.read_text().strip()


def static_dir() -> Path:
    return Path(str(resources.files("yuqing").joinpath("web/static")))


def has_wordcloud() -> bool:
    """Whether the echarts-wordcloud extension is installed beside ECharts (make assets)."""
    return (static_dir() / "vendor" / "echarts-wordcloud.min.js").exists()


def has_vendor() -> bool:
    """Whether `make assets` put ECharts and htmx in place (without them pages show tables only)."""
    return (static_dir() / "vendor" / "echarts.min.js").exists()


@dataclass
class View:
    """What a page shows: the store seen by the scheme in view (or the whole store), that
    scheme, and every scheme the user may switch to."""

    store: Any
    scheme: dict | None                 # None: the store as a whole (全部方案)
    schemes: list[dict]
    user: User

    @property
    def sid(self) -> int:
        """Whose judgments the lists' 涉及/疑似 read (the whole store's are scheme 1's)."""
        return self.scheme["id"] if self.scheme else 1

    @property
    def within(self) -> tuple[int, ...]:
        return self.user.schemes or ()

    @property
    def key(self) -> str:
        return self.scheme["key"] if self.scheme else "all"

    def check(self, schemes, what: str = "这条内容") -> None:
        """403 unless the user may see something of these schemes (the library's check)."""
        try:
            require_scheme(self.user, schemes, what)
        except PermissionDenied as exc:
            raise HTTPException(403, f"无权限：{exc}") from None


@dataclass
class Web:
    """What every route module needs: the store, settings, templates and the auth helpers."""

    settings: Settings
    store: Any
    templates: Jinja2Templates
    trends: Background = field(init=False)
    counts: TTLCache = field(init=False)

    def clock(self) -> float:
        from ..pipeline import stream_clock

        return stream_clock(self.store)

    def current_user(self, request: Request) -> User:
        sid = request.session.get("sid")
        name = self.store.session_user(sid, SESSION_MAX_AGE_S) if isinstance(sid, str) else None
        row = self.store.get_user(name) if name else None
        if row is None or row["disabled"]:
            raise NotLoggedIn()
        return User(row["name"], row["role"], row.get("department"), parse_schemes(row.get("schemes")))

    def view(self, request: Request, user: User, remember: bool = True) -> View:
        """The scheme in view: `?scheme=KEY` (kept in the session for the next pages; `all` is the
        whole store), else the one kept, else the whole store — or, for a user limited to some
        schemes, the first of theirs. A scheme the user may not see is a 403."""
        if getattr(request.state, "view", None) is not None:
            return request.state.view
        rows = self.store.schemes()
        by_ref = {r["key"]: r for r in rows} | {str(r["id"]): r for r in rows}
        asked = request.query_params.get("scheme")
        if asked is not None:
            if asked not in ("", "all") and asked not in by_ref:
                raise HTTPException(404, f"没有方案「{asked[:40]}」")
        elif remember:
            asked = request.session.get("scheme")
            if asked not in by_ref:
                asked = None
        requested = by_ref[asked]["id"] if asked in by_ref else None
        try:
            sid = scheme_in_view(user, requested, [r["id"] for r in rows]) if rows else None
        except PermissionDenied as exc:
            raise HTTPException(403, f"无权限：{exc}") from None
        if remember and request.query_params.get("scheme") is not None:
            request.session["scheme"] = request.query_params["scheme"]    # kept only once allowed
        row = next((r for r in rows if r["id"] == sid), None)
        view = View(self.store.scoped(sid) if sid is not None else self.store, row,
                    [r for r in rows if may_see(user, [r["id"]])], user)
        request.state.view = view
        return view

    def allowed(self, action: str):
        """A dependency: the logged-in user, who must be allowed `action` (else 403)."""
        def dep(request: Request) -> User:
            user = self.current_user(request)
            try:
                require(user, action)
            except PermissionDenied as exc:
                raise HTTPException(403, f"无权限：{exc}") from None
            return user
        return dep

    @staticmethod
    def csrf_token(request: Request) -> str:
        if "csrf" not in request.session:
            request.session["csrf"] = secrets.token_urlsafe(32)
        return request.session["csrf"]

    @staticmethod
    def check_csrf(request: Request, token: str) -> None:
        if not hmac.compare_digest(token or "", request.session.get("csrf") or "-"):
            raise HTTPException(403, "表单已过期或来源不明（CSRF），请刷新页面后重试")

    def page(self, request: Request, name: str, user: User | None, **context: Any) -> HTMLResponse:
        notice = request.session.pop("notice", None) if user else None
        if user is not None and "view" not in context:
            context["view"] = self.view(request, user)
        return self.templates.TemplateResponse(
            request, name, {"user": user, "csrf": self.csrf_token(request), "roles": ROLE_NAMES, "now_ts": time.time(),
                            "charts_ok": self.charts_ok, "wordcloud_ok": self.wordcloud_ok, "here": request.url.path,
                            "notice": notice, **context})

    @staticmethod
    def flash(request: Request, text: str) -> None:
        """A line the next page shows once (what a bulk action did); not secret, so in the session cookie."""
        request.session["notice"] = text[:300]

    charts_ok: bool = False
    wordcloud_ok: bool = False
    _scheme_trends: dict = field(default_factory=dict)

    def trends_of(self, view: View) -> Background:
        """The overview's trends for the scheme in view (the whole store's: web.trends)."""
        if view.scheme is None:
            return self.trends
        sid = view.scheme["id"]
        if sid not in self._scheme_trends:
            from ..reports.make import scheme_region
            from .dashboard import trends

            scoped = view.store
            region = scheme_region(scoped, self.settings)
            self._scheme_trends[sid] = Background(lambda: trends(scoped, self.clock(), region), ttl_s=300)
        return self._scheme_trends[sid]


def app_from_config() -> FastAPI:
    """The app for `yuqing serve --workers N`: each server process opens the store named by the
    config in YUQING_CONFIG."""
    from ..settings import load_settings
    from ..store import open_store

    settings = load_settings()
    return create_app(settings, open_store(settings.database_url, migrate=False))


def when(ts) -> str:
    """A list's time: 11-28 09:15 this year, 2019-02-28 11:25 another (lists mix years)."""
    if not ts:
        return ""
    at = utc_datetime(ts).astimezone(BEIJING)
    return at.strftime("%m-%d %H:%M") if at.year == datetime.now(BEIJING).year else at.strftime("%Y-%m-%d %H:%M")


def create_app(settings: Settings, store) -> FastAPI:
    from . import admin, api, listing, pages, reports

    app = FastAPI(title="yuqing", version="0.1", docs_url=None, redoc_url=None, openapi_url="/api/openapi.json",
                  description="舆情监测 API. Log in with a session cookie, or send `Authorization: Bearer <token>` "
                              "(tokens: the 用户 page, admins only). The same role checks as the pages apply.")
    app.add_middleware(SessionMiddleware, secret_key=secret_key(settings), session_cookie="yuqing_session",
                       same_site="strict", https_only=settings.web_secure_cookies, max_age=SESSION_MAX_AGE_S)

    @app.middleware("http")
    async def security_headers(request: Request, call_next):
        response = await call_next(request)
        response.headers.setdefault("Content-Security-Policy", CSP_DOCS if request.url.path == "/api/docs" else CSP)
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "no-referrer")
        response.headers.setdefault("X-Frame-Options", "DENY")
        if not request.url.path.startswith("/static/"):
            # pages and API answers hold what a user may see; no browser or proxy keeps them
            response.headers.setdefault("Cache-Control", "no-store")
        return response

    app.mount("/static", StaticFiles(directory=str(static_dir())), name="static")
    templates = Jinja2Templates(directory=str(resources.files("yuqing").joinpath("web/templates")))
    templates.env.filters["highlight"] = highlight
    templates.env.filters["safe_url"] = safe_url
    templates.env.filters["when"] = when
    templates.env.filters["zh"] = lambda code, kind: zh(kind, code)   # weibo → 微博, high → 高 (labels.py)
    web = Web(settings, store, templates)
    web.charts_ok = has_vendor()
    web.wordcloud_ok = web.charts_ok and has_wordcloud()
    from ..scheme import configured_region
    from .dashboard import trends

    region = configured_region(settings)

    web.trends = Background(lambda: trends(store, web.clock(), region), ttl_s=300)
    web.counts = TTLCache(settings.web_counts_ttl_s)
    web.trends.refresh()                   # started now, so that the first overview has it
    app.state.web = web

    @app.exception_handler(Exception)
    async def server_error(request: Request, exc: Exception):
        # what a person reads is Chinese and never a traceback; the log has the details
        log.error("%s %s failed", request.method, request.url.path, exc_info=exc)
        if request.url.path.startswith("/api/"):
            from fastapi.responses import JSONResponse

            return JSONResponse({"detail": "服务器内部错误，已记录在服务器日志中"}, status_code=500)
        return HTMLResponse("<!doctype html><meta charset=utf-8><title>出错了</title><h1>服务器内部错误</h1>"
                            "<p>这个页面暂时无法显示，错误已记录在服务器日志中。请返回<a href=\"/\">总览</a>。</p>",
                            status_code=500)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException):
        # a page's 404/403/409 is a page a person reads, in Chinese; the API keeps its JSON
        if request.url.path.startswith("/api/") or exc.status_code < 400:
            from fastapi.exception_handlers import http_exception_handler

            return await http_exception_handler(request, exc)
        what = {404: "没有找到", 403: "没有权限", 409: "无法完成", 400: "请求有误", 405: "不支持的操作"}.get(
            exc.status_code, "出错了")
        detail = exc.detail if isinstance(exc.detail, str) and exc.detail not in ("Not Found", "Forbidden") else ""
        body = (f"<!doctype html><meta charset=utf-8><title>{what}</title><h1>{what}</h1>"
                f"<p>{escape(detail) or '这个地址没有对应的页面。'}</p><p>返回<a href=\"/\">总览</a>。</p>")
        return HTMLResponse(body, status_code=exc.status_code, headers=getattr(exc, "headers", None))

    @app.exception_handler(NotLoggedIn)
    async def to_login(request: Request, _exc: NotLoggedIn):
        if request.url.path.startswith("/api/") and request.url.path != "/api/docs":
            return HTMLResponse("login required", status_code=401, headers={"WWW-Authenticate": "Bearer"})
        return RedirectResponse(f"/login?next={request.url.path}", status_code=303)

    @app.get("/login", response_class=HTMLResponse)
    def login_form(request: Request, next: str = "/"):
        return web.page(request, "login.html", None, next=next if next.startswith("/") else "/", error=None)

    @app.post("/login")
    def login(request: Request, name: str = Form(..., max_length=200), password: str = Form(..., max_length=1000),
              csrf: str = Form(""), next: str = Form("/")):
        web.check_csrf(request, csrf)
        address = request.client.host if request.client else "?"
        attempt = store.begin_login(name, address, time.time() - LOGIN_WINDOW_S, LOGIN_FAILURES)
        if attempt is None:
            raise HTTPException(429, "登录失败次数过多，请 15 分钟后再试")
        row = store.get_user(name)
        # the same work whether or not the user exists: the time taken says nothing about it
        ok = verify_password(password, row["password_hash"] if row else dummy_hash())
        ok = ok and row is not None and not row["disabled"]
        store.finish_login(attempt, ok)
        if not ok:
            return web.page(request, "login.html", None, next=next, error="用户名或密码错误")
        request.session.clear()                  # a new session id and a new CSRF token
        request.session["sid"] = store.open_session(name, address)
        return RedirectResponse(next if next.startswith("/") and not next.startswith("//") else "/", status_code=303)

    @app.post("/logout")
    def logout(request: Request, csrf: str = Form(""), user: User = Depends(web.current_user)):
        web.check_csrf(request, csrf)
        store.end_session(request.session["sid"])       # ended here, for every copy of the cookie
        request.session.clear()
        return RedirectResponse("/login", status_code=303)

    @app.get("/api/docs", include_in_schema=False)
    def api_docs(user: User = Depends(web.current_user)):
        from fastapi.openapi.docs import get_swagger_ui_html

        if not (static_dir() / "vendor" / "swagger-ui-bundle.js").exists():
            return HTMLResponse('<p>Swagger UI is not installed (make assets); the schema is at '
                                '<a href="/api/openapi.json">/api/openapi.json</a>.</p>')
        return get_swagger_ui_html(openapi_url="/api/openapi.json", title="yuqing API",
                                   swagger_js_url="/static/vendor/swagger-ui-bundle.js",
                                   swagger_css_url="/static/vendor/swagger-ui.css",
                                   swagger_favicon_url="/static/favicon.svg")

    pages.register(app, web)
    listing.register(app, web)
    admin.register(app, web)
    reports.register(app, web)
    api.register(app, web)
    # the API's documentation lists the API, not the pages a browser shows
    for route in app.routes:
        if not getattr(route, "path", "/api").startswith("/api"):
            route.include_in_schema = False
    return app
