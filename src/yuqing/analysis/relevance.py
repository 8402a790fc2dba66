"""Does an item involve the scheme's region? Places found, resolved, and checked against the region."""

from __future__ import annotations

from dataclasses import dataclass

from .gazetteer import Gazetteer, load_gazetteer
from .places import PlaceMatcher
from .resolve import Resolved, resolve


@dataclass
class RegionMatcher:
    """Finds the places of a text and tells whether any lies in `region` (a division code).

    With no region it only finds places (every item counts as relevant without a scheme).
    """

    gazetteer: Gazetteer
    region: str | None

    def __post_init__(self) -> None:
        if self.region is not None and self.region not in self.gazetteer.places:
            raise KeyError(f"unknown region code {self.region!r}")
        self.matcher = PlaceMatcher(self.gazetteer)

    @classmethod
    def for_region(cls, region: str | None) -> "RegionMatcher":
        """Return a matcher with the country down to towns, and the region's villages."""
        return cls(load_gazetteer(max_level=4, within=region), region)

    @classmethod
    def for_scheme(cls, scheme) -> "RegionMatcher":
        """Return the matcher for a scheme's region with its landmarks added (KeyError on a bad code)."""
        gazetteer = load_gazetteer(max_level=4, within=scheme.region)
        for name, code in scheme.landmarks.items():
            gazetteer.add_landmark(name, code)
        return cls(gazetteer, scheme.region)

    def resolved(self, text: str) -> list[Resolved]:
        return resolve(text, self.matcher.mentions(text), self.gazetteer)

    def places(self, text: str) -> list[dict]:
        """Return the resolved places in the analysis contract's shape (DESIGN §3)."""
        return place_dicts(self.resolved(text))

    def involves(self, text: str) -> bool:
        """Return True when a place in the text resolves to the region or a place under it."""
        return self.in_region(self.resolved(text))

    def in_region(self, resolved: list[Resolved]) -> bool:
        return self.region is not None and any(
            r.place is not None and r.place.code.startswith(self.region) for r in resolved)


def place_dicts(resolved: list[Resolved]) -> list[dict]:
    return [{"code": r.place.code, "name": r.place.name, "mention": r.mention.text,
             "start": r.mention.start, "end": r.mention.end}
            for r in resolved if r.place is not None]
