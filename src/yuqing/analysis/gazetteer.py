"""The place gazetteer: every PRC division (province → village/community) with code, parent and aliases.

Built by `scripts/build_gazetteer.py` from the NBS 2023 codes and shipped in `data/gazetteer/`:
levels 1–4 in one file (45k places), villages and communities in one file per province, because
the village level (620k names) is only needed where a scheme looks.
"""

from __future__ import annotations

import csv
from collections import ChainMap
import gzip
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from typing import Iterator

LEVELS = {1: "province", 2: "city", 3: "county", 4: "town", 5: "village"}


@dataclass(frozen=True, slots=True)
class Place:
    code: str
    level: int
    name: str
    parent: str | None
    aliases: tuple[str, ...] = ()


@dataclass
class Gazetteer:
    places: dict[str, Place] = field(default_factory=dict)
    by_name: dict[str, list[str]] = field(default_factory=dict)   # name or alias → codes
    landmarks: set[str] = field(default_factory=set)             # names a scheme added

    def add(self, place: Place) -> None:
        self.places[place.code] = place
        for name in (place.name, *place.aliases):
            # a new list, not an append: copies of a cached gazetteer share the old ones
            self.by_name[name] = [*self.by_name.get(name, ()), place.code]

    def add_landmark(self, name: str, code: str) -> None:
        """Make `name` (a square, a park, a school…) a mention of the place `code` it lies in.

        A scheme's landmark is named by the user for their own region, so it stands on its own
        like a full name, without needing other places around it.
        """
        if code not in self.places:
            raise KeyError(f"landmark {name!r}: unknown place code {code!r}")
        self.by_name[name] = [code] + [c for c in self.by_name.get(name, []) if c != code]
        self.landmarks.add(name)

    def copy(self) -> "Gazetteer":
        """A copy that can take landmarks without changing this one (places are immutable)."""
        return Gazetteer(dict(self.places), dict(self.by_name), set(self.landmarks))

    def lookup(self, name: str) -> list[Place]:
        """Return every place written this way (full name or alias)."""
        return [self.places[c] for c in self.by_name.get(name, [])]

    def ancestors(self, code: str) -> list[Place]:
        """Return the place's parents, nearest first (placeholders such as 市辖区 included)."""
        out = []
        parent = self.places[code].parent
        while parent and parent in self.places:
            out.append(self.places[parent])
            parent = self.places[parent].parent
        return out

    def path(self, code: str) -> list[str]:
        """Return the names from province down to the place, without placeholder levels."""
        chain = [self.places[code], *self.ancestors(code)][::-1]
        return [p.name for p in chain if p.name not in ("市辖区", "县")]

    def children(self, code: str) -> list[Place]:
        return [p for p in self.places.values() if p.parent == code]

    def within(self, code: str) -> Iterator[Place]:
        """Yield the place and everything under it (codes share its prefix)."""
        for c, p in self.places.items():
            if c.startswith(code):
                yield p


def _rows(fname: str) -> Iterator[list[str]]:
    with resources.files("yuqing").joinpath(f"data/gazetteer/{fname}").open("rb") as raw:
        with gzip.open(raw, "rt", encoding="utf-8", newline="") as f:
            reader = csv.reader(f, delimiter="\t")
            next(reader)
            yield from reader


def load_gazetteer(max_level: int = 4, within: str | None = None) -> Gazetteer:
    """Return the gazetteer down to `max_level`, plus every level under `within` (a region code).

    Levels 1–4 load in a fraction of a second; villages only for the provinces asked for
    (`max_level=5` without `within` loads all 620k: seconds and hundreds of MB). Loaded once
    per process; each call gets its own copy.
    """
    return _load(max_level, within).copy()


@cache
def _load(max_level: int, within: str | None) -> Gazetteer:
    if within and max_level < 5:
        # the country down to max_level (shared with other callers), then the region's villages
        g = _load(max_level, None).copy()
        fname = f"villages-{within[:2]}.tsv.gz"
        files = [fname] if resources.files("yuqing").joinpath(f"data/gazetteer/{fname}").is_file() else []
    else:
        g = Gazetteer()
        files = ["places.tsv.gz"]
        if max_level >= 5:
            files += sorted(p.name for p in resources.files("yuqing").joinpath("data/gazetteer").iterdir()
                            if p.name.startswith("villages-"))
    for fname in files:
        for code, level, name, parent, aliases in _rows(fname):
            lvl = int(level)
            if (lvl <= max_level or (within and code.startswith(within))) and code not in g.places:
                g.add(Place(code, lvl, name, parent or None, tuple(a for a in aliases.split("|") if a)))
    return g


@cache
def _villages(province: str) -> tuple[Place, ...]:
    """The places below town level of a province, in file order (loaded once per process)."""
    fname = f"villages-{province}.tsv.gz"
    if not resources.files("yuqing").joinpath(f"data/gazetteer/{fname}").is_file():
        return ()
    return tuple(Place(code, int(level), name, parent or None, tuple(a for a in aliases.split("|") if a))
                 for code, level, name, parent, aliases in _rows(fname) if int(level) >= 5)


def overlay(base: Gazetteer, within: str | None, landmarks: dict[str, str] | None = None) -> Gazetteer:
    """`load_gazetteer(4, within)` with `landmarks` added, as a thin layer over `base` (the
    country down to towns, shared, never changed): the region's villages and the landmarks sit in
    the layer's own maps, so twenty schemes cost one country. `base` must be load_gazetteer(4)."""
    layer = Gazetteer(ChainMap({}, base.places), ChainMap({}, base.by_name), set(base.landmarks))
    for place in (_villages(within[:2]) if within else ()):
        if place.code.startswith(within) and place.code not in layer.places:
            layer.add(place)
    for name, code in (landmarks or {}).items():
        layer.add_landmark(name, code)
    return layer


def layer_names(gazetteer: Gazetteer) -> set[str]:
    """The names an overlay adds or changes (a village's, a landmark's)."""
    by_name = gazetteer.by_name
    return set(by_name.maps[0]) if isinstance(by_name, ChainMap) else set()
