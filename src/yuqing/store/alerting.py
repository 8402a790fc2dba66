"""The store's side of alerts: alerts with their case and outbox rows, delivery state, cases with
their log, users, API tokens and the audit log. Mixed into Store (sql.py); SQLAlchemy Core only."""

from __future__ import annotations

import hashlib
import secrets
import time
from typing import Any, Mapping, Sequence

import orjson
from sqlalchemy import func, select, update

from .schema import alerts, api_tokens, audit_log, case_log, cases, outbox, sessions, users

OPEN_STATES = ("待研判", "已研判", "已上报", "处置中")


def _change_words(fields: Mapping[str, Any]) -> str:
    """What changed, as the audit log says it: 角色：领导；密码：已更改 (never the hash)."""
    from ..labels import zh

    words = {"role": lambda v: f"角色：{zh('role', v)}", "department": lambda v: f"部门：{v or '无'}",
             "password_hash": lambda v: "密码：已更改", "disabled": lambda v: "状态：" + ("停用" if v else "启用"),
             "schemes": lambda v: f"可查看的方案：{v or '全部'}"}
    return "；".join(words[k](v) for k, v in fields.items())


class AlertingStore:
    engine: Any
    scheme_id: int | None = None

    def _write(self):  # pragma: no cover - provided by Store
        raise NotImplementedError

    # --- alerts ----------------------------------------------------------------------------
    def open_alert(self, *, event: str | None, rule: str, level: str, title: str, payload: Mapping[str, Any],
                   discovered_ts: int | None, now: float, sla_s: float,
                   messages: Sequence[tuple[str, str, Mapping[str, Any], float]], scheme: int | None = None) -> tuple[int, int]:
        """Create an alert, its case (待研判) and its outbox messages (channel, kind, message, not
        before) in one transaction; return (alert id, case id). `scheme`: whose rules raised it
        (None or 1: the store's first scheme and the global rules)."""
        with self._write() as conn:
            alert_id = conn.execute(alerts.insert().values(
                event=event, rule=rule, level=level, title=title, payload=orjson.dumps(payload).decode(),
                discovered_ts=discovered_ts, created_ts=int(now), updated_ts=int(now), updates=0,
                scheme=None if scheme in (None, 1) else int(scheme))).inserted_primary_key[0]
            case_id = conn.execute(cases.insert().values(alert_id=alert_id, state="待研判", created_ts=int(now),
                                                         sla_due_ts=int(now + sla_s))).inserted_primary_key[0]
            self._queue(conn, alert_id, messages, now)
        return alert_id, case_id

    def fold_alert(self, alert_id: int, *, level: str, payload: Mapping[str, Any], now: float,
                   messages: Sequence[tuple[str, str, Mapping[str, Any], float]] = ()) -> None:
        """A later finding on the same event within the cooldown: update the alert (and queue
        messages when the level rose)."""
        with self._write() as conn:
            conn.execute(update(alerts).where(alerts.c.id == alert_id).values(
                level=level, payload=orjson.dumps(payload).decode(), updated_ts=int(now),
                updates=alerts.c.updates + 1))
            self._queue(conn, alert_id, messages, now)

    @staticmethod
    def _queue(conn, alert_id, messages, now) -> None:
        rows = [{"alert_id": alert_id, "channel": ch, "kind": kind, "payload": orjson.dumps(msg).decode(),
                 "state": "pending", "attempts": 0, "next_ts": not_before, "created_ts": now}
                for ch, kind, msg, not_before in messages]
        if rows:
            conn.execute(outbox.insert(), rows)

    def queue_messages(self, messages: Sequence[tuple[str, str, Mapping[str, Any], float]], now: float,
                       alert_id: int | None = None) -> None:
        with self._write() as conn:
            self._queue(conn, alert_id, messages, now)

    def recent_alert(self, event: str, since_ts: float, scheme: int | None = None) -> dict[str, Any] | None:
        """The latest alert of this scheme on this event created since then (the cooldown)."""
        with self.engine.connect() as conn:
            row = conn.execute(select(alerts).where(alerts.c.event == event, alerts.c.created_ts >= int(since_ts),
                                                    _of_scheme(scheme))
                               .order_by(alerts.c.created_ts.desc()).limit(1)).first()
        return _alert(row) if row else None

    def list_alerts(self, limit: int = 50, since_ts: float | None = None, level: str | None = None,
                    state: str | None = None, event: str | None = None) -> list[dict[str, Any]]:
        """Alerts newest first, each with its case state (the inbox); `state` is a case state or
        "open" (not yet 已办结 or 误报)."""
        query = (select(alerts, cases.c.id.label("case_id"), cases.c.state.label("case_state"),
                        cases.c.sla_due_ts, cases.c.assignee)
                 .join(cases, cases.c.alert_id == alerts.c.id, isouter=True)
                 .order_by(alerts.c.created_ts.desc(), alerts.c.id.desc()).limit(limit))
        if since_ts is not None:
            query = query.where(alerts.c.created_ts >= int(since_ts))
        if level:
            query = query.where(alerts.c.level == level)
        if state:
            query = query.where(cases.c.state.in_(OPEN_STATES) if state == "open" else cases.c.state == state)
        if event:
            query = query.where(alerts.c.event == event)
        if self.scheme_id is not None:
            query = query.where(_of_scheme(self.scheme_id))
        with self.engine.connect() as conn:
            return [_alert(r) for r in conn.execute(query)]

    def get_alert(self, alert_id: int) -> dict[str, Any] | None:
        with self.engine.connect() as conn:
            row = conn.execute(select(alerts).where(alerts.c.id == alert_id)).first()
        return _alert(row) if row else None

    def alerts_between(self, start_ts: float, end_ts: float, level: str | None = None) -> list[dict[str, Any]]:
        query = select(alerts).where(alerts.c.created_ts >= int(start_ts), alerts.c.created_ts < int(end_ts))
        if self.scheme_id is not None:
            query = query.where(_of_scheme(self.scheme_id))
        if level:
            query = query.where(alerts.c.level == level)
        with self.engine.connect() as conn:
            return [_alert(r) for r in conn.execute(query.order_by(alerts.c.created_ts))]

    def alert_counts(self) -> dict[str, Any]:
        """For `yuqing stats`: alerts by level, cases by state."""
        with self.engine.connect() as conn:
            mine = [_of_scheme(self.scheme_id)] if self.scheme_id is not None else []
            by_level = dict(conn.execute(select(alerts.c.level, func.count()).where(*mine).group_by(alerts.c.level)).all())
            by_state = dict(conn.execute(select(cases.c.state, func.count()).join(alerts, alerts.c.id == cases.c.alert_id)
                                         .where(*mine).group_by(cases.c.state)).all())
        return {"alerts": sum(by_level.values()), "alerts_by_level": by_level, "cases_by_state": by_state}

    def rule_outcomes(self, start_ts: float, end_ts: float) -> dict[str, dict[str, int]]:
        """{rule: {case state: alerts}} for alerts created in the period (误报 tunes the rules)."""
        with self.engine.connect() as conn:
            rows = conn.execute(select(alerts.c.rule, cases.c.state, func.count())
                                .join(cases, cases.c.alert_id == alerts.c.id)
                                .where(alerts.c.created_ts >= int(start_ts), alerts.c.created_ts < int(end_ts),
                                       *([_of_scheme(self.scheme_id)] if self.scheme_id is not None else []))
                                .group_by(alerts.c.rule, cases.c.state))
            out: dict[str, dict[str, int]] = {}
            for rule, state, n in rows:
                out.setdefault(rule, {})[state] = n
        return out

    # --- the outbox ------------------------------------------------------------------------
    def due_messages(self, now: float, limit: int = 100) -> list[dict[str, Any]]:
        with self.engine.connect() as conn:
            rows = conn.execute(select(outbox).where(outbox.c.state == "pending", outbox.c.next_ts <= now)
                                .order_by(outbox.c.next_ts, outbox.c.id).limit(limit))
            return [dict(r._mapping) | {"payload": orjson.loads(r.payload)} for r in rows]

    def message_sent(self, message_id: int, now: float) -> None:
        with self._write() as conn:
            conn.execute(update(outbox).where(outbox.c.id == message_id)
                         .values(state="sent", sent_ts=now, attempts=outbox.c.attempts + 1, last_error=None))

    def message_failed(self, message_id: int, error: str, retry_at: float | None) -> None:
        """Record a failed try: again at `retry_at`, or failed for good when None."""
        values = {"attempts": outbox.c.attempts + 1, "last_error": error[:1000]}
        values |= {"next_ts": retry_at} if retry_at is not None else {"state": "failed"}
        with self._write() as conn:
            conn.execute(update(outbox).where(outbox.c.id == message_id).values(**values))

    def outbox_counts(self) -> dict[str, int]:
        with self.engine.connect() as conn:
            return dict(conn.execute(select(outbox.c.state, func.count()).group_by(outbox.c.state)).all())

    def messages(self, state: str | None = None, kind: str | None = None) -> list[dict[str, Any]]:
        query = select(outbox).order_by(outbox.c.id)
        if state:
            query = query.where(outbox.c.state == state)
        if kind:
            query = query.where(outbox.c.kind == kind)
        with self.engine.connect() as conn:
            return [dict(r._mapping) | {"payload": orjson.loads(r.payload)} for r in conn.execute(query)]

    # --- cases -----------------------------------------------------------------------------
    def get_case(self, case_id: int) -> dict[str, Any] | None:
        with self.engine.connect() as conn:
            row = conn.execute(select(cases).where(cases.c.id == case_id)).first()
        return dict(row._mapping) if row else None

    def case_log(self, case_id: int) -> list[dict[str, Any]]:
        with self.engine.connect() as conn:
            return [dict(r._mapping) for r in conn.execute(select(case_log).where(case_log.c.case_id == case_id)
                                                            .order_by(case_log.c.ts, case_log.c.id))]

    def change_case(self, case_id: int, expect_state: str, user: str, action: str, now: float,
                    to_state: str | None = None, note: str | None = None, **fields: Any) -> bool:
        """Apply a change if the case is still in `expect_state`; log it. False if it moved on."""
        values = dict(fields)
        if to_state:
            values["state"] = to_state
        with self._write() as conn:
            if values:
                done = conn.execute(update(cases).where(cases.c.id == case_id, cases.c.state == expect_state)
                                    .values(**values)).rowcount
            else:
                done = conn.execute(select(func.count()).select_from(cases)
                                    .where(cases.c.id == case_id, cases.c.state == expect_state)).scalar_one()
            if not done:
                return False
            conn.execute(case_log.insert().values(case_id=case_id, ts=now, user=user, action=action,
                                                  from_state=expect_state, to_state=to_state or expect_state, note=note))
        return True

    def cases_to_escalate(self, now: float, share: float) -> list[dict[str, Any]]:
        """Open cases past `share` of their SLA, not yet escalated, with their alert."""
        with self.engine.connect() as conn:
            rows = conn.execute(select(cases, alerts.c.payload, alerts.c.title, alerts.c.level)
                                .join(alerts, alerts.c.id == cases.c.alert_id)
                                .where(cases.c.state.in_(OPEN_STATES), cases.c.escalated_ts.is_(None),
                                       cases.c.created_ts + (cases.c.sla_due_ts - cases.c.created_ts) * share <= now))
            return [dict(r._mapping) | {"payload": orjson.loads(r.payload)} for r in rows]

    def timeliness_rows(self, start_ts: float, end_ts: float) -> list[dict[str, Any]]:
        """Per alert created in the period: discovery, alert, first 已研判 and 已办结 times."""
        judged = (select(case_log.c.case_id, func.min(case_log.c.ts).label("judged_ts"))
                  .where(case_log.c.to_state == "已研判", case_log.c.action == "transition")
                  .group_by(case_log.c.case_id).subquery())
        query = (select(alerts.c.id, alerts.c.level, alerts.c.discovered_ts, alerts.c.created_ts, cases.c.state,
                        cases.c.closed_ts, judged.c.judged_ts)
                 .join(cases, cases.c.alert_id == alerts.c.id)
                 .join(judged, judged.c.case_id == cases.c.id, isouter=True)
                 .where(alerts.c.created_ts >= int(start_ts), alerts.c.created_ts < int(end_ts)))
        if self.scheme_id is not None:
            query = query.where(_of_scheme(self.scheme_id))
        with self.engine.connect() as conn:
            return [dict(r._mapping) for r in conn.execute(query)]

    # --- users and the audit log -------------------------------------------------------------
    def add_user(self, name: str, role: str, password_hash: str, department: str | None, by: str,
                 schemes: Sequence[int] | None = None) -> None:
        """Add a user; `schemes`: the only schemes they may see (None: every one)."""
        limited = ",".join(str(int(s)) for s in sorted(set(schemes))) if schemes else None
        with self._write() as conn:
            conn.execute(users.insert().values(name=name, role=role, password_hash=password_hash,
                                               department=department, created_ts=int(time.time()), disabled=0,
                                               schemes=limited))
            conn.execute(audit_log.insert().values(ts=time.time(), user=by, action="user.add", target=name,
                                                   detail=f"role={role}" + (f" schemes={limited}" if limited else "")))

    def get_user(self, name: str) -> dict[str, Any] | None:
        with self.engine.connect() as conn:
            row = conn.execute(select(users).where(users.c.name == name)).first()
        return dict(row._mapping) if row else None

    def list_users(self) -> list[dict[str, Any]]:
        with self.engine.connect() as conn:
            return [dict(r._mapping) for r in conn.execute(select(users.c.name, users.c.role, users.c.department,
                                                                   users.c.created_ts, users.c.disabled, users.c.schemes)
                                                            .order_by(users.c.name))]

    def change_user(self, name: str, by: str, **fields: Any) -> bool:
        """Change a user's role, department, password hash or disabled flag (audited). A new
        password, a new role or disabling ends every session of the user."""
        allowed = {"role", "department", "password_hash", "disabled", "schemes"}
        if "schemes" in fields:          # a list of scheme numbers, or None for every scheme
            fields["schemes"] = ",".join(str(int(x)) for x in sorted(set(fields["schemes"]))) if fields["schemes"] else None
        if not fields or set(fields) - allowed:
            raise ValueError(f"a user's {sorted(set(fields) - allowed)} cannot be changed")
        with self._write() as conn:
            n = conn.execute(update(users).where(users.c.name == name).values(**fields)).rowcount
            if n:
                conn.execute(audit_log.insert().values(ts=time.time(), user=by, action="user.change", target=name,
                                                       detail=_change_words(fields)))
                if {"password_hash", "role", "disabled", "schemes"} & set(fields):
                    conn.execute(update(sessions).where(sessions.c.user == name, sessions.c.revoked_ts.is_(None))
                                 .values(revoked_ts=int(time.time())))
        return bool(n)

    # --- sessions: the cookie holds a random id; the store decides whether it is live -----------
    def open_session(self, user: str, address: str | None) -> str:
        sid = secrets.token_urlsafe(32)
        with self._write() as conn:
            conn.execute(sessions.insert().values(sid_sha256=_digest(sid), user=user, address=address,
                                                  created_ts=int(time.time())))
        return sid

    def session_user(self, sid: str, max_age_s: float) -> str | None:
        """The user of a live session: not ended, not older than `max_age_s`."""
        with self.engine.connect() as conn:
            row = conn.execute(select(sessions.c.user).where(
                sessions.c.sid_sha256 == _digest(sid), sessions.c.revoked_ts.is_(None),
                sessions.c.created_ts > time.time() - max_age_s)).first()
        return row.user if row else None

    def end_session(self, sid: str) -> None:
        with self._write() as conn:
            conn.execute(update(sessions).where(sessions.c.sid_sha256 == _digest(sid)).values(
                revoked_ts=int(time.time()), flash=None))

    def set_flash(self, sid: str, text: str) -> None:
        with self._write() as conn:
            conn.execute(update(sessions).where(sessions.c.sid_sha256 == _digest(sid)).values(flash=text))

    def pop_flash(self, sid: str) -> str | None:
        with self._write() as conn:
            row = conn.execute(select(sessions.c.flash).where(sessions.c.sid_sha256 == _digest(sid))).first()
            if row and row.flash:
                conn.execute(update(sessions).where(sessions.c.sid_sha256 == _digest(sid)).values(flash=None))
                return row.flash
        return None

    # --- API tokens: only their SHA-256 is kept ------------------------------------------------
    def add_token(self, user: str, label: str, token_sha256: str, by: str) -> int:
        with self._write() as conn:
            token_id = conn.execute(api_tokens.insert().values(user=user, label=label, token_sha256=token_sha256,
                                                               created_ts=int(time.time()))).inserted_primary_key[0]
            conn.execute(audit_log.insert().values(ts=time.time(), user=by, action="token.add", target=user,
                                                   detail=f"#{token_id} {label}"))
        return token_id

    def token_user(self, token_sha256: str) -> str | None:
        """The user a live token acts as (and note its use, at most once a minute)."""
        now = int(time.time())
        with self.engine.connect() as conn:
            row = conn.execute(select(api_tokens.c.id, api_tokens.c.user, api_tokens.c.last_used_ts)
                               .where(api_tokens.c.token_sha256 == token_sha256, api_tokens.c.revoked_ts.is_(None))).first()
        if row is None:
            return None
        if (row.last_used_ts or 0) < now - 60:
            with self._write() as conn:
                conn.execute(update(api_tokens).where(api_tokens.c.id == row.id).values(last_used_ts=now))
        return row.user

    def list_tokens(self) -> list[dict[str, Any]]:
        with self.engine.connect() as conn:
            cols = [c for c in api_tokens.c if c.name != "token_sha256"]
            return [dict(r._mapping) for r in conn.execute(select(*cols).order_by(api_tokens.c.id))]

    def revoke_token(self, token_id: int, by: str) -> bool:
        with self._write() as conn:
            n = conn.execute(update(api_tokens).where(api_tokens.c.id == token_id, api_tokens.c.revoked_ts.is_(None))
                             .values(revoked_ts=int(time.time()))).rowcount
            if n:
                conn.execute(audit_log.insert().values(ts=time.time(), user=by, action="token.revoke",
                                                       target=f"#{token_id}"))
        return bool(n)

    def audit(self, user: str, action: str, target: str | None = None, detail: str | None = None) -> None:
        with self._write() as conn:
            conn.execute(audit_log.insert().values(ts=time.time(), user=user, action=action, target=target,
                                                   detail=detail))

    @staticmethod
    def _failures(conn, user: str, address: str, since_ts: float) -> int:
        """Failed (and unfinished) logins of this user from this address since then, and since
        their last login from it (the throttle; kept in the store so that every server process
        and a restart see the same count)."""
        last_ok = conn.execute(select(func.max(audit_log.c.ts)).where(
            audit_log.c.user == user, audit_log.c.action == "login", audit_log.c.target == address)).scalar()
        return conn.execute(select(func.count()).select_from(audit_log).where(
            audit_log.c.user == user, audit_log.c.action.in_(("login.failed", "login.attempt")),
            audit_log.c.target == address, audit_log.c.ts > max(since_ts, last_ok or 0))).scalar_one()

    def begin_login(self, user: str, address: str, since_ts: float, limit: int) -> int | None:
        """Take one of the allowed attempts, atomically: return the attempt's id, or None when
        `limit` failures (or attempts under way) are already counted. Counting and recording in
        one write transaction is what makes 40 simultaneous guesses get 5 tries, not 23."""
        with self._write() as conn:
            if self._failures(conn, user, address, since_ts) >= limit:
                conn.execute(audit_log.insert().values(ts=time.time(), user=user, action="login.throttled",
                                                       target=address))
                return None
            return conn.execute(audit_log.insert().values(ts=time.time(), user=user, action="login.attempt",
                                                          target=address)).inserted_primary_key[0]

    def finish_login(self, attempt_id: int, ok: bool) -> None:
        """Record how an attempt ended (it becomes a login, or a failure)."""
        with self._write() as conn:
            conn.execute(update(audit_log).where(audit_log.c.id == attempt_id).values(
                action="login" if ok else "login.failed", ts=time.time()))

    def audit_entries(self, limit: int = 100) -> list[dict[str, Any]]:
        with self.engine.connect() as conn:
            return [dict(r._mapping) for r in conn.execute(select(audit_log).order_by(audit_log.c.id.desc()).limit(limit))]


def _digest(sid: str) -> str:
    return hashlib.sha256(sid.encode()).hexdigest()


def _alert(row) -> dict[str, Any]:
    d = dict(row._mapping)
    d["payload"] = orjson.loads(d["payload"])
    return d


def _of_scheme(scheme: int | None):
    """Alerts raised for this scheme (scheme 1's are stored with NULL, as before schemes)."""
    return alerts.c.scheme.is_(None) if scheme in (None, 1) else alerts.c.scheme == int(scheme)
