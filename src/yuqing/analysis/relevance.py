"""Does an item involve the scheme's region? Places found, resolved, and checked against the region."""

from __future__ import annotations

import re
from dataclasses import dataclass

from .gazetteer import Gazetteer, Place, load_gazetteer
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
        return resolve(text, self.matcher.mentions(text), self.gazetteer, self.region)

    def places(self, text: str) -> list[dict]:
        """Return the resolved places in the analysis contract's shape (DESIGN §3)."""
        return place_dicts(self.resolved(text))

    def involves(self, text: str) -> bool:
        """Return True when a place in the text resolves to the region or a place under it."""
        return self.in_region(self.resolved(text))

    def in_region(self, resolved: list[Resolved]) -> bool:
        return self.region is not None and any(
            r.place is not None and r.place.code.startswith(self.region) for r in resolved)

    def relevance(self, text: str, resolved: list[Resolved] | None = None) -> dict:
        """Return `analysis.relevance` for the region alone: {"label": yes|possible|no, "reasons"}."""
        if resolved is None:
            resolved = self.resolved(text)
        if self.region is None:
            return {"label": "yes", "reasons": ["方案未限定地区"]}
        ours = [r for r in resolved if r.place is not None and r.place.code.startswith(self.region)]
        if ours:
            return {"label": "yes", "reasons": [self._reason(r) for r in _first_each(ours)][:MAX_REASONS]}
        elsewhere = _first_each([r for r in resolved if r.place is not None] +
                                [r for r in resolved if r.elsewhere is not None])
        contested = [r for r in resolved if r.contested is not None]
        if contested:
            r = contested[0]
            return {"label": "possible", "reasons": [
                f"「{r.mention.text}」可能指{self._path(r.contested)}，但它也是常用词"]}
        unknown = self._unknown_local_name(text, resolved)
        if unknown:
            return {"label": "possible", "reasons": [unknown]}
        reasons = []
        for r in elsewhere[:MAX_REASONS - 1]:
            place = r.place if r.place is not None else r.elsewhere
            reasons.append(f"「{r.mention.text}」指{self._path(place)}")
        return {"label": "no", "reasons": reasons or ["未提到本区地名"]}

    def _unknown_local_name(self, text: str, resolved: list[Resolved]) -> str | None:
        """A city-level name of the region's own and a road, estate or facility the gazetteer
        does not know (廊坊 … 新华路): worth a look, and a candidate landmark."""
        city = self.region[:4]
        if len(self.region) <= 4:
            return None
        cities = [r for r in resolved if r.place is not None and r.place.code == city]
        if not cities:
            return None
        taken = {i for r in resolved if r.place is not None for i in range(r.mention.start, r.mention.end)}
        for m in LOCAL_NAME.finditer(text):
            # the name starts after any known place inside the match (南京汉江路 → 汉江路)
            start = max([m.start()] + [i + 1 for i in range(m.start(), m.end()) if i in taken])
            name = _LEADING.sub("", text[start:m.end()])
            head = name[: len(name) - len(m.group(2))]
            if head and head not in NOT_LOCAL_NAMES:
                return f"提到{self._path(cities[0].place)}和未收录的本地名称「{name}」"
        return None

    def _path(self, place: Place) -> str:
        return "".join(self.gazetteer.path(place.code))

    def _reason(self, r: Resolved) -> str:
        where = self._path(r.place)
        if r.how == "landmark":
            return f"「{r.mention.text}」是方案地标，位于{where}"
        if r.how == "favoured":
            return f"「{r.mention.text}」→ {where}（同名地名文中无指向他处的线索，按本区计）"
        if r.how == "support":
            return f"「{r.mention.text}」→ {where}（文中有上级或相邻地名佐证）"
        return f"「{r.mention.text}」→ {where}"


MAX_REASONS = 4
# A road, estate or facility: one to six characters and the kind (新华路, 光明东道, 万达广场, 人民医院).
LOCAL_NAME = re.compile(r"([\u4e00-\u9fff]{1,6}?)(大街|东道|西道|南道|北道|路|道|街|小区|花园|家园|广场|公园|医院|"
                        r"中学|小学|学校|大学|车站|站|市场|大厦|商场|风景区|景区|湿地|水库)")
# Function words a name does not start with (位于南京大学 → 南京大学).
_LEADING = re.compile(r"^(?:.*?(?:位于|在于|地处|来到|前往|途经|靠近|紧邻|附近|以及|还有|包括|就是|成为|他们|我们|这里|那里|是|在|的|和|与|到|从|往|近|旁))")
# Words that end like a local name but are not one (道路, 一站, 医院 alone …).
NOT_LOCAL_NAMES = {"", "道", "马", "公", "铁", "街", "一", "这", "那", "该", "本", "每", "各", "到", "在", "的", "了",
                   "网", "车", "加油", "服务", "菜", "农贸", "超", "集", "菜市", "门", "过", "进", "出", "上", "下",
                   "小", "大", "中", "医", "学", "各大"}


def _first_each(resolved: list[Resolved]) -> list[Resolved]:
    """One Resolved per place (the first mention of it)."""
    seen, out = set(), []
    for r in resolved:
        place = r.place or r.elsewhere
        key = place.code if place is not None else r.mention.text
        if key not in seen:
            seen.add(key)
            out.append(r)
    return out


def place_dicts(resolved: list[Resolved]) -> list[dict]:
    return [{"code": r.place.code, "name": r.place.name, "mention": r.mention.text,
             "start": r.mention.start, "end": r.mention.end}
            for r in resolved if r.place is not None]
