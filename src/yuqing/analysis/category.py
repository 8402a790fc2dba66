"""Category: exactly one of the twelve in DESIGN §3, with the reason it was chosen.

Three parts, in this order:
1. cue rules for the classes no labelled message set covers well (自然灾害, 安全生产, 社会治安,
   政务服务): a cue in the title/opening, or two different cues in the text, decide;
2. the scope gate: text a linear model places outside public affairs (entertainment, games,
   markets, world news) is 其他;
3. the topical model (fj2's seven classes plus CEC's emergencies), taken when it is confident
   enough, else 其他.
Weights are trained by scripts/train_models.py; the training report sits beside them.
"""

from __future__ import annotations

from dataclasses import dataclass

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
HEAD_CHARS = 40
MIN_CONFIDENCE = 0.3     # below this the topical model's best guess is 其他
MAX_OUT_OF_SCOPE = 0.5   # the scope gate's P(out) above which an item is 其他
# A cue does not overrule the model when it is this sure of another class:
# a consumer complaint that mentions 诈骗 is still about a shop (商贸旅游).
MODEL_OVERRULES = 0.7


@dataclass(slots=True)
class CategoryResult:
    label: str
    score: float
    why: str


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
            if p_out[i] > MAX_OUT_OF_SCOPE:
                results.append(CategoryResult("其他", round(float(p_out[i]), 3),
                                              f"不属政务民生范围（{p_out[i]:.2f}）"))
            elif p < MIN_CONFIDENCE:
                results.append(CategoryResult("其他", round(1 - p, 3), f"模型不确定（最可能：{label} {p:.2f}）"))
            else:
                results.append(CategoryResult(label, round(p, 3), f"模型：{label} {p:.2f}"))
        return results
