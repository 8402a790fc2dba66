"""Monitoring schemes (DESIGN §4): the YAML file and its boolean word rule.

Rule syntax: words, "quoted phrases", `&` (and), `|` (or), `!` (not), parentheses. Words written
side by side are joined by and. `!` binds tightest, then `&`, then `|`. A word or phrase matches
when it occurs in the simplified text (Chinese is not written with spaces, so containment is what
a reader means by "the text says 火灾"). Errors name the position and show it with a caret.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

import yaml


class SchemeError(ValueError):
    """A scheme or rule that cannot be used; the message says where and why."""


# --- the rule language -------------------------------------------------------------------

@dataclass(frozen=True)
class Term:
    text: str

    def matches(self, text: str) -> bool:
        return self.text in text

    def words(self) -> set[str]:
        return {self.text}


@dataclass(frozen=True)
class Not:
    inner: "Node"

    def matches(self, text: str) -> bool:
        return not self.inner.matches(text)

    def words(self) -> set[str]:
        return set()   # words under a negation never make an item match


@dataclass(frozen=True)
class All:
    parts: tuple["Node", ...]

    def matches(self, text: str) -> bool:
        return all(p.matches(text) for p in self.parts)

    def words(self) -> set[str]:
        return set().union(*(p.words() for p in self.parts))


@dataclass(frozen=True)
class Any_:
    parts: tuple["Node", ...]

    def matches(self, text: str) -> bool:
        return any(p.matches(text) for p in self.parts)

    def words(self) -> set[str]:
        return set().union(*(p.words() for p in self.parts))


Node = Term | Not | All | Any_
_TOKEN = re.compile(r'\s*(?:(?P<op>[&|!()])|"(?P<phrase>[^"]*)"|(?P<open>")|(?P<word>[^\s&|!()"]+))')


def _tokens(rule: str) -> list[tuple[str, str, int]]:
    out, pos = [], 0
    while pos < len(rule):
        m = _TOKEN.match(rule, pos)
        if not m or m.end() == pos:
            if rule[pos:].strip() == "":
                break
            raise _error(rule, pos, "这里不能用这个字符")
        if m["op"]:
            out.append(("op", m["op"], m.start("op")))
        elif m["phrase"] is not None:
            if not m["phrase"].strip():
                raise _error(rule, m.start(), "引号中的短语是空的")
            out.append(("term", m["phrase"], m.start()))
        elif m["open"]:
            raise _error(rule, m.start("open"), "短语缺少结尾的引号 \"")
        elif m["word"]:
            out.append(("term", m["word"], m.start("word")))
        pos = m.end()
    return out


def _error(rule: str, pos: int, what: str) -> SchemeError:
    import unicodedata

    # Chinese characters take two columns in a terminal: pad by width, not by count
    pad = "".join("  " if unicodedata.east_asian_width(c) in "WF" else " " for c in rule[:pos])
    return SchemeError(f"规则第 {pos + 1} 个字符处有误：{what}\n  {rule}\n  {pad}^")


def parse_rule(rule: str) -> Node | None:
    """Return the rule's syntax tree (None for an empty rule), or raise SchemeError with the position."""
    from .ingest import to_simplified

    rule = rule or ""
    tokens = [(kind, to_simplified(value) if kind == "term" else value, pos) for kind, value, pos in _tokens(rule)]
    if not tokens:
        return None
    at = 0

    def peek() -> tuple[str, str, int] | None:
        return tokens[at] if at < len(tokens) else None

    def take() -> tuple[str, str, int]:
        nonlocal at
        at += 1
        return tokens[at - 1]

    def either() -> Node:
        parts = [both()]
        while (t := peek()) and t[1] == "|" and t[0] == "op":
            take()
            parts.append(both())
        return parts[0] if len(parts) == 1 else Any_(tuple(parts))

    def both() -> Node:
        parts = [unary()]
        while (t := peek()) and (t[0] == "term" or t[1] in ("&", "!", "(")):
            if t[1] == "&" and t[0] == "op":
                take()
            parts.append(unary())
        return parts[0] if len(parts) == 1 else All(tuple(parts))

    def unary() -> Node:
        t = peek()
        if t is None:
            raise _error(rule, len(rule), "结尾缺少一个词、短语、! 或 (")
        if t[0] == "term":
            take()
            return Term(t[1])
        if t[1] == "!":
            take()
            return Not(unary())
        if t[1] == "(":
            take()
            inner = either()
            close = peek()
            if close is None or close[1] != ")" or close[0] != "op":
                raise _error(rule, t[2], "这个 ( 没有对应的 )")
            take()
            return inner
        raise _error(rule, t[2], f"{t[1]!r} 不能出现在这里；这里应是一个词、短语、! 或 (")

    tree = either()
    if (t := peek()) is not None:
        raise _error(rule, t[2], f"这里不该有 {t[1]!r}" + ("（前面没有对应的 (）" if t[1] == ")" else ""))
    return tree


# --- the scheme file ---------------------------------------------------------------------

@dataclass
class Scheme:
    name: str
    region: str | None = None
    require_region: bool = True
    rule: Node | None = None
    rule_text: str = ""
    exclude: tuple[str, ...] = ()
    alert: dict[str, Any] = field(default_factory=dict)
    landmarks: dict[str, str] = field(default_factory=dict)   # name → code of the place it lies in
    report: dict[str, Any] = field(default_factory=dict)      # its briefings: recipients and office template

    def is_relevant(self, text_sc: str, in_region: Callable[[str], bool] | None) -> bool:
        """Return whether an item is relevant: in the region (when required) and through the words."""
        if not self.words_match(text_sc):
            return False
        if self.region and self.require_region:
            return in_region is not None and in_region(text_sc)
        return True

    def relevance(self, text_sc: str, region_relevance: Callable[[], dict]) -> dict:
        """Return `analysis.relevance` ({"label": yes|possible|no, "reasons": [...]}): the word
        rule and the exclusions first, then (when required) the region's judgment."""
        refused = self._words_refuse(text_sc)
        if refused:
            return {"label": "no", "reasons": [refused]}
        if self.region and self.require_region:
            return region_relevance()
        return {"label": "yes", "reasons": ["符合方案的词语规则"] if self.rule is not None else ["方案未限定地区"]}

    def words_match(self, text_sc: str) -> bool:
        """Return whether a (simplified) text passes the word rule and the exclusions."""
        return self._words_refuse(text_sc) is None

    def _words_refuse(self, text_sc: str) -> str | None:
        """Why the exclusions or the word rule refuse a text (a Chinese sentence), or None."""
        excluded = next((word for word in self.exclude if word in text_sc), None)
        if excluded is not None:
            return f"含排除词「{excluded}」"
        if self.rule is not None and not self.rule.matches(text_sc):
            return "不符合方案的词语规则"
        return None


_KEYS = {"name", "region", "require_region", "rule", "exclude", "alert", "landmarks", "report"}
# a scheme's own briefings: where the scheduled ones go, and the 红头 they carry (over yuqing.toml's)
REPORT_KEYS = {"recipients": "接收报告的通道列表，如 [email-town]", "masthead": "红头名称", "office": "编发单位",
               "signer": "签发人", "cc": "抄送"}
MAX_SCHEME_BYTES = 1_000_000
MAX_RULE_CHARS = 20_000


class _PlainLoader(yaml.SafeLoader):
    """YAML without anchors and aliases: a scheme never needs them, and 500 bytes of nested
    aliases expand to billions of nodes (the "billion laughs" of YAML)."""

    def compose_node(self, parent, index):
        event = self.peek_event()
        if isinstance(event, yaml.AliasEvent) or getattr(event, "anchor", None):
            raise yaml.composer.ComposerError(None, None, "方案中不能使用锚点与别名（& 和 *）", event.start_mark)
        return super().compose_node(parent, index)

    def construct_mapping(self, node, deep=False):
        # YAML keeps the last of two equal keys without a word: a landmark (or a whole `alert`
        # block) written twice would vanish silently
        seen: dict = {}
        for key_node, _value in node.value:
            key = self.construct_object(key_node, deep=True)
            if isinstance(key, (str, int, float, bool)) and key in seen:
                raise yaml.constructor.ConstructorError(
                    None, None, f"「{key}」写了两次（第 {seen[key] + 1} 行和第 {key_node.start_mark.line + 1} 行）",
                    key_node.start_mark)
            if isinstance(key, (str, int, float, bool)):
                seen[key] = key_node.start_mark.line
        return super().construct_mapping(node, deep)


def parse_scheme_yaml(text: str, where: str) -> Any:
    """Return the YAML document of a scheme; SchemeError for what cannot be one."""
    if len(text.encode("utf-8", "surrogatepass")) > MAX_SCHEME_BYTES:
        raise SchemeError(f"{where}: 方案文件超过 {MAX_SCHEME_BYTES:,} 字节")
    try:
        return yaml.load(text, Loader=_PlainLoader) or {}
    except yaml.YAMLError as exc:
        raise SchemeError(f"{where}: {exc}") from None
    except RecursionError:
        raise SchemeError(f"{where}: 嵌套层数过多") from None


def load_scheme(path: str | Path, known_region: Callable[[str], bool] | None = None) -> Scheme:
    """Return the scheme in a YAML file, checked; SchemeError says what is wrong."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise SchemeError(f"{path}: {exc}") from None
    return scheme_from_text(text, path, known_region)


def scheme_from_text(text: str, path: str | Path = "方案", known_region: Callable[[str], bool] | None = None) -> Scheme:
    """Return the scheme a YAML text describes, checked; errors name `path` (a file, or a
    stored scheme's key). Its name, when it has none, is the file's stem."""
    from .ingest import to_simplified

    path = Path(path)
    data = parse_scheme_yaml(text, str(path))
    if not isinstance(data, dict):
        raise SchemeError(f"{path}: 方案应是若干键值（{', '.join(sorted(_KEYS))}），不是列表或单个值")
    unknown = set(data) - _KEYS
    if unknown:
        raise SchemeError(f"{path}: 不认识的键 {sorted(unknown)}；方案可用的键：{sorted(_KEYS)}")
    region = str(data["region"]).strip() if data.get("region") not in (None, "") else None
    if region is not None and (not region.isdigit() or (known_region and not known_region(region))):
        raise SchemeError(f"{path}: region {region!r} 不是已知的行政区划代码")
    if data.get("require_region", True) and region is None and not data.get("rule"):
        raise SchemeError(f"{path}: 方案至少要有 region（地区）或 rule（关键词规则）之一")
    exclude = data.get("exclude") or []
    if not isinstance(exclude, list) or not all(isinstance(w, str) and w.strip() for w in exclude):
        raise SchemeError(f"{path}: exclude 应是词的列表，如 exclude: [\"广告\", \"招聘\"]")
    landmarks = data.get("landmarks") or {}
    if not isinstance(landmarks, dict) or not all(
            isinstance(k, str) and k.strip() and str(v).strip().isdigit() for k, v in landmarks.items()):
        raise SchemeError(f"{path}: landmarks 应是“地名: 区划代码”，如 万达广场: \"131003\"")
    for name, code in landmarks.items():
        if known_region and not known_region(str(code).strip()):
            raise SchemeError(f"{path}: 地标「{name}」的区划代码 {code} 不存在")
        problem = landmark_problem(name.strip())
        if problem:
            raise SchemeError(f"{path}: 地标「{name}」{problem}")
    simplified: dict[str, str] = {}
    for name in landmarks:
        same = simplified.setdefault(to_simplified(name.strip()), name)
        if same != name:
            raise SchemeError(f"{path}: 地标「{same}」和「{name}」是同一个名称（繁简或空格不同），只留一个")
    rule_text = str(data.get("rule") or "")
    if len(rule_text) > MAX_RULE_CHARS:
        raise SchemeError(f"{path}: 规则超过 {MAX_RULE_CHARS:,} 个字符")
    try:
        rule = parse_rule(rule_text)
    except SchemeError as exc:
        raise SchemeError(f"{path}: {exc}") from None
    except RecursionError:
        raise SchemeError(f"{path}: 规则的括号嵌套过深") from None
    report = data.get("report") or {}
    if not isinstance(report, dict) or set(report) - set(REPORT_KEYS):
        raise SchemeError(f"{path}: report 可用的键：" + "；".join(f"{k}（{v}）" for k, v in REPORT_KEYS.items()))
    recipients = report.get("recipients") or []
    if not isinstance(recipients, list) or not all(isinstance(c, str) and c.strip() for c in recipients):
        raise SchemeError(f"{path}: report.recipients 应是通道名的列表，如 recipients: [email-town]")
    if not all(isinstance(report.get(k), (str, type(None))) for k in REPORT_KEYS if k != "recipients"):
        raise SchemeError(f"{path}: report 的 masthead、office、signer、cc 应是文字")
    from .alerts.rules import RuleError, parse_rules

    try:
        parse_rules(data.get("alert"), str(path))
    except RuleError as exc:
        raise SchemeError(str(exc)) from None
    return Scheme(name=str(data.get("name") or path.stem), region=region,
                  require_region=bool(data.get("require_region", True)), rule=rule, rule_text=rule_text,
                  exclude=tuple(to_simplified(w.strip()) for w in exclude), alert=dict(data.get("alert") or {}),
                  landmarks={to_simplified(k.strip()): str(v).strip() for k, v in landmarks.items()},
                  report={k: v for k, v in report.items() if v})


# A landmark that is a common word alone (中心, 广场, 火车站) would make every item that uses the
# word count for the region. Words below this inverse document frequency (data/idf.tsv.gz: in more
# than about one document in 1,800) are common; 国贸 (8.6) passes, 商场 (6.8) does not.
COMMON_WORD_IDF = 7.5


def landmark_problem(name: str) -> str | None:
    """Why a name cannot be a landmark (a Chinese phrase), or None."""
    from .analysis.keywords import idf_table
    from .analysis.resolve import is_ordinary_word

    if len(name) < 2:
        return "太短：一个字不能说明是本地"
    idf, _unseen = idf_table()
    if (name in idf and idf[name] < COMMON_WORD_IDF) or is_ordinary_word(name):
        return "是常用词，单独出现不能说明是本地，请写完整名称（如「万达广场」而不是「广场」）"
    return None


@dataclass
class DryRun:
    """What a scheme would catch in stored items, and what that changes against how they are
    judged now (`added`: relevant with this scheme and not now; `removed`: the reverse)."""

    scanned: int = 0
    relevant: int = 0
    possible: int = 0
    by_platform: dict[str, int] = field(default_factory=dict)
    samples: list[dict[str, Any]] = field(default_factory=list)
    added: int = 0
    removed: int = 0
    added_samples: list[dict[str, Any]] = field(default_factory=list)
    removed_samples: list[dict[str, Any]] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {"scanned": self.scanned, "relevant": self.relevant, "possible": self.possible,
                "by_platform": self.by_platform, "samples": self.samples, "added": self.added,
                "removed": self.removed, "added_samples": self.added_samples,
                "removed_samples": self.removed_samples}


def dry_run(scheme: Scheme, rows, matcher=None, show: int = 10) -> DryRun:
    """Run a scheme over stored item rows (Store.iter_items or recent_items) and count what it
    would catch; rows that carry their stored `relevant` are compared with it."""
    from .ingest import to_simplified
    from .models import LOCAL_SOURCE

    result = DryRun()

    def keep(samples: list, sample: dict) -> None:
        samples.append(sample)
        samples.sort(key=lambda s: -s["published_ts"])
        del samples[show:]

    for row in rows:
        result.scanned += 1
        text = "\n".join(t for t in (to_simplified(row["title"] or ""), row["text_sc"] or row["text"]) if t)
        local = LOCAL_SOURCE in (row.get("flags") or "").split(",")
        resolved = matcher.resolved(text) if matcher is not None else []
        relevance = scheme.relevance(text, lambda: matcher.relevance(
            text, resolved, local_source=(row.get("source") or "") if local else None))
        label = relevance["label"]
        sample = {"id": row["id"], "published_ts": row["published_ts"], "text": text[:120],
                  "places": [r.place.name for r in resolved if r.place is not None], "reasons": relevance["reasons"]}
        was = row.get("relevant")
        if was is not None and bool(was) != (label == "yes"):
            if label == "yes":
                result.added += 1
                keep(result.added_samples, sample)
            else:
                result.removed += 1
                keep(result.removed_samples, sample)
        if label == "possible":
            result.possible += 1
        if label != "yes":
            continue
        result.relevant += 1
        result.by_platform[row["platform"]] = result.by_platform.get(row["platform"], 0) + 1
        keep(result.samples, sample)
    return result


def add_landmark_text(text: str, name: str, code: str) -> str:
    """Return the scheme text with a landmark added, the rest of the file (comments) as it was."""
    return _add_entry(text, "landmarks", f'{_yaml_str(name)}: "{code}"', mapping=True)


def add_exclude_text(text: str, word: str) -> str:
    """Return the scheme text with an exclusion word added, the rest as it was."""
    return _add_entry(text, "exclude", _yaml_str(word), mapping=False)


def _yaml_str(value: str) -> str:
    import json

    return json.dumps(value, ensure_ascii=False)


def _add_entry(text: str, key: str, entry: str, mapping: bool) -> str:
    """Add one entry to a top-level block or flow collection of a scheme's YAML text."""
    lines = text.splitlines()
    head = re.compile(rf"^{key}:\s*(?P<value>[^#]*?)\s*(?P<comment>#.*)?$")
    for n, line in enumerate(lines):
        m = head.match(line)
        if not m:
            continue
        value = m["value"]
        if value in ("", "~", "null"):
            # a block collection: after its last indented line
            end = n + 1
            while end < len(lines) and (lines[end].startswith((" ", "\t")) or not lines[end].strip()):
                end += 1
            while end > n + 1 and not lines[end - 1].strip():
                end -= 1
            lines.insert(end, f"  {entry}" if mapping else f"  - {entry}")
        else:
            # a flow collection on one line ({a: b} or [a, b]): written again with the entry
            current = yaml.safe_load(value)
            if mapping:
                current = dict(current or {})
                k, v = yaml.safe_load("{" + entry + "}").popitem()
                current[k] = v
                body = ", ".join(f"{_yaml_str(str(a))}: {_yaml_str(str(b))}" for a, b in current.items())
                lines[n] = f"{key}: {{{body}}}" + (f"  {m['comment']}" if m["comment"] else "")
            else:
                current = list(current or []) + [yaml.safe_load(entry)]
                lines[n] = f"{key}: [{', '.join(_yaml_str(str(w)) for w in current)}]" + (
                    f"  {m['comment']}" if m["comment"] else "")
        return "\n".join(lines) + "\n"
    block = f"{key}:\n  {entry}" if mapping else f"{key}:\n  - {entry}"
    return text.rstrip("\n") + ("\n" if text.strip() else "") + block + "\n"


def configured_region(settings) -> str | None:
    """The region of the configured scheme file, or None (no scheme yet, or one that cannot be
    read: the callers — report titles, the overview's town breakdown — then cover every place)."""
    path = settings.path(settings.scheme)
    try:
        return load_scheme(path).region if path.exists() else None
    except SchemeError:
        return None
