"""Region relevance on real text: the dev sets in bench/relevance/ (see its README).

For each region file the scheme is that region alone (its code is the file name's start); each
snippet is cleaned and simplified as ingest does, then judged by the same matcher the analyzer
uses. Prints precision and recall per region, for the dev part and the held-out part (sha1 of
the text starting 0-4) apart, and with -v every miss.

Usage: python bench/relevance_real.py [-v] [--landmarks]
  --landmarks  also load bench/relevance/REGION.landmarks.yaml (names an analyst accepted)
"""

from __future__ import annotations

import hashlib
import sys
from pathlib import Path

import orjson

ROOT = Path(__file__).resolve().parents[1]
HERE = ROOT / "bench" / "relevance"
sys.path.insert(0, str(ROOT / "bench"))
from binary_eval import score  # noqa: E402


def rows(path: Path) -> list[dict]:
    return [orjson.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def is_holdout(text: str) -> bool:
    return hashlib.sha1(text.encode("utf-8")).hexdigest()[0] in "01234"


def region_files() -> list[Path]:
    return sorted(HERE.glob("*.jsonl"))


def judge(path: Path, landmarks: bool = False):
    """Yield (row, label the system gave) for one region file."""
    sys.path.insert(0, str(ROOT / "src"))
    from yuqing.analysis.relevance import RegionMatcher
    from yuqing.ingest import clean_text, to_simplified
    from yuqing.scheme import Scheme

    code = path.name.split("-")[0]
    marks = {}
    extra = path.with_suffix(".landmarks.yaml")
    if landmarks and extra.exists():
        import yaml
        marks = yaml.safe_load(extra.read_text(encoding="utf-8")) or {}
    matcher = RegionMatcher.for_scheme(Scheme(name=code, region=code, landmarks=marks))
    for row in rows(path):
        text = to_simplified(clean_text(row["t"]))
        yield row, matcher.relevance(text)


def evaluate(landmarks: bool = False, verbose: bool = False) -> dict[str, dict]:
    out = {}
    for path in region_files():
        judged = list(judge(path, landmarks))
        for part, keep in (("dev", lambda r: not is_holdout(r["t"])), ("holdout", lambda r: is_holdout(r["t"])),
                           ("all", lambda r: True)):
            sel = [(r, rel) for r, rel in judged if keep(r)]
            out[f"{path.stem}/{part}"] = score((rel["label"] == "yes", r["y"], r["kind"]) for r, rel in sel)
            out[f"{path.stem}/{part}"]["possible"] = sum(rel["label"] == "possible" for _, rel in sel)
        if verbose:
            for r, rel in judged:   # the held-out part's misses only with --show-holdout (after tuning)
                if is_holdout(r["t"]) and "--show-holdout" not in sys.argv:
                    continue
                if (rel["label"] == "yes") != bool(r["y"]):
                    part = "H" if is_holdout(r["t"]) else "D"
                    print(f"  {path.stem[:6]} {part} y={r['y']} got={rel['label']:8} {r['kind']:11} {r['t'][:60]}")
                    print(f"      {'; '.join(rel['reasons'])[:160]}")
    return out


def main() -> None:
    result = evaluate("--landmarks" in sys.argv, "-v" in sys.argv)
    for key, s in result.items():
        print(f"{key:32} n={s['n']:4} P={s['precision']:.3f} R={s['recall']:.3f} possible={s['possible']}")


if __name__ == "__main__":
    main()
