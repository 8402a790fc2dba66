"""Writing the files people edit (yuqing.toml, the scheme): whole or not at all, the previous
version kept, and a scheme checked by the loader the commands use before it replaces the old one."""

from __future__ import annotations

import os
import re
import secrets
from pathlib import Path


def write_atomic(path: Path, text: str) -> None:
    """Replace a config file whole (a crash leaves the old or the new one, never half), keeping
    the previous version as `<name>.bak`."""
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    tmp.write_text(text, encoding="utf-8")
    if path.exists():
        path.with_name(path.name + ".bak").write_bytes(path.read_bytes())
    os.replace(tmp, path)


def check_scheme_text(text: str, directory: Path):
    """Load a scheme from text with the commands' loader; return (scheme, None) or (None, error)."""
    from .scheme import SchemeError, load_scheme
    from .starter import known_region

    tmp = directory / f".scheme-check-{secrets.token_hex(4)}.yaml"
    try:
        tmp.write_text(text, encoding="utf-8")
        return load_scheme(tmp, known_region=known_region), None
    except SchemeError as exc:
        return None, str(exc).replace(str(tmp), "方案")
    finally:
        tmp.unlink(missing_ok=True)


# --- the scheme's versions ------------------------------------------------------------------------

DEFAULT_SCHEME = "default"     # the one configured scheme file; named schemes come with issue 17


def remember_scheme(store, path: Path) -> None:
    """Keep the scheme file as the first version when the store holds none yet (an install
    from before versions, or a file edited by hand since: what was there is never lost)."""
    if path.exists():
        text = path.read_text(encoding="utf-8")
        last = store.scheme_version(DEFAULT_SCHEME)
        if last is None or last["text"] != text:
            store.add_scheme_version(DEFAULT_SCHEME, text, "系统", "方案文件的现状" if last else "首次记录",
                                     applied=last is None)


def save_scheme(store, path: Path, text: str, by: str, note: str) -> int:
    """Write the scheme file (whole, the old one kept as .bak) and keep the text as its next
    version with who and why; return the version. The caller has checked the text."""
    import hashlib

    remember_scheme(store, path)
    write_atomic(path, text)
    version = store.add_scheme_version(DEFAULT_SCHEME, text, by, note)
    store.audit(by, "scheme.save", str(path), f"第 {version} 版（{note}）{hashlib.sha256(text.encode()).hexdigest()[:16]}")
    return version


def scheme_diff(store, old: int, new: int | None = None, key: str = DEFAULT_SCHEME) -> list[str]:
    """The lines that changed from version `old` to `new` (the latest without it), unified diff."""
    import difflib

    a, b = store.scheme_version(key, old), store.scheme_version(key, new)
    if a is None or b is None:
        raise KeyError(f"没有第 {old if a is None else new} 版方案")
    return list(difflib.unified_diff(a["text"].splitlines(), b["text"].splitlines(),
                                     f"第 {a['version']} 版", f"第 {b['version']} 版", lineterm=""))


def rollback_scheme(store, path: Path, version: int, by: str, key: str = DEFAULT_SCHEME) -> tuple[int | None, str | None]:
    """Make version `version` the scheme again (as a new version: history only grows); checked
    like a save. Return (the new version, None) or (None, the error)."""
    old = store.scheme_version(key, version)
    if old is None:
        return None, f"没有第 {version} 版方案"
    if key == DEFAULT_SCHEME:
        _scheme, error = check_scheme_text(old["text"], path.parent)
        if error:
            return None, f"第 {version} 版已不能使用：{error}"
        return save_scheme(store, path, old["text"], by, f"回滚到第 {version} 版"), None
    return put_scheme(store, path, key, old["text"], by, f"回滚到第 {version} 版")


KEY = re.compile(r"^[A-Za-z0-9_\-\u4e00-\u9fff]{1,40}$")


def key_problem(key: str) -> str | None:
    """Why a scheme key cannot be used (a Chinese sentence), or None."""
    if not KEY.match(key or ""):
        return f"方案标识「{key}」只能用 1–40 个汉字、字母、数字、- 或 _"
    if key.isdigit():
        return f"方案标识「{key}」不能全是数字（数字用来指方案的序号）"
    return None


def put_scheme(store, path: Path, key: str, text: str, by: str, note: str,
               owner: str | None = None) -> tuple[int | None, str | None]:
    """Save a scheme's text as its next version, checked like the file (scheme 1, `default`,
    is the file `path` itself); return (the version, None) or (None, the error). A new version
    is applied to stored history in the background (`yuqing run`, or `yuqing scheme apply`)."""
    import hashlib

    problem = key_problem(key)
    if problem:
        return None, problem
    _scheme, error = check_scheme_text(text, path.parent)
    if error:
        return None, error
    if key == DEFAULT_SCHEME:
        return save_scheme(store, path, text, by, note), None
    from .store.schemes import scheme_name

    name = scheme_name(text) or key
    same = next((r for r in store.schemes() if r["name"] == name and r["key"] != key), None)
    if same is not None:
        return None, f"已有同名方案「{name}」（标识 {same['key']}）：请换一个 name"
    version = store.add_scheme_version(key, text, by, note, owner=owner)
    store.audit(by, "scheme.save", key, f"第 {version} 版（{note}）{hashlib.sha256(text.encode()).hexdigest()[:16]}")
    return version, None
