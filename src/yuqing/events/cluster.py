"""Online event clustering: each item joins the most similar active event or starts a new one.

Similarity is the cosine between the item's TF-IDF vector of content words (title words count
double) and an event — its centroid, or one of its latest members if that is closer (a follow-up
often repeats the last message, not the event's average) — among events active within a time
window. A guard keeps near-copies apart
when they name different things — the same complaint about another compound, school or road is
another event: an item does not join an event when a distinctive word of its title (one the IDF
table has never seen: a compound, shop or company name) appears nowhere in what the event has
said, nor when the event's first title has one the item lacks.

First version (issue 4 in progress): no merging of events yet, memory grows with events.
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from dataclasses import dataclass, field

import rjieba

from ..analysis.keywords import idf_table, is_content

TITLE_WEIGHT = 2.0
CANDIDATE_WORDS = 8
MEMBERS = 5          # latest members an item may match on its own (2–20 scored within 0.002)


@dataclass
class Event:
    id: str
    first_ts: float
    last_ts: float
    centroid: Counter = field(default_factory=Counter)
    norm: float = 0.0
    names: frozenset[str] = frozenset()     # distinctive title words of the first item
    text: str = ""                           # the first item's title + text and later titles, for the guard
    members: list = field(default_factory=list)   # (vector, norm) of the latest members
    places: set[str] = field(default_factory=set)  # town/street and village codes its items name
    size: int = 0


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


@dataclass
class EventClusterer:
    # chosen on annotations/events_dev.jsonl (bench/RESULTS.md): 0.25–0.55 and 60–365 days tried
    threshold: float = 0.4
    window_s: float = 365 * 86400
    name_idf: float = 9.5        # about the IDF of a word unseen in the corpora: compound, shop and company names
    _events: dict[str, Event] = field(default_factory=dict)
    _index: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))
    _n: int = 0

    def vector(self, title: str, text: str, tagged: list[tuple[str, str]] | None = None
               ) -> tuple[Counter, frozenset[str]]:
        """TF-IDF of content words (title ×2) and the title's distinctive names.

        `tagged`: rjieba.tag of `title + "\n" + text` (or of text alone without a title), when the
        analysis stage has it already.
        """
        idf, unseen = idf_table()
        if tagged is None:
            tagged = rjieba.tag(f"{title}\n{text}" if title else text)
        title_words, text_words = split_title(tagged, len(title) if title else 0)
        vec: Counter = Counter()
        for w in title_words:
            vec[w] += TITLE_WEIGHT * idf.get(w, unseen)
        for w in text_words:
            vec[w] += idf.get(w, unseen)
        names = frozenset(w for w in title_words if idf.get(w, unseen) >= self.name_idf)
        return vec, names

    def add(self, item_id: str, ts: float, title: str, text: str,
            tagged: list[tuple[str, str]] | None = None, places: frozenset[str] = frozenset(),
            place_words: frozenset[str] = frozenset()) -> str:
        """Put an item (in time order) into an event; return the event's id.

        `places`: the item's resolved town/street and village codes. An item never joins an event
        whose items name other such places only: the same complaint about two streets is two
        events. `place_words`: the place mentions, left out of the topical vector (where a thing
        happened is the guard's business, what happened is the vector's).
        """
        vec, names = self.vector(title, text, tagged)
        for w in [w for w in vec if any(w in m for m in place_words)]:
            del vec[w]
        norm = math.sqrt(sum(v * v for v in vec.values())) or 1.0
        full = f"{title}\n{text}"
        # candidates: events sharing one of the item's most weighty words (common words like 小区
        # would make every event a candidate and the stream quadratic)
        candidates = set()
        for w, _ in vec.most_common(CANDIDATE_WORDS):
            candidates |= self._index.get(w, set())
        best, best_score = None, 0.0
        for eid in candidates:
            ev = self._events[eid]
            if ts - ev.last_ts > self.window_s:
                continue
            if any(n not in ev.text for n in names) or any(n not in full for n in ev.names):
                continue
            if places and ev.places and places.isdisjoint(ev.places):
                continue
            dot = sum(v * ev.centroid.get(w, 0.0) for w, v in vec.items())
            score = dot / (norm * ev.norm)
            for mv, mn in ev.members:
                score = max(score, sum(v * mv.get(w, 0.0) for w, v in vec.items()) / (norm * mn))
            if score >= self.threshold and (best is None or score > best_score):
                best, best_score = ev, score
        if best is None:
            self._n += 1
            best = Event(f"e-{self._n:06d}", ts, ts, names=names, text=full)
            self._events[best.id] = best
        best.centroid.update(vec)
        best.norm = math.sqrt(sum(v * v for v in best.centroid.values()))
        best.last_ts = max(best.last_ts, ts)
        best.size += 1
        best.places |= places
        best.members = (best.members + [(vec, norm)])[-MEMBERS:]
        if best.size > 1:
            best.text += "\n" + title     # later titles widen what the event is known to name
        for w, _ in vec.most_common(CANDIDATE_WORDS):
            self._index[w].add(best.id)
        return best.id


def cluster_rows(rows, **params) -> dict[str, str]:
    """Cluster rows {id, ts, title, text} given in time order; return {id: event id}."""
    c = EventClusterer(**params)
    return {r["id"]: c.add(r["id"], r["ts"], r["title"], r["text"]) for r in rows}
