"""Place mentions: every gazetteer name or alias in a text, found with one Aho-Corasick automaton.

This module finds candidates; choosing between same-name places (广阳 the district, the towns
named 广阳镇, 广阳岛 in Chongqing) is the disambiguation step built on top of it.
"""

from __future__ import annotations

from dataclasses import dataclass

import ahocorasick

from .gazetteer import Gazetteer, Place


@dataclass(frozen=True, slots=True)
class Mention:
    start: int
    end: int                       # exclusive
    text: str
    candidates: tuple[Place, ...]  # every place written this way
    alias: bool                    # matched a short form or former name, not the full name


class PlaceMatcher:
    """Finds gazetteer names in text (longest match wins where names overlap)."""

    def __init__(self, gazetteer: Gazetteer):
        self.gazetteer = gazetteer
        self._automaton = ahocorasick.Automaton()
        for name in gazetteer.by_name:
            if len(name) >= 2:   # one character is never a place name on its own
                self._automaton.add_word(name, name)
        self._automaton.make_automaton()

    def mentions(self, text: str) -> list[Mention]:
        """Return the non-overlapping place mentions, left to right; longer names win overlaps."""
        if not text or len(self._automaton) == 0:
            return []
        # Longest names first, then leftmost: in 和新开路街道 the street 新开路街道 wins over the
        # town 和新 that only overlaps it.
        found = sorted({(end - len(name) + 1, end + 1, name) for end, name in self._automaton.iter(text)},
                       key=lambda m: (-(m[1] - m[0]), m[0]))
        taken = bytearray(len(text))
        out: list[Mention] = []
        for start, end, name in found:
            if any(taken[start:end]):
                continue   # overlaps a longer mention already taken (广阳 inside 广阳区)
            taken[start:end] = b"\x01" * (end - start)
            places = tuple(self.gazetteer.lookup(name))
            alias = name not in self.gazetteer.landmarks and all(p.name != name for p in places)
            out.append(Mention(start, end, name, places, alias=alias))
        out.sort(key=lambda m: m.start)
        return out
