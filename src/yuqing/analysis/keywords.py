"""Keywords: TF-IDF over content words (rjieba part-of-speech tags), IDF from the shared corpora.

The IDF table (`data/idf.tsv.gz`, built by scripts/build_idf.py) holds word statistics only.
Function words are left out by their part of speech, not by a shipped stopword list.
"""

from __future__ import annotations

import gzip
from collections import Counter
from functools import cache
from importlib import resources

import rjieba

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


def keywords_of_tags(tagged: list[tuple[str, str]], k: int = 5) -> list[str]:
    """keywords() for text already tagged by rjieba.tag (the analysis stage tags once)."""
    idf, unseen = idf_table()
    counts: Counter = Counter()
    for word, tag in tagged:
        if is_content(word, tag):
            counts[word] += 1
    scored = sorted(counts.items(), key=lambda wc: (-wc[1] * idf.get(wc[0], unseen), wc[0]))
    return [w for w, _ in scored[:k]]
