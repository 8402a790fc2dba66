"""Cases (处置工单): every alert opens one; it moves 待研判 → 已研判 → 已上报 → 处置中 → 已办结, or
closes as 误报. Each step is taken by a named user whose role allows it, and logged (who, when,
from, to). A transition that is not allowed — wrong role or wrong state — raises and changes nothing.
"""

from __future__ import annotations

import time

from .users import PermissionDenied, User, require

STATES = ("待研判", "已研判", "已上报", "处置中", "已办结", "误报")
CLOSED = ("已办结", "误报")

# (from, to): the roles that may take that step
TRANSITIONS: dict[tuple[str, str], set[str]] = {
    ("待研判", "已研判"): {"analyst", "admin"},
    ("待研判", "误报"): {"analyst", "admin"},
    ("已研判", "已上报"): {"analyst", "admin"},
    ("已研判", "误报"): {"analyst", "admin"},
    ("已上报", "处置中"): {"leader", "admin"},
    ("处置中", "已办结"): {"analyst", "leader", "admin"},
}


class CaseError(Exception):
    pass


def transition(store, case_id: int, to_state: str, user: User, note: str | None = None,
               response: str | None = None, now: float | None = None) -> dict:
    """Move a case to `to_state`; return the case as it is now."""
    now = now or time.time()
    case = store.get_case(case_id)
    if case is None:
        raise CaseError(f"no case {case_id}")
    if to_state not in STATES:
        raise CaseError(f"{to_state!r} is not a case state; states: {STATES}")
    step = (case["state"], to_state)
    if step not in TRANSITIONS:
        raise CaseError(f"case {case_id} is {case['state']}: it cannot go to {to_state}")
    if user.role not in TRANSITIONS[step]:
        raise PermissionDenied(f"{user.name} ({user.role}) may not move a case from {step[0]} to {step[1]}")
    fields = {"closed_ts": int(now)} if to_state in CLOSED else {}
    if response is not None:
        fields["response"] = response
    if not store.change_case(case_id, case["state"], user.name, "transition", now, to_state, note, **fields):
        raise CaseError(f"case {case_id} changed meanwhile; it is no longer {case['state']}")
    return store.get_case(case_id)


def assign(store, case_id: int, user: User, assignee: str | None = None, department: str | None = None,
           now: float | None = None) -> dict:
    """Give an open case to a user and/or a department (leaders and admins)."""
    require(user, "case.assign")
    case = _open(store, case_id)
    note = "、".join(x for x in (assignee and f"人员 {assignee}", department and f"部门 {department}") if x)
    if not store.change_case(case_id, case["state"], user.name, "assign", now or time.time(), note=note,
                             **{k: v for k, v in (("assignee", assignee), ("department", department)) if v}):
        raise CaseError(f"case {case_id} changed meanwhile")
    return store.get_case(case_id)


def add_note(store, case_id: int, user: User, note: str, now: float | None = None) -> None:
    require(user, "case.note")
    case = _open(store, case_id, closed_ok=True)
    store.change_case(case_id, case["state"], user.name, "note", now or time.time(), note=note)


def _open(store, case_id: int, closed_ok: bool = False) -> dict:
    case = store.get_case(case_id)
    if case is None:
        raise CaseError(f"no case {case_id}")
    if case["state"] in CLOSED and not closed_ok:
        raise CaseError(f"case {case_id} is closed ({case['state']})")
    return case
