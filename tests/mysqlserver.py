"""A throwaway MariaDB (MySQL) server for tests: a temp data dir, a free port on 127.0.0.1,
stopped by PID. Used by the `mysql_url` fixture and for writing MediaCrawler's MySQL fixture."""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from pathlib import Path
from typing import Iterator

from pgserver import free_port


def server_binary() -> str | None:
    return shutil.which("mariadbd") or shutil.which("mysqld") or (
        "/usr/sbin/mariadbd" if Path("/usr/sbin/mariadbd").exists() else None)


def client_binary() -> str | None:
    return shutil.which("mariadb") or shutil.which("mysql")


@contextlib.contextmanager
def mysql() -> Iterator[str]:
    """Run a MariaDB server for the block; yield its URL (user root, no password)."""
    binary = server_binary()
    install = shutil.which("mariadb-install-db") or shutil.which("mysql_install_db")
    if binary is None or install is None:
        raise RuntimeError("MariaDB is not installed (no mariadbd / mariadb-install-db)")
    base = Path(tempfile.mkdtemp(prefix="yuqing-my-"))
    data, port, sock = base / "data", free_port(), base / "sock"
    user = ["--user=root"] if os.geteuid() == 0 else []
    subprocess.run([install, f"--datadir={data}", "--auth-root-authentication-method=normal",
                    "--skip-test-db", *user], check=True, capture_output=True)
    proc = subprocess.Popen([binary, "--no-defaults", f"--datadir={data}", f"--port={port}", "--bind-address=127.0.0.1",
                             f"--socket={sock}", f"--pid-file={base / 'pid'}", "--skip-log-bin",
                             "--character-set-server=utf8mb4", "--collation-server=utf8mb4_unicode_ci",
                             "--innodb-flush-log-at-trx-commit=0", *user],
                            stdout=subprocess.DEVNULL, stderr=open(base / "log", "wb"))
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), 0.5):
                break
            if proc.poll() is not None:
                raise RuntimeError(f"mariadbd exited: {(base / 'log').read_text(errors='replace')[-2000:]}")
            time.sleep(0.1)
        yield f"mysql://root@127.0.0.1:{port}/mysql"
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(20)
        except subprocess.TimeoutExpired:
            proc.kill()
        shutil.rmtree(base, ignore_errors=True)


if __name__ == "__main__":      # python tests/mysqlserver.py: a server until Ctrl-C (for scripts)
    with mysql() as url:
        print(url, flush=True)
        with contextlib.suppress(KeyboardInterrupt):
            while True:
                time.sleep(3600)
