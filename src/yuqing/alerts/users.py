"""Users, roles and what each role may do — checked here, in the library, not only in the web layer.

Passwords are hashed with scrypt (hashlib, a memory-hard KDF) and a random salt per user.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
from dataclasses import dataclass
from typing import Iterable

ROLES = ("analyst", "leader", "admin")

# what each action needs; a case's transitions have their own table (cases.py)
PERMISSIONS = {
    "case.assign": {"leader", "admin"},
    "case.note": {"analyst", "leader", "admin"},
    "user.add": {"admin"},
    "user.manage": {"admin"},        # roles, passwords, disabling; API tokens
    "scheme.edit": {"admin"},        # saving a scheme (anyone may preview one)
    "relevance.judge": {"analyst", "admin"},   # answering 疑似涉及, correcting an item's yes/no
    "source.edit": {"admin"},
    "alert.view": {"analyst", "leader", "admin"},
    "audit.view": {"admin"},
    "report.make": {"analyst", "leader", "admin"},
    "report.edit": {"analyst", "leader", "admin"},   # the 研判与建议 text, before it is issued
    "report.issue": {"leader", "admin"},             # 签发
}

_N, _R, _P = 2**14, 8, 1        # 16 MiB of memory per hash; ~50 ms


class PermissionDenied(Exception):
    pass


@dataclass(frozen=True)
class User:
    name: str
    role: str
    department: str | None = None
    schemes: tuple[int, ...] | None = None     # the schemes this user may see; None: every one


def parse_schemes(value: str | None) -> tuple[int, ...] | None:
    """A user's schemes as stored ("2,5"); None or "" is every scheme."""
    if not value:
        return None
    return tuple(sorted({int(v) for v in value.split(",") if v.strip().isdigit()})) or None


def may_see(user: User, schemes: Iterable[int | None]) -> bool:
    """Whether the user may see something that belongs to these schemes (an item they involve,
    an event one of its items involves, an alert or report made for one; None is scheme 1)."""
    if user.schemes is None:
        return True
    return bool({1 if s is None else int(s) for s in schemes} & set(user.schemes))


def require_scheme(user: User, schemes: Iterable[int | None], what: str = "这条内容") -> None:
    """Raise PermissionDenied unless the user may see something of these schemes."""
    if not may_see(user, schemes):
        raise PermissionDenied(f"{user.name} 只能查看分配给他的监测方案，{what}不属于这些方案")


def scheme_in_view(user: User, requested: int | None, known: Iterable[int]) -> int | None:
    """The scheme a user's pages show: the one asked for, if the user may see it; a user limited
    to some schemes never sees the store as a whole (None), but the first of theirs. Raise
    PermissionDenied for a scheme the user may not see."""
    known = list(known)
    if requested is not None:
        if requested not in known:
            raise PermissionDenied(f"没有第 {requested} 个方案")
        require_scheme(user, [requested], "这个方案")
        return requested
    if user.schemes is None:
        return None
    mine = [s for s in known if s in user.schemes]
    if not mine:
        raise PermissionDenied(f"{user.name} 没有可查看的监测方案，请管理员在用户页分配")
    return mine[0]


def hash_password(password: str, salt: bytes | None = None) -> str:
    if len(password) < 8:
        raise ValueError("a password needs at least 8 characters")
    salt = salt or os.urandom(16)
    digest = hashlib.scrypt(password.encode(), salt=salt, n=_N, r=_R, p=_P, dklen=32)
    return f"scrypt${_N}${_R}${_P}${base64.b64encode(salt).decode()}${base64.b64encode(digest).decode()}"


def verify_password(password: str, stored: str) -> bool:
    try:
        kind, n, r, p, salt, digest = stored.split("$")
        if kind != "scrypt":
            return False
        got = hashlib.scrypt(password.encode(), salt=base64.b64decode(salt), n=int(n), r=int(r), p=int(p),
                             dklen=len(base64.b64decode(digest)))
    except (ValueError, TypeError):
        return False
    return hmac.compare_digest(got, base64.b64decode(digest))


def require(user: User, action: str) -> None:
    """Raise PermissionDenied unless the user's role may do `action`."""
    if user.role not in PERMISSIONS.get(action, ()):
        raise PermissionDenied(f"{user.name} ({user.role}) may not {action}")
