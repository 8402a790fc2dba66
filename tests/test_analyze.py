"""The analysis stage end to end: `yuqing analyze` on files (good and hostile), the store's
analysis pass after an import, `yuqing reanalyze`, schemes with landmarks, and risk reasons."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest

from conftest import undo_list_indexes
from test_cli import DEMO_STREAM, yq
from yuqing.analysis.analyze import Analyzer, Subject
from yuqing.analysis.risk import assess, harm_cues
from yuqing.scheme import SchemeError, load_scheme
from yuqing.starter import known_region
from yuqing.store import open_store

FIELDS = {"relevant", "places", "category", "sentiment", "risk", "keywords", "duplicate_of", "event"}


def lines(path: Path) -> list[dict]:
    return [json.loads(x) for x in path.read_text(encoding="utf-8").splitlines()]


@pytest.fixture(scope="module")
def region_dir(tmp_path_factory):
    d = tmp_path_factory.mktemp("region")
    yq(d, "init", "--region", "131003")
    return d


def test_analyze_writes_every_field_in_input_order_and_links_copies_to_the_earliest(region_dir):
    src = region_dir / "in.jsonl"
    rows = [
        {"id": "b", "text": "广阳区万庄镇一厂房昨夜起火，两人受伤送医，消防正在调查起火原因。",
         "published_at": "2026-11-28T10:00:00+08:00", "platform": "weibo", "metrics": {"reposts": 3000}},
        {"id": "a", "text": "广阳区万庄镇一厂房昨夜起火，两人受伤送医，消防正在调查起火原因。#广阳#",
         "published_at": "2026-11-28T09:00:00+08:00", "platform": "news", "source": "廊坊日报"},
        {"id": "c", "text": "重庆广阳岛今天的银杏太美了，周末去打卡！", "published_at": "2026-11-28T11:00:00+08:00"},
        {"id": "d", "text": "河北省廊坊市广阳区的暖气一直不热，物业不管，希望有关部门尽快解决",
         "title": "投诉：小区供暖不热", "platform": "complaint", "published_at": "2026-11-28T12:00:00+08:00"},
    ]
    src.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    out = region_dir / "out.jsonl"
    yq(region_dir, "analyze", str(src), "-o", str(out), "--scheme", "scheme.yaml")
    res = lines(out)
    assert [r["id"].split(":")[-1] for r in res] == ["b", "a", "c", "d"]
    for r in res:
        assert FIELDS <= set(r["analysis"])
    b, a, c, d = (r["analysis"] for r in res)
    # b was published after a: it is the copy, whatever the line order
    assert a["duplicate_of"] is None and b["duplicate_of"] == res[1]["id"]
    assert a["relevant"] and b["relevant"] and not c["relevant"] and d["relevant"]
    assert any(p["code"] == "131003101" and p["mention"] == "万庄镇" for p in a["places"])
    assert a["category"] == "安全生产" and a["risk"]["level"] == "high"
    assert any(reason.startswith("伤亡") for reason in a["risk"]["reasons"])
    assert d["category"] == "城乡建设" and d["sentiment"]["label"] == "negative"
    assert c["category"] == "其他" and c["risk"]["level"] == "low"
    # events within the run: the copy joins its original's event; unrelated items have their own
    assert a["event"] and b["event"] == a["event"] and len({a["event"], c["event"], d["event"]}) == 3
    # without a scheme every item counts as relevant
    out2 = region_dir / "out2.jsonl"
    yq(region_dir, "analyze", str(src), "-o", str(out2))
    assert all(r["analysis"]["relevant"] for r in lines(out2))


def test_analyze_survives_hostile_input_line_by_line(region_dir):
    src = region_dir / "bad.jsonl"
    huge = "广阳区" + "很长的文字。" * 58_000                      # ~1 MB of text in one item
    src.write_text("\n".join([
        json.dumps({"text": ""}),                                   # empty text: refused, with reason
        "{not json",
        json.dumps({"text": "😀😀😀🔥🔥"}),                          # only emoji
        json.dumps({"text": huge}, ensure_ascii=False),
        json.dumps({"text": "廣陽區萬莊鎮 fire 火災 <script>alert(1)</script> ٩(◕‿◕)۶ Ελλάδα"}, ensure_ascii=False),
        "[1, 2]",
        "",
        json.dumps({"text": "正常的一条", "published_at": "not a time"}, ensure_ascii=False),
    ]) + "\n", encoding="utf-8")
    out = region_dir / "bad_out.jsonl"
    run = yq(region_dir, "analyze", str(src), "-o", str(out), "--scheme", "scheme.yaml")
    res = lines(out)
    assert len(res) == 8
    assert "error" in res[0] and res[0]["line"] == 1 and "empty" in res[0]["error"]
    assert "bad JSON" in res[1]["error"] and "not-an-object" in res[5]["error"] and "empty line" in res[6]["error"]
    assert res[2]["analysis"]["category"] == "其他" and res[2]["analysis"]["keywords"] == []
    assert res[3]["analysis"]["relevant"] and res[3]["analysis"]["places"][0]["code"] == "131003"
    mixed = res[4]["analysis"]
    assert mixed["relevant"] and any(p["code"] == "131003101" for p in mixed["places"])
    assert "time-unparsed" in res[7]["flags"] and "analysis" in res[7]
    assert "bad.jsonl:2: bad JSON" in run.stderr
    # nothing readable at all: non-zero exit
    (region_dir / "none.jsonl").write_text("{oops\n", encoding="utf-8")
    assert yq(region_dir, "analyze", "none.jsonl", check=False).returncode == 1


def test_import_analyses_stored_items_and_reanalyze_redoes_them(region_dir):
    yq(region_dir, "import", str(DEMO_STREAM))
    db = region_dir / "yuqing.db"
    with sqlite3.connect(db) as c:
        total, waiting = c.execute("SELECT count(*), sum(analyzed_ts IS NULL) FROM items").fetchone()
        assert total == 302 and waiting == 0
        a = json.loads(c.execute("SELECT analysis FROM items WHERE id = 'demo:00048'").fetchone()[0])
        assert FIELDS <= set(a) and a["event"].startswith("e-")
        groups = sorted(sorted(ids.split(",")) for (ids,) in
                        c.execute("SELECT group_concat(id) FROM items WHERE event IS NOT NULL GROUP BY event").fetchall())
        # every relevant item is in an event; one outside the region only with its original or parent
        assert c.execute("SELECT count(*) FROM items WHERE event IS NULL AND relevant = 1").fetchone()[0] == 0
        assert c.execute("SELECT count(*) FROM items WHERE event IS NULL").fetchone()[0] > 0
        cats = dict(c.execute("SELECT category, count(*) FROM items GROUP BY category").fetchall())
        assert cats.get("城乡建设", 0) > 50 and cats.get("安全生产", 0) > 5
        dups = c.execute("SELECT count(*) FROM items WHERE duplicate_of IS NOT NULL").fetchone()[0]
    stats = json.loads(yq(region_dir, "stats", "--json").stdout)
    assert stats["analysis"]["waiting"] == 0 and stats["analysis"]["near_duplicates"] == dups
    assert stats["events"] == len(groups)
    again = json.loads(yq(region_dir, "reanalyze", "--json").stdout)
    assert again == {"marked": 302, "analysed": 302}
    with sqlite3.connect(db) as c:
        assert c.execute("SELECT count(*) FROM items WHERE duplicate_of IS NOT NULL").fetchone()[0] == dups
        # events formed again from scratch: the same grouping
        assert sorted(sorted(ids.split(",")) for (ids,) in
                      c.execute("SELECT group_concat(id) FROM items WHERE event IS NOT NULL GROUP BY event").fetchall()) == groups


def test_migration_3_adds_the_analysis_columns_to_an_older_database(settings):
    db = settings.database_url.split("///", 1)[1]
    open_store(settings.database_url).close()
    with sqlite3.connect(db) as c:                                   # make it look pre-migration-3
        c.execute("DROP INDEX items_pending")
        c.execute("DROP INDEX items_category")
        c.execute("DROP INDEX items_volume")                        # migration 6 indexes a column of 3
        undo_list_indexes(c)                                        # and so does 13
        for col in ("analyzed_ts", "relevant", "category", "sentiment", "risk", "duplicate_of"):
            c.execute(f"ALTER TABLE items DROP COLUMN {col}")
        c.execute("DELETE FROM schema_migrations WHERE version = 3")
    store = open_store(settings.database_url)
    assert store.pending_analysis() == []
    store.close()
    with sqlite3.connect(db) as c:
        assert "risk" in {r[1] for r in c.execute("PRAGMA table_info(items)")}


def test_scheme_landmarks_make_places_of_their_own(tmp_path):
    path = tmp_path / "s.yaml"
    path.write_text('name: t\nregion: "131003"\nlandmarks:\n  万达广场: "131003"\n  人民公园: "131003101"\n',
                    encoding="utf-8")
    scheme = load_scheme(path, known_region)
    an = Analyzer(scheme)
    res = an.analyze([Subject("1", None, "今晚人民公园门口有人摔倒了"), Subject("2", None, "万达广场停车太难")])
    assert res[0]["relevant"] and res[0]["places"][0] == {"code": "131003101", "name": "万庄镇", "mention": "人民公园",
                                                           "start": 2, "end": 6}
    assert res[1]["relevant"]
    # a plain Analyzer without the scheme does not know them
    assert not Analyzer(load_scheme(_plain(tmp_path), known_region)).analyze([Subject("3", None, "万达广场停车太难")])[0]["relevant"]
    bad = tmp_path / "bad.yaml"
    bad.write_text('name: t\nregion: "131003"\nlandmarks: [万达广场]\n', encoding="utf-8")
    with pytest.raises(SchemeError, match="landmarks 应是"):
        load_scheme(bad, known_region)


def _plain(tmp_path: Path) -> Path:
    p = tmp_path / "plain.yaml"
    p.write_text('name: p\nregion: "131003"\n', encoding="utf-8")
    return p


def test_risk_is_about_harm_not_opinion():
    calm = assess("对政府的政策有不同看法，希望多听取群众意见", "其他", 0.6, "negative", {}, "weibo", None)
    assert calm.level == "low"
    fire = assess("厂房起火，3人死亡", "安全生产", 0.9, "negative", {"reposts": 20000}, "news", "廊坊日报")
    assert fire.level == "high" and fire.score <= 1
    assert any("伤亡" in r for r in fire.reasons) and any("互动量" in r for r in fire.reasons)
    assert harm_cues("拖欠工资三个月，讨薪无门") == {"民生": ["拖欠工资"], "群体": ["讨薪"]}


def test_new_engagement_sends_an_item_back_to_analysis(store):
    from yuqing.ingest import normalize_record
    from yuqing.models import BEIJING
    from datetime import datetime
    from yuqing.pipeline import analyze_pending

    now = datetime(2026, 11, 28, 12, tzinfo=BEIJING)
    post = {"id": "9", "platform": "weibo", "text": "广阳区一小区起火，有人受伤", "metrics": {"reposts": 1}}
    store.upsert_items([normalize_record(post, now=now)])
    an = Analyzer()
    assert analyze_pending(store, an, warm_days=0) == 1
    before = store.get_items(["weibo:9"])[0]
    store.upsert_items([normalize_record({**post, "metrics": {"reposts": 90_000}}, now=now)])
    assert [r["id"] for r in store.pending_analysis()] == ["weibo:9"]
    assert analyze_pending(store, an, warm_days=0) == 1
    after = json.loads(store.get_items(["weibo:9"])[0]["analysis"])
    assert json.loads(before["analysis"])["risk"]["score"] < after["risk"]["score"]
    assert any(r.startswith("互动量") for r in after["risk"]["reasons"])


def test_parallel_analysis_gives_what_one_process_gives(tmp_path):
    """Workers analyse batches; the parent links near-duplicates in time order: same results."""
    from yuqing.pipeline import analyze_pending, ingest_stream
    from yuqing.settings import load_settings
    from yuqing.sources.files import read_file

    results = []
    for workers in (0, 2):
        s = load_settings(env={}, database_url=f"sqlite:///{tmp_path}/w{workers}.db", ingest_workers=0)
        store = open_store(s.database_url)
        ingest_stream(read_file(str(DEMO_STREAM), None, {}, s.item_max_bytes), store, s)
        assert store.count_pending(1000) == 302 and store.count_pending(100) == 100   # 302 > 4 × 32: workers
        assert analyze_pending(store, Analyzer(), batch_size=32, workers=workers, warm_days=0) == 302
        assert store.count_pending(1000) == 0
        results.append({r["id"]: r["analysis"] for r in store.get_items(
            [r["id"] for r in store.iter_items()])})
        store.close()
    assert results[0] == results[1]
    assert sum(json.loads(a)["duplicate_of"] is not None for a in results[0].values()) > 50


def _worker_analyzer_address() -> int:
    from yuqing import pipeline

    return id(pipeline._worker_analyzer)


def test_forked_analysis_workers_take_over_the_parents_analyzer():
    """Forked workers use the parent's analyzer object itself (its models' pages shared, not
    loaded again: issue 20); under spawn they would have built their own."""
    from yuqing.pipeline import _FORKED, _analysis_pool

    analyzer = Analyzer()
    with _analysis_pool(2, analyzer) as pool:
        addresses = {pool.submit(_worker_analyzer_address).result() for _ in range(8)}
    assert addresses == {id(analyzer)} and not _FORKED


def test_analyze_with_several_schemes_adds_each_ones_relevance_and_keeps_the_first_as_today(region_dir):
    src = region_dir / "multi.jsonl"
    rows = [{"id": "w", "text": "广阳区万庄镇一仓库起火，消防正在处置。", "published_at": "2026-11-28T10:00:00+08:00"},
            {"id": "h", "text": "安次区杨税务乡一小区暖气不热，居民投诉。", "published_at": "2026-11-28T11:00:00+08:00"},
            {"id": "z", "text": "广阳区招聘会下周举行。", "published_at": "2026-11-28T12:00:00+08:00"}]
    src.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    (region_dir / "town.yaml").write_text('name: 万庄镇\nregion: "131003101"\n', encoding="utf-8")
    (region_dir / "anci.yaml").write_text('name: 安次区\nregion: "131002"\nrule: 暖气 | 供暖\n', encoding="utf-8")
    (region_dir / "jobs.yaml").write_text('name: 就业\nrequire_region: false\nrule: 招聘\n', encoding="utf-8")
    one = region_dir / "one.jsonl"
    yq(region_dir, "analyze", str(src), "-o", str(one), "--scheme", "scheme.yaml")
    several = region_dir / "several.jsonl"
    yq(region_dir, "analyze", str(src), "-o", str(several), "--scheme", "scheme.yaml", "--scheme", "town.yaml",
       "--scheme", "anci.yaml", "--scheme", "jobs.yaml")
    alone, together = lines(one), lines(several)
    assert all("schemes" not in r["analysis"] for r in alone)                        # one scheme: exactly as today
    for a, b in zip(alone, together):
        # everything but the events is the first scheme's alone; an item that involves only
        # another scheme forms an event too (each scheme follows its happenings)
        assert {k: v for k, v in b["analysis"].items() if k not in ("schemes", "event")} == \
            {k: v for k, v in a["analysis"].items() if k != "event"}
    assert [r["analysis"]["event"] is not None for r in alone] == [True, False, False]
    assert [r["analysis"]["event"] is not None for r in together] == [True, True, True]
    first = next(iter(together[0]["analysis"]["schemes"]))
    got = {r["id"].split(":")[-1]: {n: s["relevant"] for n, s in r["analysis"]["schemes"].items()} for r in together}
    assert got["w"] == {first: True, "万庄镇": True, "安次区": False, "就业": False}
    assert got["h"] == {first: False, "万庄镇": False, "安次区": True, "就业": False}
    assert got["z"]["就业"] is True and got["z"]["万庄镇"] is False          # (the starter scheme excludes 招聘)
    for r in together:
        s = r["analysis"]["schemes"][first]
        assert s == {"relevant": r["analysis"]["relevant"], "relevance": r["analysis"]["relevance"]}
    same = yq(region_dir, "analyze", str(src), "--scheme", "town.yaml", "--scheme", "town.yaml", check=False)
    assert same.returncode != 0 and "同名" in same.stderr and "Traceback" not in same.stderr
