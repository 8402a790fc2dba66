"""Risk: low | medium | high, with the reasons in words an analyst reads.

Risk means harm and public impact, never political opinion (docs/analysis.md has the definition).
harm.py reads the text sentence by sentence (cues with their status, casualty numbers, how many
people, collective action, victims, the kind of text); this module turns that reading into a few
dozen named features and weighs them with a multinomial logistic model trained on the risk dev
set labelled by reading (scripts/train_risk.py, bench/risk/). The weights are a small JSON file
(data/models/risk/model.json): every feature has a name, so the model is read as easily as the
rules it replaced, and the reasons name what the text said.

The cue lists are curated by hand from the CEC trigger lexicon (Apache-2.0) and the
livelihood/violence/corruption lists of risk_lexicon_konsheng (MIT); that second source is mostly
a censorship list of names and political terms, and none of those are used.

`score` is P(high) + 0.4·P(medium), one number to rank by; where the definition sets a floor
(floor()), it is lifted above 0.5 (high) or 0.3 (medium) and still grows with the model's.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from pathlib import Path

import numpy as np
import rjieba

from .harm import CUES, KIND_LABELS, PEOPLE_KINDS, Reading, read
from .linear import Doc, HashCache, LinearModel, load_model, softmax

AUTHORITY_PLATFORMS = {"news", "complaint"}
AUTHORITY_WORDS = ("发布", "日报", "晚报", "新闻", "电视台", "广播", "公安", "消防", "应急管理", "政府", "融媒")
PLATFORMS = ("news", "complaint", "weibo", "forum")
LEVELS = ("low", "medium", "high")
ENGAGEMENT_LOGITS = np.array([0.0, 0.5, 1.0])   # added to low/medium/high × the engagement feature
HEDGES = {"negated": "已否定", "hypothetical": "假设/隐患", "figurative": "比喻或非人", "past": "往事"}
TEXT_KINDS = {"notice": "通知/工作动态", "explainer": "科普/解读", "followup": "后续/处理", "bulletin": "数字通报",
              "request": "咨询/建议", "past": "往事", "live": "现场/刚发生"}


@dataclass(slots=True)
class RiskResult:
    level: str
    score: float
    reasons: list[str] = field(default_factory=list)


def engagement(metrics: dict | None) -> int:
    m = metrics or {}
    return sum(int(m.get(k) or 0) for k in ("reposts", "comments", "likes"))


def features(r: Reading, negative: float, platform: str, metrics: dict | None, source: str | None,
             length: int) -> dict[str, float]:
    """The named features of one item (the model's inputs; absent names are 0)."""
    f: dict[str, float] = {}
    live_kinds = {c.kind for c in r.live()}
    for kind in CUES:
        if kind in live_kinds:
            f[f"live:{kind}"] = 1.0
    people_harm = bool(live_kinds & set(PEOPLE_KINDS))
    f["live_people_harm"] = float(people_harm)
    f["live_kinds"] = math.log1p(len(live_kinds))
    for status in HEDGES:
        n = sum(1 for c in r.cues if c.status == status)
        if n:
            f[f"hedged:{status}"] = 1.0
    f["only_hedged"] = float(bool(r.cues) and not live_kinds)
    f["dead"] = math.log1p(r.dead)
    f["hurt"] = math.log1p(r.hurt)
    f["casualties"] = float(r.dead + r.hurt > 0)
    f["people"] = math.log10(1 + r.people)
    f["people_100"] = float(r.people >= 100)
    f["collective_x_people"] = f.get("live:群体", 0.0) * f["people"]
    f["livelihood_x_people"] = f.get("live:民生", 0.0) * f["people"]
    f["fraud_x_people"] = f.get("live:治安诈骗", 0.0) * f["people"]
    f["dated_action"] = float(bool(r.dated_action))
    f["gathering"] = float(bool(r.gathering))
    f["victims"] = float(r.victims_any)
    f["victims_x_harm"] = float(bool(r.victims))
    f["officials_x_harm"] = float(r.officials and bool(live_kinds & {"暴力犯罪", "失职腐败", "伤亡"}))
    for kind in TEXT_KINDS:
        if kind in r.kinds:
            f[f"text:{kind}"] = 1.0
    f["abroad"] = float(r.abroad)
    f["abroad_x_harm"] = float(r.abroad and people_harm)
    f["abroad_x_dead"] = float(r.abroad) * f["dead"]
    f["natural_death"] = float(r.natural_death)
    if r.magnitude:
        f["quake_strong" if r.magnitude >= 6 else "quake_weak"] = 1.0
    f[f"platform:{platform if platform in PLATFORMS else 'other'}"] = 1.0
    f["negative"] = negative
    n = engagement(metrics)
    f["engagement"] = min(1.0, math.log10(n) / 5) if n >= 10 else 0.0
    f["authority"] = float(platform in AUTHORITY_PLATFORMS or bool(source and any(w in source for w in AUTHORITY_WORDS)))
    f["length"] = math.log10(1 + length) / 3
    return f


@dataclass(slots=True)
class RiskModel:
    """The named features' weights plus a hashed word and character n-gram part (linear.py),
    which carries what no pattern names; one multinomial logistic model over both."""

    names: list[str]
    coef: np.ndarray        # classes × named features
    text: LinearModel       # its intercept is the whole model's
    high_threshold: float = 1.0   # P(high) from which an item is high (chosen by cross-validation)

    @classmethod
    def load(cls, directory=None) -> "RiskModel":
        directory = Path(str(directory or resources.files("yuqing").joinpath("data/models/risk")))
        text = load_model(directory)
        if text.classes != list(LEVELS):
            raise ValueError(f"risk model classes {text.classes} are not {list(LEVELS)}")
        named = text.info["named"]
        coef = np.array(named["coef"], dtype=float)
        if coef.shape != (len(LEVELS), len(named["features"])):
            raise ValueError(f"{directory}: named weights do not match their features")
        return cls(named["features"], coef, text, float(text.info.get("high_threshold", 1.0)))

    def matrix(self, rows: list[dict[str, float]]) -> np.ndarray:
        return named_matrix(rows, self.names)

    def proba(self, rows: list[dict[str, float]], docs: list[Doc], cache: HashCache | None = None) -> np.ndarray:
        z = self.matrix(rows) @ self.coef.T + self.text.decision(docs, cache)
        # Public impact: the dev set has no engagement counts to learn from, so this weight is set,
        # not learned: at 10^5 interactions an item that reports harm gains 1 in the logit of high.
        spread = np.array([f.get("engagement", 0.0) * (f.get("live_kinds", 0.0) > 0) for f in rows])
        z += np.outer(spread, ENGAGEMENT_LOGITS)
        return softmax(z)


def named_matrix(rows: list[dict[str, float]], names: list[str]) -> np.ndarray:
    index = {n: i for i, n in enumerate(names)}
    x = np.zeros((len(rows), len(names)))
    for i, f in enumerate(rows):
        for k, v in f.items():
            j = index.get(k)
            if j is not None:
                x[i, j] = v
    return x


@cache
def model() -> RiskModel:
    return RiskModel.load()


CASUALTY_WORDS = ("死亡", "身亡", "遇难", "丧生", "罹难", "伤亡", "死伤", "受伤", "重伤", "轻伤", "烧死", "烧伤", "被困",
                  "失踪", "溺亡", "不治", "抢救无效", "遇害", "丧命", "砸死", "压死", "撞死", "打死", "昏迷", "送医")
INCIDENT_KINDS = {"火灾爆炸", "事故", "暴力犯罪", "自然灾害", "中毒疫情"}
OUTAGES = ("停水", "停电", "停暖", "断水", "断电", "不供暖", "没有暖气")
GATHERING_ACTS = ("聚集", "静坐", "堵路", "堵门", "围堵", "游行", "示威", "罢工", "罢课", "拉横幅", "打横幅", "挂横幅",
                  "上访", "群访", "请愿")
GROUP_GRIEVANCES = ("拖欠工资", "欠薪", "拖欠", "烂尾", "无法交房", "不交房", "房产证", "强拆", "跑路") + OUTAGES


FACILITY = re.compile("仓库|仓储|物流园|工厂|厂房|车间|化工|加油站|加气站|市场|商场|超市|商铺|门市|小区|居民楼|住宅楼|"
                      "大楼|写字楼|学校|幼儿园|医院|养老院|敬老院|酒店|宾馆|KTV|网吧|高层")


def floor(r: Reading) -> tuple[int, str] | None:
    """The definition's plain cases (docs/analysis.md), as the lowest level the model may give:
    deaths reported as happening here, a gathering that happened or one set for a date, a
    large-scale outage; a collective grievance of dozens of people is at least medium. Not for
    what happens abroad or in the past."""
    if r.abroad or ("past" in r.kinds and "live" not in r.kinds):
        return None
    live = {c.kind for c in r.live()}
    if r.dead >= 1 and "伤亡" in live and not r.natural_death:
        return 2, "伤亡"
    # people hurt in an incident: a fire, an accident, violence, a disaster, a poisoning
    if any(c.word in CASUALTY_WORDS for c in r.live("伤亡")) and live & INCIDENT_KINDS and not r.natural_death:
        return 2, "伤亡"
    if r.dated_action or r.gathering:
        return 2, "群体性"
    # a fire or an explosion at a building people work or live in, reported as it happens (not a
    # notice or a follow-up about one): a serious accident by the definition, hurt or not
    if not r.kinds & {"notice", "followup", "explainer"} and any(
            FACILITY.search(c.context) for c in r.live("火灾爆炸")):
        return 2, "火灾爆炸"
    if r.people >= 50 and any(c.word in GATHERING_ACTS for c in r.live("群体")):
        return 2, "群体性"
    if r.people >= 1000 and any(c.word in OUTAGES for c in r.live("民生")):
        return 2, "大面积停水停电停暖"
    grievance = any(c.word in GROUP_GRIEVANCES for c in r.live("民生"))
    if r.people >= 30 and ("群体" in live or "治安诈骗" in live or grievance):
        return 1, "群体诉求"
    return None


def harm_cues(text: str) -> dict[str, list[str]]:
    """The live harm cues of a text by kind, each word once, in order of appearance."""
    out: dict[str, list[str]] = {}
    for c in read(text).live():
        words = out.setdefault(c.kind, [])
        if c.word not in words:
            words.append(c.word)
    return out


def reasons(r: Reading, f: dict[str, float], n_engaged: int, negative: float, sentiment: str) -> list[str]:
    """What the text said, in words: casualties, harm by kind, scale, victims, what did not count."""
    out = []
    if r.casualty_text:
        out.append("伤亡：" + "、".join(r.casualty_text[:2]))
    by_kind: dict[str, list[str]] = {}
    for c in r.live():
        if c.word not in by_kind.setdefault(c.kind, []):
            by_kind[c.kind].append(c.word)
    for kind, words in sorted(by_kind.items(), key=lambda kv: kv[0] not in PEOPLE_KINDS):
        if kind == "伤亡" and r.casualty_text:
            continue
        extra = ""
        if kind in ("群体", "民生", "治安诈骗") and r.people >= 10:
            extra = f"（{r.people_text}）"
        out.append(f"{KIND_LABELS[kind]}：{'、'.join(words[:3])}{extra}")
    if r.dated_action:
        out.append(f"定有日期：{r.dated_action}")
    if r.gathering:
        out.append(f"聚集：{r.gathering}")
    if r.people >= 100 and not any(r.people_text in x for x in out):
        out.append(f"涉及人数：{r.people_text}")
    if f.get("victims_x_harm"):
        out.append("受害者：" + "、".join(r.victims[:2]))
    for status, label in HEDGES.items():
        contexts = [c.context for c in r.cues if c.status == status]
        if contexts:
            out.append(f"{label}：{contexts[0]}")
    kinds = [TEXT_KINDS[k] for k in ("notice", "explainer", "followup", "bulletin") if k in r.kinds]
    if kinds:
        out.append("文本：" + "、".join(kinds))
    if sentiment == "negative":
        out.append(f"负面情绪 {negative:.2f}")
    if n_engaged >= 100:
        out.append(f"互动量 {n_engaged:,}")
    return out


def assess_many(docs: list[Doc], negatives: list[float], sentiments: list[str], metrics: list[dict | None],
                platforms: list[str], sources: list[str | None], published: list[float] | None = None,
                cache: HashCache | None = None) -> list[RiskResult]:
    """Risk of a batch (`docs` as the other models read them; `negatives`: P(negative) where the
    sentiment label is negative, else 0): the readings item by item, the model in one product."""
    texts = [d.text for d in docs]
    published = published or [0.0] * len(texts)
    readings = [read(t, ts) for t, ts in zip(texts, published)]
    rows = [features(r, neg, p, m, s, len(t))
            for r, t, neg, p, m, s in zip(readings, texts, negatives, platforms, metrics, sources)]
    proba = model().proba(rows, docs, cache) if rows else np.zeros((0, 3))
    out = []
    for r, f, p, neg, sen, m in zip(readings, rows, proba, negatives, sentiments, metrics):
        level = "high" if p[2] >= model().high_threshold else LEVELS[int(p.argmax())]
        score = round(float(p[2] + 0.4 * p[1]), 3)
        least = floor(r)
        if least:
            # the floor's level, and a score above the floor's that still grows with the model's
            level = LEVELS[max(least[0], LEVELS.index(level))]
            base = (0.0, 0.3, 0.5)[least[0]]
            score = round(base + (1 - base) * score, 3)
        out.append(RiskResult(level, score, reasons(r, f, engagement(m), neg, sen)))
    return out


def assess(text: str, category: str, negative: float, sentiment: str, metrics: dict | None,
           platform: str, source: str | None, published_ts: float = 0.0) -> RiskResult:
    """Risk of one item (`category` is not weighed: on short posts the reading says more than the label)."""
    doc = Doc(text, rjieba.cut(text))
    return assess_many([doc], [negative if sentiment == "negative" else 0.0], [sentiment], [metrics], [platform],
                       [source], [published_ts])[0]
