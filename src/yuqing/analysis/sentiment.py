"""Sentiment: negative | neutral | positive with the label's probability (DESIGN §3).

A multinomial logistic regression over hashed words and character n-grams plus one lexicon
column (HowNet polarity with negation), trained by scripts/train_models.py on weibo2018 and
SMP2020; figures in the training report beside the weights.
"""

from __future__ import annotations

from dataclasses import dataclass

from .linear import Doc, HashCache, LinearModel


@dataclass(slots=True)
class SentimentResult:
    label: str
    score: float          # probability of `label`
    negative: float       # P(negative), used by risk
    polarity: str         # positive or negative, whichever is likelier (for two-class scoring)


@dataclass
class SentimentModel:
    model: LinearModel

    def predict(self, docs: list[Doc], cache: HashCache | None = None) -> list[SentimentResult]:
        if not docs:
            return []
        proba = self.model.proba(docs, cache)
        cls = self.model.classes
        neg, pos = cls.index("negative"), cls.index("positive")
        best = proba.argmax(axis=1)
        return [SentimentResult(cls[b], round(float(p[b]), 3), float(p[neg]),
                                "positive" if p[pos] >= p[neg] else "negative")
                for b, p in zip(best, proba)]
