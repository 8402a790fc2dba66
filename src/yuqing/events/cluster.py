"""Online event clustering: each item joins the most similar active event or starts a new one.

Similarity is the cosine between the item's TF-IDF vector of content words (title words count
double) and an event — its centroid, or one of its latest members if that is closer (a follow-up
often repeats the last message, not the event's average) — among events active within a time
window. A guard keeps near-copies apart when they name different things — the same complaint
about another compound, school or road is another event: an item does not join an event when a
distinctive word of its title (one the IDF table has never seen: a compound, shop or company
name) appears nowhere in what the event has said, nor when the event's first title has one the
item lacks; nor when both name towns, streets or villages and none in common.

Two events merge when an item is close to both and they pass the same guards against each other
(the story first told in two ways). Memory is bounded: at most `max_active` events are held, the
least recently active go first, and an event idle for `window_s` is closed. What an event needs
to be matched again is its `state()`, which the store keeps, so a new process picks up where the
last one stopped.
"""

from __future__ import annotations

import heapq
import itertools
import math
from dataclasses import dataclass, field
from functools import lru_cache
from sys import intern
from typing import Any, Iterable

import rjieba

from ..analysis.keywords import idf_table, is_content

TITLE_WEIGHT = 2.0
CANDIDATE_WORDS = 8
MEMBERS = 5            # latest members an item may match on its own (2–20 scored within 0.002)
CENTROID_WORDS = 300   # a big event's centroid keeps its weightiest words (bounded memory)
MAX_INDEXED = 256      # words a big event is listed under in the candidate index
GUARD_CHARS = 4000     # what an event has said, as far as the name guard looks
INDEXED_AS_TUPLE = 32  # an event listed under more words keeps them in a set
# what an event held costs, estimated as it changes (close to tracemalloc's figure: the clusterer
# test): a word in a vector is a dict slot and its float, a character of the guard text 2 bytes
# (CJK in CPython's two-byte form), the rest of the object and its small sets a fixed part
WORD_BYTES = 64
EVENT_BYTES = 600


@dataclass
class Event:
    id: str
    first_ts: float
    last_ts: float
    centroid: dict[str, float] = field(default_factory=dict)
    norm: float = 0.0
    names: frozenset[str] = frozenset()     # distinctive title words of the first item
    text: str = ""                           # the first item's title + text and later titles, for the guard
    members: list = field(default_factory=list)   # (vector, norm) of the latest members
    places: set[str] = field(default_factory=set)  # town/street and village codes its items name
    size: int = 0
    # words under which the candidate index lists it: a tuple while few (most events hold one
    # item and are listed under its 8 weightiest words: 104 bytes where a set took 728)
    indexed: tuple[str, ...] | set[str] = ()
    cost: int = 0                            # bytes it takes, as `_cost` estimates (kept by the clusterer)
    first: str | None = None                 # the first item's id while `text` is that item's alone

    def state(self) -> dict[str, Any]:
        """What matching needs, as JSON-ready data (the store keeps it between processes)."""
        members = [v for v, _ in self.members]
        # most events hold one item, whose vector is the centroid: kept once (None); and what
        # it said is that item's text, which the store has: named, not copied (`first_text`).
        # Weights to two decimals (sums of IDFs of 2–15: a cosine moves by < 0.001)
        return {"id": self.id, "first_ts": self.first_ts, "last_ts": self.last_ts,
                "centroid": _rounded(self.centroid), "names": sorted(self.names),
                "text": None if self.first else self.text, "first": self.first,
                "members": None if members == [self.centroid] else [_rounded(m) for m in members],
                "places": sorted(self.places), "size": self.size}

    @classmethod
    def of_state(cls, s: dict[str, Any]) -> "Event":
        centroid = {intern(w): v for w, v in s["centroid"].items()}
        members = [{intern(w): v for w, v in m.items()} for m in s["members"]] if s["members"] is not None \
            else [centroid]                  # one vector for both, as when it was formed
        text = s["text"] if s["text"] is not None else "\n".join(s["names"])   # its item gone: its names
        ev = cls(s["id"], s["first_ts"], s["last_ts"], centroid, names=frozenset(s["names"]),
                 text=text, members=[(v, _norm(v)) for v in members], places=set(s["places"]),
                 size=s["size"], first=s.get("first") if s["text"] is None else None)
        ev.norm = _norm(ev.centroid)
        return ev


def _own(ev: "Event") -> dict[str, float]:
    """The event's centroid, to be changed: a copy if it is still its one member's vector."""
    c = ev.centroid
    return dict(c) if any(c is v for v, _ in ev.members) else c


def first_text(title: str, text: str) -> str:
    """What an event of one item has said, from the title and text the clusterer was given."""
    return f"{title}\n{text}"[:GUARD_CHARS]


def _rounded(vec: dict[str, float]) -> dict[str, float]:
    return {w: round(v, 2) for w, v in vec.items()}


def _cost(ev: "Event") -> int:
    centroid = ev.centroid
    words = len(centroid) + sum(len(v) for v, _ in ev.members if v is not centroid)
    return EVENT_BYTES + WORD_BYTES * (words + len(ev.indexed) // 2) + 2 * len(ev.text) + 64 * len(ev.places)


def _norm(vec: dict[str, float]) -> float:
    return math.sqrt(sum(v * v for v in vec.values())) or 1.0


def _dot(a: dict[str, float], b: dict[str, float]) -> float:
    # the shared words, found by a C-level set intersection, are few; summing only those is
    # 3-4x faster than looking every word of one vector up in the other
    return sum([a[w] * b[w] for w in a.keys() & b.keys()])


@lru_cache(maxsize=65536)
def _may_be_name(word: str) -> bool:
    """A rare word that reads as a verb, an adjective or a common noun (扑救, 情况通报) is rare, not a name."""
    tag = rjieba.tag(word)[0][1]
    return tag[:1] not in ("v", "a", "d") and tag != "n"


def split_title(tagged: list[tuple[str, str]], title_len: int) -> tuple[list[str], list[str]]:
    """Content words of `title\ntext` tagged as one string, split into (title words, text words).

    rjieba's tokens cover the input exactly, so a token's offset says which part it is in.
    """
    title_words, text_words, offset = [], [], 0
    for word, tag in tagged:
        if is_content(word, tag):
            (title_words if offset < title_len else text_words).append(word)
        offset += len(word)
    return title_words, text_words


def words_of(title: str, text: str, tagged: list[tuple[str, str]] | None = None) -> tuple[list[str], list[str]]:
    """(title words, text words) of an item; `tagged` is rjieba.tag of `title\ntext` (or of text
    alone without a title) when the analysis stage has it already."""
    if tagged is None:
        tagged = rjieba.tag(f"{title}\n{text}" if title else text)
    return split_title(tagged, len(title) if title else 0)


@dataclass
class EventClusterer:
    # chosen on annotations/events_dev.jsonl (bench/RESULTS.md): 0.25–0.55 and 30–365 days tried
    threshold: float = 0.4
    window_s: float = 365 * 86400
    name_idf: float = 9.5        # about the IDF of a word unseen in the corpora: compound, shop and company names
    # the same town or village within days: a smaller topical overlap will do (a fire told as 起火,
    # 火灾 and 调查进展 by video, media and the authorities over two days is one event)
    place_threshold: float = 0.2
    place_window_s: float = 86400
    merge_threshold: float = 0.6   # cosine of the two events, each with the bridging item in (>1: never merge)
    max_active: int = 20_000
    max_posting: int = 32      # 32–128 and no cap score the same on fj3; 32 is 3x as fast at 100k
    max_recent: int = 64       # events taken from the rarest words' lists, the most recently active
    # the events held may take about this much memory; beyond it, as beyond `max_active`, the least
    # recently active are closed. Events grow as they mature (a centroid keeps up to 600 words,
    # five members' vectors, 4,000 characters of what was said): at 1M items 20,000 of them took
    # several times what they took at 100k
    max_bytes: int = 64 << 20
    prefix: str = "e-"
    _events: dict[str, Event] = field(default_factory=dict)
    # word → the one event id listed under it, or an ordered dict of them (most words list one
    # event), the most recently active last
    _index: dict[str, str | dict[str, None]] = field(default_factory=dict)
    _n: int = 0
    bytes: int = 0             # Σ cost of the events held
    merged: dict[str, str] = field(default_factory=dict)   # event id → the event it merged into
    changed: set[str] = field(default_factory=set)         # ids whose state changed since `drain`
    closed: set[str] = field(default_factory=set)          # evicted since `drain`
    _new_merges: dict[str, str] = field(default_factory=dict)

    def vector(self, title_words: list[str], text_words: list[str]) -> tuple[dict[str, float], frozenset[str]]:
        """TF-IDF of content words (title ×2) and the title's distinctive names."""
        idf, unseen = idf_table()
        vec: dict[str, float] = {}
        # words interned: the events held share one copy of each (a fresh string per item's
        # words was a third of the clusterer's memory)
        for w in title_words:
            w = intern(w)
            vec[w] = vec.get(w, 0.0) + TITLE_WEIGHT * idf.get(w, unseen)
        for w in text_words:
            w = intern(w)
            vec[w] = vec.get(w, 0.0) + idf.get(w, unseen)
        names = frozenset(w for w in title_words if idf.get(w, unseen) >= self.name_idf and _may_be_name(w))
        return vec, names

    def add(self, item_id: str, ts: float, title: str, text: str,
            tagged: list[tuple[str, str]] | None = None, places: frozenset[str] = frozenset(),
            place_words: frozenset[str] = frozenset(),
            words: tuple[list[str], list[str]] | None = None) -> str:
        """Put an item (in time order) into an event; return the event's id.

        `places`: the item's resolved town/street and village codes. An item never joins an event
        whose items name other such places only: the same complaint about two streets is two
        events. `place_words`: the place mentions, left out of the topical vector (where a thing
        happened is the guard's business, what happened is the vector's). `words`: the item's
        (title words, text words) when the caller has them; else they come from `tagged`.
        """
        vec, names = self.vector(*(words or words_of(title, text, tagged)))
        if place_words:
            for w in [w for w in vec if any(w in m for m in place_words)]:
                del vec[w]
            names = frozenset(n for n in names if n in vec)
        norm = _norm(vec)
        full = f"{title}\n{text}"
        facilities = title_facilities(title)
        top = heapq.nlargest(CANDIDATE_WORDS, vec, key=vec.__getitem__)
        # candidates: events listed under one of the item's weightiest words (common words like
        # 小区 would make every event a candidate and the stream quadratic)
        index = self._index
        postings = sorted(((ids,) if ids.__class__ is str else ids
                           for ids in (index.get(w) for w in top) if ids is not None), key=len)
        candidates: set[str] = set()
        for i, ids in enumerate(postings):
            # a word that lists more than `max_posting` events says little about which one this
            # is (今天, 小区 across a city): its events come in through the item's rarer words
            if i >= 2 and len(ids) > self.max_posting:
                break
            # even the rarest of them lists only its `max_recent` most recently active events:
            # in a dense stream (1M items, the events held all of several items) those lists
            # grew to hundreds and the scoring with them
            candidates.update(ids if len(ids) <= self.max_recent else itertools.islice(reversed(ids), self.max_recent))
        matches: list[tuple[float, Event]] = []
        nearby: list[tuple[float, Event]] = []     # same town or village, lately, some overlap
        for eid in candidates:
            ev = self._events[eid]
            if ts - ev.last_ts > self.window_s or not self._compatible(names, full, places, ev, facilities):
                continue
            centroid = ev.centroid
            score = _dot(vec, centroid) / (norm * ev.norm)
            for mv, mn in ev.members:
                if mv is not centroid:       # a one-item event's member is its centroid: scored
                    score = max(score, _dot(vec, mv) / (norm * mn))
            if score >= self.threshold:
                matches.append((score, ev))
            elif (score >= self.place_threshold and places and not places.isdisjoint(ev.places)
                  and ts - ev.last_ts <= self.place_window_s):
                nearby.append((score, ev))
        if not matches and nearby:
            # joins the closest, never merges: a lower bar is no proof that two events are one
            best = max(nearby, key=lambda m: (m[0], -m[1].first_ts))[1]
        elif not matches:
            self._n += 1
            best = Event(f"{self.prefix}{self._n:06d}", ts, ts, names=names, text=first_text(title, text), first=item_id)
            self._events[best.id] = best
        else:
            matches.sort(key=lambda m: (-m[0], m[1].first_ts))
            best = matches[0][1]
            if self.merge_threshold <= 1:
                for _, other in matches[1:]:
                    if other.id in self._events and best.id in self._events and self._mergeable(best, other, vec):
                        best = self._merge(best, other)
        self._grow(best, vec, norm, ts, places, title, text)
        if len(self._events) > self.max_active or self.bytes > self.max_bytes:
            self._evict(ts, keep=best.id)
        return best.id

    def _compatible(self, names: frozenset[str], full: str, places: frozenset[str] | set[str], ev: Event,
                    facilities: frozenset[str] | None = None) -> bool:
        if any(n not in ev.text for n in names) or any(n not in full for n in ev.names):
            return False
        if places and ev.places and places.isdisjoint(ev.places):
            return False
        # the same problem at another compound, school or building is another event (the
        # annotation's rule): a title naming an estate or a facility the event never named, beside
        # an event whose first title names one this text never does
        mine = facilities if facilities is not None else title_facilities(full.split("\n", 1)[0])
        if _unknown(mine, ev.text) and _unknown(title_facilities(ev.text.split("\n", 1)[0]), full):
            return False
        return True

    def _mergeable(self, a: Event, b: Event, vec: dict[str, float]) -> bool:
        """Two events an item joins are one when they pass the guards both ways and agree once
        each has taken the item in (the item that tells both halves of the story)."""
        if not (self._compatible(a.names, a.text, b.places, b) and self._compatible(b.names, b.text, a.places, a)):
            return False
        # the cosine of (a + v) and (b + v) from dot products, without summing copies of two
        # centroids of up to 600 words for each pair tried
        av, bv, vv = _dot(a.centroid, vec), _dot(b.centroid, vec), _dot(vec, vec)
        top = _dot(a.centroid, b.centroid) + av + bv + vv
        na = math.sqrt(max(a.norm * a.norm + 2 * av + vv, 0.0)) or 1.0
        nb = math.sqrt(max(b.norm * b.norm + 2 * bv + vv, 0.0)) or 1.0
        return top / (na * nb) >= self.merge_threshold

    def _merge(self, a: Event, b: Event) -> Event:
        """Fold the younger event into the older; return the one that stays."""
        keep, gone = (a, b) if (a.first_ts, a.id) <= (b.first_ts, b.id) else (b, a)
        keep.centroid = _own(keep)
        for w, v in gone.centroid.items():
            keep.centroid[w] = keep.centroid.get(w, 0.0) + v
        keep.norm = _norm(keep.centroid)
        keep.last_ts = max(keep.last_ts, gone.last_ts)
        keep.size += gone.size
        keep.places |= gone.places
        keep.members = (keep.members + gone.members)[-MEMBERS:]
        keep.text = (keep.text + "\n" + gone.text)[:GUARD_CHARS]
        keep.first = None
        self._drop(gone)
        self._index_words(keep, gone.indexed)
        # an event merged earlier into `gone` now stands for `keep` through the chain (resolve):
        # rewriting every earlier merge here cost each merge a pass over all of them
        self.merged[gone.id] = keep.id
        self._new_merges[gone.id] = keep.id
        self.changed.discard(gone.id)
        self.changed.add(keep.id)
        return keep

    def _grow(self, ev: Event, vec: dict[str, float], norm: float, ts: float, places, title: str, text: str) -> None:
        if ev.size == 0:
            # a one-item event's centroid is its item's vector: one dict for both (most events
            # hold one item), copied when a second joins
            ev.centroid = vec
        else:
            ev.centroid = _own(ev)
            for w, v in vec.items():
                ev.centroid[w] = ev.centroid.get(w, 0.0) + v
        if len(ev.centroid) > 2 * CENTROID_WORDS:
            ev.centroid = dict(heapq.nlargest(CENTROID_WORDS, ev.centroid.items(), key=lambda kv: kv[1]))
        ev.norm = _norm(ev.centroid)
        ev.last_ts = max(ev.last_ts, ts)
        ev.size += 1
        ev.places |= places
        ev.members = (ev.members + [(vec, norm)])[-MEMBERS:]
        if ev.size > 1 and len(ev.text) < GUARD_CHARS:
            # later titles (or, for posts without one, their opening) widen what the event is known to name
            ev.text += "\n" + (title or text[:100])
            ev.first = None
        self._index_words(ev, heapq.nlargest(CANDIDATE_WORDS, vec, key=vec.__getitem__))
        if len(ev.indexed) > MAX_INDEXED:      # a big event: listed under its weightiest words only
            keep = set(heapq.nlargest(MAX_INDEXED // 2, ev.centroid, key=ev.centroid.__getitem__))
            for w in ev.indexed - keep:
                self._unlist(w, ev.id)
            ev.indexed &= keep
        cost = _cost(ev)
        self.bytes += cost - ev.cost
        ev.cost = cost
        self.changed.add(ev.id)

    def _index_words(self, ev: Event, words: Iterable[str]) -> None:
        """List `ev` under these words; under those it was listed under already, it moves to
        the most recently active end."""
        index, eid = self._index, ev.id
        new = []
        for w in dict.fromkeys(words):
            if w not in ev.indexed:
                new.append(w)
            else:
                got = index.get(w)
                if got.__class__ is dict:
                    del got[eid]
                    got[eid] = None
        if not new:
            return
        if ev.indexed.__class__ is tuple and len(ev.indexed) + len(new) <= INDEXED_AS_TUPLE:
            ev.indexed += tuple(new)
        else:
            ev.indexed = set(ev.indexed)
            ev.indexed.update(new)
        for w in new:
            got = index.get(w)
            if got is None:
                index[w] = eid
            elif got.__class__ is str:
                index[w] = {got: None, eid: None}
            else:
                got[eid] = None

    def _unlist(self, word: str, event_id: str) -> None:
        index = self._index
        got = index.get(word)
        if got is None:
            return
        if got.__class__ is str:
            if got == event_id:
                del index[word]
        else:
            got.pop(event_id, None)
            if len(got) == 1:
                index[word] = next(iter(got))

    def _drop(self, ev: Event) -> None:
        for w in ev.indexed:
            self._unlist(w, ev.id)
        del self._events[ev.id]
        self.bytes -= ev.cost

    def _evict(self, now: float, keep: str | None = None) -> None:
        """Close events idle past the window, then the least recently active until at most 90%
        of `max_active` and of `max_bytes` are held (so that it runs again only after a while)."""
        idle = [ev for ev in self._events.values() if now - ev.last_ts > self.window_s]
        count = len(self._events) - len(idle)
        held = self.bytes - sum(ev.cost for ev in idle)
        if count > self.max_active * 0.9 or held > self.max_bytes * 0.9:
            for ev in sorted((ev for ev in self._events.values() if now - ev.last_ts <= self.window_s),
                             key=lambda ev: ev.last_ts):
                if count <= self.max_active * 0.9 and held <= self.max_bytes * 0.9:
                    break
                if ev.id == keep:               # the event an item just joined is never let go
                    continue
                idle.append(ev)
                count -= 1
                held -= ev.cost
        for ev in idle:
            self._drop(ev)
            self.closed.add(ev.id)

    def touch(self, event_id: str, ts: float) -> None:
        """A copy or repost joined the event without being matched: it is still active."""
        ev = self._events.get(event_id)
        if ev is not None:
            ev.last_ts = max(ev.last_ts, ts)
            ev.size += 1
            self.changed.add(ev.id)

    # --- persistence -----------------------------------------------------------------------
    def resolve(self, event_id: str) -> str:
        """The event an id now stands for (itself unless it merged into another, which may
        have merged into another in turn: the chain is followed and shortened)."""
        merged = self.merged
        into = merged.get(event_id)
        if into is None:
            return event_id
        end = into
        while (further := merged.get(end)) is not None:
            end = further
        while into != end:                      # every link on the way now points at the end
            merged[event_id] = end
            event_id, into = into, merged[into]
        return end

    def drain(self) -> tuple[list[dict[str, Any]], dict[str, str]]:
        """States of the events changed since the last call, and the merges made; resets both."""
        states = [self._events[e].state() for e in self.changed if e in self._events]
        merges = {gone: self.resolve(gone) for gone in self._new_merges}
        self.changed.clear()
        self._new_merges.clear()
        self.closed.clear()
        return states, merges

    def load(self, states: Iterable[dict[str, Any]], last_number: int = 0) -> None:
        """Hold these events again (a new process continuing a store's stream)."""
        for s in states:
            ev = Event.of_state(s)
            self._events[ev.id] = ev
            self._index_words(ev, heapq.nlargest(CANDIDATE_WORDS, ev.centroid, key=ev.centroid.__getitem__))
            for m, _ in ev.members:
                self._index_words(ev, heapq.nlargest(CANDIDATE_WORDS, m, key=m.__getitem__))
            ev.cost = _cost(ev)
            self.bytes += ev.cost
        self._n = max(self._n, last_number)
        if self._events and (len(self._events) > self.max_active or self.bytes > self.max_bytes):
            self._evict(max(ev.last_ts for ev in self._events.values()))

    def __len__(self) -> int:
        return len(self._events)


@lru_cache(maxsize=4096)
def title_facilities(title: str) -> tuple[frozenset[str], ...]:
    """The estates, roads and facilities a title names, each as the forms it may be written in
    (finder.names_by_kind: 华庭小区 … 恒大翡翠华庭小区), four characters or more (幼儿园 alone
    names nothing)."""
    if not title:
        return ()
    from ..analysis.finder import names_by_kind

    return tuple(f for f in (frozenset(n for n in forms if len(n) >= 4) for forms in names_by_kind(title, set())) if f)


def _unknown(facilities: tuple[frozenset[str], ...], text: str) -> bool:
    """Whether one of these facilities is named in none of its forms in `text` (a phrase both
    sides share, 何时改成公立幼儿园, is known to both and says nothing of which place)."""
    return any(not any(n in text for n in forms) for forms in facilities)


def cluster_rows(rows, **params) -> dict[str, str]:
    """Cluster rows {id, ts, title, text} given in time order; return {id: event id}."""
    c = EventClusterer(**params)
    out = {r["id"]: c.add(r["id"], r["ts"], r["title"], r["text"]) for r in rows}
    return {i: c.resolve(e) for i, e in out.items()}
