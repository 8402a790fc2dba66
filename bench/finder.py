"""The local-name finder on a real stream, judged by reading (bench/finder/README.md).

The stream: an office's own complaint export (fj3: 4,326 citizen messages to a city's 留言板,
places anonymised as A市/A3区, roads and estates left as written) imported as a local source of a
长沙市 scheme (the messages are from 长沙: 星沙, 暮云, 梅溪湖), and 10,000 Weibo posts of 2018 as
the rest of the stream. `yuqing scheme suggest` lists candidates; each of the top 20 is judged in
bench/finder/fj3-4301.tsv (1: a local road, estate or facility an analyst would accept; 0: not).
A second stream, fj4 (2,816 other messages of the same 留言板), was judged once the finder was
tuned on fj3 and never tuned on. Run: python bench/finder.py [DATA_DIR] [--stream=fj4] [--show]
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
STREAMS = {   # name: (file under zhihui_zhengwu, judgments); fj4 was judged after the finder was tuned on fj3
    "fj3": ("fj3_messages_with_votes.csv", ROOT / "bench/finder/fj3-4301.tsv"),
    "fj4": ("fj4_messages_with_replies.csv", ROOT / "bench/finder/fj4-4301.tsv"),
}
TOP = 20


def yq(cwd: Path, *args: str) -> str:
    return subprocess.run([sys.executable, "-m", "yuqing.cli", *args], cwd=cwd, capture_output=True, text=True,
                          check=True, env={**os.environ, "HOME": str(cwd)}).stdout


def judgments(path: Path) -> dict[str, int]:
    out = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            name, verdict, *_why = line.split("\t")
            out[name] = int(verdict)
    return out


def run(data: Path, stream: str = "fj3") -> dict:
    """Build the stream in a fresh store, ask for suggestions, score the top 20 by the judgments."""
    with tempfile.TemporaryDirectory() as tmp:
        cwd = Path(tmp)
        yq(cwd, "init", "--region", "4301")
        yq(cwd, "import", str(data / "zhihui_zhengwu" / STREAMS[stream][0]), "--local", "--platform",
           "complaint", "--map", "text=留言详情", "--map", "title=留言主题", "--map", "published_at=留言时间",
           "--map", "id=留言编号")
        with open(cwd / "weibo.jsonl", "w", encoding="utf-8") as f:
            for line in (data / "weibo2018_sentiment/train.txt").read_text(encoding="utf-8").splitlines():
                parts = line.split(",", 2)
                if len(parts) == 3:
                    f.write(json.dumps({"id": parts[0], "platform": "weibo", "text": parts[2]}, ensure_ascii=False) + "\n")
        yq(cwd, "import", "weibo.jsonl")
        got = json.loads(yq(cwd, "scheme", "suggest", "--since", "2000-01-01", "--limit", str(TOP), "--json"))
    judged = judgments(STREAMS[stream][1])
    top = got["candidates"][:TOP]
    verdicts = [judged.get(c["name"]) for c in top]
    good = sum(1 for v in verdicts if v == 1)
    return {"scanned": got["scanned"], "suggested": len(top), "precision_top20": good / max(len(top), 1),
            "unjudged": [c["name"] for c, v in zip(top, verdicts) if v is None],
            "wrong": [c["name"] for c, v in zip(top, verdicts) if v == 0], "candidates": top}


if __name__ == "__main__":
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    stream = next((a.split("=", 1)[1] for a in sys.argv if a.startswith("--stream=")), "fj3")
    result = run(Path(args[0] if args else ROOT.parent / "shared/data"), stream)
    if "--show" in sys.argv:
        for c in result["candidates"]:
            print(f"{c['name']}\t{c['count']}/{c['rest']}\tlift {c['lift']}\t{c['code']}\t{c['examples'][0]['text'][:60]}")
    print(json.dumps({k: v for k, v in result.items() if k != "candidates"}, ensure_ascii=False))
