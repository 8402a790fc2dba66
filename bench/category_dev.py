"""Category on short posts (bench/category/dev.jsonl, labelled by reading; rules in its README).

Prints accuracy, macro-F1 over the classes present, accuracy on the posts a reader placed in a
public-affairs class (not 其他), the share of 其他 posts given a class, and the confusions.
for the dev part, the held-out part (sha1 of the text 0–4, never tuned on) and all.
Run: python bench/category_dev.py [-v]   (-v lists the dev part's misses)
"""

from __future__ import annotations

import json
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DEV = ROOT / "bench/category/dev.jsonl"
FRESH = ROOT / "bench/category/fresh.jsonl"   # labelled after the short-post rules were written
PLATFORM = {"fj3": "complaint", "fj4": "complaint", "weibo2018": "weibo", "smp2020": "weibo", "ced": "weibo",
            "hot": "weibo"}


def held_out(row: dict) -> bool:
    """The part never tuned on: sha1 of the text starting 0–4 (about a third)."""
    import hashlib

    return hashlib.sha1(row["t"].encode()).hexdigest()[0] in "01234"


def evaluate(verbose: bool = False, part: str = "all", analyzer=None) -> dict:
    from sklearn.metrics import f1_score

    from yuqing.analysis.analyze import Analyzer, Subject
    from yuqing.ingest import to_simplified

    rows = [json.loads(line) for line in (FRESH if part == "fresh" else DEV).read_text(encoding="utf-8").splitlines()]
    if part in ("dev", "holdout"):
        rows = [r for r in rows if held_out(r) == (part == "holdout")]
    analyzer = analyzer or Analyzer()
    subjects = [Subject(r["id"], None, to_simplified(r["t"]), PLATFORM[r["src"]]) for r in rows]
    pred = [a["category"] for a in analyzer.analyze_each(subjects)]
    truth = [r["y"] for r in rows]
    public = [i for i, y in enumerate(truth) if y != "其他"]
    other = [i for i, y in enumerate(truth) if y == "其他"]
    out = {"n": len(rows), "accuracy": round(sum(p == t for p, t in zip(pred, truth)) / len(rows), 3),
           "macro_f1": round(float(f1_score(truth, pred, labels=sorted(set(truth)), average="macro")), 3),
           "public_affairs": {"n": len(public), "accuracy": round(sum(pred[i] == truth[i] for i in public) / len(public), 3)},
           "other_given_a_class": round(sum(pred[i] != "其他" for i in other) / len(other), 3),
           "confusions": Counter(f"{truth[i]}→{pred[i]}" for i in range(len(rows)) if pred[i] != truth[i]).most_common(12)}
    by_source = {}
    for src in PLATFORM:
        idx = [i for i, r in enumerate(rows) if r["src"] == src]
        by_source[src] = round(sum(pred[i] == truth[i] for i in idx) / len(idx), 3)
    out["accuracy_by_source"] = by_source
    if verbose and part == "dev":
        for r, p in zip(rows, pred):
            if p != r["y"]:
                print(f"  {r['y']:<8} got {p:<8} {r['t'][:70]}")
    return out


if __name__ == "__main__":
    for part in ("dev", "holdout", "all", "fresh"):
        result = evaluate("-v" in sys.argv, part)
        print(part, json.dumps({k: v for k, v in result.items() if k != "confusions"}, ensure_ascii=False))
        if part == "all":
            print("confusions (all):", json.dumps(result["confusions"], ensure_ascii=False))
