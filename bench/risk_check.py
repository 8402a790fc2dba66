"""Risk levels on corpora whose harm is known by construction (no labelled risk set exists).

CEC reports are emergencies (fires, crashes, quakes, attacks, poisonings): they should come out
high. weibo2018 posts are everyday chatter and the fj3 messages are citizen complaints: mostly
low or medium. Usage: python bench/risk_check.py
"""

from __future__ import annotations

import csv
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "scripts"))
import corpora  # noqa: E402

from yuqing.analysis.analyze import Analyzer, Subject  # noqa: E402


def levels(subjects: list[Subject]) -> dict:
    an = Analyzer()
    counts: Counter = Counter()
    for i in range(0, len(subjects), 256):
        counts.update(a["risk"]["level"] for a in an.analyze(subjects[i:i + 256]))
    n = sum(counts.values())
    return {"n": n, **{k: round(counts[k] / n, 3) for k in ("high", "medium", "low")}}


def main() -> dict:
    cec_docs, _, _ = corpora.cec()
    cec = [Subject(str(i), None, d.text, "news") for i, d in enumerate(cec_docs)]
    weibo = [Subject(str(i), None, d.text, "weibo") for i, d in enumerate(corpora.weibo2018()[0][:3000])]
    with open(corpora.DATA / "zhihui_zhengwu" / "fj3_messages_with_votes.csv", encoding="utf-8", newline="") as f:
        fj3 = [Subject(r["留言编号"], r["留言主题"], r["留言详情_clean"], "complaint") for r in csv.DictReader(f)]
    out = {"cec_emergencies": levels(cec), "weibo2018_posts": levels(weibo), "fj3_complaints": levels(fj3)}
    print(out)
    return out


if __name__ == "__main__":
    main()
