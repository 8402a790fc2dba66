"""Precision, recall and accuracy by kind for the labelled dev sets in bench/."""

from __future__ import annotations

from collections import Counter, defaultdict
from typing import Iterable


def score(outcomes: Iterable[tuple[bool, int, str]]) -> dict:
    """Return the report for (predicted, label, kind) triples."""
    tp = fp = fn = tn = 0
    by_kind: dict[str, Counter] = defaultdict(Counter)
    n = 0
    for got, label, kind in outcomes:
        n += 1
        by_kind[kind][got == bool(label)] += 1
        tp += got and label
        fp += got and not label
        fn += (not got) and label
        tn += (not got) and not label
    p = tp / (tp + fp) if tp + fp else 0.0
    r = tp / (tp + fn) if tp + fn else 0.0
    return {"n": n, "tp": tp, "fp": fp, "fn": fn, "tn": tn, "precision": round(p, 4), "recall": round(r, 4),
            "f1": round(2 * p * r / (p + r), 4) if p + r else 0.0,
            "accuracy_by_kind": {k: round(c[True] / sum(c.values()), 3) for k, c in by_kind.items()}}
