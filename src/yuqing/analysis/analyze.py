"""The analysis stage: every part of DESIGN §3's `analysis` object for a batch of items.

One segmentation (rjieba.tag) per item feeds keywords, category and sentiment; the models score
the whole batch at once; places, near-duplicates and risk are per item. Items must come in
`published_at` order — near-duplicates point at the earliest copy — which `yuqing analyze` and
the store's analysis pass both guarantee. The same Analyzer serves both.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, Sequence

import orjson
import rjieba

from ..ingest import to_simplified
from ..models import LOCAL_SOURCE
from ..scheme import Scheme
from ..events.cluster import EventClusterer, split_title
from .category import Categorizer
from .dedup import NOT_PREPARED, NearDuplicates, prepare_many as prepare_copies
from .keywords import keywords_of_tags
from .linear import Doc, HashCache, load_model
from .relevance import RegionMatcher, place_dicts
from .risk import assess_many
from .sentiment import SentimentModel

if TYPE_CHECKING:
    from .schemeset import SchemeSet

# Text past this point is not analysed: places, cues and words of a 1 MB post are in its start.
MAX_ANALYSED_CHARS = 20_000
EVENT_OF_LIMIT = 200_000   # items whose event the analyzer remembers (for their copies and reposts; ~100 B
                           # each; beyond, the store answers: 500k held 50 MB for little)


@dataclass(slots=True)
class Subject:
    """What analysis reads of an item (built from an Item or a stored row)."""

    id: str
    title: str | None        # simplified
    text: str                # simplified
    platform: str = "other"
    source: str | None = None
    metrics: dict | None = None
    ts: float = 0.0          # published, epoch seconds
    repost_of: str | None = None
    local: bool = False      # from one of the region's own sources (flag local-source)

    @classmethod
    def of_item(cls, item) -> "Subject":
        return cls(item.id, item.title_sc, item.text_sc, item.platform, item.source, item.metrics,
                   item.published_at.timestamp(), item.repost_of, LOCAL_SOURCE in item.flags)

    @classmethod
    def of_row(cls, row: dict[str, Any]) -> "Subject":
        metrics = row.get("metrics")
        if isinstance(metrics, str):
            metrics = orjson.loads(metrics)
        title = to_simplified(row["title"]) if row.get("title") else None
        return cls(row["id"], title, row.get("text_sc") or row["text"], row.get("platform") or "other",
                   row.get("source"), metrics, float(row.get("published_ts") or 0), row.get("repost_of"),
                   LOCAL_SOURCE in (row.get("flags") or "").split(","))

    @property
    def full_text(self) -> str:
        """Title and text joined by a newline; place offsets index into this string."""
        body = self.text[:MAX_ANALYSED_CHARS]
        return f"{self.title}\n{body}" if self.title else body


@dataclass
class Models:
    categorizer: Categorizer
    sentiment: SentimentModel


@cache
def load_models(directory: str = "") -> Models:
    """Load the category, scope and sentiment models (the package's own unless `directory`)."""
    base = Path(directory) if directory else resources.files("yuqing").joinpath("data/models")
    for part in ("category", "scope", "sentiment"):
        if not Path(str(base), part, "model.json").is_file():
            raise FileNotFoundError(f"model directory {base} has no {part}/model.json")
    return Models(Categorizer(load_model(Path(str(base), "category")), load_model(Path(str(base), "scope"))),
                  SentimentModel(load_model(Path(str(base), "sentiment"))))


def local_places(places: list[dict]) -> frozenset[str]:
    """Codes of the town/street and village places among `analysis.places` (for copies and events)."""
    return frozenset(p["code"] for p in places if len(p["code"]) >= 9)


def judge_relevance(scheme: Scheme | None, matcher: RegionMatcher, subject: Subject, text: str | None = None,
                    resolved=None) -> dict[str, Any]:
    """`analysis.relevance` of one subject under one scheme: its rule and exclusions first, then
    (when the scheme asks for its region) the places of the text as `matcher` resolves them."""
    if scheme is None:
        return {"label": "yes", "reasons": ["未设监测方案"]}
    text = subject.full_text if text is None else text
    return scheme.relevance(text, lambda: matcher.relevance(
        text, matcher.resolved(text) if resolved is None else resolved,
        local_source=(subject.source or "") if subject.local else None))


def involves_any(analysis: dict[str, Any]) -> bool:
    """Whether an item involves the first scheme or any other (what forms events)."""
    return bool(analysis["relevant"]) or any(r["label"] == "yes" for r in (analysis.get("schemes") or {}).values())


class Analyzer:
    """Analyses batches of items in time order; keeps the near-duplicate index between batches."""

    def __init__(self, scheme: Scheme | None = None, model_dir: str = "", matcher: RegionMatcher | None = None):
        self.scheme = scheme
        self.model_dir = model_dir
        self.models = load_models(model_dir)
        self.matcher = matcher or (RegionMatcher.for_scheme(scheme) if scheme else RegionMatcher.for_region(None))
        self.dups = NearDuplicates()
        self.events: EventClusterer | None = None      # see enable_events
        self._event_of: dict[str, str] = {}
        self.others: SchemeSet | None = None           # see judge_others
        self.others_state: tuple | None = None

    def judge_others(self, schemes: Sequence[tuple[Any, Scheme]], state: tuple | None = None) -> None:
        """Judge every item under these schemes too (a store's schemes other than its first):
        `analysis["schemes"]` = {key: relevance}. `state` is what the store's schemes were when
        these were read (a save checks it)."""
        from .schemeset import SchemeSet

        self.others = SchemeSet(schemes) if schemes else None
        self.others_state = state

    def others_of(self, subjects: Sequence[Subject]) -> list[dict[Any, dict]] | None:
        return self.others.judge(subjects) if self.others is not None else None

    def keyword_places(self, resolved) -> list[tuple[int, int, str | None]]:
        """The place mentions as keywords see them: a landmark under its own name, a place under
        its one name, the monitored region and the places around it under none."""
        region = self.matcher.region or ""
        landmarks = self.matcher.gazetteer.landmarks
        out = []
        for r in resolved:
            if r.place is None:
                continue
            if r.mention.text in landmarks:
                name = r.mention.text
            elif region and region.startswith(r.place.code):
                name = None
            else:
                name = r.place.name
            out.append((r.mention.start, r.mention.end, name))
        return out

    def enable_events(self, clusterer: EventClusterer | None = None) -> None:
        """Fill `event` too: with ids that hold within this analyzer's run (`yuqing analyze`), or
        with `clusterer`, which the store's pipeline loads with the events still active."""
        if clusterer is not None:
            self.events = clusterer
        elif self.events is None:
            self.events = EventClusterer()

    def event_of(self, item_id: str) -> str | None:
        """The event an item seen by this analyzer is in now (events merge)."""
        event = self._event_of.get(item_id)
        return self.events.resolve(event) if event and self.events else event

    def remember(self, subject: Subject) -> None:
        """Put an already analysed item into the near-duplicate index (warming a new analyzer)."""
        text = subject.full_text
        self.dups.add(subject.id, text, local_places(place_dicts(self.matcher.resolved(text))))

    def analyze(self, subjects: Sequence[Subject]) -> list[dict[str, Any]]:
        """Return one `analysis` object per subject, in the order given (which must be time order)."""
        analyses, _ = self._analyze_each(subjects)
        return self.link_copies(subjects, analyses)

    def analyze_each(self, subjects: Sequence[Subject]) -> list[dict[str, Any]]:
        """Everything but `duplicate_of` and `event`: each item on its own, so batches can run in any process."""
        return self._analyze_each(subjects)[0]

    def _analyze_each(self, subjects: Sequence[Subject]) -> tuple[list[dict[str, Any]], list]:
        texts = [s.full_text for s in subjects]
        tagged = [rjieba.tag(t) for t in texts]
        docs = [Doc(t, [w for w, _ in tags], rjieba.cut(s.title) if s.title else None)
                for s, t, tags in zip(subjects, texts, tagged)]
        cache = HashCache(docs)
        categories = self.models.categorizer.classify(docs, cache)
        sentiments = self.models.sentiment.predict(docs, cache)
        risks = assess_many(docs, [sen.negative if sen.label == "negative" else 0.0 for sen in sentiments],
                            [sen.label for sen in sentiments], [s.metrics for s in subjects],
                            [s.platform for s in subjects], [s.source for s in subjects], [s.ts for s in subjects], cache)
        out = []
        others = self.others_of(subjects) or [None] * len(subjects)
        copies = prepare_copies(texts)        # the near-duplicate index only looks them up
        for s, text, tags, cat, sen, risk, other, prepared in zip(subjects, texts, tagged, categories, sentiments,
                                                                risks, others, copies):
            # the event stage's words, from the same segmentation (private: not stored)
            words = split_title(tags, len(s.title) if s.title else 0)
            resolved = self.matcher.resolved(text)
            relevance = judge_relevance(self.scheme, self.matcher, s, text, resolved)
            out.append({
                "relevant": relevance["label"] == "yes",
                "relevance": relevance,
                "places": place_dicts(resolved),
                "category": cat.label,
                "sentiment": {"label": sen.label, "score": sen.score},
                "risk": {"level": risk.level, "score": risk.score, "reasons": risk.reasons},
                "keywords": keywords_of_tags(tags, places=self.keyword_places(resolved)),
                "duplicate_of": None,
                "event": None,
                "why": {"category": cat.why},
                "_words": words,
                "_dedup": prepared,
            } | ({"schemes": other} if other is not None else {}))
        return out, tagged

    def link_copies(self, subjects: Sequence[Subject], analyses: list[dict[str, Any]],
                    known_events: dict[str, str] | None = None,
                    lookup: Callable[[list[str]], dict[str, str]] | None = None) -> list[dict[str, Any]]:
        """Fill `duplicate_of` (and `event`, when this analyzer keeps events) in time order: the
        steps that need every earlier item. A near-copy joins its original's event, a repost or
        comment its parent's; an item that is not relevant starts no event. `known_events`:
        {item id: event} of items this analyzer has not seen (a repost's parent analysed by
        another process, or the item itself analysed before); `lookup` finds more (the
        original of a copy, which is known only here)."""
        locals_ = [local_places(a["places"]) for a in analyses]
        copies = self.dups.add_many([(s.id, s.full_text, local, a.pop("_dedup", NOT_PREPARED))
                                     for s, a, local in zip(subjects, analyses, locals_)])
        for s, a, local, copy_of in zip(subjects, analyses, locals_, copies):
            words = a.pop("_words", None)
            a["duplicate_of"] = copy_of
            if self.events is not None:
                # an item seen before keeps its event (its engagement changed); a copy or a repost
                # joins its original's; only what involves the scheme forms events of its own
                prior = event = self.event_of(s.id) or (known_events or {}).get(s.id)
                for parent in (a["duplicate_of"], s.repost_of):
                    if parent and event is None:
                        event = self.event_of(parent) or (known_events or {}).get(parent)
                        if event is None and lookup is not None:
                            event = lookup([parent]).get(parent)
                if event is None and involves_any(a):
                    event = self.events.add(s.id, s.ts, s.title or "", s.text[:MAX_ANALYSED_CHARS],
                                            None, local, frozenset(p["mention"] for p in a["places"]), words)
                elif event is not None:
                    event = self.events.resolve(event)
                    if prior is None or event != self.events.resolve(prior):
                        self.events.touch(event, s.ts)
                a["event"] = event
                # remembered for the items that will point at it (copies, reposts, comments)
                if event is not None:
                    self._event_of[s.id] = event
                else:
                    self._event_of.pop(s.id, None)
        if len(self._event_of) > EVENT_OF_LIMIT:      # bounded: the store answers for older items
            for key in list(itertools.islice(self._event_of, len(self._event_of) // 2)):
                del self._event_of[key]
        return analyses
