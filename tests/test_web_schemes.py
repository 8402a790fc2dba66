"""The dashboard with several schemes (issue 17): the switcher, 全部方案, and users limited to some
schemes — every route × role × scheme, pages and API, against a real store and the real app."""

from __future__ import annotations

import re
from datetime import date

import pytest
from fastapi.testclient import TestClient

from yuqing.alerts.users import hash_password
from yuqing.settings import load_settings
from yuqing.store import open_store

from conftest import ROOT

PASSWORD = "correct-horse-9"
TOWN = 'name: 万庄镇\nregion: "131003101"\nalert:\n  min_risk: low\n  channels: [inbox]\n'
FIRE = 'name: 火灾\nrequire_region: false\nrule: 火灾 | 起火 | 着火 | 火情\n'
# who may see what: None every scheme
USERS = {"管理员": ("admin", None), "小王": ("analyst", None), "万庄": ("analyst", "wanzhuang"),
         "火灾组": ("leader", "fire")}


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    from yuqing.configfile import remember_scheme
    from yuqing.pipeline import analyze_pending, ingest_stream, make_analyzer
    from yuqing.reports.make import make_report
    from yuqing.sources.files import read_file
    from yuqing.web.app import create_app

    d = tmp_path_factory.mktemp("schemes")
    (d / "scheme.yaml").write_text('name: 广阳区\nregion: "131003"\nalert:\n  min_risk: high\n', encoding="utf-8")
    s = load_settings(env={}, database_url=f"sqlite:///{d}/y.db", scheme=str(d / "scheme.yaml"),
                      ingest_workers=0, alert_max_age_hours=1e9)
    s = s.__class__(s.values, (), None, d)
    store = open_store(s.database_url)
    remember_scheme(store, d / "scheme.yaml")
    store.add_scheme_version("wanzhuang", TOWN, "test", "新建", owner="万庄镇")
    store.add_scheme_version("fire", FIRE, "test", "新建")
    ingest_stream(read_file(str(ROOT / "src/yuqing/data/demo/stream.jsonl"), None, {}, s.item_max_bytes), store, s)
    analyze_pending(store, make_analyzer(s), settings=s)      # the three schemes judge as the items come
    ids = {r["key"]: r["id"] for r in store.schemes()}
    for name, (role, only) in USERS.items():
        store.add_user(name, role, hash_password(PASSWORD), None, by="test", schemes=[ids[only]] if only else None)
    reports = {"default": make_report(store, s, "daily", "test", date(2026, 11, 28)),
               "wanzhuang": make_report(store.scoped(ids["wanzhuang"]), s, "daily", "test", date(2026, 11, 28))}
    return create_app(s, store), store, ids, reports


def csrf_of(html: str) -> str:
    return re.search(r'name="csrf" value="([^"]+)"', html).group(1)


def client_of(app, name: str) -> TestClient:
    c = TestClient(app)
    token = csrf_of(c.get("/login").text)
    assert c.post("/login", data={"name": name, "password": PASSWORD, "csrf": token, "next": "/"},
                  follow_redirects=False).status_code == 303
    return c


def objects(store, ids, reports) -> dict[str, tuple[str, set[int]]]:
    """One thing of each kind for each owner: {label: (id, the schemes it belongs to)}."""
    everything = [r["id"] for r in store.iter_items()]
    owners = store.schemes_of_items(everything)
    town, fire = ids["wanzhuang"], ids["fire"]
    out = {"item of the town": next(i for i, s in owners.items() if town in s),
           "item of the district only": next(i for i, s in owners.items() if s == {1}),
           "item of the fire scheme only": None}
    out["item of the fire scheme only"] = next((i for i, s in owners.items() if s == {fire}), None)
    events = [e["id"] for e in store.list_events(None, 1000)]
    ev_owners = {e: store.schemes_of_event(e) for e in events}
    out["event of the town"] = next(e for e, s in ev_owners.items() if town in s)
    out["event not the town's"] = next(e for e, s in ev_owners.items() if town not in s and s)
    alerts = store.list_alerts(1000)
    out["case of the town"] = next(a["case_id"] for a in alerts if a["scheme"] == town)
    out["case of the district"] = next(a["case_id"] for a in alerts if a["scheme"] is None)
    out["report of the town"] = reports["wanzhuang"]
    out["report of the district"] = reports["default"]
    schemes = {k: (owners[v] if k.startswith("item") else ev_owners[v] if k.startswith("event")
                   else {town} if "town" in k else {1}) for k, v in out.items() if v is not None}
    return {k: (out[k], schemes[k]) for k in schemes}


PATHS = {"item": ["/items/{}", "/api/items/{}"], "event": ["/events/{}", "/api/events/{}"],
         "case": ["/cases/{}", "/api/cases/{}"],
         "report": ["/reports/{}", "/reports/{}.docx", "/api/reports/{}", "/api/reports/{}.pdf"]}


def test_every_detail_route_for_every_user_and_scheme(site):
    """Route × role × scheme: a limited user gets 403 for what belongs to no scheme of theirs,
    200 for what does; everyone else 200. The check is the library's (alerts/users.py)."""
    app, store, ids, reports = site
    things = objects(store, ids, reports)
    assert len(things) >= 8
    checked = 0
    for name, (_role, only) in USERS.items():
        client = client_of(app, name)
        mine = {ids[only]} if only else None
        for label, (ref, owners) in things.items():
            for pattern in PATHS[label.split()[0]]:
                r = client.get(pattern.format(ref), follow_redirects=False)
                want = 200 if mine is None or owners & mine else 403
                assert r.status_code == want, (name, label, pattern, r.status_code)
                if want == 403 and not pattern.startswith("/api/"):
                    assert "无权限" in r.text and "Traceback" not in r.text
                checked += 1
    assert checked >= 80


def test_a_limited_user_sees_only_their_schemes_in_every_list(site):
    app, store, ids, reports = site
    town = ids["wanzhuang"]
    c = client_of(app, "万庄")
    owners = store.schemes_of_items([r["id"] for r in store.iter_items()])
    theirs = {i for i, s in owners.items() if town in s}
    # pages: their scheme in view from the start, the others refused
    home = c.get("/")
    assert home.status_code == 200 and "万庄镇" in home.text and "全部方案</option>" not in home.text
    assert c.get("/?scheme=default").status_code == 403
    assert c.get("/?scheme=fire").status_code == 403
    assert c.get("/?scheme=nosuch").status_code == 404
    assert c.get("/possible").status_code == 403            # 疑似涉及 is the district scheme's
    # the API, scope 全部 included
    got = c.get("/api/items", params={"scope": "all", "limit": 1000}).json()
    assert got["total"] == len(theirs) and {r["id"] for r in got["items"]} == theirs
    assert c.get("/api/items", params={"scope": "all", "scheme": "default"}).status_code == 403
    assert all(town in store.schemes_of_event(e["id"]) for e in c.get("/api/events", params={"limit": 200}).json()["events"])
    assert {a["scheme"] for a in c.get("/api/alerts").json()["alerts"]} == {town}
    assert {r["id"] for r in c.get("/api/reports").json()["reports"]} == {reports["wanzhuang"]}
    assert [s["key"] for s in c.get("/api/schemes").json()["schemes"]] == ["wanzhuang"]
    # the list page and its export
    page = c.get("/search", params={"scope": "all", "per": 100}).text
    shown = set(re.findall(r'href="/items/([^"]+)"', page))
    assert shown and shown <= theirs
    others = [i for i, s in owners.items() if town not in s][:5]
    token = csrf_of(page)
    csv = c.post("/items/bulk", data={"csrf": token, "action": "csv", "ids": others + [sorted(theirs)[0]]})
    assert csv.status_code == 200 and sum(1 for line in csv.text.splitlines()[1:] if line.strip()) == 1
    # a judgment is the district scheme's: refused to a user without it
    judged = c.post("/items/bulk", data={"csrf": token, "action": "no", "ids": [sorted(theirs)[0]]},
                    follow_redirects=False)
    assert judged.status_code == 403


def test_switching_schemes_and_the_all_schemes_overview(site):
    app, store, ids, _reports = site
    c = client_of(app, "小王")
    whole = c.get("/?scheme=all")
    assert whole.status_code == 200 and "全部方案" in whole.text
    lines = re.findall(r'<a href="/\?scheme=([^"]+)">([^<]+)</a>', whole.text)
    assert [k for k, _n in lines] == ["default", "wanzhuang", "fire"]
    town = c.get("/?scheme=wanzhuang").text
    assert "涉及「万庄镇」" in town and "全部方案 <span" not in town
    # the choice is kept for the next pages
    events = c.get("/events").text
    listed = set(re.findall(r'href="/events/(e-\d+)"', events))
    assert listed and all(ids["wanzhuang"] in store.schemes_of_event(e) for e in listed)
    assert c.get("/api/stats", params={"scheme": "wanzhuang"}).json()["relevant"] == \
        store.scoped(ids["wanzhuang"]).analysis_counts()["relevant"]
    # an item page names its schemes
    item = next(i for i, s in store.schemes_of_items([r["id"] for r in store.iter_items()]).items()
                if {1, ids["wanzhuang"]} <= s)
    assert re.search(r'id="in-schemes">[^<]*万庄镇', c.get(f"/items/{item}").text)


def test_admin_creates_disables_and_assigns_schemes_on_the_web(site):
    app, store, ids, _reports = site
    admin = client_of(app, "管理员")
    page = admin.get("/scheme").text
    assert 'id="scheme-list"' in page and "wanzhuang" in page and "新建方案" in page
    token = csrf_of(page)
    made = admin.post("/scheme/new", data={"csrf": token, "key": "jiuzhou", "owner": "九州镇",
                                           "text": 'name: 九州镇\nregion: "131003102"\n'}, follow_redirects=False)
    assert made.status_code == 303 and store.scheme("jiuzhou")["owner"] == "九州镇"
    assert store.scheme("jiuzhou")["applying"]                 # the run loop takes it on
    bad = admin.post("/scheme/new", data={"csrf": token, "key": "bad", "text": 'name: 坏\nregion: "999999"\n'})
    assert bad.status_code == 409 and "区划代码" in bad.text
    again = admin.post("/scheme/new", data={"csrf": token, "key": "jiuzhou", "text": 'name: x\nregion: "131003"\n'})
    assert again.status_code == 409
    edit = admin.get("/scheme?key=jiuzhou").text
    assert "九州镇" in edit and 'name="key" value="jiuzhou"' in edit
    saved = admin.post("/scheme", data={"csrf": token, "key": "jiuzhou", "action": "save",
                                        "text": 'name: 九州镇\nregion: "131003102"\nexclude: ["广告"]\n'})
    assert saved.status_code == 200 and store.scheme("jiuzhou")["version"] == 2
    assert admin.post("/scheme/enable", data={"csrf": token, "key": "jiuzhou", "on": 0},
                      follow_redirects=False).status_code == 303
    assert not store.scheme("jiuzhou")["enabled"]
    assert admin.post("/scheme/enable", data={"csrf": token, "key": "default", "on": 0}).status_code == 409
    # a user limited to one scheme, then to every scheme again
    users = admin.get("/users").text
    token = csrf_of(users)
    assert admin.post("/users", data={"csrf": token, "action": "schemes", "name": "小王", "schemes": [ids["fire"]]},
                      follow_redirects=False).status_code == 303
    assert store.get_user("小王")["schemes"] == str(ids["fire"])
    limited = client_of(app, "小王")
    assert limited.get("/?scheme=wanzhuang").status_code == 403
    assert admin.post("/users", data={"csrf": token, "action": "schemes", "name": "小王"},
                      follow_redirects=False).status_code == 303
    assert store.get_user("小王")["schemes"] is None
    # analysts and leaders cannot create schemes
    analyst = client_of(app, "万庄")
    refused = analyst.post("/scheme/new", data={"csrf": csrf_of(analyst.get("/scheme").text), "key": "x",
                                                "text": 'name: x\nregion: "131003"\n'})
    assert refused.status_code == 403
