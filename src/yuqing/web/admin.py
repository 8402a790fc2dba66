"""Pages that change how the system runs: the scheme (edit, dry-run), sources (health, add/edit),
KPIs, users and API tokens, the audit log.

The scheme file and yuqing.toml stay the source of truth (DESIGN: the scheme file contract):
the pages edit those files — checked by the same loaders the commands use, the previous version
kept beside them as `.bak`, comments preserved (tomlkit) — and each change goes to the audit log.
"""

from __future__ import annotations

import hashlib
import re
import secrets
import time
from datetime import datetime
from typing import Any

from fastapi import Depends, FastAPI, Form, HTTPException, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from ..alerts.users import ROLES, User, hash_password
from ..configfile import (DEFAULT_SCHEME, check_scheme_text, remember_scheme, rollback_scheme, scheme_diff,
                          write_atomic)
from .params import Days, OptYear, RowId, YearForm

SOURCE_FIELDS = ("name", "kind", "url", "path", "platform", "label", "authority", "interval")
PREVIEW_ITEMS = 20_000           # a scheme preview reads at most this many of the newest items


def register(app: FastAPI, web) -> None:
    store = web.store
    user_dep = Depends(web.current_user)

    def reload_settings() -> None:
        from ..settings import load_settings

        if web.settings.config_path:
            web.settings = load_settings(web.settings.config_path)

    # --- scheme --------------------------------------------------------------------------------
    def scheme_context(request: Request, user: User, key: str) -> dict[str, Any]:
        """The scheme being edited (one the user may see) and the list of them."""
        path = web.settings.path(web.settings.scheme)
        remember_scheme(store, path)
        view = web.view(request, user)
        row = store.scheme(key) if key else (view.scheme or store.scheme(DEFAULT_SCHEME))
        if key and row is None:
            raise HTTPException(404, f"没有方案「{key[:40]}」")
        if row is not None:
            view.check([row["id"]], "这个方案")
        return {"path": path, "current": row, "key": row["key"] if row else DEFAULT_SCHEME, "view": view,
                "all_schemes": view.schemes, "can_save": user.role == "admin"}

    @app.get("/scheme", response_class=HTMLResponse)
    def scheme_page(request: Request, key: str = Query("", max_length=40), diff: int = Query(0, ge=0, le=1_000_000),
                    user: User = user_dep):
        c = scheme_context(request, user, key)
        if c["key"] == DEFAULT_SCHEME:
            text = c["path"].read_text(encoding="utf-8") if c["path"].exists() else ""
        else:
            text = c["current"]["text"]
        lines = None
        if diff:
            try:
                lines = scheme_diff(store, diff - 1 if diff > 1 else diff, diff, c["key"])
            except KeyError as exc:
                raise HTTPException(404, str(exc.args[0])) from None
        feedback = feedback_of(store.judgment_feedback(500)) if c["key"] == DEFAULT_SCHEME else None
        return web.page(request, "scheme.html", user, text=text, result=None, error=None, saved=False,
                        feedback=feedback, versions=store.scheme_versions(c["key"], 20), diff=diff, diff_lines=lines, **c)

    @app.post("/scheme/rollback")
    def scheme_rollback(request: Request, csrf: str = Form(""), version: int = Form(..., ge=1, le=1_000_000),
                        key: str = Form(DEFAULT_SCHEME), user: User = Depends(web.allowed("scheme.edit"))):
        web.check_csrf(request, csrf)
        c = scheme_context(request, user, key)
        new, error = rollback_scheme(store, c["path"], version, user.name, c["key"])
        if error:
            raise HTTPException(409, f"方案未回滚：{error}")
        web.flash(request, f"已回滚到第 {version} 版（记为第 {new} 版），正在后台用于已入库的信息。")
        return RedirectResponse(f"/scheme?key={c['key']}", status_code=303)

    @app.post("/scheme/new")
    def scheme_new(request: Request, csrf: str = Form(""), key: str = Form(..., max_length=40), owner: str = Form(""),
                   text: str = Form(""), user: User = Depends(web.allowed("scheme.edit"))):
        """A new scheme: saved in the store, applied to the stored items in the background."""
        from ..configfile import put_scheme

        web.check_csrf(request, csrf)
        key = key.strip()
        if store.scheme(key) is not None:
            raise HTTPException(409, f"已有方案「{key}」")
        version, error = put_scheme(store, web.settings.path(web.settings.scheme), key, text, user.name, "新建",
                                    owner.strip() or None)
        if error:
            raise HTTPException(409, f"方案未保存：{error}")
        web.counts.forget("schemes")
        web.flash(request, f"方案「{key}」已保存（第 {version} 版），正在后台用于已入库的信息。")
        return RedirectResponse(f"/scheme?key={key}", status_code=303)

    @app.post("/scheme/enable")
    def scheme_enable(request: Request, csrf: str = Form(""), key: str = Form(...), on: int = Form(...),
                      user: User = Depends(web.allowed("scheme.edit"))):
        web.check_csrf(request, csrf)
        try:
            if not store.set_scheme_enabled(key, bool(on)):
                raise HTTPException(404, f"没有方案「{key[:40]}」")
        except ValueError as exc:
            raise HTTPException(409, str(exc)) from None
        store.audit(user.name, "scheme.enable" if on else "scheme.disable", key)
        web.flash(request, f"方案「{key}」已{'启用' if on else '停用'}")
        return RedirectResponse(f"/scheme?key={key}", status_code=303)

    @app.post("/scheme", response_class=HTMLResponse)
    def scheme_post(request: Request, csrf: str = Form(""), text: str = Form(""), action: str = Form("preview"),
                    days: int = Form(30), name: str = Form(""), code: str = Form(""), key: str = Form(DEFAULT_SCHEME),
                    user: User = user_dep):
        from ..analysis.finder import suggest
        from ..analysis.relevance import RegionMatcher
        from ..scheme import add_landmark_text, dry_run

        web.check_csrf(request, csrf)
        c = scheme_context(request, user, key)
        path = c["path"]
        accepted = None
        if action == "accept" and name.strip():
            # a candidate accepted: it joins the landmarks of the text being edited (saved only
            # by 保存), and the preview below shows what it adds
            accepted = name.strip()
            text = add_landmark_text(text, accepted, code.strip())
        scheme, error = check_scheme_text(text, path.parent)
        result, saved, candidates = None, False, None
        if scheme is not None and action == "suggest":
            if not scheme.region:
                error = "方案没有 region，无从判断哪些地名属于本地"
            else:
                start = int(web.clock() - max(1, min(days, 365)) * 86400)
                candidates = [c.as_dict() for c in suggest(store.recent_items(start, PREVIEW_ITEMS),
                                                           RegionMatcher.for_scheme(scheme))]
            return web.page(request, "scheme.html", user, text=text, result=None, error=error,
                            saved=False, days=days, candidates=candidates, **c)
        if scheme is not None and action == "save":
            from ..configfile import put_scheme

            if user.role != "admin":
                raise HTTPException(403, "只有管理员可以保存方案")
            _version, error = put_scheme(store, path, c["key"], text, user.name,
                                         "保存" + (f"（加入地标 {accepted}）" if accepted else ""))
            saved = error is None
            web.counts.forget("schemes")
        elif scheme is not None:
            matcher = RegionMatcher.for_scheme(scheme) if scheme.region else None
            start = int(web.clock() - max(1, min(days, 365)) * 86400)
            rows = store.recent_items(start, PREVIEW_ITEMS)
            result = dry_run(scheme, rows, matcher, show=20).as_dict()
            result["current_relevant"] = sum(1 for r in rows if r.get("relevant") == 1)
            result["capped"] = len(rows) >= PREVIEW_ITEMS
        return web.page(request, "scheme.html", user, text=text, result=result, error=error, saved=saved,
                        days=days, accepted=accepted, **c)

    # --- sources -------------------------------------------------------------------------------
    @app.get("/sources", response_class=HTMLResponse)
    def sources_page(request: Request, edit: str = "", user: User = user_dep):
        from ..collect import source_health
        from ..settings import SettingsError

        try:
            rows, error = source_health(web.settings, store), None
        except SettingsError as exc:
            rows, error = [], str(exc)
        current = next((dict(s) for s in web.settings.sources if s.get("name") == edit), None) if edit else None
        return web.page(request, "sources.html", user, rows=rows, error=error, current=current,
                        can_edit=user.role == "admin", kinds=_kinds(), platforms=_platforms())

    @app.post("/sources", response_class=HTMLResponse)
    def sources_post(request: Request, csrf: str = Form(""), original: str = Form(""), name: str = Form(...),
                     kind: str = Form(...), url: str = Form(""), path: str = Form(""), platform: str = Form("news"),
                     label: str = Form(""), authority: str = Form(""), interval: str = Form(""),
                     enabled: str = Form(""), local: str = Form(""),
                     user: User = Depends(web.allowed("source.edit"))):
        import tomlkit

        from ..collect import configured_sources
        from ..settings import SettingsError, load_settings

        web.check_csrf(request, csrf)
        config = web.settings.config_path
        if config is None:
            raise HTTPException(409, "没有配置文件（yuqing.toml），请先 yuqing init")
        entry: dict[str, Any] = {"name": name.strip(), "kind": kind}
        for key, value in (("url", url), ("path", path), ("platform", platform), ("label", label),
                           ("interval", interval)):
            if value.strip():
                entry[key] = value.strip()
        if authority.strip():
            try:
                entry["authority"] = float(authority)
            except ValueError:
                raise HTTPException(400, f"权威度 {authority!r} 应为 0–1 的数") from None
        if not enabled:
            entry["enabled"] = False
        if local:
            entry["local"] = True
        doc = tomlkit.parse(config.read_text(encoding="utf-8"))
        table = doc.setdefault("sources", tomlkit.aot())
        kept = next((t for t in table if t.get("name") == (original or name)), None)
        if kept is not None:
            # a kind's own options (link_pattern, speed, map…) are kept; the form's fields replaced
            for key in (*SOURCE_FIELDS, "enabled", "local"):
                kept.pop(key, None)
            kept.update(entry)
        else:
            table.append(tomlkit.item(entry))
        new_text = tomlkit.dumps(doc)
        # checked by the loader the commands use, from a file beside the real one (paths resolve alike)
        probe_path = config.with_name(f".{config.name}.check-{secrets.token_hex(4)}")
        try:
            probe_path.write_text(new_text, encoding="utf-8")
            configured_sources(load_settings(probe_path))
        except SettingsError as exc:
            return web.page(request, "sources.html", user, rows=[], error=f"未保存：{str(exc).replace(str(probe_path), config.name)}",
                            current=entry, can_edit=True, kinds=_kinds(), platforms=_platforms())
        finally:
            probe_path.unlink(missing_ok=True)
        write_atomic(config, new_text)
        store.audit(user.name, "source.save", name, "edit" if kept is not None else "add")
        reload_settings()
        return RedirectResponse("/sources", status_code=303)

    # --- KPIs and the self-evaluation (绩效自评) -------------------------------------------------
    def year_range(year: int | None):
        from zoneinfo import ZoneInfo

        from ..reports.kpi import year_period

        tz = ZoneInfo(web.settings.timezone)
        year = year or datetime.fromtimestamp(web.clock(), tz).year
        s, e = year_period(year, tz)
        return year, s, e

    def kpi_view(request: Request, user: User, year: int):
        """(the store seen by the scheme in view, the label of its year: "2026", or "wanzhuang:2026"
        for another scheme than the first — its own audit sample and notes)."""
        view = web.view(request, user)
        from ..reports.kpi import kpi_label

        label = kpi_label(str(year), view.scheme)
        return view, label

    @app.get("/kpi", response_class=HTMLResponse)
    def kpi_page(request: Request, days: Days = 30, year: OptYear = None, user: User = user_dep):
        from ..alerts.timeliness import rule_figures, timeliness
        from ..reports.kpi import evaluate

        days = max(1, min(days, 3660))
        end = time.time()
        start = end - days * 86400
        year, ys, ye = year_range(year)
        view, label = kpi_view(request, user, year)
        s = view.store
        return web.page(request, "kpi.html", user, days=days, counts=s.period_counts(int(start), int(end)),
                        t=timeliness(s, start, end, web.settings.case_sla_minutes),
                        rules=rule_figures(s, start, end), year=year, view=view,
                        ev=evaluate(s, ys, ye, label, sla_minutes=web.settings.case_sla_minutes),
                        notes=s.kpi_notes(label), can_score=user.role in ("leader", "admin"))

    @app.get("/kpi/export.{fmt}")
    def kpi_export(request: Request, fmt: str, year: OptYear = None, user: User = user_dep):
        from ..reports.kpi import evaluate, to_docx, to_xlsx

        if fmt not in ("docx", "xlsx"):
            raise HTTPException(404, "格式只有 docx 与 xlsx")
        year, ys, ye = year_range(year)
        view, label = kpi_view(request, user, year)
        ev = evaluate(view.store, ys, ye, label, sla_minutes=web.settings.case_sla_minutes)
        title = f"{year} 年度舆情监测项目绩效自评表" + (f"（{view.scheme['name']}）" if label != str(year) else "")
        body = to_docx(ev, title) if fmt == "docx" else to_xlsx(ev, title)
        store.audit(user.name, "kpi.export", str(year), fmt)
        mime = ("application/vnd.openxmlformats-officedocument.wordprocessingml.document" if fmt == "docx"
                else "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
        return Response(body, media_type=mime, headers={"Content-Disposition": f"attachment; filename=kpi-{year}.{fmt}"})

    @app.post("/kpi/note")
    def kpi_note(request: Request, year: YearForm, csrf: str = Form(""), indicator: str = Form(...),
                 text: str = Form(""), score: float = Form(...), user: User = user_dep):
        web.check_csrf(request, csrf)
        if user.role not in ("leader", "admin"):
            raise HTTPException(403, "评分需领导或管理员")
        if indicator not in ("ecology", "sustainability") or not 0 <= score <= 10:
            raise HTTPException(400, "指标为 ecology 或 sustainability，得分 0–10")
        _view, label = kpi_view(request, user, year)
        store.set_kpi_note(label, indicator, text.strip() or None, score, user.name)
        store.audit(user.name, "kpi.note", f"{label} {indicator}", str(score))
        return RedirectResponse(f"/kpi?year={year}", status_code=303)

    @app.get("/kpi/audit", response_class=HTMLResponse)
    def audit_page(request: Request, sample: str = "", user: User = user_dep):
        view = web.view(request, user)
        from ..reports.kpi import kpi_label

        prefix = kpi_label("", view.scheme)
        # a scheme's samples are labelled with its key; scheme 1's with the year alone
        samples = [x for x in store.coverage_samples() if (x.startswith(prefix) if prefix else ":" not in x)]
        sample = sample if sample in samples else (samples[-1] if samples else "")
        return web.page(request, "audit.html", user, sample=sample, samples=samples,
                        rows=store.coverage_sample(sample) if sample else [])

    @app.post("/kpi/audit/draw")
    def audit_draw(request: Request, year: YearForm, csrf: str = Form(""), size: int = Form(200, ge=1, le=2000),
                   user: User = user_dep):
        web.check_csrf(request, csrf)
        if user.role not in ("leader", "admin"):
            raise HTTPException(403, "抽样需领导或管理员")
        _year, ys, ye = year_range(year)
        view, label = kpi_view(request, user, year)
        view.store.draw_coverage_sample(label, ys, ye, max(1, min(size, 2000)), seed=year)
        store.audit(user.name, "kpi.audit.draw", label, str(size))
        return RedirectResponse(f"/kpi/audit?sample={label}", status_code=303)

    @app.post("/kpi/audit/{audit_id}")
    def audit_judge(request: Request, audit_id: RowId, csrf: str = Form(""), involves: int = Form(..., ge=0, le=1),
                    sample: str = Form(""), user: User = user_dep):
        web.check_csrf(request, csrf)
        store.judge_coverage(audit_id, bool(involves), user.name)
        return RedirectResponse(f"/kpi/audit?sample={sample}#a{audit_id}", status_code=303)

    # --- users, tokens, audit --------------------------------------------------------------------
    admin_dep = Depends(web.allowed("user.manage"))

    @app.get("/users", response_class=HTMLResponse)
    def users_page(request: Request, user: User = admin_dep):
        names = {r["id"]: r["name"] for r in store.schemes()}
        return web.page(request, "users.html", user, users=store.list_users(), tokens=store.list_tokens(),
                        scheme_names=names,
                        audit=store.audit_entries(50), roles_all=ROLES, new_token=store.pop_flash(request.session["sid"]))

    @app.post("/users")
    def users_post(request: Request, csrf: str = Form(""), action: str = Form(...), name: str = Form(""),
                   role: str = Form(""), password: str = Form(""), department: str = Form(""),
                   label: str = Form(""), token_id: int = Form(0, ge=0, le=2**62), schemes: list[int] = Form([]),
                   user: User = admin_dep):
        web.check_csrf(request, csrf)
        name = name.strip()
        known = {r["id"] for r in store.schemes()}
        if any(s not in known for s in schemes):
            raise HTTPException(400, "没有这个方案")
        if action in ("role", "password", "disable", "enable", "token", "schemes") and not store.get_user(name):
            raise HTTPException(404, f"没有用户 {name}")
        if role and role not in ROLES:
            raise HTTPException(400, f"角色只能是 {', '.join(ROLES)}")
        try:
            if action == "add":
                if not name or store.get_user(name):
                    raise HTTPException(409, f"用户名 {name!r} 为空或已存在")
                store.add_user(name, role or "analyst", hash_password(password), department.strip() or None, by=user.name,
                               schemes=schemes or None)
            elif action == "schemes":     # none ticked: every scheme
                store.change_user(name, user.name, schemes=schemes or None)
            elif action == "role":
                store.change_user(name, user.name, role=role, department=department.strip() or None)
            elif action == "password":
                store.change_user(name, user.name, password_hash=hash_password(password))
            elif action in ("disable", "enable"):
                if name == user.name:
                    raise HTTPException(409, "不能停用自己")
                store.change_user(name, user.name, disabled=int(action == "disable"))
            elif action == "token":
                token = "yq_" + secrets.token_urlsafe(32)
                store.add_token(name, label.strip() or "API", hashlib.sha256(token.encode()).hexdigest(), by=user.name)
                store.set_flash(request.session["sid"], token)   # shown once, on the next page; never in the cookie
            elif action == "revoke":
                store.revoke_token(token_id, user.name)
            else:
                raise HTTPException(400, f"未知操作 {action!r}")
        except ValueError as exc:        # a short password
            raise HTTPException(400, str(exc)) from None
        return RedirectResponse("/users", status_code=303)


_NAMED = re.compile(r"「([^」]{1,30})」")


def feedback_of(raw: dict) -> dict:
    """People's answers against the rules, in the words the 方案 page shows: how often the
    rules were overruled each way, and the names in the rules' reasons behind the 不相关
    answers (a name that keeps misleading the rules wants an exclusion or a landmark)."""
    from collections import Counter

    counts = raw["counts"]
    over = sum(n for (was, label), n in counts.items() if was == "yes" and label == "no")
    missed = sum(n for (was, label), n in counts.items() if was == "no" and label == "yes")
    settled = {label: sum(n for (was, lab), n in counts.items() if was == "possible" and lab == label) for label in ("yes", "no")}
    names = Counter(name for r in raw["latest"] if r["label"] == "no" and r["was_label"] == "yes"
                    for name in set(_NAMED.findall(r["was"] or "")))
    return {"total": sum(counts.values()), "overruled_yes": over, "overruled_no": missed, "settled": settled,
            "names": names.most_common(10), "latest": raw["latest"][:30]}


def _kinds():
    from ..collect import KINDS

    return KINDS


def _platforms():
    from ..models import PLATFORMS

    return PLATFORMS
