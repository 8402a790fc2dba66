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
