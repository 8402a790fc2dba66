"""Resolve place mentions to one place each, using the names around them.

Rules (first version; measured and tuned against the relevance dev set in bench/):
1. A short form (alias) that runs on into a longer name is not that place: 广阳 in 广阳岛, 广阳道,
   广阳大街 or 广阳城村; nor is one right after a surname (市民张广阳). Full names stand on their own.
2. Each candidate is scored by the other mentions that support it: its ancestors (廊坊, 河北 for
   广阳区; 重庆 for the 广阳镇 of 长寿区), its descendants (万庄镇 for 广阳区) and places that share
   its parent. The best-supported candidate wins.
3. A short form needs support: with none it stays unresolved, so 广阳 alone makes nothing relevant.
   A full name without support resolves only when it names exactly one place; so does a long
   short form that still carries its kind (西后街社区 for 西后街社区居民委员会, 广阳经济开发区).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from .gazetteer import Gazetteer, Place
from .places import Mention

# Characters that, right after a short form, make it part of another name (an island, a road, a
# street, a village, a company…). A full gazetteer name is matched whole and never checked here.
NAME_CONTINUATIONS = set("岛道路街巷村庄镇乡城山湖河桥门园楼厦寺苑湾港站场坊府里屯营店厂院") | {"大", "小", "新", "东",
                                                                                     "西", "南", "北", "中"}


# Common surnames. A short form right after one (市民张广阳, 王广阳说) is a person's given name.
# Surnames that are also prepositions (于, 向, 和, 从 …) are left out: 位于广阳 is a place.
SURNAMES = set("王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蒋蔡余杜叶程"
               "苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛"
               "郝龚邵万钱严覃武戴莫孔汤")


@dataclass(frozen=True, slots=True)
class Resolved:
    mention: Mention
    place: Place | None            # None: ambiguous or unsupported
    support: int                   # how many other mentions back the choice


def _not_a_place(text: str, mention: Mention, covered: set[int]) -> bool:
    """Return True when a short form is part of another name: 广阳岛, 广阳道, or a person (张广阳)."""
    if not mention.alias or _typed(mention.text):
        # a full name, or a short form that keeps its kind (康宁街社区小区: the compound is in it)
        return False
    if mention.end < len(text) and text[mention.end] in NAME_CONTINUATIONS:
        return True
    before = mention.start - 1
    return before >= 0 and text[before] in SURNAMES and before not in covered


# The kinds a place name ends with. A short form of four characters or more that keeps its kind
# is as specific as a full name; 广阳 (no kind) or 万庄 is not.
PLACE_KINDS = ("社区", "村", "镇", "乡", "街道", "开发区", "园区", "管委会", "农场", "林场")


def _typed(alias: str) -> bool:
    return len(alias) >= 4 and alias.endswith(PLACE_KINDS)


_PREFIXES = (2, 4, 6, 9, 12)   # the lengths of province, city, county, town and village codes


def _keys(place: Place) -> list[tuple[str, str]]:
    """Index keys of a place: its code prefixes (ancestors and itself) and its parent."""
    keys = [("in", place.code[:n]) for n in _PREFIXES if n <= len(place.code)]
    return keys + [("parent", place.parent or "")]


def _support(cand: Place, total: Counter, own: Counter) -> int:
    """Count the other mentioned places that are cand's ancestors, descendants or siblings."""
    def count(key: tuple[str, str]) -> int:
        return total.get(key, 0) - own.get(key, 0)

    here = count(("code", cand.code))
    ancestors = sum(count(("code", cand.code[:n])) for n in _PREFIXES if n < len(cand.code))
    descendants = count(("in", cand.code)) - here
    siblings = count(("parent", cand.parent)) - here if cand.parent else 0
    return ancestors + descendants + siblings


def resolve(text: str, mentions: list[Mention], gaz: Gazetteer) -> list[Resolved]:
    """Return one Resolved per mention, choosing among same-name places by their support."""
    covered = {i for m in mentions for i in range(m.start, m.end)}   # characters inside a place name
    usable = [m for m in mentions if not _not_a_place(text, m, covered)]
    out = [Resolved(m, None, 0) for m in mentions if _not_a_place(text, m, covered)]
    # One count of every mentioned candidate's keys; a mention subtracts its own before scoring,
    # so scoring is linear in the candidates instead of comparing every pair.
    total: Counter = Counter()
    for m in usable:
        for p in m.candidates:
            total.update(_keys(p) + [("code", p.code)])
    for m in usable:
        own: Counter = Counter()
        for p in m.candidates:
            own.update(_keys(p) + [("code", p.code)])
        scored = sorted(((_support(c, total, own), c.level, c) for c in m.candidates), key=lambda s: (-s[0], s[1]))
        best_support, _level, best = scored[0] if scored else (0, 0, None)
        tie = len(scored) > 1 and scored[1][0] == best_support
        if m.text in gaz.landmarks and best_support == 0:
            best, tie = m.candidates[0], False      # the scheme's own landmark: its place comes first
        needs_support = (m.alias and not _typed(m.text)) or len(m.candidates) > 1
        if best is None or (best_support == 0 and needs_support) or (best_support and tie):
            out.append(Resolved(m, None, best_support))
        else:
            out.append(Resolved(m, best, best_support))
    return sorted(out, key=lambda r: r.mention.start)
