"""The SQLite store: migrations, idempotent upserts, dedup rules, search, quarantine."""

from __future__ import annotations

import json
import sqlite3
from datetime import datetime, timedelta, timezone

from conftest import sqlite_only, undo_list_indexes
from yuqing.ingest import normalize_record
from yuqing.models import Quarantined, metrics_of
from yuqing.store import open_store

NOW = datetime(2026, 11, 28, 4, 0, tzinfo=timezone.utc)


def item(**fields):
    return normalize_record(fields, now=NOW)


@sqlite_only
def test_migrations_apply_once_and_wal_is_on(settings, tmp_path):
    store = open_store(settings.database_url)
    assert store.migrate() == []                       # already applied on open
    store.close()
    db = settings.database_url.split("///", 1)[1]
    with sqlite3.connect(db) as c:
        versions = [r[0] for r in c.execute("SELECT version FROM schema_migrations ORDER BY version")]
        assert versions == list(range(1, 21))
        assert c.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert {"items", "items_fts", "quarantine", "sources", "events"} <= {r[0] for r in c.execute(
            "SELECT name FROM sqlite_master WHERE type IN ('table')")}


@sqlite_only
def test_migration_20_keeps_the_search_and_drops_the_copy_of_its_terms(settings):
    """Issue 20 (disk): the full-text index keeps its terms itself; a store made before it
    (terms copied in items.seg, the index reading them from there) still finds what it found."""
    from yuqing.store.sql import row_terms

    db = settings.database_url.split("///", 1)[1]
    store = open_store(settings.database_url)
    store.upsert_items([item(id="1", platform="weibo", text="万庄镇积水严重"), item(id="2", platform="news",
                        title="廣陽區通報", text="新華路施工")])
    store.close()
    with sqlite3.connect(db) as c:                                   # as before migration 20
        rows = [dict(zip(("seq", "title", "text", "text_sc"), r)) for r in c.execute(
            "SELECT seq, title, text, text_sc FROM items")]
        c.executemany("UPDATE items SET seg = ? WHERE seq = ?", [(row_terms(r), r["seq"]) for r in rows])
        c.execute("DROP TABLE items_fts")
        c.execute("DROP TABLE item_numbers")
        c.execute("CREATE VIRTUAL TABLE items_fts USING fts5(seg, content='items', content_rowid='seq', "
                  "tokenize='unicode61 remove_diacritics 2', detail=none)")
        c.execute("INSERT INTO items_fts(items_fts) VALUES ('rebuild')")
        c.execute("DELETE FROM schema_migrations WHERE version = 20")
    store = open_store(settings.database_url)
    assert [h.id for h in store.search("积水")] == ["weibo:1"] and [h.id for h in store.search("广阳区")] == ["news:2"]
    store.close()
    with sqlite3.connect(db) as c:
        assert c.execute("SELECT count(*) FROM items WHERE seg IS NOT NULL").fetchone()[0] == 0
        c.execute("DELETE FROM items WHERE seq = 2")                  # by hand: its terms stay in the index
    store = open_store(settings.database_url)
    store.upsert_items([item(id="3", platform="weibo", text="小区停水")])
    assert [h.id for h in store.search("广阳区")] == [] and [h.id for h in store.search("停水")] == ["weibo:3"]
    assert store.get_items(["weibo:3"])[0]["seq"] == 3                # never the deleted row's number
    store.close()


@sqlite_only
def test_migration_4_adds_events_to_an_older_database(settings):
    db = settings.database_url.split("///", 1)[1]
    open_store(settings.database_url).close()
    with sqlite3.connect(db) as c:                                   # make it look pre-migration-4
        c.execute("DROP INDEX items_event")
        undo_list_indexes(c)
        c.execute("ALTER TABLE items DROP COLUMN event")
        c.execute("DROP TABLE events")
        c.execute("DELETE FROM schema_migrations WHERE version = 4")
    store = open_store(settings.database_url)
    assert store.list_events() == [] and store.last_event_number() == 0
    store.close()
    with sqlite3.connect(db) as c:
        assert "event" in {r[1] for r in c.execute("PRAGMA table_info(items)")}


def test_an_item_without_counts_stores_none_and_shows_the_four_nulls(store):
    assert store.upsert_items([item(id="n", platform="news", text="广阳区新闻")]).added == 1
    row = store.get_items(["news:n"])[0]
    assert row["metrics"] is None and row["interactions"] is None
    assert metrics_of(row["metrics"]) == {"comments": None, "likes": None, "reposts": None, "views": None}
    assert store.upsert_items([item(id="n", platform="news", text="广阳区新闻", metrics={"views": 5})]).updated == 1
    assert json.loads(store.get_items(["news:n"])[0]["metrics"]) == {"views": 5}


def test_upsert_is_idempotent_and_refreshes_metrics(store):
    a = item(id="1", platform="weibo", text="广阳区消息", metrics={"likes": 1})
    assert store.upsert_items([a]).added == 1
    assert store.upsert_items([a]).duplicates == 1
    grown = item(id="1", platform="weibo", text="广阳区消息", metrics={"likes": 9, "reposts": 2})
    assert store.upsert_items([grown]).updated == 1
    row = store.get_items(["weibo:1"])[0]
    assert json.loads(row["metrics"]) == {"likes": 9, "reposts": 2}         # the known counts are stored
    assert metrics_of(row["metrics"]) == {"likes": 9, "reposts": 2, "comments": None, "views": None}
    assert store.count_items() == 1
    assert len(store.search("广阳区")) == 1                # re-upserts never index twice


def test_content_dedup_applies_to_derived_ids_only(store):
    via_a = item(text="同一篇报道的正文", source="某网", url="https://a.cn/1")
    via_b = item(text="同一篇报道的正文", source="某网", url="https://b.cn/2")
    res = store.upsert_items([via_a, via_b])
    assert (res.added, res.duplicates) == (1, 1)       # the same words from the same outlet, reached twice
    # two submissions with their own ids stay two, even with the same words (a repeated complaint)
    c1 = item(id="c1", platform="complaint", author="A001", text="暖气不热")
    c2 = item(id="c2", platform="complaint", author="A001", text="暖气不热")
    assert store.upsert_items([c1, c2]).added == 2
    # the same words from another outlet are a reprint, kept for spread analysis
    other = item(text="同一篇报道的正文", source="另一网", url="https://c.cn/3")
    assert store.upsert_items([other]).added == 1


def test_search_segmented_simplified_filters_and_order(store):
    store.upsert_items([
        item(id="1", platform="weibo", text="广阳区新开路积水严重", published_at="2026-11-27 08:00"),
        item(id="2", platform="news", text="廣陽區積水路段完成改造", published_at="2026-11-28 08:00"),
        item(id="3", platform="weibo", text="重庆广阳岛风景", published_at="2026-11-20 08:00"),
        item(id="4", platform="weibo", text="安次区积水", published_at="2026-11-28 09:00"),
    ])
    ids = [h.id for h in store.search("广阳 积水")]
    assert ids == ["news:2", "weibo:1"]                  # every word required; newest first; 廣陽 matches 广阳
    assert [h.id for h in store.search("廣陽區")] == ["news:2", "weibo:1"]
    assert [h.id for h in store.search("积水", platform="weibo")] == ["weibo:4", "weibo:1"]
    since = datetime(2026, 11, 28, 0, 0, tzinfo=timezone.utc)
    assert [h.id for h in store.search("积水", since=since)] == ["weibo:4", "news:2"]
    assert store.search("   ") == [] and store.search('"; DROP TABLE items; --') == []
    assert store.count_items() == 4


def test_quarantine_records_once_with_cut_raw(store):
    big = "x" * 5000
    rows = [Quarantined("bad-json", "f.jsonl:3", "Expecting value", big),
            Quarantined("empty-text", "f.jsonl:4", "", "{}")]
    assert store.add_quarantine(rows, max_bytes=100) == 2
    assert store.add_quarantine(rows, max_bytes=100) == 0
    got = {q["reason"]: q for q in store.quarantined()}
    assert len(got["bad-json"]["raw"]) == 100 and got["bad-json"]["raw_len"] == 5000
    assert store.quarantine_counts() == {"bad-json": 1, "empty-text": 1}
    assert store.stats()["quarantined"] == 2


def test_stats_and_items_per_day(store):
    store.upsert_items([item(id=str(i), platform="weibo", text=f"消息{i}") for i in range(14)], collector="feed-a")
    assert store.stats()["items_by_platform"] == {"weibo": 14}
    assert store.items_per_day(7, now=NOW.timestamp() + 60) == {"feed-a": 2.0}
    assert store.items_per_day(7, now=(NOW + timedelta(days=8)).timestamp()) == {}


@sqlite_only
def test_migration_10_fills_the_relevance_label_of_stored_analyses(settings):
    store = open_store(settings.database_url)
    store.upsert_items([item(id="a", text="广阳区积水"), item(id="b", text="南京汉江路"), item(id="c", text="旧的")])
    done = {"category": "其他", "sentiment": {"label": "neutral", "score": 0.0}, "risk": {"level": "low"},
            "duplicate_of": None}
    store.save_analysis([("other:a",
                          done | {"relevant": True, "relevance": {"label": "yes", "reasons": []}}),
                         ("other:b", done | {"relevant": False, "relevance": {"label": "possible", "reasons": []}}),
                         ("other:c", done | {"relevant": False})])              # stored before issue 13
    store.close()
    db = settings.database_url.split("///", 1)[1]
    with sqlite3.connect(db) as c:                                   # make it look pre-migration-10
        c.execute("DROP INDEX items_possible")
        undo_list_indexes(c)
        c.execute("ALTER TABLE items DROP COLUMN relevance")
        c.execute("DROP TABLE relevance_judgments")
        c.execute("DELETE FROM schema_migrations WHERE version = 10")
    store = open_store(settings.database_url)
    assert {r["id"]: r["relevance"] for r in store.get_items(["other:a", "other:b", "other:c"])} == {
        "other:a": "yes", "other:b": "possible", "other:c": "no"}
    assert store.possible_items()[0] == 1 and store.judge_relevance("other:b", "no", "小王")
    assert store.possible_items()[0] == 0 and store.relevance_judgments(["other:b"])["other:b"]["label"] == "no"
    store.close()


def test_a_place_name_with_its_kind_finds_the_text_that_segments_it_in_two(store):
    """「万庄镇」 alone is one word to the segmenter, and two in 「…广阳区万庄镇一仓库…」 (万庄/镇):
    the query takes either form (found while porting search to PostgreSQL)."""
    store.upsert_items([item(id="w:1", text="廊坊市广阳区万庄镇一仓库起火", published_at="2026-11-21T10:00:00+08:00"),
                        item(id="w:2", text="万庄镇今天开集", published_at="2026-11-22T10:00:00+08:00"),
                        item(id="w:3", text="万庄的集市", published_at="2026-11-23T10:00:00+08:00")])
    assert {h.id for h in store.search("万庄镇")} == {"w:1", "w:2"}
    assert {h.id for h in store.search("万庄镇 -仓库")} == {"w:2"}


def test_a_backfill_counts_what_was_analysed_in_the_second_it_began_and_not_its_own_saves(store):
    # the live stage may save in the very second a backfill begins: those items were judged under
    # the old scheme and must be judged again; what the backfill saves itself is done
    store.upsert_items([item(id=str(i), text=f"广阳区消息{i}") for i in range(4)])
    done = {"category": "其他", "sentiment": {"label": "neutral", "score": 0.0}, "risk": {"level": "low"},
            "duplicate_of": None, "relevant": True, "relevance": {"label": "yes", "reasons": []}}
    ids = [r["id"] for r in store.get_items([f"other:{i}" for i in range(4)])]
    store.save_analysis([(i, done) for i in ids])
    run = store.begin_backfill(None)
    before = run["started_ts"]
    assert store.backfill_left(None, before) == 4
    assert sum(hi - lo for lo, hi in store.backfill_parts(None, before, 2)) >= 4
    store.save_analysis([(i, done) for i in ids[:3]], analyzed_at=before)
    assert store.backfill_left(None, before) == 1
    assert [r["id"] for lo, hi in store.backfill_parts(None, before, 2)
            for r in store.backfill_rows(lo, hi, None, before)] == ids[3:]


@sqlite_only
def test_event_records_are_packed_with_a_dictionary_and_older_forms_still_read(store):
    """A record is deflated with a preset dictionary of its keys (a small record's bytes were
    half key names); one stored as JSON text, or deflated without the dictionary (before),
    reads back as it was."""
    import zlib

    import orjson
    from sqlalchemy import text

    from yuqing.store.schema import _DICTS, unpack

    record = {"id": "e-000001", "title": "仓库起火", "category": "安全生产", "risk": {"level": "high"},
              "heat": {"value": 12.5}, "stage": {"name": "latent"}, "size": 1, "first_ts": 1, "last_ts": 2}
    with store.engine.begin() as conn:
        conn.execute(text("INSERT INTO events (id, first_ts, last_ts, size) VALUES "
                          "('e-000001', 1, 2, 1), ('e-000002', 1, 2, 1), ('e-000003', 1, 2, 1)"))
        conn.execute(text("UPDATE events SET record = :r WHERE id = 'e-000002'"),
                     {"r": zlib.compress(orjson.dumps(record | {"id": "e-000002"}), 6)})
        conn.execute(text("UPDATE events SET record = :r WHERE id = 'e-000003'"),
                     {"r": json.dumps(record | {"id": "e-000003"}, ensure_ascii=False)})
    store.save_event_records([record])
    with store.engine.connect() as conn:
        raw = conn.execute(text("SELECT record FROM events WHERE id = 'e-000001'")).scalar_one()
    assert raw[1] & 0x20 and int.from_bytes(raw[2:6], "big") in _DICTS       # FDICT, and which one
    assert len(raw) < len(zlib.compress(orjson.dumps(record), 6)) and orjson.loads(unpack(raw)) == record
    for eid in ("e-000001", "e-000002", "e-000003"):
        assert store.get_event(eid) == record | {"id": eid}
