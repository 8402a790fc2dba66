"""Build src/yuqing/data/gazetteer/ordinary_words.txt: the short place names that are also
ordinary words (和平, 鼓楼, 留下), from background text in ../shared/data.

A short form counts as an ordinary word when the segmenter's dictionary does not tag it as a
name (rjieba: not ns/nr/nt) and it occurs at least MIN_PER_MILLION times per million characters
of background text (Weibo posts, news titles, COVID-era posts: none chosen for a place). Both
tests are needed: 三墩 is tagged a verb but is written only as the place; 西湖 is frequent but
tagged a place. Reproducible: sorted output from fixed inputs.
Run: python scripts/build_ordinary_words.py [DATA_DIR]
"""

from __future__ import annotations

import sys
from pathlib import Path

import ahocorasick_rs
import rjieba

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
from yuqing.analysis.gazetteer import load_gazetteer  # noqa: E402

MIN_PER_MILLION = 1.0
# Descriptors the segmenter tags as places (ns) that name a direction or a part of any town, not
# one place: 「西北风」, 「新区建设」, 「城南的菜市场」. Real names among them (东城, 江北, 河西) stay out.
DESCRIPTORS = {"东北", "东南", "西南", "西北", "新区", "新建", "新城", "城区", "城东", "城西", "城南", "城北",
               "新村", "市区", "郊区", "老城", "路东", "路西", "路南", "路北", "东路", "西路", "南路", "北路", "中路"}
NAME_TAGS = {"ns", "nr", "nrt", "nrfg", "nt"}
OUT = ROOT / "src/yuqing/data/gazetteer/ordinary_words.txt"


def background(data: Path) -> str:
    parts = [(data / "weibo2018_sentiment/train.txt").read_text(encoding="utf-8"),
             (data / "smp2020_ewect_virus/virus_train.txt").read_text(encoding="utf-8"),
             (data / "clue_tnews/dev.json").read_text(encoding="utf-8")]
    # THUCNews: the dev split only; its test split is held back for independent evaluation
    parts.append((data / "thucnews_titles/THUCNews/data/dev.txt").read_text(encoding="utf-8"))
    return "\n".join(parts)


def build(data: Path) -> str:
    """Return the file's text for the background corpora under `data`."""
    text = background(data)
    gaz = load_gazetteer(max_level=4)
    aliases = sorted({a for p in gaz.places.values() if p.level >= 3 for a in p.aliases if 2 <= len(a) <= 3})
    counts = dict.fromkeys(aliases, 0)
    for i, _start, _end in ahocorasick_rs.AhoCorasick(aliases).find_matches_as_indexes(text, overlapping=True):
        counts[aliases[i]] += 1
    per_million = 1e6 / len(text)
    words = []
    for alias in aliases:
        if alias in DESCRIPTORS:
            words.append(alias)
            continue
        if counts[alias] * per_million < MIN_PER_MILLION:
            continue
        tags = rjieba.tag(alias)
        if len(tags) == 1 and tags[0][1] not in NAME_TAGS:
            words.append(alias)
    return ("# short place names that are also ordinary words; built by scripts/build_ordinary_words.py\n"
            + "\n".join(words) + "\n")


def main() -> None:
    data = Path(sys.argv[1] if len(sys.argv) > 1 else ROOT.parent / "shared/data")
    OUT.write_text(build(data), encoding="utf-8")
    print(f"{OUT}: {OUT.read_text(encoding='utf-8').count(chr(10)) - 1} short names")


if __name__ == "__main__":
    main()
