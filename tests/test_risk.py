"""Risk reads the sentence, not the word (issue 14): negation, hypotheticals, figurative use, the
past, casualty numbers, scale and collective action, victims, and the floors of the definition.
The figures on the dev set labelled by reading are floors in test_risk_dev_set_figures."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import pytest

from yuqing.analysis.harm import parse_number, read
from yuqing.analysis.risk import assess

ROOT = Path(__file__).resolve().parents[1]


def level(text: str, platform: str = "weibo") -> str:
    return assess(text, "其他", 0.6, "negative", {}, platform, None).level


def statuses(text: str) -> dict[str, str]:
    return {c.word: c.status for c in read(text).cues}


def test_negation_hypotheticals_figurative_and_non_human_use_are_not_harm():
    assert statuses("幸未造成人员伤亡")["伤亡"] == "negated"
    assert statuses("现场无人员伤亡")["伤亡"] == "negated"
    assert statuses("派出所否认殴打老人")["殴打"] == "negated"
    assert statuses("万一发生起火，后果不堪设想")["起火"] == "hypothetical"
    assert statuses("楼道堆满杂物，存在火灾隐患")["火灾"] == "hypothetical"
    assert statuses("今天心情爆炸")["爆炸"] == "figurative"
    assert statuses("这部剧后半段混入了泥石流")["泥石流"] == "figurative"
    assert statuses("小区里的蜜蜂大量死亡")["死亡"] == "figurative"
    assert statuses("厂房起火，3人死亡") == {"起火": "live", "死亡": "live"}
    # what did happen still counts beside what did not
    r = read("市场发生大火，幸未造成人员伤亡")
    assert {(c.word, c.status) for c in r.cues} == {("大火", "live"), ("伤亡", "negated")}


def test_the_past_is_dated_against_the_item_and_a_dateline_dates_a_report():
    ts_2019 = 1_560_000_000
    assert read("1998年，三名工人在矿井遇难", ts_2019).cues[0].status == "past"
    assert read("纪念大地震十周年，遇难同胞安息", ts_2019).cues[0].status == "past"
    assert read("今天上午一仓库起火", ts_2019).cues[0].status == "live"
    # a news page's own dateline: 2008 is then, not the past, even read in 2019
    assert read("2008年05月12日 地震已造成107人死亡", ts_2019).cues[0].status == "live"


def test_numbers_people_collective_action_and_victims():
    assert [parse_number(s) for s in ("26", "两千", "十五", "三百", "1.5", "几百", "一万两千")] == [26, 2000, 15, 300, 1.5, 500, 12000]
    r = read("厂房起火，造成3人死亡、12人受伤")
    assert (r.dead, r.hurt) == (3, 12)
    assert read("业主约2100户，房产证至今未发").people == 2100
    assert read("上千名业主聚集维权").people == 1000
    assert read("600人民币一次").people == 0                      # 人民币 is money, not people
    assert read("明天全体村民到镇政府上访").dated_action == "上访（明天）"
    assert read("如果再不给说法，我就到公司楼下拉横幅").gathering == ""   # a threat in a condition
    assert read("几十名工人在厂门口拉横幅讨薪").gathering
    assert read("一名老师体罚学生，孩子被打伤住院").victims == ["学生", "孩子"]
    assert read("美国加州山火致10人死亡").abroad and not read("中国游客在泰国遇难").abroad


@pytest.mark.parametrize("text, expected", [
    # the issue's false highs
    ("幸未造成人员伤亡，一厨房起火后被及时扑灭", "low"),
    ("今天心情爆炸，笑死我了", "low"),
    ("万一发生起火，后果不堪设想", "low"),
    ("对政府的政策有不同看法，希望多听取群众意见", "low"),
    ("烧烤店油烟扰民", "low"),
    ("感谢社区工作人员抢修暖气", "low"),
    # the issue's misses and under-weighted scale
    ("一名老师体罚学生，孩子被打伤住院", "high"),
    ("59名幼儿园孩子食物中毒被送医", "high"),
    ("明天全体业主到区政府门口聚集上访，讨要说法", "high"),
    ("小区停水十天，上万居民生活受影响", "high"),
    ("业主聚集维权（约200人）", "high"),
    ("70多名农民工被拖欠工资三年，拉横幅讨薪", "high"),
    ("厂房起火，3人死亡", "high"),
])
def test_the_issues_examples(text, expected):
    assert level(text) == expected


def test_reasons_say_in_words_what_counted_and_what_did_not():
    r = assess("业主聚集维权（约200人）", "其他", 0.6, "negative", {}, "weibo", None)
    assert "群体性：聚集、维权（200人）" in r.reasons
    r = assess("市场发生大火，幸未造成人员伤亡", "其他", 0.6, "negative", {}, "news", None)
    assert "已否定：幸未造成人员伤亡" in r.reasons and "火灾爆炸：大火" in r.reasons
    r = assess("厂房起火，造成2人受伤", "其他", 0.6, "negative", {}, "news", None)
    assert r.reasons[0] == "伤亡：2人受伤"


def test_risk_dev_set_figures():
    """The shipped model on the part of the dev set it was never trained or tuned on."""
    if not (ROOT / "bench/risk/dev.jsonl").exists():
        pytest.skip("no dev set")
    sys.path.insert(0, str(ROOT / "bench"))
    import risk_dev

    out = risk_dev.evaluate()
    hold = out["holdout"]
    # floors under today's figures (bench/RESULTS.md); the targets are 0.80 / 0.90 / 0.80
    assert hold["macro_f1"] >= 0.68, hold
    assert hold["high"]["recall"] >= 0.65 and hold["high"]["precision"] >= 0.45, hold
    spec = json.loads((ROOT / "src/yuqing/data/models/risk/model.json").read_text(encoding="utf-8"))
    assert spec["info"]["cv"]["macro_f1"] >= 0.71, spec["info"]["cv"]
    # the analyser scores what training fitted (a text weight once lost in the L2 normalisation
    # made them differ): the in-sample figure of the fit is reproduced through analysis
    assert abs(out["dev (trained on)"]["macro_f1"] - spec["info"]["fitted_dev"]["macro_f1"]) <= 0.005
    assert os.path.getsize(ROOT / "src/yuqing/data/models/risk/weights.npz") < 1_000_000
