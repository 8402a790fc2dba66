"""The information list (信息) and the events list: browse with filters and no keyword, true
totals, paging, sorting, a scope (涉及本区 by default, 疑似 and 全部 a click away), and bulk
actions on the ticked rows — 加入简报, 标为涉及本区 / 不相关 (a person's answer, which the scheme page
shows as feedback), 导出."""

from __future__ import annotations

from datetime import date, datetime, time as dtime, timedelta
from functools import cache
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from fastapi import Depends, FastAPI, Form, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse

from ..alerts.users import PermissionDenied, User, require
from ..labels import LABELS
from ..models import PLATFORM_LABELS
from ..store.sql import SCOPES, SORTS, ListQuery

LIST_FIELDS = ("q", "scope", "since", "start", "end", "platform", "source", "category", "sentiment", "risk", "place",
               "event", "sort")
SORT_LABELS = {"time": "最新发布", "risk": "风险高先", "interactions": "互动量", "heat": "所属事件热度"}
SCOPE_LABELS = {"yes": "涉及本区", "possible": "疑似涉及", "all": "全部"}
PAGE_SIZES = (20, 50, 100)
EXPORT_MAX = 50_000
EVENT_SORT_LABELS = {"heat": "热度", "latest": "最近活动", "size": "信息量"}


@cache
def towns_of(region: str | None) -> tuple[tuple[str, str], ...]:
    """(code, name) of the towns and streets under the region: the town filters' choices."""
    if not region:
        return ()
    from ..analysis.gazetteer import load_gazetteer

    g = load_gazetteer()
    return tuple((p.code, p.name) for p in sorted(g.places.values(), key=lambda p: p.code)
                 if p.code.startswith(region) and len(p.code) == 9)


@cache
def _gazetteer(region: str | None):
    """The country and the region's villages, once per process (a copy per request cost 5 ms)."""
    from ..analysis.gazetteer import load_gazetteer

    return load_gazetteer(within=region)


def place_codes(place: str, region: str | None) -> tuple[tuple[str, ...], str | None]:
    """The division codes a place filter means — a code as typed, or the places of that name
    (those inside the monitored region when it has one) — and a note when there is none."""
    place = place.strip()
    if not place:
        return (), None
    if place.isdigit():
        return (place[:12],), None
    found = [p.code for p in _gazetteer(region).lookup(place)]
    inside = [c for c in found if region and c.startswith(region)]
    if inside or found:
        return tuple(inside or found), None
    return (), f"地名库中没有「{place}」，已按关键词检索"


def day_ts(text: str, tz: ZoneInfo, end: bool = False) -> int | None:
    """A date input (YYYY-MM-DD) as epoch seconds at the start of that day (of the next day for an end)."""
    if not text:
        return None
    try:
        day = date.fromisoformat(text)
    except ValueError:
        raise HTTPException(400, f"日期 {text[:20]!r} 应为 YYYY-MM-DD") from None
    if end:
        day += timedelta(days=1)
    return int(datetime.combine(day, dtime(), tz).timestamp())


def read_filters(request: Request, default_scope: str = "yes") -> dict[str, str]:
    f = {k: request.query_params.get(k, "").strip() for k in LIST_FIELDS}
    f["scope"] = f["scope"] if f["scope"] in SCOPES else default_scope
    f["sort"] = f["sort"] if f["sort"] in SORTS else "time"
    return f


def view_region(web, view) -> str | None:
    """The region of the scheme in view (the configured file's for the whole store)."""
    from ..reports.make import scheme_region

    return scheme_region(view.store, web.settings)


def list_query(f: dict[str, str], web, view) -> tuple[ListQuery, list[str]]:
    """The store's question for these form fields, seen by the scheme in view (and limited to
    the user's schemes), and notes on how they were read."""
    from .pages import since_ts

    notes: list[str] = []
    codes, note = place_codes(f.get("place", ""), view_region(web, view))
    q = f.get("q", "")
    if note:
        notes.append(note)
        q = f"{q} {f['place']}".strip()
    tz = ZoneInfo(web.settings.timezone)
    since = since_ts(f.get("since", ""))
    start = day_ts(f.get("start", ""), tz)
    lq = ListQuery(q=q, scope=f.get("scope") or "yes", sort=f.get("sort") or "time", places=codes,
                   scheme=view.sid, within=view.within,
                   since_ts=max(t for t in (since, start) if t is not None) if since or start else None,
                   until_ts=day_ts(f.get("end", ""), tz, end=True),
                   **{k: f.get(k, "") for k in ("platform", "source", "category", "sentiment", "risk", "event")})
    return lq, notes


def counted(web, lq: ListQuery):
    """The list's totals, kept for web_counts_ttl_s while a person pages or re-sorts (counting a
    million items is the costly part of a page); a bulk change forgets them."""
    from dataclasses import astuple, replace

    return web.counts.get(("list", astuple(replace(lq, sort="time"))), lambda: web.store.count_list(lq))


def pager(page: int, pages: int, path: str, query: str) -> list[tuple[str, str | None]]:
    """(label, link or None) for 首页 上一页 … numbers … 下一页 末页."""
    def link(n):
        return f"{path}?{query}&page={n}" if query else f"{path}?page={n}"
    out: list[tuple[str, str | None]] = [("首页", link(1) if page > 1 else None),
                                         ("上一页", link(page - 1) if page > 1 else None)]
    for n in range(max(1, page - 3), min(pages, page + 3) + 1):
        out.append((str(n), None if n == page else link(n)))
    out += [("下一页", link(page + 1) if page < pages else None), ("末页", link(pages) if page < pages else None)]
    return out


def register(app: FastAPI, web) -> None:
    store = web.store
    user_dep = Depends(web.current_user)
    register_picks(app, web)

    @app.get("/search", response_class=HTMLResponse)
    def information(request: Request, user: User = user_dep):
        from ..analysis.category import CATEGORIES
        from .pages import mine_words

        view = web.view(request, user)
        f = read_filters(request)
        page = _int(request.query_params.get("page"), 1, 1, 1_000_000)
        per = _int(request.query_params.get("per"), 50, 20, 100)
        per = per if per in PAGE_SIZES else 50
        lq, notes = list_query(f, web, view)
        result = store.browse(lq, per, (page - 1) * per, counted=counted(web, lq))
        pages = max(1, -(-result.total // per))
        query = urlencode({k: v for k, v in f.items() if v and not (k == "scope" and v == "yes")
                           and not (k == "sort" and v == "time")} | ({"per": per} if per != 50 else {}))
        keep = {k: v for k, v in f.items() if k not in ("scope",) and v}
        labels = SCOPE_LABELS | {"yes": mine_words(view)}
        scopes = [(s, labels[s], "/search?" + urlencode({**keep, "scope": s})) for s in SCOPES]
        picks = store.list_picks(user.name)
        picked = set(picks["item"])
        return web.page(request, "search.html", user, rows=result.rows, total=result.total, by_risk=result.by_risk,
                        notes=notes + result.notes, terms=[t.strip("*＊-") for t in lq.q.split() if t.upper() != "OR"],
                        query=query, f=f, page=page, pages=pages, per=per, per_choices=PAGE_SIZES,
                        pager=pager(page, pages, "/search", query),
                        categories=CATEGORIES, platforms=PLATFORM_LABELS, sorts=SORT_LABELS, scopes=scopes,
                        scope_label=labels[f["scope"]], towns=towns_of(view_region(web, view)),
                        picked=picked, n_picks=sum(len(v) for v in picks.values()), view=view,
                        can_judge=user.role in ("analyst", "admin") and view.sid == 1 and (not user.schemes or 1 in user.schemes),
                        then=str(request.url.path) + (
                            "?" + request.url.query if request.url.query else ""))

    @app.get("/search/export.{fmt}")
    def export(request: Request, fmt: str, user: User = user_dep):
        from .export import export_response

        if fmt not in ("csv", "xlsx"):
            raise HTTPException(404, "导出格式只有 csv 与 xlsx")
        f = read_filters(request)
        lq, _notes = list_query(f, web, web.view(request, user))
        result = store.browse(lq, EXPORT_MAX, 0)
        store.audit(user.name, "export", f"list {urlencode({k: v for k, v in f.items() if v})}"[:500],
                    f"{len(result.rows)} items as {fmt}")
        return export_response(result.rows, fmt)

    @app.post("/items/bulk")
    def bulk(request: Request, csrf: str = Form(""), action: str = Form(...), ids: list[str] = Form([]),
             then: str = Form("/search"), user: User = user_dep):
        """The ticked rows: 加入简报 (pick), 标为涉及本区 (yes) / 不相关 (no), 导出 (csv, xlsx)."""
        from .export import export_response

        web.check_csrf(request, csrf)
        back = then if then.startswith("/") and not then.startswith("//") else "/search"
        ids = [i for i in dict.fromkeys(ids) if i][:EXPORT_MAX]
        if not ids:
            raise HTTPException(400, "请先勾选信息")
        view = web.view(request, user)
        if user.schemes is not None:            # only what the user may see, whatever was posted
            from ..alerts.users import may_see

            ids = [i for i, s in store.schemes_of_items(ids).items() if may_see(user, s)]
        web.counts.forget("list")
        if action == "pick":
            n = store.add_picks(user.name, "item", ids)
            web.flash(request, f"已加入简报 {n} 条（共勾选 {len(ids)} 条）")
            return RedirectResponse(back, status_code=303)
        if action in ("yes", "no"):
            try:
                require(user, "relevance.judge")
            except PermissionDenied as exc:
                raise HTTPException(403, f"无权限：{exc}") from None
            view.check([1], "人工判定（本区方案）")
            done = sum(store.judge_relevance(i, action, user.name) for i in ids)
            web.flash(request, f"已将 {done} 条标为{'涉及本区' if action == 'yes' else '不相关'}；方案页“人工判定反馈”可见")
            return RedirectResponse(back, status_code=303)
        if action in ("csv", "xlsx"):
            rows = store.get_items(ids)
            order = {i: n for n, i in enumerate(ids)}
            rows.sort(key=lambda r: order.get(r["id"], 0))
            store.audit(user.name, "export", f"{len(ids)} ticked items", f"{len(rows)} items as {action}")
            return export_response(rows, action)
        raise HTTPException(400, "未知的批量操作")

    @app.get("/events", response_class=HTMLResponse)
    def events(request: Request, user: User = user_dep):
        from ..analysis.category import CATEGORIES
        from .pages import since_ts

        view = web.view(request, user)
        region = view_region(web, view)

        f = {k: request.query_params.get(k, "").strip() for k in ("risk", "stage", "category", "town", "since", "sort")}
        f["sort"] = f["sort"] if f["sort"] in EVENT_SORT_LABELS else "heat"
        page = _int(request.query_params.get("page"), 1, 1, 1_000_000)
        per = 50
        codes, note = place_codes(f["town"], region)
        if note:
            codes = ("-",)          # a name that is no place: no event names it
        ask = dict(risk=f["risk"], stage=f["stage"], category=f["category"], places=codes, since_ts=since_ts(f["since"]))
        # the total is kept while a person pages and re-sorts (a scheme's count over a million
        # items' events is the costly part)
        known = web.counts.get(("list", "events", view.key, f["risk"], f["stage"], f["category"], codes, f["since"]),
                               lambda: view.store.browse_events(**ask, limit=0)[0])
        total, rows = view.store.browse_events(**ask, sort=f["sort"], limit=per, offset=(page - 1) * per, total=known)
        pages = max(1, -(-total // per))
        query = urlencode({k: v for k, v in f.items() if v and not (k == "sort" and v == "heat")})
        picked = set(store.list_picks(user.name)["event"])
        return web.page(request, "events.html", user, events=rows, total=total, f=f, page=page, pages=pages,
                        pager=pager(page, pages, "/events", query), notes=[note] if note else [],
                        categories=CATEGORIES, stages=LABELS["stage"], sorts=EVENT_SORT_LABELS,
                        towns=towns_of(region), picked=picked, view=view,
                        then=str(request.url.path) + ("?" + request.url.query if request.url.query else ""))

    @app.post("/events/bulk")
    def events_bulk(request: Request, csrf: str = Form(""), ids: list[str] = Form([]), then: str = Form("/events"),
                    user: User = user_dep):
        web.check_csrf(request, csrf)
        ids = [i for i in dict.fromkeys(ids) if i]
        if not ids:
            raise HTTPException(400, "请先勾选事件")
        n = store.add_picks(user.name, "event", ids)
        web.flash(request, f"已加入简报 {n} 个事件")
        return RedirectResponse(then if then.startswith("/") and not then.startswith("//") else "/events", status_code=303)


def register_picks(app: FastAPI, web) -> None:
    store = web.store

    @app.get("/picks", response_class=HTMLResponse)
    def picks_page(request: Request, user: User = Depends(web.current_user)):
        """简报素材: what this user ticked, to untick or to make into a 简报."""
        p = store.list_picks(user.name)
        rows = {r["id"]: r for r in store.get_items(p["item"])}
        events = [e for e in (store.get_event(i) for i in p["event"]) if e]
        return web.page(request, "picks.html", user, items=[rows[i] for i in p["item"] if i in rows], events=events,
                        can_make=user.role in ("analyst", "leader", "admin"))

    @app.post("/picks")
    def picks_post(request: Request, csrf: str = Form(""), action: str = Form(...), kind: str = Form(""),
                   ref: str = Form(""), user: User = Depends(web.current_user)):
        web.check_csrf(request, csrf)
        if action == "remove" and kind in ("item", "event") and ref:
            store.remove_picks(user.name, kind, [ref])
        elif action == "clear":
            store.remove_picks(user.name)
        else:
            raise HTTPException(400, "未知的操作")
        return RedirectResponse("/picks", status_code=303)


def _int(value: str | None, default: int, lo: int, hi: int) -> int:
    try:
        return max(lo, min(hi, int(value))) if value else default
    except ValueError:
        return default


