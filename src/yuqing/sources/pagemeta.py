"""What a Chinese news, WeChat or government page says about itself, beside what trafilatura finds.

trafilatura extracts the body well but, on Chinese pages, takes a date from the URL over the
page's exact time, a recommended article's headline or the site's name for the title, misses
WeChat's body (hidden in `#js_content` until a script shows it) and keeps 「字号：大 中 小」 and
「打印本页」 lines. The page's own declarations come first here:

- time: JSON-LD `datePublished`; `article:published_time`, `PubDate`, `publishdate` … metas;
  WeChat's `var ct = "…"` (epoch seconds); a byline 「发布时间：2019-02-28 11:25」;
- title: `ArticleTitle` (the government CMS), `og:title`, JSON-LD `headline`, WeChat's
  `rich_media_title`;
- source: `ContentSource` and 「来源：…」, never a copyright line.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass

_TIME_METAS = ("article:published_time", "og:article:published_time", "pubdate", "publishdate", "publish_date",
               "publish-date", "publishtime", "publish_time", "og:release_date", "datepublished", "dc.date.issued",
               "dc.date", "weibo:article:create_at", "bytedance:published_time", "createdate")
_TITLE_METAS = ("articletitle", "og:title", "twitter:title")
_SOURCE_METAS = ("contentsource", "source", "og:site_name")
_WECHAT_CT = re.compile(r"""var\s+(?:ct|create_time)\s*=\s*["']?(\d{10})["']?""")
_DATE_TEXT = r"(\d{4}\s*[-/年.]\s*\d{1,2}\s*[-/月.]\s*\d{1,2}\s*日?(?:\s*\d{1,2}\s*[:：时]\s*\d{1,2}(?:\s*[:：分]\s*\d{1,2})?\s*[分秒]?)?)"
_BYLINE_TIME = re.compile(r"(?:发布时间|发布日期|发表时间|更新时间|时间|日期|发布于)\s*[:：]?\s*" + _DATE_TEXT)
_BYLINE_SOURCE = re.compile(r"(?:来源|稿源|信息来源|文章来源)\s*[:：]\s*([^\s|｜丨/、，,：:　]{2,30})")
_COPYRIGHT = re.compile(r"copyright|©|版权所有|all rights reserved|备案|ICP", re.I)
# lines that are the page's furniture, not the article's words
_FURNITURE = re.compile(
    r"^\s*(?:【?\s*字[号体]\s*[:：]?\s*[大中小\s\|｜丨]+】?|打印本页|【?打印】?|【?关闭】?|关闭窗口|【?收藏】?|"
    r"分享到\s*[:：]?.*|扫一扫在手机打开当前页|扫一扫\S{0,12}|上一篇\s*[:：].*|下一篇\s*[:：].*|责任编辑\s*[:：].{0,20}|"
    r"当前位置\s*[:：].*|首页\s*[>＞›]\s*.*|\[\s*打印\s*\]|\[\s*关闭\s*\]|【\s*我要纠错\s*】|网站地图|返回顶部)\s*$")


# 「更新时间 2012年12月10日, 格林尼治标准时间10:41」 (BBC): a time in GMT
_GMT = re.compile(r"(\d{4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日\s*[,，]?\s*格林尼治标准时间\s*(\d{1,2}:\d{2})")
_CLOCK = re.compile(r"\d{1,2}\s*[:：时]\s*\d{2}")
# what a <title> appends to the article's headline: the channel and the site (「_教育频道_中国青年网」,
# 「 -中新网」, 「-新华网」, 「 @ 史蒂文的家 :: 痞客邦 PIXNET」)
_SITE_WORD = re.compile(r"(?:网|网站|频道|新闻|资讯|财经|科技|日报|晚报|早报|报|在线|客户端|门户|中心|博客|部落格|微博|"
                        r"发布|PIXNET|BBC\S*|\.(?:com|cn|net|org)\S*)\s*$", re.I)
_SEPARATOR = re.compile(r"\s*(?:\s@\s|\s::\s|\s\|\s|\s[-–—－]\s?|[_｜|–—－]|-)\s*")


def strip_site(title: str | None, site: str | None = None) -> str | None:
    """The headline without the channel and site names a <title> or og:title adds to it."""
    if not title:
        return title
    title = title.strip()
    for mark in (" @ ", " :: "):             # blog conventions: the rest is the blog's name
        if mark in title:
            title = title.split(mark, 1)[0].strip()
    while True:
        parts = list(_SEPARATOR.finditer(title))
        if not parts:
            return title
        last = parts[-1]
        tail, head = title[last.end():].strip(), title[:last.start()].strip()
        if len(head) < 5 or not tail or len(tail) > 16 or not (_SITE_WORD.search(tail) or (site and tail in site)):
            return title
        title = head


@dataclass
class PageMeta:
    time: str | None = None          # as written (ingest reads it); None when the page says nothing
    time_from: str | None = None     # json-ld | meta | wechat | byline
    title: str | None = None
    source: str | None = None
    wechat_body: str | None = None   # the text of #js_content, for WeChat pages


def _meta(root, names: tuple[str, ...]) -> str | None:
    found = {}
    for el in root.iter("meta"):
        key = (el.get("property") or el.get("name") or el.get("itemprop") or "").strip().lower()
        value = (el.get("content") or "").strip()
        if key in names and value and key not in found:
            found[key] = value
    return next((found[n] for n in names if n in found), None)


def _json_ld(root) -> list[dict]:
    out = []
    for el in root.iter("script"):
        if (el.get("type") or "").lower() != "application/ld+json" or not el.text:
            continue
        try:
            doc = json.loads(el.text)
        except ValueError:
            continue
        stack = doc if isinstance(doc, list) else [doc]
        while stack:
            d = stack.pop()
            if isinstance(d, dict):
                out.append(d)
                stack.extend(d["@graph"] if isinstance(d.get("@graph"), list) else [])
            elif isinstance(d, list):
                stack.extend(d)
    return out


def read_meta(html: str) -> PageMeta:
    """The page's own time, title and source (and WeChat's body); never raises on bad HTML."""
    import lxml.html

    meta = PageMeta()
    try:
        root = lxml.html.fromstring(html)
    except Exception:  # noqa: BLE001 — an empty or unparsable page declares nothing
        return meta
    ld = _json_ld(root)
    published = next((d.get("datePublished") for d in ld if isinstance(d.get("datePublished"), str)), None)
    if published:
        meta.time, meta.time_from = published, "json-ld"
    elif value := _meta(root, _TIME_METAS):
        meta.time, meta.time_from = value, "meta"
    else:
        scripts = " ".join(el.text or "" for el in root.iter("script"))
        if m := _WECHAT_CT.search(scripts):
            meta.time, meta.time_from = m.group(1), "wechat"
    title = _meta(root, _TITLE_METAS) or next((d.get("headline") for d in ld if isinstance(d.get("headline"), str)), None)
    if not title:
        wx = root.xpath('//*[@id="activity-name" or contains(@class, "rich_media_title")]')
        title = wx[0].text_content().strip() if wx else None
    site = _meta(root, ("og:site_name", "sitename"))
    meta.title = strip_site(title, site) if title else None
    if not meta.title:
        # the <title> (without the site) or an <h1> that starts it: an <h1> alone can be the
        # column's name (网易商业) and a <title> alone carries the site's
        tag = root.find(".//title")
        page_title = strip_site(tag.text_content(), site) if tag is not None else None
        h1s = [re.sub(r"\s+", " ", h.text_content()).strip() for h in root.xpath("//h1")]
        meta.title = next((h for h in h1s if len(h) >= 5 and page_title and page_title.startswith(h)), None) \
            or page_title or None
    source = _meta(root, ("contentsource",))
    if not source:                    # a WeChat page: its account's name
        account = root.xpath('//*[@id="js_name"]')
        source = account[0].text_content().strip() if account else None
    if source and not _COPYRIGHT.search(source):
        meta.source = source
    body = root.xpath('//*[@id="js_content"]')
    if body:
        text = "\n".join(t.strip() for t in body[0].itertext() if t.strip())
        meta.wechat_body = text or None
    if meta.time is None or not _CLOCK.search(meta.time) or meta.source is None:
        # the byline: the first lines of the page's text (from its headline on) that name a
        # time or a source; a meta that gives the day only (光明网's publishdate) yields to the
        # byline's time of that day
        texts = [t.strip() for t in root.xpath("//body//text()[not(ancestor::script) and not(ancestor::style)]")
                 if t.strip()]
        head = " ".join(texts)[:20000]
        if meta.title and (at := head.find(meta.title[:12])) >= 0:
            head = head[at:]
        head = head[:3000]
        found = None
        if m := _GMT.search(head):
            found = f"{m.group(1)}-{int(m.group(2)):02d}-{int(m.group(3)):02d} {m.group(4)} +00:00"
        elif m := _BYLINE_TIME.search(head):
            found = m.group(1)
        else:                                  # a date with a clock near the headline, unlabelled
            m = re.search(_DATE_TEXT, head[:400])
            found = m.group(1) if m and _CLOCK.search(m.group(1)) else None
        if found and (meta.time is None or (_CLOCK.search(found) and not _CLOCK.search(meta.time)
                                             and re.sub(r"\D", "", found)[:8] == re.sub(r"\D", "", meta.time)[:8])):
            meta.time, meta.time_from = found, "byline"
        if meta.source is None and (m := _BYLINE_SOURCE.search(head)) and not _COPYRIGHT.search(m.group(1)):
            meta.source = m.group(1)
    return meta


# a byline: the article's time, source, author, views (「发布时间：2019-02-28　来源：区住建局　【字体：大 中 小】」)
_BYLINE = re.compile(
    r"^\s*(?:(?:发布时间|发布日期|发表时间|更新时间|时间|日期|来源|稿源|信息来源|文章来源|作者|编辑|责任编辑|记者|通讯员|"
    r"浏览次数|浏览量|点击数|阅读数?|访问量)\s*[:：]?\s*[^。！？\n]{0,40}?|" + _DATE_TEXT + r"|【[^】]{0,20}】|\s+)+$")
_INLINE_FURNITURE = re.compile(r"【\s*字[号体]\s*[:：]?\s*[大中小\s\|｜丨]+】|【\s*(?:打印|关闭|收藏|纠错)\s*】")


def _is_byline(line: str) -> bool:
    return len(line) <= 160 and "。" not in line and bool(_BYLINE.match(line)) and bool(
        re.search(r"来源|时间|日期|作者|编辑|记者|浏览|点击|阅读|\d{4}\s*[-/年.]", line))


# after these the page lists comments, related or recommended articles: the body has ended
_ENDS = re.compile(r"^\s*(?:跟贴热词|网友评论仅供其表达个人看法|重点推荐|相关新闻|相关阅读|相关文章|推荐阅读|热门推荐|"
                   r"热点推荐|猜你喜欢|精彩推荐|精彩视频推荐|延伸阅读|更多精彩|大家都在看|大家都爱看|文明上网|最热评论|"
                   r"特别声明[:：]|版权声明[:：]|返回首页|(?:上一篇|下一篇)\s*[:：]|[-·]?\s*违法和不良信息举报|"
                   r"[-·]?\s*互联网新闻信息服务许可证|\S{0,8}版权说明[:：]|版权保护[:：])")
_TAIL = re.compile(r"^\s*(?:[-·•]\s.*|.*\d{4}[-/.年]\d{1,2}[-/.月]\d{1,2}日?(?:\s*\d{1,2}:\d{2}(?::\d{2})?)?|\d+\s*(?:人参与)?|"
                   r".*(?:copyright|all rights reserved|版权所有).*|分享到?.{0,20}|X|×)\s*$", re.I)
_NAV = re.compile(r"[>＞›»]|\s\|\s|^\|")


def _trim(lines: list[str]) -> list[str]:
    # the end: cut at the first marker in the last two thirds, then drop trailing list lines
    for i, line in enumerate(lines):
        if i >= max(1, len(lines) // 3) and _ENDS.match(line):
            lines = lines[:i]
            break
    while lines and _TAIL.match(lines[-1]) and len(lines[-1]) < 80:
        lines = lines[:-1]
    # the start: navigation (「科技 > 正文」, 「首页 | 滚动 | …」) and notices before the first sentence
    while len(lines) > 1 and len(lines[0]) < 80 and "。" not in lines[0] and (
            _NAV.search(lines[0]) or "浏览器" in lines[0]):
        lines = lines[1:]
    return lines


def strip_furniture(text: str, title: str | None = None) -> str:
    """The body without the title repeated at its top, the byline, and 「字号：大 中 小」, 「打印本页」,
    「分享到」 and such lines."""
    if not text:
        return text
    if title and text.startswith(title) and len(text) > len(title) + 20:
        text = text[len(title):].lstrip()
    lines = text.split("\n")
    # a byline only at the top or the foot: 「时间：3月1日 9:00　地点：…」 inside a notice is its content
    edge = set(range(3)) | set(range(len(lines) - 3, len(lines)))
    kept = [line for i, line in enumerate(lines)
            if not _FURNITURE.match(line) and not (i in edge and line.strip() and _is_byline(line))]
    kept = _trim(kept)
    if len(kept) == 1:            # one long line (a fallback extractor joins with spaces): its opening byline
        first = kept[0]
        m = re.match(r"\s*(?:" + _DATE_TEXT + r"\s*)?(?:(?:来源|作者|编辑|记者)\s*[:：]\s*\S{1,30}\s+)+", first)
        if m and "。" not in m.group(0):
            kept = [first[m.end():]]
    out = "\n".join(_INLINE_FURNITURE.sub("", line).rstrip() for line in kept)
    return out if out.strip() else text


def is_copyright(value: str | None) -> bool:
    return bool(value and _COPYRIGHT.search(value))
