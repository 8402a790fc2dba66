"""Merge a batch of labels (index <TAB> y <TAB> kind <TAB> why, indexes into bench/risk/candidates.jsonl)
into bench/risk/dev.jsonl, keeping what was labelled before. Run: python scripts/risk_labels.py BATCH.tsv"""

from __future__ import annotations

import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CANDIDATES = ROOT / "bench/risk/candidates.jsonl"
DEV = ROOT / "bench/risk/dev.jsonl"
LEVELS = {"high", "medium", "low"}


def main(batch: str) -> None:
    candidates = [json.loads(line) for line in CANDIDATES.read_text(encoding="utf-8").splitlines()]
    labelled = {}
    if DEV.exists():
        for line in DEV.read_text(encoding="utf-8").splitlines():
            row = json.loads(line)
            labelled[row["id"]] = row
    for line in Path(batch).read_text(encoding="utf-8").splitlines():
        if not line.strip():
            continue
        index, y, kind, *why = line.split("\t")
        if y not in LEVELS:
            raise SystemExit(f"{batch}: {line!r}: level must be one of {sorted(LEVELS)}")
        cand = candidates[int(index)]
        labelled[cand["id"]] = {"id": cand["id"], "src": cand["src"], "pool": cand["pool"], "t": cand["t"],
                                "y": y, "kind": kind, "why": (why[0] if why else "").strip()}
    order = {c["id"]: i for i, c in enumerate(candidates)}
    rows = sorted(labelled.values(), key=lambda r: order.get(r["id"], 1 << 30))
    DEV.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    print(f"{DEV}: {len(rows)} labelled")


if __name__ == "__main__":
    main(sys.argv[1])
