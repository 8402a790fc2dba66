"""The analyst's pages: overview, search and export, events, items, alerts and cases."""

from __future__ import annotations

import re
import time
from datetime import datetime, timedelta, timezone
from typing import Any

import orjson
from fastapi import Depends, FastAPI, Form, HTTPException, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse

from ..alerts.users import User
from ..models import PLATFORM_LABELS, metrics_of
from . import dashboard
from .params import RowId

SEARCH_FIELDS = ("q", "since", "platform", "source", "category", "sentiment", "risk", "place", "event")


def since_ts(since: str) -> int | None:
    if not since:
        return None
    from ..collect import parse_duration
    from ..settings import SettingsError

    try:
        seconds = min(parse_duration(since), 100 * 365 * 86400)   # "99999999d" is "everything"
        return int((datetime.now(timezone.utc) - timedelta(seconds=seconds)).timestamp())
    except (SettingsError, ValueError, OverflowError):
        raise HTTPException(400, f"时间范围 {since[:40]!r} 无法识别（如 24h、7d）") from None


def search_rows(store, f: dict[str, str], limit: int) -> list[dict[str, Any]]:
    """Full-text hits with the column filters; a place filter keeps the items whose analysis
    names that place (or a place inside it) — by name or division code."""
    start = since_ts(f.get("since", ""))
    place = (f.get("place") or "").strip()
    hits = store.search(f["q"], since=datetime.fromtimestamp(start, timezone.utc) if start else None,
                        platform=f.get("platform") or None, limit=limit * (5 if place else 1),
                        filters={k: f.get(k, "") for k in ("category", "sentiment", "risk", "event", "source")})
    rows = {r["id"]: r for r in store.get_items(h.id for h in hits)}
    out = [rows[h.id] for h in hits if h.id in rows]
    if place:
        def names(r):
            a = orjson.loads(r["analysis"]) if r.get("analysis") else {}
            return {p["name"] for p in a.get("places") or []} | {p["code"] for p in a.get("places") or []}
        out = [r for r in out if any(n == place or (place.isdigit() and n.startswith(place)) for n in names(r))]
    return out[:limit]


def register(app: FastAPI, web) -> None:
    store = web.store
    user_dep = Depends(web.current_user)

    @app.get("/", response_class=HTMLResponse)
    def overview(request: Request, user: User = user_dep):
        view = web.view(request, user)
        store = view.store
        clock = web.clock()
        background = web.trends_of(view)
        trends, at = background.get()
        towns = dashboard.bar_chart(trends["towns"], "相关信息") if trends and trends.get("towns") else None
        words = dashboard.word_cloud(trends["words"]) if trends and trends.get("words") else None
        o = web.counts.get(("overview", view.key), lambda: dashboard.overview(store, clock))
        lines = (web.counts.get(("schemes", view.key), lambda: dashboard.schemes_overview(store, view.schemes, clock))
                 if view.scheme is None and len(view.schemes) > 1 else None)
        return web.page(request, "overview.html", user, view=view, o=o, clock=clock, now_ts=time.time(), towns_chart=towns,
                        words_chart=words, events=store.list_events(None, 10), alerts=store.list_alerts(10), trends=trends,
                        trends_at=at, trends_error=background.error, total=store.count_items(),
                        relevant_total=web.counts.get(("relevant_total", view.key), store.count_relevant),
                        possible=store.possible_items(0)[0], scheme_lines=lines, mine=mine_words(view))

    @app.get("/parts/alerts", response_class=HTMLResponse)
    def alerts_part(request: Request, user: User = user_dep):
        """The live alert list, polled by htmx every 15 s."""
        return web.page(request, "alert_rows.html", user, alerts=web.view(request, user).store.list_alerts(10), live=True)

    @app.get("/events/{event_id}", response_class=HTMLResponse)
    def event_page(request: Request, event_id: str, user: User = user_dep):
        view = web.view(request, user)
        record = store.get_event(event_id)
        if record is None:
            raise HTTPException(404, "没有这个事件")
        view.check(store.schemes_of_event(record["id"]), "这个事件")
        if record["id"] != event_id:           # merged into another: one address per event
            return RedirectResponse(f"/events/{record['id']}", status_code=303)
        items = store.event_items([record["id"]]).get(record["id"], [])
        originals = [r for r in items if not r.get("repost_of")]
        representative = sorted(originals, key=lambda r: (r.get("duplicate_of") is not None,
                                                          {"high": 0, "medium": 1}.get(r.get("risk"), 2),
                                                          r["published_ts"]))[:50]
        return web.page(request, "event.html", user, e=record, items=representative, originals=len(originals),
                        reposts=len(items) - len(originals), charts=dashboard.event_charts(record),
                        related=dashboard.related_events(view.store, record),
                        alerts=view.store.list_alerts(20, event=record["id"]))

    @app.get("/items/{item_id:path}", response_class=HTMLResponse)
    def item_page(request: Request, item_id: str, user: User = user_dep):
        rows = store.get_items([item_id])
        if not rows:
            raise HTTPException(404, "没有这条信息")
        item = rows[0]
        view = web.view(request, user)
        involved = store.schemes_of_items([item_id])[item_id]
        view.check(involved, "这条信息")
        names = {r["id"]: r["name"] for r in view.schemes}
        analysis = orjson.loads(item["analysis"]) if item.get("analysis") else None
        original = store.get_items([item["duplicate_of"]])[0] if item.get("duplicate_of") else None
        return web.page(request, "item.html", user, it=item, a=analysis, copies=store.copies_of(item_id),
                        original=original, metrics=metrics_of(item.get("metrics")),
                        in_schemes=[names[s] for s in sorted(involved) if s in names] if len(view.schemes) > 1 else [])

    @app.get("/possible", response_class=HTMLResponse)
    def possible(request: Request, page: int = Query(1, ge=1, le=100_000), user: User = user_dep):
        # people's answers are the first scheme's (the items' own column): its list only
        web.view(request, user).check([1], "疑似涉及（本区方案的待判断信息）")
        total, rows = store.possible_items(POSSIBLE_PAGE, (page - 1) * POSSIBLE_PAGE)
        for row in rows:
            analysis = orjson.loads(row.pop("analysis") or "{}")
            row["reasons"] = (analysis.get("relevance") or {}).get("reasons") or []
            row["local_name"] = local_name_of(row["reasons"])
        return web.page(request, "possible.html", user, rows=rows, total=total, page=page,
                        pages=max(1, -(-total // POSSIBLE_PAGE)), can_judge=user.role in ("analyst", "admin"),
                        can_edit_scheme=user.role == "admin", platform_labels=PLATFORM_LABELS)

    @app.post("/items/{item_id:path}/relevance")
    def judge(request: Request, item_id: str, csrf: str = Form(""), label: str = Form(...), name: str = Form(""),
              then: str = Form("/possible"), user: User = Depends(web.allowed("relevance.judge"))):
        """A person's yes or no; with `name`, an admin also makes the name a landmark (yes) or an
        exclusion (no) of the scheme, so that the items like it are judged alike from now on."""
        web.check_csrf(request, csrf)
        if label not in ("yes", "no"):
            raise HTTPException(400, "label 应为 yes 或 no")
        if name.strip():
            if user.role != "admin":
                raise HTTPException(403, "只有管理员可以修改方案（地标、排除词）")
            error = change_scheme(web, user, name.strip(), label)
            if error:
                raise HTTPException(409, f"方案未修改：{error}")
        web.view(request, user).check([1], "疑似涉及（本区方案的待判断信息）")
        if not store.judge_relevance(item_id, label, user.name):
            raise HTTPException(404, "没有这条信息")
        web.counts.forget("list")
        return RedirectResponse(then if then.startswith("/") and not then.startswith("//") else "/possible",
                                status_code=303)

    @app.get("/alerts", response_class=HTMLResponse)
    def alerts(request: Request, level: str = "", state: str = "", limit: int = Query(100, ge=1, le=2000),
               user: User = user_dep):
        limit = max(10, min(limit, 2000))
        rows = web.view(request, user).store.list_alerts(limit, level=level or None, state=state or None)
        return web.page(request, "alerts.html", user, alerts=rows, level=level, state=state, limit=limit)

    @app.get("/cases/{case_id}", response_class=HTMLResponse)
    def case_page(request: Request, case_id: RowId, user: User = user_dep):
        from ..alerts.cases import TRANSITIONS

        case = store.get_case(case_id)
        if case is None:
            raise HTTPException(404, "没有这个工单")
        alert = store.get_alert(case["alert_id"])
        web.view(request, user).check([alert.get("scheme") if alert else None], "这个工单")
        steps = [to for (frm, to), roles in TRANSITIONS.items() if frm == case["state"] and user.role in roles]
        return web.page(request, "case.html", user, case=case, alert=alert,
                        log=store.case_log(case_id), steps=steps, can_assign=user.role in ("leader", "admin"),
                        users=[u["name"] for u in store.list_users() if not u["disabled"]])

    @app.post("/cases/{case_id}")
    def case_action(request: Request, case_id: RowId, csrf: str = Form(""), to: str = Form(""), note: str = Form(""),
                    response: str = Form(""), assignee: str = Form(""), department: str = Form(""),
                    user: User = user_dep):
        web.check_csrf(request, csrf)
        case = store.get_case(case_id)
        alert = store.get_alert(case["alert_id"]) if case else None
        web.view(request, user).check([alert.get("scheme") if alert else None], "这个工单")
        act_on_case(store, case_id, user, to=to, note=note, response=response, assignee=assignee,
                    department=department)
        return RedirectResponse(f"/cases/{case_id}", status_code=303)


POSSIBLE_PAGE = 50


def mine_words(view) -> str:
    """How the pages name what involves the scheme in view: 涉及本区, or 涉及「万庄镇」."""
    return "涉及本区" if view.scheme is None or view.scheme["id"] == 1 else f"涉及「{view.scheme['name']}」"
_LOCAL_NAME = re.compile(r"未收录的本地名称「([^」]+)」")


def local_name_of(reasons: list[str]) -> str | None:
    """The unknown road, estate or facility a `possible` reason names (what 是 can make a landmark)."""
    for reason in reasons:
        m = _LOCAL_NAME.search(reason)
        if m:
            return m.group(1)
    return None


def change_scheme(web, user: User, name: str, label: str) -> str | None:
    """Add `name` to the configured scheme as a landmark of its region (yes) or an exclusion (no);
    checked like a save on the 方案 page, the old file kept as .bak. Return the error, or None."""
    from ..configfile import check_scheme_text, save_scheme
    from ..scheme import add_exclude_text, add_landmark_text

    path = web.settings.path(web.settings.scheme)
    if not path.exists():
        return "还没有方案文件"
    text = path.read_text(encoding="utf-8")
    current, error = check_scheme_text(text, path.parent)
    if error:
        return error
    if label == "yes":
        if not current.region:
            return "方案没有 region"
        text = add_landmark_text(text, name, current.region)
    else:
        text = add_exclude_text(text, name)
    _checked, error = check_scheme_text(text, path.parent)
    if error:
        return error
    save_scheme(web.store, path, text, user.name, f"{'加入地标' if label == 'yes' else '加入排除词'} {name}")
    return None


def act_on_case(store, case_id: int, user: User, *, to: str = "", note: str = "", response: str = "",
                assignee: str = "", department: str = "") -> None:
    """One case step from a form or the API; the library checks the role and the state."""
    from ..alerts import cases as workflow
    from ..alerts.users import PermissionDenied

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
