"""Keywords by TF-IDF over content words; the IDF table is rebuilt from the data in a test."""

from __future__ import annotations

import sys
from importlib import resources

from conftest import ROOT
from yuqing.analysis.keywords import idf_table, keywords


def test_keywords_are_content_words_that_set_the_text_apart():
    got = keywords("我是广阳区华苑社区居民，小区暖气从供暖开始就不热，室温15度，多次联系物业无果，请有关部门督促解决。")
    assert {"暖气", "供暖", "室温"} <= set(got) and len(got) == 5
    assert not {"我是", "开始", "有关", "15"} & set(got)
    fire = keywords("仓库火灾仓库火灾，消防部门正在扑救。", k=2)
    assert fire == ["仓库", "火灾"] or fire == ["火灾", "仓库"]
    assert keywords("") == [] and keywords("的了吗呢") == []


def test_common_words_weigh_less_than_rare_ones():
    idf, unseen = idf_table()
    assert idf["问题"] < idf["物业"] < idf["火灾"] < unseen and idf["我们"] < 3.0 and "暖气" not in idf


def test_shipped_idf_table_is_what_the_script_builds(data):
    sys.path.insert(0, str(ROOT / "scripts"))
    import build_idf

    shipped = resources.files("yuqing").joinpath("data/idf.tsv.gz").read_bytes()
    assert build_idf.build(data) == shipped, "run scripts/build_idf.py"
