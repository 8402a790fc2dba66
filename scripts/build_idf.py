"""Build src/yuqing/data/idf.tsv.gz: inverse document frequencies of words (rjieba, simplified text)
over the shared Chinese corpora — citizen messages (fj3), Weibo posts (weibo2018, CED), news
titles (THUCNews dev, TNEWS dev). Only word statistics are shipped, never the texts.

Run: python scripts/build_idf.py [DATA_DIR]. Reproducible (sorted rows, fixed gzip mtime).
"""

from __future__ import annotations

import csv
import io
import json
import math
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "scripts"))
from reproducible import gzip_bytes  # noqa: E402
OUT = ROOT / "src/yuqing/data/idf.tsv.gz"
MIN_DF = 3   # rarer words get the table's default (the largest idf), not a row of their own


def documents(data: Path):
    with open(data / "zhihui_zhengwu/fj3_messages_with_votes.csv", encoding="utf-8-sig") as f:
        for r in csv.DictReader(f):
            yield f"{r['留言主题']} {r['留言详情_clean']}"
    with open(data / "weibo2018_sentiment/train.txt", encoding="utf-8") as f:
        for line in f:
            parts = line.rstrip("\n").split(",", 2)
            if len(parts) == 3:
                yield parts[2]
    for p in sorted((data / "ced_weibo_rumor/original-microblog").glob("*.json")):
        yield json.loads(p.read_text(encoding="utf-8")).get("text", "")
    with open(data / "thucnews_titles/THUCNews/data/dev.txt", encoding="utf-8") as f:
        for line in f:
            yield line.split("\t", 1)[0]
    with open(data / "clue_tnews/dev.json", encoding="utf-8") as f:
        for line in f:
            yield json.loads(line)["sentence"]


def build(data: Path) -> bytes:
    import opencc
    import rjieba

    t2s = opencc.OpenCC("t2s")
    df: Counter = Counter()
    n = 0
    for text in documents(data):
        n += 1
        df.update({w for w in rjieba.cut(t2s.convert(text)) if w.strip()})
    buf = io.StringIO()
    buf.write(f"#docs\t{n}\n")
    for word, count in sorted(df.items()):
        if count >= MIN_DF and "\t" not in word and "\n" not in word:
            buf.write(f"{word}\t{math.log(n / count):.4f}\n")
    return gzip_bytes(buf.getvalue().encode("utf-8"))


def main() -> None:
    data = Path(sys.argv[1] if len(sys.argv) > 1 else ROOT.parent / "shared/data")
    blob = build(data)
    OUT.write_bytes(blob)
    print(f"{OUT}: {len(blob) / 2**10:.0f} KiB")


if __name__ == "__main__":
    main()
