"""Alert rules as data: the scheme's `alert` block (and global rules in the settings).

A rule fires on an event record and says why, with its numbers:

```yaml
alert:
  min_risk: high                 # shorthand for one rule
  rules:
    - {name: 高风险, min_risk: high}                     # level: high (always sent at once)
    - {name: 爆发, burst: true}                          # the event is in outbreak now
    - {name: 热度, min_heat: 60}
    - {name: 新事件, new_event: true, min_risk: medium}  # a new event in the region
    - {name: 官方来源, source_class: [media, official, complaint]}
    - {name: 火情, keywords: "(火灾 | 起火) & !演练"}
    - {name: 上榜, hotlist: true}                        # a topic of the event entered a hot list (top 50)
    - {name: 升榜, hotlist: true, max_rank: 10}          # … or reached its top 10
  channels: [inbox, wecom]       # names of [[channels]] in yuqing.toml; inbox is always there
```

Conditions within one rule must all hold. Every rule has a level (high, medium, low): high goes
out at once, medium respects quiet hours, low waits for the daily digest.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Iterable, Mapping

from ..labels import zh
from ..scheme import SchemeError, parse_rule

LEVELS = ("low", "medium", "high")
RISK_ORDER = {"low": 0, "medium": 1, "high": 2}
SOURCE_CLASSES = ("media", "official", "complaint")
_KEYS = {"name", "level", "min_risk", "burst", "min_heat", "new_event", "source_class", "keywords", "min_items",
         "hotlist", "max_rank"}


class RuleError(ValueError):
    pass


@dataclass(frozen=True)
class Rule:
    name: str
    level: str = "medium"
    min_risk: str | None = None
    burst: bool = False
    min_heat: float | None = None
    new_event: bool = False
    source_class: tuple[str, ...] = ()
    keywords: str | None = None
    min_items: int = 1
    hotlist: bool = False
    max_rank: int = 50
    _match: Any = field(default=None, compare=False, repr=False)

    def check(self, record: Mapping[str, Any], texts: Iterable[str] = (), is_new: bool = False) -> list[str] | None:
        """The reasons it fires on this event record, or None. `texts`: the event's new items'
        text (for keyword rules); `is_new`: the event has just formed."""
        reasons = []
        if record.get("size", 0) < self.min_items:
            return None
        if self.min_risk:
            level = record["risk"]["level"]
            if RISK_ORDER[level] < RISK_ORDER[self.min_risk]:
                return None
            reasons.append(f"风险{ {'high': '高', 'medium': '中', 'low': '低'}[level] }（{'、'.join(record['risk']['reasons'][:4])}）")
        if self.burst:
            signal = record["stage"].get("signal")
            if not signal:
                return None
            reasons.append(f"爆发：{signal['window_s'] / 60:.0f} 分钟 {signal['observed']} 条，基线 {signal['baseline']}，"
                           f"{signal['ratio']} 倍，{signal['sources']} 个来源")
        if self.min_heat is not None:
            value = record["heat"]["value"]
            if value < self.min_heat:
                return None
            reasons.append(f"热度 {value}（≥ {self.min_heat:g}）")
        if self.new_event:
            if not is_new:
                return None
            reasons.append("新事件")
        if self.source_class:
            hits = [c for c in self.source_class if c in record.get("source_classes", ())]
            if not hits:
                return None
            reasons.append("来源：" + "、".join({"media": "媒体", "official": "官方", "complaint": "投诉平台"}[c] for c in hits))
        if self.hotlist:
            hot = record.get("hot")
            if not hot or hot["best_rank"] > self.max_rank:
                return None
            before = hot.get("prev_best_rank")
            if before is not None and before <= self.max_rank:
                return None           # it had reached this rank before: said then, not again
            on = f"，在榜 {hot['minutes_on_list']} 分钟" if hot.get("minutes_on_list") else ""
            reasons.append(f"{'上榜' if before is None else '升榜'}：{hot['list']} 第 {hot['best_rank']} 位"
                           f"（前 {self.max_rank} 位{on}）：{hot['title']}")
        if self.keywords:
            hit = next((t for t in texts if self._match(t)), None)
            if hit is None:
                return None
            reasons.append(f"关键词规则：{self.keywords}")
        return reasons


def parse_rules(block: Mapping[str, Any] | None, origin: str = "scheme") -> list[Rule]:
    """The rules of an `alert` block; a clear RuleError for anything it cannot read."""
    block = dict(block or {})
    raw = list(block.get("rules") or [])
    if block.get("min_risk"):
        raw.insert(0, {"name": f"风险≥{zh('risk', block['min_risk'])}", "min_risk": block["min_risk"],
                       "level": "high" if block["min_risk"] == "high" else "medium"})
    rules = []
    for i, r in enumerate(raw, start=1):
        if not isinstance(r, Mapping):
            raise RuleError(f"{origin}: 第 {i} 条预警规则应是若干键值")
        unknown = set(r) - _KEYS
        if unknown:
            raise RuleError(f"{origin}: 第 {i} 条预警规则有不认识的键 {sorted(unknown)}；可用：{sorted(_KEYS)}")
        level = r.get("level") or ("high" if r.get("min_risk") == "high" else "medium")
        if level not in LEVELS:
            raise RuleError(f"{origin}: 第 {i} 条预警规则：level {level!r} 只能是 {LEVELS}")
        if r.get("min_risk") and r["min_risk"] not in RISK_ORDER:
            raise RuleError(f"{origin}: 第 {i} 条预警规则：min_risk {r['min_risk']!r} 只能是 low、medium 或 high")
        classes = r.get("source_class") or ()
        classes = (classes,) if isinstance(classes, str) else tuple(classes)
        bad = [c for c in classes if c not in SOURCE_CLASSES]
        if bad:
            raise RuleError(f"{origin}: 第 {i} 条预警规则：source_class {bad} 只能是 {SOURCE_CLASSES}")
        match = None
        if r.get("keywords"):
            try:
                match = parse_rule(str(r["keywords"])).matches
            except SchemeError as exc:
                raise RuleError(f"{origin}: 第 {i} 条预警规则的 keywords：{exc}") from None
        if r.get("max_rank") is not None and (not isinstance(r["max_rank"], int) or r["max_rank"] < 1):
            raise RuleError(f"{origin}: 第 {i} 条预警规则：max_rank 应是不小于 1 的整数")
        if not any(r.get(k) for k in ("min_risk", "burst", "min_heat", "new_event", "source_class", "keywords",
                                      "hotlist")):
            raise RuleError(f"{origin}: 第 {i} 条预警规则没有任何条件")
        rules.append(Rule(str(r.get("name") or f"rule {i}"), level, r.get("min_risk"), bool(r.get("burst")),
                          float(r["min_heat"]) if r.get("min_heat") is not None else None, bool(r.get("new_event")),
                          classes, r.get("keywords"), int(r.get("min_items") or 1), bool(r.get("hotlist")),
                          int(r.get("max_rank") or 50), match))
    return rules


def channels_of(block: Mapping[str, Any] | None) -> list[str]:
    names = list((block or {}).get("channels") or ["inbox"])
    return [n.split(":", 1)[1] if n.startswith("webhook:") else n for n in names]
