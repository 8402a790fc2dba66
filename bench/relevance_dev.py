"""Region-relevance dev set for 廊坊市广阳区 (131003), built from real texts, and its evaluation.

The fj3 citizen messages are anonymised (A市, A3区 …). Each sampled message gets its placeholders
replaced by one kind of place wording, so the sentences are real and only the places vary:

positives   full       廊坊市 … 广阳区
            short      廊坊 … 广阳 (short forms, with the city as context)
            town       廊坊市 … 万庄镇 (a town or street of 广阳区)
            community  广阳区 … 西后街社区
negatives   district   廊坊市 … 安次区 (another district of the same city)
            town-elsewhere  重庆市 … 南岸区广阳镇 (a same-name town)
            island     重庆 … 广阳岛
            person     廊坊市 … 安次区, a resident named 张广阳
            city       石家庄市 … 长安区
            hot-search real Weibo hot-search titles (all 19 naming 廊坊 or 广阳, 300 others): none is
                       about 广阳区 (city-wide news is not "involving the district")

Usage: python bench/relevance_dev.py  (prints precision/recall and the confusion by kind)
Nothing here is shipped; texts stay in ../shared/data.
"""

from __future__ import annotations

import csv
import gzip
import os
import random
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "bench"))
from binary_eval import score  # noqa: E402
DATA = Path(os.environ.get("YUQING_DATA") or ROOT.parent / "shared" / "data").resolve()
REGION = "131003"
_DISTRICT = re.compile(r"A\d+区")

GUANGYANG_TOWNS = ["万庄镇", "九州镇", "北旺镇", "南尖塔镇", "银河北路街道", "爱民东道街道", "解放道街道",
                   "新开路街道", "新源道街道"]
GUANGYANG_COMMUNITIES = ["西后街社区", "丰盛路社区", "康宁街社区", "裕华路社区", "华苑社区", "群星里社区"]

KINDS = {  # kind: (label, city, district)
    "full": (1, "廊坊市", "广阳区"),
    "short": (1, "廊坊", "广阳"),
    "town": (1, "廊坊市", None),
    "community": (1, "廊坊市", None),
    "district": (0, "廊坊市", "安次区"),
    "town-elsewhere": (0, "重庆市", "南岸区广阳镇"),
    "island": (0, "重庆", "广阳岛"),
    "person": (0, "廊坊市", "安次区"),
    "city": (0, "石家庄市", "长安区"),
}


def build(data: Path = DATA, n_per_kind: int = 80, seed: int = 2026) -> list[tuple[str, int, str]]:
    """Return (text, label, kind) rows."""
    rng = random.Random(seed)
    with open(data / "zhihui_zhengwu/fj3_messages_with_votes.csv", encoding="utf-8-sig") as f:
        texts = [f"{r['留言主题']} {r['留言详情_clean']}" for r in csv.DictReader(f)]
    texts = [t for t in texts if _DISTRICT.search(t)]
    rng.shuffle(texts)
    rows: list[tuple[str, int, str]] = []
    pool = iter(texts)
    for kind, (label, city, district) in KINDS.items():
        for _ in range(n_per_kind):
            text = next(pool)
            if kind == "town":
                district = rng.choice(GUANGYANG_TOWNS)
            elif kind == "community":
                district = "广阳区" + rng.choice(GUANGYANG_COMMUNITIES)
            text = _DISTRICT.sub(district, text).replace("A市", city)
            if not text.startswith(city) and city not in text:
                text = city + text
            if kind == "person":
                text = text + " 反映人：市民张广阳"
            rows.append((text, label, kind))
    titles = [line.split(",")[3] for line in gzip.open(data / "weibo_hot_search_hourly/hourly_snapshots.csv.gz", "rt",
                                                        encoding="utf-8") if line.count(",") >= 4][1:]
    unique = sorted(set(titles))
    named = [t for t in unique if "廊坊" in t or "广阳" in t]
    others = rng.sample([t for t in unique if t not in named], 300)
    rows += [(t, 0, "hot-search") for t in named + others]
    return rows


def evaluate(rows, involves) -> dict:
    """Return precision, recall, F1 and per-kind accuracy of a relevance function."""
    return score((bool(involves(text)), label, kind) for text, label, kind in rows)


def main() -> None:
    sys.path.insert(0, str(ROOT / "src"))
    from yuqing.analysis.relevance import RegionMatcher

    matcher = RegionMatcher.for_region(REGION)
    rows = build()
    result = evaluate(rows, matcher.involves)
    print(result)
    if "-v" in sys.argv:
        for text, label, kind in rows:
            if matcher.involves(text) != bool(label):
                print(kind, label, text[:100])


if __name__ == "__main__":
    main()
