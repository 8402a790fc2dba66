"""Spread (传播): the repost cascade of an event, and the reprint chain among its sources.

Only public accounts — media outlets and official accounts (events/accounts.is_public) — are
named; private people are counted, never listed.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from typing import Any, Mapping, Sequence

from ..models import beijing_iso
from .accounts import is_public

KEY_NODES = 5
FOLLOWERS = 20


def _name(row: Mapping[str, Any]) -> str:
    return row.get("source") or row.get("author") or row.get("platform") or "?"


def cascade(rows: Sequence[Mapping[str, Any]], configured: Mapping[str, float]) -> dict[str, Any]:
    """Size over time, depth, breadth, the share through public accounts and the key public nodes.

    `rows` are the event's items, oldest first. A repost whose parent is not in the event hangs
    from the event's first report.
    """
    by_id = {r["id"]: r for r in rows}
    root = next((r for r in rows if not r.get("repost_of")), rows[0])
    parent = {}
    for r in rows:
        if r is root:
            continue
        p = r.get("repost_of")
        parent[r["id"]] = p if p in by_id and p != r["id"] else root["id"]
    depth = {root["id"]: 0}
    for r in rows:                       # parents come first in time order; others settle below
        _depth(r["id"], parent, depth)
    children = defaultdict(list)
    for child, p in parent.items():
        children[p].append(child)
    descendants = Counter()
    for node in sorted(depth, key=depth.get, reverse=True):      # deepest first
        descendants[node] += 0
        if node in parent:
            descendants[parent[node]] += descendants[node] + 1
    public = {r["id"] for r in rows if is_public(r, configured)}
    reposts = [r for r in rows if r.get("repost_of")]
    via_public = 0
    for r in reposts:
        node = parent.get(r["id"])
        while node is not None and node != root["id"]:
            if node in public:
                via_public += 1
                break
            node = parent.get(node)
    hourly = Counter(int(r["published_ts"]) // 3600 * 3600 for r in reposts)
    total, over_time = 0, []
    for hour in sorted(hourly):
        total += hourly[hour]
        over_time.append([beijing_iso(hour)[:13], total])
    levels = Counter(depth.values())
    key = sorted((n for n in public if descendants[n]), key=lambda n: (-descendants[n], by_id[n]["published_ts"]))
    return {
        "reposts": len(reposts),
        "depth": max(depth.values()),
        "breadth": max(levels.values()),
        "by_depth": [levels[d] for d in range(max(depth.values()) + 1)],   # items at each hop from the root
        "by_public_accounts": round(sum(1 for r in reposts if r["id"] in public) / len(reposts), 3) if reposts else 0.0,
        "through_public_accounts": round(via_public / len(reposts), 3) if reposts else 0.0,
        "size_over_time": over_time[-200:],
        "key_nodes": [{"name": _name(by_id[n]), "platform": by_id[n].get("platform"),
                       "reached": descendants[n], "at": beijing_iso(by_id[n]["published_ts"])} for n in key[:KEY_NODES]],
        "private_accounts": len({_name(r) for r in reposts if r["id"] not in public}),
    }


def _depth(node: str, parent: Mapping[str, str], depth: dict[str, int]) -> int:
    path = []
    while node not in depth:
        path.append(node)
        node = parent[node]
        if len(path) > len(parent):       # a loop in bad data: cut it at the root
            depth[node] = 0
            break
    d = depth[node]
    for n in reversed(path):
        d += 1
        depth[n] = d
    return depth[path[0]] if path else depth[node]


def reprints(rows: Sequence[Mapping[str, Any]]) -> dict[str, Any] | None:
    """Who first published a text and who followed with a copy (from near-duplicate links)."""
    copies = [r for r in rows if r.get("duplicate_of")]
    if not copies:
        return None
    by_id = {r["id"]: r for r in rows}
    origin_id, _ = Counter(r["duplicate_of"] for r in copies).most_common(1)[0]
    origin = by_id.get(origin_id)
    followers = [r for r in copies if r["duplicate_of"] == origin_id]
    start = origin["published_ts"] if origin else followers[0]["published_ts"]
    named = [r for r in followers if is_public(r, {})]
    return {
        "first": {"id": origin_id, "source": _name(origin) if origin and is_public(origin, {}) else None,
                  "platform": origin.get("platform") if origin else None,
                  "published_at": beijing_iso(origin["published_ts"]) if origin else None},
        "copies": len(copies),
        "followers": [{"source": _name(r), "platform": r.get("platform"), "published_at": beijing_iso(r["published_ts"]),
                       "after_min": round((r["published_ts"] - start) / 60)} for r in named[:FOLLOWERS]],
        "other_followers": len(followers) - len(named),
    }
