"""Finding place mentions (candidates only; disambiguation is built on top)."""

from __future__ import annotations

import pytest

from yuqing.analysis.gazetteer import load_gazetteer
from yuqing.analysis.places import PlaceMatcher


@pytest.fixture(scope="module")
def matcher():
    return PlaceMatcher(load_gazetteer(max_level=4, within="131003"))


def spans(matcher, text):
    return [(m.text, text[m.start:m.end], m.alias) for m in matcher.mentions(text)]


def test_longest_names_win_and_offsets_are_exact(matcher):
    text = "廊坊市广阳区万庄镇一仓库起火"
    got = matcher.mentions(text)
    assert [(m.text, m.start, m.end) for m in got] == [("廊坊市", 0, 3), ("广阳区", 3, 6), ("万庄镇", 6, 9)]
    assert [p.code for p in got[1].candidates] == ["131003"] and not got[1].alias
    assert all(text[m.start:m.end] == m.text for m in got)


def test_aliases_former_names_and_communities(matcher):
    assert spans(matcher, "北旺乡的村民") == [("北旺乡", "北旺乡", True)]
    mention = matcher.mentions("西后街社区门口")[0]
    assert mention.text == "西后街社区" and mention.candidates[0].code == "131003001001" and mention.alias
    assert matcher.mentions("万庄那边")[0].candidates[0].code == "131003101"


def test_same_names_carry_every_candidate(matcher):
    town = matcher.mentions("重庆市长寿区广阳镇")[-1]
    assert town.text == "广阳镇" and {p.code[:2] for p in town.candidates} == {"41", "50", "61"}
    short = matcher.mentions("广阳那边")[0]
    assert short.alias and "131003" in {p.code for p in short.candidates} and len(short.candidates) > 1


def test_no_places_no_mentions(matcher):
    assert matcher.mentions("") == [] and matcher.mentions("今天天气不错，适合出门") == []


from yuqing.analysis.resolve import resolve  # noqa: E402


def resolved(matcher, text):
    return {r.mention.text: (r.place.code if r.place else None)
            for r in resolve(text, matcher.mentions(text), matcher.gazetteer)}


def test_full_names_resolve_and_support_each_other(matcher):
    got = resolved(matcher, "廊坊市广阳区万庄镇一仓库起火")
    assert got == {"廊坊市": "1310", "广阳区": "131003", "万庄镇": "131003101"}


def test_short_forms_need_context(matcher):
    assert resolved(matcher, "广阳那边今天下雨") == {"广阳": None}                 # alone: unresolved
    assert resolved(matcher, "廊坊广阳今天下雨")["广阳"] == "131003"                # 廊坊 supports 广阳区
    assert resolved(matcher, "广阳万庄一仓库起火") == {"广阳": "131003", "万庄": "131003101"}


def test_same_name_places_elsewhere_do_not_become_guangyang(matcher):
    assert resolved(matcher, "重庆广阳岛的银杏很美")["广阳"] is None               # 广阳岛: another name
    road = resolved(matcher, "广阳道上发生交通事故")
    assert road["广阳"] is None                                                   # a road
    assert road["交通"] is None              # short forms that are common words (交通镇 → 交通) need support too
    chongqing = resolved(matcher, "重庆市南岸区广阳镇推进乡村振兴")
    assert chongqing["广阳镇"] == "500108108"                                     # 重庆, 南岸 support it
    assert resolved(matcher, "广阳镇召开会议")["广阳镇"] is None                   # three 广阳镇: no context, no guess
