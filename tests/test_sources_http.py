"""Feeds, pages and the HTTP client against a real server on 127.0.0.1."""

from __future__ import annotations

import time
from datetime import datetime, timezone

import pytest

from yuqing.collect import configured_sources, run_source, source_health
from yuqing.models import BEIJING, metrics_of
from yuqing.settings import Settings
from yuqing.sources import feeds, pages
from yuqing.sources.http import FetchError, Fetcher, check_url


def with_sources(settings: Settings, *sources: dict) -> Settings:
    return Settings(settings.values, tuple(sources), settings.config_path, settings.base_dir)


def test_guard_refuses_loopback_and_private_unless_allowed(settings):
    for url in ("http://127.0.0.1:9/x", "http://localhost/x", "http://10.1.2.3/", "http://192.168.0.1/",
                "http://169.254.169.254/latest/meta-data", "http://[::1]/"):
        with pytest.raises(FetchError) as exc:
            check_url(url, [])
        assert exc.value.reason == "blocked-address" and exc.value.permanent
    check_url("http://127.0.0.1:9/x", ["127.0.0.1:9"])    # allowed explicitly, with its port
    check_url("http://127.0.0.1:9/x", ["127.0.0.1:*"])    # or on every port, said so
    with pytest.raises(FetchError, match="blocked-address"):
        check_url("http://127.0.0.1:9/x", ["127.0.0.1"])  # a bare host is its scheme's port only
    check_url("http://127.0.0.1/x", ["127.0.0.1"])
    check_url("http://10.1.2.3/", ["10.0.0.0/8"])          # a network may be allowed too
    with pytest.raises(FetchError, match="blocked-address"):
        check_url("http://10.1.2.3:6379/", ["10.0.0.0/8"])
    with pytest.raises(FetchError, match="bad-url"):
        check_url("file:///etc/passwd", ["127.0.0.1"])
    with pytest.raises(FetchError, match="bad-url"):
        check_url("http://[::1", [])


@pytest.mark.parametrize("address", [
    "100.100.100.200",          # Alibaba Cloud's metadata service, in carrier-grade NAT space
    "100.64.0.1", "192.88.99.1", "192.0.0.8", "198.18.0.1", "224.0.0.251", "240.0.0.1", "0.0.0.0",
    "2002:7f00:1::", "2002:a9fe:a9fe::",      # 6to4 wrapping 127.0.0.1 and 169.254.169.254
    "64:ff9b::7f00:1", "64:ff9b:1::1",         # NAT64
    "::ffff:127.0.0.1", "::127.0.0.1", "2001::1", "2001:db8::1", "fc00::1", "fe80::1", "fec0::1", "ff02::1",
])
def test_every_special_purpose_range_is_refused(address):
    from yuqing.sources.http import is_public

    import ipaddress

    assert not is_public(ipaddress.ip_address(address))
    host = f"[{address}]" if ":" in address else address
    with pytest.raises(FetchError, match="blocked-address"):
        check_url(f"http://{host}/", [])


def test_public_addresses_pass_and_bad_allow_entries_are_refused():
    from yuqing.settings import SettingsError, load_settings
    from yuqing.sources.http import is_public

    import ipaddress

    for address in ("1.1.1.1", "223.5.5.5", "2400:3200::1", "2001:4860:4860::8888"):
        assert is_public(ipaddress.ip_address(address))
    with pytest.raises(SettingsError, match="fetch_allow_hosts"):
        load_settings(env={}, fetch_allow_hosts=["127.0.0.1:http"])


def test_redirect_to_a_private_address_is_refused(settings, http_server):
    with Fetcher(settings) as f, pytest.raises(FetchError) as exc:
        f.get(http_server.base + "/to-metadata")
    assert exc.value.reason == "blocked-address" and "169.254.169.254" in str(exc.value)


def test_fetcher_without_allowance_never_touches_the_local_server(settings, http_server):
    strict = settings.with_values(fetch_allow_hosts=[])
    with Fetcher(strict) as f, pytest.raises(FetchError, match="blocked-address"):
        f.get(http_server.base + "/rss2.xml")
    assert http_server.log == []


def test_rss2_feed_items_times_and_markup(settings, store, http_server):
    with Fetcher(settings) as f:
        res = feeds.fetch_feed(http_server.base + "/rss2.xml", f)
    assert len(res.records) == 3 and res.etag
    cfg = with_sources(settings, {"name": "rss", "kind": "feed", "url": http_server.base + "/rss2.xml"})
    with Fetcher(cfg) as f:
        result = run_source(configured_sources(cfg)[0], store, f, cfg)
    assert result.report.added == 3 and result.error is None
    hits = store.search("消防安全")
    assert len(hits) == 1
    first = hits[0]
    assert "alert(1)" not in first.text and "<" not in first.text and "消防安全" in first.text
    assert first.url == "http://127.0.0.1/news/1.html"             # tracking parameters dropped
    assert first.published_at == datetime(2026, 11, 28, 1, 15, tzinfo=timezone.utc)
    # a time without offset is Beijing time (feedparser alone would have read it as UTC)
    naive = store.search("积水 改造")[0]
    assert naive.published_at.astimezone(BEIJING).hour == 18
    undated = store.get_items([store.search("没有 发布时间")[0].id])[0]
    assert "time-missing" in undated["flags"]


def test_conditional_get_sends_validators_and_adds_nothing_on_304(settings, store, http_server):
    cfg = with_sources(settings, {"name": "rss", "kind": "feed", "url": http_server.base + "/rss2.xml"})
    src = configured_sources(cfg)[0]
    with Fetcher(cfg) as f:
        run_source(src, store, f, cfg)
        second = run_source(src, store, f, cfg)
    feed_requests = [h for p, h in http_server.log if p == "/rss2.xml"]
    assert "If-None-Match" in feed_requests[1] and "If-Modified-Since" in feed_requests[1]
    assert second.report.read == 0 and second.error is None
    assert store.count_items() == 3


def test_atom_and_rsshub_feeds(settings, store, http_server):
    cfg = with_sources(settings,
                       {"name": "atom", "kind": "feed", "url": http_server.base + "/atom.xml"},
                       {"name": "hub", "kind": "feed", "url": http_server.base + "/rsshub.xml", "platform": "weibo"})
    with Fetcher(cfg) as f:
        for src in configured_sources(cfg):
            assert run_source(src, store, f, cfg).report.added >= 1
    atom = store.search("供暖")[0]
    assert atom.author == "示例记者" and atom.published_at == datetime(2026, 11, 28, 2, 0, tzinfo=timezone.utc)
    assert "<em>" not in atom.text
    # RSSHub: traditional characters are searchable in simplified form, the original is kept
    hub = store.search("万庄镇 仓库")[0]
    assert hub.platform == "weibo" and "萬莊鎮" in hub.text and "document.cookie" not in hub.text
    assert hub.author == "示例用户"


def test_malformed_feed_is_quarantined_with_reason(settings, store, http_server):
    cfg = with_sources(settings, {"name": "bad", "kind": "feed", "url": http_server.base + "/malformed.xml"})
    with Fetcher(cfg) as f:
        result = run_source(configured_sources(cfg)[0], store, f, cfg)
    assert result.report.quarantined.get("malformed-feed") == 1
    assert store.quarantine_counts()["malformed-feed"] == 1
    record = next(q for q in store.quarantined() if q["reason"] == "malformed-feed")
    assert record["origin"].endswith("/malformed.xml") and "Exception" in record["detail"] and "坏的源" in record["raw"]


def test_gbk_and_big5_pages_decode_from_meta(settings, http_server):
    with Fetcher(settings) as f:
        gbk = f.get(http_server.base + "/articles/gbk.html")
        big5 = f.get(http_server.base + "/big5.html")
    assert "九州镇农村道路" in pages.page_text(gbk.content, gbk.content_type)
    assert "廣陽區萬莊鎮" in pages.page_text(big5.content, big5.content_type)


def test_list_page_to_articles_with_robots_404_and_foreign_links(settings, store, http_server):
    cfg = with_sources(settings, {"name": "site", "kind": "pages", "url": http_server.base + "/list.html"})
    src = configured_sources(cfg)[0]
    with Fetcher(cfg) as f:
        result = run_source(src, store, f, cfg)
    assert result.report.added == 2                 # a1 (once, despite the #anchor) and the GBK article
    assert result.report.quarantined == {"http-404": 1, "robots-disallowed": 1}
    assert not any(p.startswith("/private/") for p, _ in http_server.log)   # robots.txt honoured
    a1 = store.search("安全生产 会议")[0]
    assert a1.title == "广阳区召开安全生产会议" and "注入的脚本文字" not in a1.text and "版权所有" not in a1.text
    assert a1.published_at == datetime(2026, 11, 28, 0, 0, tzinfo=timezone.utc)
    assert store.search("九州镇 道路")[0].url == http_server.base + "/articles/gbk.html"
    # the next run fetches only the list page: known and quarantined links are skipped
    before = len(http_server.log)
    with Fetcher(cfg) as f:
        again = run_source(src, store, f, cfg)
    assert again.report.read == 0 and [p for p, _ in http_server.log[before:]] == ["/robots.txt", "/list.html"]


def test_404_500_timeout_redirect_loop(settings, http_server):
    with Fetcher(settings) as f:
        cases = {"/nothing-here": ("http-404", True), "/error": ("http-500", False),
                 "/slow": ("timeout", False), "/loop": ("too-many-redirects", True)}
        for path, (reason, permanent) in cases.items():
            started = time.monotonic()
            with pytest.raises(FetchError) as exc:
                f.get(http_server.base + path)
            assert (exc.value.reason, exc.value.permanent) == (reason, permanent)
            assert time.monotonic() - started < 2.5


def test_100mb_body_is_capped(settings, http_server):
    capped = settings.with_values(fetch_max_bytes=1_000_000, fetch_timeout=10.0)
    started = time.monotonic()
    with Fetcher(capped) as f, pytest.raises(FetchError) as exc:
        f.get(http_server.base + "/huge")
    assert exc.value.reason == "too-large" and exc.value.permanent
    assert time.monotonic() - started < 5            # stopped early, not after 100 MB


def test_health_records_errors_and_silence(settings, store, http_server):
    cfg = with_sources(settings,
                       {"name": "down", "kind": "feed", "url": http_server.base + "/error", "interval": "10m"},
                       {"name": "ok", "kind": "feed", "url": http_server.base + "/rss2.xml", "interval": "10m"})
    down, ok = configured_sources(cfg)
    t0 = datetime(2026, 11, 28, 0, 0, tzinfo=timezone.utc)
    with Fetcher(cfg) as f:
        assert run_source(down, store, f, cfg, now=t0).error.startswith("http-500")
        run_source(ok, store, f, cfg, now=t0)
    health = {h["name"]: h for h in source_health(cfg, store, now=t0.timestamp() + 60)}
    assert health["down"]["last_error"].startswith("http-500") and health["down"]["last_success"] is None
    assert health["ok"]["last_success"] and health["ok"]["items_total"] == 3 and not health["ok"]["silent"]
    # nothing new for far longer than its usual gap (4 × 10 min by default): flagged silent
    later = {h["name"]: h for h in source_health(cfg, store, now=t0.timestamp() + 3 * 3600)}
    assert later["ok"]["silent"]


def test_a_failing_source_is_retried_ever_later_and_on_its_interval_once_it_works(settings, store, http_server):
    from yuqing.collect import retry_after

    down = {"name": "s", "kind": "feed", "url": http_server.base + "/error", "interval": "10m"}
    cfg = with_sources(settings, down)
    t0 = datetime(2026, 11, 28, 0, 0, tzinfo=timezone.utc).timestamp()
    waits = []
    with Fetcher(cfg) as f:
        for k in range(4):
            now = datetime.fromtimestamp(t0 + k * 7200, timezone.utc)
            run_source(configured_sources(cfg)[0], store, f, cfg, now=now)
            st = store.source_state("s")
            waits.append(st["next_due_ts"] - now.timestamp())
        assert waits == [1200, 2400, 3600, 3600] and st["failing_runs"] == 4   # 2, 4 intervals, then hourly
        fixed = with_sources(settings, {**down, "url": http_server.base + "/rss2.xml"})
        now = datetime.fromtimestamp(t0 + 9 * 3600, timezone.utc)
        run_source(configured_sources(fixed)[0], store, f, fixed, now=now)
    st = store.source_state("s")
    assert st["failing_runs"] == 0 and st["next_due_ts"] - now.timestamp() == 600
    assert retry_after(5, 3) == 40 and retry_after(5, 9) == 40                  # a 5 s source: at most 8 intervals


def test_requests_to_one_host_are_paced(settings, http_server):
    paced = settings.with_values(fetch_host_delay=0.3)
    started = time.monotonic()
    with Fetcher(paced) as f:
        for path in ("/rss2.xml", "/atom.xml", "/rsshub.xml"):
            f.get(http_server.base + path)
    # robots.txt + 3 pages = 4 requests to one host: at least 3 gaps of 0.3 s
    assert time.monotonic() - started >= 0.9
    assert [p for p, _ in http_server.log] == ["/robots.txt", "/rss2.xml", "/atom.xml", "/rsshub.xml"]
    assert all(h.get("User-Agent", "").startswith("yuqing/") for _, h in http_server.log)


def test_robots_crawl_delay_is_honoured(settings, http_server):
    http_server.routes["/robots.txt"] = (b"User-agent: *\nCrawl-delay: 1\nDisallow: /private/\n", "text/plain")
    started = time.monotonic()
    with Fetcher(settings) as f:          # fetch_host_delay is 0 in tests: the delay comes from robots.txt
        f.get(http_server.base + "/rss2.xml")
        f.get(http_server.base + "/atom.xml")
    assert time.monotonic() - started >= 1.0


def test_source_config_mistakes_are_reported(settings):
    from yuqing.settings import SettingsError

    bad = [({"name": "a", "kind": "rss", "url": "http://x"}, "kind out of"),
           ({"name": "a", "kind": "feed"}, "needs a url"),
           ({"name": "a", "kind": "feed", "url": "http://x", "intervall": "5m"}, "unknown keys"),
           ({"name": "a", "kind": "feed", "url": "http://x", "platform": "tiktok"}, "platform must be"),
           ({"name": "a", "kind": "feed", "url": "http://x", "interval": "soon"}, "not a duration")]
    for raw, message in bad:
        with pytest.raises(SettingsError, match=message):
            configured_sources(with_sources(settings, raw))
    twice = with_sources(settings, {"name": "a", "kind": "feed", "url": "http://x"},
                         {"name": "a", "kind": "feed", "url": "http://y"})
    with pytest.raises(SettingsError, match="unique"):
        configured_sources(twice)
    ok = configured_sources(with_sources(settings, {"name": "p", "kind": "pages", "url": "http://x",
                                                    "link_pattern": "/a/", "interval": "2h"}))[0]
    assert ok.interval == 7200 and ok.options == {"link_pattern": "/a/"}


def test_article_links_follow_a_pattern_across_hosts():
    from conftest import SITE

    html = (SITE / "list.html").read_text(encoding="utf-8")
    base = "http://127.0.0.1:8000/list.html"
    assert pages.article_links(html, base) == [
        "http://127.0.0.1:8000/articles/a1.html", "http://127.0.0.1:8000/articles/gbk.html",
        "http://127.0.0.1:8000/articles/missing.html", "http://127.0.0.1:8000/private/secret.html"]
    assert pages.article_links(html, base, r"/articles/a\d") == ["http://127.0.0.1:8000/articles/a1.html"]
    assert pages.article_links(html, base, r"elsewhere\.example") == ["https://elsewhere.example/x.html"]
    assert pages.article_links("", base) == [] and pages.article_links("<<<>>>", base) == []


def test_rsshub_json_feed_media_counts_and_noise(settings, store, http_server):
    """RSSHub's `?format=json` (JSON Feed 1.1, as lib/views/json.ts writes it)."""
    cfg = with_sources(settings, {"name": "hub-json", "kind": "feed", "url": http_server.base + "/rsshub.json",
                                  "platform": "weibo"})
    with Fetcher(cfg) as f:
        result = run_source(configured_sources(cfg)[0], store, f, cfg)
    assert result.report.added == 2 and result.report.quarantined == {"not-an-object": 1}
    row = store.get_items([store.search("新华路 积水")[0].id])[0]
    import json as _json
    media = _json.loads(row["media"])
    assert {"kind": "image", "url": "https://wx2.sinaimg.cn/large/jishui1.jpg"} in media
    assert {"kind": "image", "url": "https://wx3.sinaimg.cn/orj480/poster1.jpg"} in media
    assert any(m["kind"] == "video" and "ssig=abc" in m["url"] for m in media)   # signed URL kept whole
    assert len(media) == len({m["url"] for m in media})                           # image given twice, kept once
    assert "视频无法显示" not in row["text"] and "[图片]" not in row["title"] and "请绕行" in row["text"]
    assert _json.loads(row["metrics"])["reposts"] == 12 and _json.loads(row["metrics"])["likes"] == 88
    assert row["published_ts"] == int(datetime(2026, 11, 28, 2, 30, tzinfo=timezone.utc).timestamp())
    fire = store.get_items([store.search("消防安全 检查")[0].id])[0]
    assert _json.loads(fire["media"]) == [{"kind": "video", "url": "https://f.video.weibocdn.com/o0/xiaofang.mp4"}]
    health = source_health(cfg, store)[0]
    assert not health["failing"] and health["last_success"]


def test_player_fallback_text_is_dropped_wherever_it_sits():
    """The text a player shows when it cannot play is not the post's: inside <video>, after a
    <source>, or inside one (libxml2 parses <source> as holding what follows); text after the
    element is the post's and stays."""
    for body in ('<p>正文</p><video src="a.mp4">您的浏览器不支持视频</video>后文',
                 '<p>正文</p><video><source src="a.mp4">您的浏览器不支持视频</video>后文',
                 '<p>正文</p><video><source src="a.mp4"><p>视频无法显示，请前往<a href="x">微博视频</a>观看。</p></video>后文',
                 '<p>正文</p><audio><source src="a.mp4" type="audio/mp4">不支持<b>音频</b></audio>后文'):
        text, media = feeds.html_media(body)
        assert "不支持" not in text and "视频无法显示" not in text, body
        assert "正文" in text and "后文" in text and [m["url"] for m in media] == ["a.mp4"], body
    plain = '<p>正文<img src="p.jpg"></p>'
    assert feeds.html_media(plain) == (plain, [{"kind": "image", "url": "p.jpg"}])   # nothing to drop: kept as given


def test_rss_enclosures_media_stats_and_a_zone_label_that_lies(settings, store, http_server):
    cfg = with_sources(settings, {"name": "hub-media", "kind": "feed", "url": http_server.base + "/rsshub_media.xml",
                                  "timezone": "Asia/Shanghai", "assume_local_time": True})
    with Fetcher(cfg) as f:
        assert run_source(configured_sources(cfg)[0], store, f, cfg).report.added == 1
    import json as _json
    row = store.get_items([store.search("爱民东道 施工")[0].id])[0]
    assert "[组图共3张]" not in row["title"] and row["title"] == "爱民东道施工占道"
    kinds = {m["url"]: m["kind"] for m in _json.loads(row["media"])}
    assert kinds == {"https://img.example.org/zhandao.jpg": "image", "https://img.example.org/cover77.jpg": "image",
                     "https://v.example.org/77.mp4": "video"}
    assert metrics_of(row["metrics"]) == {"comments": 7, "likes": 21, "reposts": 5, "views": None}
    # 「10:15:00 GMT」 from a route that prints Beijing time: 10:15 in Beijing
    assert row["published_ts"] == int(datetime(2026, 11, 28, 10, 15, tzinfo=BEIJING).timestamp())


def test_a_source_whose_every_record_is_quarantined_is_failing(settings, store, http_server):
    cfg = with_sources(settings, {"name": "bad", "kind": "feed", "url": http_server.base + "/malformed.xml"})
    with Fetcher(cfg) as f:
        result = run_source(configured_sources(cfg)[0], store, f, cfg)
    health = source_health(cfg, store)[0]
    if result.report.added:                      # the lenient parser salvaged something: not this case
        pytest.skip("malformed.xml salvages items")
    assert health["failing"] and "全部被隔离" in health["last_error"] and health["last_success"] is None


def test_feed_timezone_option_is_checked(settings):
    from yuqing.settings import SettingsError

    bad = with_sources(settings, {"name": "x", "kind": "feed", "url": "http://127.0.0.1/x", "timezone": "Mars/Base",
                                  "assume_local_time": True})
    with pytest.raises(SettingsError, match="timezone"):
        configured_sources(bad)


@pytest.mark.parametrize("name, url, title, published, source, first, last", [
    ("wechat.html", "https://mp.weixin.qq.com/s/abc", "万庄镇开展冬季供暖入户检查",
     datetime(2026, 11, 28, 11, 45, tzinfo=BEIJING), "万庄镇发布", "11月27日，万庄镇组织", "解决问题37件。"),
    ("gov.html", "http://www.gy.gov.cn/art/2019/2/28/art_1_1.html", "广阳区召开2019年冬季供暖工作调度会",
     datetime(2019, 2, 28, 11, 25, tzinfo=BEIJING), "区住建局", "2月28日上午", "负责同志参加会议。"),
    ("jsonld.html", "https://news.example.org/2026/11/27/1.html", "新华路积水点改造完工",
     datetime(2026, 11, 27, 16, 40, tzinfo=BEIJING), "某市融媒体中心", "新华路与爱民道交口", "逐一改造。"),
])
def test_page_shapes_time_title_source_and_body(name, url, title, published, source, first, last):
    """The shapes of a WeChat article (body in a hidden #js_content, `var ct`), a government CMS
    page (ArticleTitle, PubDate, 字号 lines, the site's name as <title>) and a JSON-LD news page
    (written here to those shapes: a smoke test; the measure is the real-page set)."""
    from pathlib import Path

    from yuqing.ingest import normalize_record

    html = (Path(__file__).parent / "data/pages" / name).read_text(encoding="utf-8")
    record = pages.extract_article(html, url)
    item = normalize_record(record, now=datetime(2026, 12, 1, tzinfo=timezone.utc))
    assert item.title == title and item.source == source
    assert item.published_at == published and not any(f.startswith("time-") for f in item.flags)
    assert item.text.startswith(first) and item.text.endswith(last)
    for noise in ("字号", "字体", "打印", "关闭窗口", "来源：", "发布时间", "推荐阅读", "Copyright", "当前位置"):
        assert noise not in item.text


def test_a_date_only_page_is_flagged_not_stored_at_a_silent_midnight():
    from yuqing.ingest import normalize_record

    html = ("<html><head><title>通知</title></head><body><article><h1>关于开展燃气安全检查的通知</h1>"
            "<p>各社区：为做好冬季燃气安全工作，区应急管理局决定于12月开展燃气安全检查，请各单位做好配合。</p>"
            "<p>检查内容包括燃气管道、灶具和报警装置，发现隐患立即整改。</p></article></body></html>")
    record = pages.extract_article(html, "https://www.example.gov.cn/tzgg/2026-11-27/123.html")
    item = normalize_record(record, now=datetime(2026, 12, 1, tzinfo=timezone.utc))
    if record.get("published_at"):
        assert "time-date-only" in item.flags
        assert item.published_at.astimezone(BEIJING).date().isoformat() == "2026-11-27"


def test_real_saved_chinese_pages_title_time_and_body():
    """35 real pages from public repositories' fixtures (tests/data/pages_real, labels by reading);
    bench/pages_real.py prints the misses. Floors at the issue's 95 % on the 25 seen while the
    extraction was fixed (1.00 / 1.00 / 0.96) and on the 10 labelled afterwards (1.00 each)."""
    import sys
    from pathlib import Path

    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "bench"))
    import pages_real

    for part, n in (("dev", 25), ("fresh", 10)):
        rows = [pages_real.judge(lb) for lb in pages_real.labels_of(part)]
        assert len(rows) >= n
        for key in ("title", "time", "body"):
            share = sum(r[key] for r in rows) / len(rows)
            assert share >= 0.95, (part, key, share, [r["file"] for r in rows if not r[key]])
