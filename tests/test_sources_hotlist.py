"""Hot lists: 微博热搜 and newsnow snapshots polled from a real HTTP server on 127.0.0.1, a
TrendRadar database, the rank series, and the 上榜/升榜 alert rule."""

from __future__ import annotations

import json
import sqlite3
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from yuqing.collect import configured_sources, run_source
from yuqing.settings import Settings
from yuqing.sources import hotlist
from yuqing.sources.http import Fetcher

T0 = datetime(2026, 11, 28, 2, 0, tzinfo=timezone.utc)      # 10:00 Beijing time


def with_sources(settings: Settings, *sources: dict) -> Settings:
    return Settings(settings.values, tuple(sources), settings.config_path, settings.base_dir)


def weibo_hot(words: list[tuple[str, int]], ad_at: int | None = None) -> bytes:
    """The shape of weibo.com/ajax/side/hotSearch: data.realtime[] with word, num, realpos."""
    realtime = []
    for i, (word, num) in enumerate(words, 1):
        realtime.append({"word": word, "note": word, "num": num, "realpos": i, "rank": i - 1, "label_name": "热",
                         "word_scheme": f"#{word}#", "flag": 2, "icon_desc": "热", "small_icon_desc": "热"})
        if ad_at == i:
            realtime.append({"word": "某品牌新品发布", "note": "某品牌新品发布", "is_ad": 1, "num": 0})
    return json.dumps({"ok": 1, "data": {"realtime": realtime, "hotgovs": []}}, ensure_ascii=False).encode()


def newsnow(titles: list[str], list_id: str = "zhihu") -> bytes:
    """newsnow's /api/s: items[] in rank order; its ids follow the rank, not the topic."""
    return json.dumps({"status": "success", "id": list_id, "updatedTime": 0, "items": [
        {"id": str(i), "title": t, "url": f"https://www.zhihu.com/question/{1000 + abs(hash(t)) % 999}",
         "extra": {"hover": f"{t}的讨论", "info": f"{(20 - i)}万热度"}} for i, t in enumerate(titles)]},
        ensure_ascii=False).encode()


def test_weibo_hot_search_one_item_per_topic_with_its_rank_series(settings, store, http_server):
    cfg = with_sources(settings, {"name": "wb-hot", "kind": "hotlist", "url": http_server.base + "/hot",
                                  "format": "weibo", "platform": "weibo", "interval": "10m"})
    src = configured_sources(cfg)[0]
    topics = [(f"话题{i}", 100000 - i * 1000) for i in range(1, 30)]
    snapshots = [topics, [("廊坊广阳区新华路积水", 500000)] + topics[:20],
                 topics[:3] + [("廊坊广阳区新华路积水", 800000)] + topics[3:20]]
    with Fetcher(cfg) as f:
        for n, words in enumerate(snapshots):
            http_server.routes["/hot"] = (weibo_hot(words, ad_at=2), "application/json")
            result = run_source(src, store, f, cfg, now=T0 + timedelta(minutes=10 * n))
            assert result.error is None and not result.report.quarantined
    topic = hotlist.topic_id("weibo", "廊坊广阳区新华路积水")
    row = store.get_items([topic])[0]
    metrics = json.loads(row["metrics"])
    assert row["source"] == "微博热搜" and row["platform"] == "weibo" and "hotlist" in row["flags"]
    assert metrics["rank"] == 4 and metrics["best_rank"] == 1 and metrics["prev_best_rank"] == 1
    assert metrics["heat"] == 800000 and metrics["minutes_on_list"] == 10
    assert row["published_ts"] == int((T0 + timedelta(minutes=10)).timestamp())      # when it entered
    series = store.hot_series(topic)
    assert [(s["rank"], s["heat"]) for s in series] == [(1, 500000), (4, 800000)]
    # the ad is not a topic; one item per topic however many snapshots
    assert not any("某品牌" in (r["title"] or "") for r in store.get_items([hotlist.topic_id("weibo", "某品牌新品发布")]))
    assert store.count_items() == 30
    first = json.loads(store.get_items([hotlist.topic_id("weibo", "话题1")])[0]["metrics"])
    assert first["best_rank"] == 1 and first["minutes_on_list"] == 20


def test_newsnow_ids_that_follow_the_rank_do_not_make_new_topics(settings, store, http_server):
    cfg = with_sources(settings, {"name": "zh-hot", "kind": "hotlist", "url": http_server.base + "/nn",
                                  "format": "newsnow", "list": "zhihu"})
    src = configured_sources(cfg)[0]
    with Fetcher(cfg) as f:
        for n, titles in enumerate((["甲", "乙", "丙"], ["丙", "甲", "乙", "丁"])):
            http_server.routes["/nn"] = (newsnow(titles), "application/json")
            run_source(src, store, f, cfg, now=T0 + timedelta(hours=n))
    assert store.count_items() == 4
    bing = store.get_items([hotlist.topic_id("zhihu", "丙")])[0]
    assert json.loads(bing["metrics"])["best_rank"] == 1 and bing["source"] == "知乎热榜"
    assert bing["text"] == "丙的讨论" and json.loads(bing["metrics"])["heat"] == 200000


def test_a_list_that_is_not_one_is_quarantined_and_the_source_failing(settings, store, http_server):
    from yuqing.collect import source_health

    cfg = with_sources(settings, {"name": "bad-hot", "kind": "hotlist", "url": http_server.base + "/bad",
                                  "format": "weibo"})
    http_server.routes["/bad"] = (b'{"ok": -100, "msg": "login"}', "application/json")
    with Fetcher(cfg) as f:
        result = run_source(configured_sources(cfg)[0], store, f, cfg)
    assert result.report.quarantined == {"malformed-hotlist": 1}
    health = source_health(cfg, store)[0]
    assert health["failing"] and "全部被隔离" in health["last_error"]


def trendradar_db(path: Path) -> None:
    """A database with TrendRadar's tables (trendradar/storage/schema.sql) filled the way its
    SQLiteStorageMixin._save_news_data_impl fills them: one news_items row per URL and platform,
    a rank_history row per crawl, rank 0 when a title drops off. (Its repository is 1.8 GB, too
    big to bring here to run its code: the statements are its own.)"""
    con = sqlite3.connect(path)
    con.executescript("""
    CREATE TABLE platforms (id TEXT PRIMARY KEY, name TEXT NOT NULL, is_active INTEGER DEFAULT 1,
        updated_at TIMESTAMP DEFAULT CURRENT_TIMESTAMP);
    CREATE TABLE news_items (id INTEGER PRIMARY KEY AUTOINCREMENT, title TEXT NOT NULL, platform_id TEXT NOT NULL,
        rank INTEGER NOT NULL, url TEXT DEFAULT '', mobile_url TEXT DEFAULT '', crawl_date TEXT NOT NULL DEFAULT '',
        first_crawl_time TEXT NOT NULL, last_crawl_time TEXT NOT NULL, crawl_count INTEGER DEFAULT 1,
        created_at TIMESTAMP DEFAULT CURRENT_TIMESTAMP, updated_at TIMESTAMP DEFAULT CURRENT_TIMESTAMP);
    CREATE TABLE rank_history (id INTEGER PRIMARY KEY AUTOINCREMENT, news_item_id INTEGER NOT NULL,
        rank INTEGER NOT NULL, crawl_time TEXT NOT NULL, created_at TIMESTAMP DEFAULT CURRENT_TIMESTAMP);
    CREATE TABLE crawl_records (id INTEGER PRIMARY KEY AUTOINCREMENT, crawl_time TEXT NOT NULL UNIQUE,
        total_items INTEGER DEFAULT 0, created_at TIMESTAMP DEFAULT CURRENT_TIMESTAMP);
    """)
    con.execute("INSERT INTO platforms (id, name) VALUES ('weibo', '微博'), ('baidu', '百度热搜')")
    crawls = {"09:30": [("weibo", "廊坊广阳区发布暴雨预警", 7), ("baidu", "廊坊暴雨", 3)],
              "10:00": [("weibo", "廊坊广阳区发布暴雨预警", 2), ("baidu", "廊坊暴雨", 5)],
              "10:30": [("baidu", "廊坊暴雨", 4)]}
    ids: dict[tuple[str, str], int] = {}
    for t, rows in crawls.items():
        for platform, title, rank in rows:
            url = f"https://example.org/{platform}/{title}"
            if (platform, title) in ids:
                con.execute("UPDATE news_items SET rank = ?, last_crawl_time = ?, crawl_count = crawl_count + 1 "
                            "WHERE id = ?", (rank, t, ids[(platform, title)]))
            else:
                cur = con.execute("INSERT INTO news_items (title, platform_id, rank, url, crawl_date, first_crawl_time, "
                                  "last_crawl_time) VALUES (?, ?, ?, ?, '2026-11-28', ?, ?)", (title, platform, rank, url, t, t))
                ids[(platform, title)] = cur.lastrowid
            con.execute("INSERT INTO rank_history (news_item_id, rank, crawl_time) VALUES (?, ?, ?)",
                        (ids[(platform, title)], rank, t))
        con.execute("INSERT INTO crawl_records (crawl_time, total_items) VALUES (?, ?)", (t, len(rows)))
    # the weibo topic dropped off at 10:30
    con.execute("INSERT INTO rank_history (news_item_id, rank, crawl_time) VALUES (?, 0, '10:30')",
                (ids[("weibo", "廊坊广阳区发布暴雨预警")],))
    con.commit()
    con.close()


def test_trendradar_database_is_imported_as_its_series(tmp_path):
    import subprocess
    import sys

    db = tmp_path / "2026-11-28.db"
    trendradar_db(db)
    run = lambda *a: subprocess.run([sys.executable, "-m", "yuqing.cli", *a], cwd=tmp_path, capture_output=True,
                                    text=True, env={"PATH": "/usr/bin:/bin", "HOME": str(tmp_path)})
    assert run("init", "--region", "131003").returncode == 0
    result = run("import", str(db))
    assert result.returncode == 0, result.stderr
    con = sqlite3.connect(next(p for p in tmp_path.glob("*.db") if p.name != db.name))
    rows = {r[0]: r for r in con.execute("SELECT id, source, metrics, published_ts FROM items")}
    weibo = rows[hotlist.topic_id("weibo", "廊坊广阳区发布暴雨预警")]
    assert weibo[1] == "微博热搜" and json.loads(weibo[2])["best_rank"] == 2
    assert weibo[3] == int(datetime(2026, 11, 28, 9, 30, tzinfo=timezone(timedelta(hours=8))).timestamp())
    baidu = rows[hotlist.topic_id("baidu", "廊坊暴雨")]
    assert json.loads(baidu[2])["best_rank"] == 3 and json.loads(baidu[2])["rank"] == 4
    series = list(con.execute("SELECT ts, rank FROM hot_ranks WHERE item_id = ? ORDER BY ts",
                              (hotlist.topic_id("baidu", "廊坊暴雨"),)))
    assert [r for _, r in series] == [3, 5, 4]
    assert len(rows) == 2


def test_the_hot_list_rule_fires_when_a_regional_topic_enters_and_again_when_it_reaches_the_top(settings):
    from yuqing.alerts.rules import parse_rules

    rules = parse_rules({"rules": [{"name": "上榜", "hotlist": True}, {"name": "升榜", "hotlist": True, "max_rank": 10}]})
    entered = {"size": 1, "hot": {"list": "微博热搜", "title": "廊坊广阳区新华路积水", "rank": 12, "best_rank": 12,
                                  "prev_best_rank": None, "minutes_on_list": 0}}
    assert rules[0].check(entered) == ["上榜：微博热搜 第 12 位（前 50 位）：廊坊广阳区新华路积水"]
    assert rules[1].check(entered) is None
    stayed = {"size": 1, "hot": dict(entered["hot"], rank=14, prev_best_rank=12, minutes_on_list=10)}
    assert rules[0].check(stayed) is None and rules[1].check(stayed) is None
    rose = {"size": 1, "hot": dict(entered["hot"], rank=8, best_rank=8, prev_best_rank=12, minutes_on_list=20)}
    assert rules[0].check(rose) is None
    assert rules[1].check(rose)[0].startswith("升榜：微博热搜 第 8 位（前 10 位，在榜 20 分钟）")
    with pytest.raises(Exception, match="max_rank"):
        parse_rules({"rules": [{"name": "x", "hotlist": True, "max_rank": 0}]})


def test_a_regional_topic_entering_weibo_hot_search_raises_one_alert(tmp_path, http_server):
    import re
    import subprocess
    import sys

    def yq(*a):
        return subprocess.run([sys.executable, "-m", "yuqing.cli", *a], cwd=tmp_path, capture_output=True, text=True,
                              env={"PATH": "/usr/bin:/bin", "HOME": str(tmp_path)})

    assert yq("init", "--region", "131003").returncode == 0
    scheme = (tmp_path / "scheme.yaml").read_text(encoding="utf-8")
    (tmp_path / "scheme.yaml").write_text(scheme.replace("alert:\n", "alert:\n  rules:\n    - {name: 上榜, hotlist: true}\n"),
                                          encoding="utf-8")
    toml = (tmp_path / "yuqing.toml").read_text(encoding="utf-8")
    (tmp_path / "yuqing.toml").write_text(
        'fetch_allow_hosts = ["127.0.0.1:*"]\nfetch_host_delay = 0\n' + toml +
        f'\n[[sources]]\nname = "wb-hot"\nkind = "hotlist"\nurl = "{http_server.base}/hot"\nformat = "weibo"\n'
        'platform = "weibo"\n', encoding="utf-8")
    others = [(f"话题{i}", 100000 - i) for i in range(1, 20)]
    for words in (others, others[:11] + [("廊坊广阳区新华路积水严重", 500000)] + others[11:],
                  [("廊坊广阳区新华路积水严重", 900000)] + others):
        http_server.routes["/hot"] = (weibo_hot(words), "application/json")
        run = yq("collect", "--once", "--force")
        assert run.returncode == 0, run.stderr
    alerts = yq("alerts").stdout
    assert len(re.findall(r"^#\d+ ", alerts, re.M)) == 1, alerts
    assert "上榜：微博热搜 第 12 位" in alerts
