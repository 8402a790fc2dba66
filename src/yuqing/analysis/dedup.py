"""Near-duplicates: MinHash LSH (datasketch's scheme, in numpy) over text normalised for reposts, confirmed exactly.

An item's `duplicate_of` is the earliest item of its group. Reposts are not near-duplicates: the
repost chain (//@…) and 转发微博 are removed first, so a bare repost has nothing left to compare
and is followed through `repost_of` instead.
"""

from __future__ import annotations

import re
from collections import OrderedDict, deque
from dataclasses import dataclass, field

import numpy as np

from ..ingest import to_simplified
from .linear import gram_hashes

_NOISE = re.compile(
    r"//@[^:：\s]{1,30}[:：].*$"          # the repost chain, to the end
    r"|转发微博|轉發微博|转发理由[:：]?"
    r"|#[^#\n]{1,60}#|\{%.*?%\}"          # hashtags (and weibo2018's {%…%} topic markup)
    r"|https?://\S+|www\.\S+"
    r"|@[^\s:：@]{1,30}"                   # mentions
    r"|\[[^\[\]]{1,8}\]"                   # [表情]
    r"|[\s\W_]+",                          # spaces and punctuation
    re.S)


def dedup_text(text: str) -> str:
    """Return the text as compared for near-duplicates: simplified, without repost noise."""
    return _NOISE.sub("", to_simplified(text or "")).lower()


def shingles(text: str, k: int = 3) -> np.ndarray:
    """Return the distinct character k-grams of a normalised text, as sorted 32-bit hashes.

    Hashes instead of strings: comparison and MinHash both run on integer arrays (and an array
    is a tenth of the memory of a set), and a 32-bit collision between two k-grams of texts
    this short is rare enough not to move a Jaccard.
    """
    if not text:
        return np.zeros(0, dtype=np.uint32)
    # (uint32: half the memory of the index's largest part after its buckets)
    return np.unique((gram_hashes(text, min(k, len(text))) & _LOW32).astype(np.uint32))


_LOW32 = np.uint64(0xFFFFFFFF)


def _common(a: np.ndarray, b: np.ndarray) -> int:
    return len(np.intersect1d(a, b, assume_unique=True))


def jaccard(a: np.ndarray, b: np.ndarray) -> float:
    if not len(a) and not len(b):
        return 0.0
    common = _common(a, b)
    return common / (len(a) + len(b) - common)


def similarity(a: np.ndarray, b: np.ndarray, min_ratio: float = 0.4) -> float:
    """Return how much the smaller text is contained in the larger (when sizes are comparable).

    Containment, not Jaccard: a copy wrapped in 【转】…（来源） or cut short keeps all its words but
    adds or loses many; on the dev set positives score ≥ 0.79 and different posts ≤ 0.23. A text
    under 40% of the other's size is a quote, not a copy, and gets plain Jaccard.
    """
    if not len(a) or not len(b):
        return 0.0
    small, large = sorted((len(a), len(b)))
    if small / large < min_ratio:
        return jaccard(a, b)
    return _common(a, b) / small


# MinHash as datasketch (≥ 2.0) computes it with its "affine32" scheme: a MurmurHash3 finaliser,
# then h → a·h + b mod 2^32 per permutation, the minimum over the shingles. Reproduced here in
# numpy because importing datasketch imports scipy: +1 s of startup and +60 MB, for a formula of
# three lines. tests/test_analysis_dedup.py checks signatures and LSH parameters against datasketch.
LSH_BANDS, LSH_ROWS = 28, 2     # datasketch's MinHashLSH optimum for threshold 0.2 at 128 permutations
_F1, _F2, _S16, _S13 = np.uint32(0x85EBCA6B), np.uint32(0xC2B2AE35), np.uint32(16), np.uint32(13)


def permutations(num_perm: int, seed: int = 1) -> tuple[np.ndarray, np.ndarray]:
    """(a, b) of datasketch's affine32 MinHash with the same seed: odd multipliers, any offsets."""
    gen = np.random.RandomState(seed)
    a = gen.randint(0, 1 << 31, num_perm, dtype=np.uint32) * np.uint32(2) + np.uint32(1)
    b = gen.randint(0, 1 << 32, num_perm, dtype=np.uint32)
    return a, b


def signature(grams: np.ndarray, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """MinHash signature of a set of 32-bit shingle hashes (uint32 arithmetic wraps, as intended)."""
    hv = grams.astype(np.uint32)
    with np.errstate(over="ignore"):
        hv = hv ^ (hv >> _S16)
        hv = hv * _F1
        hv = hv ^ (hv >> _S13)
        hv = hv * _F2
        hv = hv ^ (hv >> _S16)
        return (hv[:, None] * a[None, :] + b[None, :]).min(axis=0)


_PERMS = permutations(LSH_BANDS * LSH_ROWS)


def band_keys(grams: np.ndarray, a: np.ndarray = _PERMS[0], c: np.ndarray = _PERMS[1]) -> list[int]:
    """One integer per LSH band of a shingle set's MinHash signature."""
    rows = signature(grams, a, c).astype(np.uint64).reshape(LSH_BANDS, LSH_ROWS)
    key = np.zeros(LSH_BANDS, dtype=np.uint64)
    with np.errstate(over="ignore"):
        for j in range(LSH_ROWS):
            key = key * np.uint64(0x100000001B3) ^ rows[:, j]
    return key.tolist()


Prepared = tuple[np.ndarray, list[int]] | None


def prepare(text: str, min_chars: int = 12) -> Prepared:
    """What `NearDuplicates.add` needs of a text, computed apart from the index (in the process
    that analyses the item, so that the one that links items in order only looks up): its
    shingles and band keys, or None when it is too short to be called a copy."""
    norm = dedup_text(text)
    if len(norm) < min_chars:
        return None
    grams = shingles(norm)
    return grams, band_keys(grams)


def pack(prepared: Prepared) -> str | None:
    """`prepare`'s result as text, for a bus message (base64 of the 32-bit shingles, then the keys)."""
    import base64

    if prepared is None:
        return None
    grams, keys = prepared
    return (base64.b64encode(grams.astype(np.uint32).tobytes()).decode() + "."
            + base64.b64encode(np.asarray(keys, dtype=np.uint64).tobytes()).decode())


def unpack(packed: str | None) -> Prepared:
    import base64

    if packed is None:
        return None
    grams, keys = packed.split(".")
    return (np.frombuffer(base64.b64decode(grams), dtype=np.uint32).copy(),
            np.frombuffer(base64.b64decode(keys), dtype=np.uint64).tolist())


NOT_PREPARED: object = object()     # `add` computes `prepare(text)` itself

# A bucket shared by more originals than this (texts alike in a band but not copies: templates,
# the same notice for each street) offers only its most recent to the exact comparison, so an
# item's work does not grow with the store; a copy's original is nearly always among them, since
# copies come soon (bench/RESULTS.md, Issue 20: copies found at 100k items with and without it).
BUCKET_OFFERS = 24

_SALT = np.arange(1, LSH_BANDS + 1, dtype=np.uint64) * np.uint64(0x9E3779B97F4A7C15)


def _salted(keys: list[int]) -> list[int]:
    """Band keys made distinct across bands (they share one dict)."""
    with np.errstate(over="ignore"):
        return (np.asarray(keys, dtype=np.uint64) ^ _SALT).tolist()


@dataclass
class NearDuplicates:
    """A streaming index: `add` each item in time order; it returns the earliest near-copy's id.

    Signatures are MinHashes (see `signature`); the banding (which signatures share a bucket)
    is kept in plain dicts keyed by one integer per band, computed for all bands at once. With
    datasketch's MinHashLSH the same bands cost ~250 µs per item, more than the rest of
    analysis; the (bands, rows) split is datasketch's optimum for an estimated Jaccard of 0.2.
    Only the bands × rows permutations that LSH reads are computed.

    Bounded (issue 20): it holds the `max_items` most recent originals; an older one leaves the
    index (a copy of it arriving later is then an original of its own), and as many copy → root
    links. Memory is about `max_items` × (the shingles + one entry per band), not the store:
    ~4 KB per original with real posts. The bands share one dict (each key salted with its
    band), a bucket is the id itself until a second one shares it (a list per bucket, a dict per
    band and a list of keys per item took 7.2 KB).
    """

    threshold: float = 0.7        # similarity() of 3-gram sets needed to call two texts copies
    min_chars: int = 12           # shorter texts say too little to be called copies
    max_items: int = 50_000       # originals held (the setting dedup_max_items)
    _shingles: dict[str, np.ndarray] = field(default_factory=dict, init=False)
    _root: OrderedDict[str, str] = field(default_factory=OrderedDict, init=False)
    _places: dict[str, frozenset[str]] = field(default_factory=dict, init=False)
    _order: deque = field(default_factory=deque, init=False)      # (id, band keys), oldest first

    def __post_init__(self) -> None:
        # LSH estimates Jaccard, which is low for wrapped or cut copies: cast a wide net (0.2),
        # then the exact similarity decides
        self._b, self._r = LSH_BANDS, LSH_ROWS
        self._buckets: dict[int, str | list[str]] = {}
        self._a, self._c = permutations(self._b * self._r)

    def _band_keys(self, grams: np.ndarray) -> list[int]:
        return band_keys(grams, self._a, self._c)

    def __len__(self) -> int:
        return len(self._shingles)

    def add(self, item_id: str, text: str, places: frozenset[str] = frozenset(), prepared=NOT_PREPARED) -> str | None:
        """Index an item; return the id of the earliest item it nearly copies, or None.
        `prepared`: `prepare(text)` computed elsewhere (else computed here).

        `places` are the item's most specific places (town/street, village codes). Two texts that
        differ in little but the place — a template notice for each street, the same complaint
        about another compound — name different happenings: they are not copies when both name
        places and share none.
        """
        if item_id in self._shingles or item_id in self._root:   # seen already (re-analysis)
            return self._root.get(item_id)
        if prepared is NOT_PREPARED:
            prepared = prepare(text, self.min_chars)
        if prepared is None:
            return None
        grams, keys = prepared
        keys = _salted(keys)
        buckets = self._buckets
        candidates: dict[str, None] = {}
        for k in keys:
            got = buckets.get(k)
            if got is None:
                continue
            if got.__class__ is str:
                candidates[got] = None
            else:                       # a crowded bucket offers its most recent: bounded work per item
                candidates.update(dict.fromkeys(got[-BUCKET_OFFERS:]))
        best: tuple[float, str] | None = None
        for other in candidates:
            theirs = self._places.get(other)
            if places and theirs and places.isdisjoint(theirs):
                continue
            score = similarity(grams, self._shingles[other])
            if score >= self.threshold and (best is None or score > best[0]):
                best = (score, other)
        if best is not None:
            root = self._root.get(best[1], best[1])
            self._root[item_id] = root
            if len(self._root) > self.max_items:
                self._root.popitem(last=False)
            return root
        for k in keys:
            got = buckets.get(k)
            if got is None:
                buckets[k] = item_id
            elif got.__class__ is str:
                buckets[k] = [got, item_id]
            else:
                got.append(item_id)
        self._shingles[item_id] = grams
        if places:
            self._places[item_id] = places
        self._order.append((item_id, np.array(keys, dtype=np.uint64)))
        while len(self._order) > self.max_items:
            self._forget()
        return None

    def _forget(self) -> None:
        """The oldest original leaves the index."""
        old, keys = self._order.popleft()
        buckets = self._buckets
        for k in keys.tolist():
            got = buckets.get(k)
            if got is None:
                continue
            if got.__class__ is str:
                if got == old:
                    del buckets[k]
            else:
                got.remove(old)             # buckets are short: a few ids each
                if len(got) == 1:
                    buckets[k] = got[0]
        del self._shingles[old]
        self._places.pop(old, None)
