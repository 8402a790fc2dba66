"""The dashboard's first pages, in process against a real store: login and its throttle, CSRF,
role-free pages behind the login, hostile scraped text escaped."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient

from test_cli import DEMO_STREAM
from yuqing.alerts.users import hash_password
from yuqing.pipeline import analyze_pending, ingest_stream, make_analyzer
from yuqing.models import Raw
from yuqing.settings import load_settings
from yuqing.sources.files import read_file
from yuqing.store import open_store

PASSWORD = "一个足够长的密码"


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    d = tmp_path_factory.mktemp("web")
    (d / "scheme.yaml").write_text('name: t\nregion: "131003"\nalert:\n  min_risk: high\n', encoding="utf-8")
    s = load_settings(env={}, database_url=f"sqlite:///{d}/w.db", scheme=str(d / "scheme.yaml"), ingest_workers=0)
    s = s.__class__(s.values, (), None, d)
    store = open_store(s.database_url)
    ingest_stream(read_file(str(DEMO_STREAM), None, {}, s.item_max_bytes), store, s)
    hostile = {"id": "t:x", "platform": "forum", "source": "<b>坏人</b>",
               "text": "广阳区万庄镇仓库起火 死亡 <script>alert('x')</script> <img src=x onerror=alert(1)>",
               # entities survive ingest as literal text: the page must escape them
               "title": "&lt;script&gt;alert('title')&lt;/script&gt;广阳区万庄镇火灾致1人死亡",
               "published_at": "2026-11-28T12:00:00+08:00"}
    personal = {"id": "t:p", "platform": "complaint", "title": "=HYPERLINK(\"http://x\")广阳区万庄镇积水投诉",
                "text": "广阳区万庄镇积水严重，联系人电话13812345678，身份证11010519491231002X，邮箱zhang@example.com",
                "published_at": "2026-11-28T13:00:00+08:00"}
    ingest_stream([Raw("t", hostile), Raw("t", personal)], store, s)
    analyze_pending(store, make_analyzer(s), settings=s)
    store.add_user("小王", "analyst", hash_password(PASSWORD), None, by="test")
    store.add_user("李科长", "leader", hash_password(PASSWORD), None, by="test")
    store.add_user("管理员", "admin", hash_password(PASSWORD), None, by="test")
    from yuqing.web.app import create_app

    return create_app(s, store), store


def csrf_of(html: str) -> str:
    return re.search(r'name="csrf" value="([^"]+)"', html).group(1)


def login(client, name="小王", password=PASSWORD):
    token = csrf_of(client.get("/login").text)
    return client.post("/login", data={"name": name, "password": password, "csrf": token, "next": "/"},
                       follow_redirects=False)


def test_pages_need_a_login_and_the_api_says_401(site):
    app, _ = site
    client = TestClient(app)
    for path in ("/", "/events", "/alerts"):
        r = client.get(path, follow_redirects=False)
        assert r.status_code == 303 and r.headers["location"].startswith("/login")
    assert client.get("/api/events").status_code == 401


def test_login_without_csrf_is_refused_and_a_wrong_password_says_so(site):
    app, store = site
    client = TestClient(app)
    client.get("/login")
    r = client.post("/login", data={"name": "小王", "password": PASSWORD, "csrf": "forged"})
    assert r.status_code == 403
    r = login(client, password="wrong password")
    assert r.status_code == 200 and "用户名或密码错误" in r.text
    assert any(e["action"] == "login.failed" for e in store.audit_entries())


def test_failed_logins_are_throttled(site):
    app, _ = site
    client = TestClient(app)
    codes = [login(client, name="nobody", password="x" * 9).status_code for _ in range(6)]
    assert codes[:5] == [200] * 5 and codes[5] == 429


def test_overview_events_and_alerts_after_login_with_hostile_text_escaped(site):
    app, _ = site
    client = TestClient(app)
    r = login(client)
    assert r.status_code == 303 and r.headers["location"] == "/"
    home = client.get("/")
    assert home.status_code == 200 and "热点事件" in home.text and "万庄镇" in home.text
    for page in (home.text, client.get("/events").text, client.get("/alerts").text):
        assert "<script>alert" not in page and "<img src=x" not in page and "<b>坏人</b>" not in page
    assert "&lt;script&gt;alert(&#39;title&#39;)&lt;/script&gt;" in client.get("/alerts").text
    api = client.get("/api/events?limit=5").json()
    assert len(api["events"]) == 5 and api["events"][0]["heat"]["value"] >= api["events"][1]["heat"]["value"]
    token = csrf_of(home.text)
    assert client.post("/logout", data={"csrf": "forged"}).status_code == 403
    assert client.post("/logout", data={"csrf": token}, follow_redirects=False).status_code == 303
    assert client.get("/", follow_redirects=False).status_code == 303


ROLES = {"analyst": "小王", "leader": "李科长", "admin": "管理员"}


def test_every_page_for_every_role_and_hostile_urls_are_not_links(site):
    app, store = site
    event = store.list_events(None, 1)[0]["id"]
    case = store.list_alerts(1)[0]["case_id"]
    for role, name in ROLES.items():
        client = TestClient(app)
        assert login(client, name).status_code == 303
        for path in ("/", "/events", "/alerts", f"/events/{event}", f"/cases/{case}", "/api/events"):
            assert client.get(path).status_code == 200, (role, path)
        assert client.get("/events/e-999999").status_code == 404
        assert client.get("/cases/999999").status_code == 404
    client = TestClient(app)
    login(client)
    hostile_event = store.events_of(["t:x"])["t:x"]
    page = client.get(f"/events/{hostile_event}").text
    assert "javascript:" not in page and "<script>alert" not in page


def test_a_case_is_worked_through_the_web_with_the_roles_of_the_library(site):
    app, store = site
    case = store.list_alerts(1)[0]["case_id"]
    clients = {}
    for role, name in ROLES.items():
        clients[role] = TestClient(app)
        login(clients[role], name)

    def act(role, **data):
        token = csrf_of(clients[role].get(f"/cases/{case}").text)
        return clients[role].post(f"/cases/{case}", data={"csrf": token, **data}, follow_redirects=False)

    assert "已研判" not in re.findall(r'value="([^"]+)">\1</button>', clients["leader"].get(f"/cases/{case}").text)
    assert act("leader", to="已研判").status_code == 403                  # a leader does not assess
    assert clients["analyst"].post(f"/cases/{case}", data={"csrf": "forged", "to": "已研判"}).status_code == 403
    assert act("analyst", to="已研判", note="属实").status_code == 303
    assert act("analyst", to="已研判").status_code == 409                 # already there
    assert act("analyst", to="已上报").status_code == 303
    assert act("analyst", assignee="小王").status_code == 403              # assigning is for leaders
    assert act("leader", assignee="小王", department="应急管理局").status_code == 303
    assert act("leader", to="处置中").status_code == 303
    assert act("analyst", to="已办结", response="已核实并通报").status_code == 303
    done = store.get_case(case)
    assert done["state"] == "已办结" and done["department"] == "应急管理局" and done["response"] == "已核实并通报"
    assert [(e["user"], e["to_state"]) for e in store.case_log(case)][-1] == ("小王", "已办结")
    page = clients["admin"].get(f"/cases/{case}").text
    assert "<button name=\"to\"" not in page                             # closed: no steps left


def test_search_filters_highlights_and_exports_masked_csv_and_excel(site):
    import csv
    import io

    from openpyxl import load_workbook

    app, store = site
    client = TestClient(app)
    login(client)
    page = client.get("/search", params={"q": "万庄镇 积水"}).text
    assert "<mark>积水</mark>" in page and "导出" in page
    assert client.get("/search", params={"q": "万庄镇", "risk": "high"}).text.count("<tr>") >= 2
    none = client.get("/search", params={"q": "万庄镇 积水", "sentiment": "no-such"}).text
    assert "0 条" in none
    assert client.get("/search", params={"q": "x", "since": "soon"}).status_code == 400
    r = client.get("/search/export.csv", params={"q": "万庄镇 积水"})
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/csv") and r.content[:3] == b"\xef\xbb\xbf"
    rows = list(csv.reader(io.StringIO(r.content.decode("utf-8-sig"))))
    assert rows[0][:3] == ["编号", "发布时间", "平台"]
    mine = next(row for row in rows if row[0] == "t:p")
    text = ",".join(mine)
    assert "13812345678" not in text and "138****5678" in text and "110105********002X" in text
    assert "z***@example.com" in text and mine[4].startswith("'=")          # a formula is text, not a formula
    x = client.get("/search/export.xlsx", params={"q": "万庄镇 积水"})
    sheet = load_workbook(io.BytesIO(x.content)).active
    cells = [[c.value for c in row] for row in sheet.iter_rows()]
    mine = next(row for row in cells if row[0] == "t:p")
    assert "138****5678" in mine[5] and mine[4].startswith("'=") and sheet.title == "检索结果"
    assert any(e["action"] == "export" for e in store.audit_entries())
    assert client.get("/search/export.pdf", params={"q": "x"}).status_code == 404


def test_masking_keeps_what_is_not_personal():
    from yuqing.privacy import mask, valid_id

    assert valid_id("11010519491231002X") and not valid_id("110105194912310021")
    assert mask("订单号110105194912310021") == "订单号110105194912310021"        # checksum fails: not an ID
    assert mask("2026年11月28日 10:30，3人受伤") == "2026年11月28日 10:30，3人受伤"
    assert mask("+86 138 1234 5678 或 0316-2345678") == "+86 138****5678 或 0316-23***78"


def test_item_page_shows_the_analysis_with_its_reasons_and_the_copies(site):
    import sqlite3

    app, store = site
    client = TestClient(app)
    login(client)
    db = store.engine.url.database
    with sqlite3.connect(db) as c:
        original, n = c.execute("SELECT duplicate_of, count(*) FROM items WHERE duplicate_of IS NOT NULL "
                                "GROUP BY duplicate_of ORDER BY count(*) DESC LIMIT 1").fetchone()
        copy = c.execute("SELECT id FROM items WHERE duplicate_of = ? LIMIT 1", (original,)).fetchone()[0]
    page = client.get(f"/items/{original}").text
    assert f"相似转载（{n}）" in page and f'href="/items/{copy}"' in page
    assert "类别" in page and "风险" in page and "地点" in page and "→" in page
    assert f'href="/items/{original}"' in client.get(f"/items/{copy}").text          # back to the original
    hostile = client.get("/items/t:x").text
    assert "<script>alert" not in hostile and "&lt;script&gt;" in hostile
    assert client.get("/items/no:such").status_code == 404
