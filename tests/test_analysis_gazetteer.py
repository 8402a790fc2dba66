"""The shipped gazetteer: complete, with the aliases people write, and reproducible from the data."""

from __future__ import annotations

import sys
from collections import Counter
from importlib import resources

import pytest

from conftest import ROOT
from yuqing.analysis.gazetteer import load_gazetteer


@pytest.fixture(scope="module")
def gaz():
    return load_gazetteer(max_level=4, within="131003")


def test_every_level_is_there(data):
    full = load_gazetteer(max_level=5)
    assert Counter(p.level for p in full.places.values()) == {1: 31, 2: 342, 3: 2978, 4: 41352, 5: 620573}


def test_guangyang_and_its_parts(gaz):
    assert gaz.path("131003") == ["河北省", "廊坊市", "广阳区"]
    towns = {p.name for p in gaz.children("131003")}
    assert {"万庄镇", "九州镇", "北旺镇", "南尖塔镇", "银河北路街道", "新开路街道"} <= towns and len(towns) == 10
    villages = [p for p in gaz.within("131003") if p.level == 5]
    assert len(villages) == 238
    assert gaz.path("131003001001") == ["河北省", "廊坊市", "广阳区", "银河北路街道", "西后街社区居民委员会"]


def test_aliases_short_forms_and_former_names(gaz):
    def aliases(code):
        return set(gaz.places[code].aliases)

    assert aliases("131003") == {"广阳"} and aliases("1310") == {"廊坊"} and aliases("13") == {"河北"}
    assert aliases("131003101") == {"万庄"}
    assert aliases("131003001") == {"银河北路"}
    assert {"北旺乡", "北旺"} <= aliases("131003103")                      # a former name
    assert aliases("131003001001") == {"西后街社区"}                         # …居民委员会 → …社区
    assert "广阳经济开发区" in aliases("131003400")                          # 河北廊坊 stripped
    assert aliases("5226") == {"黔东南"} and aliases("65") == {"新疆"} and aliases("45") == {"广西"}
    assert aliases("110101") == {"东城"}
    assert aliases("1101") == set()                                         # 市辖区 is a placeholder


def test_same_names_elsewhere_are_kept_apart(gaz):
    towns = [p for p in gaz.lookup("广阳镇")]
    assert {p.code[:2] for p in towns} == {"41", "50", "61"}                # 河南, 重庆, 陕西 in the 2023 codes
    assert "131003" in [p.code for p in gaz.lookup("广阳")]                   # the short form is shared …
    assert len(gaz.lookup("广阳")) > 1                                       # … so it needs context later


@pytest.mark.slow
def test_shipped_file_is_what_the_script_builds(data):
    sys.path.insert(0, str(ROOT / "scripts"))
    import build_gazetteer

    folder = resources.files("yuqing").joinpath("data/gazetteer")
    shipped = {p.name: p.read_bytes() for p in folder.iterdir() if p.name.endswith(".tsv.gz")}
    assert build_gazetteer.build(data / "admin_divisions_cn") == shipped, "run scripts/build_gazetteer.py"


def test_loading_is_light_unless_villages_everywhere_are_asked_for():
    import time

    started = time.perf_counter()
    gaz = load_gazetteer(max_level=4, within="131003")
    assert time.perf_counter() - started < 2.0
    assert len(gaz.places) == 31 + 342 + 2978 + 41352 + 238


def test_a_regions_villages_do_not_leak_into_the_shared_country_gazetteer():
    from yuqing.analysis.gazetteer import load_gazetteer

    with_villages = load_gazetteer(max_level=4, within="131003")
    country = load_gazetteer(max_level=4)
    assert "131003001001" in with_villages.places and "131003001001" not in country.places
    for name, codes in country.by_name.items():
        assert all(c in country.places for c in codes), name
    with_villages.add_landmark("万达广场", "131003")
    assert "万达广场" not in load_gazetteer(max_level=4, within="131003").by_name


def test_the_shipped_ordinary_word_list_is_what_its_script_builds(data):
    sys.path.insert(0, str(ROOT / "scripts"))
    import build_ordinary_words

    shipped = (ROOT / "src/yuqing/data/gazetteer/ordinary_words.txt").read_text(encoding="utf-8")
    assert build_ordinary_words.build(data) == shipped, "run scripts/build_ordinary_words.py"
    words = set(shipped.splitlines())
    assert {"和平", "鼓楼", "留下"} <= words and not {"广阳", "万庄", "望京", "三墩", "常营"} & words
