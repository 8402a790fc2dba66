"""Linear text classifiers over hashed n-gram features, stored as plain arrays.

The same featuriser serves training (scripts/train_models.py) and analysis, so what a model
saw in training is exactly what it sees at run time. Features come in blocks, each hashed into
its own range, weighted by sublinear tf × idf and L2-normalised on its own:

- ``w``: words (from the segmenter; training data that arrives segmented keeps its words),
- ``c``: character 1–3-grams, which carry what segmentation gets wrong,
- ``h``: the head — title words, or the first words when there is no title; a complaint's
  subject line says most of what it is about,
- ``l``: one dense column, the polarity of the words found in a sentiment lexicon (a word
  after a negation counts the other way), squashed with tanh. The lexicon is shipped only as
  a hashed polarity table (word hash → +1/−1), not as a word list.

A model directory holds ``weights.npz`` (idf, coef, intercept: float arrays only, loaded with
``allow_pickle=False``) and ``model.json`` (classes, blocks, hashing size, temperature), with
the training report beside them. Nothing pickled, nothing downloaded.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

import mmh3
import numpy as np

HEAD_WORDS = 20
# Features are taken from the first characters only: a 1 MB post costs what a long article
# costs, and what an item is about is settled well before this point.
MAX_FEATURE_CHARS = 3000


@dataclass(slots=True)
class Doc:
    """What a classifier reads: the text, its words, and the title words if there is a title."""

    text: str
    words: list[str]
    title_words: list[str] | None = None


def _content(words: list[str]) -> list[str]:
    return [w for w in words if not w.isspace() and any(ch.isalnum() for ch in w)]


def char_ngrams(text: str, lo: int = 1, hi: int = 3) -> list[str]:
    t = "".join(text[:MAX_FEATURE_CHARS].split())
    return [t[i : i + n] for n in range(lo, hi + 1) for i in range(len(t) - n + 1)]


def block_tokens(block: str, doc: Doc) -> list[str]:
    if block == "w":
        return _content(doc.words)
    if block == "c":
        return char_ngrams(doc.text)
    if block == "l":
        raise ValueError("the lexicon block is a dense column, built by LinearModel.features")
    if block == "h":
        return _content(doc.title_words if doc.title_words else doc.words)[:HEAD_WORDS]
    raise ValueError(f"unknown feature block {block!r}")


NEGATIONS = frozenset("不 没 没有 无 非 未 别 不是 不要 不会 不能 不太 并不 从不 毫无 绝不".split())
NEGATION_REACH = 2


def polarity_tokens(words: list[str]) -> list[str]:
    """Words, a word within two after a negation marked with a leading ¬."""
    out, last_neg = [], -10
    for i, w in enumerate(words):
        if w in NEGATIONS:
            last_neg = i
            continue
        out.append("¬" + w if i - last_neg <= NEGATION_REACH else w)
    return out


def polarity_table(words: dict[str, int], bits: int) -> np.ndarray:
    """Hash a {word: ±1} lexicon into a table; ¬word gets the opposite sign."""
    table = np.zeros(2**bits, dtype=np.int8)
    for word, p in words.items():
        table[_hash(word) % 2**bits] = p
        table[_hash("¬" + word) % 2**bits] = -p
    return table


def lexicon_score(docs: list[Doc], table: np.ndarray) -> np.ndarray:
    size = len(table)
    sums = [sum(int(table[_hash(t) % size]) for t in polarity_tokens(d.words)) for d in docs]
    return np.tanh(np.asarray(sums, dtype=np.float32) / 2)


def _hash(token: str) -> int:
    # MurmurHash3 (32-bit, seed 0), the hash of scikit-learn's HashingVectorizer: a model
    # trained with that vectoriser and scored here sees the same buckets
    return abs(mmh3.hash(token, 0))


@dataclass(slots=True)
class Hashed:
    """A batch of documents as weighted hashed features, in coordinate form (row, col, value)."""

    rows: np.ndarray
    cols: np.ndarray
    vals: np.ndarray
    n_docs: int
    n_features: int

    def to_scipy(self):
        """The same matrix as scipy CSR (training uses it; analysis does not need scipy)."""
        from scipy import sparse

        return sparse.csr_matrix((self.vals, (self.rows, self.cols)), shape=(self.n_docs, self.n_features))


def raw_counts(docs: list[Doc], blocks: str, bits: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Hashed token counts: (rows, cols, counts), blocks side by side, each in its own range."""
    size = 2**bits
    rows: list[int] = []
    cols: list[int] = []
    for b, block in enumerate(blocks):
        offset = b * size
        for i, d in enumerate(docs):
            hashed = [offset + _hash(t) % size for t in block_tokens(block, d)]
            cols.extend(hashed)
            rows.extend([i] * len(hashed))
    if not cols:
        empty = np.zeros(0, dtype=np.int64)
        return empty, empty, np.zeros(0, dtype=np.float32)
    n_features = len(blocks) * size
    keys, counts = np.unique(np.asarray(rows, dtype=np.int64) * n_features + np.asarray(cols, dtype=np.int64),
                             return_counts=True)
    return keys // n_features, keys % n_features, counts.astype(np.float32)


def fit_idf(docs: list[Doc], blocks: str, bits: int) -> np.ndarray:
    """Smoothed idf per hashed feature (what scikit-learn's TfidfTransformer computes)."""
    rows, cols, _ = raw_counts(docs, blocks, bits)
    df = np.bincount(cols, minlength=len(blocks) * 2**bits)
    n = len(docs)
    return (np.log((1 + n) / (1 + df)) + 1).astype(np.float32)


def hashed_features(docs: list[Doc], blocks: str, bits: int, idf: np.ndarray) -> Hashed:
    """Sublinear tf × idf, each block of each document L2-normalised."""
    rows, cols, counts = raw_counts(docs, blocks, bits)
    vals = (1 + np.log(counts)) * idf[cols]
    block = cols >> bits
    group = rows * len(blocks) + block
    norms = np.sqrt(np.bincount(group, weights=vals * vals, minlength=len(docs) * len(blocks)))
    vals = (vals / np.maximum(norms[group], 1e-12)).astype(np.float32)
    return Hashed(rows, cols, vals, len(docs), len(blocks) * 2**bits)


def features(docs: list[Doc], blocks: str, bits: int, idf: np.ndarray,
             polarity: np.ndarray | None = None) -> Hashed:
    """All of a model's features: the hashed blocks, then the lexicon column if asked for."""
    hashed = hashed_features(docs, blocks.replace("l", ""), bits, idf)
    if "l" not in blocks:
        return hashed
    column = hashed.n_features
    score = lexicon_score(docs, polarity)
    rows = np.arange(len(docs))
    return Hashed(np.concatenate([hashed.rows, rows]), np.concatenate([hashed.cols, np.full(len(docs), column)]),
                  np.concatenate([hashed.vals, score.astype(np.float32)]), len(docs), column + 1)


@dataclass
class LinearModel:
    name: str
    classes: list[str]
    blocks: str
    bits: int
    idf: np.ndarray
    coef: np.ndarray            # (classes, features), float32
    intercept: np.ndarray       # (classes,)
    temperature: float = 1.0    # softmax(decision / temperature) gives calibrated probabilities
    info: dict = field(default_factory=dict)
    polarity: np.ndarray | None = None   # hashed lexicon table when blocks include "l"

    def features(self, docs: list[Doc]) -> Hashed:
        return features(docs, self.blocks, self.bits, self.idf, self.polarity)

    def decision(self, docs: list[Doc]) -> np.ndarray:
        x = self.features(docs)
        contrib = self.coef[:, x.cols] * x.vals          # (classes, nonzeros)
        out = np.empty((len(docs), len(self.classes)), dtype=np.float64)
        for c in range(len(self.classes)):
            out[:, c] = np.bincount(x.rows, weights=contrib[c], minlength=len(docs))
        return out + self.intercept

    def proba(self, docs: list[Doc]) -> np.ndarray:
        return softmax(self.decision(docs) / self.temperature)

    def save(self, directory: Path) -> None:
        directory.mkdir(parents=True, exist_ok=True)
        # float16 halves the package; the decisions it changes are ties to the third decimal
        arrays = {"idf": self.idf.astype(np.float16), "coef": self.coef.astype(np.float16),
                  "intercept": self.intercept.astype(np.float32)}
        if self.polarity is not None:
            arrays["polarity"] = self.polarity.astype(np.int8)
        np.savez_compressed(directory / "weights.npz", **arrays)
        meta = {"name": self.name, "classes": self.classes, "blocks": self.blocks,
                "bits": self.bits, "temperature": self.temperature, "info": self.info}
        (directory / "model.json").write_text(json.dumps(meta, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")


def load_model(directory: Path) -> LinearModel:
    meta = json.loads((Path(directory) / "model.json").read_text(encoding="utf-8"))
    with np.load(Path(directory) / "weights.npz", allow_pickle=False) as arrays:
        idf = arrays["idf"].astype(np.float32)
        coef = arrays["coef"].astype(np.float32)
        intercept = arrays["intercept"].astype(np.float32)
        polarity = arrays["polarity"] if "polarity" in arrays else None
    hashed = len(meta["blocks"].replace("l", "")) * 2 ** meta["bits"]
    n_features = hashed + ("l" in meta["blocks"])
    if coef.shape != (len(meta["classes"]), n_features) or idf.shape != (hashed,):
        raise ValueError(f"{directory}: weights do not match model.json (coef {coef.shape}, idf {idf.shape})")
    return LinearModel(meta["name"], meta["classes"], meta["blocks"], meta["bits"], idf, coef,
                       intercept, meta.get("temperature", 1.0), meta.get("info", {}), polarity)


def softmax(z: np.ndarray) -> np.ndarray:
    z = z - z.max(axis=1, keepdims=True)
    e = np.exp(z)
    return e / e.sum(axis=1, keepdims=True)


def fit_temperature(decision: np.ndarray, y: np.ndarray) -> float:
    """The softmax temperature that minimises log-loss on held-out decisions (grid search)."""
    best, best_t = np.inf, 1.0
    for t in np.exp(np.linspace(np.log(0.05), np.log(5), 60)):
        p = softmax(decision / t)
        loss = -np.mean(np.log(p[np.arange(len(y)), y] + 1e-12))
        if loss < best:
            best, best_t = loss, float(t)
    return best_t
