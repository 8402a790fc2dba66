"""Category: exactly one of the twelve in DESIGN §3, with the reason it was chosen.

Four parts, in this order:
1. cue rules for the classes no labelled message set covers well (自然灾害, 安全生产, 社会治安,
   政务服务): a cue in the title/opening, or two different cues in the text, decide;
2. on a short text (≤ SHORT_CHARS), the short-post rules: the product's own cues for what fj2's
   labels route by department (lifts, buses, noise, the epidemic, schools, sport);
3. the scope gate: text a linear model places outside public affairs (entertainment, games,
   markets, world news) is 其他;
4. the topical model (fj2's seven classes plus CEC's emergencies), taken when it is confident
   enough, else 其他.
Weights are trained by scripts/train_models.py; the training report sits beside them.
"""

from __future__ import annotations

from dataclasses import dataclass

import ahocorasick_rs

from .linear import Doc, HashCache, LinearModel

CATEGORIES = ("城乡建设", "环境保护", "交通运输", "教育文体", "劳动和社会保障", "商贸旅游", "卫生计生",
              "安全生产", "社会治安", "政务服务", "自然灾害", "其他")

# Cues are harm and service words, never opinions. Order is precedence on a tie.
RULES: dict[str, tuple[str, ...]] = {
    "自然灾害": ("地震", "余震", "震感", "洪水", "洪涝", "山洪", "暴雨", "内涝", "台风", "冰雹", "泥石流",
             "山体滑坡", "暴雪", "龙卷风", "旱灾", "海啸", "寒潮"),
    "安全生产": ("火灾", "起火", "着火", "失火", "大火", "爆炸", "爆燃", "坍塌", "塌方", "泄漏", "车祸",
             "追尾", "相撞", "侧翻", "交通事故", "安全事故", "生产事故", "触电", "坠亡", "高空坠落", "消防"),
    "社会治安": ("盗窃", "被盗", "偷窃", "抢劫", "抢夺", "诈骗", "斗殴", "打架", "殴打", "持刀", "砍人",
             "行凶", "杀人", "命案", "绑架", "吸毒", "贩毒", "赌博", "涉黑", "黑恶", "恐怖袭击", "传销",
             "敲诈", "勒索", "嫌疑人", "刑拘", "报警"),
    "政务服务": ("政务服务", "政务大厅", "行政审批", "办事大厅", "一网通办", "便民服务中心", "办事效率",
             "12345", "政务公开", "推诿扯皮", "踢皮球", "门难进", "脸难看", "事难办"),
}
# Short posts (a subject line, a Weibo post, a hot-search title) carry too few words for the
# model, which learnt fj2's long messages and fj2's routing by department (lifts under 商贸旅游,
# buses under 城乡建设). On a short text a cue of the product's own rules decides
# (bench/category/README.md): the class with most cues, the earlier one on a tie.
SHORT_CHARS = 80          # the short-post dev set's bound; fj2's messages are longer even without stop words
SHORT_RULES: dict[str, tuple[str, ...]] = {
    "劳动和社会保障": ("社保", "医保", "报销", "养老金", "退休", "工资", "欠薪", "低保", "残疾人", "残疾证", "就业",
                 "失业", "人才补贴", "人才政策", "档案", "公积金", "劳动合同", "五险一金"),
    "卫生计生": ("疫情", "肺炎", "新冠", "冠状病毒", "病毒", "口罩", "医护", "医务人员", "确诊", "疑似病例", "防疫",
             "医院", "诊所", "医生", "护士", "药品", "疫苗", "白衣天使", "武汉加油", "患者", "就医", "封城"),
    "交通运输": ("公交", "地铁", "出租车", "网约车", "驾校", "驾考", "科目三", "停车", "红绿灯", "信号灯", "斑马线",
             "人行横道", "客运站", "高速", "收费站", "火车站", "航班", "机场", "护栏", "堵车", "拥堵", "过马路",
             "交警", "违章", "车牌", "车道", "天桥", "引桥", "公路"),
    "环境保护": ("扰民", "噪音", "噪声", "油烟", "排放", "污染", "焚烧", "异味", "臭气", "刺鼻", "废气", "废水", "污水",
             "扬尘", "刺眼"),
    "教育文体": ("学校", "小学", "中学", "初中", "高中", "一中", "二中", "幼儿园", "补课", "培训机构", "高考", "中考",
             "入学", "升学", "读书", "学位", "教师招聘", "试教", "体育馆", "图书馆", "博物馆", "文物", "遗址", "世界杯",
             "国足", "马拉松", "乒乓", "世乒赛", "奥运", "作文"),
    "商贸旅游": ("商家", "商场", "超市", "消费者", "涨价", "退款", "退货", "景区", "旅游", "酒店", "菜市场", "网购",
             "快递", "信用卡", "租赁", "招商引资", "服务业"),
    "政务服务": ("办证", "证明", "手续", "审批", "窗口", "户口", "村委", "干部", "贪腐", "公开", "藏着掖着"),
    "城乡建设": ("电梯", "物业", "小区", "业主", "开发商", "楼盘", "房产证", "购房", "安置", "拆迁", "征收", "违建",
             "违章搭建", "暖气", "供暖", "停水", "供水", "自来水", "停电", "燃气", "液化气", "路灯", "井盖", "绿地",
             "规划", "修路", "打通", "道路", "路面", "占道", "摊贩", "城管", "维修资金", "业委会", "集资房", "三表",
             "水沟", "围墙", "土地"),
}
HEAD_CHARS = 40
MIN_CONFIDENCE = 0.3     # below this the topical model's best guess is 其他
MAX_OUT_OF_SCOPE = 0.5   # the scope gate's P(out) above which an item is 其他
SHORT_OUT_OF_SCOPE = 0.8  # … when a short-post cue says otherwise (the gate is unsure on short posts)
# A cue does not overrule the model when it is this sure of another class:
# a consumer complaint that mentions 诈骗 is still about a shop (商贸旅游).
MODEL_OVERRULES = 0.7


@dataclass(slots=True)
class CategoryResult:
    label: str
    score: float
    why: str


def is_short(d: Doc) -> bool:
    """A post or a bare title: no more than SHORT_CHARS and no body under a subject line. A
    message with a subject and a body is read by the model, however short its body."""
    if d.title_words:
        return len(d.text) <= len("".join(d.title_words)) + 2
    return len(d.text) <= SHORT_CHARS


_SHORT_CUES = [(category, cue) for category, cues in SHORT_RULES.items() for cue in cues]
_SHORT_AUTOMATON = ahocorasick_rs.AhoCorasick([cue for _, cue in _SHORT_CUES])
_SHORT_ORDER = {category: i for i, category in enumerate(SHORT_RULES)}


def short_category(text: str) -> tuple[str, list[str]] | None:
    """The short-post rule: (category, cues) of the class with most cues in `text`, the earlier
    class on a tie, or None."""
    found: dict[str, list[str]] = {}
    for i, _, _ in _SHORT_AUTOMATON.find_matches_as_indexes(text, overlapping=True):
        category, cue = _SHORT_CUES[i]
        if cue not in found.setdefault(category, []):
            found[category].append(cue)
    if not found:
        return None
    category = min(found, key=lambda c: (-len(found[c]), _SHORT_ORDER[c]))
    return category, found[category]


def rule_category(head: str, text: str) -> tuple[str, list[str]] | None:
    """Return (category, cues) when the cue rules decide, else None."""
    best = None
    for category, cues in RULES.items():
        found = [c for c in cues if c in text]
        if not found:
            continue
        in_head = any(c in head for c in found)
        if in_head or len(found) >= 2:
            strength = len(found) + 2 * in_head
            if best is None or strength > best[0]:
                best = (strength, category, found)
    return (best[1], best[2]) if best else None


@dataclass
class Categorizer:
    topic: LinearModel
    scope: LinearModel

    def classify(self, docs: list[Doc], cache: HashCache | None = None) -> list[CategoryResult]:
        if not docs:
            return []
        cache = cache or HashCache(docs)
        proba = self.topic.proba(docs, cache)
        out_col = self.scope.classes.index("out")
        p_out = self.scope.proba(docs, cache)[:, out_col]
        best = proba.argmax(axis=1)
        results = []
        for i, d in enumerate(docs):
            head = "".join(d.title_words) if d.title_words else d.text[:HEAD_CHARS]
            label, p = self.topic.classes[best[i]], float(proba[i, best[i]])
            ruled = rule_category(head, d.text[:5000])
            if ruled and not (p >= MODEL_OVERRULES and label != ruled[0]):
                category, cues = ruled
                results.append(CategoryResult(category, 1.0, "规则：" + "、".join(cues[:5])))
                continue
            short = short_category(d.text) if is_short(d) else None
            if p_out[i] > (SHORT_OUT_OF_SCOPE if short else MAX_OUT_OF_SCOPE):
                results.append(CategoryResult("其他", round(float(p_out[i]), 3),
                                              f"不属政务民生范围（{p_out[i]:.2f}）"))
            elif short:
                category, cues = short
                results.append(CategoryResult(category, 0.9, "短文规则：" + "、".join(cues[:5])))
            elif is_short(d) and label in RULES:
                # the model learnt these classes from long emergency news; on a short post no cue
                # of theirs means it is guessing
                results.append(CategoryResult("其他", round(1 - p, 3), f"短文无{label}线索（模型 {p:.2f}）"))
            elif p < MIN_CONFIDENCE:
                results.append(CategoryResult("其他", round(1 - p, 3), f"模型不确定（最可能：{label} {p:.2f}）"))
            else:
                results.append(CategoryResult(label, round(p, 3), f"模型：{label} {p:.2f}"))
        return results
