"""Resolve place mentions to one place each, using the names around them.

Rules (first version; measured and tuned against the relevance dev set in bench/):
1. A short form (alias) that runs on into a longer name is not that place: 广阳 in 广阳岛, 广阳道,
   广阳大街 or 广阳城村. Full names stand on their own.
2. Each candidate is scored by the other mentions that support it: its ancestors (廊坊, 河北 for
   广阳区; 重庆 for the 广阳镇 of 长寿区), its descendants (万庄镇 for 广阳区) and places that share
   its parent. The best-supported candidate wins.
3. A short form needs support: with none it stays unresolved, so 广阳 alone makes nothing relevant.
   A full name without support resolves only when it names exactly one place.
"""

from __future__ import annotations

from dataclasses import dataclass

from .gazetteer import Gazetteer, Place
from .places import Mention

# Characters that, right after a short form, make it part of another name (an island, a road, a
# street, a village, a company…). A full gazetteer name is matched whole and never checked here.
NAME_CONTINUATIONS = set("岛道路街巷村庄镇乡城山湖河桥门园楼厦寺苑湾港站场坊府里屯营店厂院") | {"大", "小", "新", "东",
                                                                                     "西", "南", "北", "中"}


@dataclass(frozen=True, slots=True)
class Resolved:
    mention: Mention
    place: Place | None            # None: ambiguous or unsupported
    support: int                   # how many other mentions back the choice


def _continues(text: str, mention: Mention) -> bool:
    return mention.alias and mention.end < len(text) and text[mention.end] in NAME_CONTINUATIONS


def _related(a: Place, b: Place, gaz: Gazetteer) -> bool:
    """Return True when b is an ancestor, a descendant or a sibling of a."""
    if a.code == b.code:
        return False
    if a.code.startswith(b.code) or b.code.startswith(a.code):
        return True   # division codes nest: a prefix is an ancestor
    return a.parent is not None and a.parent == b.parent


def resolve(text: str, mentions: list[Mention], gaz: Gazetteer) -> list[Resolved]:
    """Return one Resolved per mention, choosing among same-name places by their support."""
    usable = [m for m in mentions if not _continues(text, m)]
    out = [Resolved(m, None, 0) for m in mentions if _continues(text, m)]
    for m in usable:
        others = [p for o in usable if o is not m for p in o.candidates]
        scored = []
        for cand in m.candidates:
            support = sum(1 for p in others if _related(cand, p, gaz))
            scored.append((support, cand.level, cand))
        scored.sort(key=lambda s: (-s[0], s[1]))
        best_support, _level, best = scored[0] if scored else (0, 0, None)
        tie = len(scored) > 1 and scored[1][0] == best_support
        if best is None or (best_support == 0 and (m.alias or len(m.candidates) > 1)) or (best_support and tie):
            out.append(Resolved(m, None, best_support))
        else:
            out.append(Resolved(m, best, best_support))
    return sorted(out, key=lambda r: r.mention.start)
