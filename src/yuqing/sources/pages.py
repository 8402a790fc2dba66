"""Web pages: a list page, its article links, and each article's text and metadata (trafilatura)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Callable
from urllib.parse import urljoin, urlsplit

from ..ingest import (PAGE_MAX_HTML, canonical_url, charset_from_content_type, decode_bytes,
                      extraction_fallbacks, lighten_html)
from ..models import Quarantined, Raw
from .http import FetchError, Fetcher
from .pagemeta import is_copyright, read_meta, strip_furniture


@dataclass
class PagesResult:
    records: list[Raw | Quarantined] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)   # transient failures, retried next run


def page_text(content: bytes, content_type: str) -> str:
    """Return a fetched page as text, decoded by header charset, meta charset or detection."""
    return decode_bytes(content, charset_from_content_type(content_type))[0]


def article_links(html: str, base_url: str, pattern: str | None = None) -> list[str]:
    """Return the canonical article links of a list page, in page order, without repeats.

    Without a pattern, links must stay on the list page's host and not be the page itself.
    """
    import lxml.html

    try:
        root = lxml.html.fromstring(html)
    except Exception:  # an empty or unparsable list page has no links
        return []
    host = urlsplit(base_url).netloc
    regex = re.compile(pattern) if pattern else None
    own = canonical_url(base_url)
    links: list[str] = []
    for href in root.xpath("//a/@href"):
        url = canonical_url(urljoin(base_url, href.strip()))
        if not url or url == own or url in links:
            continue
        if regex is not None:
            if not regex.search(url):
                continue
        elif urlsplit(url).netloc != host:
            continue
        links.append(url)
    return links


def extract_article(html: str, url: str, max_chars: int = PAGE_MAX_HTML) -> dict:
    """Return the item record of an article page: title, text, author, time (trafilatura)."""
    import trafilatura

    # the page's declarations first, from the page as it came (lightening drops the scripts that
    # hold JSON-LD and WeChat's time); lxml parses the bounded page in C, cheaply
    meta = read_meta(html[:max_chars])
    html = lighten_html(html, max_chars)
    doc = trafilatura.bare_extraction(html, url=url, with_metadata=True, include_comments=False,
                                      favor_recall=True, fast=not extraction_fallbacks(html),
                                      date_extraction_params={"extensive_search": True, "original_date": True,
                                                              "outputformat": "%Y-%m-%d %H:%M:%S"})
    if doc is None and not meta.wechat_body:
        return {"url": url, "text": ""}
    get = (doc.get if isinstance(doc, dict) else (lambda k: getattr(doc, k, None))) if doc is not None else (lambda k: None)
    text = get("text") or ""
    if meta.wechat_body and len(meta.wechat_body) > len(text):
        text = meta.wechat_body          # WeChat hides its body until a script shows it
    # the page's own time before trafilatura's, which may be the date in the URL; a time that is
    # exactly midnight from trafilatura is a date (it writes 00:00:00 when it found no time)
    published = meta.time or get("date")
    if not meta.time and isinstance(published, str) and published.endswith(" 00:00:00"):
        published = published[:10]
    source = meta.source or get("sitename")
    title = meta.title or get("title")
    return {"url": url, "title": title, "text": strip_furniture(text, title), "author": get("author"),
            "published_at": published, "source": None if is_copyright(source) else source}


def crawl_list(list_url: str, fetcher: Fetcher, *, pattern: str | None = None, max_articles: int = 50,
               known: Callable[[list[str]], set[str]] = lambda links: set()) -> PagesResult:
    """Fetch a list page and the articles it links to that `known` does not already report."""
    result = PagesResult()
    resp = fetcher.get(list_url)   # a failing list page fails the whole run (the caller records it)
    links = article_links(page_text(resp.content, resp.content_type), resp.url, pattern)
    seen = known(links)
    fresh = [u for u in links if u not in seen][:max_articles]
    for url in fresh:
        try:
            page = fetcher.get(url)
        except FetchError as exc:
            if exc.permanent:
                result.records.append(Quarantined(exc.reason, url, exc.detail))
            else:
                result.errors.append(str(exc))
            continue
        if "html" not in page.content_type and "xml" not in page.content_type and page.content_type:
            result.records.append(Quarantined("not-html", url, f"content type {page.content_type}"))
            continue
        record = extract_article(page_text(page.content, page.content_type), page.url,
                                 fetcher.settings.page_max_html_bytes)
        record["url"] = url
        result.records.append(Raw(url, record))
    return result
