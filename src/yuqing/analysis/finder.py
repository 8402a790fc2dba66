"""The local-name finder: roads, estates and facilities the gazetteer does not know, found in the
stored stream, for an analyst to accept as landmarks (issue: coverage of what involves the region).

A candidate is a run of characters ending in a kind (路, 大街, 小区, 花园, 广场, 医院, 站, 市场…),
cut on the left where a known place, a function word (在, 的, 和…) or anything that is not a Chinese
character stands. Every left extension of it is counted (联丰路 and 丰路), and an extension that
is nearly always part of a longer one is dropped, so what remains is the name as people write it.
A name is suggested when it is frequent in the items that involve the region and rare in the rest
(its lift) and in the background corpora (the IDF table: common words such as 火车站 never pass).
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import Any, Iterable

# The kinds, longest first so 大街 wins over 街.
KINDS = ("大街", "大道", "东道", "西道", "南道", "北道", "胡同", "小区", "花园", "家园", "公寓", "广场", "公园",
         "医院", "卫生院", "中学", "小学", "幼儿园", "学校", "大学", "学院", "车站", "市场", "大厦", "商场", "景区",
         "湿地", "水库", "路", "道", "街", "巷", "苑", "站")
_KIND = re.compile("|".join(KINDS))
# Characters a name does not contain: function words and pronouns (在万达广场, 我家小区, 和新华路),
# and the kinds of the places before a road (A5区劳动东路, 西地省涉外经济学院: the name starts after).
STOPS = set("的在和与及或是到从往向对把被给让于至了着过也都就还又很说去来住买有没不这那哪该我你他她它们其此每各等"
            "省市区县个条段座所位")
# A kind that runs on into a common word is not a kind there (道路, 街道, 路线).
NOT_KIND = ("道路", "道德", "街道", "路线", "路径", "站长", "市场化", "路况", "路灯", "路面")
# A head that is one word of position, quantity or reference (周边小区, 同一小区, 一个车道, 附近公园).
GENERIC_TAGS = {"f", "b", "r", "s", "q", "p", "c", "d", "u", "uj", "v", "vn", "t", "a", "ad", "an", "l", "i"}
# Facilities every city or county has under the same name: they say nothing of where.
GENERIC_FACILITY = re.compile(r"^(?:(?:火车|汽车|客运)?[东西南北总中]?站|汽车[东西南北总]站|客运[东西南北总中]?站|"
                              r"(?:第[一二三四五六七八九十]+)?(?:人民|中心|专科|综合|中医|中西医结合|妇幼保健|妇产|儿童|"
                              r"口腔|肿瘤|精神|传染病|骨科|眼科)?医院|(?:第[一二三四五六七八九十]+|实验|中心)(?:中学|小学)|"
                              r"(?:人民|中心|滨江|滨河|体育|文化|湿地|森林)公园|(?:人民|中心|市民|时代)广场)$")
MODIFIER_TAGS = {"a", "ad", "b", "f", "d"}     # a head that starts like this describes (附近, 大型, 严重)
NAME_TAGS = {"ns", "nt", "nz", "nr", "nrt", "nrfg", "j"}
MAX_HEAD = 6          # characters before the kind
DOMINATED = 0.8       # an extension seen inside a longer one this often is that longer one
MIN_COUNT = 3
MIN_LIFT = 5.0
EXAMPLES = 3


@dataclass
class Candidate:
    name: str
    code: str | None           # where it lies: the region's place most often named beside it
    count: int                 # items that involve the region and contain it
    rest: int                  # other items that contain it
    lift: float                # how much more often it is in the region's items than in the rest
    examples: list[dict[str, Any]] = field(default_factory=list)   # {"id", "text"}: the name in context

    def as_dict(self) -> dict[str, Any]:
        return {"name": self.name, "code": self.code, "count": self.count, "rest": self.rest, "lift": round(self.lift, 1),
                "examples": self.examples}


def names_in(text: str, taken: set[int]) -> set[str]:
    """Every candidate name in a text (each left extension of each road, estate or facility),
    given the positions of the places already resolved (`taken`), which cut a name."""
    return set().union(*names_by_kind(text, taken))


def names_by_kind(text: str, taken: set[int]) -> list[set[str]]:
    """names_in, one set per road, estate or facility word: the left extensions of each."""
    out: list[set[str]] = []
    kind_ends: set[int] = set()
    for m in _KIND.finditer(text):
        if text.startswith(NOT_KIND, m.start()):
            continue
        kind_ends.add(m.end() - 1)
        if text.startswith("口", m.end()):      # 德雅路口公交站: the 路口 ends a name too
            kind_ends.add(m.end())
        start = m.start()
        heads = []
        i = start - 1
        while i >= 0 and start - i <= MAX_HEAD:
            c = text[i]
            # a kind just before ends another name (劳动东路 | 魅力之城小区)
            if i in taken or i in kind_ends or c in STOPS or not ("\u4e00" <= c <= "\u9fff"):
                break
            heads.append(i)
            i -= 1
        out.append({text[i:m.end()] for i in heads})
    return out


def suggest(rows: Iterable[dict[str, Any]], matcher, limit: int = 30, min_count: int = MIN_COUNT,
            min_lift: float = MIN_LIFT) -> list[Candidate]:
    """Return candidate local names from stored rows (id, title, text/text_sc, relevant;
    near-copies are skipped), best first: frequent in the region's items, rare elsewhere."""
    from ..ingest import to_simplified
    from ..scheme import landmark_problem
    from .relevance import NOT_LOCAL_NAMES

    ours: Counter = Counter()
    rest: Counter = Counter()
    where: dict[str, list[tuple[str, str]]] = defaultdict(list)
    beside: dict[str, Counter] = defaultdict(Counter)
    region = matcher.region
    n_ours = n_rest = 0
    for row in rows:
        if row.get("duplicate_of"):
            continue
        text = "\n".join(t for t in (to_simplified(row["title"] or "") if row.get("title") else "",
                                     row.get("text_sc") or row["text"]) if t)[:20_000]
        resolved = matcher.resolved(text)
        # a city, a district or a full name ends what stands before a road (廊坊|万达广场); a town's
        # short form inside an estate's name does not (山水湾小区: 山水 is a town's short form)
        taken = {i for r in resolved if r.place is not None and (r.place.level <= 3 or not r.mention.alias)
                 for i in range(r.mention.start, r.mention.end)}
        names = names_in(text, taken)
        if row.get("relevant"):
            n_ours += 1
            ours.update(names)
            # the region's deepest places named in the item: where its local names lie
            codes = [r.place.code for r in resolved if r.place is not None and region
                     and r.place.code.startswith(region) and len(r.place.code) > len(region)]
            for name in names:
                if len(where[name]) < EXAMPLES:
                    where[name].append((row["id"], text))
                beside[name].update(set(codes))
        else:
            n_rest += 1
            rest.update(names)
    gazetteer = matcher.gazetteer
    longer: Counter = Counter()       # name → how often it was seen inside a one-character-longer name
    for other, n in ours.items():
        if len(other) > 2:
            longer[other[1:]] += n
    out = []
    for name, count in ours.items():
        if count < min_count:
            continue
        # a part nearly always seen inside longer names is a fragment of them (丰路 of 联丰路; 水湾小区
        # of 山水湾, 楚水湾 and 双水湾小区)
        if longer.get(name, 0) >= DOMINATED * count:
            continue
        kind = next(k for k in KINDS if name.endswith(k))
        head = name[: len(name) - len(kind)]
        if (head in NOT_LOCAL_NAMES or len(head) < 2 or gazetteer.lookup(name) or landmark_problem(name)
                or GENERIC_FACILITY.match(name) or _generic(head, kind)):
            continue
        lift = (count / max(n_ours, 1)) / ((rest[name] + 0.5) / (n_rest + 1))
        if lift < min_lift:
            continue
        examples = [{"id": item_id, "text": _context(text, name)} for item_id, text in where[name]]
        # a town or street when most of the items that name it name that one too, else the region
        code, seen = (beside[name].most_common(1) or [(region, 0)])[0]
        out.append(Candidate(name, code if seen * 2 > count else region, count, rest[name], lift, examples))
    out.sort(key=lambda c: (-c.count * min(c.lift, 100.0), c.name))
    return out[:limit]


def _generic(head: str, kind: str) -> bool:
    """A head of position, quantity or manner (周边, 一个, 公办), a name that is a common word of
    the dictionary (人行横道), or a single-character kind that makes a common word with the
    character before it (马路, 车道, 铁路: 集团铁路 is not a road's name)."""
    import rjieba

    from .keywords import idf_table

    idf, _unseen = idf_table()
    tags = rjieba.tag(head)
    if len(tags) == 1 and (tags[0][1] in GENERIC_TAGS or idf.get(head, 99) < 6.0
                           or (tags[0][1] not in NAME_TAGS and idf.get(head, 99) < 7.0)):
        return True                     # one ordinary word before the kind: 公办幼儿园, 星城小区
    if len(tags) > 1 and (tags[0][1] in MODIFIER_TAGS or tags[-1][1] in ("v", "vn")):
        return True                     # 严重影响小区, 附近搅拌站, 大型搅拌站, 建搅拌站: words, not a name
    for word in (head + kind, head[-2:] + kind + "口"):
        whole = rjieba.tag(word)
        if len(whole) == 1 and whole[0][1] not in NAME_TAGS:
            return True                 # a word of the dictionary, not a name: 人行横道, 主干道, 交叉路口
    return len(kind) == 1 and idf.get(head[-1] + kind, 99) < 7.5


def _context(text: str, name: str, width: int = 24) -> str:
    at = text.find(name)
    start = max(0, at - width)
    return ("…" if start else "") + text[start:at + len(name) + width].replace("\n", " ") + "…"
