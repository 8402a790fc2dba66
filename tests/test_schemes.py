"""Many schemes in one store (issue 17): judging them together, keeping them as data, applying
them to history, the store seen by one scheme, and a store of the previous release."""

from __future__ import annotations

import gzip
import json
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path

import orjson
import pytest

from yuqing.analysis.gazetteer import load_gazetteer
from yuqing.analysis.relevance import RegionMatcher
from yuqing.analysis.schemeset import SchemeSet
from yuqing.ingest import to_simplified
from yuqing.scheme import Scheme, parse_rule
from yuqing.settings import load_settings
from yuqing.store import open_store
from yuqing.store.schemes import SchemesChanged
from yuqing.store.sql import ListQuery

ROOT = Path(__file__).resolve().parents[1]
DEMO_STREAM = ROOT / "src/yuqing/data/demo/stream.jsonl"
RELEVANCE_DEV = ROOT / "bench/relevance"
RELEASE_STORE = Path(__file__).resolve().parent / "data/store_r14"


def towns(code: str, n: int) -> list[str]:
    g = load_gazetteer(4)
    return sorted(p.code for p in g.children(code) if p.level == 4)[:n]


def twenty_schemes() -> list[tuple[str, Scheme]]:
    """Four districts of the relevance dev sets and 广阳区, two towns of each, landmarks, word
    rules, exclusions, a rule without region: the kinds of scheme an office runs."""
    out = []
    for code, landmark in (("131003", "万达广场"), ("120101", "五大道"), ("320106", "颐和路"), ("330106", "灵隐寺"),
                           ("610116", "终南山")):
        out.append((code, Scheme(name=code, region=code, landmarks={landmark: code})))
        out += [(t, Scheme(name=t, region=t)) for t in towns(code, 2)]
    out.append(("fire", Scheme(name="fire", region="131003", rule=parse_rule("火灾 | 起火"), rule_text="火灾 | 起火")))
    out.append(("jobs", Scheme(name="jobs", require_region=False, rule=parse_rule("招聘"), rule_text="招聘")))
    out.append(("noads", Scheme(name="noads", region="131003", exclude=("广告", "促销"))))
    out.append(("city", Scheme(name="city", region="1310")))
    out.append(("hz", Scheme(name="hz", region="3301", landmarks={"西溪湿地": "330106"})))
    return out


def real_texts(data: Path) -> list[str]:
    texts = []
    for path in sorted(RELEVANCE_DEV.glob("*.jsonl")):
        texts += [to_simplified(json.loads(line)["t"]) for line in path.read_text(encoding="utf-8").splitlines() if line]
    texts += [to_simplified(json.loads(line)["text"]) for line in DEMO_STREAM.read_text(encoding="utf-8").splitlines()]
    weibo = (data / "weibo2018_sentiment/train.txt").read_text(encoding="utf-8").splitlines()[1:2001]
    return texts + [r.split(",", 2)[2] for r in weibo]


def test_a_scheme_set_judges_every_scheme_exactly_as_its_own_matcher_does(data):
    schemes = twenty_schemes()
    assert len(schemes) == 20
    texts = real_texts(data)
    together = SchemeSet(schemes)
    own = {name: RegionMatcher.for_scheme(s) if s.region else None for name, s in schemes}
    judged = 0
    for n, text in enumerate(texts):
        local = "区融媒" if n % 3 == 0 else None       # a third as if from a local source
        got = together.judge_one(text, local)
        want = {name: s.relevance(text, lambda m=own[name]: m.relevance(text, local_source=local)) for name, s in schemes}
        assert got == want, text
        judged += sum(r["label"] != "no" for r in got.values())
    # the sample means something: every kind of answer occurs, for many schemes
    assert len(texts) > 2500 and judged > 1500, judged
    labels = {r["label"] for text in texts[:800] for r in together.judge_one(text).values()}
    assert labels == {"yes", "possible", "no"}


def test_a_scheme_set_costs_little_more_than_one_scheme(data):
    """Twenty schemes judged together cost far less than twenty matchers (the analysis bench
    holds the whole figure: ≤ 1.5× one scheme's analysis)."""
    texts = real_texts(data)[:3000]
    one = SchemeSet(twenty_schemes()[:1])
    many = SchemeSet(twenty_schemes())
    for s in (one, many):
        s.judge_one(texts[0])
    t = time.perf_counter()
    for text in texts:
        one.judge_one(text)
    t_one = time.perf_counter() - t
    t = time.perf_counter()
    for text in texts:
        many.judge_one(text)
    t_many = time.perf_counter() - t
    assert t_many < 6 * t_one, (t_one, t_many)   # not 20×: the finding and the choosing are shared


# --- the store's schemes ----------------------------------------------------------------------

def demo_rows(n: int | None = None) -> list[dict]:
    rows = [json.loads(line) for line in DEMO_STREAM.read_text(encoding="utf-8").splitlines()]
    return rows[:n] if n else rows


def stored(tmp_path, rows, scheme_text='name: 广阳区\nregion: "131003"\n'):
    from yuqing.configfile import remember_scheme
    from yuqing.pipeline import ingest_stream, make_analyzer
    from yuqing.sources.files import read_file

    (tmp_path / "scheme.yaml").write_text(scheme_text, encoding="utf-8")
    src = tmp_path / "in.jsonl"
    src.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    settings = load_settings(env={}, database_url=f"sqlite:///{tmp_path}/y.db", ingest_workers=0,
                             alert_max_age_hours=1e6)
    store = open_store(settings.database_url)
    remember_scheme(store, tmp_path / "scheme.yaml")
    ingest_stream(read_file(str(src), None, {}, settings.item_max_bytes), store, settings)
    return settings, store, make_analyzer(settings, str(tmp_path / "scheme.yaml"))


def judged_from_scratch(store, key: str) -> dict[str, str]:
    """{item id: label} of a scheme, judged now over every stored analysed item."""
    from yuqing.analysis.analyze import Subject
    from yuqing.apply_scheme import scheme_of_row

    row = store.scheme(key)
    judge = SchemeSet([(row["id"], scheme_of_row(row))])
    rows = store.apply_rows(0, 10**9)
    return {r["id"]: j[row["id"]]["label"] for r, j in zip(rows, judge.judge([Subject.of_row(r) for r in rows]))
            if j[row["id"]]["label"] != "no"}


def stored_labels(store, scheme_id: int) -> dict[str, str]:
    with store.engine.connect() as conn:
        from sqlalchemy import text

        return dict(conn.execute(text("SELECT i.id, s.label FROM item_schemes s JOIN items i ON i.seq = s.seq "
                                      "WHERE s.scheme = :s"), {"s": scheme_id}).all())


TOWN = 'name: 万庄镇\nregion: "131003101"\nalert:\n  min_risk: low\n  channels: [inbox]\n'
FIRE = 'name: 火灾\nrequire_region: false\nrule: 火灾 | 起火 | 着火 | 火情\n'


def test_new_schemes_are_applied_to_history_and_judge_new_items_as_they_come(tmp_path):
    from yuqing.apply_scheme import apply_schemes
    from yuqing.pipeline import analyze_pending

    rows = demo_rows()
    when = rows[-1]["published_at"]
    rows += [{"id": f"sjz-{n}", "platform": "weibo", "source": f"网友{n}", "published_at": when,
              "text": f"石家庄市长安区一居民楼起火，消防到场处置，现场浓烟很大{'！' * n}"} for n in range(1, 4)]
    settings, store, analyzer = stored(tmp_path, rows[:200])
    assert analyze_pending(store, analyzer, settings=settings, warm_days=0) == 200
    assert [r["key"] for r in store.schemes()] == ["default"] and not store.schemes()[0]["applying"]

    assert store.add_scheme_version("wanzhuang", TOWN, "小李", "新建", owner="万庄镇") == 1
    assert store.add_scheme_version("fire", FIRE, "小李", "新建") == 1
    listed = {r["key"]: r for r in store.schemes()}
    assert listed["wanzhuang"]["name"] == "万庄镇" and listed["wanzhuang"]["owner"] == "万庄镇"
    assert listed["wanzhuang"]["applying"] and listed["wanzhuang"]["apply_done"] == 0
    assert apply_schemes(store) == {"wanzhuang": 200, "fire": 200}
    assert not any(r["applying"] for r in store.schemes())
    for key in ("wanzhuang", "fire"):
        sid = store.scheme(key)["id"]
        assert stored_labels(store, sid) == judged_from_scratch(store, key) != {}

    # the items that come next are judged by all three as they are analysed
    settings2 = settings
    from yuqing.pipeline import ingest_stream
    from yuqing.sources.files import read_file

    more = tmp_path / "more.jsonl"
    more.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows[200:]), encoding="utf-8")
    ingest_stream(read_file(str(more), None, {}, settings.item_max_bytes), store, settings2)
    assert analyze_pending(store, analyzer, settings=settings, warm_days=0) == len(rows) - 200
    for key in ("wanzhuang", "fire"):
        sid = store.scheme(key)["id"]
        assert stored_labels(store, sid) == judged_from_scratch(store, key)
    town, fire = store.scheme("wanzhuang")["id"], store.scheme("fire")["id"]
    # an item that involves only the word-rule scheme forms an event of its own
    only_fire = [r for r in store.get_items([i for i, label in stored_labels(store, fire).items() if label == "yes"])
                 if r["relevance"] != "yes" and stored_labels(store, town).get(r["id"]) != "yes"]
    assert only_fire and any(r["event"] for r in only_fire)

    # the store seen by one scheme: its items, its events, its alerts
    t = store.scoped(town)
    assert store.browse(ListQuery(scheme=town)).total == sum(v == "yes" for v in stored_labels(store, town).values())
    assert t.analysis_counts()["relevant"] == store.browse(ListQuery(scheme=town)).total
    events_town = {e["id"] for e in t.list_events(limit=1000)}
    assert events_town and events_town < {e["id"] for e in store.list_events(limit=1000)}
    alerts_town = t.list_alerts(limit=1000)
    assert alerts_town and all(a["event"] in events_town for a in alerts_town)   # its rules: min_risk low
    assert not {a["id"] for a in alerts_town} & {a["id"] for a in store.scoped(1).list_alerts(limit=1000)}
    assert t.alert_counts()["alerts"] == len(alerts_town)


def test_an_edit_during_analysis_never_leaves_items_judged_by_the_old_version(tmp_path):
    """A scheme saved while a backlog is analysed (with workers): when analysis and applying
    are done, every item holds the new version's answer — the save transaction checks the
    schemes' state, and the walk covers what was analysed before."""
    from yuqing.apply_scheme import apply_schemes
    from yuqing.pipeline import analyze_pending

    rows = demo_rows() * 1
    settings, store, analyzer = stored(tmp_path, rows)
    store.add_scheme_version("wanzhuang", 'name: 万庄镇\nregion: "131003101"\n', "小李", "新建")
    started = threading.Event()

    def analyse():
        analyze_pending(store, analyzer, batch_size=16, settings=settings, warm_days=0, workers=2,
                        on_batch=lambda n: started.set())

    worker = threading.Thread(target=analyse)
    worker.start()
    assert started.wait(60)
    # the town widened to the whole district while batches are in flight
    store.add_scheme_version("wanzhuang", 'name: 万庄镇\nregion: "131003"\n', "小李", "放宽")
    worker.join(120)
    assert not worker.is_alive() and store.count_pending(10) == 0
    apply_schemes(store)
    sid = store.scheme("wanzhuang")["id"]
    assert stored_labels(store, sid) == judged_from_scratch(store, "wanzhuang")
    primary = {r["id"]: r["relevance"] for r in store.get_items(list(stored_labels(store, sid)))}
    assert len(stored_labels(store, sid)) > 150 and all(v in ("yes", "possible", "no") for v in primary.values())


def test_a_save_with_stale_schemes_is_refused_whole(tmp_path):
    from yuqing.pipeline import analyze_rows

    settings, store, analyzer = stored(tmp_path, demo_rows(20))
    from yuqing.pipeline import take_up_schemes

    take_up_schemes(store, analyzer)
    rows = store.pending_analysis(20)
    analyses = analyze_rows(analyzer, rows)
    store.add_scheme_version("fire", FIRE, "小李", "新建")       # saved meanwhile
    with pytest.raises(SchemesChanged):
        store.save_analysis([(r["id"], a) for r, a in zip(rows, analyses)], schemes_state=analyzer.others_state)
    assert store.count_pending(100) == 20                      # nothing of the batch was written


def test_editing_the_first_scheme_judges_history_again_and_a_persons_answer_stands(tmp_path):
    from yuqing.apply_scheme import apply_schemes
    from yuqing.configfile import save_scheme
    from yuqing.pipeline import analyze_pending

    settings, store, analyzer = stored(tmp_path, demo_rows(120))
    analyze_pending(store, analyzer, settings=settings, warm_days=0)
    items = {r["id"]: r for r in store.get_items([r["id"] for r in store.iter_items()])}
    yes = sorted(i for i, r in items.items() if r["relevance"] == "yes")
    store.judge_relevance(yes[0], "yes", "小王")
    analyze_pending(store, analyzer, settings=settings, warm_days=0)
    # the district's scheme now excludes a word half its items use
    word = "万庄"
    save_scheme(store, tmp_path / "scheme.yaml", f'name: 广阳区\nregion: "131003"\nexclude: ["{word}"]\n', "小李", "保存")
    assert store.scheme("default")["applying"]
    apply_schemes(store)
    after = {r["id"]: r for r in store.get_items(list(items))}
    dropped = [i for i in yes if word in (items[i]["title"] or "") + items[i]["text"] and i != yes[0]]
    assert dropped and all(after[i]["relevance"] == "no" and after[i]["relevant"] == 0 for i in dropped)
    assert all(orjson.loads(after[i]["analysis"])["relevance"]["reasons"] == [f"含排除词「{word}」"] for i in dropped)
    if word in (items[yes[0]]["title"] or "") + items[yes[0]]["text"]:
        assert after[yes[0]]["relevance"] == "yes"                 # the person said so
    kept = [i for i in yes if word not in (items[i]["title"] or "") + items[i]["text"]]
    assert all(after[i]["relevance"] == "yes" for i in kept)


def test_disabling_and_enabling_a_scheme(tmp_path):
    from yuqing.apply_scheme import apply_schemes
    from yuqing.pipeline import analyze_pending

    settings, store, analyzer = stored(tmp_path, demo_rows(40))
    store.add_scheme_version("fire", FIRE, "小李", "新建")
    analyze_pending(store, analyzer, settings=settings, warm_days=0)
    store.set_scheme_enabled("fire", False)
    with pytest.raises(ValueError):
        store.set_scheme_enabled("default", False)
    assert [r["key"] for r in store.schemes(enabled=True)] == ["default"]
    assert not store.schemes()[1]["applying"]
    store.set_scheme_enabled("fire", True)
    assert store.scheme("fire")["applying"]             # the items it missed are judged on
    apply_schemes(store)
    assert stored_labels(store, store.scheme("fire")["id"]) == judged_from_scratch(store, "fire")


# --- kill -9 while applying ---------------------------------------------------------------------------

def test_applying_a_scheme_goes_on_after_kill_9(tmp_path):
    from yuqing.pipeline import analyze_pending

    base = demo_rows()
    rows = [dict(r, id=f"{r.get('id', 'x')}-{k}") for k in range(40) for r in base]   # ~12k items
    (tmp_path / "yuqing.toml").write_text('database_url = "sqlite:///y.db"\nscheme = "scheme.yaml"\n', encoding="utf-8")
    settings, store, analyzer = stored(tmp_path, rows)
    analyze_pending(store, analyzer, warm_days=0)          # no events: only the items matter here
    (tmp_path / "town.yaml").write_text('name: 万庄镇\nregion: "131003101"\n', encoding="utf-8")
    env = {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path), "YUQING_APPLY_BATCH_SIZE": "500"}
    cmd = [sys.executable, "-m", "yuqing.cli", "scheme", "add", "wanzhuang", "town.yaml"]
    proc = subprocess.Popen(cmd, cwd=tmp_path, stderr=subprocess.PIPE, stdout=subprocess.PIPE, text=True, env=env)
    seen = 0
    for line in proc.stderr:
        if "已判断" in line:
            seen += 1
            if seen == 3:
                os.kill(proc.pid, signal.SIGKILL)
                break
    proc.wait(30)
    row = store.scheme("wanzhuang")
    assert row is not None and row["applying"] and 0 < row["apply_seq"] < len(rows), row["apply_seq"]
    # the chunks done are whole: their judgments are those of a fresh run
    want = judged_from_scratch(store, "wanzhuang")
    partial = stored_labels(store, row["id"])
    seqs = {r["id"]: r["seq"] for r in store.apply_rows(0, 10**9)}
    assert partial == {i: v for i, v in want.items() if seqs[i] <= row["apply_seq"]}
    done = subprocess.run([sys.executable, "-m", "yuqing.cli", "scheme", "apply", "wanzhuang"], cwd=tmp_path,
                          capture_output=True, text=True, env=env)
    assert done.returncode == 0, done.stderr
    assert "已用于全部已入库信息" in done.stdout
    assert stored_labels(store, row["id"]) == want and len(want) > 1000


# --- a store of the previous release --------------------------------------------------------------------

def test_a_store_of_the_previous_release_opens_with_its_scheme_as_the_first_of_many(tmp_path):
    db = tmp_path / "yuqing.db"
    db.write_bytes(gzip.decompress((RELEASE_STORE / "yuqing.db.gz").read_bytes()))
    shutil.copy(RELEASE_STORE / "scheme.yaml", tmp_path / "scheme.yaml")
    with sqlite3.connect(db) as c:
        before = {t: c.execute(f"SELECT count(*) FROM {t}").fetchone()[0]
                  for t in ("items", "events", "alerts", "cases", "case_log", "scheme_versions", "users",
                            "relevance_judgments", "picks", "audit_log", "item_places")}
        assert max(r[0] for r in c.execute("SELECT version FROM schema_migrations")) == 14
    old = json.loads((RELEASE_STORE / "stats.json").read_text(encoding="utf-8"))
    store = open_store(f"sqlite:///{db}")
    with store.engine.connect() as conn:
        from sqlalchemy import text

        after = {t: conn.execute(text(f"SELECT count(*) FROM {t}")).scalar_one() for t in before}
    assert after == before                                        # nothing lost
    (first,) = store.schemes()
    assert (first["id"], first["key"], first["name"], first["version"]) == (1, "default", "广阳区综合监测", 2)
    assert not first["applying"] and first["enabled"]
    assert store.analysis_counts()["relevant"] == old["analysis"]["relevant"]
    assert store.alert_counts()["alerts"] == old["alerts"]
    assert store.scoped(1).alert_counts()["alerts"] == old["alerts"]    # its alerts are scheme 1's
    assert store.scheme_version("default", 2)["text"] == (RELEASE_STORE / "scheme.yaml").read_text(encoding="utf-8")
    # and it takes more schemes
    from yuqing.apply_scheme import apply_schemes

    store.add_scheme_version("fire", FIRE, "小李", "新建")
    assert apply_schemes(store)["fire"] == 119              # the analysed items (one waits, judged again by a person)
    assert [r["key"] for r in store.schemes()] == ["default", "fire"]
    store.close()


# --- the command line -----------------------------------------------------------------------------------

def yq(cwd: Path, *args: str, check: bool = True) -> subprocess.CompletedProcess:
    got = subprocess.run([sys.executable, "-m", "yuqing.cli", *args], cwd=cwd, capture_output=True, text=True,
                         env={"PATH": "/usr/bin:/bin", "HOME": str(cwd)})
    if check:
        assert got.returncode == 0, got.stderr
    assert "Traceback" not in got.stderr, got.stderr
    return got


def test_schemes_from_the_command_line(tmp_path):
    yq(tmp_path, "init", "--region", "131003")
    toml = tmp_path / "yuqing.toml"
    toml.write_text(toml.read_text(encoding="utf-8").replace("# alert_max_age_hours = 48", "alert_max_age_hours = 1000000"),
                    encoding="utf-8")
    yq(tmp_path, "import", str(DEMO_STREAM))
    listed = json.loads(yq(tmp_path, "scheme", "list", "--json").stdout)["schemes"]
    assert [(s["id"], s["key"], s["name"]) for s in listed] == [(1, "default", "广阳区综合监测")]

    (tmp_path / "town.yaml").write_text(TOWN, encoding="utf-8")
    (tmp_path / "fire.yaml").write_text(FIRE, encoding="utf-8")
    added = yq(tmp_path, "scheme", "add", "wanzhuang", "town.yaml", "--owner", "万庄镇")
    assert "第 1 版已保存" in added.stdout and "已判断" in added.stderr
    yq(tmp_path, "scheme", "import", "fire.yaml")                       # key: the file's name
    listed = {s["key"]: s for s in json.loads(yq(tmp_path, "scheme", "list", "--json").stdout)["schemes"]}
    assert list(listed) == ["default", "wanzhuang", "fire"]
    assert listed["wanzhuang"]["owner"] == "万庄镇" and not listed["wanzhuang"]["applying"]
    town_yes = listed["wanzhuang"]["items"]["yes"]
    assert 0 < town_yes < listed["default"]["items"]["yes"]
    assert "涉及" in yq(tmp_path, "scheme", "list").stdout

    # mistakes are said in Chinese, with what to do
    again = yq(tmp_path, "scheme", "add", "wanzhuang", "town.yaml", check=False)
    assert again.returncode != 0 and "已有方案" in again.stderr and "scheme edit" in again.stderr
    (tmp_path / "bad.yaml").write_text('name: 错\nregion: "999999"\n', encoding="utf-8")
    bad = yq(tmp_path, "scheme", "add", "bad", "bad.yaml", check=False)
    assert bad.returncode != 0 and "不是已知的行政区划代码" in bad.stderr
    digits = yq(tmp_path, "scheme", "add", "123", "town.yaml", check=False)
    assert digits.returncode != 0 and "不能全是数字" in digits.stderr
    (tmp_path / "same.yaml").write_text('name: 万庄镇\nregion: "131003101"\n', encoding="utf-8")
    same = yq(tmp_path, "scheme", "add", "other", "same.yaml", check=False)
    assert same.returncode != 0 and "同名" in same.stderr
    unknown = yq(tmp_path, "stats", "--scheme", "nosuch", check=False)
    assert unknown.returncode != 0 and "没有方案「nosuch」" in unknown.stderr and "wanzhuang（万庄镇）" in unknown.stderr

    # versions, diff, rollback, export
    (tmp_path / "town2.yaml").write_text(TOWN.replace('"131003101"', '"131003101"\nexclude: ["招聘"]'), encoding="utf-8")
    assert "第 2 版已保存" in yq(tmp_path, "scheme", "edit", "wanzhuang", "town2.yaml").stdout
    history = json.loads(yq(tmp_path, "scheme", "history", "--scheme", "wanzhuang", "--json").stdout)["versions"]
    assert [v["version"] for v in history] == [2, 1] and history[0]["note"] == "修改"
    assert '+exclude: ["招聘"]' in yq(tmp_path, "scheme", "diff", "1", "--scheme", "wanzhuang").stdout
    yq(tmp_path, "scheme", "rollback", "1", "--scheme", "万庄镇")          # by name too
    assert yq(tmp_path, "scheme", "export", "wanzhuang").stdout == TOWN
    yq(tmp_path, "scheme", "export", "wanzhuang", "--version", "2", "-o", "v2.yaml")
    assert "招聘" in (tmp_path / "v2.yaml").read_text(encoding="utf-8")

    # results per scheme
    everything = json.loads(yq(tmp_path, "search", "起火 OR 火灾", "--json", "--limit", "500").stdout)["items"]
    fires = json.loads(yq(tmp_path, "search", "起火 OR 火灾", "--scheme", "fire", "--json", "--limit", "500").stdout)["items"]
    town = json.loads(yq(tmp_path, "search", "起火 OR 火灾", "--scheme", "wanzhuang", "--json", "--limit", "500").stdout)["items"]
    assert fires and {h["id"] for h in town} <= {h["id"] for h in everything}
    heating = json.loads(yq(tmp_path, "search", "供暖 OR 暖气", "--json", "--limit", "500").stdout)["items"]
    heating_town = json.loads(yq(tmp_path, "search", "供暖 OR 暖气", "--scheme", "wanzhuang", "--json").stdout)["items"]
    assert {h["id"] for h in heating_town} < {h["id"] for h in heating}
    stats = json.loads(yq(tmp_path, "stats", "--scheme", "wanzhuang", "--json").stdout)
    assert stats["analysis"]["relevant"] == town_yes and stats["scheme"]["key"] == "wanzhuang"
    all_events = {e["id"] for e in json.loads(yq(tmp_path, "events", "--since", "30d", "--top", "500", "--json").stdout)["events"]}
    town_events = {e["id"] for e in json.loads(yq(tmp_path, "events", "--since", "30d", "--top", "500", "--scheme", "wanzhuang",
                                                   "--json").stdout)["events"]}
    assert town_events and town_events < all_events
    town_alerts = json.loads(yq(tmp_path, "alerts", "--scheme", "wanzhuang", "--json").stdout)["alerts"]
    assert all(a["event"] in all_events for a in town_alerts)
    out = tmp_path / "town.html"
    yq(tmp_path, "report", "daily", "--date", "2026-11-28", "--scheme", "wanzhuang", "-o", str(out))
    assert "万庄镇" in out.read_text(encoding="utf-8")
    kpi = json.loads(yq(tmp_path, "kpi", "--year", "2026", "--scheme", "wanzhuang", "--json").stdout)
    whole = json.loads(yq(tmp_path, "kpi", "--year", "2026", "--json").stdout)
    assert kpi["rows"] and kpi != whole

    # on and off
    refused = yq(tmp_path, "scheme", "disable", "default", check=False)
    assert refused.returncode != 0 and "不能停用" in refused.stderr
    yq(tmp_path, "scheme", "disable", "fire")
    assert "已停用" in yq(tmp_path, "scheme", "list").stdout
    yq(tmp_path, "scheme", "enable", "fire")
    assert "正在用于已入库信息" in yq(tmp_path, "scheme", "list").stdout
    assert "已用于全部已入库信息" in yq(tmp_path, "scheme", "apply").stdout


def test_a_scheme_has_its_own_briefings_template_and_recipients(tmp_path):
    from datetime import datetime
    from zoneinfo import ZoneInfo

    from yuqing.pipeline import analyze_pending
    from yuqing.reports import schedule
    from yuqing.reports.make import make_report
    from yuqing.reports.schedule import due_reports

    settings, store, analyzer = stored(tmp_path, demo_rows())
    town_text = TOWN + "report:\n  recipients: [town-mail]\n  masthead: 万庄镇舆情快报\n  office: 万庄镇党政办\n"
    store.add_scheme_version("wanzhuang", town_text, "小李", "新建")
    bad = town_text.replace("recipients: [town-mail]", "recipients: town-mail")
    from yuqing.configfile import put_scheme

    assert "report.recipients" in put_scheme(store, tmp_path / "scheme.yaml", "x", bad, "小李", "新建")[1]
    analyze_pending(store, analyzer, settings=settings, warm_days=0)
    with store.engine.begin() as conn:            # as a store that was collecting all along
        conn.exec_driver_sql("UPDATE items SET collected_ts = published_ts + 60")
    s = settings.__class__({**settings.values, "report_channels": "mail", "report_weekly_at": "",
                            "report_monthly_at": ""}, (), None, tmp_path)
    schedule._NOT_WATCHED.clear()
    at_8 = datetime(2026, 11, 29, 8, 0, 30, tzinfo=ZoneInfo("Asia/Shanghai")).timestamp()
    made = [store.get_report(i) for i in due_reports(store, s, at_8)]
    town = store.scheme("wanzhuang")["id"]
    mine = [r for r in made if r["scheme"] == town]
    district = [r for r in made if r["scheme"] is None]
    assert mine and district and len(mine) == len(district)
    assert all(r["data"]["office"]["masthead"] == "万庄镇舆情快报" and r["data"]["office"]["office"] == "万庄镇党政办"
               for r in mine)
    assert all("万庄镇" in r["data"]["title"] for r in mine)
    assert all(r["data"]["office"]["masthead"] != "万庄镇舆情快报" for r in district)
    queued = {(m["channel"], m["payload"]["report_id"]) for m in store.messages(kind="report")}
    assert queued == {("town-mail", r["id"]) for r in mine} | {("mail", r["id"]) for r in district}
    assert due_reports(store, s, at_8 + 60) == []               # once per period and scheme
    # numbered per scheme: the town's next daily is its own second, whatever the district made
    again = store.get_report(make_report(store.scoped(town), s, "daily", "小李", datetime(2026, 11, 27).date()))
    assert again["data"]["office"]["number"] == len(mine) + 1


def test_the_first_schemes_kpi_is_todays(tmp_path):
    """On a store with one scheme, the KPI seen by scheme 1 is the KPI of the store as a whole."""
    from zoneinfo import ZoneInfo

    from yuqing.pipeline import analyze_pending
    from yuqing.reports.kpi import evaluate, year_period

    settings, store, analyzer = stored(tmp_path, demo_rows())
    analyze_pending(store, analyzer, settings=settings, warm_days=0)
    start, end = year_period(2026, ZoneInfo("Asia/Shanghai"))
    assert evaluate(store, start, end, "2026") == evaluate(store.scoped(1), start, end, "2026")


def test_another_scheme_never_takes_number_one(tmp_path):
    """A store whose own scheme is not recorded yet: the first scheme added is number 2 (number
    1 reads the items' own columns), and the file's scheme takes 1 when it comes."""
    from yuqing.configfile import remember_scheme

    store = open_store(f"sqlite:///{tmp_path}/y.db")
    store.add_scheme_version("fire", FIRE, "小李", "新建")
    assert store.scheme("fire")["id"] == 2
    (tmp_path / "scheme.yaml").write_text('name: 广阳区\nregion: "131003"\n', encoding="utf-8")
    remember_scheme(store, tmp_path / "scheme.yaml")
    assert [(r["id"], r["key"]) for r in store.schemes()] == [(1, "default"), (2, "fire")]


def test_a_new_schemes_history_forms_events_when_analysed_again(tmp_path):
    """Applied to history, a scheme judges the stored items; those only it involves are in no
    event (nobody formed one) — counted and named, and `reanalyze` forms them under every scheme."""
    from yuqing.apply_scheme import apply_schemes
    from yuqing.pipeline import analyze_pending

    rows = demo_rows()
    when = rows[-1]["published_at"]
    rows += [{"id": f"sjz-{n}", "platform": "weibo", "source": f"网友{n}", "published_at": when,
              "text": f"石家庄市长安区一居民楼起火，消防到场处置，现场浓烟很大{'！' * n}"} for n in range(1, 4)]
    settings, store, analyzer = stored(tmp_path, rows)
    analyze_pending(store, analyzer, settings=settings, warm_days=0)
    store.add_scheme_version("fire", FIRE, "小李", "新建")
    apply_schemes(store)
    fire = store.scheme("fire")["id"]
    n, oldest = store.scheme_items_without_event(fire)
    assert n >= 1 and oldest is not None
    assert all(r["event"] is None for r in store.get_items([f"sjz-{k}" for k in range(1, 4)]))
    store.reset_analysis()
    analyze_pending(store, analyzer, settings=settings, warm_days=0)
    assert store.scheme_items_without_event(fire)[0] == 0
    events = {r["event"] for r in store.get_items([f"sjz-{k}" for k in range(1, 4)])}
    assert None not in events and events <= {e["id"] for e in store.scoped(fire).list_events(None, 1000)}
