"""Resolve place mentions to one place each, using the names around them.

Rules (first version; measured and tuned against the relevance dev set in bench/):
1. A short form (alias) that runs on into a longer name is not that place: 广阳 in 广阳岛, 广阳道,
   广阳大街 or 广阳城村; nor is one right after a surname (市民张广阳). Full names stand on their own.
2. Each candidate is scored by the other mentions that support it: its ancestors (廊坊, 河北 for
   广阳区; 重庆 for the 广阳镇 of 长寿区), its descendants (万庄镇 for 广阳区) and places that share
   its parent. The best-supported candidate wins.
3. A short form needs support: with none it stays unresolved. A full name without support
   resolves only when it names exactly one place; so does a long short form that still carries
   its kind (西后街社区 for 西后街社区居民委员会, 广阳经济开发区).
4. Given the monitored region, a name that can be the region's own place (or a place inside it)
   counts for it when nothing contradicts that (DESIGN §4): a bare 鼓楼区 in a scheme for 南京's,
   广阳 in 广阳区's own scheme, 望京 for 北京朝阳区. Contradicted when another candidate has more
   support, when a place outside the region's city stands right before the name (西安鼓楼, 福州西湖),
   or when the text names two or more places elsewhere and none in or above the region. A short
   form that is also an ordinary word (和平, 鼓楼: the segmenter does not tag it as a name) is only
   `contested`: a person should look (relevance label "possible").
5. Support is what the other mentions give: a short form that is an ordinary word (第一, 建设,
   东路) gives none and takes none from siblings; another name that can be the same place gives
   one (和平区 … 西塔), the same name twice does not. A short form written once as a brand or a
   facility's name (长安品牌, 泉州西湖公园) is not favoured where it stands alone; one right after
   古称/又称 names something else (西安古称长安); a city's short form that only towns elsewhere
   share resolves to the city (开封, 石家庄).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from functools import cache, lru_cache

from .gazetteer import Gazetteer, Place
from .places import Mention

# Characters that, right after a short form, make it part of another name (an island, a road, a
# street, a village, a company…). A full gazetteer name is matched whole and never checked here.
NAME_CONTINUATIONS = set("岛道路街巷村庄镇乡城山湖河桥门园楼厦寺苑湾港站场坊府里屯营店厂院郡") | {"大", "小", "新", "东",
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
    how: str = ""                  # support | unique | landmark | favoured; "" when unresolved
    contested: Place | None = None  # unresolved, but may be this place of the region
    elsewhere: Place | None = None  # why the region's candidate lost: this place outside it


# Words that, right after a short form, make it the name of a facility or a brand that need not
# stand there: 长安汽车 (重庆), 西湖公园 (泉州), 长安公园 (石家庄).
FACILITY_WORDS = ("公园", "汽车", "品牌", "集团", "公司", "银行", "医院", "大学", "学院", "中学", "小学", "宾馆",
                  "酒店", "饭店", "商场", "大厦", "广场", "影院", "剧院", "体育", "牌")


# Common words that begin with a continuation character: a short form before them is still the
# place (徐州山体修复, 南京城市更新, 西安东部), unlike 徐州路 or 广阳大街.
CONTINUES_AS_WORD = ("山体", "城市", "城区", "东部", "西部", "南部", "北部", "中部", "大力", "大量", "大型", "大雨",
                     "大风", "大火", "新闻", "新冠", "新增", "大学生", "中小学")
# Words before a short form that make it another thing's name: 西安古称长安, 又称“长安”.
OTHER_NAME_OF = ("古称", "旧称", "又称", "简称", "别称", "史称", "原称", "亦称", "也称", "俗称", "雅称", "曾称", "称为")


def _part_of_another_name(text: str, mention: Mention) -> bool:
    """A short form that runs on into another name (广阳岛, 广阳道, 长安汽车)."""
    if mention.end < len(text) and text[mention.end] in NAME_CONTINUATIONS:
        return not text.startswith(CONTINUES_AS_WORD, mention.end)
    return text.startswith(FACILITY_WORDS, mention.end)


def _not_a_place(text: str, mention: Mention, covered: set[int]) -> bool:
    """Return True when a short form is part of another name: 广阳岛, 广阳道, 长安汽车; a
    person (张广阳); or another thing's old name (西安古称长安)."""
    if not mention.alias or _typed(mention.text):
        # a full name, or a short form that keeps its kind (康宁街社区小区: the compound is in it)
        return False
    if _part_of_another_name(text, mention):
        return True
    if text[max(0, mention.start - 4):mention.start].rstrip("“\"「『‘ ").endswith(OTHER_NAME_OF):
        return True
    before = mention.start - 1
    return before >= 0 and text[before] in SURNAMES and before not in covered


# The kinds a place name ends with. A short form of four characters or more that keeps its kind
# is as specific as a full name; 广阳 (no kind) or 万庄 is not.
PLACE_KINDS = ("社区", "村", "镇", "乡", "街道", "开发区", "园区", "管委会", "农场", "林场")


def _typed(alias: str) -> bool:
    return len(alias) >= 4 and alias.endswith(PLACE_KINDS)


_PREFIXES = (2, 4, 6, 9, 12)   # the lengths of province, city, county, town and village codes


def _keys(place: Place) -> tuple[tuple[str, str], ...]:
    """Index keys of a place: its code prefixes (ancestors and itself), its parent, its code."""
    return _keys_of(place.code, place.parent or "")


@lru_cache(maxsize=65536)     # the same candidates come back in post after post (新华, 人民, 长安…)
def _keys_of(code: str, parent: str) -> tuple[tuple[str, str], ...]:
    return (*(("in", code[:n]) for n in _PREFIXES if n <= len(code)), ("parent", parent), ("code", code))


def _support(cand: Place, total: Counter, own: Counter, siblings: bool = True) -> int:
    """Count the other mentions that can be cand itself or its ancestors, descendants or (when
    `siblings`) siblings."""
    def count(key: tuple[str, str]) -> int:
        return total.get(key, 0) - own.get(key, 0)

    here = count(("code", cand.code))
    ancestors = sum(count(("code", cand.code[:n])) for n in _PREFIXES if n < len(cand.code))
    descendants = count(("in", cand.code)) - here
    sibling = count(("parent", cand.parent)) - here if cand.parent and siblings else 0
    return ancestors + descendants + sibling


def resolve(text: str, mentions: list[Mention], gaz: Gazetteer, region: str | None = None) -> list[Resolved]:
    """Return one Resolved per mention, choosing among same-name places by their support and,
    given `region`, for the region's own place where nothing contradicts it (rule 4)."""
    return for_region(text, score(text, mentions, gaz), region)


@dataclass(frozen=True, slots=True)
class Scored:
    """What resolution finds before it knows the region: the same for every scheme that sees the
    same mentions (analysis/schemeset.py shares it between schemes)."""
    mentions: list[Mention]
    not_places: list[Resolved]
    first: list[tuple[Mention, Resolved, list]]


def for_region(text: str, scored: Scored, region: str | None) -> list[Resolved]:
    """The resolution of `scored` for a scheme of `region` (rule 4 applied)."""
    first = scored.first
    if region:
        # one sense per text: a short form written once as a brand or another name's part
        # (长安品牌, 泉州西湖公园) is not favoured where it stands alone (长安成为…, 取名为西湖)
        # (a road named after it is no such sign: 灵隐路 runs through 灵隐)
        other_sense = {m.text for m in scored.mentions if m.alias and not _typed(m.text)
                       and text.startswith(FACILITY_WORDS, m.end)}
        first = _favour_region(text, first, region, other_sense)
    return sorted(scored.not_places + [r for _m, r, _s in first], key=lambda r: r.mention.start)


def score(text: str, mentions: list[Mention], gaz: Gazetteer) -> Scored:
    """Choose among same-name places by the support of the other mentions (rules 1–3)."""
    covered = {i for m in mentions for i in range(m.start, m.end)}   # characters inside a place name
    usable = [m for m in mentions if not _not_a_place(text, m, covered)]
    out = [Resolved(m, None, 0) for m in mentions if _not_a_place(text, m, covered)]
    # One count of every mentioned candidate's keys; a mention subtracts its own before scoring,
    # so scoring is linear in the candidates instead of comparing every pair. A short form that
    # is an ordinary word (第一, 建设, 公园) supports nothing, and siblings do not support it:
    # 「第一…第二」 and 「建设…交通…公园」 are not three streets of one city.
    plain = {id(m) for m in usable if _ordinary_alias(m) and all(c.level >= 3 for c in m.candidates)}
    total: Counter = Counter()
    for m in usable:
        if id(m) not in plain:
            for p in m.candidates:
                total.update(_keys(p))
    # another name that can be the same place (和平区 … 西塔, both 沈阳's 和平区) backs it too; the
    # same name written twice does not (劳动东路 … 人民东路 are not two mentions of a town 东路)
    names_of: dict[str, set[str]] = {}
    for m in usable:
        if id(m) not in plain:
            for p in m.candidates:
                names_of.setdefault(p.code, set()).add(m.text)
    first: list[tuple[Mention, Resolved, list]] = []
    for m in usable:
        own: Counter = Counter()
        if id(m) not in plain:
            for p in m.candidates:
                own.update(_keys(p))
        siblings = id(m) not in plain
        scored = sorted(((_support(c, total, own, siblings) + len(names_of.get(c.code, set()) - {m.text}),
                          c.level, c) for c in m.candidates), key=lambda s: (-s[0], s[1]))
        best_support, _level, best = scored[0] if scored else (0, 0, None)
        tied = [c for sup, _lvl, c in scored if sup == best_support]
        if len(tied) > 1:
            # a district and its own street both named 下关 are one answer: the more specific
            deepest = max(tied, key=lambda c: len(c.code))
            if all(deepest.code.startswith(c.code) for c in tied):
                best, tied = deepest, [deepest]
        how = "support"
        if m.text in gaz.landmarks:
            how = "landmark"
            if best_support == 0:
                best, tied = m.candidates[0], [m.candidates[0]]   # the scheme's own: its place comes first
        # a city's or province's short form is a name people write alone (西安, 泉州), also when
        # only towns share it (石家庄 and a 石家庄镇 in 山西); a district sharing it keeps it open (朝阳)
        cities = [c for c in tied if c.level <= 2]
        if how != "landmark" and len(cities) == 1 and all(c.level >= 4 for c in tied if c is not cities[0]):
            best, tied = cities[0], cities
        tie = len(tied) > 1
        alone = len(tied) == 1 and best is not None and best.level <= 2      # a city or province, unrivalled
        needs_support = not alone and ((m.alias and not _typed(m.text)) or len(m.candidates) > 1)
        if best is None or (best_support == 0 and needs_support) or (best_support and tie):
            first.append((m, Resolved(m, None, best_support), scored))
        else:
            first.append((m, Resolved(m, best, best_support, how if best_support or how == "landmark" else "unique"),
                          scored))
    return Scored(mentions, out, first)


def _favour_region(text: str, first: list[tuple[Mention, Resolved, list]], region: str,
                   other_sense: set[str] = frozenset()) -> list:
    """Rule 4: give a name that can be the region's place to the region unless contradicted."""
    city = region[:4] if len(region) >= 4 else region

    def compatible(place: Place) -> bool:   # in the region's city, or above it (河北, 廊坊市)
        return place.code.startswith(city) or region.startswith(place.code)

    placed = [r for _m, r, _s in first if r.place is not None]
    outside = [r for r in placed if not compatible(r.place)]
    related = any(compatible(r.place) for r in placed)
    out = []
    for m, r, scored in first:
        if r.how == "landmark":
            # a landmark of the scheme written after another city's name (石家庄万达广场) is that
            # city's namesake
            before = next((o for o in outside if o.mention is not m and 0 <= m.start - o.mention.end <= 2), None)
            if before is not None:
                r = Resolved(m, None, r.support, elsewhere=before.place)
            out.append((m, r, scored))
            continue
        # the region's own places, and its city and province (南京 for 南京鼓楼区: a 南京乡 elsewhere)
        ours = [(sup, c) for sup, _lvl, c in scored
                if c.code.startswith(region) or (c.level <= 2 and region.startswith(c.code))]
        if not ours or (r.place is not None and compatible(r.place) and r.support >= max(s for s, _c in ours)):
            out.append((m, r, scored))
            continue
        support, cand = max(ours, key=lambda sc: (sc[0], -sc[1].level))
        rival = max((sup for sup, _lvl, c in scored if all(c is not o for _s, o in ours)), default=0)
        before = next((o for o in outside if o.mention is not m and 0 <= m.start - o.mention.end <= 2), None)
        # the text names the other candidate itself elsewhere (和平区 … 西塔, a street of 沈阳's)
        named = next((o for o in outside if o.mention is not m and any(
            o.place.code == c.code for _s, _l, c in scored if all(c is not x for _x, x in ours))), None)
        if named is not None and r.place is None:
            out.append((m, Resolved(m, None, r.support, elsewhere=named.place), scored))
        elif rival > support or (r.place is not None and r.support > support):
            out.append((m, Resolved(m, r.place, r.support, r.how, elsewhere=r.place), scored))
        elif before is not None or (len({o.place.code for o in outside}) >= 2 and not related):
            why = before.place if before is not None else outside[0].place
            out.append((m, Resolved(m, None, r.support, elsewhere=why), scored))
        elif _ordinary_alias(m):
            out.append((m, Resolved(m, None, support, contested=cand), scored))
        elif m.text in other_sense and support == 0:
            out.append((m, r, scored))
        else:
            out.append((m, Resolved(m, cand, support, "favoured"), scored))
    return out


# A name that ends with its kind (下关区, 西湖街道) is a place name whatever the segmenter says.
KIND_ENDINGS = PLACE_KINDS + ("区", "县", "市", "旗", "街道")

def _ordinary_alias(m: Mention) -> bool:
    """A short form that is also an ordinary word (and keeps no kind that says it is a place)."""
    return m.alias and not m.text.endswith(KIND_ENDINGS) and is_ordinary_word(m.text)


@cache
def _ordinary_words() -> frozenset[str]:
    from importlib import resources

    lines = resources.files("yuqing").joinpath("data/gazetteer/ordinary_words.txt").read_text(encoding="utf-8")
    return frozenset(w for w in lines.splitlines() if w and not w.startswith("#"))


def is_ordinary_word(name: str) -> bool:
    """Whether a short form is also an ordinary word (和平, 鼓楼, 留下, 解放): not tagged as a name
    by the segmenter and frequent in background text (scripts/build_ordinary_words.py)."""
    return name in _ordinary_words()
