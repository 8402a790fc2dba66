"""MediaCrawler's exports mapped to the item contract: its seven platforms' contents and comments.

MediaCrawler (NanmiCoder/MediaCrawler) writes one flat record per post or comment, the same
fields whatever the store: JSON Lines, JSON, CSV (`data/{platform}/{format}/{type}_{kind}_{date}`),
an Excel workbook per run (sheets `Contents`, `Comments`, `Creators`), or the tables of
`database/models.py` in SQLite, MySQL or PostgreSQL. Which platform a record comes from is read,
in this order, from what the caller says (`--platform`), the file path, sheet or table name, and
last from the record's own field names (comments of xhs, bilibili, kuaishou and zhihu share
most of theirs with Weibo's, so the fields are the weakest witness).

Only what the item contract needs is kept; user ids, avatars, genders, IP locations and profile
links are dropped on purpose, and creator/profile records are refused: we never keep profiles of
people (docs/sources.md).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, replace
from pathlib import PurePath
from typing import Any, Mapping

# site: (our platform, display source, id key of its posts)
SITES: dict[str, tuple[str, str, str]] = {
    "weibo": ("weibo", "微博", "note_id"),
    "xhs": ("blog", "小红书", "note_id"),
    "douyin": ("video", "抖音", "aweme_id"),
    "kuaishou": ("video", "快手", "video_id"),
    "bilibili": ("video", "哔哩哔哩", "video_id"),
    "tieba": ("forum", "百度贴吧", "note_id"),
    "zhihu": ("forum", "知乎", "content_id"),
}
# what people and MediaCrawler itself call them: `--platform` values, data/ folder names
# (bilibili's files go to data/bili/), Excel file prefixes, table prefixes, display names
SITE_NAMES: dict[str, str] = {
    "weibo": "weibo", "wb": "weibo", "微博": "weibo",
    "xhs": "xhs", "xiaohongshu": "xhs", "小红书": "xhs",
    "douyin": "douyin", "dy": "douyin", "抖音": "douyin",
    "kuaishou": "kuaishou", "ks": "kuaishou", "快手": "kuaishou",
    "bilibili": "bilibili", "bili": "bilibili", "b站": "bilibili", "哔哩哔哩": "bilibili",
    "tieba": "tieba", "贴吧": "tieba", "百度贴吧": "tieba",
    "zhihu": "zhihu", "知乎": "zhihu",
}
KINDS = ("contents", "comments", "profiles")

# database/models.py, current (15 tables) and early-2026 (22, with the creator tables)
TABLES: dict[str, tuple[str, str]] = {
    "weibo_note": ("weibo", "contents"), "weibo_note_comment": ("weibo", "comments"),
    "xhs_note": ("xhs", "contents"), "xhs_note_comment": ("xhs", "comments"),
    "douyin_aweme": ("douyin", "contents"), "douyin_aweme_comment": ("douyin", "comments"),
    "kuaishou_video": ("kuaishou", "contents"), "kuaishou_video_comment": ("kuaishou", "comments"),
    "bilibili_video": ("bilibili", "contents"), "bilibili_video_comment": ("bilibili", "comments"),
    "bilibili_up_dynamic": ("bilibili", "contents"),
    "tieba_note": ("tieba", "contents"), "tieba_comment": ("tieba", "comments"),
    "zhihu_content": ("zhihu", "contents"), "zhihu_comment": ("zhihu", "comments"),
    "weibo_creator": ("weibo", "profiles"), "xhs_creator": ("xhs", "profiles"),
    "dy_creator": ("douyin", "profiles"), "tieba_creator": ("tieba", "profiles"),
    "zhihu_creator": ("zhihu", "profiles"), "bilibili_up_info": ("bilibili", "profiles"),
    "bilibili_contact_info": ("bilibili", "profiles"),
}
PROFILE_REFUSED = "MediaCrawler 的创作者/用户资料（{n} 条）未导入：本系统不保存个人的资料"

# fields only a profile has, and the ids only posts and comments have
_PROFILE_KEYS = frozenset({"fans", "follows", "total_fans", "fan_id", "up_id", "user_rank", "registration_duration",
                           "anwser_count", "get_voteup_count"})
_CONTENT_KEYS = frozenset({"note_id", "aweme_id", "video_id", "content_id", "comment_id", "dynamic_id"})


@dataclass(frozen=True, slots=True)
class Hint:
    """What the file, sheet or table (or the caller) says about its records."""

    site: str | None = None
    kind: str | None = None          # contents | comments | profiles

    def merged(self, other: Hint) -> Hint:
        """This hint with the gaps filled from `other` (this one wins)."""
        return replace(self, site=self.site or other.site, kind=self.kind or other.kind)


def site_name(name: str | None) -> str | None:
    """Return the MediaCrawler site a name stands for (xhs, bili, 小红书 …), or None."""
    return SITE_NAMES.get(name.strip().lower()) if isinstance(name, str) and name.strip() else None


def _kind_in(name: str) -> str | None:
    name = name.lower()
    for word, kind in (("comment", "comments"), ("creator", "profiles"), ("contact", "profiles"),
                       ("up_info", "profiles"), ("content", "contents"), ("dynamic", "contents"),
                       ("video", "contents"), ("note", "contents")):
        if word in name:
            return kind
    return None


def path_hint(path: str | PurePath) -> Hint:
    """Read the site and kind from a MediaCrawler path: `data/xhs/jsonl/search_comments_2026-01-05.jsonl`,
    `data/bili/…`, an Excel run `xhs_search_20260105_101500.xlsx`."""
    p = PurePath(path)
    site = next((SITE_NAMES[d.lower()] for d in reversed(p.parts[:-1]) if d.lower() in SITE_NAMES), None)
    stem = p.name.lower().split(".")[0]
    if site is None:
        site = site_name(re.split(r"[_\-]", stem)[0])
    kind = None
    for token in re.split(r"[_\-.]", stem):
        kind = kind or {"comments": "comments", "contents": "contents", "videos": "contents", "creators": "profiles",
                        "creator": "profiles", "contacts": "profiles"}.get(token)
    return Hint(site, kind)


def sheet_hint(name: str) -> Hint:
    """An Excel sheet of a MediaCrawler workbook: Contents, Comments, Creators (bilibili: Contacts, Dynamics)."""
    return Hint(None, _kind_in(name))


def table_hint(name: str) -> Hint | None:
    """A MediaCrawler table by its name, or None for a table it does not write."""
    known = TABLES.get(name.lower())
    return Hint(*known) if known else None


def looks_like(record: Mapping[str, Any]) -> bool:
    """True when the record has the field names of a MediaCrawler export."""
    return isinstance(record, Mapping) and "last_modify_ts" in record and (
        bool(_CONTENT_KEYS & set(record)) or is_profile(record))


def is_profile(record: Mapping[str, Any], hint: Hint = Hint()) -> bool:
    """A creator or profile record (xhs_creator, bilibili_up_info …), which is never imported."""
    if hint.kind == "profiles":
        return True
    keys = set(record)
    return bool(_PROFILE_KEYS & keys) and not (_CONTENT_KEYS & keys)


def detect_site(record: Mapping[str, Any], hint: Hint = Hint()) -> str | None:
    """Return the site a record comes from: the hint's, else the one its fields point to."""
    if hint.site:
        return hint.site
    keys = set(record)
    if "aweme_id" in keys:
        return "douyin"
    if "tieba_name" in keys or "tieba_id" in keys or "tieba_link" in keys:
        return "tieba"
    if "content_id" in keys:
        return "zhihu"
    if "dynamic_id" in keys:
        return "bilibili"
    if "video_id" in keys:
        # posts: bilibili counts plays and coins, kuaishou counts views; comments: bilibili's
        # carry the parent comment and likes, kuaishou's neither
        if keys & {"video_play_count", "video_coin_count", "video_danmaku", "parent_comment_id", "like_count"}:
            return "bilibili"
        return "kuaishou"
    if "note_id" in keys:
        if keys & {"create_date_time", "comment_like_count", "shared_count", "comments_count"}:
            return "weibo"
        if keys & {"desc", "image_list", "xsec_token", "pictures", "like_count", "collected_count"}:
            return "xhs"
        return "weibo" if "content" in keys else None
    return None


def _first(record: Mapping[str, Any], keys: tuple[str, ...]) -> Any:
    for key in keys:
        value = record.get(key)
        if value not in (None, ""):
            return value
    return None


def _present(value: Any) -> str | None:
    """A native id as text, or None for the empty values MediaCrawler writes (\"\", 0, \"0\", None)."""
    if value in (None, "", 0, "0", "None"):
        return None
    return str(value).strip() or None


_XHS_TOPIC = re.compile(r"\[话题\]#")
_XHS_EMOTE = re.compile(r"\[[^\[\]\s]{1,8}R\]")        # [笑哭R], [赞R]: xhs's emoji codes


def _clean_text(site: str, value: Any) -> str | None:
    if value in (None, ""):
        return None
    text = str(value)
    if site == "xhs":
        text = _XHS_EMOTE.sub("", _XHS_TOPIC.sub("#", text))
    if text.strip() in ("-", "—", "--"):      # bilibili's empty description
        return None
    return text


# the time a record was written, per site: Weibo's `create_time` was 8 hours late in exports
# before 2026-07-30 (the RFC 2822 offset was dropped), while `create_date_time` carries +08:00
_TIME_KEYS: dict[str, tuple[str, ...]] = {
    "weibo": ("create_date_time", "create_time"),
    "xhs": ("time", "create_time", "last_update_time"),
    "tieba": ("publish_time",),
    "zhihu": ("created_time", "publish_time", "updated_time"),
    "bilibili": ("create_time", "pub_ts"),
}
_URL_KEYS = ("note_url", "aweme_url", "content_url", "video_url")
_AUTHOR_KEYS = ("nickname", "user_nickname", "user_name")
_METRICS = {
    "likes": ("liked_count", "like_count", "comment_like_count", "voteup_count", "total_liked"),
    "comments": ("comments_count", "comment_count", "video_comment", "total_replay_num", "total_comments",
                 "sub_comment_count"),
    "reposts": ("shared_count", "share_count", "video_share_count", "total_forwards"),
    "views": ("video_play_count", "viewd_count"),
    "favorites": ("collected_count", "video_favorite_count"),
    "coins": ("video_coin_count",),
    "danmaku": ("video_danmaku",),
}
# (field, kind): comma-separated media URLs each site writes
_MEDIA = {
    "xhs": (("image_list", "image"), ("video_url", "video"), ("pictures", "image")),
    "douyin": (("cover_url", "image"), ("note_download_url", "image"), ("video_download_url", "video"),
               ("pictures", "image")),
    "kuaishou": (("video_cover_url", "image"), ("video_play_url", "video")),
    "bilibili": (("video_cover_url", "image"),),
}


def media_of(site: str, record: Mapping[str, Any]) -> list[dict[str, str]]:
    out, seen = [], set()
    for key, kind in _MEDIA.get(site, ()):
        value = record.get(key)
        if isinstance(value, str) and value.startswith('"'):
            try:                  # its database store writes these lists as JSON strings
                value = json.loads(value)
            except ValueError:
                pass
        if not isinstance(value, str):
            continue
        for url in value.split(","):
            url = url.strip()
            if url.startswith(("http://", "https://")) and url not in seen:
                seen.add(url)
                out.append({"kind": kind, "url": url})
    return out


def map_record(record: Mapping[str, Any], hint: Hint = Hint()) -> dict[str, Any]:
    """Return the item-contract record of one MediaCrawler post or comment (not a profile)."""
    site = detect_site(record, hint) or "other"
    platform, source_name, id_key = SITES.get(site, ("other", site, "id"))
    is_comment = hint.kind == "comments" or (hint.kind is None and "comment_id" in record)
    if is_comment:
        native = _present(record.get("comment_id"))
        native_id = f"c{native}" if native else None
        post = _present(record.get(id_key))
        repost_of = f"{site}:{post}" if post else None
        parent = _present(record.get("parent_comment_id"))
        reply_to = f"{site}:c{parent}" if parent and parent != native else None
        title, text = None, _clean_text(site, record.get("content"))
        url = None          # a comment has no page of its own; the post's URL would make it look like the post
    else:
        native_id = _present(record.get(id_key)) or _present(record.get("dynamic_id"))
        repost_of = reply_to = None
        title = _clean_text(site, record.get("title"))
        text = _clean_text(site, _first(record, ("content_text", "content", "desc", "text")))
        if title and text and (text == title or text.startswith(title) and len(title) >= len(text) - 1):
            title = None
        url = _first(record, _URL_KEYS) if site != "xhs" else record.get("note_url")
    metrics = {name: _first(record, keys) for name, keys in _METRICS.items()}
    return {
        "id": f"{site}:{native_id}" if native_id else None,
        "platform": platform,
        "source": record.get("tieba_name") or source_name,
        "author": _first(record, _AUTHOR_KEYS),
        "title": title,
        "text": text,
        "url": url,
        "published_at": _first(record, _TIME_KEYS.get(site, ("create_time",))),
        "repost_of": repost_of,
        "reply_to": reply_to,
        "media": media_of(site, record),
        "metrics": {k: v for k, v in metrics.items() if v not in (None, "")},
        # when it crawled the record: tieba's 「3小时前」 counts back from then, not from the import
        "crawled_at": _first(record, ("add_ts", "last_modify_ts")),
    }
