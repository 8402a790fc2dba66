"""Events: bursts and stages, heat, trends, spread, the clusterer's merging, places, memory bound
and saved state, the store's events stage end to end, and early warning on the real CED cascades."""

from __future__ import annotations

from collections import Counter
import json
import sqlite3
import sys

import orjson
import pytest
from scipy.stats import poisson

from conftest import ROOT
from test_cli import DEMO_STREAM, yq
from yuqing.events.burst import BurstParams, Series, burst_at, first_outbreak, poisson_sf, stage_of
from yuqing.events.cluster import EventClusterer
from yuqing.events.record import build, heat
from yuqing.store.schema import unpack
from yuqing.events.trends import rising_keywords, sensitive_trends

sys.path.insert(0, str(ROOT / "bench"))

HOUR = 3600.0
T0 = 1_795_000_000.0


def test_poisson_tail_matches_scipy():
    for k, lam in [(1, 0.5), (6, 0.5), (30, 4.0), (200, 20.0), (900, 700.0), (5, 40.0)]:
        assert poisson_sf(k, lam) == pytest.approx(poisson.sf(k - 1, lam), rel=1e-6, abs=1e-300)


def series(times, source=lambda i: f"s{i}", weight=1.0) -> Series:
    return Series.of(times, [weight] * len(times), [source(i) for i in range(len(times))])


def test_stages_follow_the_shape_of_the_timeline():
    p = BurstParams()
    quiet = series([T0 + i * 6 * HOUR for i in range(8)])                  # one item every 6 hours
    assert stage_of(quiet, T0 + 48 * HOUR, p)["name"] == "latent"
    assert first_outbreak(quiet, p) is None
    # then 20 reports from different sources within 40 minutes
    burst_times = sorted(quiet.ts + [T0 + 50 * HOUR + i * 120 for i in range(20)])
    loud = series(burst_times)
    rising = stage_of(loud, T0 + 50 * HOUR + 40 * 60, p)
    assert rising["name"] == "outbreak" and rising["label"] == "爆发"
    sig = rising["signal"]
    assert sig["observed"] >= 19 and sig["baseline"] == p.prior_rate and sig["ratio"] > 10 and sig["p_value"] < 1e-3
    # another hour as loud as the first: no longer rising, still at its height
    loud = series(burst_times + [T0 + 51 * HOUR + i * 120 for i in range(20)])
    assert stage_of(loud, T0 + 51 * HOUR + 45 * 60, p)["name"] == "peak"
    later = stage_of(loud, T0 + 56 * HOUR, p)
    assert later["name"] == "decline" and later["first_outbreak_ts"] is not None
    assert stage_of(loud, T0 + 200 * HOUR, p)["name"] == "decline"           # idle for days
    # one source shouting is not an outbreak
    assert burst_at(series(burst_times, source=lambda i: "same"), T0 + 50 * HOUR + 40 * 60, p) is None


def test_a_day_of_steady_chatter_is_the_baseline_not_a_burst():
    p = BurstParams()
    steady = [T0 + i * 360 for i in range(10 * 30)]          # 10 an hour for 30 hours
    assert burst_at(series(steady), steady[-1], p) is None
    doubled = steady + [steady[-1] + 60 + i * 60 for i in range(50)]    # then 50 in the next hour
    sig = burst_at(series(doubled), doubled[-1], p)
    assert sig is not None and 9 <= sig["baseline"] <= 11 and sig["ratio"] >= 5


def test_the_first_outbreak_is_the_first_item_whose_window_signals():
    # first_outbreak counts every window at once and skips the Poisson tail where it cannot be
    # small: it must find what checking each item in turn finds (steady chatter, bursts, reposts)
    import random

    rng = random.Random(7)
    for _ in range(400):
        n = rng.choice([1, 3, 30, 300])
        ts = sorted(T0 + rng.random() * rng.choice([HOUR, 24 * HOUR, 5 * 24 * HOUR]) for _ in range(n))
        if rng.random() < 0.4:
            at = rng.choice(ts)
            ts = sorted(ts + [at + rng.random() * 1800 for _ in range(rng.randint(3, 60))])
        p = BurstParams(alpha=rng.choice([1e-3, 0.05, 0.9]), min_count=rng.choice([5.5, 1.0]))
        s = Series.of(ts, [rng.choice([1.0, p.repost_weight]) for _ in ts], [rng.choice("abcde") for _ in ts])
        each = next(((t, sig) for t in s.ts if (sig := burst_at(s, t, p)) is not None), None)
        assert first_outbreak(s, p) == each


def test_reposts_count_a_fifteenth_of_a_report():
    p = BurstParams()
    s = Series.of([T0] + [T0 + 10 + i for i in range(80)], [1.0] + [p.repost_weight] * 80,
                  ["root"] + [f"u{i}" for i in range(80)])
    assert burst_at(s, s.ts[-1], p) is None                  # 80 reposts in an hour: 5.3 < 5.5
    s.add(T0 + 100, p.repost_weight, "u80")
    s.add(T0 + 101, p.repost_weight, "u81")
    s.add(T0 + 102, p.repost_weight, "u82")
    assert burst_at(s, s.ts[-1], p) is not None              # 83: the outbreak line


def test_heat_is_bounded_monotone_and_explained():
    small, big = heat(1, 0, 0, 0.3), heat(500, 150, 50_000, 0.9)
    assert 0 <= small["value"] < big["value"] <= 100
    assert heat(10**6, 10**6, 10**9, 1.0)["value"] == 100.0
    assert sum(p["weight"] for p in big["parts"].values()) == pytest.approx(1.0)
    assert big["parts"]["engagement"]["value"] == 50_000
    assert heat(50, 0, 0, 0.5)["value"] < heat(50, 20, 0, 0.5)["value"]        # velocity counts


def item_row(i, ts, source, text="", **kw):
    analysis = kw.pop("analysis", {})
    return {"id": f"i{i}", "published_ts": ts, "source": source, "author": None, "platform": kw.pop("platform", "weibo"),
            "title": kw.pop("title", None), "text": text, "url": None, "collector": None,
            "metrics": kw.pop("metrics", None), "repost_of": kw.pop("repost_of", None),
            "duplicate_of": kw.pop("duplicate_of", None), "sentiment": kw.pop("sentiment", "neutral"),
            "risk": kw.pop("risk", "low"), "category": kw.pop("category", "其他"),
            "analysis": orjson.dumps(analysis).decode()}


def test_spread_names_public_accounts_and_only_counts_private_ones():
    rows = [item_row(0, T0, "廊坊日报", "广阳区万庄镇仓库火灾", platform="news")]
    rows.append(item_row(1, T0 + 60, "廊坊发布", "转发", repost_of="i0"))
    rows += [item_row(10 + i, T0 + 120 + i, f"张三{i}", "转发", repost_of="i1") for i in range(10)]
    rows += [item_row(30 + i, T0 + 200 + i, f"李四{i}", "关注", repost_of="i0") for i in range(5)]
    rows.append(item_row(50, T0 + 300, "王五", "转发", repost_of="i10"))
    record = build("e-1", rows, T0 + HOUR)
    spread = record["spread"]
    assert spread["reposts"] == 17 and spread["depth"] == 3 and spread["breadth"] == 10
    assert spread["by_public_accounts"] == round(1 / 17, 3)
    assert spread["through_public_accounts"] == round(11 / 17, 3)          # 10 + 王五 came through 廊坊发布
    assert [n["name"] for n in spread["key_nodes"]] == ["廊坊日报", "廊坊发布"]
    assert spread["key_nodes"][1]["reached"] == 11 and spread["private_accounts"] == 16
    text = json.dumps(record, ensure_ascii=False)
    assert "张三" not in text and "李四" not in text and "王五" not in text
    assert record["first_report"]["source"] == "廊坊日报" and record["reposts"] == 17


def test_reprint_chain_follows_near_duplicates():
    rows = [item_row(0, T0, "廊坊日报", "原文", platform="news"),
            item_row(1, T0 + 600, "河北新闻网", "原文", platform="news", duplicate_of="i0"),
            item_row(2, T0 + 1200, "某网友", "原文", platform="forum", duplicate_of="i0")]
    chain = build("e-1", rows, T0 + HOUR)["reprints"]
    assert chain["first"]["source"] == "廊坊日报" and chain["copies"] == 2
    assert chain["followers"] == [{"source": "河北新闻网", "platform": "news",
                                   "published_at": chain["followers"][0]["published_at"], "after_min": 10}]
    assert chain["other_followers"] == 1


def analysed(i, ts, source, keywords=(), places=(), sentiment="neutral", risk="low", category="其他"):
    return {"id": f"i{i}", "published_ts": ts, "source": source, "author": None, "sentiment": sentiment,
            "risk": risk, "category": category,
            "analysis": orjson.dumps({"keywords": list(keywords),
                                      "places": [{"code": c, "name": n} for c, n in places]}).decode()}


def test_rising_keywords_and_sensitive_trends_carry_their_numbers():
    now = T0 + 8 * 86400
    rows, i = [], 0
    for day in range(7):                       # a week of history: 积水 once a day, 供暖 ten times
        for k in range(10):
            rows.append(analysed(i, T0 + day * 86400 + k * 600, f"s{k}", ["供暖"] + (["积水"] if k == 0 else []),
                                 [("131003101", "万庄镇")], sentiment="negative" if k < 2 else "neutral"))
            i += 1
    for k in range(12):                        # today: 积水 from 12 sources, mostly negative in 万庄镇
        rows.append(analysed(i, now - 3 * HOUR + k * 60, f"t{k}", ["积水", "供暖"], [("131003101", "万庄镇")],
                             sentiment="negative" if k < 9 else "neutral"))
        i += 1
    rising = rising_keywords(rows, now)
    assert [r["keyword"] for r in rising] == ["积水"]
    r = rising[0]
    assert r["observed"] == 12 and r["baseline"] == pytest.approx(1.0, abs=0.2) and r["sources"] == 12 and r["p_value"] < 1e-3
    trends = sensitive_trends(rows, now)
    town = next(t for t in trends if t["kind"] == "place")
    assert town["name"] == "万庄镇" and town["sensitive"] == 9 and town["items"] == 12
    assert town["baseline_share"] == pytest.approx(0.2, abs=0.02) and town["z"] >= 3
    # the same day without the rise: no signal
    calm = [r for r in rows if r["published_ts"] < now - 4 * HOUR]
    assert rising_keywords(calm, now) == [] and sensitive_trends(calm, now) == []


def test_events_merge_when_an_item_bridges_them():
    c = EventClusterer()
    collapse = ["塌陷", "路面", "坑洞", "爱民东道"]
    traffic = ["封路", "绕行", "交警", "拥堵"]
    a = c.add("1", T0, "", "", words=([], collapse))
    b = c.add("2", T0 + 60, "", "", words=([], traffic))
    assert a != b                                    # two tellings with no word in common
    bridge = c.add("3", T0 + 120, "", "", words=([], collapse + traffic))     # one that says both
    assert bridge == a and c.resolve(b) == a          # the younger folds into the older
    states, merges = c.drain()
    assert merges == {b: a} and [s["id"] for s in states] == [a] and states[0]["size"] == 3
    assert c.add("4", T0 + 180, "", "", words=([], traffic)) == a
    unrelated = EventClusterer()
    x = unrelated.add("1", T0, "", "", words=([], collapse))
    y = unrelated.add("2", T0 + 60, "", "", words=([], traffic))
    unrelated.add("3", T0 + 120, "", "", words=([], collapse + ["拥堵"]))    # close to one only
    assert unrelated.resolve(y) == y != x


def test_an_event_merged_into_one_that_merged_in_turn_stands_for_the_last():
    c = EventClusterer()
    collapse, traffic, water = ["塌陷", "路面", "坑洞"], ["封路", "绕行", "交警"], ["停水", "水管", "抢修"]
    a = c.add("1", T0, "", "", words=([], collapse))
    b = c.add("2", T0 + 60, "", "", words=([], traffic))
    w = c.add("3", T0 + 90, "", "", words=([], water))
    assert c.add("4", T0 + 120, "", "", words=([], traffic + water)) == b and c.resolve(w) == b
    assert c.add("5", T0 + 180, "", "", words=([], collapse + traffic + water)) == a
    assert c.resolve(w) == a and c.resolve(b) == a and c.resolve(a) == a
    assert c.merged == {w: a, b: a}                  # the chain was shortened on the way
    _, merges = c.drain()
    assert merges == {w: a, b: a}


def test_a_crowded_word_offers_its_most_recently_active_events():
    # 100 events share two words and nothing else an item could match them on: the clusterer
    # scores only the 64 most recently active of them, and an old one that took an item lately
    # is among those
    c = EventClusterer(max_recent=64)
    ids = [c.add(str(i), T0 + i, "", "", words=([], ["共同", "相同", f"独{i}", f"另{i}"])) for i in range(100)]
    assert len(set(ids)) == 100
    assert c.add("again", T0 + 200, "", "", words=([], ["共同", "相同", "独3", "另3"])) == ids[3]
    got = c.add("x", T0 + 300, "", "", words=([], ["共同", "相同"]))
    assert got == ids[3]        # equally close to all: the earliest of those offered, which 3 now is
    unbounded = EventClusterer(max_recent=1000)
    for i in range(100):
        unbounded.add(str(i), T0 + i, "", "", words=([], ["共同", "相同", f"独{i}", f"另{i}"]))
    assert unbounded.add("x", T0 + 300, "", "", words=([], ["共同", "相同"])) == ids[0]


def test_the_same_town_within_days_needs_less_overlap_and_another_town_never_joins():
    wz, jfd = frozenset({"131003101"}), frozenset({"131003001"})
    c = EventClusterer()
    fire = c.add("1", T0, "", "万庄镇一仓库着火了 浓烟很大 消防车来了", places=wz, place_words=frozenset({"万庄镇"}))
    follow = c.add("2", T0 + 3 * HOUR, "关于万庄镇仓库火灾的情况通报", "万庄镇一物流仓库发生火灾 明火已扑灭",
                   places=wz, place_words=frozenset({"万庄镇"}))
    elsewhere = c.add("3", T0 + 4 * HOUR, "", "解放道一仓库着火了 浓烟很大 消防车来了", places=jfd,
                      place_words=frozenset({"解放道"}))
    assert follow == fire and elsewhere != fire
    late = EventClusterer()
    late.add("1", T0, "", "万庄镇一仓库着火了 浓烟很大 消防车来了", places=wz, place_words=frozenset({"万庄镇"}))
    weeks = late.add("2", T0 + 20 * 86400, "关于万庄镇仓库火灾的情况通报", "万庄镇一物流仓库发生火灾 明火已扑灭",
                     places=wz, place_words=frozenset({"万庄镇"}))
    assert weeks != "e-000001"            # weeks later the lower bar no longer applies


def test_memory_is_bounded_and_saved_state_resumes_the_stream():
    def words(i):           # 300 topics with no word in common
        return [f"题{i}甲"], [f"词{i}乙", f"词{i}丙", f"词{i}丁"]

    c = EventClusterer(max_active=50)
    for i in range(300):
        c.add(str(i), T0 + i, "", "", words=words(i))
    assert len(c) <= 50 and len(c._index) <= 50 * 4
    assert c.add("x", T0 + 400, "", "", words=words(299)) == "e-000300"
    assert c.add("old", T0 + 401, "", "", words=words(3)) == "e-000301"      # closed long ago: a new event
    states, _ = c.drain()
    resumed = EventClusterer(max_active=50)
    resumed.load(orjson.loads(orjson.dumps(states)), last_number=301)
    assert resumed.add("y", T0 + 500, "", "", words=words(299)) == "e-000300"
    assert resumed.add("z", T0 + 600, "", "", words=words(1000)) == "e-000302"


@pytest.fixture(scope="module")
def demo_store(tmp_path_factory):
    d = tmp_path_factory.mktemp("events")
    yq(d, "init", "--region", "131003")
    yq(d, "import", str(DEMO_STREAM))
    return d


def fire_items(db) -> dict[str, str]:
    with sqlite3.connect(db) as c:
        return dict(c.execute("SELECT id, event FROM items WHERE text LIKE '%万庄%' AND text LIKE '%仓库%' "
                              "AND text LIKE '%火%'").fetchall())


def test_import_forms_events_with_records_and_yuqing_events_lists_them(demo_store):
    fire = fire_items(demo_store / "yuqing.db")
    assert len(fire) >= 10 and len(set(fire.values())) == 1          # one fire, told 14 ways, one event
    out = json.loads(yq(demo_store, "events", "--since", "30d", "--top", "5", "--json").stdout)
    top = out["events"][0]
    assert top["id"] == next(iter(fire.values()))
    assert top["size"] >= 40 and top["reposts"] >= 30 and top["category"] == "安全生产" and top["risk"]["level"] == "high"
    assert top["first_report"]["published_at"].startswith("2026-11-27T14:00")
    assert top["stage"]["first_outbreak_ts"] is not None and top["stage"]["label"] in ("爆发", "高峰", "消退")
    assert {p["name"] for p in top["places"]} >= {"万庄镇"}
    assert set(top["heat"]["parts"]) == {"volume", "velocity", "engagement", "authority"}
    assert 0 < top["heat"]["value"] <= 100
    assert [e["heat"]["value"] for e in out["events"]] == sorted((e["heat"]["value"] for e in out["events"]), reverse=True)
    assert sum(n for _, n in top["timeline"]) == top["size"]
    assert top["spread"]["depth"] >= 1 and top["spread"]["size_over_time"][-1][1] == top["spread"]["reposts"]
    text = yq(demo_store, "events", "--since", "30d", "--top", "3").stdout
    assert top["id"] in text and "热度" in text and "首发" in text
    stats = json.loads(yq(demo_store, "stats", "--json").stdout)
    assert stats["events"] >= 100 and sum(stats["events_by_stage"].values()) == stats["events"]


def test_items_outside_the_region_start_no_event_and_a_metrics_update_keeps_the_event(tmp_path):
    yq(tmp_path, "init", "--region", "131003")
    items = [{"id": "t:a", "platform": "weibo", "text": "广阳区万庄镇一仓库着火了，浓烟很大，消防车来了",
              "published_at": "2026-11-27T14:00:00+08:00", "metrics": {"likes": 1}},
             {"id": "t:b", "platform": "weibo", "text": "转发微博", "repost_of": "t:a",
              "published_at": "2026-11-27T14:05:00+08:00"},
             {"id": "t:c", "platform": "news", "text": "重庆市某区一仓库着火，消防车已到场处置",
              "published_at": "2026-11-27T14:10:00+08:00"}]
    path = tmp_path / "in.jsonl"
    path.write_text("".join(json.dumps(x, ensure_ascii=False) + "\n" for x in items), encoding="utf-8")
    yq(tmp_path, "import", str(path))
    db = tmp_path / "yuqing.db"
    with sqlite3.connect(db) as c:
        before = dict(c.execute("SELECT id, event FROM items").fetchall())
    assert before["t:a"] and before["t:b"] == before["t:a"] and before["t:c"] is None
    items[0]["metrics"] = {"likes": 5000}                # re-polled with more engagement
    path.write_text(json.dumps(items[0], ensure_ascii=False) + "\n", encoding="utf-8")
    yq(tmp_path, "import", str(path))
    with sqlite3.connect(db) as c:
        assert dict(c.execute("SELECT id, event FROM items").fetchall()) == before
        assert c.execute("SELECT count(*) FROM events").fetchone()[0] == 1
        record = json.loads(unpack(c.execute("SELECT record FROM events").fetchone()[0]))   # kept deflated
    assert record["size"] == 2 and record["heat"]["parts"]["engagement"]["value"] == 5000


def test_a_second_process_continues_the_same_events(tmp_path):
    """Half the stream now, half in a later process: the same events as one import."""
    lines = DEMO_STREAM.read_text(encoding="utf-8").splitlines()
    records = sorted((json.loads(x) for x in lines), key=lambda r: r["published_at"])
    first, second = tmp_path / "a.jsonl", tmp_path / "b.jsonl"
    cut = next(i for i, r in enumerate(records) if "仓库" in (r.get("text") or "")) + 5   # mid-fire
    first.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records[:cut]), encoding="utf-8")
    second.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records[cut:]), encoding="utf-8")
    yq(tmp_path, "init", "--region", "131003")
    yq(tmp_path, "import", str(first))
    yq(tmp_path, "import", str(second))
    fire = fire_items(tmp_path / "yuqing.db")
    assert len(set(fire.values())) == 1


def test_a_second_process_forms_the_same_events_from_states_that_name_their_item(tmp_path):
    """Issue 20 (disk): an event of one item keeps no copy of its text in its state, only the
    item's id; the next process reads the text back and forms the events it would have formed
    from states holding the copy."""
    from yuqing.pipeline import with_first_texts
    from yuqing.store import open_store

    records = sorted((json.loads(x) for x in DEMO_STREAM.read_text(encoding="utf-8").splitlines()),
                     key=lambda r: r["published_at"])
    halves = []
    for i, part in enumerate((records[:len(records) // 2], records[len(records) // 2:])):
        halves.append(tmp_path / f"{i}.jsonl")
        halves[-1].write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in part), encoding="utf-8")
    parts = {}
    for name in ("named", "copied"):
        d = tmp_path / name
        d.mkdir()
        yq(d, "init", "--region", "131003")
        yq(d, "import", str(halves[0]))
        store = open_store(f"sqlite:///{d / 'yuqing.db'}")
        states = store.active_event_states(0, 100_000)
        singles = [st for st in states if st["members"] is None]
        assert len(singles) >= 20 and all(st["text"] is None and st["first"] for st in singles)
        assert any(st["text"] for st in states)                # a grown event keeps what it has said
        if name == "copied":                                   # as the states were before
            with store._write() as conn:
                store._save_event_states(conn, with_first_texts(store, states), {})
            assert all(st["text"] for st in store.active_event_states(0, 100_000))
        store.close()
        yq(d, "import", str(halves[1]))
        with sqlite3.connect(d / "yuqing.db") as c:
            groups: dict = {}
            for item_id, event in c.execute("SELECT id, event FROM items WHERE event IS NOT NULL"):
                groups.setdefault(event, set()).add(item_id)
        parts[name] = sorted(sorted(g) for g in groups.values())
    assert len(parts["named"]) >= 50 and parts["named"] == parts["copied"]


def test_early_warning_on_ced_cascades(data):
    import spread_ced

    result = spread_ced.evaluate("dev", data)
    assert result["cascades"] > 1600
    # floors under the measured dev figures (bench/RESULTS.md): 0.814 early, 0.087 bottom flagged
    assert result["top_flagged_before_20pct"] >= 0.79 and result["bottom_ever_flagged"] <= 0.10, result


def test_a_real_ced_cascade_is_one_event_with_its_true_depth(data, tmp_path):
    import spread_ced

    key, original, reposts = next(spread_ced.cascades(data, limit=1))
    posted = spread_ced._posted(original["time"])
    year = 2013
    items = [{"id": "ced:root", "platform": "weibo", "text": original["text"],
              "published_at": posted, "metrics": {"reposts": original.get("reposts")}}]
    for r in reposts:
        items.append({"id": f"ced:{r['mid']}", "platform": "weibo", "author": f"uid{r['uid']}",
                      "text": r["text"] or "转发微博", "repost_of": f"ced:{r['parent'] or 'root'}",
                      "published_at": spread_ced._repost_time(r["date"], year)})
    parents = {r["mid"]: r["parent"] for r in reposts}

    def depth(mid):
        d = 1
        while parents.get(mid):
            mid, d = parents[mid], d + 1
        return d

    path = tmp_path / "cascade.jsonl"
    path.write_text("".join(json.dumps(x, ensure_ascii=False) + "\n" for x in items), encoding="utf-8")
    yq(tmp_path, "init", "--region", "131003")
    (tmp_path / "scheme.yaml").unlink()          # no scheme: every item is relevant (not about 广阳区)
    yq(tmp_path, "import", str(path))
    with sqlite3.connect(tmp_path / "yuqing.db") as c:
        events = {e for (e,) in c.execute("SELECT DISTINCT event FROM items")}
        record = json.loads(unpack(c.execute("SELECT record FROM events WHERE id = ?",
                                                      (events.pop(),)).fetchone()[0]))
    assert not events, "a cascade is one event"
    spread = record["spread"]
    assert spread["reposts"] == len(reposts) and spread["depth"] == max(depth(r["mid"]) for r in reposts)
    assert spread["key_nodes"] == [] and spread["private_accounts"] == len({r["uid"] for r in reposts})
    assert "uid" not in json.dumps(record)                 # private reposters are counted, never named
    assert record["reposts"] == len(reposts) and record["first_report"]["id"] == "ced:root"


def _demo_records(tmp_path, name: str, defer_from: int, max_age_hours: float = 1e9, max_s: float = 1e9,
                  history_growth: float = 1.0):
    """{event: record} and the alerted events of the demo stream analysed 8 items a batch, with
    big events' rebuilds deferred from `defer_from` items."""
    from yuqing.pipeline import Linker, analyze_pending, ingest_stream, make_analyzer
    from yuqing.settings import load_settings
    from yuqing.sources.files import read_file
    from yuqing.store import open_store

    d = tmp_path / name
    d.mkdir()
    (d / "scheme.yaml").write_text('name: 广阳区\nregion: "131003"\nalert:\n  min_risk: medium\n', encoding="utf-8")
    s = load_settings(env={}, database_url=f"sqlite:///{d}/y.db", scheme=str(d / "scheme.yaml"), ingest_workers=0,
                      alert_max_age_hours=max_age_hours)
    store = open_store(s.database_url)
    ingest_stream(read_file(str(DEMO_STREAM), None, {}, s.item_max_bytes), store, s)
    was = Linker.DEFER_FROM, Linker.DEFER_GROWTH, Linker.DEFER_MAX_S, Linker.HISTORY_GROWTH
    # rebuilt when doubled
    Linker.DEFER_FROM, Linker.DEFER_GROWTH, Linker.DEFER_MAX_S, Linker.HISTORY_GROWTH = \
        defer_from, 1.0, max_s, history_growth
    try:
        analyze_pending(store, make_analyzer(s), batch_size=8, settings=s)
    finally:
        Linker.DEFER_FROM, Linker.DEFER_GROWTH, Linker.DEFER_MAX_S, Linker.HISTORY_GROWTH = was
    records = {r["id"]: r for r in store.list_events(limit=10_000)}
    with store.engine.connect() as conn:
        from sqlalchemy import text

        alerted = set(conn.execute(text("SELECT event FROM alerts")).scalars())
    store.close()
    return records, alerted


def test_a_big_events_deferred_rebuilds_end_in_the_same_record_and_alerts(tmp_path, monkeypatch):
    """Issue 20: an event's record is rebuilt from all its items; a big one (here from 5 items,
    the fire of the demo has 40+) is rebuilt once it has grown (here: doubled), when a high-risk
    item joins, and when the backlog is done — its record at the end is what rebuilding every batch
    gives, and the same events alert."""
    from yuqing.pipeline import Linker

    waited = []
    due = Linker._due

    def counted(self, changed, *rest):              # the real decision, its deferrals counted
        now = due(self, changed, *rest)
        waited.extend(changed - now)
        return now

    monkeypatch.setattr(Linker, "_due", counted)
    every, alerted_every = _demo_records(tmp_path, "every", 10**9)
    assert waited == []
    deferred, alerted_deferred = _demo_records(tmp_path, "deferred", 5)
    assert len(waited) >= 5                          # rebuilds did wait (12 on this stream)
    assert max(r["size"] for r in every.values()) >= 40
    same = ("size", "title", "keywords", "places", "category", "first_report", "platforms", "sources", "copies",
            "reposts", "timeline", "sentiment", "risk", "first_ts", "last_ts")
    assert set(every) == set(deferred)
    for eid, r in every.items():
        assert {k: r[k] for k in same} == {k: deferred[eid][k] for k in same}, eid
    assert alerted_every and alerted_deferred == alerted_every


def test_history_waits_for_growth_and_live_events_for_the_clock(tmp_path, monkeypatch):
    """A big event of an import of the past (older than alert_max_age_hours) is rebuilt when it has
    doubled, whatever the clock says; a live one also when DEFER_MAX_S has passed (here: at
    once, so it never waits). Both end in the same records."""
    from yuqing.pipeline import Linker

    waited = []
    due = Linker._due

    def counted(self, changed, *rest):
        now = due(self, changed, *rest)
        waited.extend(changed - now)
        return now

    monkeypatch.setattr(Linker, "_due", counted)
    live, _ = _demo_records(tmp_path, "live", 5, max_age_hours=1e9, max_s=0.0)
    assert waited == []
    history, _ = _demo_records(tmp_path, "history", 5, max_age_hours=1.0, max_s=0.0)
    assert len(waited) >= 5
    same = ("size", "title", "keywords", "places", "category", "platforms", "sources", "timeline", "sentiment", "risk")
    assert {e: {k: r[k] for k in same} for e, r in live.items()} == \
        {e: {k: r[k] for k in same} for e, r in history.items()}


def _same_in_any_order(eid: str, rows: list[dict], seed: int) -> None:
    """An event's running totals taken in shuffled chunks give the record built from its items
    in time order, byte for byte (ties between counts go to the first seen in time)."""
    import random

    from yuqing.events.record import Totals

    rng = random.Random(seed)
    as_of = rows[-1]["published_ts"] + rng.choice([0, 3600, 86400])
    whole = orjson.dumps(build(eid, rows, as_of))
    shuffled = rows[:]
    rng.shuffle(shuffled)
    totals, k = Totals(), 0
    while k < len(shuffled):
        step = rng.randint(1, max(1, len(shuffled) // 3))
        totals.add(shuffled[k:k + step])
        k += step
        totals.record(eid, as_of)                  # a record taken between chunks changes nothing
    assert orjson.dumps(totals.record(eid, as_of)) == whole, eid


def test_running_totals_in_any_order_are_the_record_of_all_items(demo_store, data, tmp_path):
    """Issue 20: a big event's record is kept from running totals updated with the items that
    joined; on the demo's events (copies, places, risk) and a real CED cascade (reposts, spread)
    it is the record built from all the items, whatever order they came in."""
    from yuqing.store import open_store

    store = open_store(f"sqlite:///{demo_store / 'yuqing.db'}")
    events = store.event_items([e for (e,) in store.engine.connect().exec_driver_sql(
        "SELECT DISTINCT event FROM items WHERE event IS NOT NULL")])
    store.close()
    assert sum(len(rows) >= 3 for rows in events.values()) >= 10
    for i, (eid, rows) in enumerate(sorted(events.items())):
        _same_in_any_order(eid, rows, i)

    import spread_ced

    _key, original, reposts = next(spread_ced.cascades(data, limit=1))
    rows = [{"id": "ced:root", "platform": "weibo", "text": original["text"], "published_ts": 1_360_000_000,
             "repost_of": None, "analysis": {"keywords": ["转发"]}}]
    rows += [{"id": f"ced:{r['mid']}", "platform": "weibo", "author": f"uid{r['uid']}", "text": r["text"],
              "repost_of": f"ced:{r['parent'] or 'root'}", "published_ts": 1_360_000_000 + 60 * (j + 1),
              "duplicate_of": "ced:root" if j % 7 == 0 else None}
             for j, r in enumerate(reposts)]
    assert build("e", rows, rows[-1]["published_ts"])["spread"]["depth"] >= 2
    _same_in_any_order("e", rows, 99)


def test_records_kept_from_running_totals_stay_what_the_store_holds(tmp_path):
    """One Linker through a backlog, then items analysed again (a metrics update) and history
    reset (items leave their events and come back): at each end every event's record is the one
    built from its stored items, and the big ones were kept from their totals (their items read
    once, then only the ones that joined)."""
    from yuqing.events.record import build as build_record
    from yuqing.pipeline import Linker, analyze_rows, configured_authority, ingest_stream, make_analyzer
    from yuqing.settings import load_settings
    from yuqing.sources.files import read_file
    from yuqing.store import open_store

    (tmp_path / "scheme.yaml").write_text('name: 广阳区\nregion: "131003"\n', encoding="utf-8")
    s = load_settings(env={}, database_url=f"sqlite:///{tmp_path}/y.db", scheme=str(tmp_path / "scheme.yaml"),
                      ingest_workers=0)
    store = open_store(s.database_url)
    ingest_stream(read_file(str(DEMO_STREAM), None, {}, s.item_max_bytes), store, s)
    analyzer = make_analyzer(s)
    reads = {"whole": 0, "joined": 0}
    event_items = store.event_items

    def counted(event_ids, item_ids=None):           # the real read, counted
        out = event_items(event_ids, item_ids)
        reads["joined" if item_ids is not None else "whole"] += sum(map(len, out.values()))
        return out

    store.event_items = counted
    linker = Linker(store, analyzer, s)
    # kept from totals from 5 items, rebuilt every batch (the demo stream is history: its own growth bound)
    linker.DEFER_FROM, linker.DEFER_GROWTH, linker.HISTORY_GROWTH = 5, 0.0, 0.0

    def drain() -> None:
        while rows := store.pending_analysis(8):
            linker.finish(rows, analyze_rows(analyzer, rows))
        linker.flush()

    def same_as_built() -> None:
        stored = {r["id"]: r for r in store.list_events(limit=10_000)}
        members = event_items(list(stored))
        assert set(members) == set(stored)
        for eid, record in stored.items():
            built = build_record(eid, members[eid], members[eid][-1]["published_ts"], configured_authority(s))
            for part in ("as_of", "stage", "heat"):          # taken at the linker's clock
                built.pop(part), record.pop(part)
            assert record == built, eid

    drain()
    same_as_built()
    assert len(linker.totals) >= 3 and reads["joined"] > 0
    big = max(store.list_events(limit=10_000), key=lambda r: r["size"])
    assert big["size"] >= 20 and big["id"] in linker.totals
    # the demo stream has 303 items: read whole each batch, the big events would cost thousands
    assert reads["whole"] + reads["joined"] < 3 * 303, reads

    # engagement moved (the same items collected again with new counts): analysed again, in the same event
    again = tmp_path / "again.jsonl"
    with open(DEMO_STREAM, encoding="utf-8") as f:
        theirs = [json.loads(line) for line in f if line.strip()]
    ids = {r["id"] for r in event_items([big["id"]])[big["id"]][:3]}
    again.write_text("".join(json.dumps(x | {"metrics": {"likes": 50_000}}, ensure_ascii=False) + "\n"
                             for x in theirs if x.get("id") in ids), encoding="utf-8")
    assert ingest_stream(read_file(str(again), None, {}, s.item_max_bytes), store, s).updated == 3
    drain()
    same_as_built()
    assert {r["id"]: r for r in store.list_events(limit=10_000)}[big["id"]]["heat"]["parts"]["engagement"]["value"] >= 150_000

    mid = sorted(r["published_ts"] for r in event_items([big["id"]])[big["id"]])[big["size"] // 2]
    from datetime import datetime, timezone

    assert store.reset_analysis(datetime.fromtimestamp(mid, timezone.utc)) > 0   # items leave, events drop
    drain()
    same_as_built()
    store.close()


@pytest.mark.parametrize("bound", [{"event_max_active": 20}, {"event_max_mb": 0.1}])
def test_events_the_clusterer_let_go_keep_their_record_and_not_their_state(tmp_path, bound):
    """Issue 20 (disk): an event closed for the clusterer's bound (in number or in bytes) takes no
    item again, so its matching state is not kept; its record stays, and the events still held
    keep theirs."""
    from yuqing.pipeline import analyze_pending, ingest_stream, make_analyzer
    from yuqing.settings import load_settings
    from yuqing.sources.files import read_file
    from yuqing.store import open_store

    (tmp_path / "scheme.yaml").write_text('name: 广阳区\nregion: "131003"\n', encoding="utf-8")
    s = load_settings(env={}, database_url=f"sqlite:///{tmp_path}/y.db", scheme=str(tmp_path / "scheme.yaml"),
                      ingest_workers=0, **bound)
    store = open_store(s.database_url)
    ingest_stream(read_file(str(DEMO_STREAM), None, {}, s.item_max_bytes), store, s)
    analyzer = make_analyzer(s)
    analyze_pending(store, analyzer, batch_size=16, settings=s)
    with store.engine.connect() as conn:
        rows = conn.exec_driver_sql("SELECT id, state IS NOT NULL, record IS NOT NULL FROM events "
                                    "WHERE merged_into IS NULL").all()
    store.close()
    held = {eid for eid, state, _ in rows if state}
    assert len(rows) >= 100 and all(record for _, _, record in rows)
    assert held == set(analyzer.events._events)
    if "event_max_active" in bound:
        assert 0 < len(held) <= 20
    else:
        assert 0 < analyzer.events.bytes <= 0.1 * 2**20 and 10 <= len(held) < 100


def test_two_events_totals_merged_are_the_totals_of_their_items(demo_store):
    """When an event merges into another, its running totals fold into the other's (no re-read of
    the big one): on pairs of the demo's real events, the merged totals give the record built from
    the items of both."""
    from yuqing.events.record import Totals
    from yuqing.store import open_store

    store = open_store(f"sqlite:///{demo_store / 'yuqing.db'}")
    events = store.event_items([e for (e,) in store.engine.connect().exec_driver_sql(
        "SELECT DISTINCT event FROM items WHERE event IS NOT NULL")])
    store.close()
    ranked = sorted(events.values(), key=len, reverse=True)
    pairs = [(ranked[0], ranked[i]) for i in range(1, 12)] + [(ranked[i], ranked[i + 1]) for i in range(5, 40, 2)]
    folded = 0
    for a, b in pairs:
        both = sorted(a + b, key=lambda r: (r["published_ts"], r["id"]))
        as_of = both[-1]["published_ts"] + 3600
        mine = Totals().add(a)
        if mine.merge(Totals().add(b)):
            folded += 1
            assert orjson.dumps(mine.record("e", as_of)) == orjson.dumps(build("e", both, as_of))
    assert folded >= len(pairs) - 2


def test_a_merge_into_an_event_of_the_past_waits_for_its_growth_and_a_live_one_is_rebuilt_at_once():
    from types import SimpleNamespace

    from yuqing.pipeline import Linker

    def linker():
        return SimpleNamespace(_built={"e-1": (100, 0.0, 0, "low")}, deferred={}, DEFER_GROWTH=Linker.DEFER_GROWTH,
                               HISTORY_GROWTH=Linker.HISTORY_GROWTH, DEFER_MAX_S=1e9)

    past = linker()
    assert Linker._due(past, {"e-1"}, Counter({"e-1": 3}), set(), {"e-1"}, set()) == set()
    assert "e-1" in past.deferred and past._built["e-1"][2] == 3          # waits, its growth counted
    live = linker()
    assert Linker._due(live, {"e-1"}, Counter({"e-1": 3}), set(), {"e-1"}, {"e-1"}) == {"e-1"}
    grown = linker()
    assert Linker._due(grown, {"e-1"}, Counter({"e-1": 100}), set(), {"e-1"}, set()) == {"e-1"}   # doubled


def test_records_are_rebuilt_in_chunks_of_bounded_items(demo_store, monkeypatch):
    """Many events at once (the flush at the end of an import) are read a bounded number of
    items at a time, each event once, a big one alone."""
    import yuqing.pipeline as pipeline
    from yuqing.store import open_store

    store = open_store(f"sqlite:///{demo_store / 'yuqing.db'}")
    try:
        ids = sorted(e for (e,) in store.engine.connect().exec_driver_sql(
            "SELECT DISTINCT event FROM items WHERE event IS NOT NULL"))
        sizes = store.event_sizes(ids)
        assert len(ids) > 50 and max(sizes.values()) > 10
        monkeypatch.setattr(pipeline, "RECORD_CHUNK_ITEMS", 10)
        chunks = list(pipeline._record_chunks(store, ids))
        assert [e for c in chunks for e in c] == ids
        assert all(sum(sizes[e] for e in c) <= 10 or len(c) == 1 for c in chunks)
        assert any(len(c) == 1 and sizes[c[0]] > 10 for c in chunks)
        assert list(pipeline._record_chunks(store, ids[:20])) == [ids[:20]]      # few: one chunk, no count
    finally:
        store.close()


def test_a_big_event_read_a_page_at_a_time_gives_the_record_read_whole(demo_store, monkeypatch):
    """Issue 20 (memory): an event bigger than a page is rebuilt from its items read a page at a
    time (the flush ending a 1M import read one of 100,000 items at once): the same records."""
    import yuqing.pipeline as pipeline
    from yuqing.settings import load_settings
    from yuqing.store import open_store

    settings = load_settings(demo_store / "yuqing.toml", env={})
    store = open_store(f"sqlite:///{demo_store / 'yuqing.db'}")
    try:
        ids = sorted(e for (e,) in store.engine.connect().exec_driver_sql(
            "SELECT DISTINCT event FROM items WHERE event IS NOT NULL"))
        big = max(ids, key=store.event_sizes(ids).get)
        pages = list(store.event_item_pages(big, 4))
        whole = store.event_items([big])[big]
        assert len(pages) > 2 and all(len(p) <= 4 for p in pages)
        assert [r for p in pages for r in p] == whole

        def records(page):
            monkeypatch.setattr(pipeline, "RECORD_PAGE_ITEMS", page)
            got = []
            pipeline.update_events(store, ids, settings, as_of=1.9e9, on_records=lambda rs, members: got.extend(rs))
            return sorted(got, key=lambda r: r["id"])

        assert records(4) == records(100_000)
    finally:
        store.close()
