"""Risk: low | medium | high, with the reasons in words an analyst reads.

Risk means harm and public impact — casualties, fire, poisoning, violence, people's livelihood,
misconduct by those in charge — never political opinion. The cues below are curated by hand
from the CEC trigger lexicon (Apache-2.0) and the livelihood/violence/corruption lists of
risk_lexicon_konsheng (MIT); that second source is mostly a censorship list of names and
political terms, and none of those are used.

The score is a sum of weighted parts, each with its reason, capped at 1:
harm cues (the strongest kind counts fully, each further kind a little), a harm category,
negative tone, engagement, and an authoritative source (official media or a complaint board
reporting it makes it public).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import ahocorasick_rs

CUES: dict[str, tuple[float, tuple[str, ...]]] = {
    "伤亡": (0.45, ("死亡", "身亡", "遇难", "丧生", "罹难", "伤亡", "死伤", "受伤", "重伤", "轻伤", "失踪", "被困",
                  "烧死", "溺亡", "溺水", "殒命", "不治", "窒息", "送医", "抢救无效")),
    "火灾爆炸": (0.35, ("火灾", "起火", "着火", "失火", "大火", "火情", "爆炸", "爆燃", "浓烟", "燃气泄漏", "山火")),
    "事故": (0.3, ("事故", "车祸", "追尾", "相撞", "侧翻", "坍塌", "倒塌", "塌方", "泄漏", "坠落", "触电", "翻车")),
    "中毒": (0.35, ("中毒", "上吐下泻", "呕吐腹泻", "毒气", "疫情", "感染")),
    "自然灾害": (0.3, ("地震", "余震", "洪水", "洪涝", "山洪", "暴雨", "内涝", "台风", "冰雹", "泥石流", "滑坡",
                    "暴雪", "龙卷风", "海啸")),
    "暴力犯罪": (0.35, ("殴打", "斗殴", "打人", "砍人", "持刀", "行凶", "杀人", "命案", "袭击", "绑架", "劫持",
                    "抢劫", "枪击", "爆炸物", "枪支", "炸药", "管制刀具", "性侵", "猥亵", "虐待")),
    "治安": (0.2, ("盗窃", "被盗", "诈骗", "传销", "赌博", "吸毒", "贩毒", "涉黑", "黑恶", "敲诈", "勒索",
                 "非法集资", "高利贷", "暴力催收")),
    "民生": (0.2, ("拖欠工资", "欠薪", "讨薪", "拖欠", "强拆", "拆迁", "停水", "停电", "停暖", "断水", "断电",
                 "不供暖", "烂尾", "维权", "上访", "堵路", "围堵", "群体性", "食品安全", "乱收费", "退费",
                 "跑路", "断供", "安全隐患", "危房", "污染", "异味", "噪音扰民")),
    "失职腐败": (0.25, ("腐败", "贪污", "受贿", "行贿", "索贿", "挪用", "渎职", "失职", "不作为", "乱作为",
                    "吃拿卡要", "暴力执法", "包庇", "保护伞", "造假", "瞒报", "谎报", "权钱交易")),
}
HARM_CATEGORIES = {"安全生产": 0.2, "自然灾害": 0.2, "社会治安": 0.2, "卫生计生": 0.1, "环境保护": 0.05}
NEGATIVE_WEIGHT = 0.2          # × P(negative), when the label is negative
ENGAGEMENT_WEIGHT = 0.15       # at 10^5 interactions; log scale below
AUTHORITY_WEIGHT = 0.1
AUTHORITY_PLATFORMS = {"news", "complaint"}
AUTHORITY_WORDS = ("发布", "日报", "晚报", "新闻", "电视台", "广播", "公安", "消防", "应急管理", "政府", "融媒")
HIGH, MEDIUM = 0.6, 0.35


@dataclass(slots=True)
class RiskResult:
    level: str
    score: float
    reasons: list[str] = field(default_factory=list)


_CUE_LIST = [(kind, w) for kind, (_, words) in CUES.items() for w in words]
_AUTOMATON = ahocorasick_rs.AhoCorasick([w for _, w in _CUE_LIST])


def harm_cues(text: str) -> dict[str, list[str]]:
    """Return the harm cues of a text by kind, each word once, in order of appearance.

    A cue inside a longer cue found too (拖欠 in 拖欠工资) is not repeated.
    """
    found: dict[str, list[str]] = {}
    for i, _, _ in _AUTOMATON.find_matches_as_indexes(text, overlapping=True):
        kind, word = _CUE_LIST[i]
        words = found.setdefault(kind, [])
        if word not in words:
            words.append(word)
    return {kind: [w for w in words if not any(w != o and w in o for o in words)] for kind, words in found.items()}


def engagement(metrics: dict | None) -> int:
    m = metrics or {}
    return sum(int(m.get(k) or 0) for k in ("reposts", "comments", "likes"))


def assess(text: str, category: str, negative: float, sentiment: str, metrics: dict | None,
           platform: str, source: str | None) -> RiskResult:
    score, reasons = 0.0, []
    cues = harm_cues(text)
    if cues:
        weights = sorted(((CUES[k][0], k) for k in cues), reverse=True)
        score += weights[0][0] + 0.05 * (len(weights) - 1)
        reasons += [f"{k}：{'、'.join(cues[k][:3])}" for _, k in weights]
    if category in HARM_CATEGORIES:
        score += HARM_CATEGORIES[category]
        reasons.append(f"类别：{category}")
    if sentiment == "negative":
        score += NEGATIVE_WEIGHT * negative
        reasons.append(f"负面情绪 {negative:.2f}")
    n = engagement(metrics)
    if n >= 100:
        score += ENGAGEMENT_WEIGHT * min(1.0, math.log10(n) / 5)
        reasons.append(f"互动量 {n:,}")
    if platform in AUTHORITY_PLATFORMS or (source and any(w in source for w in AUTHORITY_WORDS)):
        # only worth saying when there is something to amplify
        if cues:
            score += AUTHORITY_WEIGHT
            reasons.append("来源：" + ("媒体/官方" if platform != "complaint" else "投诉平台"))
    score = min(1.0, score)
    level = "high" if score >= HIGH else "medium" if score >= MEDIUM else "low"
    return RiskResult(level, round(score, 3), reasons)
