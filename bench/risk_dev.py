"""Risk on the dev set labelled by reading (bench/risk/dev.jsonl; rules in bench/risk/README.md).

Prints macro-F1 over high/medium/low, high recall and precision, the share of non-incident news
called high, for the held-out part (sha1 of the text starting 0–4: never trained or tuned on) and
for the dev part, which the shipped model was trained on (so that figure is in-sample; the
model's cross-validated figure on it is printed from its model.json), with the confusion tables.
Run: python bench/risk_dev.py [-v]   (-v lists the dev part's misses only)
"""

from __future__ import annotations

import hashlib
import json
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DEV = ROOT / "bench/risk/dev.jsonl"
LEVELS = ("high", "medium", "low")
PLATFORM = {"fj3": "complaint", "cec": "news", "weibo2018": "weibo", "ced": "weibo", "smp2020": "weibo"}


def rows() -> list[dict]:
    return [json.loads(line) for line in DEV.read_text(encoding="utf-8").splitlines()]


def held_out(row: dict) -> bool:
    return hashlib.sha1(row["t"].encode()).hexdigest()[0] in "01234"


DATES = json.loads((ROOT / "bench/risk/corpus_dates.json").read_text(encoding="utf-8"))


def predict(items: list[dict]) -> list[str]:
    from datetime import datetime, timezone

    from yuqing.analysis.analyze import Analyzer, Subject
    from yuqing.ingest import to_simplified

    analyzer = Analyzer()
    ts = {k: datetime.fromisoformat(v).replace(tzinfo=timezone.utc).timestamp() for k, v in DATES.items() if k != "_why"}
    subjects = [Subject(r["id"], None, to_simplified(r["t"]), PLATFORM[r["src"]], ts=ts[r["src"]]) for r in items]
    out = []
    for i in range(0, len(subjects), 256):
        out += [a["risk"]["level"] for a in analyzer.analyze_each(subjects[i:i + 256])]
    return out


def scores(truth: list[str], pred: list[str]) -> dict:
    f1s = {}
    for level in LEVELS:
        tp = sum(t == p == level for t, p in zip(truth, pred))
        fp = sum(p == level != t for t, p in zip(truth, pred))
        fn = sum(t == level != p for t, p in zip(truth, pred))
        prec = tp / (tp + fp) if tp + fp else 0.0
        rec = tp / (tp + fn) if tp + fn else 0.0
        f1s[level] = {"precision": round(prec, 3), "recall": round(rec, 3),
                      "f1": round(2 * prec * rec / (prec + rec), 3) if prec + rec else 0.0}
    confusion = Counter(zip(truth, pred))
    return {"n": len(truth), "macro_f1": round(sum(v["f1"] for v in f1s.values()) / 3, 3), **f1s,
            "confusion": {f"{t}->{p}": confusion[(t, p)] for t in LEVELS for p in LEVELS}}


def evaluate(verbose: bool = False) -> dict:
    items = rows()
    pred = predict(items)
    out = {}
    for part, keep in (("holdout", held_out), ("dev (trained on)", lambda r: not held_out(r)), ("all", lambda r: True)):
        idx = [i for i, r in enumerate(items) if keep(r)]
        out[part] = scores([items[i]["y"] for i in idx], [pred[i] for i in idx])
        news = [i for i in idx if items[i]["src"] == "cec" and items[i]["y"] != "high"]
        out[part]["non_incident_news_called_high"] = (
            f"{sum(pred[i] == 'high' for i in news)} of {len(news)}" if news else None)
        groups = {"false-high kinds": ("negation", "figurative", "history", "notice", "explainer", "followup",
                                       "hypothetical"),
                  "harm without cue words": ("harm_no_cue", "calm_victims"), "scale and collective": ("scale", "collective")}
        out[part]["by_kind"] = {}
        for name, kinds in groups.items():
            sel = [i for i in idx if items[i]["kind"] in kinds]
            out[part]["by_kind"][name] = {"n": len(sel), "right": round(sum(pred[i] == items[i]["y"] for i in sel) / max(1, len(sel)), 3),
                                          "called_high_not_high": sum(pred[i] == "high" != items[i]["y"] for i in sel),
                                          "high_missed": sum(items[i]["y"] == "high" != pred[i] for i in sel)}
    if verbose:
        for r, p in zip(items, pred):
            if not held_out(r) and r["y"] != p:
                print(f"  {r['y']:>6} got {p:<6} {r['kind']:<12} {r['t'][:90]}")
    return out


NON_INCIDENT = ("finance", "stocks", "science", "sports", "entertainment", "game", "education", "realty", "home",
                "fashion", "constellation", "lottery")


def news_headlines_called_high(data: Path, n: int = 2000) -> dict:
    """Headlines of THUCNews's dev split in the twelve categories without incidents (finance … lottery;
    society and politics left out): news that is not an incident, by construction, not read."""
    from yuqing.analysis.analyze import Analyzer, Subject

    base = data / "thucnews_titles/THUCNews/data"
    classes = (base / "class.txt").read_text(encoding="utf-8").split()
    titles = []
    for line in (base / "dev.txt").read_text(encoding="utf-8").splitlines():
        title, _, k = line.rpartition("\t")
        if classes[int(k)] in NON_INCIDENT:
            titles.append(title)
    titles = titles[:n]
    analyzer = Analyzer()
    levels = []
    for i in range(0, len(titles), 256):
        levels += [a["risk"]["level"] for a in analyzer.analyze_each(
            [Subject(f"t{j}", t, "", "news") for j, t in enumerate(titles[i:i + 256], i)])]
    high = [t for t, lv in zip(titles, levels) if lv == "high"]
    return {"n": len(titles), "high": len(high), "share": round(len(high) / max(1, len(titles)), 3), "examples": high[:8]}


if __name__ == "__main__":
    info = json.loads((ROOT / "src/yuqing/data/models/risk/model.json").read_text(encoding="utf-8"))["info"]
    print("dev, 5-fold cross-validation (near-copies in one fold):", json.dumps(info["cv"]))
    result = evaluate("-v" in sys.argv)
    for part, v in result.items():
        print(part, json.dumps({k: v[k] for k in v if k != "confusion"}, ensure_ascii=False))
        print("   ", v["confusion"])
    data = Path(__import__("os").environ.get("YUQING_DATA", ROOT.parent / "shared" / "data"))
    if (data / "thucnews_titles").exists():
        print("non-incident news headlines (THUCNews dev):", json.dumps(news_headlines_called_high(data), ensure_ascii=False))
