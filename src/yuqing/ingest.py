"""Normalise raw records into Items: text, encoding, script, URL, id, time, counts.

`normalize_record` is the one entry point; everything it cannot accept raises SkipItem with a
reason that ends up in the quarantine table.
"""

from __future__ import annotations

import hashlib
import html as htmllib
import itertools
import json
import logging
import math
import re
from datetime import datetime, timedelta, timezone, tzinfo
from email.utils import parsedate_tz
from functools import cache
from typing import Any, Mapping
from urllib.parse import urlsplit

from .models import BEIJING, LOCAL_SOURCE, PLATFORMS, Item, Quarantined, SkipItem

log = logging.getLogger(__name__)

# --- encodings ---------------------------------------------------------------------------

_CHARSET_ALIASES = {
    # decode with the superset each legacy name is used for in practice
    "gb2312": "gb18030", "gbk": "gb18030", "x-gbk": "gb18030", "gb18030": "gb18030",
    "big5": "cp950", "big5-hkscs": "big5hkscs", "cp950": "cp950",
    "utf8": "utf-8", "utf-8": "utf-8",
}
_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_\-]+)""", re.I)
_XML_ENCODING = re.compile(rb"""<\?xml[^>]+encoding\s*=\s*["']([A-Za-z0-9_\-]+)""", re.I)


def _codec(name: str | None) -> str | None:
    if not name:
        return None
    name = name.strip().strip("\"'").lower()
    name = _CHARSET_ALIASES.get(name, name)
    try:
        "".encode(name)
    except LookupError:
        return None
    return name


def charset_from_content_type(content_type: str | None) -> str | None:
    """Return the charset named in a Content-Type header, if any."""
    if not content_type:
        return None
    m = re.search(r"charset\s*=\s*([^\s;]+)", content_type, re.I)
    return m.group(1) if m else None


def decode_bytes(data: bytes, declared: str | None = None) -> tuple[str, str]:
    """Return (text, encoding) from the BOM, the declared charset, the page's meta, or detection."""
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8", errors="replace"), "utf-8"
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16", errors="replace"), "utf-16"
    head = data[:4096]
    candidates = [declared]
    for pattern in (_META_CHARSET, _XML_ENCODING):
        m = pattern.search(head)
        if m:
            candidates.append(m.group(1).decode("ascii", "ignore"))
    for name in candidates:
        codec = _codec(name)
        if codec:
            try:
                return data.decode(codec), codec
            except UnicodeDecodeError:
                continue  # a wrong declaration is common; fall through to the next guess
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    # A few broken sequences in a UTF-8 document are the document's fault, not its encoding's:
    # GBK or Big5 read as UTF-8 breaks on nearly every character, never on one in a thousand.
    text = data.decode("utf-8", errors="replace")
    if text.count("\ufffd") <= max(4, len(text) // 1000):
        return text, "utf-8"
    return _guess_chinese(data)


# The 400 most frequent Chinese characters, simplified; with their traditional forms they tell a
# right decoding (many hits) from mojibake (few) when GBK and Big5 bytes both decode cleanly.
_COMMON = set(
    "的一是不了人我在有他这中大来上国个到说们为子和你地出道也时年得就那要下以生会自着去之过家学对可里后小么心"
    "多天而能好都然没日于起还发成事只作当想看文无开手十用主行方又如前所本见经头面公同三已老从动两长知民样现分将"
    "外但身些与高意进把法此实回二理美点月明其种声全工己话儿者向情部正名定女问力机给等几很业最间新什打便位因重"
    "被走电四第门相次东政海口使教西再平真听世气信北少关并内加化由却代军产入先山五太水万市眼体别处总才场师书比"
    "住员九笑性通目华报立马命张活难神数件安表原车白应路期叫死常提感金何更反合放做系计或司利受光王果亲界及今京"
    "务制解各任至清物台象记边共风战干接它许八特觉望直服毛林题建南度统色字请交爱让认算论百吃义科怎元社术结六功"
    "指思非流每青管夫连远资队跟带花快条院变联言权往展该领传近留红治决周保达办运武半候七必城父强步完革深区镇街"
    "县省村庄乡居群众反映问题投诉整改消防安全事故火灾警察医院学校小区物业供暖积水道路施工噪音环境污染"
)


@cache
def _common_chars() -> frozenset[str]:
    import opencc

    traditional = opencc.OpenCC("s2t").convert("".join(sorted(_COMMON)))
    return frozenset(_COMMON) | frozenset(traditional)


def _guess_chinese(data: bytes) -> tuple[str, str]:
    common = _common_chars()
    best: tuple[float, str, str] | None = None
    for codec in ("gb18030", "cp950"):
        try:
            text = data.decode(codec)
        except UnicodeDecodeError:
            continue
        sample = text[:200_000]       # enough to tell, and no list of every character of a big file
        han = [c for c in sample if "\u4e00" <= c <= "\u9fff"]
        score = sum(c in common for c in han) / len(han) if han else 0.0
        if best is None or score > best[0]:
            best = (score, text, codec)
    if best is not None and best[0] > 0:
        return best[1], best[2]
    from charset_normalizer import from_bytes

    guess = from_bytes(data[:200_000]).best()
    codec = _codec(guess.encoding) if guess else None
    codec = codec or "gb18030"
    return data.decode(codec, errors="replace"), codec


# --- HTML and text -----------------------------------------------------------------------

# A tag's attributes stop at the next < or >, so a scan is linear; comments are left to lxml
# (a lazy match to "-->" would rescan the rest of the text for every unclosed "<!--").
_TAG = re.compile(r"<(?:[a-zA-Z][a-zA-Z0-9]*\b[^<>]*|/[a-zA-Z][a-zA-Z0-9]*\s*)>")
_BLOCK_END = re.compile(r"(?i)(<br\s*/?>|</(?:p|div|li|h[1-6]|tr|blockquote|section|article)\s*>)")
# control and zero-width characters, and lone surrogates (which no database or file can encode)
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\u200b-\u200f\u2028\u2029\ufeff\ud800-\udfff]")
_SPACES = re.compile(r"[ \t\u3000\xa0]+")
_NEWLINES = re.compile(r"\s*\n\s*")


# What an article never needs and a saved page is mostly made of: scripts, styles, inline SVG,
# comments, and images inlined as data: URIs (a "complete" saved page of 19 MB is 18 MB of them).
_OPENER = re.compile(r"(?i)<(script|style|svg|noscript|template)\b|<!--")
_CLOSERS = {name: re.compile(rf"(?i)</{name}\s*>") for name in ("script", "style", "svg", "noscript", "template")}
_INLINE_DATA = re.compile(r"data:[a-z]+/[\w.+-]+;base64,[A-Za-z0-9+/=\s]{200,}")
PAGE_MAX_HTML = 1_000_000
# Extraction costs ~90 µs per element whatever the characters, so the budget counts tags too:
# 30,000 is about 15,000 elements, several times a real article page (2,000–5,000).
PAGE_MAX_TAGS = 30_000


def lighten_html(html: str, max_chars: int = PAGE_MAX_HTML) -> str:
    """Return a page's markup without what carries no text, cut at `max_chars` or at its
    PAGE_MAX_TAGS-th tag: extraction time grows with the elements, so this is the page's parse
    budget.

    One pass: each dead block is found by its opener and the first closer after it; an unclosed
    one runs to the end, as a browser reads it (a regex with a lazy .*? would rescan the rest of
    the page for every unclosed <script>)."""
    if len(html) <= 200_000 and html.count("<") <= PAGE_MAX_TAGS:
        return html
    kept, pos = [], 0
    while (m := _OPENER.search(html, pos)) is not None:
        kept.append(html[pos:m.start()])
        if m.group(1):
            closer = _CLOSERS[m.group(1).lower()].search(html, m.end())
            end = closer.end() if closer else None
        else:
            found = html.find("-->", m.end())
            end = found + 3 if found >= 0 else None
        if end is None:
            pos = len(html)
            break
        pos = end
    kept.append(html[pos:])
    light = _INLINE_DATA.sub("", "".join(kept))[:max_chars]
    end = -1
    for _ in range(PAGE_MAX_TAGS):
        end = light.find("<", end + 1)
        if end < 0:
            return light
    return light[:end]


_BLOCKS = ("<p", "<div", "<li", "<td", "<tr", "<br", "<span", "<section", "<h")
MAX_FALLBACK_BLOCKS = 3000


def extraction_fallbacks(markup: str) -> bool:
    """Whether trafilatura may try its fallback extractors on this page: not on a page of many
    blocks, where justext's neighbour search is quadratic (57,000 paragraphs: 775 s)."""
    return sum(markup.count(tag) for tag in _BLOCKS) <= MAX_FALLBACK_BLOCKS


def looks_like_html(text: str) -> bool:
    """Return True when the text contains markup."""
    return "<" in text and ("<!--" in text or _TAG.search(text) is not None)


def html_to_text(markup: str) -> str:
    """Return the readable text of an HTML document or fragment; scripts and styles dropped."""
    import lxml.html

    head = markup[:2000].lower()
    if "<html" in head or "<body" in head or "<!doctype" in head:
        import trafilatura

        markup = lighten_html(markup)
        text = trafilatura.extract(markup, include_comments=False, include_tables=True, favor_recall=True,
                                   fast=not extraction_fallbacks(markup))
        if text:
            return text
    try:
        root = lxml.html.fragment_fromstring(_BLOCK_END.sub(r"\g<1>\n", markup), create_parent="div")
    except Exception:  # lxml raises several types on hostile input; fall back to stripping tags
        return htmllib.unescape(_TAG.sub(" ", markup))
    for bad in root.xpath("//script|//style|//noscript|//template"):
        bad.drop_tree()
    return root.text_content()


def clean_text(text: str) -> str:
    """Return text with markup removed, control characters dropped and whitespace collapsed."""
    # isprintable() is the fast path: most short fields have no control or line characters.
    # Controls go before the HTML parser (it refuses NUL and lone surrogates) and again after
    # it or an entity decode (&#0; names one).
    if not text.isprintable():
        text = _drop_controls(text)
    if looks_like_html(text):
        text = _drop_controls(html_to_text(text))
    elif "&" in text and ";" in text:
        text = htmllib.unescape(text)
        if not text.isprintable():
            text = _drop_controls(text)
    if not text.isprintable():
        text = _NEWLINES.sub("\n", _SPACES.sub(" ", text))
    elif "  " in text or "\u3000" in text or "\xa0" in text:
        text = _SPACES.sub(" ", text)
    return text.strip()


def _drop_controls(text: str) -> str:
    return _CONTROL.sub("", text.replace("\r\n", "\n").replace("\r", "\n"))


@cache
def _t2s():
    import opencc

    return opencc.OpenCC("t2s")


def to_simplified(text: str) -> str:
    """Return text in simplified characters (OpenCC t2s); simplified text comes back unchanged.

    Always converted: a quick "has traditional characters" test would miss phrase-only
    conversions such as 瞭解 → 了解 and 藉口 → 借口.
    """
    return _t2s().convert(text) if text else text


# --- URLs and ids ------------------------------------------------------------------------


# Share and tracking parameters of Chinese platforms that courlan's list does not know. They
# never identify content (courlan's strict mode, by contrast, also drops q=, containerid=…).
_TRACKING = frozenset({
    "spm", "from", "isappinstalled", "scene", "srcid", "share_from", "share_source", "share_medium",
    "share_plat", "share_tag", "share_session_id", "sharer_sharetime", "sharer_shareid", "vd_source",
    "xsec_token", "xsec_source", "wfr", "_wv", "chksm", "sessionid", "timestamp", "display_time",
})


MAX_URL_CHARS = 4096


def canonical_url(url: str | None) -> str | None:
    """Return the URL normalised for identity: lower-case host, no fragment, no tracking parameters;
    None when it is not a usable http(s) URL."""
    if not url or not isinstance(url, str):
        return None
    url = url.strip()
    if len(url) > MAX_URL_CHARS or not re.match(r"(?i)^https?://", url) or _CONTROL.search(url):
        return None
    from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

    from courlan import normalize_url

    try:
        url = normalize_url(url, strict=False)
    except Exception:  # courlan raises on malformed netlocs; keep the URL rather than lose the item
        pass
    try:
        parts = urlsplit(url)
        parts.port      # raises on a port that is not a number or out of range
    except ValueError:  # "http://[::1": an address that cannot be reached is no identity either
        return None
    if not parts.hostname:
        return None
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if k.lower() not in _TRACKING]
    return urlunsplit((parts.scheme, parts.netloc, parts.path or "/", urlencode(query), ""))


def short_hash(*parts: str) -> str:
    """Return a 20-hex-digit digest of the parts."""
    h = hashlib.blake2b(digest_size=10)
    for part in parts:
        h.update(part.encode("utf-8", "surrogatepass"))
        h.update(b"\x1f")
    return h.hexdigest()


MAX_ID_CHARS = 200


MEDIA_KINDS = ("image", "video", "audio")
MAX_MEDIA = 50


def normalize_media(raw: Any) -> list[dict[str, str]]:
    """Return the item's media as [{"kind", "url"}]: http(s) URLs kept as given (an image URL's
    parameters are often its signature, so they are not canonicalised), at most 50, no repeats."""
    if not isinstance(raw, (list, tuple)):
        return []
    out, seen = [], set()
    for entry in raw[:MAX_MEDIA * 4]:
        if isinstance(entry, str):
            entry = {"kind": "image", "url": entry}
        if not isinstance(entry, Mapping):
            continue
        url, kind = entry.get("url"), entry.get("kind")
        if not isinstance(url, str):
            continue
        url = _CONTROL.sub("", url).strip()
        if len(url) > 4096 or not url.lower().startswith(("http://", "https://")) or url in seen:
            continue
        try:
            if not urlsplit(url).hostname:
                continue
        except ValueError:
            continue
        seen.add(url)
        out.append({"kind": kind if kind in MEDIA_KINDS else "image", "url": url})
        if len(out) >= MAX_MEDIA:
            break
    return out


def native_id(value: Any, platform: str) -> str | None:
    """Return an id given in the input, cleaned and namespaced by platform; None when there is none.

    An id too long to be anyone's real id is kept as a digest, so it still identifies."""
    if value is None or isinstance(value, (dict, list, bool)):
        return None
    rid = _CONTROL.sub("", str(value)).strip()
    if not rid:
        return None
    if len(rid) > MAX_ID_CHARS:
        rid = "h" + short_hash(rid)
    return rid if ":" in rid else f"{platform}:{rid}"


def make_id(raw_id: Any, platform: str, url: str | None, source: str | None, text: str) -> str:
    """Return a stable item id: the given one (namespaced by platform), else from URL, else from text."""
    rid = native_id(raw_id, platform)
    if rid:
        return rid
    if url:
        return "url:" + short_hash(url)
    return "txt:" + short_hash(platform, source or "", text)


# --- times and counts --------------------------------------------------------------------

_DATE = re.compile(
    r"(?P<y>\d{4})\s*[-/年.]\s*(?P<mo>\d{1,2})\s*[-/月.]\s*(?P<d>\d{1,2})\s*日?"
    r"(?:[\sT]*(?P<h>\d{1,2})\s*[:时]\s*(?P<mi>\d{1,2})(?:\s*[:分]\s*(?P<s>\d{1,2})(?P<frac>\.\d+)?)?\s*秒?)?"
    r"\s*(?P<tz>Z|[+-]\d{2}:?\d{2})?\s*$"
)
_RFC_ZONE = re.compile(r"(?:[+-]\d{4}|\b(?:GMT|UTC|UT|Z|[ECMP][SD]T)\b)\s*$")
_MONTH_DAY = re.compile(r"^(?P<mo>\d{1,2})[-/月](?P<d>\d{1,2})日?\s+(?P<h>\d{1,2}):(?P<mi>\d{2})$")
_RELATIVE = re.compile(r"^(?P<n>\d+)\s*(?P<unit>秒|分钟|小时|天)前$")
_DAY_WORD = re.compile(r"^(?P<day>今天|昨天|前天)\s*(?P<h>\d{1,2}):(?P<mi>\d{2})$")


def _tz_from(text: str | None, default: tzinfo) -> tzinfo:
    if not text:
        return default
    if text == "Z":
        return timezone.utc
    sign = -1 if text[0] == "-" else 1
    digits = text[1:].replace(":", "")
    return timezone(sign * timedelta(hours=int(digits[:2]), minutes=int(digits[2:4])))


# Times outside this window are not believed (an item "from" year 1 or 9999 is a broken feed or
# an attack); ingest flags them and uses the time of collection instead.
EARLIEST = datetime(1990, 1, 1, tzinfo=timezone.utc)
MAX_AHEAD = timedelta(days=1)
_MAX_TIME_CHARS = 100


def plausible_time(t: datetime, now: datetime) -> bool:
    """Return True when `t` lies between 1990 and a day after `now`."""
    return EARLIEST <= t <= now + MAX_AHEAD


def parse_time(value: Any, now: datetime, tz: tzinfo = BEIJING) -> datetime | None:
    """Return an aware datetime for an ISO/Chinese/RFC 2822/epoch/relative time; naive means `tz`.
    None when the value is not a time (never an exception: the value is input)."""
    return parse_time_detail(value, now, tz)[0]


def parse_time_detail(value: Any, now: datetime, tz: tzinfo = BEIJING) -> tuple[datetime | None, str]:
    """(time, precision): precision is `exact`, `date` (a day with no time of day: stored at 00:00)
    or `approximate` (「昨天下午」: the middle of the part of the day named). Relative times
    (「3小时前」, 「昨天 08:30」) count back from `now`, the time the source wrote them."""
    try:
        return _parse_time(value, now, tz)
    except (ValueError, OverflowError, TypeError, OSError):   # 「99999999999天前」, 「昨天 25:99」
        return None, "exact"


# 「2019年2月28日11时25分」, 「11点25分」, 「下午3点半」: the Chinese ways of writing a clock time,
# rewritten to hh:mm before the patterns below; the part of the day decides am/pm
_PERIODS = {"凌晨": (0, 3), "早上": (0, 7), "早晨": (0, 7), "清晨": (0, 6), "上午": (0, 10), "中午": (12, 12),
            "午间": (12, 12), "下午": (12, 15), "傍晚": (12, 18), "晚上": (12, 20), "晚间": (12, 20),
            "夜里": (12, 22), "夜间": (12, 22), "深夜": (12, 23)}
_PERIOD = re.compile("|".join(sorted(_PERIODS, key=len, reverse=True)))
_CN_CLOCK = re.compile(r"(?P<h>\d{1,2})\s*[时点:：]\s*(?:(?P<half>半)|(?P<mi>\d{1,2})\s*分?(?:\s*(?P<s>\d{1,2})\s*秒)?)?\s*(?:钟|整)?$")
_DMY = re.compile(r"^(?P<a>\d{1,2})[/.\-](?P<b>\d{1,2})[/.\-](?P<y>\d{4})(?:[\sT,]+(?P<h>\d{1,2}):(?P<mi>\d{2})(?::(?P<s>\d{2}))?)?$")
_DAY_ONLY = re.compile(r"^(?P<day>今天|今日|昨天|昨日|前天)$")


def _clock(text: str) -> tuple[str, tuple[int, int, int] | None, str | None]:
    """Split a trailing Chinese or hh:mm clock time (and a part of the day) off `text`:
    (the rest, (h, m, s) or None, the part of the day or None)."""
    period = None
    text = text.replace("今晚", "今天晚上").replace("昨晚", "昨天晚上")
    pm = _PERIOD.search(text)
    if pm:
        period = pm.group(0)
        text = (text[:pm.start()] + " " + text[pm.end():]).strip()
    m = _CN_CLOCK.search(text)
    if not m or (m.start() > 0 and text[m.start() - 1].isdigit()):
        return text, None, period
    h, mi, sec = int(m["h"]), 30 if m["half"] else int(m["mi"] or 0), int(m["s"] or 0)
    if period and _PERIODS[period][0] == 12 and h < 12 and not (period in ("中午", "午间") and h >= 11):
        h += 12
    return text[:m.start()].strip(), (h, mi, sec), period


def _parse_time(value: Any, now: datetime, tz: tzinfo) -> tuple[datetime | None, str]:
    if value is None or value == "":
        return None, "exact"
    if isinstance(value, datetime):
        return (value if value.tzinfo else value.replace(tzinfo=tz)), "exact"
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return _from_epoch(float(value)), "exact"
    if isinstance(value, (dict, list, tuple, bytes)):
        return None, "exact"
    text = str(value).strip()
    if len(text) > _MAX_TIME_CHARS:
        return None, "exact"
    if re.fullmatch(r"\d{9,13}(\.\d+)?", text):
        return _from_epoch(float(text)), "exact"
    m = _DATE.match(text)
    if m:
        try:
            frac = float(m["frac"] or 0)
            return (datetime(int(m["y"]), int(m["mo"]), int(m["d"]), int(m["h"] or 0), int(m["mi"] or 0),
                             int(m["s"] or 0), int(frac * 1e6), tzinfo=_tz_from(m["tz"], tz)),
                    "exact" if m["h"] is not None else "date")
        except ValueError:
            return None, "exact"
    m = _DMY.match(text)
    if m:
        # 28/02/2019 is day/month; 02/28/2019 can only be month/day; 03/04/2019 is read day/month,
        # as everywhere but the US writes it
        a, b = int(m["a"]), int(m["b"])
        day, month = (b, a) if b > 12 >= a else (a, b)
        try:
            return (datetime(int(m["y"]), month, day, int(m["h"] or 0), int(m["mi"] or 0), int(m["s"] or 0),
                             tzinfo=tz), "exact" if m["h"] is not None else "date")
        except ValueError:
            return None, "exact"
    parsed = parsedate_tz(text)
    if parsed:
        # parsedate_tz reports 0 both for "GMT" and for no zone at all; no zone means `tz` here
        zone = timezone(timedelta(seconds=parsed[9] or 0)) if _RFC_ZONE.search(text) else tz
        try:
            return datetime(*parsed[:6], tzinfo=zone), "exact"
        except ValueError:
            return None, "exact"
    got = _parse_relative(text, now.astimezone(tz))
    if got is not None:
        return got, "exact"
    return _parse_chinese(text, now.astimezone(tz), tz)


def _parse_chinese(text: str, now: datetime, tz: tzinfo) -> tuple[datetime | None, str]:
    """「2019年2月28日11时25分」, 「2月28日下午3点」, 「昨天下午」, 「昨晚8点半」, 「今天」."""
    rest, clock, period = _clock(text)
    rest = rest.rstrip("，, ")
    day: datetime | None = None
    if not rest and (clock or period):
        day = now                                    # 「下午3点」: today
    elif m := _DAY_ONLY.match(rest):
        day = now - timedelta(days={"今天": 0, "今日": 0, "昨天": 1, "昨日": 1, "前天": 2}[m["day"]])
    elif m := _DATE.match(rest):
        if m["h"] is None:
            day = datetime(int(m["y"]), int(m["mo"]), int(m["d"]), tzinfo=tz)
    elif m := re.fullmatch(r"(?P<mo>\d{1,2})\s*[月/\-]\s*(?P<d>\d{1,2})\s*日?", rest):
        day = now.replace(month=int(m["mo"]), day=int(m["d"]))
        if day > now + timedelta(days=1):            # 「12月30日」 read in January: last year's
            day = day.replace(year=day.year - 1)
    if day is None:
        return None, "exact"
    if clock:
        return day.replace(hour=clock[0], minute=clock[1], second=clock[2], microsecond=0), "exact"
    if period:
        return day.replace(hour=_PERIODS[period][1], minute=0, second=0, microsecond=0), "approximate"
    return day.replace(hour=0, minute=0, second=0, microsecond=0), "date"


def _from_epoch(x: float) -> datetime | None:
    if not math.isfinite(x):
        return None
    if x > 1e11:  # milliseconds
        x /= 1000.0
    if not 0 < x < 4.2e9:
        return None
    return datetime.fromtimestamp(x, tz=timezone.utc)


def _parse_relative(text: str, now: datetime) -> datetime | None:
    if text == "刚刚":
        return now
    m = _RELATIVE.match(text)
    if m:
        unit = {"秒": "seconds", "分钟": "minutes", "小时": "hours", "天": "days"}[m["unit"]]
        return now - timedelta(**{unit: int(m["n"])})
    m = _DAY_WORD.match(text)
    if m:
        back = {"今天": 0, "昨天": 1, "前天": 2}[m["day"]]
        day = now - timedelta(days=back)
        return day.replace(hour=int(m["h"]), minute=int(m["mi"]), second=0, microsecond=0)
    m = _MONTH_DAY.match(text)
    if m:
        try:
            got = now.replace(month=int(m["mo"]), day=int(m["d"]), hour=int(m["h"]), minute=int(m["mi"]),
                              second=0, microsecond=0)
        except ValueError:
            return None
        # no year is this year, unless that is ahead of now: 「12-30 08:00」 read in January was last year's
        return got.replace(year=got.year - 1) if got > now + timedelta(days=1) else got
    return None


_COUNT = re.compile(r"^(\d{1,20}(?:\.\d{1,10})?)\s*(万|w|亿|k|千)?\+?$", re.I)
_MULT = {None: 1, "万": 10_000, "w": 10_000, "亿": 100_000_000, "k": 1_000, "千": 1_000}
# No post has been seen by more than the world's population a few times over; a larger count is
# a broken or hostile value (and past 2**63 no database column holds it).
MAX_COUNT = 10**12


def parse_count(value: Any) -> int | None:
    """Return an engagement count from 12, "12", "1,234", "1.2万" or "10w+"; None when absent or odd."""
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value if 0 <= value <= MAX_COUNT else None
    if isinstance(value, float):
        return int(value) if math.isfinite(value) and 0 <= value <= MAX_COUNT else None
    text = str(value)[:64].strip().replace(",", "")
    m = _COUNT.match(text)
    if not m:
        return None
    count = float(m.group(1)) * _MULT[m.group(2).lower() if m.group(2) else None]
    return int(count) if count <= MAX_COUNT else None


# --- the record -> Item step -------------------------------------------------------------

_PLATFORM_ALIASES = {
    "微博": "weibo", "新闻": "news", "微信": "wechat", "公众号": "wechat", "论坛": "forum",
    "贴吧": "forum", "tieba": "forum", "zhihu": "forum", "知乎": "forum", "视频": "video",
    "douyin": "video", "抖音": "video", "kuaishou": "video", "快手": "video", "bilibili": "video",
    "投诉": "complaint", "留言": "complaint", "博客": "blog", "xhs": "blog", "小红书": "blog",
}
_METRIC_KEYS = {"reposts", "comments", "likes", "views"}


def normalize_platform(value: Any) -> str:
    """Return one of the contract's platforms for a name or alias; unknown names become 'other'."""
    name = str(value or "").strip().lower()
    if name in PLATFORMS:
        return name
    return _PLATFORM_ALIASES.get(name, "other")


_MAX_EXTRA_METRICS = 16


def normalize_metrics(raw: Any) -> dict[str, int | None]:
    """Return metrics with the four contract keys and any other numeric counts (a few, short names)."""
    metrics: dict[str, int | None] = {key: None for key in sorted(_METRIC_KEYS)}
    if isinstance(raw, dict):
        extra = 0
        for key, value in raw.items():
            count = parse_count(value)
            if key in _METRIC_KEYS:
                metrics[key] = count
            elif count is not None and extra < _MAX_EXTRA_METRICS:
                name = _CONTROL.sub("", str(key))[:40]
                if name:
                    metrics[name] = count
                    extra += 1
    return metrics


def content_hash(platform: str, source: str | None, author: str | None, title: str | None, text: str) -> str:
    """Return the exact-duplicate key: the same words from the same author or source."""
    return short_hash(platform, source or "", author or "", "".join((title or "").split()), "".join(text.split()))


def _opt_str(value: Any, limit: int = 500) -> str | None:
    if value is None or isinstance(value, (dict, list)):
        return None
    text = clean_text(str(value)[:limit * 4])[:limit]
    return text or None


def raw_text(record: Any, limit: int = 1_000_000) -> str:
    """Return a record as JSON for the quarantine, long strings cut first (a 200 MB cell must not
    be copied twice to say why it was refused); never raises."""
    def cut(value: Any, depth: int = 0) -> Any:
        if isinstance(value, str):
            return value[:limit]
        if depth > 20:
            return "…"
        if isinstance(value, Mapping):
            return {str(k)[:200]: cut(v, depth + 1) for k, v in itertools.islice(value.items(), 200)}
        if isinstance(value, (list, tuple)):
            return [cut(v, depth + 1) for v in value[:200]]
        return value

    try:
        return json.dumps(cut(record), ensure_ascii=False, default=str)[:limit]
    except (TypeError, ValueError, RecursionError, OverflowError):
        return repr(type(record))


HOTLIST = "hotlist"
# `defaults[TIME_FALLBACK] = "now"`: a time that is there but cannot be read is the collection
# time (feeds and pages: published about now); otherwise (files: history) the record is quarantined
TIME_FALLBACK = "_time_fallback"
# when the source wrote the record, for its relative times (「3小时前」 in a crawl of last week)
WRITTEN_AT = "crawled_at"


def _is_local(record: Mapping[str, Any], defaults: Mapping[str, Any] | None) -> bool:
    """An import or source marked local (`defaults["local"]`), or an item JSON that says so in its flags."""
    if defaults and defaults.get("local"):
        return True
    flags = record.get("flags")
    return isinstance(flags, (list, tuple)) and LOCAL_SOURCE in flags


def normalize_record(record: Mapping[str, Any], *, now: datetime, origin: str | None = None,
                     defaults: Mapping[str, Any] | None = None, tz: tzinfo = BEIJING,
                     max_chars: int = 2_000_000) -> Item:
    """Return the Item for one input record (DESIGN §3), or raise SkipItem with the reason."""
    if not isinstance(record, dict) and not isinstance(record, Mapping):
        raise SkipItem("not-an-object", f"expected a JSON object, got {type(record).__name__}")
    local = _is_local(record, defaults)
    time_now = bool(defaults and defaults.get(TIME_FALLBACK) == "now")
    if defaults:
        defaults = {k: v for k, v in defaults.items() if k not in ("local", TIME_FALLBACK)}
        record = {**defaults, **{k: v for k, v in record.items() if v not in (None, "")}}
    raw_text_value = record.get("text")
    raw_title = record.get("title")
    if isinstance(raw_text_value, (dict, list)):
        raise SkipItem("bad-field", f"text is a JSON {type(raw_text_value).__name__}, not a string")
    if raw_text_value is not None and not isinstance(raw_text_value, str):
        raw_text_value = str(raw_text_value)
    if raw_text_value and len(raw_text_value) > max_chars:
        raise SkipItem("too-large", f"text of {len(raw_text_value):,} characters exceeds {max_chars:,}")
    title = _opt_str(raw_title, 1000)
    text = clean_text(raw_text_value) if raw_text_value else ""
    flags: list[str] = []
    if not text and title:
        text, flags = title, ["title-only"]
    if not text:
        raise SkipItem("empty-text", "no text after removing markup and whitespace")
    platform = normalize_platform(record.get("platform"))
    source = _opt_str(record.get("source"), 200)
    author = _opt_str(record.get("author"), 200)
    url = canonical_url(record.get("url"))
    if url is None and isinstance(record.get("url"), str) and record["url"].strip():
        flags.append("url-invalid")
    text_sc = to_simplified(text)
    title_sc = to_simplified(title) if title else None
    if text_sc != text:
        flags.append("traditional")
    else:
        text_sc = text  # one string object, not two equal ones
    if title_sc == title:
        title_sc = title
    written = parse_time(record.get(WRITTEN_AT), now, tz) if record.get(WRITTEN_AT) not in (None, "") else None
    if written is None or not plausible_time(written, now):
        written = now
    raw_time = record.get("published_at")
    published, precision = parse_time_detail(raw_time, written, tz)
    if published is None and raw_time not in (None, "") and not time_now:
        # history with a time nobody can read: dated "now" it would land in 近 24 小时 and alert
        raise SkipItem("bad-time", f"时间无法识别：「{str(raw_time)[:60]}」；请改正后重新导入，"
                                   f"或用 --map published_at=列名 指定时间列")
    if published is None:
        flags.append("time-missing" if raw_time in (None, "") else "time-unparsed")
        published = now
    elif not plausible_time(published, now):
        # before 1990 or more than a day ahead: not believed, the item is dated when it was collected
        flags.append("time-future" if published > now else "time-too-early")
        published = now
    elif precision == "date":
        flags.append("time-date-only")
    elif precision == "approximate":
        flags.append("time-approximate")
    repost_of = native_id(record.get("repost_of"), platform)
    reply_to = native_id(record.get("reply_to"), platform)
    if local:
        flags.append(LOCAL_SOURCE)
    given = record.get("flags")
    if isinstance(given, (list, tuple)) and HOTLIST in given:
        flags.append(HOTLIST)          # a hot-list topic (sources/hotlist.py): its metrics are ranks
    return Item(
        id=make_id(record.get("id"), platform, url, source, text_sc),
        text=text, text_sc=text_sc, platform=platform, published_at=published, collected_at=now,
        content_hash=content_hash(platform, source, author, title_sc, text_sc),
        url=url, source=source, author=author, title=title, title_sc=title_sc,
        metrics=normalize_metrics(record.get("metrics")), repost_of=repost_of, flags=flags,
        origin=_CONTROL.sub("", origin)[:1000] if origin else origin,
        reply_to=reply_to, media=normalize_media(record.get("media")),
    )


def try_normalize(record: Any, *, now: datetime, origin: str, defaults: Mapping[str, Any] | None = None,
                  tz: tzinfo = BEIJING, max_chars: int = 2_000_000) -> Item | Quarantined:
    """Return the Item for one record, or its quarantine entry with the reason: never raises, so
    one hostile record cannot stop the records after it."""
    try:
        return normalize_record(record, now=now, origin=origin, defaults=defaults, tz=tz, max_chars=max_chars)
    except SkipItem as exc:
        return Quarantined(exc.reason, origin, exc.detail, raw_text(record))
    except Exception as exc:  # noqa: BLE001 — whatever it was, it was this record's
        log.warning("%s: record refused: %s: %s", origin, type(exc).__name__, exc)
        return Quarantined("bad-record", origin, f"{type(exc).__name__}: {exc}"[:500], raw_text(record))
