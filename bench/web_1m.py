"""The dashboard over 1M items in SQLite: page latency, and 20 concurrent users for 60 s.

The store: 20k real items (fj3 complaints, CEC emergency news, weibo2018 and SMP2020 posts, plus
the demo's district stream) ingested and analysed by the real pipeline (events, alerts, cases),
their times laid over the last 1.8 days; then those analysed rows replicated 50 times with new
ids (items, their full-text rows, their events), each copy 1.8 days earlier: 1M items over 90
days, ~11k a day. Built once into bench/out/web1m/ (reused while the code of the store is the same).

Then `yuqing serve` runs in its own process on 127.0.0.1 and a client process measures:
- each page type alone, sequentially (overview, search with and without filters, event pages,
  the alert inbox, the API): p50/p95 of the whole request on loopback (≥ the server's time);
- 20 users at once, each logged in with its own session, each looping over a mix of pages
  with no pause for 60 s: p50/p95/max and errors.

Usage: python bench/web_1m.py [--rebuild] [--copies 50] [--users 20] [--seconds 60]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path
from statistics import median

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "bench"))
sys.path.insert(0, str(ROOT / "scripts"))
sys.path.insert(0, str(ROOT / "src"))
WORK = ROOT / "bench" / "out" / "web1m"
SPAN = int(1.8 * 86400)
PASSWORD = "bench-password-1"

ITEM_COLUMNS = ("url", "platform", "source", "author", "title", "text", "text_sc", "published_ts", "collected_ts",
                "updated_ts", "metrics", "flags", "content_hash", "collector", "origin", "seg", "analysis",
                "analyzed_ts", "relevant", "category", "sentiment", "risk", "relevance", "interactions")


def _reid(record, new_id: str):
    """A stored (deflated) event record with another id (a copy's); None stays None."""
    import orjson

    from yuqing.store.schema import Packed

    if record is None:
        return None
    r = orjson.loads(Packed().process_result_value(record, None))
    r["id"] = new_id
    return Packed().process_bind_param(orjson.dumps(r), None)


def build(copies: int, base_n: int, span: int = SPAN, work: Path | None = None, end_ts: int | None = None) -> dict:
    """The store (see the module's text); `span` is how long each copy lasts, `work` where it
    goes, `end_ts` when the newest copy ends (default: now)."""
    global WORK
    WORK = work or WORK
    from alerts_latency import stream

    from yuqing.models import Raw
    from yuqing.pipeline import analyze_pending, ingest_stream, make_analyzer
    from yuqing.settings import load_settings
    from yuqing.sources.files import read_file
    from yuqing.store import open_store

    if WORK.exists():
        shutil.rmtree(WORK)
    WORK.mkdir(parents=True)
    (WORK / "scheme.yaml").write_text("name: bench\nrequire_region: false\nalert:\n  min_risk: high\n", encoding="utf-8")
    (WORK / "yuqing.toml").write_text(f'database_url = "sqlite:///{WORK}/web.db"\nscheme = "scheme.yaml"\n'
                                      'web_secret_key = "bench-only-key"\ningest_workers = 0\n'
                                      # the real items are history laid over the last days as if live: they alert
                                      'alert_max_age_hours = 1000000\n', encoding="utf-8")
    settings = load_settings(WORK / "yuqing.toml", env={})
    store = open_store(settings.database_url)
    t0 = time.perf_counter()
    demo = ROOT / "src/yuqing/data/demo/stream.jsonl"
    ingest_stream(read_file(str(demo), None, {}, settings.item_max_bytes), store, settings)
    rows = stream(base_n)
    ingest_stream((Raw(f"bench:{i}", r) for i, r in enumerate(rows)), store, settings)
    analyze_pending(store, make_analyzer(settings), settings.analyze_batch_size, settings=settings)
    analysed_s = time.perf_counter() - t0
    now = end_ts or int(time.time()) - 60
    SPAN_ = span
    with store.engine.begin() as conn:
        sql = conn.exec_driver_sql
        # a copy's record under its own id (records are kept deflated: schema.Packed)
        conn.connection.dbapi_connection.create_function("reid", 2, _reid, deterministic=True)
        lo, hi, base_seq = sql("SELECT min(published_ts), max(published_ts), max(seq) FROM items").first()
        scale = SPAN_ / max(1, hi - lo)
        # the real order and spacing, laid over the last 1.8 days
        sql(f"UPDATE items SET published_ts = {now - SPAN_} + CAST((published_ts - {lo}) * {scale} AS INTEGER), "
            f"collected_ts = {now - SPAN_} + CAST((published_ts - {lo}) * {scale} AS INTEGER) + 60")
        sql(f"UPDATE events SET first_ts = {now - SPAN_} + CAST((first_ts - {lo}) * {scale} AS INTEGER), "
            f"last_ts = {now - SPAN_} + CAST((last_ts - {lo}) * {scale} AS INTEGER)")
        sql(f"UPDATE alerts SET created_ts = {now} - ({now} - created_ts) % {SPAN_}, discovered_ts = NULL")
        cols = ", ".join(ITEM_COLUMNS)
        for k in range(1, copies):
            shifted = cols.replace("published_ts", f"published_ts - {k * SPAN_}").replace(
                "collected_ts", f"collected_ts - {k * SPAN_}")
            sql(f"INSERT INTO items (id, {cols}, repost_of, duplicate_of, event) "
                f"SELECT id || '~{k}', {shifted}, repost_of || '~{k}', duplicate_of || '~{k}', event || '~{k}' "
                f"FROM items WHERE seq <= {base_seq}")
            sql(f"INSERT INTO events (id, first_ts, last_ts, size, title, category, risk, heat, stage, record, state, "
                f"merged_into, updated_ts) SELECT id || '~{k}', first_ts - {k * SPAN_}, last_ts - {k * SPAN_}, size, title, "
                f"category, risk, heat, stage, reid(record, id || '~{k}'), NULL, "
                f"merged_into || '~{k}', updated_ts FROM events WHERE instr(id, '~') = 0")
        sql(f"INSERT INTO items_fts(rowid, seg) SELECT seq, seg FROM items WHERE seq > {base_seq}")
        # the copies' places (the list's place filter), found by the copies' ids
        for k in range(1, copies):
            sql(f"INSERT INTO item_places (code, ts, seq) SELECT p.code, c.published_ts, c.seq FROM item_places p "
                f"JOIN items o ON o.seq = p.seq JOIN items c ON c.id = o.id || '~{k}' WHERE p.seq <= {base_seq}")
    return finish(store, copies, base_seq, analysed_s, t0)


def finish(store, copies: int, base_seq: int, analysed_s: float, t0: float) -> dict:
    import sqlite3

    store.engine.dispose()
    with sqlite3.connect(WORK / "web.db") as raw:       # outside any transaction of SQLAlchemy's
        raw.execute("ANALYZE")
        raw.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        n = raw.execute("SELECT count(*) FROM items").fetchone()[0]
        n_events = raw.execute("SELECT count(*) FROM events").fetchone()[0]
    from yuqing.alerts.users import hash_password

    for i in range(25):
        store.add_user(f"user{i}", ["analyst", "leader", "admin"][i % 3], hash_password(PASSWORD), None, by="bench")
    info = {"items": n, "events": n_events, "alerts": store.alert_counts()["alerts"], "base_items": base_seq,
            "copies": copies, "analysed_base_s": round(analysed_s, 1), "built_s": round(time.perf_counter() - t0, 1),
            "db_mb": round(sum(f.stat().st_size for f in WORK.glob("web.db*")) / 2**20)}
    (WORK / "built.json").write_text(json.dumps(info))
    return info


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def session(base: str, name: str):
    import re

    import httpx

    c = httpx.Client(base_url=base, timeout=30)
    token = re.search(r'name="csrf" value="([^"]+)"', c.get("/login").text).group(1)
    r = c.post("/login", data={"name": name, "password": PASSWORD, "csrf": token, "next": "/"})
    assert r.status_code in (200, 303) and "用户名或密码错误" not in r.text, r.status_code
    return c


def page_mix(store, rng: random.Random) -> dict[str, list[str]]:
    from run import search_queries

    events = [e["id"] for e in store.list_events(None, 30)]
    with store.engine.connect() as conn:
        all_events = [r[0] for r in conn.exec_driver_sql("SELECT id FROM events WHERE record IS NOT NULL AND merged_into IS NULL")]
    events += rng.sample(all_events, 70)
    words = search_queries(60)
    searches = [f"/search?q={w}" for w in words[:30]]
    searches += [f"/search?q={w}&since=7d&sentiment=negative" for w in words[30:45]]
    searches += [f"/search?q={w}&platform=weibo&since=30d" for w in words[45:60]]
    # the information list: no keyword, 250 results paged (5 × 50), each sort, filters, a town;
    # the events list with its filters
    listing = ["/search"] + [f"/search?scope=all&page={n}" for n in range(1, 6)]
    listing += [f"/search?sort={s}&page={n}" for s in ("risk", "interactions", "heat") for n in (1, 3, 5)]
    listing += ["/search?risk=high", "/search?platform=weibo&sentiment=negative", "/search?since=7d&sort=risk",
                "/search?place=131003101", "/search?category=安全生产&sort=interactions", "/search?q=投诉&sort=heat",
                "/search?q=火灾 OR 积水", "/search?q=万*"]
    event_lists = ["/events", "/events?page=3", "/events?risk=high", "/events?sort=latest", "/events?town=131003101",
                   "/events?since=7d&stage=outbreak"]
    return {"overview": ["/"], "search": searches, "list": listing, "events_list": event_lists,
            "event": [f"/events/{e}" for e in events],
            "alerts": ["/alerts", "/alerts?state=open"], "api": ["/api/events?limit=20", "/api/alerts?limit=50"]}


def pct(values: list[float], q: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(round(q * (len(values) - 1))))]


def summary(ms: list[float]) -> dict:
    return {"n": len(ms), "p50_ms": round(median(ms), 1), "p95_ms": round(pct(ms, 0.95), 1), "max_ms": round(max(ms), 1)}


def measure(users: int, seconds: float, workers: int, work: Path | None = None) -> dict:
    """The pages over the store that `work`/yuqing.toml names (bench/pg_1m.py: the same store on PostgreSQL)."""
    from yuqing.settings import load_settings
    from yuqing.store import open_store

    work = work or WORK
    store = open_store(load_settings(work / "yuqing.toml", env={}).database_url)
    port = free_port()
    server = subprocess.Popen([str(Path(sys.executable).parent / "yuqing"), "--config", str(work / "yuqing.toml"),
                               "serve", "--host", "127.0.0.1", "--port", str(port), "--workers", str(workers)],
                              stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, cwd=work)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.time() + 60
        while time.time() < deadline:
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                    break
            except OSError:
                time.sleep(0.2)
        rng = random.Random(11)
        mix = page_mix(store, rng)
        client = session(base, "user0")
        client.get("/")                       # starts the background trends
        t = time.perf_counter()
        while client.get("/").text.count("正在统计") and time.perf_counter() - t < 300:
            time.sleep(1)
        trends_ready_s = round(time.perf_counter() - t, 1)
        single = {}
        for kind, urls in mix.items():
            ms = []
            for i in range(max(60, len(urls))):
                url = urls[i % len(urls)]
                t0 = time.perf_counter()
                r = client.get(url)
                ms.append((time.perf_counter() - t0) * 1000)
                assert r.status_code == 200, (url, r.status_code)
            single[kind] = summary(ms)
            if kind in ("list", "events_list"):      # each URL's first visit: no count kept yet
                single[f"{kind}_first_visit"] = summary(ms[:len(urls)])
        # 20 users at once
        latencies: list[float] = []
        errors: list[str] = []
        lock = threading.Lock()
        flat = [u for urls in mix.values() for u in urls] + ["/"] * 20
        stop = time.time() + seconds

        def user(i: int) -> None:
            c = session(base, f"user{i}")
            r = random.Random(i)
            while time.time() < stop:
                url = r.choice(flat)
                t0 = time.perf_counter()
                try:
                    code = c.get(url).status_code
                except Exception as exc:  # counted, never hidden
                    code = type(exc).__name__
                dt = (time.perf_counter() - t0) * 1000
                with lock:
                    latencies.append(dt)
                    if code != 200:
                        errors.append(f"{url}: {code}")

        threads = [threading.Thread(target=user, args=(i,)) for i in range(users)]
        started = time.perf_counter()
        for th in threads:
            th.start()
        for th in threads:
            th.join()
        wall = time.perf_counter() - started
        concurrent = {**summary(latencies), "users": users, "seconds": round(wall, 1),
                      "requests_per_s": round(len(latencies) / wall, 1), "errors": len(errors),
                      "error_examples": errors[:5]}
        return {"workers": workers, "single": single, "concurrent": concurrent, "trends_ready_s": trends_ready_s}
    finally:
        server.terminate()
        server.wait(10)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rebuild", action="store_true")
    ap.add_argument("--copies", type=int, default=50)
    ap.add_argument("--base", type=int, default=20_000)
    ap.add_argument("--users", type=int, default=20)
    ap.add_argument("--seconds", type=float, default=60)
    ap.add_argument("--workers", type=int, default=1)
    ap.add_argument("--build-only", action="store_true", help="build the store and stop")
    args = ap.parse_args()
    if args.rebuild or not (WORK / "built.json").exists():
        built = build(args.copies, args.base)
    else:
        built = json.loads((WORK / "built.json").read_text())
    print(json.dumps({"store": built}, ensure_ascii=False), flush=True)
    if args.build_only:
        return
    if not built.get("alerts"):
        raise SystemExit("the store has no alerts: the scheme was not loaded")
    res = {"store": built, **measure(args.users, args.seconds, args.workers)}
    out = ROOT / "bench" / "out" / f"web_1m_w{args.workers}.json"
    out.write_text(json.dumps(res, ensure_ascii=False, indent=1))
    print(json.dumps(res, ensure_ascii=False, indent=1))


if __name__ == "__main__":
    os.environ.setdefault("YUQING_DATA", str(ROOT.parent / "shared" / "data"))
    main()
