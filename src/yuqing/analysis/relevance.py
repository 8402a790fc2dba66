"""Does an item involve the scheme's region? Places found, resolved, and checked against the region."""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from functools import cached_property

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

    @cached_property
    def matcher(self) -> PlaceMatcher:
        # built when first asked: a scheme judged through a SchemeSet never needs its own
        return PlaceMatcher(self.gazetteer)

    @classmethod
    def for_region(cls, region: str | None) -> "RegionMatcher":
        """Return a matcher with the country down to towns, and the region's villages."""
        return cls(load_gazetteer(max_level=4, within=region), region).ready()

    def ready(self) -> "RegionMatcher":
        """Build the automaton now (~0.3 s), not inside the first batch a person waits for."""
        _ = self.matcher
        return self

    @classmethod
    def for_scheme(cls, scheme) -> "RegionMatcher":
        """Return the matcher for a scheme's region with its landmarks added (KeyError on a bad code)."""
        gazetteer = load_gazetteer(max_level=4, within=scheme.region)
        for name, code in scheme.landmarks.items():
            gazetteer.add_landmark(name, code)
        return cls(gazetteer, scheme.region).ready()

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

    def relevance(self, text: str, resolved: list[Resolved] | None = None, local_source: str | None = None) -> dict:
        """Return `analysis.relevance` for the region alone: {"label": yes|possible|no, "reasons"}.

        `local_source`: the item comes from the region's own source of that name (区融媒, the
        office's 12345 export); it involves the region unless it clearly names another one."""
        if resolved is None:
            resolved = self.resolved(text)
        if self.region is None:
            return {"label": "yes", "reasons": ["方案未限定地区"]}
        ours = [r for r in resolved if r.place is not None and r.place.code.startswith(self.region)]
        if ours:
            return {"label": "yes", "reasons": [self._reason(r) for r in _first_each(ours)][:MAX_REASONS]}
        elsewhere = _first_each([r for r in resolved if r.place is not None] +
                                [r for r in resolved if r.elsewhere is not None])
        if local_source is not None:
            source = f"来自本区来源「{local_source}」" if local_source else "来自标为本区的来源"
            other = self._clearly_elsewhere(resolved)
            if other is None:
                return {"label": "yes", "reasons": [f"{source}，文中未指向其他地区"]}
            return {"label": "no", "reasons": [f"{source}，但「{other.mention.text}」指{self._path(other.place)}"]}
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

    def _clearly_elsewhere(self, resolved: list[Resolved]) -> Resolved | None:
        """A county, town or village outside the region, or a city other than the region's named
        twice: a local source's item about another place (the neighbouring district, a story
        reposted from another city). One mention of a city (「从深圳回来」) or a province (北京,
        河北) is not: the region's people work, study and travel there."""
        city = self.region[:4]
        cities = Counter(r.place.code for r in resolved if r.place is not None and r.place.level == 2)
        for r in resolved:
            place = r.place
            if place is None or self.region.startswith(place.code) or place.code.startswith(self.region):
                continue
            if place.level >= 3 or (place.level == 2 and place.code != city and cities[place.code] >= 2):
                return r
        return None

    def _unknown_local_name(self, text: str, resolved: list[Resolved]) -> str | None:
        """A city-level name of the region's own and a road, estate or facility the gazetteer
        does not know (廊坊 … 新华路): worth a look, and a candidate landmark."""
        if len(self.region) <= 4:
            return None
        # the region's city; for a district of 北京, 天津, 上海 or 重庆, the municipality itself
        city = {self.region[:4], self.region[:2]} if self.region[:2] in MUNICIPALITIES else {self.region[:4]}
        cities = [r for r in resolved if r.place is not None and r.place.code in city]
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
MUNICIPALITIES = {"11", "12", "31", "50"}
# A road, estate or facility: one to six characters and the kind (新华路, 光明东道, 万达广场, 人民医院).
LOCAL_NAME = re.compile(r"([\u4e00-\u9fff]{1,6}?)(大街|东道|西道|南道|北道|路|道|街|小区|花园|家园|广场|公园|医院|"
                        r"中学|小学|学校|大学|车站|站|市场|大厦|大楼|商场|风景区|景区|湿地|水库)")
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


@dataclass
class RelevanceTally:
    """How a run's items were judged (import and poll summaries): yes, possible, no, and the
    commonest reasons for no — so an office importing its own export sees *why* few count."""

    labels: Counter = field(default_factory=Counter)
    not_why: Counter = field(default_factory=Counter)
    held_alerts: Counter = field(default_factory=Counter)   # events of history that would have alerted

    def add(self, analysis: dict) -> None:
        relevance = analysis.get("relevance") or {"label": "yes" if analysis.get("relevant") else "no",
                                                  "reasons": []}
        self.labels[relevance["label"]] += 1
        if relevance["label"] == "no":
            self.not_why[reason_kind((relevance.get("reasons") or ["未说明"])[0])] += 1

    def as_dict(self) -> dict:
        return {"yes": self.labels["yes"], "possible": self.labels["possible"], "no": self.labels["no"],
                "top_not_reasons": [{"reason": r, "count": n} for r, n in self.not_why.most_common(3)],
                "alerts_held": dict(self.held_alerts)}

    def sentence(self) -> str:
        """The summary line: 涉及本区 12，疑似 3，不涉及 40（未提到本区地名 35、提到河北省石家庄市 5）."""
        out = f"涉及本区 {self.labels['yes']}，疑似 {self.labels['possible']}，不涉及 {self.labels['no']}"
        if self.not_why:
            out += "（" + "、".join(f"{r} {n}" for r, n in self.not_why.most_common(3)) + "）"
        if self.held_alerts:
            levels = "、".join(f"{name} {self.held_alerts[k]}" for k, name in (("high", "高"), ("medium", "中"), ("low", "低"))
                               if self.held_alerts[k])
            out += (f"；历史信息形成的事件有 {sum(self.held_alerts.values())} 个符合预警规则（{levels}），"
                    f"未发实时预警（早于 alert_max_age_hours），请在事件列表查看")
        return out


_POINTS_ELSEWHERE = re.compile(r"^(?:来自(?:本区来源「[^」]*」|标为本区的来源)，但)?「[^」]*」指(.+)$")


def reason_kind(reason: str) -> str:
    """Group reasons for counting: 「石家庄」指河北省石家庄市 and 「石家庄市」指… are one 提到河北省石家庄市."""
    m = _POINTS_ELSEWHERE.match(reason)
    return f"提到{m.group(1)}" if m else reason
