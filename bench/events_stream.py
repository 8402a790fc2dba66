"""Event clustering over a 100k-item stream of real texts: speed, and memory over the run.

The stream: every distinct text of the shared corpora (citizen messages with their titles,
Weibo posts, news titles, hotel reviews, CED originals) topped up with CED repost texts, spread
over 60 days in a shuffled order. Segmentation is timed apart (in the pipeline the analysis
stage has done it); clustering is what the target (≥1,000 items/s on one core) is about.

Usage: python bench/events_stream.py [N]
"""

from __future__ import annotations

import json
import random
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "scripts"))
sys.path.insert(0, str(ROOT / "bench"))


def rss_mb() -> float:
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * 4096 / 2**20


def texts(n: int) -> list[tuple[str, str]]:
    """(title, text) of n distinct real items."""
    import corpora
    import spread_ced

    out, seen = [], set()

    def add(title: str, text: str) -> None:
        key = (title, text)
        if text and key not in seen:
            seen.add(key)
            out.append(key)

    for r in __import__("events_dev").stream():
        add(r["title"], r["text"])
    for load in (corpora.fj2, corpora.weibo2018, corpora.news_titles, corpora.chnsenticorp):
        for d in load()[0]:
            add("", d.text)
    for load in (corpora.smp2020, corpora.cec):
        for d in load()[0]:
            add("", d.text)
    for _, original, reposts in spread_ced.cascades():
        add("", original["text"])
        for r in reposts:
            if len(r.get("text") or "") >= 15:
                add("", r["text"])
        if len(out) >= n:
            break
    rng = random.Random(11)
    rng.shuffle(out)
    return out[:n]


def run(n: int = 100_000) -> dict:
    from yuqing.events.cluster import EventClusterer, words_of

    rows = texts(n)
    started = time.perf_counter()
    words = [words_of(t, x[:20000]) for t, x in rows]
    seg_s = time.perf_counter() - started
    c = EventClusterer()
    t0 = 1_700_000_000.0
    step = 60 * 86400 / len(rows)
    memory = [round(rss_mb())]
    started = time.perf_counter()
    for i, ((title, text), w) in enumerate(zip(rows, words)):
        c.add(str(i), t0 + i * step, title, text[:20000], words=w)
        if (i + 1) % 256 == 0:
            c.drain()           # as the pipeline does after each batch (it stores the states)
        if (i + 1) % (len(rows) // 10) == 0:
            memory.append(round(rss_mb()))
    seconds = time.perf_counter() - started
    return {"items": len(rows), "events": c._n, "held": len(c),
            "cluster_items_per_s": round(len(rows) / seconds), "segment_items_per_s": round(len(rows) / seg_s),
            "rss_mb_every_10pct": memory}


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT / "src"))
    print(json.dumps(run(int(sys.argv[1]) if len(sys.argv) > 1 else 100_000)))
