"""Server mode's throughput (issue 18): the real pipeline on PostgreSQL + NATS JetStream, with 1
and 2 `yuqing worker analyse` processes and one `yuqing worker events`, all on this machine.

The items: 100k distinct real texts (bench/events_stream.texts: citizen messages, Weibo posts,
news titles, reviews, CED originals and reposts), spread over 60 days, under the 广阳区 scheme.
Each run: a new database and new streams; `yuqing import` publishes the file onto the bus (timed
apart), then the workers start and the clock runs until every item is analysed and linked. CPU
is every process's: the workers', PostgreSQL's and nats-server's (psutil), per item.

Usage: python bench/bus_throughput.py [N] [WORKERS...]      (default 100000, 1 2)
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from datetime import datetime, timezone
from pathlib import Path

import psutil

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "scripts"))
sys.path.insert(0, str(ROOT / "bench"))
sys.path.insert(0, str(ROOT / "tests"))
OUT = ROOT / "bench" / "out" / "bus"


def make_items(path: Path, n: int) -> None:
    from events_stream import texts

    if path.exists() and sum(1 for _ in open(path, encoding="utf-8")) == n:
        return
    rows = texts(n)
    t0 = datetime(2026, 9, 1, tzinfo=timezone.utc).timestamp()
    step = 60 * 86400 / len(rows)
    with open(path, "w", encoding="utf-8") as f:
        for i, (title, text) in enumerate(rows):
            when = datetime.fromtimestamp(t0 + i * step, timezone.utc).isoformat()
            f.write(json.dumps({"id": f"bus:{i}", "title": title, "text": text[:20000], "published_at": when,
                                "platform": "news" if title else "weibo"}, ensure_ascii=False) + "\n")


def cpu_of(procs) -> float:
    total = 0.0
    for p in procs:
        try:
            t = p.cpu_times()
            total += t.user + t.system
        except psutil.NoSuchProcess:
            pass
    return total


def servers() -> list[psutil.Process]:
    return [p for p in psutil.process_iter(["name"]) if p.info["name"] in ("postgres", "nats-server")]


def analysed(url: str) -> int:
    from sqlalchemy import create_engine, text

    from yuqing.store.postgres import engine_url

    engine = create_engine(engine_url(url))
    with engine.connect() as conn:
        n = conn.execute(text("SELECT count(analyzed_ts) FROM items")).scalar()
    engine.dispose()
    return n


def prepare(base_url: str, nats_url: str, items: Path, name: str):
    """A new database and bus key, an install folder for them, and the items published onto the
    bus by `yuqing import`: (folder, database URL, key, the yuqing command, seconds to publish)."""
    from sqlalchemy import create_engine, text

    from yuqing.store import open_store
    from yuqing.store.postgres import engine_url

    work = OUT / name
    work.mkdir(parents=True, exist_ok=True)
    db = f"bus_{name}_{int(time.time())}"
    admin = create_engine(engine_url(base_url), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f"CREATE DATABASE {db}"))
    admin.dispose()
    url = base_url.rsplit("/", 1)[0] + "/" + db
    (work / "scheme.yaml").write_text('name: 广阳区\nregion: "131003"\nalert:\n  min_risk: high\n', encoding="utf-8")
    (work / "yuqing.toml").write_text(f'database_url = "{url}"\nbus_url = "{nats_url}"\nbus_key = "{db}"\n'
                                      'alert_max_age_hours = 1e9\n', encoding="utf-8")
    open_store(url).close()
    yq = [sys.executable, "-m", "yuqing.cli", "-c", str(work / "yuqing.toml")]
    t = time.perf_counter()
    subprocess.run(yq + ["import", str(items)], check=True, capture_output=True)
    return work, url, db, yq, time.perf_counter() - t


def one_run(base_url: str, nats_url: str, items: Path, workers: int, n: int) -> dict:
    from yuqing.store import open_store

    work, url, db, yq, publish_s = prepare(base_url, nats_url, items, f"w{workers}")
    before = {p.pid: (p.info["name"], cpu_of([p])) for p in servers()}    # CPU so far, per process
    started = time.perf_counter()
    procs = [subprocess.Popen(yq + ["worker", "analyse"], stderr=open(work / f"analyse{i}.log", "wb"))
             for i in range(workers)]
    procs.append(subprocess.Popen(yq + ["worker", "events"], stderr=open(work / "events.log", "wb")))
    ps = [psutil.Process(p.pid) for p in procs]
    peak_rss = 0.0
    samples = []
    while True:
        time.sleep(1.0)
        peak_rss = max(peak_rss, sum(p.memory_info().rss for p in ps) / 2**20)
        done = analysed(url)
        samples.append((time.perf_counter() - started, done))
        if done >= n:
            break
        if any(p.poll() is not None for p in procs):
            raise RuntimeError(f"a worker stopped; see {work}")
    wall = time.perf_counter() - started
    # the steady rate, start-ups left out: from 10% to 90% analysed
    (t1, c1), (t2, c2) = next(x for x in samples if x[1] >= n * 0.1), next(x for x in samples if x[1] >= n * 0.9)
    steady = (c2 - c1) / (t2 - t1) if t2 > t1 else None
    worker_cpu = cpu_of(ps)
    analyse_cpu, events_cpu = cpu_of(ps[:-1]), cpu_of(ps[-1:])
    by_name = {"postgres": 0.0, "nats-server": 0.0}
    for p in servers():
        by_name[p.info["name"]] += cpu_of([p]) - (before[p.pid][1] if p.pid in before else 0.0)
    server_cpu = sum(by_name.values())
    for p in procs:
        p.terminate()
    for p in procs:
        p.wait(60)
    store = open_store(url, migrate=False)
    events, relevant = store.event_counts()["events"], store.analysis_counts()["relevant"]
    store.close()
    return {"workers": workers, "items": n, "publish_s": round(publish_s, 1), "publish_items_per_s": round(n / publish_s),
            "wall_s": round(wall, 1), "items_per_s": round(n / wall),
            "steady_items_per_s": round(steady) if steady else None, "cpu_us_per_item": round(
                (worker_cpu + server_cpu) / n * 1e6), "worker_cpu_s": round(worker_cpu, 1),
            "db_and_bus_cpu_s": round(server_cpu, 1),
            "cpu_us_per_item_by_process": {"analyse": round(analyse_cpu / n * 1e6), "events": round(events_cpu / n * 1e6),
                                           "postgres": round(by_name["postgres"] / n * 1e6),
                                           "nats": round(by_name["nats-server"] / n * 1e6)}, "workers_peak_rss_mb": round(peak_rss),
            "events": events, "relevant": relevant}


def staged_run(base_url: str, nats_url: str, items: Path, workers: int, n: int) -> dict:
    """The stages one after the other: N analyse workers alone until the raw stream is drained
    (the part that scales out), then the events worker alone (the part that is one per key)."""
    from yuqing.bus import BusClient

    work, url, db, yq, _publish_s = prepare(base_url, nats_url, items, f"staged{workers}")
    bus = BusClient(nats_url, db)
    before = {p.pid: p for p in servers()}
    server0 = cpu_of(before.values())
    started = time.perf_counter()
    procs = [subprocess.Popen(yq + ["worker", "analyse"], stderr=open(work / f"analyse{i}.log", "wb"))
             for i in range(workers)]
    ps = [psutil.Process(p.pid) for p in procs]
    while True:
        time.sleep(0.5)
        w = bus.waiting("raw")
        if not w["pending"] and not w["unacked"]:
            break
    analyse_s = time.perf_counter() - started
    analyse_cpu = cpu_of(ps)
    server_analyse = cpu_of(servers()) - server0
    for p in procs:
        p.terminate()
    for p in procs:
        p.wait(60)
    server1 = cpu_of(servers())
    started = time.perf_counter()
    ev = subprocess.Popen(yq + ["worker", "events"], stderr=open(work / "events.log", "wb"))
    evp = psutil.Process(ev.pid)
    while analysed(url) < n:
        time.sleep(0.5)
    events_s = time.perf_counter() - started
    events_cpu = cpu_of([evp])
    server_events = cpu_of(servers()) - server1
    ev.terminate()
    ev.wait(60)
    bus.close()
    return {"workers": workers, "analyse_stage_s": round(analyse_s, 1), "analyse_stage_items_per_s": round(n / analyse_s),
            "analyse_cpu_us_per_item": round(analyse_cpu / n * 1e6),
            "db_and_bus_cpu_us_per_item_during_analyse": round(server_analyse / n * 1e6),
            "events_stage_s": round(events_s, 1), "events_stage_items_per_s": round(n / events_s),
            "events_cpu_us_per_item": round(events_cpu / n * 1e6),
            "db_and_bus_cpu_us_per_item_during_events": round(server_events / n * 1e6)}


def main() -> None:
    import natsserver
    import pgserver

    n = int(sys.argv[1]) if len(sys.argv) > 1 else 100_000
    counts = [int(a) for a in sys.argv[2:]] or [1, 2]
    OUT.mkdir(parents=True, exist_ok=True)
    items = OUT / f"items-{n}.jsonl"
    make_items(items, n)
    results = {"cpus": os.cpu_count(), "runs": []}
    with pgserver.postgres() as pg, natsserver.nats() as nats:
        for w in counts:
            got = one_run(pg, nats.url, items, w, n)
            print(json.dumps(got, ensure_ascii=False), flush=True)
            results["runs"].append(got)
        results["staged"] = []
        for w in counts:
            got = staged_run(pg, nats.url, items, w, n)
            print(json.dumps(got, ensure_ascii=False), flush=True)
            results["staged"].append(got)
        st = {r["workers"]: r for r in results["staged"]}
        if 1 in st and 2 in st:
            results["analyse_stage_ratio_2_to_1"] = round(
                st[2]["analyse_stage_items_per_s"] / st[1]["analyse_stage_items_per_s"], 2)
    by = {r["workers"]: r for r in results["runs"]}
    if 1 in by and 2 in by:
        results["ratio_2_to_1"] = round(by[2]["items_per_s"] / by[1]["items_per_s"], 2)
        if by[1]["steady_items_per_s"] and by[2]["steady_items_per_s"]:
            results["steady_ratio_2_to_1"] = round(by[2]["steady_items_per_s"] / by[1]["steady_items_per_s"], 2)
    print(json.dumps(results, ensure_ascii=False, indent=1))
    (OUT / "results.json").write_text(json.dumps(results, ensure_ascii=False, indent=1))


if __name__ == "__main__":
    main()
