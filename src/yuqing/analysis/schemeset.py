"""Many schemes judged at once (issue 17): each item's relevance under every scheme of a store,
for little more than one.

What a scheme's own RegionMatcher does per text is: find every gazetteer name (one automaton
over the country plus its region's villages and its landmarks), choose among same-name places
by the support of the others, then favour its region where nothing contradicts it. Only the
last step depends on the region, and the first two on the scheme only where the text holds one
of the few names its villages and landmarks add. So the country's names are found once, the
schemes' added names once (one small automaton for all), and the choosing is shared by every
scheme whose added names do not occur in the text; per scheme is left the favouring and its
rule. The result is exactly what each scheme's own matcher says (tests/test_schemeset.py holds
it to that on real text).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Sequence

from ..scheme import Scheme
from .gazetteer import Gazetteer, layer_names, load_gazetteer, overlay
from .places import PlaceMatcher, select
from .relevance import RegionMatcher
from .resolve import _PREFIXES, Resolved, for_region, score


@dataclass
class Member:
    name: str
    scheme: Scheme
    matcher: RegionMatcher | None        # over its overlay gazetteer; no automaton of its own
    names: frozenset[str]                # the names its villages and landmarks add or change


class SchemeSet:
    """The schemes of a store, judged together; `judge(subjects)` → per subject {name: relevance}."""

    def __init__(self, schemes: Sequence[tuple[str, Scheme]]):
        self.base: Gazetteer = load_gazetteer(4)
        self.members: list[Member] = []
        for name, scheme in schemes:
            matcher = None
            names: frozenset[str] = frozenset()
            if scheme.region and scheme.require_region:
                gazetteer = overlay(self.base, scheme.region, scheme.landmarks)
                matcher = RegionMatcher(gazetteer, scheme.region)
                names = frozenset(n for n in layer_names(gazetteer) if len(n) >= 2)
            self.members.append(Member(name, scheme, matcher, names))
        self.common = PlaceMatcher(self.base)
        added = sorted(set().union(*(m.names for m in self.members))) if self.members else []
        self.added = PlaceMatcher(Gazetteer(by_name={n: [] for n in added})) if added else None

    def __len__(self) -> int:
        return len(self.members)

    def judge(self, subjects: Sequence[Any]) -> list[dict[str, dict]]:
        """`analysis.relevance` of each subject (an analysis Subject) under every scheme."""
        return [self.judge_one(s.full_text, (s.source or "") if s.local else None) for s in subjects]

    def judge_one(self, text: str, local_source: str | None = None) -> dict[str, dict]:
        shared: dict[str, Any] = {}

        def common_scored():
            if "scored" not in shared:
                shared["found"] = found = self.common.found(text)
                shared["scored"] = score(text, select(text, found, self.base), self.base)
            return shared["scored"]

        def added_found() -> list[tuple[int, int, str]]:
            if "added" not in shared:
                shared["added"] = self.added.found(text) if self.added is not None else []
            return shared["added"]

        by_region: dict[str, list[Resolved]] = {}

        def touches(region: str) -> bool:
            """Whether a name in the text can be the region, a place in it, or its city or
            province: else favouring changes nothing and the region's answer is everyone's no."""
            if "prefixes" not in shared:
                codes = {c.code for m in common_scored().mentions for c in m.candidates}
                shared["codes"] = codes
                shared["prefixes"] = {c[:n] for c in codes for n in _PREFIXES if n <= len(c)}
            return region in shared["prefixes"] or region[:2] in shared["codes"] or region[:4] in shared["codes"]

        def resolved_for(member: Member) -> list[Resolved]:
            gazetteer, region = member.matcher.gazetteer, member.scheme.region
            hits = [f for f in added_found() if f[2] in member.names]
            if not hits:     # the text holds none of its own names: the shared choosing stands
                if region not in by_region:
                    by_region[region] = for_region(text, common_scored(), region)
                return by_region[region]
            common_scored()
            return for_region(text, score(text, select(text, shared["found"] + hits, gazetteer), gazetteer), region)

        out = {}
        for member in self.members:
            def region_relevance(member=member):
                far = (local_source is None and not touches(member.scheme.region)
                       and not any(f[2] in member.names for f in added_found()))
                if far and "far" in shared:
                    return {"label": shared["far"]["label"], "reasons": list(shared["far"]["reasons"])}
                got = member.matcher.relevance(text, resolved_for(member), local_source=local_source)
                if far:
                    shared["far"] = got
                return got
            out[member.name] = member.scheme.relevance(text, region_relevance)
        return out
