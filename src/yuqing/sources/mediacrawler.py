"""MediaCrawler's JSON/CSV export fields mapped to the item contract.

MediaCrawler (weibo, douyin, xhs, bilibili, kuaishou, tieba, zhihu) writes one flat record per
post or comment. Only the fields the item contract needs are kept: user ids, avatars, gender and
profile links are dropped on purpose (we never profile private people).
"""

from __future__ import annotations

from typing import Any, Mapping

# site: (signature keys, id key, our platform, display source)
_SITES: list[tuple[str, frozenset[str], str, str, str]] = [
    ("douyin", frozenset({"aweme_id"}), "aweme_id", "video", "抖音"),
    ("kuaishou", frozenset({"video_id", "viewd_count"}), "video_id", "video", "快手"),
    ("bilibili", frozenset({"video_id", "video_play_count"}), "video_id", "video", "哔哩哔哩"),
    ("tieba", frozenset({"note_id", "tieba_name"}), "note_id", "forum", "百度贴吧"),
    ("zhihu", frozenset({"content_id", "content_text"}), "content_id", "forum", "知乎"),
    ("xhs", frozenset({"note_id", "desc"}), "note_id", "blog", "小红书"),
    ("weibo", frozenset({"note_id", "content"}), "note_id", "weibo", "微博"),
]
# Comment records carry the id of the post they answer under one of these keys.
_PARENT_KEYS = {"aweme_id": "douyin", "video_id": None, "content_id": "zhihu", "note_id": None}

_TEXT_KEYS = ("content_text", "content", "desc", "title")
_TIME_KEYS = ("create_time", "time", "created_time", "publish_time", "create_date_time", "pub_ts")
_URL_KEYS = ("note_url", "aweme_url", "video_url", "content_url")
_AUTHOR_KEYS = ("nickname", "user_nickname")
_LIKE_KEYS = ("liked_count", "like_count", "comment_like_count", "voteup_count")
_COMMENT_KEYS = ("comments_count", "comment_count", "video_comment", "total_replay_num", "sub_comment_count")
_SHARE_KEYS = ("shared_count", "share_count", "video_share_count")
_VIEW_KEYS = ("video_play_count", "viewd_count")


def _first(record: Mapping[str, Any], keys: tuple[str, ...]) -> Any:
    for key in keys:
        value = record.get(key)
        if value not in (None, ""):
            return value
    return None


def detect_site(record: Mapping[str, Any], hint: str | None = None) -> str | None:
    """Return the MediaCrawler site a record comes from, or None when it does not look like one."""
    keys = set(record)
    if hint:
        return hint
    for site, signature, _id, _platform, _name in _SITES:
        if signature <= keys:
            return site
    if "comment_id" in keys and "content" in keys:
        return "weibo"  # comments of any site share this shape; the site only names the id space
    return None


def is_mediacrawler(record: Mapping[str, Any]) -> bool:
    """Return True when the record has the field names of a MediaCrawler export."""
    return isinstance(record, Mapping) and "last_modify_ts" in record and detect_site(record) is not None


def map_record(record: Mapping[str, Any], site: str | None = None) -> dict[str, Any]:
    """Return an item-contract record for one MediaCrawler post or comment."""
    site = detect_site(record, site) or "other"
    spec = next((s for s in _SITES if s[0] == site), None)
    platform, source_name = (spec[3], spec[4]) if spec else ("other", site)
    is_comment = "comment_id" in record
    if is_comment:
        native_id = f"c{record['comment_id']}"
        parent_key = next((k for k in _PARENT_KEYS if record.get(k) not in (None, "")), None)
        repost_of = f"{site}:{record[parent_key]}" if parent_key else None
    else:
        native_id = record.get(spec[2]) if spec else None
        repost_of = None
    title = record.get("title") if not is_comment else None
    text = _first(record, _TEXT_KEYS)
    if title and text == title:
        title = None
    return {
        "id": f"{site}:{native_id}" if native_id not in (None, "") else None,
        "platform": platform,
        "source": record.get("tieba_name") or source_name,
        "author": _first(record, _AUTHOR_KEYS),
        "title": title,
        "text": text,
        "url": _first(record, _URL_KEYS),
        "published_at": _first(record, _TIME_KEYS),
        "repost_of": repost_of,
        "metrics": {
            "likes": _first(record, _LIKE_KEYS),
            "comments": _first(record, _COMMENT_KEYS),
            "reposts": _first(record, _SHARE_KEYS),
            "views": _first(record, _VIEW_KEYS),
        },
    }
