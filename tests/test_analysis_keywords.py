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


def test_keywords_take_places_whole_and_leave_out_fragments_markers_and_the_region(tmp_path):
    from yuqing.analysis.analyze import Analyzer, Subject
    from yuqing.scheme import load_scheme
    from yuqing.starter import known_region

    (tmp_path / "s.yaml").write_text('name: t\nregion: "131003"\nlandmarks:\n  人民公园: "131003101"\n', encoding="utf-8")
    an = Analyzer(load_scheme(tmp_path / "s.yaml", known_region))

    def kw(text):
        return an.analyze([Subject("x", None, text)])[0]["keywords"]

    got = kw("南尖塔镇爱民东道与光明东道交界处积水严重，口袋公园被淹。（本条为示例数据，内容虚构。）#廊坊广阳#")
    assert "南尖塔镇" in got and {"光明东道", "口袋公园"} & set(got)
    assert not {"尖塔", "南尖塔", "爱民", "东道", "口袋", "示例", "虚构", "广阳", "广阳区", "廊坊"} & set(got)
    assert "人民公园" in kw("人民公园门口有人摔倒了，人民公园太滑")               # a landmark under its own name
    assert "廊坊" not in kw("廊坊市 廊坊 石家庄 北京望京 火灾")                   # the region's city: in every item
    other = kw("北京望京街道一小区火灾，望京着火")
    assert "望京街道" in other and "望京" not in other                           # one name for both ways of writing it


def test_the_demo_stream_keywords_have_no_place_fragments_variants_or_markers(tmp_path):
    import json
    from collections import Counter

    from yuqing.analysis.analyze import Analyzer, Subject
    from yuqing.scheme import load_scheme
    from yuqing.starter import known_region

    (tmp_path / "s.yaml").write_text('name: t\nregion: "131003"\n', encoding="utf-8")
    an = Analyzer(load_scheme(tmp_path / "s.yaml", known_region))
    rows = [json.loads(line) for line in (ROOT / "src/yuqing/data/demo/stream.jsonl").read_text(encoding="utf-8").splitlines()]
    subjects = [Subject(r["id"], r.get("title"), r["text"]) for r in rows]
    analyses = an.analyze_each(subjects)
    top = Counter(k for a in analyses for k in a["keywords"])
    def only_inside_places(word, text, spans):
        """Every occurrence of the word is part of a longer place mention: a fragment."""
        at = [i for i in range(len(text)) if text.startswith(word, i)]
        return at and all(any(s <= i and i + len(word) <= e and e - s > len(word) for s, e in spans) for i in at)

    for s, a in zip(subjects, analyses):
        spans = [(m.start, m.end) for m in an.matcher.matcher.mentions(s.full_text)]
        assert not [k for k in a["keywords"] if only_inside_places(k, s.full_text, spans)], (s.full_text, a["keywords"])
    # (重庆广阳岛 keeps its 广阳: not the region, and no place the gazetteer knows)
    assert not {"示例", "虚构", "广阳区", "广阳", "廊坊", "廊坊市"} & {k for a in analyses if a["relevant"] for k in a["keywords"]}
    common = [w for w, _ in top.most_common(100)]
    assert not [(w, w + x) for w in common for x in ("市", "区", "县", "镇", "街道") if w + x in common]
