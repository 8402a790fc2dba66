"""Near-duplicate dev set: pairs built from real Weibo posts (weibo2018) with real-world edits.

positives  the same post with one edit: a hashtag or a link added, 【转】/来源 wrappers, emoticons
           appended, traditional script, a typo every ~25 characters, the last sentence(s) cut, a
           comment prepended. (A Weibo repost chain "comment//@B: B's comment" carries comments, not
           the original, so reposts are followed through repost_of, not scored here.)
negatives  two different posts; and two different posts from the same topic file
           (topics/*.txt: the same celebrity, event or university), which share many words

Usage: python bench/dedup_dev.py  (prints precision/recall by kind)
"""

from __future__ import annotations

import os
import random
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "bench"))
from binary_eval import score  # noqa: E402
DATA = Path(os.environ.get("YUQING_DATA") or ROOT.parent / "shared" / "data").resolve()


def _posts(data: Path) -> list[str]:
    out = []
    with open(data / "weibo2018_sentiment/train.txt", encoding="utf-8") as f:
        for line in f:
            parts = line.rstrip("\n").split(",", 2)
            if len(parts) == 3 and len(parts[2]) >= 40:
                out.append(parts[2])
    return out


def _topic_posts(data: Path) -> dict[str, list[str]]:
    topics = {}
    for path in sorted((data / "weibo2018_sentiment/topics").glob("*.txt")):
        lines = [l.strip() for l in path.read_text(encoding="utf-8").splitlines() if len(l.strip()) >= 40]
        if len(lines) >= 2:
            topics[path.stem] = lines
    return topics


def _edits(rng: random.Random):
    import opencc

    t2s = opencc.OpenCC("s2t")

    def typo(s: str) -> str:
        chars = list(s)
        for i in range(0, len(chars), 25):
            j = min(len(chars) - 1, i + rng.randrange(25))
            chars[j] = rng.choice("的了是在我有他这中大来上个")
        return "".join(chars)

    def cut_last(s: str) -> str:
        parts = re.split(r"(?<=[。！？!?])", s)
        return "".join(parts[:-2]) if len([p for p in parts if p]) > 2 else s[: int(len(s) * 0.85)]

    return {
        "hashtag": lambda s: f"#{rng.choice(['热点', '关注', '廊坊'])}# {s}",
        "link": lambda s: f"{s} http://t.cn/A6{rng.randrange(10**6):06d}",
        "wrapper": lambda s: f"【转】{s}（来源：网络）",
        "emoji": lambda s: f"{s}[{rng.choice(['赞', '哈哈', '泪'])}][{rng.choice(['赞', '心'])}]",
        "traditional": lambda s: t2s.convert(s),
        "typos": typo,
        "cut": cut_last,
        "comment": lambda s: f"{rng.choice(['这事怎么看？', '转给大家看看：'])}{s}",
    }


def build(data: Path = DATA, n: int = 100, seed: int = 7) -> list[tuple[str, str, int, str]]:
    """Return (first, second, label, kind) pairs."""
    rng = random.Random(seed)
    posts = _posts(data)
    rng.shuffle(posts)
    pool = iter(posts)
    rows = []
    for kind, edit in _edits(rng).items():
        for _ in range(n):
            s = next(pool)
            rows.append((s, edit(s), 1, kind))
    for _ in range(n * 2):
        rows.append((next(pool), next(pool), 0, "different"))
    topics = _topic_posts(data)
    names = sorted(topics)
    for i in range(n * 2):
        lines = topics[names[i % len(names)]]
        a, b = rng.sample(lines, 2)
        if a != b:
            rows.append((a, b, 0, "same-topic"))
    return rows


def evaluate(rows, make_index) -> dict:
    """Return precision/recall/F1 and accuracy by kind; each pair gets a fresh index."""
    def outcome(a: str, b: str) -> bool:
        index = make_index()
        index.add("a", a)
        return index.add("b", b) == "a"

    return score((outcome(a, b), label, kind) for a, b, label, kind in rows)


def main() -> None:
    sys.path.insert(0, str(ROOT / "src"))
    from yuqing.analysis.dedup import NearDuplicates

    print(evaluate(build(), NearDuplicates))


if __name__ == "__main__":
    main()
