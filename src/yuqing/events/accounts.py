"""Who reported or spread an item: a source's authority, its class (media, official,
complaint board), and whether it is a public account — the only kind a record names."""

from __future__ import annotations

from functools import lru_cache
from typing import Any, Mapping

from ..analysis.risk import AUTHORITY_WORDS

PLATFORM_AUTHORITY = {"news": 0.7, "complaint": 0.6, "wechat": 0.5, "video": 0.4, "weibo": 0.4,
                      "forum": 0.3, "blog": 0.3, "other": 0.3}


def authority_of(row: Mapping[str, Any], configured: Mapping[str, float]) -> float:
    """A source's authority: its configured `authority`, else its kind (an outlet or an office
    by its name, else its platform)."""
    if row.get("collector") in configured:
        return configured[row["collector"]]
    name = row.get("source") or ""
    if any(w in name for w in AUTHORITY_WORDS):
        return 0.9
    return PLATFORM_AUTHORITY.get(row.get("platform") or "other", 0.3)


MEDIA_WORDS = ("日报", "晚报", "早报", "都市报", "新闻", "电视台", "广播", "融媒", "传媒", "报社", "网")
OFFICIAL_WORDS = ("发布", "公安", "消防", "应急管理", "政府", "人民法院", "检察院", "网信", "政务")


@lru_cache(maxsize=16384)
def classes_of(name: str, platform: str | None) -> frozenset[str]:
    found = set()
    if platform == "complaint":
        found.add("complaint")
    if any(w in name for w in OFFICIAL_WORDS):
        found.add("official")
    elif platform == "news" or any(w in name for w in MEDIA_WORDS):
        found.add("media")
    return frozenset(found)


def is_public(row: Mapping[str, Any], configured: Mapping[str, float]) -> bool:
    """A media outlet or an official account: the only ones a record names (no private people)."""
    return authority_of(row, configured) >= 0.7
