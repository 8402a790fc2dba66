"""`make bench`: import throughput and search latency on real data; prints and writes bench/out/*.json.

Reads the datasets from $YUQING_DATA (default ../shared/data). Each measurement runs in a fresh
subprocess so that peak memory (max RSS) is its own.
"""

from __future__ import annotations

import csv
import json
import os
import platform
import random
import subprocess
import sys
import time
from datetime import datetime, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DATA = Path(os.environ.get("YUQING_DATA") or ROOT.parent / "shared" / "data").resolve()
OUT = ROOT / "bench" / "out"
FJ3 = DATA / "zhihui_zhengwu/fj3_messages_with_votes.csv"
FJ3_MAP = ["id=留言编号", "title=留言主题", "text=留言详情_clean", "published_at=留言时间_iso",
           "author=留言用户", "metrics.likes=点赞数", "metrics.against=反对数"]


def sub_bench(script: str, args: list[str], written: Path) -> dict | None:
    """Run bench/SCRIPT in its own process (its memory its own); return the JSON it writes."""
    done = subprocess.run([sys.executable, str(ROOT / "bench" / script), *args], capture_output=True, text=True)
    if done.returncode:
        print(f"{script} failed:", done.stderr[-2000:], flush=True)
        return None
    return json.loads(written.read_text())


def real_rows() -> list[dict]:
    """Real items: the fj3 citizen messages and the CED Weibo posts (with their real times)."""
    rows = []
    with open(FJ3, encoding="utf-8-sig") as f:
        for r in csv.DictReader(f):
            rows.append({"platform": "complaint", "title": r["留言主题"], "text": r["留言详情_clean"],
                         "published_at": r["留言时间_iso"], "author": r["留言用户"],
                         "metrics": {"likes": int(r["点赞数"] or 0)}})
    for p in sorted((DATA / "ced_weibo_rumor/original-microblog").glob("*.json")):
        o = json.loads(p.read_text(encoding="utf-8"))
        rows.append({"platform": "weibo", "text": o["text"], "published_at": o["time"],
                     "metrics": {"reposts": o.get("reposts"), "comments": o.get("comments"), "likes": o.get("likes")}})
    return rows


def make_100k(path: Path, n: int = 100_000) -> None:
    """Real rows replicated with new ids (and shuffled) up to n items."""
    rows = real_rows()
    rng = random.Random(7)
    with open(path, "w", encoding="utf-8") as f:
        for i in range(n):
            f.write(json.dumps({"id": f"bench:{i}", **rows[rng.randrange(len(rows))]}, ensure_ascii=False) + "\n")


def measure(code: str, env: dict | None = None) -> dict:
    """Run a snippet in a fresh interpreter; it prints one JSON line; add its peak RSS."""
    full = ("import json, resource, time, sys\n" + code +
            "\nres['max_rss_mb'] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)\n"
            "res['max_rss_worker_mb'] = round(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024, 1)\n"
            "cpu = sum(u.ru_utime + u.ru_stime for u in (resource.getrusage(resource.RUSAGE_SELF), "
            "resource.getrusage(resource.RUSAGE_CHILDREN)))\n"
            "res['cpu_s'] = round(cpu, 2)\n"
            "if res.get('items'): res['cpu_us_per_item'] = round(cpu / res['items'] * 1e6)\n"
            "print(json.dumps(res))")
    out = subprocess.run([sys.executable, "-c", full], capture_output=True, text=True, check=True,
                         env={**os.environ, **(env or {})}, cwd=ROOT)
    return json.loads(out.stdout.strip().splitlines()[-1])


IMPORT = """
from yuqing.settings import load_settings
from yuqing.store import open_store
from yuqing.sources.files import read_file, parse_mapping
from yuqing.pipeline import ingest_stream
s = load_settings(database_url='sqlite:///{db}')   # YUQING_* variables apply
store = open_store(s.database_url)
t = time.perf_counter()
r = ingest_stream(read_file({path!r}, None, parse_mapping({mapping!r}), s.item_max_bytes), store, s,
                  defaults={{'platform': 'complaint'}})
dt = time.perf_counter() - t
res = {{'items': r.read, 'added': r.added, 'seconds': round(dt, 3), 'items_per_s': round(r.read / dt)}}
"""

SEARCH = """
import random, statistics
from datetime import datetime, timedelta, timezone
from yuqing.store import open_store
store = open_store('sqlite:///{db}')
queries = {queries!r}
store.search(queries[0])                      # load the segmenter dictionary once
lat = []
rng = random.Random(3)
for q in queries:
    kw = {{}}
    r = rng.random()
    if r < 0.25:
        kw['platform'] = 'weibo'
    elif r < 0.5:
        kw['since'] = datetime(2019, 6, 1, tzinfo=timezone.utc)
    t = time.perf_counter()
    hits = store.search(q, limit=20, **kw)
    lat.append((time.perf_counter() - t) * 1000)
lat.sort()
res = {{'queries': len(lat), 'p50_ms': round(statistics.median(lat), 2),
        'p95_ms': round(lat[int(0.95 * len(lat)) - 1], 2), 'max_ms': round(lat[-1], 2)}}
"""


def search_queries(n: int = 200) -> list[str]:
    """Queries of 1–3 real words drawn from the data (common and rare words alike)."""
    import rjieba

    rng = random.Random(11)
    rows = real_rows()
    words = []
    for r in rng.sample(rows, 400):
        words.extend(w for w in rjieba.cut(r["text"]) if len(w) >= 2 and w.strip() and not w.isascii())
    fixed = ["广阳 积水", "小区 噪音", "火灾", "医院", "学校 收费", "拆迁 补偿", "地铁", "谣言", "物业", "暖气 不热"]
    out = list(fixed)
    while len(out) < n:
        out.append(" ".join(rng.sample(words, rng.choice([1, 1, 2, 3]))))
    return out


def machine() -> dict:
    info = {"python": platform.python_version(), "cpus": os.cpu_count(), "platform": platform.platform()}
    try:
        model = next(l for l in open("/proc/cpuinfo") if l.startswith("model name")).split(":", 1)[1].strip()
        info["cpu"] = model
    except (OSError, StopIteration):
        pass
    import sqlite3

    info["sqlite"] = sqlite3.sqlite_version
    return info


ANALYZE = """
import os
os.environ.setdefault('OMP_NUM_THREADS', '1')
from yuqing.analysis.analyze import Analyzer, Subject
from yuqing.scheme import Scheme
import rjieba
rows = open({path!r}, encoding='utf-8').read().splitlines()[1:]
texts = [r.split(',', 2)[2] for r in rows]
subjects = [Subject(str(i), None, t, 'weibo') for i, t in enumerate(texts)]
t = time.perf_counter()
an = Analyzer(Scheme(name='bench', region='131003'))
load_s = time.perf_counter() - t
rss_loaded = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)   # models + gazetteer + texts
an.analyze(subjects[:64])                                    # first-call costs out of the timing
t = time.perf_counter()
for i in range(64, len(subjects), 256):
    an.analyze(subjects[i:i + 256])
dt = time.perf_counter() - t
n = len(subjects) - 64
t = time.perf_counter()
for x in texts[64:]:
    rjieba.cut(x)
seg = time.perf_counter() - t
res = {{'items': n, 'mean_chars': round(sum(map(len, texts)) / len(texts)), 'seconds': round(dt, 3),
        'items_per_s': round(n / dt), 'load_s': round(load_s, 2), 'rjieba_cut_items_per_s': round(n / seg),
        'ratio_to_rjieba': round(dt / seg, 1), 'rss_after_load_mb': rss_loaded}}
"""


# The same with nineteen more schemes judged beside the first (issue 17: ≤ 1.5× the time of one):
# ten towns and streets of 广阳区 and the nine other counties and districts of 廊坊.
OTHER_SCHEMES = """
from yuqing.analysis.gazetteer import load_gazetteer
_g = load_gazetteer(4)
_towns = sorted(p.code for p in _g.children('131003'))[:10]
_others = sorted(p.code for p in _g.children('1310') if p.code != '131003')[:9]
an.judge_others([(c, Scheme(name=c, region=c)) for c in _towns + _others])
assert len(an.others) == 19
"""
ANALYZE_20 = ANALYZE.replace("an = Analyzer(Scheme(name='bench', region='131003'))\n",
                             "an = Analyzer(Scheme(name='bench', region='131003'))\n" + OTHER_SCHEMES)
assert ANALYZE_20 != ANALYZE


def analyze_startup(work: Path) -> dict:
    """Wall time of `yuqing analyze` on a one-line file (imports, models, gazetteer)."""
    (work / "one.jsonl").write_text('{"text": "廊坊市广阳区万庄镇一厂房起火"}\n', encoding="utf-8")
    (work / "scheme.yaml").write_text('name: b\nregion: "131003"\n', encoding="utf-8")
    times = []
    for _ in range(3):
        t = time.perf_counter()
        subprocess.run([sys.executable, "-m", "yuqing.cli", "analyze", "one.jsonl", "--scheme", "scheme.yaml",
                        "-o", "one.out.jsonl"], cwd=work, check=True, capture_output=True)
        times.append(time.perf_counter() - t)
    return {"runs_s": [round(x, 2) for x in times], "median_s": round(sorted(times)[1], 2)}


def main() -> None:
    only = sys.argv[1] if len(sys.argv) > 1 else None      # `python bench/run.py analysis`
    OUT.mkdir(parents=True, exist_ok=True)
    work = OUT / "work"
    work.mkdir(exist_ok=True)
    results: dict = {"machine": machine(), "when": datetime.now(timezone.utc).isoformat(timespec="seconds")}

    def fresh(db: Path) -> Path:
        for suffix in ("", "-wal", "-shm"):
            Path(f"{db}{suffix}").unlink(missing_ok=True)
        return db

    def summarise(runs: list[dict]) -> dict:
        rates = sorted(r["items_per_s"] for r in runs)
        best = max(runs, key=lambda r: r["items_per_s"])
        return {**best, "median_items_per_s": rates[len(rates) // 2], "runs_items_per_s": rates}

    results["analysis_one_core"] = measure(ANALYZE.format(path=str(DATA / "weibo2018_sentiment/train.txt")))
    print("analysis, weibo2018 on one core:", results["analysis_one_core"], flush=True)
    twenty = measure(ANALYZE_20.format(path=str(DATA / "weibo2018_sentiment/train.txt")))
    twenty["time_ratio_to_one_scheme"] = round(results["analysis_one_core"]["items_per_s"] / twenty["items_per_s"], 2)
    results["analysis_20_schemes"] = twenty
    print("analysis with 20 schemes:", twenty, flush=True)
    results["analyze_startup"] = analyze_startup(work)
    print("`yuqing analyze` startup:", results["analyze_startup"], flush=True)
    if only == "analysis":
        (OUT / "analysis.json").write_text(json.dumps(results, ensure_ascii=False, indent=2), encoding="utf-8")
        return

    runs = [measure(IMPORT.format(db=fresh(work / f"fj3-{i}.db"), path=str(FJ3), mapping=FJ3_MAP)) for i in range(5)]
    results["import_fj3_csv"] = summarise(runs)
    print("import fj3 CSV:", results["import_fj3_csv"], flush=True)
    results["reimport_fj3_csv"] = measure(IMPORT.format(db=work / "fj3-0.db", path=str(FJ3), mapping=FJ3_MAP))
    print("re-import fj3 CSV (all duplicates):", results["reimport_fj3_csv"], flush=True)

    big = work / "real-100k.jsonl"
    if not big.exists():
        make_100k(big)
    runs = [measure(IMPORT.format(db=fresh(work / f"100k-{i}.db"), path=str(big), mapping=[])) for i in range(3)]
    results["import_100k_jsonl"] = summarise(runs)
    db = work / "100k-0.db"
    results["import_100k_jsonl"]["db_mb"] = round(db.stat().st_size / 2**20, 1)
    print("import 100k JSONL:", results["import_100k_jsonl"], flush=True)
    serial = measure(IMPORT.format(db=fresh(work / "100k-serial.db"), path=str(big), mapping=[]),
                     env={"YUQING_INGEST_WORKERS": "0"})
    results["import_100k_jsonl_one_process"] = serial
    print("import 100k JSONL, one process:", serial, flush=True)

    results["search_100k"] = measure(SEARCH.format(db=db, queries=search_queries()))
    print("search at 100k:", results["search_100k"], flush=True)

    sys.path.insert(0, str(ROOT / "bench"))
    import relevance_dev

    from yuqing.analysis.relevance import RegionMatcher

    started = time.perf_counter()
    matcher = RegionMatcher.for_region(relevance_dev.REGION)
    load_s = time.perf_counter() - started
    rows = relevance_dev.build(DATA)
    started = time.perf_counter()
    results["relevance_131003"] = relevance_dev.evaluate(rows, matcher.involves) | {
        "load_s": round(load_s, 2), "items_per_s": round(len(rows) / (time.perf_counter() - started))}
    print("relevance 广阳区 dev set:", results["relevance_131003"], flush=True)

    import relevance_real

    results["relevance_real"] = {k: {m: v[m] for m in ("n", "precision", "recall", "possible")}
                                 for k, v in relevance_real.evaluate().items()}
    print("relevance, real dev sets:", results["relevance_real"], flush=True)
    # speed on 80-character Weibo posts (the budget: 100 µs each), with the reasons built
    with open(DATA / "weibo2018_sentiment/train.txt", encoding="utf-8") as f:
        posts = [line.split(",", 2)[2][:80] for line in f if line.count(",") >= 2 and len(line) > 100][:5000]
    started = time.perf_counter()
    for post in posts:
        matcher.relevance(post)
    results["relevance_us_per_80_char_post"] = round((time.perf_counter() - started) / len(posts) * 1e6, 1)
    print("relevance µs per 80-character post:", results["relevance_us_per_80_char_post"], flush=True)

    import finder

    for stream in ("fj3", "fj4"):      # the local-name finder's top 20, judged by reading
        started = time.perf_counter()
        got = finder.run(DATA, stream)
        results[f"finder_{stream}"] = {"precision_top20": got["precision_top20"], "wrong": got["wrong"],
                                       "unjudged": got["unjudged"], "s": round(time.perf_counter() - started, 1)}
        print(f"local-name finder on {stream}:", results[f"finder_{stream}"], flush=True)

    import dedup_dev

    from yuqing.analysis.dedup import NearDuplicates

    pairs = dedup_dev.build(DATA)
    results["near_duplicates"] = dedup_dev.evaluate(pairs, NearDuplicates)
    print("near-duplicates dev pairs:", results["near_duplicates"], flush=True)

    import events_dev

    from yuqing.events.cluster import cluster_rows

    results["events_fj3"] = events_dev.evaluate(cluster_rows, DATA)
    print("event clustering, fj3 stream:", results["events_fj3"], flush=True)

    import spread_ced

    for split in ("dev", "test"):
        results[f"early_warning_ced_{split}"] = spread_ced.evaluate(split, DATA)
        print(f"early warning, CED cascades ({split}):", results[f"early_warning_ced_{split}"], flush=True)

    import alerts_latency

    results["alerts_latency_20k"] = alerts_latency.run(20_000, 100)
    print("alert latency, 20k replay:", results["alerts_latency_20k"], flush=True)

    import feed_to_alert

    results["feed_to_alert_60s_poll"] = feed_to_alert.run(3)
    print("feed published to robot message, 60 s poll:", results["feed_to_alert_60s_poll"], flush=True)

    import events_stream

    results["events_stream_100k"] = events_stream.run(100_000)
    print("event clustering, 100k stream:", results["events_stream_100k"], flush=True)

    import risk_check

    results["risk_levels"] = risk_check.main()

    # server mode: PostgreSQL + NATS JetStream with 1 and 2 analyse workers (issue 18)
    sys.path.insert(0, str(ROOT / "tests"))
    import natsserver
    import pgserver

    if pgserver.bindir() is not None and natsserver.binary() is not None:
        got = sub_bench("bus_throughput.py", ["100000", "1", "2"], OUT / "bus" / "results.json")
        if got is not None:
            results["bus_throughput_100k"] = got
            print("server mode, 100k items, 1 and 2 analyse workers:", got, flush=True)
    else:
        print("server mode bench skipped: PostgreSQL or nats-server not installed", flush=True)

    # cost as the store grows (issue 20): yuqing import at 10k and 100k items (1M: `python bench/scale.py 1000000`)
    got = sub_bench("scale.py", ["10000", "100000"], OUT / "scale" / "results.json")
    if got is not None:
        results["scale"] = got
        print("cost as the store grows:", got, flush=True)

    (OUT / "results.json").write_text(json.dumps(results, ensure_ascii=False, indent=2), encoding="utf-8")
    print(f"written {OUT / 'results.json'}")


if __name__ == "__main__":
    main()
