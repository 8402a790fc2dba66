"""Normalisation: encodings, markup, script, URLs, ids, times and counts."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from yuqing.ingest import (TIME_FALLBACK, try_normalize, canonical_url, clean_text, decode_bytes, make_id, normalize_record, parse_count,
                           parse_time, to_simplified)
from yuqing.models import BEIJING, SkipItem

NOW = datetime(2026, 11, 28, 4, 0, tzinfo=timezone.utc)   # 12:00 Beijing time


@pytest.mark.parametrize("data, declared, expected", [
    ("广阳区".encode("gbk"), "gbk", "gb18030"),
    ("广阳区".encode("gb18030"), "GB2312", "gb18030"),
    ("廣陽區".encode("big5"), "big5", "cp950"),
    (b"\xef\xbb\xbf" + "广阳区".encode("utf-8"), None, "utf-8"),
    ("<meta charset='gbk'>广阳区".encode("gbk"), None, "gb18030"),
    ("广阳区".encode("gbk"), "utf-8", "gb18030"),     # a wrong declaration is not believed
])
def test_decode_bytes(data, declared, expected):
    text, codec = decode_bytes(data, declared)
    assert codec == expected and ("广阳区" in text or "廣陽區" in text)


def test_decode_bytes_detects_undeclared_gbk_paragraph():
    text = "廊坊市广阳区万庄镇居民反映，冬季供暖温度不足，希望有关部门尽快解决。" * 3
    decoded, codec = decode_bytes(text.encode("gbk"))
    assert decoded == text and codec in ("gb18030", "gbk")
    trad = "廣陽區萬莊鎮的居民反映，冬季供暖溫度不足，希望有關部門盡快解決。"
    decoded, codec = decode_bytes(trad.encode("big5"))
    assert decoded == trad and codec == "cp950"


def test_clean_text_strips_markup_scripts_and_controls():
    assert clean_text("<p>广阳区<b>通报</b></p><script>alert(1)</script><style>p{}</style>") == "广阳区通报"
    assert clean_text("第一段<br>第二段") == "第一段\n第二段"
    assert clean_text("  多个\t\t空格\u3000和\n\n\n换行  ") == "多个 空格 和\n换行"
    assert clean_text("A &amp; B &lt;i&gt;") == "A & B <i>"
    assert clean_text("x < y and y > z") == "x < y and y > z"       # not markup: kept as written


def test_full_page_goes_through_article_extraction():
    page = ("<html><body><nav>首页 新闻 图片</nav><article><h1>标题</h1><p>" + "广阳区消息正文。" * 20 +
            "</p></article><footer>版权所有</footer></body></html>")
    text = clean_text(page)
    assert "广阳区消息正文" in text and "版权所有" not in text


def test_traditional_to_simplified_keeps_original():
    item = normalize_record({"text": "廣陽區萬莊鎮發生火災"}, now=NOW)
    assert item.text == "廣陽區萬莊鎮發生火災" and item.text_sc == "广阳区万庄镇发生火灾"
    assert "traditional" in item.flags
    assert to_simplified("广阳区") == "广阳区"
    assert to_simplified("瞭解 藉口") == "了解 借口"        # phrase-only conversions


def test_canonical_url_drops_tracking_and_fragment_keeps_content_parameters():
    assert canonical_url("HTTPS://News.Example.CN/a.html?utm_source=wx&spm=1.2&id=7#top") == "https://news.example.cn/a.html?id=7"
    assert canonical_url("https://m.weibo.cn/search?containerid=100103&q=广阳") == \
        "https://m.weibo.cn/search?containerid=100103&q=%E5%B9%BF%E9%98%B3"
    assert canonical_url("https://mp.weixin.qq.com/s?__biz=MzA&mid=1&idx=1&sn=abc&chksm=zz&scene=21") == \
        "https://mp.weixin.qq.com/s?__biz=MzA&idx=1&mid=1&sn=abc"
    assert canonical_url("javascript:alert(1)") is None and canonical_url("") is None


def test_ids_are_stable_and_namespaced():
    assert make_id("4981234567", "weibo", None, None, "x") == "weibo:4981234567"
    assert make_id("weibo:4981234567", "news", None, None, "x") == "weibo:4981234567"
    a = make_id(None, "news", "https://a.cn/1", None, "x")
    assert a == make_id("", "weibo", "https://a.cn/1", "src", "y") and a.startswith("url:")
    t = make_id(None, "forum", None, "吧", "正文")
    assert t == make_id(None, "forum", None, "吧", "正文") != make_id(None, "forum", None, "吧", "正文2")
    one = normalize_record({"text": "同一篇", "url": "https://a.cn/x?utm_medium=1"}, now=NOW)
    two = normalize_record({"text": "同一篇", "url": "https://a.cn/x#frag"}, now=NOW)
    assert one.id == two.id


@pytest.mark.parametrize("value, expected", [
    ("2026-11-28T09:15:00+08:00", datetime(2026, 11, 28, 1, 15, tzinfo=timezone.utc)),
    ("2026-11-28 09:15:00", datetime(2026, 11, 28, 1, 15, tzinfo=timezone.utc)),      # naive = Beijing
    ("2026/11/28 9:15", datetime(2026, 11, 28, 1, 15, tzinfo=timezone.utc)),
    ("2026年11月28日 09:15", datetime(2026, 11, 28, 1, 15, tzinfo=timezone.utc)),
    ("2026-11-28T01:15:00Z", datetime(2026, 11, 28, 1, 15, tzinfo=timezone.utc)),
    ("Sat, 28 Nov 2026 09:15:00 +0800", datetime(2026, 11, 28, 1, 15, tzinfo=timezone.utc)),
    ("Sat, 28 Nov 2026 09:15:00", datetime(2026, 11, 28, 1, 15, tzinfo=timezone.utc)),   # RFC 2822, no zone
    (1795828500, datetime(2026, 11, 28, 1, 15, tzinfo=timezone.utc)),
    ("1795828500000", datetime(2026, 11, 28, 1, 15, tzinfo=timezone.utc)),               # milliseconds
    ("5分钟前", NOW - timedelta(minutes=5)),
    ("昨天 08:30", datetime(2026, 11, 27, 0, 30, tzinfo=timezone.utc)),
    ("刚刚", NOW),
    ("11-27 08:30", datetime(2026, 11, 27, 0, 30, tzinfo=timezone.utc)),
    ("not a time", None),
    ("2026-13-45", None),
])
def test_parse_time(value, expected):
    got = parse_time(value, NOW)
    assert got == expected
    if got is not None:
        assert got.tzinfo is not None


def test_missing_and_bad_times_are_flagged_not_lost():
    missing = normalize_record({"text": "无时间"}, now=NOW)
    future = normalize_record({"text": "未来", "published_at": "2030-01-01"}, now=NOW)
    assert missing.published_at == NOW and "time-missing" in missing.flags
    assert "time-future" in future.flags
    # an unreadable time: a file (history) is quarantined, never dated "now"; a feed's item is
    # dated when it was found, flagged
    for value in ("上周某天", "2019-02-30 10:00", "昨天 25:99", "32/13/2019"):
        with pytest.raises(SkipItem) as exc:
            normalize_record({"text": "坏时间", "published_at": value}, now=NOW)
        assert exc.value.reason == "bad-time" and "时间无法识别" in exc.value.detail
    got = try_normalize({"text": "坏时间", "published_at": "上周某天"}, now=NOW, origin="f.csv:3")
    assert got.reason == "bad-time" and "上周某天" in got.raw
    bad = normalize_record({"text": "坏时间", "published_at": "上周某天"}, now=NOW, defaults={TIME_FALLBACK: "now"})
    assert bad.published_at == NOW and "time-unparsed" in bad.flags


@pytest.mark.parametrize("value, expected, flag", [
    ("昨天下午", datetime(2026, 11, 27, 15, 0, tzinfo=BEIJING), "time-approximate"),
    ("28/02/2019 11:25", datetime(2019, 2, 28, 11, 25, tzinfo=BEIJING), None),
    ("02/28/2019 11:25", datetime(2019, 2, 28, 11, 25, tzinfo=BEIJING), None),
    ("2019年2月28日11时25分", datetime(2019, 2, 28, 11, 25, tzinfo=BEIJING), None),
    ("2019年2月28日 下午3点半", datetime(2019, 2, 28, 15, 30, tzinfo=BEIJING), None),
    ("昨晚8点", datetime(2026, 11, 27, 20, 0, tzinfo=BEIJING), None),
    ("今天上午9点20分", datetime(2026, 11, 28, 9, 20, tzinfo=BEIJING), None),
    ("2019-02-28", datetime(2019, 2, 28, 0, 0, tzinfo=BEIJING), "time-date-only"),
    ("2月28日", datetime(2026, 2, 28, 0, 0, tzinfo=BEIJING), "time-date-only"),
    ("12月30日 08:00", datetime(2025, 12, 30, 8, 0, tzinfo=BEIJING), None),   # in November: last December
])
def test_dates_people_write(value, expected, flag):
    item = normalize_record({"text": "时间", "published_at": value}, now=NOW)
    assert item.published_at == expected
    assert (flag in item.flags) if flag else not any(f.startswith("time-") for f in item.flags)


def test_relative_times_count_back_from_when_the_source_wrote_them():
    crawled = int(datetime(2026, 1, 3, 10, 0, tzinfo=BEIJING).timestamp() * 1000)   # MediaCrawler's add_ts
    item = normalize_record({"text": "贴吧回复", "published_at": "3小时前", "crawled_at": crawled}, now=NOW)
    assert item.published_at == datetime(2026, 1, 3, 7, 0, tzinfo=BEIJING)


@pytest.mark.parametrize("value, expected", [
    (12, 12), ("12", 12), ("1,234", 1234), ("1.2万", 12000), ("10w+", 100000), ("3亿", 300000000),
    ("", None), (None, None), ("n/a", None), (-1, None), (True, None),
])
def test_parse_count(value, expected):
    assert parse_count(value) == expected


def test_normalize_rejects_empty_and_non_objects():
    with pytest.raises(SkipItem) as exc:
        normalize_record({"text": "<p> </p>"}, now=NOW)
    assert exc.value.reason == "empty-text"
    with pytest.raises(SkipItem, match="not-an-object"):
        normalize_record(["text"], now=NOW)


def test_title_only_record_and_platform_aliases():
    item = normalize_record({"title": "故宫漏雨", "platform": "微博"}, now=NOW)
    assert item.text == "故宫漏雨" and item.platform == "weibo" and "title-only" in item.flags
    assert normalize_record({"text": "x", "platform": "tiktok"}, now=NOW).platform == "other"
    item = normalize_record({"text": "转发", "platform": "weibo", "repost_of": "123"}, now=NOW)
    assert item.repost_of == "weibo:123"
    assert item.to_json()["published_at"] == NOW.astimezone(BEIJING).isoformat()
