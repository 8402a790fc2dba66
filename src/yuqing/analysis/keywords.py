"""Keywords: TF-IDF over content words (rjieba part-of-speech tags), IDF from the shared corpora.

The IDF table (`data/idf.tsv.gz`, built by scripts/build_idf.py) holds word statistics only.
Function words are left out by their part of speech, not by a shipped stopword list.
"""

from __future__ import annotations

import gzip
from functools import cache, lru_cache
from importlib import resources
from typing import Sequence

import rjieba

from .finder import KINDS

# nouns (n, nr person, ns place, nt organisation, nz other, vn verbal noun), verbs, idioms and
# abbreviations; not pronouns, particles, prepositions, numbers, time words or punctuation
CONTENT_TAGS = ("n", "v", "l", "i", "j", "eng")
_SKIP_TAGS = ("vshi", "vyou")


@cache
def idf_table() -> tuple[dict[str, float], float]:
    """Return {word: idf} and the idf given to words too rare to be listed."""
    with resources.files("yuqing").joinpath("data/idf.tsv.gz").open("rb") as raw:
        lines = gzip.decompress(raw.read()).decode("utf-8").splitlines()
    docs = int(lines[0].split("\t")[1])
    table = {}
    for line in lines[1:]:
        word, value = line.split("\t")
        table[word] = float(value)
    import math

    return table, math.log(docs / 2)   # unseen: as rare as the rarest listed words, no rarer


def keywords(text_sc: str, k: int = 5) -> list[str]:
    """Return the k words that most set this (simplified) text apart, best first."""
    return keywords_of_tags(rjieba.tag(text_sc), k)


def is_content(word: str, tag: str) -> bool:
    """A content word by its rjieba tag: two characters or more, not a number, not 是/有."""
    return len(word) >= 2 and tag.startswith(CONTENT_TAGS) and tag not in _SKIP_TAGS and not word.isdigit()


# Words of editorial boilerplate and of the demo's marking, not of what an item is about
# (「（示例数据，内容虚构。）」, 「展开全文」, 「责任编辑」): never a hot word.
MARKERS = frozenset({"示例", "虚构", "展开", "全文", "收起", "网页", "链接", "网页链接", "原文", "转发", "责任编辑",
                     "编辑", "责编", "来源", "图片", "视频", "原标题", "通讯员", "记者"})
# A kind token after a word makes one name of both (爱民|东道, 口袋|公园): the parts alone are
# fragments (爱民, 东道) that say nothing. The finder's kinds, but 站 (一站, 首站: rarely a name's end).
KIND_TOKENS = frozenset(KINDS) - {"站"}


MAX_PLACE_WORDS = 2


@lru_cache(maxsize=32_768)      # the common words (a few MB in each analysing process)
def _counted(word: str, tag: str) -> bool:
    return is_content(word, tag) and word not in MARKERS


def keywords_of_tags(tagged: list[tuple[str, str]], k: int = 5,
                     places: Sequence[tuple[int, int, str | None]] = ()) -> list[str]:
    """keywords() for text already tagged by rjieba.tag (the analysis stage tags once).

    `places`: (start, end, name) of the place mentions resolved in the same text. A word inside
    one is a fragment of a place (尖塔 of 南尖塔镇, 解放 of 解放道街道) and does not count; the place
    counts once per mention under its one name (廊坊 and 廊坊市 are 廊坊市), unless the name is
    None (the monitored region or a place around it: in every item, it says nothing)."""
    idf, unseen = idf_table()
    counts: dict[str, int] = {}
    inside = sorted((s, e) for s, e, _ in places)
    counted = _counted
    end, skip, n = 0, False, len(tagged)
    # one pass with the cheap tests first: most posts name no place, most tokens are not
    # followed by a kind token (per-token generators and calls were a tenth of the analysis)
    for i in range(n):
        word, tag = tagged[i]
        start, end = end, end + len(word)
        if skip:
            skip = False
            continue
        if inside and any(s < end and start < e for s, e in inside):
            continue
        if i + 1 < n and tagged[i + 1][0] in KIND_TOKENS and tag.startswith(("n", "v", "j", "l")):
            after = end + len(tagged[i + 1][0])
            if not (inside and any(s < after and end < e for s, e in inside)):
                word, skip = word + tagged[i + 1][0], True          # 爱民 + 东道: one road
                tag = "n"
        if counted(word, tag):
            counts[word] = counts.get(word, 0) + 1
    named = {name for _s, _e, name in places if name}
    for _s, _e, name in places:
        if name:
            counts[name] = counts.get(name, 0) + 1
    scored = sorted(counts.items(), key=lambda wc: (-wc[1] * idf.get(wc[0], unseen), wc[0]))
    # places are rare words (high IDF) and would crowd out what happened: two at most
    out, n_places = [], 0
    for w, _ in scored:
        if w in named:
            if n_places == MAX_PLACE_WORDS:
                continue
            n_places += 1
        out.append(w)
        if len(out) == k:
            break
    return out
