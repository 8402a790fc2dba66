"""Event clustering on the fj3 stream, scored with B-cubed against annotations/events_dev.jsonl.

The whole file (4,326 timed messages) runs as one stream in time order; only the 599 labelled
messages are scored. Usage: python bench/events_dev.py
"""

from __future__ import annotations

import csv
import json
import os
import time
from collections import defaultdict
from datetime import datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DATA = Path(os.environ.get("YUQING_DATA") or ROOT.parent / "shared" / "data").resolve()


def stream(data: Path = DATA) -> list[dict]:
    with open(data / "zhihui_zhengwu" / "fj3_messages_with_votes.csv", encoding="utf-8", newline="") as f:
        rows = [{"id": r["留言编号"], "title": r["留言主题"], "text": r["留言详情_clean"],
                 "ts": datetime.fromisoformat(r["留言时间_iso"]).timestamp(),
                 "likes": int(r["点赞数"] or 0)} for r in csv.DictReader(f)]
    return sorted(rows, key=lambda r: (r["ts"], int(r["id"])))


def labels(data: Path = DATA) -> dict[str, str]:
    out = {}
    for line in (data / "annotations" / "events_dev.jsonl").read_text(encoding="utf-8").splitlines():
        rec = json.loads(line)
        out[str(rec["message_id"])] = rec["event"]
    return out


def bcubed(pred: dict[str, str], gold: dict[str, str]) -> dict[str, float]:
    """B-cubed precision, recall and F1 over the items in `gold`."""
    ids = [i for i in gold if i in pred]
    by_pred, by_gold = defaultdict(set), defaultdict(set)
    for i in ids:
        by_pred[pred[i]].add(i)
        by_gold[gold[i]].add(i)
    p = sum(len(by_pred[pred[i]] & by_gold[gold[i]]) / len(by_pred[pred[i]]) for i in ids) / len(ids)
    r = sum(len(by_pred[pred[i]] & by_gold[gold[i]]) / len(by_gold[gold[i]]) for i in ids) / len(ids)
    return {"n": len(ids), "precision": round(p, 4), "recall": round(r, 4), "f1": round(2 * p * r / (p + r), 4)}


def evaluate(assign, data: Path = DATA) -> dict:
    """`assign(rows)` returns {message id: event id} for the whole stream."""
    rows = stream(data)
    started = time.perf_counter()
    pred = assign(rows)
    seconds = time.perf_counter() - started
    return bcubed(pred, labels(data)) | {"items_per_s": round(len(rows) / seconds)}


def by_title(rows):
    return {r["id"]: r["title"] for r in rows}


if __name__ == "__main__":
    print("identical titles:", evaluate(by_title))
    from yuqing.events.cluster import cluster_rows

    print("online clustering:", evaluate(cluster_rows))
