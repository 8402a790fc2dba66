"""File import: JSON Lines, JSON, CSV/TSV and Excel (plain or gzip), with a column mapping.

`read_file` yields Raw records (already mapped to the item contract's field names) and
Quarantined entries for whatever cannot be read; it never stops at a bad line.
"""

from __future__ import annotations

import codecs
import csv
import gzip
import io
import itertools
import json
import logging
import re
import zlib
from pathlib import Path

import orjson
from typing import Any, BinaryIO, Iterator, Mapping

from ..ingest import decode_bytes, raw_text
from ..models import Quarantined, Raw
from . import mediacrawler
from .xlsx import read_xlsx

log = logging.getLogger(__name__)

FORMATS = ("jsonl", "json", "csv", "xlsx", "html", "sqlite", "mediacrawler")
FIELDS = ("id", "url", "platform", "source", "author", "title", "text", "published_at", "repost_of")

# Column names recognised without a mapping, first match wins (a --map always takes precedence).
ALIASES: dict[str, tuple[str, ...]] = {
    "id": ("id", "mid", "编号", "留言编号", "信息编号"),
    "url": ("url", "link", "href", "链接", "网址", "原文链接"),
    "platform": ("platform", "平台"),
    "source": ("source", "来源", "site", "媒体", "信息来源"),
    "author": ("author", "nickname", "screen_name", "作者", "发布者", "用户", "留言用户"),
    "title": ("title", "标题", "主题", "留言主题", "subject"),
    "text": ("text", "content", "正文", "内容", "body", "message", "留言详情_clean", "留言详情", "desc",
             "description"),
    "published_at": ("published_at", "published", "pubdate", "time", "created_at", "create_time", "date",
                     "发布时间", "时间", "日期", "留言时间_iso", "留言时间"),
    "repost_of": ("repost_of", "parent", "retweeted_id"),
    "metrics.reposts": ("reposts", "reposts_count", "shared_count", "转发数", "转发"),
    "metrics.comments": ("comments", "comments_count", "comment_count", "评论数", "评论"),
    "metrics.likes": ("likes", "liked_count", "attitudes_count", "点赞数", "点赞"),
    "metrics.views": ("views", "readCount", "read_count", "阅读数", "浏览量"),
    "metrics.heat": ("hot", "heat", "热度"),
    "metrics.against": ("反对数",),
}


DEFAULT_MAX_UNPACKED = 2_000_000_000


class ImportError_(ValueError):
    """The file as a whole cannot be read (unknown format, missing text column)."""


def parse_mapping(pairs: list[str] | tuple[str, ...]) -> dict[str, str]:
    """Return {field: column} from --map field=column pairs, checking the field names."""
    mapping = {}
    for pair in pairs:
        field, sep, column = pair.partition("=")
        field, column = field.strip(), column.strip()
        if not sep or not field or not column:
            raise ImportError_(f"--map expects field=column, got {pair!r}")
        if field not in FIELDS and not field.startswith("metrics."):
            raise ImportError_(f"unknown field {field!r} in --map; fields: {', '.join(FIELDS)}, metrics.NAME")
        mapping[field] = column
    return mapping


def _get(record: Mapping[str, Any], path: str) -> Any:
    value: Any = record
    for part in path.split("."):
        if not isinstance(value, Mapping):
            return None
        value = value.get(part)
    return value


def resolve_mapping(columns: list[str], mapping: Mapping[str, str]) -> dict[str, str]:
    """Return the complete {field: column} for a header: explicit mapping first, then aliases."""
    lower = {c.strip().lower(): c for c in columns if isinstance(c, str)}
    resolved = dict(mapping)
    for field, names in ALIASES.items():
        if field in resolved:
            continue
        for name in names:
            if name.lower() in lower:
                resolved[field] = lower[name.lower()]
                break
    return resolved


def apply_mapping(record: Mapping[str, Any], resolved: Mapping[str, str]) -> dict[str, Any]:
    """Return the contract-shaped record for a source row under a resolved mapping."""
    out: dict[str, Any] = {"metrics": {}}
    for field, column in resolved.items():
        value = _get(record, column) if "." in column and column not in record else record.get(column)
        if isinstance(value, (dict, list)):
            continue  # a nested object is not a value (CED's `user` is a profile, not an author name)
        if field.startswith("metrics."):
            out["metrics"][field[8:]] = value
        else:
            out[field] = value
    return out


# --- opening and line reading ------------------------------------------------------------

class UnpackedTooLarge(OSError):
    """A compressed file unpacks past the cap (a gzip bomb, or a file to split)."""


class _Capped(io.RawIOBase):
    """A reader that refuses to hand out more than `limit` bytes of what it wraps."""

    def __init__(self, inner: BinaryIO, limit: int):
        self.inner, self.left, self.limit = inner, limit, limit

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        # read1: what is there, so that a file cut short gives every line before the cut
        data = self.inner.read1(min(len(buffer), self.left + 1))
        if len(data) > self.left:
            raise UnpackedTooLarge(f"解压后超过 {self.limit:,} 字节（import_max_unpacked_bytes）；其余部分未读取")
        self.left -= len(data)
        buffer[:len(data)] = data
        return len(data)

    def close(self) -> None:
        self.inner.close()
        super().close()


def _open(path: Path, max_unpacked: int = DEFAULT_MAX_UNPACKED) -> BinaryIO:
    if path.suffix == ".gz":
        return io.BufferedReader(_Capped(gzip.open(path, "rb"), max_unpacked), 1 << 16)  # type: ignore[return-value]
    return open(path, "rb")


SQLITE_MAGIC = b"SQLite format 3\x00"


def is_sqlite(path: Path) -> bool:
    """A SQLite database, known by its first bytes whatever it is named."""
    try:
        with open(path, "rb") as f:
            return f.read(16) == SQLITE_MAGIC
    except OSError:
        return False


def detect_format(path: Path) -> str:
    """Return the format named by the file's extension (a .gz suffix is looked through); a file
    with no known extension may be a SQLite database (MediaCrawler's `sqlite_tables.db`)."""
    name = path.name.lower().removesuffix(".gz")
    for ext, fmt in ((".jsonl", "jsonl"), (".ndjson", "jsonl"), (".json", "json"), (".csv", "csv"),
                     (".tsv", "csv"), (".txt", "csv"), (".xlsx", "xlsx"), (".xlsm", "xlsx"),
                     (".html", "html"), (".htm", "html"), (".shtml", "html")):
        if name.endswith(ext):
            return fmt
    if path.suffix.lower() != ".gz" and is_sqlite(path):
        return "sqlite"
    raise ImportError_(f"{path}: unknown file type; use --format {'|'.join(FORMATS)}")


def byte_lines(fobj: BinaryIO, max_bytes: int) -> Iterator[tuple[int, bytes, int]]:
    """Yield (line number, line, full length); a line over max_bytes is cut, its length kept."""
    lineno = 0
    while True:
        chunk = fobj.readline(max_bytes + 1)
        if not chunk:
            return
        lineno += 1
        length = len(chunk)
        if length > max_bytes and not chunk.endswith(b"\n"):
            while True:  # skip the rest of an overlong line without holding it in memory
                rest = fobj.readline(1 << 20)
                length += len(rest)
                if not rest or rest.endswith(b"\n"):
                    break
        yield lineno, chunk, length


_WIDE = ((b"\x00\x00\xfe\xff", "utf-32-be"), (b"\xff\xfe\x00\x00", "utf-32-le"),
         (b"\xfe\xff", "utf-16-be"), (b"\xff\xfe", "utf-16-le"))


def wide_encoding(sample: bytes) -> str | None:
    """Return utf-16/utf-32 (with byte order) when the bytes are in one: by the BOM, else by where
    the NUL bytes of ASCII text fall (RFC 8259's rule for JSON)."""
    for bom, name in _WIDE:
        if sample.startswith(bom):
            return name
    head = sample[:4]
    if len(head) == 4 and b"\x00" in head:
        nul = tuple(b == 0 for b in head)
        return {(True, True, True, False): "utf-32-be", (False, True, True, True): "utf-32-le",
                (True, False, True, False): "utf-16-be", (False, True, False, True): "utf-16-le"}.get(nul)
    return None


def _sample_encoding(path: Path, max_unpacked: int = DEFAULT_MAX_UNPACKED) -> str:
    with _open(path, max_unpacked) as f:
        try:
            sample = f.read(65536)
        except (EOFError, OSError, zlib.error):
            sample = b""
    wide = wide_encoding(sample)
    if wide:
        return wide
    # cut back to the last newline so that a multibyte character is never split
    cut = sample.rfind(b"\n")
    sample = sample[:cut] if cut > 0 else sample
    if not sample:
        return "utf-8"
    lines = sample.splitlines()
    bad = 0
    for line in lines:
        try:
            line.decode("utf-8")
        except UnicodeDecodeError:
            bad += 1
    if bad * 2 < len(lines):   # a minority of broken lines in a UTF-8 file are the lines' fault, not the file's
        return "utf-8"
    return decode_bytes(sample)[1]


def _truncated(path: Path, exc: Exception) -> Quarantined:
    return Quarantined("truncated-file", str(path), f"file ends early or is corrupt: {exc}")


def parse_json_line(line: bytes) -> Any:
    """Parse one JSON line: orjson, and for what it refuses the standard parser, which also reads
    NaN, Infinity and integers past 64 bits (Python's json.dumps writes the first two)."""
    try:
        return orjson.loads(line)   # ~4x faster than json on these lines
    except orjson.JSONDecodeError as first:
        try:
            return json.loads(line)
        except (ValueError, RecursionError):
            raise first from None


# What a reader yields for a creator profile: read_file counts these into one quarantine entry
# for the file and keeps none of them; a profile's fields are what we never store.
PROFILE = Quarantined("profile-refused", "")


def mediacrawler_raw(origin: str, record: Mapping[str, Any], hint: mediacrawler.Hint) -> Raw | Quarantined:
    """The Raw of a MediaCrawler record, or PROFILE for a creator profile."""
    if mediacrawler.is_profile(record, hint):
        return PROFILE
    return Raw(origin, mediacrawler.map_record(record, hint))


def read_jsonl(path: Path, max_bytes: int, mapping: Mapping[str, str],
               max_unpacked: int = DEFAULT_MAX_UNPACKED, fmt: str = "jsonl",
               hint: mediacrawler.Hint = mediacrawler.Hint(),
               ) -> Iterator[Raw | Quarantined]:
    encoding = _sample_encoding(path, max_unpacked)
    resolved: dict[tuple, dict[str, str]] = {}  # per distinct key set: rows of one file rarely differ
    try:
        with _open(path, max_unpacked) as f:
            wide = encoding.startswith(("utf-16", "utf-32"))
            # UTF-16/32 lines are read through a recoder: the same bounded lines, in UTF-8
            lines = byte_lines(codecs.EncodedFile(f, "utf-8", encoding) if wide else f, max_bytes)
            for lineno, line, length in lines:
                origin = f"{path}:{lineno}"
                if length > max_bytes:
                    yield Quarantined("too-large", origin, f"line of {length} bytes exceeds {max_bytes}", line[:4096],
                                      raw_len=length)
                    continue
                if not line.strip():
                    continue
                try:
                    if encoding == "utf-8" or wide:
                        obj = parse_json_line(line.removeprefix(b"\xef\xbb\xbf"))
                    else:
                        obj = parse_json_line(line.decode(encoding).removeprefix("\ufeff").encode("utf-8", "surrogatepass"))
                except UnicodeDecodeError as exc:
                    yield Quarantined("bad-encoding", origin, f"not {encoding}: {exc}", line)
                    continue
                except orjson.JSONDecodeError as exc:
                    reason = "bad-encoding" if "utf-8" in str(exc).lower() else "bad-json"
                    yield Quarantined(reason, origin, str(exc), line)
                    continue
                if not isinstance(obj, dict):
                    yield Quarantined("not-an-object", origin, f"a JSON {type(obj).__name__}", line)
                    continue
                if fmt == "mediacrawler" or (not mapping and mediacrawler.looks_like(obj)):
                    yield mediacrawler_raw(origin, obj, hint)
                elif "text" in obj and not mapping:
                    yield Raw(origin, obj)  # already in the item contract's shape
                else:
                    keys = tuple(obj)
                    if keys not in resolved:
                        resolved[keys] = resolve_mapping(list(keys), mapping)
                    yield Raw(origin, apply_mapping(obj, resolved[keys]))
    except UnpackedTooLarge as exc:
        yield Quarantined("too-large", str(path), str(exc))
    except (EOFError, OSError, zlib.error) as exc:
        yield _truncated(path, exc)


def _read_whole(path: Path, limit: int, hint: str, max_unpacked: int = DEFAULT_MAX_UNPACKED) -> bytes | Quarantined:
    """Return a whole (small) file's bytes, or why it cannot be read."""
    size = path.stat().st_size
    if size > limit:
        return Quarantined("too-large", str(path), f"{size} bytes, over {limit}; {hint}")
    try:
        with _open(path, max_unpacked) as f:
            data = f.read(limit + 1)      # a .gz is measured unpacked
    except UnpackedTooLarge as exc:
        return Quarantined("too-large", str(path), f"{exc}; {hint}")
    except (EOFError, OSError, zlib.error) as exc:
        return _truncated(path, exc)
    if len(data) > limit:
        return Quarantined("too-large", str(path), f"over {limit} bytes once unpacked; {hint}")
    return data


_LIST_KEYS = ("data", "items", "list", "results", "statuses")
# a JSON string (possessive: no backtracking stack, whatever its length) or a bracket
_JSON_TOKEN = re.compile(r'"[^"\\]*+(?:\\.[^"\\]*+)*+"|[\[\]{}]')


def _json_records(text: str) -> Iterator[str]:
    """Yield the source text of each record of a JSON document too deep to parse whole: the
    elements of a top-level array, or of the array under data/items/list… of a top-level object.
    A linear scan over strings and brackets (the regex skips everything else in C), so one record
    nested 100,000 deep costs that record only."""
    depth, start, in_list, key, list_depth = 0, None, False, None, 0
    for m in _JSON_TOKEN.finditer(text):
        tok = m.group()
        if tok[0] == '"':
            if depth == 1 and not in_list and text[m.end():m.end() + 20].lstrip().startswith(":"):
                key = tok[1:-1]
            if in_list and depth == list_depth and start is None:
                yield tok              # a bare string element: not an object, said so by the caller
            continue
        if tok in "[{":
            depth += 1
            if depth == 1 and tok == "[":
                in_list, list_depth = True, 1
            elif depth == 2 and tok == "[" and not in_list and key in _LIST_KEYS:
                in_list, list_depth = True, 2
            elif in_list and depth == list_depth + 1 and start is None:
                start = m.start()
        else:
            if in_list and depth == list_depth + 1 and start is not None:
                yield text[start:m.end()]
                start = None
            elif in_list and depth == list_depth:
                in_list = False
            depth -= 1


def read_json(path: Path, max_bytes: int, mapping: Mapping[str, str], fmt: str,
              max_unpacked: int = DEFAULT_MAX_UNPACKED,
              hint: mediacrawler.Hint = mediacrawler.Hint()) -> Iterator[Raw | Quarantined]:
    """A JSON array of records, an object holding one (under data/items/list…), or a single record."""
    data = _read_whole(path, 20 * max_bytes, "split it into JSON Lines to import", max_unpacked)
    if isinstance(data, Quarantined):
        yield data
        return
    text = decode_bytes(data)[0]
    del data
    try:
        obj = json.loads(text)
    except RecursionError:
        yield from _read_deep_json(path, text, mapping, fmt, hint)
        return
    except json.JSONDecodeError as exc:
        yield Quarantined("bad-json", str(path), str(exc), text)
        return
    records: list[Any]
    single = False
    if isinstance(obj, list):
        records = obj
    elif isinstance(obj, dict):
        inner = next((obj[k] for k in _LIST_KEYS if isinstance(obj.get(k), list)), None)
        records, single = (inner, False) if inner is not None else ([obj], True)
    else:
        yield Quarantined("not-an-object", str(path), f"a JSON {type(obj).__name__}")
        return
    for i, rec in enumerate(records, 1):
        if entry := _json_record(path, str(path) if single else f"{path}:{i}", rec, mapping, fmt, single, hint):
            yield entry


def _read_deep_json(path: Path, text: str, mapping: Mapping[str, str], fmt: str,
                    hint: mediacrawler.Hint = mediacrawler.Hint(),
                    ) -> Iterator[Raw | Quarantined]:
    """The records of a document the parser cannot take whole, each parsed on its own."""
    found = False
    for i, source in enumerate(_json_records(text), 1):
        found = True
        origin = f"{path}:{i}"
        try:
            rec = json.loads(source)
        except RecursionError:
            yield Quarantined("too-deep", origin, "嵌套层数过多，无法解析", source[:4096], raw_len=len(source))
            continue
        except json.JSONDecodeError as exc:
            yield Quarantined("bad-json", origin, str(exc), source)
            continue
        if entry := _json_record(path, origin, rec, mapping, fmt, False, hint):
            yield entry
    if not found:
        yield Quarantined("too-deep", str(path), "嵌套层数过多，无法解析", text[:4096], raw_len=len(text))


def _json_record(path: Path, origin: str, rec: Any, mapping: Mapping[str, str], fmt: str,
                 single: bool, hint: mediacrawler.Hint = mediacrawler.Hint()) -> Raw | Quarantined | None:
    if not isinstance(rec, dict):
        return Quarantined("not-an-object", origin, f"a JSON {type(rec).__name__}", raw_text(rec))
    if fmt == "mediacrawler" or (not mapping and mediacrawler.looks_like(rec)):
        return mediacrawler_raw(origin, rec, hint)
    out = apply_mapping(rec, resolve_mapping(list(rec), mapping))
    if single and not out.get("id"):
        out["id"] = path.name.removesuffix(".gz").rsplit(".", 1)[0]  # one record per file: its name is its id
    return Raw(origin, out)


def read_csv(path: Path, max_bytes: int, mapping: Mapping[str, str], fmt: str,
             delimiter: str | None = None, max_unpacked: int = DEFAULT_MAX_UNPACKED,
             hint: mediacrawler.Hint = mediacrawler.Hint(),
             ) -> Iterator[Raw | Quarantined]:
    encoding = _sample_encoding(path, max_unpacked)
    csv.field_size_limit(max_bytes)
    lineno = 1
    try:
        with _open(path, max_unpacked) as raw:
            # surrogateescape: an undecodable byte becomes a lone surrogate, which no decoded text
            # contains, so the row that has one is quarantined and the rows after it are read
            text = io.TextIOWrapper(raw, encoding="utf-8-sig" if encoding == "utf-8" else encoding,
                                    errors="surrogateescape", newline="")
            cut: list[int] = []       # physical lines longer than max_bytes, cut by _bounded_lines
            lines = _bounded_lines(text, max_bytes, cut)
            first = next(lines, "").removeprefix("\ufeff")
            if delimiter is None:
                try:
                    delimiter = csv.Sniffer().sniff(first.split("\n", 1)[0][:65536] + "\n",
                                                    delimiters=",;\t|").delimiter
                except csv.Error:
                    delimiter = "\t" if path.suffix.lower() == ".tsv" else ","
            reader = csv.reader(itertools.chain([first], lines), delimiter=delimiter)
            header = [h.strip()[:200] for h in next(reader, [])]
            is_mc = fmt == "mediacrawler" or (not mapping and "last_modify_ts" in header)
            resolved = resolve_mapping(header, mapping)
            missing = [c for f, c in mapping.items() if c not in header]
            if not is_mc and (missing or "text" not in resolved and "title" not in resolved):
                what = f"columns {missing} not in the header" if missing else "no text column found"
                yield Quarantined("missing-column", str(path),
                                  f"{what}; header (delimiter {delimiter!r}): {header[:30]}; use --map text=COLUMN")
                return
            while True:
                before = reader.line_num
                try:
                    row = next(reader)
                except StopIteration:
                    break
                except csv.Error as exc:   # one broken row (e.g. a field over the size cap): skip it
                    lineno = reader.line_num
                    reason = "too-large" if "field larger" in str(exc) or cut and cut[-1] > before else "bad-row"
                    yield Quarantined(reason, f"{path}:{lineno}", str(exc))
                    continue
                lineno = reader.line_num
                if cut and cut[-1] > before:   # the row runs over a line that was cut: not the whole row
                    yield Quarantined("too-large", f"{path}:{lineno}", f"a line of this row exceeds {max_bytes} characters")
                    continue
                if not any(cell.strip() for cell in row):
                    continue
                origin = f"{path}:{lineno}"
                if any(_UNDECODED.search(cell) for cell in row):
                    yield Quarantined("bad-encoding", origin, f"bytes that are not {encoding}",
                                      delimiter.join(row).encode("utf-8", "surrogateescape"))
                    continue
                if len(row) > len(header):
                    yield Quarantined("bad-row", origin, f"{len(row)} fields, header has {len(header)}",
                                      delimiter.join(row))
                    continue
                record = dict(zip(header, row))
                if is_mc:
                    yield mediacrawler_raw(origin, record, hint)
                else:
                    yield Raw(origin, apply_mapping(record, resolved))
    except UnicodeDecodeError as exc:
        yield Quarantined("bad-encoding", f"{path}:{lineno}",
                          f"not {encoding}: {exc}；其余部分未读取")
    except csv.Error as exc:
        yield Quarantined("bad-csv", str(path), str(exc))
    except UnpackedTooLarge as exc:
        yield Quarantined("too-large", f"{path}:{lineno}", str(exc))
    except (EOFError, OSError, zlib.error) as exc:
        yield _truncated(path, exc)


_UNDECODED = re.compile("[\udc80-\udcff]")


def _bounded_lines(text: io.TextIOBase, max_chars: int, cut: list[int]) -> Iterator[str]:
    """Yield the physical lines of a text file, none longer than `max_chars`: the rest of a longer
    line is skipped without being held, and its number is added to `cut`.

    A cut line ends with its quote closed (by the parity of the quotes so far), so that the csv
    reader does not take the lines after it into one endless quoted field."""
    n, quoted = 0, False
    while True:
        line = text.readline(max_chars + 1)
        if not line:
            return
        n += 1
        if len(line) > max_chars and not line.endswith(("\n", "\r")):
            while (rest := text.readline(1 << 20)) and not rest.endswith(("\n", "\r")):
                pass
            cut.append(n)
            line = line[:max_chars]
            if quoted ^ bool(line.count('"') & 1):
                line += '"'
            quoted = False
            yield line + "\n"
            continue
        if '"' in line:
            quoted ^= bool(line.count('"') & 1)
        yield line


def read_html(path: Path, max_bytes: int, max_unpacked: int = DEFAULT_MAX_UNPACKED,
              max_html: int = 1_000_000) -> Iterator[Raw | Quarantined]:
    """A saved web page: decoded by its meta charset (or detection), the article extracted."""
    from .pages import extract_article

    data = _read_whole(path, 10 * max_bytes, "not a page", max_unpacked)
    if isinstance(data, Quarantined):
        yield data
        return
    record = extract_article(decode_bytes(data)[0], path.resolve().as_uri(), max_html)
    record["url"] = None  # a file path is not a public address; the id comes from the text
    yield Raw(str(path), record)


def read_file(path: str | Path, fmt: str | None = None, mapping: Mapping[str, str] | None = None,
              max_bytes: int = 2_000_000, delimiter: str | None = None,
              max_unpacked: int = DEFAULT_MAX_UNPACKED, max_html: int = 1_000_000,
              site: str | None = None) -> Iterator[Raw | Quarantined]:
    """Yield the records of a file, of every importable file in a directory (sorted), or of a
    MediaCrawler database (a SQLite file, or a `sqlite://`, `postgresql://` or `mysql://` URL).

    `site` names the MediaCrawler platform of the records (`--platform xhs`), over what the path,
    sheet, table and fields say. Never raises past its start: a reader that fails inside a file
    quarantines the rest of that file with the reason, and the next file is read."""
    from .database import is_database_url, read_database

    mapping = dict(mapping or {})
    forced = mediacrawler.Hint(mediacrawler.site_name(site))
    if isinstance(path, str) and is_database_url(path):
        yield from read_database(path, forced)
        return
    path = Path(path)
    if path.is_dir():
        for child in sorted(p for p in path.rglob("*") if p.is_file() and not p.name.startswith(".")):
            try:
                detect_format(child)
            except ImportError_:
                continue
            try:
                yield from read_file(child, fmt, mapping, max_bytes, delimiter, max_unpacked, max_html, site)
            except ImportError_ as exc:     # one file of the folder (a database of another tool): said, skipped
                yield Quarantined("unreadable", str(child), str(exc))
        return
    if not path.exists():
        raise ImportError_(f"{path}: no such file")
    hint = forced.merged(mediacrawler.path_hint(path))
    kind = fmt if fmt and fmt != "mediacrawler" else detect_format(path)
    if kind == "jsonl":
        records = read_jsonl(path, max_bytes, mapping, max_unpacked, fmt or "jsonl", hint)
    elif kind == "json":
        records = read_json(path, max_bytes, mapping, fmt or "json", max_unpacked, hint)
    elif kind == "csv":
        records = read_csv(path, max_bytes, mapping, fmt or "csv", delimiter, max_unpacked, hint)
    elif kind == "xlsx":
        records = read_xlsx(path, mapping, max_unpacked, fmt == "mediacrawler", hint)
    elif kind == "html":
        records = read_html(path, max_bytes, max_unpacked, max_html)
    elif kind == "sqlite":
        records = read_database(path, forced)
    else:
        raise ImportError_(f"unknown format {fmt!r}; use one of {', '.join(FORMATS)}")
    profiles = 0
    for entry in _guarded(records, path):
        if entry is PROFILE:
            profiles += 1
        else:
            yield entry
    if profiles:
        yield Quarantined("profile-refused", str(path), mediacrawler.PROFILE_REFUSED.format(n=profiles))


def _guarded(records: Iterator[Raw | Quarantined], path: Path) -> Iterator[Raw | Quarantined]:
    n = 0
    try:
        for n, entry in enumerate(records, 1):
            yield entry
    except Exception as exc:  # noqa: BLE001 — a reader's own failure: this file's rest, not the import
        log.warning("%s: reading stopped after %d records: %s: %s", path, n, type(exc).__name__, exc)
        yield Quarantined("unreadable", str(path), f"读取 {n} 条后中断（{type(exc).__name__}: {exc}）；其余部分未读取")
