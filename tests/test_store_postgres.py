"""The store on a real PostgreSQL server (server mode, issue 18): the same calls as on SQLite,
through the same data-access layer — schema, idempotent upserts, full-text search, the pipeline
with events and alerts, several schemes."""

from __future__ import annotations

import json
import time
from datetime import datetime, timezone
from pathlib import Path

from sqlalchemy import text

from yuqing.ingest import normalize_record
from yuqing.settings import load_settings
from yuqing.store import open_store

ROOT = Path(__file__).resolve().parents[1]
DEMO_STREAM = ROOT / "src/yuqing/data/demo/stream.jsonl"
NOW = datetime(2026, 11, 28, 12, tzinfo=timezone.utc)


def pipeline_store(pg_url, tmp_path, scheme_text: str, others: dict[str, str] = {}):
    """(settings, store) of the demo stream ingested and analysed on PostgreSQL, under the
    scheme file `scheme_text` (scheme 1) and the stored schemes `others` (key → text)."""
    from yuqing.configfile import remember_scheme
    from yuqing.pipeline import analyze_pending, ingest_stream, make_analyzer
    from yuqing.sources.files import read_file

    (tmp_path / "scheme.yaml").write_text(scheme_text, encoding="utf-8")
    s = load_settings(env={}, database_url=pg_url, scheme=str(tmp_path / "scheme.yaml"), ingest_workers=0,
                      alert_max_age_hours=1e9)
    s = s.__class__(s.values, (), None, tmp_path)
    store = open_store(pg_url)
    remember_scheme(store, tmp_path / "scheme.yaml")
    for key, text_ in others.items():
        store.add_scheme_version(key, text_, "test", "新建")
    report = ingest_stream(read_file(str(DEMO_STREAM), None, {}, s.item_max_bytes), store, s)
    assert report.added == 302
    assert ingest_stream(read_file(str(DEMO_STREAM), None, {}, s.item_max_bytes), store, s).added == 0
    assert analyze_pending(store, make_analyzer(s), settings=s) == 302
    return s, store


def test_the_schema_is_made_once_and_every_migration_recorded(pg_url):
    from yuqing.store.schema import MIGRATIONS

    store = open_store(pg_url)
    assert store.migrate() == []
    with store.engine.connect() as conn:
        versions = list(conn.execute(text("SELECT version FROM schema_migrations ORDER BY version")).scalars())
        assert versions == [v for v, _n, _f in MIGRATIONS]
        tables = set(conn.execute(text("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")).scalars())
    assert {"items", "events", "alerts", "cases", "schemes", "item_schemes", "item_places", "users"} <= tables
    store.close()


def test_upserts_are_idempotent_and_search_reads_the_segmented_terms(pg_url):
    store = open_store(pg_url)
    rows = [normalize_record({"id": f"w:{i}", "text": text_, "platform": "weibo", "published_at": f"2026-11-2{i}T10:00:00+08:00"},
                             now=NOW) for i, text_ in enumerate(["廊坊市广阳区万庄镇一仓库起火", "广阳区積水嚴重", "石家庄下雪了"], 1)]
    first = store.upsert_items(rows)
    again = store.upsert_items(rows)
    assert (first.added, again.added) == (3, 0) and store.count_items() == 3
    assert [h.id for h in store.search("万庄镇")] == ["w:1"]
    assert [h.id for h in store.search("积水")] == ["w:2"]                 # traditional matched simplified
    assert {h.id for h in store.search("万庄 OR 积水")} == {"w:1", "w:2"}
    assert [h.id for h in store.search("广阳 -积水")] == ["w:1"]
    assert [h.id for h in store.search("石家*")] == ["w:3"]
    assert store.search("it's \\ 'odd'") == []                            # quotes and backslashes are words
    assert [h.id for h in store.search("广阳", platform="weibo", since=datetime(2026, 11, 22, tzinfo=timezone.utc))] == ["w:2"]
    store.close()


def test_the_pipeline_with_events_alerts_and_schemes_on_postgresql(pg_url, tmp_path):
    from yuqing.apply_scheme import apply_schemes

    _s, store = pipeline_store(pg_url, tmp_path, 'name: 广阳区\nregion: "131003"\nalert:\n  min_risk: high\n',
                               {"wanzhuang": 'name: 万庄镇\nregion: "131003101"\n'})
    counts = store.analysis_counts()
    assert counts["waiting"] == 0 and counts["relevant"] > 200
    assert store.event_counts()["events"] > 50 and store.alert_counts()["alerts"] >= 1
    town = store.scheme("wanzhuang")["id"]
    assert 0 < store.scoped(town).count_relevant() < counts["relevant"]
    store.add_scheme_version("fire", 'name: 火灾\nrequire_region: false\nrule: 火灾 | 起火\n', "test", "新建")
    assert apply_schemes(store)["fire"] == 302
    assert store.scoped(store.scheme("fire")["id"]).count_relevant() > 5
    # the analysis stage is one at a time, across processes and machines
    with store.exclusive("analysis") as mine:
        other = open_store(pg_url, migrate=False)
        with other.exclusive("analysis") as theirs:
            assert mine and not theirs
        other.close()
    row = store.get_items(["demo:00048"])[0]            # the analysis object and its columns agree
    assert json.loads(row["analysis"])["relevance"]["label"] == row["relevance"] == "yes" and row["event"]
    with store.engine.connect() as conn:
        # every item of an event inside the span its reads are pruned to (merges included)
        assert conn.execute(text("SELECT count(*) FROM items i LEFT JOIN event_spans s ON s.event = i.event "
                                 "WHERE i.event IS NOT NULL AND (s.event IS NULL OR i.published_ts NOT BETWEEN s.lo AND s.hi)"
                                 )).scalar() == 0
        sizes = dict(conn.execute(text("SELECT event, count(*) FROM items WHERE event IS NOT NULL GROUP BY event")).all())
    assert {e: len(rows) for e, rows in store.event_items(sizes).items()} == sizes
    store.close()


def test_the_list_and_its_sorts_on_postgresql(pg_url, tmp_path):
    """The information list's browse, counts, sorts, scopes and filters: the same SQL as on
    SQLite, without its index hints; the same answers as a SQLite store of the same items."""
    from yuqing.pipeline import analyze_pending, ingest_stream, make_analyzer
    from yuqing.sources.files import read_file
    from yuqing.store.sql import ListQuery

    (tmp_path / "scheme.yaml").write_text('name: 广阳区\nregion: "131003"\n', encoding="utf-8")
    stores = []
    for url in (pg_url, f"sqlite:///{tmp_path}/s.db"):
        s = load_settings(env={}, database_url=url, scheme=str(tmp_path / "scheme.yaml"), ingest_workers=0,
                          alert_max_age_hours=1e9)
        s = s.__class__(s.values, (), None, tmp_path)
        store = open_store(url)
        ingest_stream(read_file(str(DEMO_STREAM), None, {}, s.item_max_bytes), store, s)
        analyze_pending(store, make_analyzer(s), settings=s)
        stores.append(store)
    pg, lite = stores
    queries = [ListQuery(), ListQuery(scope="all"), ListQuery(scope="possible"), ListQuery(sort="risk"),
               ListQuery(sort="interactions"), ListQuery(sort="heat"), ListQuery(q="火灾"), ListQuery(q="万庄镇 OR 供暖"),
               ListQuery(q="火灾", sort="heat"), ListQuery(platform="weibo", sentiment="negative"),
               ListQuery(places=("131003101",)), ListQuery(scope="all", sort="heat")]
    for lq in queries:
        a, b = pg.browse(lq, 20, 0), lite.browse(lq, 20, 0)
        assert a.total == b.total and a.by_risk == b.by_risk, lq
        if lq.sort in ("time", "risk"):
            assert [r["id"] for r in a.rows] == [r["id"] for r in b.rows], lq
        else:                                     # ties may fall either way; the same items lead
            assert len(a.rows) == len(b.rows), lq
    assert pg.browse(ListQuery(), 50, 40).rows and pg.browse(ListQuery(q="火灾")).total > 0
    total, events = pg.browse_events(limit=10)
    assert total == lite.browse_events(limit=10)[0] and len(events) == 10
    for s in stores:
        s.close()


def test_every_page_and_the_api_answer_on_postgresql(pg_url, tmp_path):
    import re
    from datetime import date

    from fastapi.testclient import TestClient

    from yuqing.alerts.users import hash_password
    from yuqing.reports.make import make_report
    from yuqing.web.app import create_app

    s, store = pipeline_store(pg_url, tmp_path, 'name: t\nregion: "131003"\nalert:\n  min_risk: high\n',
                              {"wanzhuang": 'name: 万庄镇\nregion: "131003101"\n'})
    store.add_user("管理员", "admin", hash_password("password-1234"), None, by="t")
    report = make_report(store, s, "daily", "t", date(2026, 11, 28))
    c = TestClient(create_app(s, store))
    token = re.search(r'name="csrf" value="([^"]+)"', c.get("/login").text).group(1)
    assert c.post("/login", data={"name": "管理员", "password": "password-1234", "csrf": token, "next": "/"},
                  follow_redirects=False).status_code == 303
    event, case = store.list_events(None, 1)[0]["id"], store.list_alerts(1)[0]["case_id"]
    for path in ("/", "/?scheme=all", "/?scheme=wanzhuang", "/search", "/search?q=火灾", "/search?sort=heat",
                 "/search?sort=risk&scope=all", "/search/export.csv?q=火灾", "/events", f"/events/{event}",
                 "/items/demo:00048", "/alerts", "/possible", f"/cases/{case}", "/scheme", "/sources", "/kpi",
                 "/kpi/audit", "/reports", f"/reports/{report}", f"/reports/{report}.docx", "/users", "/picks",
                 "/api/stats", "/api/overview", "/api/items?q=火灾", "/api/items", "/api/events", "/api/alerts",
                 "/api/kpi?year=2026", "/?scheme=all"):
        r = c.get(path)
        assert r.status_code == 200 and "Traceback" not in r.text, (path, r.text[:300])
    total = c.get("/api/items", params={"scope": "yes"}).json()["total"]
    assert total == store.count_relevant() > 200
    assert c.get("/api/items", params={"q": "火灾"}).json()["total"] > 0
    store.close()


def test_a_store_moves_to_postgresql_and_back_with_nothing_lost(pg_url, tmp_path):
    """`yuqing migrate`: a SQLite store made by the pipeline (items, events, alerts, cases,
    schemes, users) into PostgreSQL and back into a new SQLite file; every table's rows and
    checksum equal, and search, lists and new items work on each destination."""
    import subprocess
    import sys

    from conftest import analysed_demo_store
    from yuqing.alerts.users import hash_password
    from yuqing.store.move import checksum, tables
    from yuqing.store.sql import ListQuery

    s, lite = analysed_demo_store(tmp_path)
    lite.add_scheme_version("fire", 'name: 火灾\nrequire_region: false\nrule: 火灾 | 起火\n', "t", "新建")
    lite.add_user("小王", "analyst", hash_password("password-1234"), None, by="t", schemes=[2])
    src_url = s.database_url
    lite.close()

    def yq(*args):
        return subprocess.run([sys.executable, "-m", "yuqing.cli", *args], capture_output=True, text=True, cwd=tmp_path,
                              env={"PATH": "/usr/bin:/bin", "HOME": str(tmp_path)})

    forth = yq("migrate", src_url, pg_url, "--json")
    assert forth.returncode == 0, forth.stderr
    moved = __import__("json").loads(forth.stdout)["tables"]
    assert moved["items"]["rows"] == 302 and moved["alerts"]["rows"] >= 1 and moved["schemes"]["rows"] == 1
    again = yq("migrate", src_url, pg_url)
    assert again.returncode != 0 and "已有信息" in again.stderr and "Traceback" not in again.stderr
    back_url = f"sqlite:///{tmp_path}/back.db"
    back = yq("migrate", pg_url, back_url)
    assert back.returncode == 0, back.stderr
    src, pg, bk = open_store(src_url), open_store(pg_url), open_store(back_url)
    for t in tables():
        assert checksum(src, t) == checksum(pg, t) == checksum(bk, t), t.name
    for store in (pg, bk):
        assert [h.id for h in store.search("万庄镇 火灾", limit=5)] == [h.id for h in src.search("万庄镇 火灾", limit=5)]
        assert store.browse(ListQuery()).total == src.browse(ListQuery()).total
        # numbering goes on after the copied rows
        assert store.upsert_items([normalize_record({"id": "new:1", "text": "广阳区新的一条"}, now=NOW)]).added == 1
        assert store.get_items(["new:1"])[0]["seq"] == 303
    # the search terms: made from the text for PostgreSQL's tsvector, kept by SQLite's index only
    with pg.engine.connect() as c, bk.engine.connect() as d:
        assert c.exec_driver_sql("SELECT count(*) FROM items WHERE seg IS NULL").scalar() == 0
        assert d.exec_driver_sql("SELECT count(*) FROM items WHERE seg IS NOT NULL").scalar() == 0
    for store in (src, pg, bk):
        store.close()
    bad = yq("migrate", src_url, "postgresql://nobody@127.0.0.1:1/none")
    assert bad.returncode != 0 and "无法打开数据库" in bad.stderr and "Traceback" not in bad.stderr


def test_migrations_after_the_baseline_apply_to_an_older_postgresql_store(pg_url):
    """A PostgreSQL store as the first server-mode release made it (items one plain table with a
    unique id, int4 item numbers and pick times, no backfills table) is brought up to date on
    open: 64-bit numbers, backfills, items moved into day partitions — its rows kept."""
    from sqlalchemy import create_engine

    from yuqing.store import schema
    from yuqing.store.postgres import engine_url

    engine = create_engine(engine_url(pg_url))
    with engine.begin() as conn:                # that release's baseline, by hand
        schema.schema_migrations.create(conn)
        schema.metadata.create_all(conn)
        for stmt in schema.POSTGRES_INDEXES:
            conn.execute(text(stmt))
        for table, column in (("items", "seq"), ("item_places", "seq"), ("item_schemes", "seq"), ("picks", "ts")):
            conn.execute(text(f"ALTER TABLE {table} ALTER COLUMN {column} TYPE integer"))
        conn.execute(text("DROP TABLE backfills"))
        for column in ("record", "state"):                  # event records as plain JSON text
            conn.execute(text(f"ALTER TABLE events ALTER COLUMN {column} TYPE text"))
        conn.execute(text("INSERT INTO events (id, first_ts, last_ts, size, record, state) VALUES "
                          "('e-000001', 1, 2, 1, '{\"id\": \"e-000001\", \"title\": \"仓库起火\"}', "
                          "'{\"id\": \"e-000001\"}')"))
        conn.execute(schema.schema_migrations.insert(), [{"version": v, "name": n, "applied_ts": 0}
                                                         for v, n, _f in schema.MIGRATIONS if v < 16])
        recent, old = int(time.time()) - 10 * 86400, int(time.time()) - 500 * 86400
        cols = ("id", "platform", "text", "published_ts", "collected_ts", "content_hash", "seg")
        conn.execute(text(f"INSERT INTO items ({', '.join(cols)}) VALUES "
                          f"('w:1', 'weibo', '廊坊市广阳区万庄镇一仓库起火', {recent}, {recent}, 'h1', '廊坊市 广阳区 万庄镇 仓库 起火'), "
                          f"('w:2', 'weibo', '前年的一条', {old}, {old}, 'h2', '前年 一条')"))
    engine.dispose()
    store = open_store(pg_url)
    with store.engine.connect() as conn:
        types = dict(conn.execute(text(
            "SELECT table_name || '.' || column_name, data_type FROM information_schema.columns "
            "WHERE (table_name, column_name) IN (('items', 'seq'), ('item_places', 'seq'), ('picks', 'ts'), "
            "('events', 'record'), ('events', 'state'))")).all())
        assert conn.execute(text("SELECT max(version) FROM schema_migrations")).scalar() == max(
            v for v, _n, _f in schema.MIGRATIONS)
        parts = sorted(conn.execute(text("SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid "
                                         "WHERE i.inhparent = 'items'::regclass")).scalars())
        keys = conn.execute(text("SELECT id, seq FROM item_keys ORDER BY id")).all()
    assert types == {"items.seq": "bigint", "item_places.seq": "bigint", "picks.ts": "bigint",
                     "events.record": "bytea", "events.state": "bytea"}
    assert store.get_event("e-000001") == {"id": "e-000001", "title": "仓库起火"}    # kept, read as it was
    day = datetime.fromtimestamp(recent, timezone.utc).strftime("%Y%m%d")
    month = datetime.fromtimestamp(old, timezone.utc).strftime("%Y%m")
    assert parts == [f"items_m{month}", f"items_p{day}"]    # over a year old: its month; recent: its day
    assert [k.id for k in keys] == ["w:1", "w:2"]
    assert store.count_items() == 2 and store.begin_backfill(None)["id"] == 1
    assert [h.id for h in store.search("仓库")] == ["w:1"]
    # the same ids again are known; a new one gets the next number
    result = store.upsert_items([normalize_record({"id": i, "text": "廊坊市广阳区万庄镇一仓库起火", "platform": "weibo",
                                                   "published_at": "2026-11-21T10:00:00+08:00"}, now=NOW)
                                 for i in ("w:1", "w:3")])
    assert (result.added, result.duplicates) == (1, 1)
    assert store.get_items(["w:3"])[0]["seq"] > max(k.seq for k in keys)
    store.add_picks("someone", "item", ["w:1"])                   # a time in ms fits now
    store.save_event_records([{"id": "e-000001", "title": "仓库起火", "category": "安全生产", "risk": {"level": "low"},
                               "heat": {"value": 1.0}, "stage": {"name": "latent"}, "size": 1, "first_ts": 1,
                               "last_ts": 2}])
    assert store.get_event("e-000001")["category"] == "安全生产"       # written deflated, read back
    store.close()
