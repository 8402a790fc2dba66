"""Near-duplicates: MinHash LSH (datasketch's scheme, in numpy) over text normalised for reposts, confirmed exactly.

An item's `duplicate_of` is the earliest item of its group. Reposts are not near-duplicates: the
repost chain (//@…) and 转发微博 are removed first, so a bare repost has nothing left to compare
and is followed through `repost_of` instead.
"""

from __future__ import annotations

import re
from collections import OrderedDict
from dataclasses import dataclass, field
from typing import Any, Sequence

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
    # np.intersect1d(assume_unique=True) without its checks and copies: both sets are distinct
    # values, so a shared value is a pair of equal neighbours once they are sorted together
    both = np.concatenate((a, b))
    both.sort()
    return int(np.count_nonzero(both[1:] == both[:-1]))


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


def _fmix32(hv: np.ndarray) -> np.ndarray:
    """MurmurHash3's 32-bit finaliser (uint32 arithmetic wraps, as intended)."""
    with np.errstate(over="ignore"):
        hv = hv ^ (hv >> _S16)
        hv = hv * _F1
        hv = hv ^ (hv >> _S13)
        hv = hv * _F2
        return hv ^ (hv >> _S16)


def signature(grams: np.ndarray, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """MinHash signature of a set of 32-bit shingle hashes."""
    hv = _fmix32(grams.astype(np.uint32))
    with np.errstate(over="ignore"):
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


# elements of the (shingles × permutations) matrix a batch's signatures are taken from at once:
# 8 MB of uint32 (a page of news of 2,000 characters each would otherwise ask for 100 MB)
_BATCH_CELLS = 2_000_000


def prepare_many(texts: Sequence[str], min_chars: int = 12) -> list[Prepared]:
    """`prepare` of each text, the shingles, MinHash and band keys of a whole batch computed in
    a few array operations (one text at a time, numpy's per-call cost was most of it: 160 µs
    of a Weibo post's analysis)."""
    norms = [dedup_text(t) for t in texts]
    out: list[Prepared] = [None] * len(texts)
    todo = [i for i, n in enumerate(norms) if len(n) >= min_chars]
    while todo:
        # as many texts as fit the matrix (at least one)
        take, cells = 0, 0
        while take < len(todo) and (take == 0 or cells + len(norms[todo[take]]) * _PERMS[0].size <= _BATCH_CELLS):
            cells += len(norms[todo[take]]) * _PERMS[0].size
            take += 1
        part, todo = todo[:take], todo[take:]
        for i, prepared in zip(part, _prepare_batch([norms[i] for i in part])):
            out[i] = prepared
    return out


def _prepare_batch(norms: list[str]) -> list[Prepared]:
    from .linear import _M1, _NGRAM_SEED, _codepoints, _mix

    lengths = np.array([len(n) for n in norms], dtype=np.int64)
    cps = _codepoints("".join(norms))
    owner = np.repeat(np.arange(len(norms), dtype=np.uint64), lengths)
    ends = np.repeat(np.cumsum(lengths), lengths)
    with np.errstate(over="ignore"):
        h = _mix(cps ^ _NGRAM_SEED)                      # as gram_hashes(text, 3), text by text
        for k in (2, 3):
            h = _mix(h[:-1] ^ (cps[k - 1:] * _M1))
    inside = np.arange(len(h)) + 3 <= ends[: len(h)]
    # one sort gives every text's distinct shingles in order: (text, shingle) as one integer
    keys = np.unique((owner[: len(h)][inside] << np.uint64(32)) | (h[inside] & _LOW32))
    grams = (keys & _LOW32).astype(np.uint32)
    starts = np.searchsorted(keys >> np.uint64(32), np.arange(len(norms), dtype=np.uint64))
    a, b = _PERMS
    hv = _fmix32(grams)
    with np.errstate(over="ignore"):
        sig = np.minimum.reduceat(hv[:, None] * a[None, :] + b[None, :], starts, axis=0)
        rows = sig.astype(np.uint64).reshape(len(norms), LSH_BANDS, LSH_ROWS)
        key = np.zeros((len(norms), LSH_BANDS), dtype=np.uint64)
        for j in range(LSH_ROWS):
            key = key * np.uint64(0x100000001B3) ^ rows[:, :, j]
    bounds = np.append(starts, len(grams))
    return [(grams[bounds[i]:bounds[i + 1]].copy(), k) for i, k in enumerate(key.tolist())]


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


@dataclass
class NearDuplicates:
    """A streaming index: `add` each item in time order; it returns the earliest near-copy's id.

    Signatures are MinHashes (see `signature`), banded as datasketch's MinHashLSH bands them
    (the (bands, rows) split is its optimum for an estimated Jaccard of 0.2), computed for all
    bands at once; datasketch's own index cost ~250 µs per item, more than the rest of analysis.

    Bounded (issue 20): it holds the `max_items` most recent originals in a ring of slots; an
    older one leaves the index (a copy of it arriving later is then an original of its own), and
    as many copy → root links. The bands live in numpy arrays, not Python objects: one sorted
    array of the originals' band keys (salted with their band: all bands share it), beside the
    number of the original each came from (the n-th added lives in slot n % max_items, and is
    still held while n ≥ originals added − max_items), oldest first within a key; lookups bisect
    it. Originals added since it was last merged wait in a small dict; every `_merge_every` they
    are merged in and the entries of forgotten originals dropped, a few vectorised passes.
    ~0.7 KB per original beyond its shingles (a dict entry per band and a list per bucket took
    2.4 KB, measured on the scale bench's texts; a dict per band and a list of keys per item had
    taken 7.2).
    """

    threshold: float = 0.7        # similarity() of 3-gram sets needed to call two texts copies
    min_chars: int = 12           # shorter texts say too little to be called copies
    max_items: int = 50_000       # originals held (the setting dedup_max_items)
    _root: OrderedDict[str, str] = field(default_factory=OrderedDict, init=False)

    def __post_init__(self) -> None:
        # LSH estimates Jaccard, which is low for wrapped or cut copies: cast a wide net (0.2),
        # then the exact similarity decides
        self._b, self._r = LSH_BANDS, LSH_ROWS
        self._a, self._c = permutations(self._b * self._r)
        self._cap = 0
        self._grow_to(min(self.max_items, 1024))
        self._slot: dict[str, int] = {}              # id → slot of the originals held
        self._next = 0                               # originals ever added (the next one's number)
        self._sorted = np.zeros(0, dtype=np.uint64)  # band keys of merged originals, sorted, oldest first within a key
        self._number = np.zeros(0, dtype=np.int64)   # the original each came from
        self._fresh: dict[int, list[int]] = {}       # key → numbers of the originals added since the last merge
        self._fresh_n = 0
        self._swept = 0                              # no merged entry is older than this number

    def _grow_to(self, cap: int) -> None:
        """Room for `cap` slots (grown as originals come, up to `max_items`: a small stream or a
        test does not pay for a full ring)."""
        grow = cap - self._cap
        if not self._cap:
            self._ids: list[str | None] = []
            self._grams: list[np.ndarray | None] = []
            self._places: list[frozenset[str] | None] = []
        self._ids += [None] * grow
        self._grams += [None] * grow
        self._places += [None] * grow
        self._cap = cap

    @property
    def _merge_every(self) -> int:
        # a merge (a few vectorised copies of everything held) once per 2,048 originals at most;
        # merges come between batches, so a long batch makes the fresh part longer
        return max(1, min(2048, self.max_items // 2))

    def _band_keys(self, grams: np.ndarray) -> list[int]:
        return band_keys(grams, self._a, self._c)

    def __len__(self) -> int:
        return len(self._slot)

    def buckets(self) -> dict[int, list[str]]:
        """{salted band key: ids of the originals held under it, oldest first} (for inspection)."""
        out: dict[int, list[str]] = {}
        live = self._number >= self._next - self.max_items
        for key, n in zip(self._sorted[live].tolist(), self._number[live].tolist()):
            out.setdefault(key, []).append(self._ids[n % self.max_items])
        for key, numbers in self._fresh.items():
            out.setdefault(key, []).extend(self._ids[n % self.max_items] for n in numbers)
        return out

    def add(self, item_id: str, text: str, places: frozenset[str] = frozenset(), prepared=NOT_PREPARED) -> str | None:
        """Index an item; return the id of the earliest item it nearly copies, or None.
        `prepared`: `prepare(text)` computed elsewhere (else computed here).

        `places` are the item's most specific places (town/street, village codes). Two texts that
        differ in little but the place — a template notice for each street, the same complaint
        about another compound — name different happenings: they are not copies when both name
        places and share none.
        """
        return self.add_many([(item_id, text, places, prepared)])[0]

    def add_many(self, items: Sequence[tuple[str, str, frozenset[str], Any]]) -> list[str | None]:
        """`add` each of (id, text, places, prepared) in the order given, the sorted keys bisected
        once for all of them (the searches of one item at a time missed the cache: 10 µs an item)."""
        todo: list[tuple[int, np.ndarray, np.ndarray]] = []     # (position, shingles, salted keys)
        out: list[str | None] = [None] * len(items)
        for k, (item_id, text, _places, prepared) in enumerate(items):
            if item_id in self._slot or item_id in self._root:   # seen already (re-analysis)
                out[k] = self._root.get(item_id)
                continue
            if prepared is NOT_PREPARED:
                prepared = prepare(text, self.min_chars)
            if prepared is not None:
                todo.append((k, prepared[0], np.asarray(prepared[1], dtype=np.uint64) ^ _SALT))
        if not todo:
            return out
        merged = self._merged_candidates(np.stack([t[2] for t in todo]))
        seen_now: set[str] = set()
        for (k, grams, salted), older in zip(todo, merged):
            item_id, places = items[k][0], items[k][2]
            if item_id in seen_now:           # twice in one batch: as the first time
                out[k] = self._root.get(item_id)
                continue
            seen_now.add(item_id)
            out[k] = self._match(item_id, grams, salted, places, older)
        if self._fresh_n >= self._merge_every:
            self._merge()
        return out

    def _match(self, item_id: str, grams: np.ndarray, salted: np.ndarray, places: frozenset[str],
               older: tuple[list[int], list[int]]) -> str | None:
        candidates, ends = older
        fresh = self._fresh
        if fresh:
            recent: list[int] = []
            trim = None
            for band, key in enumerate(salted.tolist()):
                numbers = fresh.get(key)
                if numbers is not None:
                    recent += numbers[-BUCKET_OFFERS:]
                    start = ends[band - 1] if band else 0
                    room = max(0, BUCKET_OFFERS - len(numbers))
                    if ends[band] - start > room:     # a crowded bucket: its most recent in all
                        trim = trim or {}
                        trim[band] = room
            if trim:
                kept, start = [], 0
                for band, end in enumerate(ends):
                    part = candidates[start:end]
                    kept += part[len(part) - trim.get(band, len(part)):]
                    start = end
                candidates = kept
            if recent:
                candidates = candidates + recent
        held_from = self._next - self.max_items
        best: tuple[float, int] | None = None
        for number in dict.fromkeys(candidates) if len(candidates) > 1 else candidates:
            if number < held_from:            # forgotten since (its slot holds another now)
                continue
            slot = number % self.max_items
            theirs = self._places[slot]
            if places and theirs and places.isdisjoint(theirs):
                continue
            score = similarity(grams, self._grams[slot])
            # the closest; of equally close ones the earliest (what `duplicate_of` names)
            if score >= self.threshold and (best is None or (score, -number) > (best[0], -best[1])):
                best = (score, number)
        if best is not None:
            their_id = self._ids[best[1] % self.max_items]
            root = self._root.get(their_id, their_id)
            self._root[item_id] = root
            if len(self._root) > self.max_items:
                self._root.popitem(last=False)
            return root
        self._hold(item_id, grams, salted, places)
        return None

    def _merged_candidates(self, salted: np.ndarray) -> list[tuple[list[int], list[int]]]:
        """For each row of band keys, the numbers of the merged originals sharing a band with it
        — of each band's run the `BUCKET_OFFERS` most recent (a crowded bucket, originals alike
        in a band but not copies, offers those only) — and where each band's part ends."""
        rows = len(salted)
        none = ([], [0] * salted.shape[1])
        if not len(self._sorted):
            return [none] * rows
        flat = salted.ravel()
        order = np.argsort(flat)              # in key order the searches walk the array forwards
        lo, hi = np.empty(len(flat), dtype=np.int64), np.empty(len(flat), dtype=np.int64)
        lo[order] = np.searchsorted(self._sorted, flat[order], "left")
        hi[order] = np.searchsorted(self._sorted, flat[order], "right")
        start = np.maximum(lo, hi - BUCKET_OFFERS)
        lengths = hi - start
        total = int(lengths.sum())
        if not total:
            return [none] * rows
        ends = np.cumsum(lengths)
        numbers = self._number[np.arange(total) + np.repeat(start - ends + lengths, lengths)].tolist()
        ends = ends.reshape(rows, -1)
        firsts = [0] + ends[:, -1].tolist()
        ends = (ends - np.array(firsts[:-1])[:, None]).tolist()     # within the row
        return [(numbers[firsts[r]:firsts[r + 1]], ends[r]) for r in range(rows)]

    def _hold(self, item_id: str, grams: np.ndarray, salted: np.ndarray, places: frozenset[str]) -> None:
        slot = self._next % self.max_items
        if slot >= self._cap:
            self._grow_to(min(self.max_items, 2 * self._cap))
        old = self._ids[slot]
        if old is not None:                 # the ring is full: the oldest original leaves
            del self._slot[old]
        number = self._next
        self._next += 1
        self._ids[slot], self._grams[slot], self._places[slot] = item_id, grams, places or None
        self._slot[item_id] = slot
        for key in salted.tolist():
            got = self._fresh.get(key)
            if got is None:
                self._fresh[key] = [number]
            else:
                got.append(number)
        self._fresh_n += 1

    def _merge(self) -> None:
        """Fold the fresh originals into the sorted keys and drop the entries of forgotten ones."""
        held_from = self._next - self.max_items
        old_keys, old_numbers = self._sorted, self._number
        if held_from - self._swept > self.max_items // 8:
            # the entries of forgotten originals go once they are an eighth of what is held
            # (until then lookups skip them: they are the oldest of their runs)
            live = old_numbers >= held_from
            old_keys, old_numbers = old_keys[live], old_numbers[live]
            self._swept = held_from
        new_keys, new_numbers = [], []
        for key, numbers in self._fresh.items():
            numbers = [n for n in numbers if n >= held_from]    # a batch longer than the ring wraps it
            new_keys += [key] * len(numbers)
            new_numbers += numbers
        new_keys = np.array(new_keys, dtype=np.uint64)
        new_numbers = np.array(new_numbers, dtype=np.int64)
        order = np.lexsort((new_numbers, new_keys))
        new_keys, new_numbers = new_keys[order], new_numbers[order]
        # after the older entries of an equal key: each key's run stays oldest first
        at = np.searchsorted(old_keys, new_keys, "right")
        self._sorted = np.insert(old_keys, at, new_keys)
        self._number = np.insert(old_numbers, at, new_numbers)
        self._fresh.clear()
        self._fresh_n = 0
