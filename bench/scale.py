"""Cost as the store grows (issue 20): `yuqing import` of N real-text items into a fresh SQLite
store, for several N — CPU µs per item, peak RSS of the main process, peak RSS and PSS summed
over the whole process tree, database bytes per item beyond the text itself.

The items: distinct real texts (bench/events_stream.texts: citizen messages, Weibo posts, news
titles, reviews, CED posts), replicated with variations past their number (new ids; the digits
changed and one of a few real tails added, so each copy is a new text, often a near-copy of
another, as reposts are), spread evenly over 90 days whatever N (a larger N is a busier office,
not a longer history). The scheme involves every item (`require_region: false`): every item is
clustered into events, the worst case for the state that grows.

Usage: python bench/scale.py [N ...]          (default 10000 100000 1000000)
Writes bench/out/scale/results.json.
"""

from __future__ import annotations

import json
import os
import random
import re
import subprocess
import sys
import time
from datetime import datetime, timezone
from pathlib import Path

import psutil

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "bench"))
sys.path.insert(0, str(ROOT / "scripts"))
OUT = ROOT / "bench" / "out" / "scale"
BASE = 50_000                      # distinct real texts; copies past them
TAILS = ("", "，大家怎么看？", "【转发】", "（来源：网友爆料）", "，持续关注中。", "#关注#")


def make_items(path: Path, n: int) -> int:
    """The items file for `n`; return the bytes of title and text (what is not overhead)."""
    from events_stream import texts

    meta = path.with_suffix(".json")
    if path.exists() and meta.exists():
        return json.loads(meta.read_text())["text_bytes"]
    base = texts(min(n, BASE))
    rng = random.Random(20)
    t0 = datetime(2026, 6, 1, tzinfo=timezone.utc).timestamp()
    step = 90 * 86400 / n
    text_bytes = 0
    with open(path, "w", encoding="utf-8") as f:
        for i in range(n):
            title, text = base[i % len(base)]
            if i >= len(base):                 # a copy: other digits, maybe a tail
                text = re.sub(r"\d", lambda _m: str(rng.randrange(10)), text) + rng.choice(TAILS)
            text = text[:20000]
            text_bytes += len(title.encode()) + len(text.encode())
            when = datetime.fromtimestamp(t0 + i * step, timezone.utc).isoformat()
            f.write(json.dumps({"id": f"scale:{i}", "title": title, "text": text, "published_at": when,
                                "platform": "news" if title else "weibo"}, ensure_ascii=False) + "\n")
    meta.write_text(json.dumps({"n": n, "text_bytes": text_bytes}))
    return text_bytes


def tree_memory(proc: psutil.Process) -> tuple[int, int, int]:
    """(RSS of the process, RSS summed over it and its descendants, PSS summed likewise), bytes.

    The RSS sum counts a page the forked analysis workers share with the main process (the
    interpreter, the libraries, the models) once per process; PSS counts each shared page once
    in all, split between its sharers: the sum is what the tree takes from the machine."""
    try:
        procs = [proc, *proc.children(recursive=True)]
    except psutil.NoSuchProcess:
        return 0, 0, 0
    full = []
    for p in procs:
        try:
            full.append(p.memory_full_info())
        except psutil.NoSuchProcess:         # a worker that ended between the two calls
            continue
    if not full:
        return 0, 0, 0
    return full[0].rss, sum(m.rss for m in full), sum(m.pss for m in full)


def one(n: int) -> dict:
    OUT.mkdir(parents=True, exist_ok=True)
    items = OUT / f"items-{n}.jsonl"
    text_bytes = make_items(items, n)
    work = OUT / f"store-{n}"
    subprocess.run(["rm", "-rf", str(work)], check=True)
    work.mkdir(parents=True)
    (work / "scheme.yaml").write_text("name: scale\nrequire_region: false\n", encoding="utf-8")
    # SCALE_SETTINGS: more lines of yuqing.toml (what a bound costs: event_max_active = 2000)
    (work / "yuqing.toml").write_text(f'database_url = "sqlite:///{work}/store.db"\nscheme = "scheme.yaml"\n'
                                      + os.environ.get("SCALE_SETTINGS", "").replace(";", "\n") + "\n",
                                      encoding="utf-8")
    yq = str(Path(sys.executable).parent / "yuqing")
    before = os.times()
    started = time.perf_counter()
    proc = psutil.Popen([yq, "--config", str(work / "yuqing.toml"), "import", str(items)], cwd=work,
                        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    peak_main = peak_tree = peak_pss = 0
    slices, last = [], None              # the cost of each slice of analysed items, as the store grows
    next_sample = time.monotonic() + SAMPLE_S
    while proc.poll() is None:
        main, tree, pss = tree_memory(proc)
        peak_main, peak_tree, peak_pss = max(peak_main, main), max(peak_tree, tree), max(peak_pss, pss)
        if time.monotonic() >= next_sample:
            next_sample += SAMPLE_S
            here = (analysed(work / "store.db"), tree_cpu(proc), main, pss)
            if last is not None and here[0] > last[0] and last[0] > 0:
                slices.append({"analysed": here[0], "cpu_us_per_item": round((here[1] - last[1]) / (here[0] - last[0]) * 1e6),
                               "rss_main_mb": round(main / 2**20), "pss_tree_mb": round(pss / 2**20)})
                print(json.dumps(slices[-1]), file=sys.stderr, flush=True)
            last = here
        time.sleep(0.2)
    wall = time.perf_counter() - started
    after = os.times()
    if proc.returncode:
        raise SystemExit(proc.stderr.read().decode()[-3000:])
    cpu = (after.children_user - before.children_user) + (after.children_system - before.children_system)
    import sqlite3

    db = work / "store.db"
    with sqlite3.connect(db) as conn:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        stored = conn.execute("SELECT count(*) FROM items").fetchone()[0]
        events = conn.execute("SELECT count(*) FROM events").fetchone()[0]
        tables = dict(conn.execute("SELECT name, sum(pgsize) FROM dbstat GROUP BY name").fetchall()) \
            if _has_dbstat(conn) else {}
    size = db.stat().st_size
    top = dict(sorted(tables.items(), key=lambda kv: -kv[1])[:8])
    return {"items": n, "stored": stored, "events": events, "wall_s": round(wall, 1),
            "items_per_s": round(n / wall), "cpu_us_per_item": round(cpu / n * 1e6),
            "peak_rss_main_mb": round(peak_main / 2**20), "peak_rss_tree_mb": round(peak_tree / 2**20),
            "peak_pss_tree_mb": round(peak_pss / 2**20),
            "db_bytes_per_item": round(size / n), "db_bytes_per_item_beyond_text": round((size - text_bytes) / n),
            "largest_mb": {k: round(v / 2**20, 1) for k, v in top.items()}, "slices": slices}


SAMPLE_S = float(os.environ.get("SCALE_SAMPLE_S", "60"))


def analysed(db: Path) -> int:
    """Items analysed so far (every item is stored before analysis begins: the largest number
    given less those still waiting, an index count)."""
    import sqlite3

    try:
        with sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=5) as conn:
            top = conn.execute("SELECT max(seq) FROM items").fetchone()[0] or 0
            waiting = conn.execute("SELECT count(*) FROM items WHERE analyzed_ts IS NULL").fetchone()[0]
        return top - waiting
    except sqlite3.Error:
        return 0


def tree_cpu(proc: psutil.Process) -> float:
    """CPU seconds of the process and its live descendants (and of the children it waited for)."""
    total = 0.0
    try:
        procs = [proc, *proc.children(recursive=True)]
    except psutil.NoSuchProcess:
        return 0.0
    for p in procs:
        try:
            t = p.cpu_times()
            total += t.user + t.system + (t.children_user + t.children_system if p is proc else 0.0)
        except psutil.NoSuchProcess:
            continue
    return total


def _has_dbstat(conn) -> bool:
    try:
        conn.execute("SELECT 1 FROM dbstat LIMIT 1")
        return True
    except Exception:  # noqa: BLE001 — SQLite built without the dbstat table
        return False


def main() -> None:
    sizes = [int(a) for a in sys.argv[1:]] or [10_000, 100_000, 1_000_000]
    runs = []
    for n in sizes:
        got = one(n)
        print(json.dumps(got, ensure_ascii=False), flush=True)
        runs.append(got)
    out = {"runs": runs}
    if len(runs) > 1:
        out["cpu_ratio_largest_to_smallest"] = round(runs[-1]["cpu_us_per_item"] / runs[0]["cpu_us_per_item"], 2)
    (OUT / "results.json").write_text(json.dumps(out, ensure_ascii=False, indent=1))
    print(json.dumps(out, ensure_ascii=False, indent=1))


if __name__ == "__main__":
    os.environ.setdefault("YUQING_DATA", str(ROOT.parent / "shared" / "data"))
    main()
