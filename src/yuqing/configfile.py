"""Writing the files people edit (yuqing.toml, the scheme): whole or not at all, the previous
version kept, and a scheme checked by the loader the commands use before it replaces the old one."""

from __future__ import annotations

import os
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
