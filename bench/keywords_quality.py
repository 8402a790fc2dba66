"""Keyword quality (issue 16, part 5): place-name fragments, road fragments, variants and markers
among the keywords of real news and of the demo stream, with the old keywords (no place
spans) and the new ones side by side.

- place fragment: a keyword that is a proper part of a place name the text mentions (尖塔 of
  南尖塔镇, 解放 of 解放道街道, 银河 of 银河北路街道) — any gazetteer mention, resolved or not;
- road fragment: a keyword the text follows with a kind (爱民 of 爱民东道, 口袋 of 口袋公园), or a kind
  alone (东道, 街道, 社区);
- variant pair: in the corpus's 100 commonest keywords, a name and the same name with its
  suffix (廊坊 beside 廊坊市);
- marker: the demo's marking and editorial boilerplate (示例, 虚构, 展开全文…).

Usage: python bench/keywords_quality.py   (writes bench/out/keywords_quality.json)
"""

from __future__ import annotations

import json
import os
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
DATA = Path(os.environ.get("YUQING_DATA") or ROOT.parent / "shared" / "data")
KINDS = ("大街", "大道", "东道", "西道", "南道", "北道", "小区", "花园", "家园", "广场", "公园", "医院", "学校",
         "市场", "大厦", "路", "道", "街", "巷")
ALONE = {"东道", "西道", "南道", "北道", "街道", "社区", "大道", "大街", "开发区", "镇", "村"}
SUFFIXES = ("市", "区", "县", "镇", "乡", "街道", "省")


def texts() -> dict[str, list[str]]:
    cec = sorted((DATA / "cec_emergency_corpus" / "raw corpus" / "allSourceText").glob("*.txt"))
    news = [p.read_text(encoding="utf-8", errors="replace")[:3000] for p in cec]
    demo = [json.loads(line) for line in (ROOT / "src/yuqing/data/demo/stream.jsonl").read_text(encoding="utf-8").splitlines()
            if line.strip()]
    return {"CEC news (332 real reports)": news,
            "demo stream (303 items)": [((d.get("title") or "") + "\n" + d["text"]).strip() for d in demo]}


def old_keywords(tagged, k: int = 5) -> list[str]:
    """The keywords before part 5 (commit 25c223b): TF-IDF over content words, nothing else."""
    from yuqing.analysis.keywords import idf_table, is_content

    idf, unseen = idf_table()
    counts: Counter = Counter(w for w, t in tagged if is_content(w, t))
    return [w for w, _ in sorted(counts.items(), key=lambda wc: (-wc[1] * idf.get(wc[0], unseen), wc[0]))[:k]]


def measure(analyzer, docs: list[str], old: bool) -> dict:
    import rjieba

    from yuqing.analysis.analyze import Subject

    frag = road = markers = total = 0
    agg: Counter = Counter()
    examples: Counter = Counter()
    for start in range(0, len(docs), 256):
        subjects = [Subject(str(i), None, t) for i, t in enumerate(docs[start:start + 256])]
        for s, a in zip(subjects, analyzer.analyze_each(subjects)):
            text = s.full_text
            kws = old_keywords(rjieba.tag(text)) if old else a["keywords"]
            mentions = [m.text for m in analyzer.matcher.matcher.mentions(text)]
            for k in kws:
                total += 1
                agg[k] += 1
                if any(k != m and k in m for m in mentions):
                    frag += 1
                    examples[k] += 1
                elif k in ALONE or any(text.count(k + kind) and not k.endswith(KINDS) for kind in KINDS):
                    road += 1
                    examples[k] += 1
                elif k in ("示例", "虚构", "展开", "全文", "网页链接"):
                    markers += 1
    top = [w for w, _ in agg.most_common(100)]
    variants = sorted({(w, w + s) for w in top for s in SUFFIXES if w + s in top})
    return {"keywords": total, "place_fragments": frag, "road_fragments": road, "markers": markers,
            "variant_pairs_in_top100": [f"{a}/{b}" for a, b in variants],
            "fragment_share": round((frag + road) / max(1, total), 4),
            "commonest_fragments": [f"{w} {n}" for w, n in examples.most_common(8)]}


def main() -> None:
    from yuqing.analysis.analyze import Analyzer
    from yuqing.scheme import load_scheme
    from yuqing.starter import known_region

    scheme_path = ROOT / "bench" / "out" / "kw_scheme.yaml"
    scheme_path.parent.mkdir(exist_ok=True)
    scheme_path.write_text('name: t\nregion: "131003"\n', encoding="utf-8")
    out = {}
    for name, docs in texts().items():
        analyzer = Analyzer(load_scheme(scheme_path, known_region))
        out[name] = {"before": measure(analyzer, docs, old=True), "after": measure(analyzer, docs, old=False)}
    (ROOT / "bench" / "out" / "keywords_quality.json").write_text(json.dumps(out, ensure_ascii=False, indent=1))
    print(json.dumps(out, ensure_ascii=False, indent=1))


if __name__ == "__main__":
    main()
