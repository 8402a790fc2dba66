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


def content_words(words: list[str]) -> list[str]:
    """Words with a letter, digit or ideograph in them (no spaces, no punctuation)."""
    return [w for w in words if w.isalnum() or (not w.isspace() and any(ch.isalnum() for ch in w))]


NEGATIONS = frozenset("不 没 没有 无 非 未 别 不是 不要 不会 不能 不太 并不 从不 毫无 绝不".split())
NEGATION_REACH = 2


def negated(words: list[str]) -> tuple[list[str], list[bool]]:
    """Words without the negations, each marked True when a negation comes within two before it."""
    out, flags, last_neg = [], [], -10
    for i, w in enumerate(words):
        if w in NEGATIONS:
            last_neg = i
            continue
        out.append(w)
        flags.append(i - last_neg <= NEGATION_REACH)
    return out, flags


# --- hashing, vectorised -------------------------------------------------------------------
# Tokens are hashed in numpy over a whole batch at once (a per-token Python hash call cost more
# than everything else in analysis together). A character n-gram's hash chains the code points
# of its characters; a word's hash chains its first MAX_WORD_CHARS characters. The mixing step is
# splitmix64's finaliser. Hashes are fixed by this code: models trained with it are scored with it.

_M1, _M2 = np.uint64(0xBF58476D1CE4E5B9), np.uint64(0x94D049BB133111EB)
_S30, _S27, _S31 = np.uint64(30), np.uint64(27), np.uint64(31)
_NGRAM_SEED, _WORD_SEED, _NEG_SEED = np.uint64(0x9E3779B97F4A7C15), np.uint64(0xD1B54A32D192ED03), np.uint64(0x8CB92BA72F3D8DD7)
MAX_WORD_CHARS = 16


def _mix(x: np.ndarray) -> np.ndarray:
    x = x ^ (x >> _S30)
    x = x * _M1
    x = x ^ (x >> _S27)
    x = x * _M2
    return x ^ (x >> _S31)


def _codepoints(text: str) -> np.ndarray:
    return np.frombuffer(text.encode("utf-32-le"), dtype=np.uint32).astype(np.uint64)


def gram_hashes(text: str, n: int) -> np.ndarray:
    """Hashes of the character n-grams of one text (for near-duplicate shingles)."""
    cps = _codepoints(text)
    with np.errstate(over="ignore"):
        h = _mix(cps ^ _NGRAM_SEED)
        for k in range(2, n + 1):
            h = _mix(h[:-1] ^ (cps[k - 1:] * _M1))
    return h


def ngram_hashes(texts: list[str], hi: int = 3) -> tuple[np.ndarray, np.ndarray]:
    """(doc index, hash) of every character 1..hi-gram of each text, whitespace removed.

    The whole batch is one array of code points; an n-gram that would cross from one text into
    the next is dropped, so each text hashes exactly as it would alone.
    """
    parts = ["".join(t[:MAX_FEATURE_CHARS].split()) for t in texts]
    lengths = np.array([len(p) for p in parts], dtype=np.int64)
    if not lengths.sum():
        return np.zeros(0, np.int64), np.zeros(0, np.uint64)
    cps = _codepoints("".join(parts))
    owner = np.repeat(np.arange(len(texts)), lengths)
    ends = np.repeat(np.cumsum(lengths), lengths)          # where each character's text ends
    pos = np.arange(len(cps))
    docs, hashes = [], []
    with np.errstate(over="ignore"):
        h = _mix(cps ^ _NGRAM_SEED)
        docs.append(owner)
        hashes.append(h)
        for n in range(2, hi + 1):
            h = _mix(h[:-1] ^ (cps[n - 1:] * _M1))           # h[i] now covers characters i..i+n-1
            inside = pos[: len(h)] + n <= ends[: len(h)]
            docs.append(owner[: len(h)][inside])
            hashes.append(h[inside])
    return np.concatenate(docs).astype(np.int64), np.concatenate(hashes)


def word_hashes(words: list[str]) -> np.ndarray:
    """One hash per word (its first MAX_WORD_CHARS characters), vectorised over the list."""
    if not words:
        return np.zeros(0, np.uint64)
    lengths = np.array([len(w) for w in words], dtype=np.int64)
    if lengths.max() > MAX_WORD_CHARS:
        words = [w[:MAX_WORD_CHARS] for w in words]
        lengths = np.minimum(lengths, MAX_WORD_CHARS)
    cps = _codepoints("".join(words))
    owner = np.repeat(np.arange(len(words)), lengths)
    pos = np.arange(len(cps)) - np.repeat(np.cumsum(lengths) - lengths, lengths)
    h = np.full(len(words), _WORD_SEED, dtype=np.uint64)
    with np.errstate(over="ignore"):
        for j in range(int(lengths.max(initial=0))):
            at = pos == j
            h[owner[at]] = _mix(h[owner[at]] ^ cps[at])
    return h


def block_hashes(docs: list[Doc], block: str, content: list[list[str]] | None = None) -> tuple[np.ndarray, np.ndarray]:
    """(doc index, hash) of every token of one feature block over a batch."""
    if block == "c":
        return ngram_hashes([d.text for d in docs])
    if block in ("w", "h"):
        if content is None:
            content = [content_words(d.words) for d in docs]
        if block == "w":
            lists = content
        else:   # the title's words, or the first words of the text
            lists = [content_words(d.title_words)[:HEAD_WORDS] if d.title_words else c[:HEAD_WORDS]
                     for d, c in zip(docs, content)]
        owner = np.repeat(np.arange(len(docs)), [len(x) for x in lists])
        return owner.astype(np.int64), word_hashes([w for x in lists for w in x])
    raise ValueError(f"unknown feature block {block!r}")


def polarity_table(words: dict[str, int], bits: int) -> np.ndarray:
    """Hash a {word: ±1} lexicon into a table of 2^bits signs; a negated word gets the opposite sign."""
    table = np.zeros(2**bits, dtype=np.int8)
    items = list(words.items())
    h = word_hashes([w for w, _ in items])
    signs = np.array([p for _, p in items], dtype=np.int8)
    with np.errstate(over="ignore"):
        table[(_mix(h ^ _NEG_SEED) % np.uint64(2**bits)).astype(np.int64)] = -signs
    table[(h % np.uint64(2**bits)).astype(np.int64)] = signs
    return table


def lexicon_score(docs: list[Doc], table: np.ndarray, content: list[list[str]] | None = None) -> np.ndarray:
    """tanh(sum of the lexicon signs of each document's words / 2), negations flipping the sign."""
    content = content if content is not None else [content_words(d.words) for d in docs]
    lists = [negated(ws) for ws in content]
    words = [w for ws, _ in lists for w in ws]
    flags = np.fromiter((f for _, fs in lists for f in fs), dtype=bool, count=len(words))
    owner = np.repeat(np.arange(len(docs)), [len(ws) for ws, _ in lists])
    h = word_hashes(words)
    with np.errstate(over="ignore"):
        h = np.where(flags, _mix(h ^ _NEG_SEED), h)
    signs = table[(h % np.uint64(len(table))).astype(np.int64)].astype(np.float32)
    return np.tanh(np.bincount(owner, weights=signs, minlength=len(docs)) / 2).astype(np.float32)


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


class HashCache:
    """Token hashes of a batch, computed once per block and shared by every model scoring it."""

    def __init__(self, docs: list[Doc]):
        self.docs = docs
        self._blocks: dict[str, tuple[np.ndarray, np.ndarray]] = {}
        self._counts: dict[tuple[str, int], tuple[np.ndarray, np.ndarray, np.ndarray]] = {}
        self._content: list[list[str]] | None = None

    def get(self, block: str) -> tuple[np.ndarray, np.ndarray]:
        if block not in self._blocks:
            self._blocks[block] = block_hashes(self.docs, block, self.content)
        return self._blocks[block]

    @property
    def content(self) -> list[list[str]]:
        if self._content is None:
            self._content = [content_words(d.words) for d in self.docs]
        return self._content


def raw_counts(docs: list[Doc], blocks: str, bits: int, cache: HashCache | None = None):
    """Hashed token counts: (rows, cols, counts), blocks side by side, each in its own range.
    Kept in the cache: models with the same blocks and size share one count (the sort is the
    costly part)."""
    cache = cache or HashCache(docs)
    if (blocks, bits) not in cache._counts:
        cache._counts[(blocks, bits)] = _raw_counts(blocks, bits, cache)
    return cache._counts[(blocks, bits)]


def _raw_counts(blocks: str, bits: int, cache: HashCache):
    size = np.uint64(2**bits)
    n_features = len(blocks) * 2**bits
    keys = []
    for b, block in enumerate(blocks):
        owner, h = cache.get(block)
        keys.append(owner * n_features + b * 2**bits + (h % size).astype(np.int64))
    keys, counts = np.unique(np.concatenate(keys) if keys else np.zeros(0, np.int64), return_counts=True)
    return keys // n_features, keys % n_features, counts.astype(np.float32)


def fit_idf(docs: list[Doc], blocks: str, bits: int) -> np.ndarray:
    """Smoothed idf per hashed feature (what scikit-learn's TfidfTransformer computes)."""
    _, cols, _ = raw_counts(docs, blocks, bits)
    df = np.bincount(cols, minlength=len(blocks) * 2**bits)
    n = len(docs)
    return (np.log((1 + n) / (1 + df)) + 1).astype(np.float32)


def hashed_features(docs: list[Doc], blocks: str, bits: int, idf: np.ndarray,
                    cache: HashCache | None = None) -> Hashed:
    """Sublinear tf × idf, each block of each document L2-normalised."""
    rows, cols, counts = raw_counts(docs, blocks, bits, cache)
    vals = (1 + np.log(counts)) * idf[cols]
    group = rows * len(blocks) + (cols >> bits)
    norms = np.sqrt(np.bincount(group, weights=vals * vals, minlength=len(docs) * len(blocks)))
    vals = (vals / np.maximum(norms[group], 1e-12)).astype(np.float32)
    return Hashed(rows, cols, vals, len(docs), len(blocks) * 2**bits)


def features(docs: list[Doc], blocks: str, bits: int, idf: np.ndarray,
             polarity: np.ndarray | None = None, cache: HashCache | None = None) -> Hashed:
    """All of a model's features: the hashed blocks, then the lexicon column if asked for."""
    hashed = hashed_features(docs, blocks.replace("l", ""), bits, idf, cache)
    if "l" not in blocks:
        return hashed
    column = hashed.n_features
    score = lexicon_score(docs, polarity, cache.content if cache else None)
    rows = np.arange(len(docs))
    return Hashed(np.concatenate([hashed.rows, rows]), np.concatenate([hashed.cols, np.full(len(docs), column)]),
                  np.concatenate([hashed.vals, score]), len(docs), column + 1)


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

    def features(self, docs: list[Doc], cache: HashCache | None = None) -> Hashed:
        return features(docs, self.blocks, self.bits, self.idf, self.polarity, cache)

    def decision(self, docs: list[Doc], cache: HashCache | None = None) -> np.ndarray:
        x = self.features(docs, cache)
        # a feature's weights for all classes side by side (coef is kept column-major: its
        # transpose's rows are contiguous), so each nonzero reads one cache line, not one per class
        contrib = self.coef.T[x.cols] * x.vals[:, None]     # (nonzeros, classes)
        out = np.empty((len(docs), len(self.classes)), dtype=np.float64)
        for c in range(len(self.classes)):
            out[:, c] = np.bincount(x.rows, weights=contrib[:, c], minlength=len(docs))
        return out + self.intercept

    def proba(self, docs: list[Doc], cache: HashCache | None = None) -> np.ndarray:
        return softmax(self.decision(docs, cache) / self.temperature)

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
        coef = np.ascontiguousarray(arrays["coef"].T, dtype=np.float32).T    # column-major (decision)
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
