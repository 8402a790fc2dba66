"""The web and API against hostile use: out-of-range parameters on every route, any text typed
as a query, sessions that end when they should, the login throttle raced, a YAML bomb, and what
leaves the system in office files (DOCX, the 绩效自评 spreadsheet)."""

from __future__ import annotations

import csv
import io
import random
import re
import sqlite3
import statistics
import subprocess
import sys
import threading
import time

import pytest
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient

from conftest import ROOT, analysed_demo_store, wait_for
from yuqing.alerts.users import hash_password
from yuqing.web.app import LOGIN_FAILURES, create_app

PASSWORD = "一个足够长的密码"
ODD = ["-1", "0", "-999999999999999999999", "99999999999999999999999", "1e309", "NaN", "inf", "abc", "",
       "9999", "0001", "2026-13-45", "9999-12-31", "\x00", "%00", "'\"<>", "a" * 5000, "-", ".", "_", "*", "OR",
       "COVID-19", "3.15晚会", "(", ")", "NEAR(a b)", "a:b", "^", "{", "}", "::", "99999999d", "1e9s", "%ED%A0%80"]


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    s, store = analysed_demo_store(tmp_path_factory.mktemp("webh"), [])
    for name, role in (("小王", "analyst"), ("李科长", "leader"), ("管理员", "admin")):
        store.add_user(name, role, hash_password(PASSWORD), None, by="test")
    return create_app(s, store), store


def csrf_of(html: str) -> str:
    return re.search(r'name="csrf" value="([^"]+)"', html).group(1)


def login(client, name="管理员", password=PASSWORD):
    token = csrf_of(client.get("/login").text)
    return client.post("/login", data={"name": name, "password": password, "csrf": token}, follow_redirects=False)


def test_out_of_range_and_odd_parameters_on_every_route_give_no_500(site):
    """Every GET route, every parameter it takes, each odd value: an answer, never a 500, fast;
    and no `limit` is unbounded."""
    app, store = site
    client = TestClient(app, raise_server_exceptions=False)
    assert login(client).status_code == 303
    event = store.list_events(None, 1)[0]["id"]
    checked, bad = 0, []
    for route in app.routes:
        if not isinstance(route, APIRoute) or "GET" not in route.methods:
            continue
        names = {p.name for p in route.dependant.query_params}
        if route.path in ("/search", "/search/export.{fmt}", "/api/items"):
            names |= {"q", "since", "platform", "source", "category", "sentiment", "risk", "place", "event"}
        path = (route.path.replace("{event_id}", event).replace("{item_id:path}", "x").replace("{case_id}", "1")
                .replace("{fmt}", "csv").replace("{report_id:int}", "1").replace("{report_id}", "1"))
        base = {"q": "火灾"} if "q" in names else {}
        for name in names:
            for value in ODD:
                started = time.monotonic()
                r = client.get(path, params={**base, name: value}, follow_redirects=False)
                checked += 1
                if r.status_code >= 500 or time.monotonic() - started > 3:
                    bad.append((path, name, value[:20], r.status_code))
        for value in ODD[:12]:
            if "{" in route.path:
                checked += 1
                r = client.get(re.sub(r"\{[^}]+\}", value.replace("/", "") or "x", route.path), follow_redirects=False)
                if r.status_code >= 500:
                    bad.append((route.path, "path", value[:20], r.status_code))
    assert checked > 500 and not bad, bad
    for url in ("/api/events?limit=-1", "/api/alerts?limit=-1", "/api/items?q=火灾&limit=-1", "/api/reports?limit=0",
                "/api/kpi?year=9999", "/alerts?limit=-1"):
        assert client.get(url).status_code == 422, url


def _queries(data, n_real: int = 500, n_odd: int = 500) -> list[str]:
    """Real queries (words and pairs from citizen message titles) and odd ones (operators,
    punctuation, scripts, lengths) — a thousand of each kind of thing a person might type."""
    rng = random.Random(19)
    with open(data / "zhihui_zhengwu/fj3_messages_with_votes.csv", encoding="utf-8-sig") as f:
        titles = [r["留言主题"] for r in csv.DictReader(f)][:3000]
    real = []
    while len(real) < n_real:
        t = rng.choice(titles)
        a = rng.randrange(max(1, len(t) - 4))
        real.append(t[a:a + rng.randint(2, 8)] + (" " + rng.choice(titles)[:3] if rng.random() < 0.3 else ""))
    pieces = ["-", ".", "_", "*", '"', "'", "(", ")", ":", "^", "+", "~", "|", "&", "!", "OR", "AND", "NOT", "NEAR",
              "COVID-19", "3.15", "晚会", "广阳区", "a-b-c", "x.y.z", "__", "\\", "/", "%", "$", "#", "@", "?", "[", "]",
              "{", "}", "<script>", "　", "\t", "😀", "𠀀", "ｆｕｌｌ", "Ⅷ", "①", "½", "ά", "ß", "İ", "\u200b", "\u202e", "العربية"]
    odd = []
    for _ in range(n_odd):
        odd.append("".join(rng.choice(pieces) for _ in range(rng.randint(1, 6))))
    return real + odd + ["a" * 3000, "广" * 2000, " ".join(["火灾"] * 300)]


def test_any_text_typed_as_a_query_is_answered(site, data):
    """1,000 real and odd queries through the page, the API, the export and the store (the CLI's
    path): 0 errors; what a person types with - . _ finds what it names."""
    app, store = site
    client = TestClient(app, raise_server_exceptions=False)
    login(client)
    queries = _queries(data)
    errors = []
    for i, q in enumerate(queries):
        store.search(q, limit=5)                       # raises on an FTS5 syntax error
        for url in ("/search", "/api/items") + (("/search/export.csv",) if i % 10 == 0 else ()):
            r = client.get(url, params={"q": q})
            if r.status_code >= 500:
                errors.append((url, q[:30], r.status_code))
    assert not errors, errors[:10]
    assert len(queries) >= 1000
    from yuqing.ingest import try_normalize
    from datetime import datetime, timezone

    now = datetime.now(timezone.utc)
    store.upsert_items([try_normalize({"id": f"q{i}", "text": t, "platform": "news"}, now=now, origin="t")
                        for i, t in enumerate(["COVID-19 疫情防控通报", "3.15晚会曝光问题商品", "变量 user_name 泄露"])])
    assert [h.id for h in store.search("COVID-19")] == ["news:q0"]
    assert [h.id for h in store.search("3.15晚会")] == ["news:q1"]
    assert [h.id for h in store.search("user_name")] == ["news:q2"]


def test_the_cli_search_takes_odd_queries(tmp_path, settings, store):
    env = {"PATH": "/usr/bin:/bin", "YUQING_DATABASE_URL": settings.database_url, "PYTHONPATH": str(ROOT / "src")}
    for q in ("COVID-19", "3.15晚会", "a_b", '"', "OR", "*", "NEAR(", "\\"):
        r = subprocess.run([sys.executable, "-m", "yuqing.cli", "search", q, "--json"], env=env, capture_output=True,
                           text=True, timeout=60)
        assert r.returncode == 0 and "Traceback" not in r.stderr, (q, r.stderr[-500:])


def test_a_session_ends_at_logout_and_at_a_password_change_everywhere(site):
    app, store = site
    a = TestClient(app)
    assert login(a, "小王").status_code == 303
    cookie = a.cookies.get("yuqing_session")
    copy = TestClient(app)
    copy.cookies.set("yuqing_session", cookie)                     # the same cookie, copied elsewhere
    assert copy.get("/", follow_redirects=False).status_code == 200
    a.post("/logout", data={"csrf": csrf_of(a.get("/").text)})
    assert copy.get("/", follow_redirects=False).status_code == 303   # ended on the server, not only here
    b, admin = TestClient(app), TestClient(app)
    login(b, "小王")
    login(admin)
    assert b.get("/", follow_redirects=False).status_code == 200
    admin.post("/users", data={"csrf": csrf_of(admin.get("/users").text), "action": "password", "name": "小王",
                               "password": PASSWORD + "新"})
    assert b.get("/", follow_redirects=False).status_code == 303       # a reset password ends its sessions
    assert login(b, "小王", PASSWORD + "新").status_code == 303
    store.change_user("小王", "test", password_hash=hash_password(PASSWORD))


def test_no_secret_in_the_cookie_and_no_page_kept_by_a_cache(site):
    import base64
    import json

    app, store = site
    admin = TestClient(app)
    login(admin)
    r = admin.post("/users", data={"csrf": csrf_of(admin.get("/users").text), "action": "token", "name": "小王",
                                   "label": "OA"}, follow_redirects=False)
    cookie = admin.cookies.get("yuqing_session")
    payload = json.loads(base64.b64decode(cookie.split(".")[0] + "=="))
    assert set(payload) <= {"sid", "csrf"} and "yq_" not in cookie            # the token is not in it
    page = admin.get(r.headers["location"]).text
    token = re.search(r"yq_[A-Za-z0-9_-]+", page).group(0)                   # shown once, on the next page…
    assert token not in admin.get("/users").text                             # …and never again
    assert TestClient(app).get("/api/me", headers={"Authorization": f"Bearer {token}"}).json()["name"] == "小王"
    for url in ("/", "/search?q=火灾", "/api/me", "/login"):
        assert admin.get(url).headers["cache-control"] == "no-store", url
    assert "no-store" not in admin.get("/static/app.css").headers.get("cache-control", "")


def test_the_login_throttle_holds_against_simultaneous_guesses(site):
    """40 guesses at once from one address: 5 are tried, the others are refused (429)."""
    app, store = site
    statuses: list[int] = []
    clients = [TestClient(app) for _ in range(40)]
    tokens = [csrf_of(c.get("/login").text) for c in clients]
    barrier = threading.Barrier(40)

    def guess(c, token):
        barrier.wait()
        r = c.post("/login", data={"name": "李科长", "password": "wrong-guess-1", "csrf": token}, follow_redirects=False)
        statuses.append(r.status_code)

    threads = [threading.Thread(target=guess, args=(c, t)) for c, t in zip(clients, tokens)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert statuses.count(200) == LOGIN_FAILURES and statuses.count(429) == 40 - LOGIN_FAILURES, statuses
    assert login(TestClient(app), "李科长").status_code == 429       # the right password waits too


def test_login_takes_as_long_for_a_user_that_does_not_exist(site):
    app, _ = site
    c = TestClient(app)

    def timed(name: str) -> float:
        token = csrf_of(c.get("/login").text)
        started = time.perf_counter()
        c.post("/login", data={"name": name, "password": "not-the-password", "csrf": token})
        return time.perf_counter() - started

    # a fresh name each time: the throttle counts per user and address
    exists = [timed("管理员") for _ in range(3)]
    missing = [timed(f"无此人{i}") for i in range(3)]
    ratio = statistics.median(missing) / statistics.median(exists)
    assert 0.6 < ratio < 1.6, (exists, missing)


def test_a_yaml_bomb_in_the_scheme_preview_is_refused_at_once(site):
    app, _ = site
    c = TestClient(app)
    login(c, "小王")
    bomb = ('a: &a ["x","x","x","x","x","x","x","x","x"]\nb: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]\n'
            'c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]\nd: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]\ne: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]\n'
            'f: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]\ng: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f]\nh: [*g,*g,*g,*g,*g,*g,*g,*g,*g]\n')
    started = time.monotonic()
    r = c.post("/scheme", data={"csrf": csrf_of(c.get("/scheme").text), "text": bomb, "action": "preview"})
    assert r.status_code == 200 and "锚点与别名" in r.text and time.monotonic() - started < 2
    deep = "a: " + "[" * 5000 + "]" * 5000
    r = c.post("/scheme", data={"csrf": csrf_of(c.get("/scheme").text), "text": deep, "action": "preview"})
    assert r.status_code == 200 and "嵌套" in r.text


def test_control_characters_in_a_report_edit_cannot_break_its_docx(site):
    from datetime import date

    from docx import Document

    from yuqing.reports.make import make_report

    app, store = site
    report_id = make_report(store, app.state.web.settings, "daily", "test", date(2026, 11, 28))
    c = TestClient(app)
    login(c, "小王")
    c.post(f"/reports/{report_id}/edit", data={"csrf": csrf_of(c.get(f"/reports/{report_id}").text),
                                               "text": "需持续\x00关注\x01。\x1b[31m\ufffe", "action": "save"})
    r = c.get(f"/reports/{report_id}.docx")
    assert r.status_code == 200
    assert "需持续关注。[31m" in "\n".join(p.text for p in Document(io.BytesIO(r.content)).paragraphs)
    assert c.get(f"/reports/{report_id}.pdf").status_code == 200


def test_a_leaders_note_is_text_in_the_kpi_spreadsheet(site):
    import openpyxl

    app, store = site
    c = TestClient(app)
    assert login(c).status_code == 303
    note = '=HYPERLINK("http://evil.example","点击")'
    c.post("/kpi/note", data={"csrf": csrf_of(c.get("/kpi").text), "year": 2026, "indicator": "ecology",
                              "text": note, "score": 8})
    r = c.get("/kpi/export.xlsx?year=2026")
    assert r.status_code == 200, r.text[:300]
    book = openpyxl.load_workbook(io.BytesIO(r.content))
    cells = [cell for row in book.active.iter_rows() for cell in row if cell.value and "HYPERLINK" in str(cell.value)]
    assert cells and all(cell.data_type == "s" and not str(cell.value).startswith("=") for cell in cells)


def test_x_forwarded_for_is_believed_only_from_a_configured_proxy(tmp_path):
    """The real `yuqing serve`: a forged X-Forwarded-For from 127.0.0.1 is not the client's
    address (the audit log keeps the real one) unless 127.0.0.1 is a configured proxy."""
    import socket

    import httpx

    from yuqing.store import open_store

    def address_logged(config: str) -> str:
        (tmp_path / "yuqing.toml").write_text(f'database_url = "sqlite:///x.db"\n{config}', encoding="utf-8")
        store = open_store(f"sqlite:///{tmp_path}/x.db")
        if store.get_user("u") is None:
            store.add_user("u", "analyst", hash_password(PASSWORD), None, by="t")
        sock = socket.socket()
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
        sock.close()
        proc = subprocess.Popen([sys.executable, "-m", "yuqing.cli", "serve", "--port", str(port), "--workers", "1"],
                                cwd=tmp_path, env={"PATH": "/usr/bin:/bin", "PYTHONPATH": str(ROOT / "src")},
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            base = f"http://127.0.0.1:{port}"

            def up():
                try:
                    return httpx.get(base + "/login", timeout=1).status_code == 200
                except httpx.HTTPError:
                    return False

            wait_for(up, timeout=30)
            with httpx.Client(base_url=base) as c:
                token = csrf_of(c.get("/login").text)
                c.post("/login", data={"name": "u", "password": "wrong-password", "csrf": token},
                       headers={"X-Forwarded-For": "203.0.113.7"})
        finally:
            proc.terminate()
            proc.wait(10)
        with sqlite3.connect(tmp_path / "x.db") as db:
            return db.execute("SELECT target FROM audit_log WHERE action = 'login.failed' ORDER BY id DESC").fetchone()[0]

    assert address_logged("") == "127.0.0.1"
    assert address_logged('web_trusted_proxies = ["127.0.0.1"]\n') == "203.0.113.7"
