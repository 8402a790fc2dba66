"""Draw the short posts of the category dev set (issue 14, part 4), to be labelled by reading in
bench/category/dev.jsonl (rules in bench/category/README.md).

Short means what an analyst's day is made of: a citizen message's subject line (fj3, fj4), a Weibo
post of at most 80 characters (weibo2018 train, SMP2020 train, CED), a hot-search title with its
description. Nothing about 廊坊/广阳 or 北京朝阳区 (held back), no test split. Deterministic
(sha1 order). Run: python scripts/sample_category_posts.py [DATA_DIR] > bench/category/candidates.jsonl
and with --fresh > bench/category/fresh_candidates.jsonl (the next items, for an unseen check).
"""

from __future__ import annotations

import csv
import gzip
import hashlib
import json
import re
import sys
from pathlib import Path

DATA = Path(sys.argv[1] if len(sys.argv) > 1 and not sys.argv[1].startswith("--") else Path(__file__).resolve().parents[2] / "shared" / "data")
HELD_BACK = re.compile(r"廊坊|广阳|朝阳")
MAX_CHARS = 80
PER_SOURCE = {"fj3": 70, "fj4": 70, "weibo2018": 50, "smp2020": 40, "ced": 50, "hot": 50}
# --fresh: the next items of each source, never seen while the short-post rules were written
FRESH = {"fj3": 25, "fj4": 25, "weibo2018": 15, "smp2020": 15, "ced": 15, "hot": 25}


def clean(text: str) -> str:
    text = re.sub(r"\{%.*?%\}|//@[^:：\s]{1,30}[:：]|https?://\S+|\s+", " ", text or "")
    return text.strip()


def sources() -> dict[str, list[tuple[str, str]]]:
    out: dict[str, list[tuple[str, str]]] = {}
    with open(DATA / "zhihui_zhengwu/fj3_messages_with_votes.csv", encoding="utf-8-sig", newline="") as f:
        out["fj3"] = [(f"fj3:{r['留言编号']}", clean(r["留言主题"])) for r in csv.DictReader(f)]
    with open(DATA / "zhihui_zhengwu/fj4_messages_with_replies.csv", encoding="utf-8-sig", newline="") as f:
        out["fj4"] = [(f"fj4:{r['留言编号']}", clean(r["留言主题"])) for r in csv.DictReader(f)]
    weibo = []
    for line in (DATA / "weibo2018_sentiment/train.txt").read_text(encoding="utf-8").splitlines()[1:]:
        item_id, _label, text = line.split(",", 2)
        weibo.append((f"weibo2018:{item_id}", clean(text)))
    out["weibo2018"] = weibo
    smp = json.loads((DATA / "smp2020_ewect_virus/virus_train.txt").read_text(encoding="utf-8"))
    out["smp2020"] = [(f"smp2020:{r['id']}", clean(r["content"])) for r in smp]
    ced = []
    for path in sorted((DATA / "ced_weibo_rumor/original-microblog").glob("*.json")):
        try:
            ced.append((f"ced:{path.stem}", clean(json.loads(path.read_text(encoding="utf-8")).get("text", ""))))
        except ValueError:
            continue
    out["ced"] = ced
    hot, seen = [], set()
    with gzip.open(DATA / "weibo_hot_search_hourly/hourly_snapshots.csv.gz", "rt", encoding="utf-8", newline="") as f:
        for r in csv.DictReader(f):
            title = r["title"]
            if title in seen or r.get("ads") in ("1", "true", "True"):
                continue
            seen.add(title)
            desc = clean(r.get("description") or "")
            hot.append((f"hot:{title}", f"{title}：{desc}"[:MAX_CHARS] if desc else title))
    out["hot"] = hot
    return out


def main() -> None:
    fresh = "--fresh" in sys.argv
    for source, items in sources().items():
        items = [(i, t) for i, t in items if 6 <= len(t) <= MAX_CHARS and not HELD_BACK.search(t)]
        items.sort(key=lambda it: hashlib.sha1(it[0].encode()).hexdigest())
        start = PER_SOURCE[source] if fresh else 0
        for item_id, text in items[start:start + (FRESH if fresh else PER_SOURCE)[source]]:
            print(json.dumps({"id": item_id, "src": source, "t": text}, ensure_ascii=False))


if __name__ == "__main__":
    main()
