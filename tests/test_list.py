"""The information list and the events list (issue 16, part 2): browse without a keyword, true
totals, paging, every sort, the scope, the filters, OR / -word / prefix queries, and the bulk
actions — against a real analysed store, with the truth counted from the rows themselves."""

from __future__ import annotations

import io
from collections import Counter
import re

import orjson
import pytest
from fastapi.testclient import TestClient

from conftest import sqlite_only, analysed_demo_store, undo_list_indexes
from yuqing.alerts.users import hash_password
from yuqing.store.sql import SORTS, ListQuery
from yuqing.store.sqlite import parse_query

PASSWORD = "一个足够长的密码"
LEVEL = {"high": 0, "medium": 1, "low": 2, None: 3}


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    s, store = analysed_demo_store(tmp_path_factory.mktemp("list"))
    for name, role in (("小王", "analyst"), ("李科长", "leader"), ("管理员", "admin")):
        store.add_user(name, role, hash_password(PASSWORD), None, by="test")
    from yuqing.web.app import create_app

    return create_app(s, store), store


@pytest.fixture(scope="module")
def rows(site):
    """Every stored item with what the filters read, straight from the table."""
    _, store = site
    with store.engine.connect() as conn:
        out = [dict(r._mapping) for r in conn.exec_driver_sql(
            "SELECT id, platform, source, category, sentiment, risk, relevance, event, interactions, published_ts, "
            "analysis, title, text FROM items")]
    for r in out:
        a = orjson.loads(r["analysis"]) if r["analysis"] else {}
        r["codes"] = {p["code"] for p in a.get("places") or []}
    return out


def login(client, name="小王"):
    token = re.search(r'name="csrf" value="([^"]+)"', client.get("/login").text).group(1)
    assert client.post("/login", data={"name": name, "password": PASSWORD, "csrf": token, "next": "/"},
                       follow_redirects=False).status_code == 303
    return client


def csrf(client, path="/search"):
    return re.search(r'name="csrf" value="([^"]+)"', client.get(path).text).group(1)


# --- the store ---------------------------------------------------------------------------------

def test_scopes_count_every_match_not_a_page(site, rows):
    _, store = site
    for scope, want in (("yes", [r for r in rows if r["relevance"] == "yes"]),
                        ("possible", [r for r in rows if r["relevance"] == "possible"]), ("all", rows)):
        page = store.browse(ListQuery(scope=scope), limit=10)
        assert page.total == len(want), scope
        assert len(page.rows) == min(10, len(want))
        assert page.by_risk == {lvl: sum(1 for r in want if r["risk"] == lvl) for lvl in {r["risk"] for r in want}}
    assert store.browse(ListQuery()).total == store.count_relevant()
    assert store.browse(ListQuery(scope="all")).total == store.count_items() > 250


@pytest.mark.parametrize("sort", SORTS)
def test_paging_walks_every_match_once_in_order(site, rows, sort):
    _, store = site
    whole = store.browse(ListQuery(scope="all", sort=sort), limit=10_000).rows
    assert sorted(r["id"] for r in whole) == sorted(r["id"] for r in rows)
    paged = []
    for offset in range(0, len(rows) + 40, 37):
        paged += store.browse(ListQuery(scope="all", sort=sort), limit=37, offset=offset).rows
    assert [r["id"] for r in paged] == [r["id"] for r in whole]
    if sort == "time":
        keys = [-r["published_ts"] for r in whole]
    elif sort == "risk":
        keys = [(LEVEL[r["risk"]], -r["published_ts"]) for r in whole]
    elif sort == "interactions":
        keys = [(r["interactions"] is None, -(r["interactions"] or 0)) for r in whole]
    else:
        heat = {e["id"]: e["heat"]["value"] for e in store.list_events(None, 100_000)}
        keys = [(r["event"] not in heat, -heat.get(r["event"], 0)) for r in whole]
    assert keys == sorted(keys), sort
    # a large result walks the indexes instead of sorting: the same rows in the same order
    store.SORTED_UP_TO = 0
    try:
        walked = []
        for offset in range(0, len(rows) + 40, 37):
            walked += store.browse(ListQuery(scope="all", sort=sort), limit=37, offset=offset).rows
        for scope in ("yes", "all"):
            by_walking = [r["id"] for r in store.browse(ListQuery(scope=scope, sort=sort), limit=10_000).rows]
            del store.SORTED_UP_TO
            assert [r["id"] for r in store.browse(ListQuery(scope=scope, sort=sort), limit=10_000).rows] == by_walking
            store.SORTED_UP_TO = 0
    finally:
        store.__dict__.pop("SORTED_UP_TO", None)
    assert [r["id"] for r in walked] == [r["id"] for r in whole]


def test_every_filter_matches_the_rows_and_the_total(site, rows):
    _, store = site
    relevant = [r for r in rows if r["relevance"] == "yes"]
    some = {"platform": "weibo", "category": relevant[0]["category"], "sentiment": "negative", "risk": "high",
            "source": next(r["source"] for r in relevant if r["source"]), "event": relevant[0]["event"]}
    for field, value in some.items():
        page = store.browse(ListQuery(**{field: value}), limit=1000)
        want = {r["id"] for r in relevant if r[field] == value}
        assert want and {r["id"] for r in page.rows} == want and page.total == len(want), field
    # two at once, and a time window
    t = sorted(r["published_ts"] for r in relevant)[len(relevant) // 2]
    page = store.browse(ListQuery(platform="weibo", sentiment="negative", since_ts=t), limit=1000)
    assert {r["id"] for r in page.rows} == {r["id"] for r in relevant if r["platform"] == "weibo"
                                            and r["sentiment"] == "negative" and r["published_ts"] >= t}
    page = store.browse(ListQuery(until_ts=t), limit=1000)
    assert page.total == sum(1 for r in relevant if r["published_ts"] < t)


def test_a_place_filter_takes_the_places_inside_it(site, rows):
    _, store = site
    town = "131003101"                                          # 万庄镇
    inside = {r["id"] for r in rows if r["relevance"] == "yes" and any(c.startswith(town) for c in r["codes"])}
    page = store.browse(ListQuery(places=(town,)), limit=1000)
    assert inside and {r["id"] for r in page.rows} == inside and page.total == len(inside)
    district = store.browse(ListQuery(places=("131003",)), limit=1000)
    assert district.total >= page.total and inside <= {r["id"] for r in district.rows}
    assert store.browse(ListQuery(places=("1310",)), limit=1).total >= district.total     # 廊坊市 holds 广阳区


def ids_of(store, q, **kw):
    return {r["id"] for r in store.browse(ListQuery(q=q, scope="all", **kw), limit=10_000).rows}


def test_or_exclusion_and_prefix_queries(site):
    _, store = site
    fire, water = ids_of(store, "火灾"), ids_of(store, "积水")
    assert fire and water
    assert ids_of(store, "火灾 OR 积水") == fire | water == ids_of(store, "火灾 | 积水") == ids_of(store, "火灾 或 积水")
    town = ids_of(store, "万庄镇")
    assert ids_of(store, "火灾 -万庄镇") == fire - town and fire & town
    assert ids_of(store, "万庄镇 火灾 OR 积水") == town & (fire | water)
    assert town <= ids_of(store, "万*")
    page = store.browse(ListQuery(q="万*"))
    assert any("开头" in n for n in page.notes)
    page = store.browse(ListQuery(q="火灾 OR 积水"))
    assert any("OR" in n for n in page.notes) and page.total == len({r for r in fire | water}
                                                                     & ids_of(store, "火灾 OR 积水"))


@pytest.mark.parametrize("q", ['"', "*", "-", "OR", "OR OR 火灾", "火灾 OR", "NEAR(火灾 积水)", "^火灾", "seg:火灾",
                               "火灾 AND", "(((", "-火灾", "‘’“”", "\x00", "火" * 3000, " ".join(["火灾"] * 100)])
def test_hostile_queries_never_break(site, q):
    _, store = site
    page = store.browse(ListQuery(q=q, scope="all"))
    assert page.total >= 0
    match, notes = parse_query(q)
    if match is None and q.strip("\x00 *-") and q not in ("OR",):
        assert notes or not q.strip()


def test_events_list_filters_pages_and_counts(site):
    _, store = site
    total, first = store.browse_events(limit=10)
    every = store.list_events(None, 100_000)
    assert total == len(every) and len(first) == min(10, total)
    seen = []
    for offset in range(0, total + 10, 10):
        seen += [e["id"] for e in store.browse_events(limit=10, offset=offset)[1]]
    assert seen == [e["id"] for e in every]                      # hottest first, each once
    for field, value in (("risk", "high"), ("stage", every[0]["stage"]["name"]), ("category", every[0]["category"])):
        n, got = store.browse_events(**{field: value}, limit=1000)
        key = {"risk": lambda e: e["risk"]["level"], "stage": lambda e: e["stage"]["name"],
               "category": lambda e: e["category"]}[field]
        assert n == len(got) == sum(1 for e in every if key(e) == value) > 0, field
        assert all(key(e) == value for e in got)
    n, got = store.browse_events(places=("131003101",), limit=1000)
    assert n == len(got) > 0
    items = store.event_items([e["id"] for e in got])
    assert all(any(i.get("event") for i in items[e["id"]]) for e in got)
    latest = store.browse_events(sort="latest", limit=1000)[1]
    assert [e["last_ts"] for e in latest] == sorted((e["last_ts"] for e in latest), reverse=True)


# --- the pages ---------------------------------------------------------------------------------

def test_the_list_browses_without_a_keyword_with_true_totals_and_paging(site, rows):
    app, store = site
    client = login(TestClient(app))
    page = client.get("/search").text
    relevant = sum(1 for r in rows if r["relevance"] == "yes")
    assert f"共 <b>{relevant}</b> 条涉及本区信息" in page
    assert page.count('name="ids"') == 50 and "第 1 / " in page
    everything = client.get("/search", params={"scope": "all", "per": 100}).text
    assert f"共 <b>{len(rows)}</b> 条信息" in everything and everything.count('name="ids"') == 100
    seen = []
    pages = -(-len(rows) // 100)
    for n in range(1, pages + 1):
        html = client.get("/search", params={"scope": "all", "per": 100, "page": n}).text
        seen += re.findall(r'name="ids" value="([^"]+)"', html)
    assert sorted(seen) == sorted(r["id"] for r in rows)
    # the pager's links keep the filters
    html = client.get("/search", params={"scope": "all", "risk": "low", "sort": "risk"}).text
    assert re.search(r'href="/search\?[^"]*risk=low[^"]*sort=risk[^"]*page=2"', html.replace("&amp;", "&"))
    # filters shown in Chinese, and a hint for a query that is only an exclusion
    assert "高风险" in html and ">high<" not in html
    assert "只有排除词" in client.get("/search", params={"q": "-火灾"}).text


def test_export_takes_every_match_of_the_filters(site, rows):
    app, _ = site
    client = login(TestClient(app))
    body = client.get("/search/export.csv", params={"scope": "all"}).content.decode("utf-8-sig")
    assert body.count("\n") >= len(rows)          # a header and a line per item (texts may hold line breaks)
    import csv

    assert len(list(csv.reader(io.StringIO(body)))) == len(rows) + 1


def test_bulk_pick_makes_a_brief_and_bulk_judging_feeds_the_scheme_page(site):
    app, store = site
    client = login(TestClient(app), "管理员")
    html = client.get("/search", params={"risk": "high"}).text
    ids = re.findall(r'name="ids" value="([^"]+)"', html)[:3]
    r = client.post("/items/bulk", data={"csrf": csrf(client), "action": "pick", "ids": ids, "then": "/search?risk=high"},
                    follow_redirects=True)
    assert "已加入简报 3 条" in r.text and r.text.count("已入简报") == 3
    event = store.list_events(None, 1)[0]["id"]
    client.post("/events/bulk", data={"csrf": csrf(client), "ids": [event]})
    picks = client.get("/picks").text
    assert all(i in picks for i in ids) and event in picks
    r = client.post("/reports", data={"csrf": csrf(client), "kind": "brief"}, follow_redirects=True)
    assert r.status_code == 200 and "网络舆情简报" in r.text and "重点事件" in r.text and "重点信息" in r.text
    report_id = int(re.search(r"/reports/(\d+)", str(r.url)).group(1))
    assert store.get_report(report_id)["data"]["picked"] == {"event": [event], "item": ids}
    assert store.list_picks("管理员") == {"item": [], "event": []}           # the material was used
    docx = client.get(f"/reports/{report_id}.docx")
    assert docx.status_code == 200 and docx.content[:2] == b"PK"
    # an empty basket says what to do, never a traceback
    r = client.post("/reports", data={"csrf": csrf(client), "kind": "brief"})
    assert r.status_code == 400 and "勾选" in r.text

    wrong = ids[0]
    r = client.post("/items/bulk", data={"csrf": csrf(client), "action": "no", "ids": [wrong]}, follow_redirects=True)
    assert "已将 1 条标为不相关" in r.text
    assert store.get_items([wrong])[0]["relevance"] == "no"
    scheme = client.get("/scheme").text
    assert "人工判定反馈（1 条）" in scheme and "规则判为涉及本区、人工判为不相关：<b>1</b>" in scheme
    assert wrong in scheme
    # leaders read; they do not judge
    leader = login(TestClient(app), "李科长")
    assert leader.post("/items/bulk", data={"csrf": csrf(leader), "action": "yes", "ids": [wrong]}).status_code == 403
    # selected rows exported in the order ticked, masked
    r = client.post("/items/bulk", data={"csrf": csrf(client), "action": "csv", "ids": ids[1:]})
    assert r.status_code == 200 and r.content.decode("utf-8-sig").count("\n") >= 2


def test_events_page_filters_and_pages(site):
    app, store = site
    client = login(TestClient(app))
    total = len(store.list_events(None, 100_000))
    html = client.get("/events").text
    assert f"共 <b>{total}</b> 个事件" in html and html.count('name="ids"') == min(50, total)
    high = client.get("/events", params={"risk": "high"}).text
    n = int(re.search(r"共 <b>(\d+)</b> 个事件", high).group(1))
    assert 0 < n < total and high.count('class="high">高</td>') == n
    town = client.get("/events", params={"town": "131003101"}).text
    assert "万庄镇" in town and int(re.search(r"共 <b>(\d+)</b>", town).group(1)) > 0
    assert client.get("/events", params={"page": 2}).status_code == 200


def test_the_api_lists_without_a_keyword_and_counts(site, rows):
    app, store = site
    client = login(TestClient(app))
    got = client.get("/api/items", params={"limit": 5}).json()
    assert got["total"] == len(rows) and len(got["items"]) == 5            # the API's scope stays 全部
    got = client.get("/api/items", params={"scope": "yes", "sort": "risk", "limit": 5, "offset": 5}).json()
    with store.engine.connect() as conn:       # now: an earlier test judged one item 不相关
        assert got["total"] == conn.exec_driver_sql("SELECT count(*) FROM items WHERE relevance = 'yes'").scalar()
    assert client.get("/api/items", params={"sort": "nonsense"}).status_code == 400


@sqlite_only
def test_migration_13_fills_places_and_interactions_of_a_stored_history(tmp_path):
    import sqlite3

    from yuqing.store import open_store
    from yuqing.store.sql import place_rows

    s, store = analysed_demo_store(tmp_path)
    with store.engine.connect() as conn:
        want_places = conn.exec_driver_sql("SELECT count(*) FROM item_places").scalar()
        want = dict(conn.exec_driver_sql("SELECT id, interactions FROM items").all())
    store.close()
    db = s.database_url.split("///", 1)[1]
    with sqlite3.connect(db) as c:                               # as a store from before the list
        undo_list_indexes(c)
        c.execute("DROP TRIGGER items_places_ad")
        c.execute("DROP TABLE item_places")
        c.execute("DROP TABLE picks")
        c.execute("ALTER TABLE items DROP COLUMN interactions")
        c.execute("ALTER TABLE relevance_judgments DROP COLUMN was_label")
    store = open_store(s.database_url)
    with store.engine.connect() as conn:
        assert conn.exec_driver_sql("SELECT count(*) FROM item_places").scalar() == want_places > 0
        assert dict(conn.exec_driver_sql("SELECT id, interactions FROM items").all()) == want
        analyses = [orjson.loads(a) for (a,) in conn.exec_driver_sql("SELECT analysis FROM items")]
    assert want_places == sum(len(place_rows(a.get("places") or [])) for a in analyses)
    assert store.browse(ListQuery(places=("131003101",))).total > 0


def test_stats_count_what_involves_the_region_first(tmp_path):
    _, store = analysed_demo_store(tmp_path)
    a = store.analysis_counts()
    with store.engine.connect() as conn:
        rows = conn.exec_driver_sql("SELECT relevance, relevant, risk, sentiment FROM items").all()
    assert a["relevant_by_risk"] == dict(Counter(r.risk for r in rows if r.relevant == 1))
    assert a["relevant_by_sentiment"] == dict(Counter(r.sentiment for r in rows if r.relevant == 1))
    assert a["by_relevance"] == dict(Counter(r.relevance for r in rows))
    assert sum(a["relevant_by_risk"].values()) == a["relevant"] < sum(a["by_risk"].values())


def test_the_command_line_search_reads_queries_like_the_list(site):
    _, store = site
    fire = {h.id for h in store.search("火灾", limit=1000)}
    water = {h.id for h in store.search("积水", limit=1000)}
    assert {h.id for h in store.search("火灾 OR 积水", limit=1000)} == fire | water
    assert {h.id for h in store.search("火灾 -万庄镇", limit=1000)} == fire - {h.id for h in store.search("万庄镇", limit=1000)}
