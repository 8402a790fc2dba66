"""A throwaway PostgreSQL server for tests: initdb in a temp dir, a free port on 127.0.0.1, stopped by PID.

Used by the tests (the `postgres_url` fixture) and by scripts/make_mediacrawler_fixtures.py's
caller. As root, the server runs as the `postgres` user (initdb refuses root)."""

from __future__ import annotations

import contextlib
import glob
import os
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path
from typing import Iterator


def bindir() -> Path | None:
    """Where initdb and pg_ctl are (Debian puts them under /usr/lib/postgresql/N/bin), or None."""
    found = shutil.which("pg_ctl")
    if found:
        return Path(os.path.realpath(found)).parent
    versions = sorted(glob.glob("/usr/lib/postgresql/*/bin/pg_ctl"))
    return Path(versions[-1]).parent if versions else None


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


_running: dict[str, tuple[list[str], Path, Path, Path, int]] = {}


def restart(url: str, down_s: float = 1.0) -> None:
    """Stop a server this module started (immediate: what a crash looks like) and start it again
    on the same port and data (a database restart under running clients)."""
    as_user, bins, data, base, port = _running[url]
    subprocess.run(as_user + [str(bins / "pg_ctl"), "-D", str(data), "-m", "immediate", "stop"],
                   check=True, capture_output=True)
    time.sleep(down_s)
    subprocess.run(as_user + [str(bins / "pg_ctl"), "-D", str(data), "-l", str(base / "log"), "-w", "-o",
                              f"-p {port} -h 127.0.0.1 -k {base} -c fsync=off -c full_page_writes=off",
                              "start"], check=True, capture_output=True)


@contextlib.contextmanager
def postgres() -> Iterator[str]:
    """Run a PostgreSQL server for the block; yield its URL (user postgres, no password, db postgres)."""
    bins = bindir()
    if bins is None:
        raise RuntimeError("PostgreSQL is not installed (no pg_ctl)")
    base = Path(tempfile.mkdtemp(prefix="yuqing-pg-"))
    as_user: list[str] = []
    if os.geteuid() == 0:
        shutil.chown(base, "postgres", "postgres")
        as_user = ["runuser", "-u", "postgres", "--"]
    data, port = base / "data", free_port()
    subprocess.run(as_user + [str(bins / "initdb"), "-D", str(data), "-U", "postgres", "-A", "trust",
                              "-E", "UTF8", "--no-locale"], check=True, capture_output=True)
    subprocess.run(as_user + [str(bins / "pg_ctl"), "-D", str(data), "-l", str(base / "log"), "-w", "-o",
                              f"-p {port} -h 127.0.0.1 -k {base} -c fsync=off -c full_page_writes=off",
                              "start"], check=True, capture_output=True)
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), 0.5):
                break
            time.sleep(0.1)
        url = f"postgresql://postgres@127.0.0.1:{port}/postgres"
        _running[url] = (as_user, bins, data, base, port)
        yield url
    finally:
        subprocess.run(as_user + [str(bins / "pg_ctl"), "-D", str(data), "-m", "immediate", "stop"],
                       capture_output=True)
        shutil.rmtree(base, ignore_errors=True)


if __name__ == "__main__":      # python tests/pgserver.py: a server until Ctrl-C (for scripts)
    with postgres() as url:
        print(url, flush=True)
        with contextlib.suppress(KeyboardInterrupt):
            while True:
                time.sleep(3600)
