"""Hostile input, generated: files in every format the importer reads, each bad record between
good ones, and feeds served on 127.0.0.1 that misbehave in every way a server can.

`python bench/hostile.py [--records 10000] [--feeds 50]` imports every file with `yuqing import`
(one process per file, its peak RSS measured), then runs `yuqing run` against the hostile feeds
and a good one, and prints and writes bench/out/hostile.json: tracebacks, hangs, records stored,
quarantined and lost, peak RSS, and how punctual the good feed's polls stayed. The tests import
the generators (tests/test_hostile.py) with smaller numbers.

Accounting: every record carries a marker 〔fNrM〕 in its text and fNrM in its id; a record is stored
when an item's text or id holds it, quarantined when a quarantine entry names its line (FILE:LINE) or holds its
marker, or when a file-level entry (origin FILE, or a rest-of-file entry whose detail says
其余部分未读取) covers it. Anything else is lost.
"""

from __future__ import annotations

import argparse
import gzip
import io
import json
import os
import random
import re
import socket
import sqlite3
import subprocess
import sys
import threading
import time
import zipfile
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Callable

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "bench" / "out"
MARK = re.compile(r"〔(f\d+[a-z]?r\d+)〕")
REST = "其余部分未读取"

SENTENCES = ["广阳区万庄镇今天开展了环境整治活动", "市民反映新开路积水严重，希望尽快处理", "解放道街道社区组织老人体检",
             "某小区物业费上涨引发业主不满", "广阳区一家工厂夜间噪音扰民", "学校门口交通拥堵，家长呼吁增设信号灯"]


def good(tag: str, i: int) -> dict:
    """A well-formed record carrying its marker."""
    return {"id": f"{tag}r{i}", "title": f"第{i}条〔{tag}r{i}〕", "text": f"〔{tag}r{i}〕{SENTENCES[i % len(SENTENCES)]}（{i}）",
            "published_at": "2026-11-28T09:%02d:00+08:00" % (i % 60), "platform": "weibo",
            "source": "示例来源", "metrics": {"likes": i % 97, "reposts": i % 13}}


# --- record-level triggers: each turns a good record into a hostile one -----------------------------
# (what the issue names, and more of the same kind). JSON-only ones are written as raw JSON text.

def _set(**fields) -> Callable[[dict], dict]:
    return lambda r: {**r, **fields}


def _metric(value) -> Callable[[dict], dict]:
    return lambda r: {**r, "metrics": {"likes": value}}


RECORD_TRIGGERS: dict[str, Callable[[dict], dict]] = {
    "year-1": _set(published_at="0001-01-01T00:00:00+14:00"),
    "year-9999": _set(published_at="9999-12-31T23:59:59Z"),
    "year-1900": _set(published_at="1900-01-01 00:00"),
    "days-ago": _set(published_at="99999999999天前"),
    "bad-clock": _set(published_at="昨天 25:99"),
    "month-13": _set(published_at="2026-13-45 99:99"),
    "digits-400": _set(published_at="9" * 400),
    "epoch-negative": _set(published_at=-1),
    "time-object": _set(published_at={"$date": 1}),
    "time-list": _set(published_at=[2026, 11, 28]),
    "count-400-nines": _metric("9" * 400),
    "count-2^64": _metric(2 ** 64),
    "count-negative": _metric(-5),
    "count-word": _metric("很多"),
    "count-huge-float": _metric(1e300),
    "metrics-not-object": lambda r: {**r, "metrics": "many"},
    "metrics-10000-keys": lambda r: {**r, "metrics": {f"k{i}": i for i in range(10_000)}},
    "surrogate-text": lambda r: {**r, "text": r["text"] + "\ud800坏"},
    "surrogate-id": lambda r: {**r, "id": r["id"] + "\udc00"},
    "surrogate-key": lambda r: {**r, "metrics": {"\udcff": 1}},
    "nul-and-escapes": lambda r: {**r, "text": r["text"] + "\x00\x1b[31m\u202e\u200b"},
    "url-open-bracket": _set(url="http://[::1"),
    "url-port-99999": _set(url="http://example.cn:99999/a"),
    "url-huge": _set(url="http://a.cn/" + "a" * 100_000),
    "url-javascript": _set(url="javascript:alert(1)"),
    "url-control": _set(url="http://a.cn/\x00\n/x"),
    "url-object": _set(url={"href": "http://a.cn"}),
    "id-huge": lambda r: {**r, "id": r["id"] + "x" * 100_000},
    "id-object": lambda r: {**r, "id": {"a": r["id"]}},
    "id-blank": _set(id="   "),
    "repost-huge": _set(repost_of="y" * 50_000),
    "text-object": _set(text={"a": 1}),
    "text-list": _set(text=[1, 2]),
    "text-number": lambda r: {**r, "text": 12345, "title": r["text"]},
    "text-empty": _set(text="", title=None),
    "text-3m": lambda r: {**r, "text": r["text"] + "长" * 3_000_000},
    "html-10000-divs": lambda r: {**r, "text": r["text"] + "<div>" * 10_000},
    "html-page": lambda r: {**r, "text": "<html><body><script>" + "x" * 300_000 + "</script><p>"
                            + r["text"] + "</p></body></html>"},
    "entities": lambda r: {**r, "text": r["text"] + "&#0;&#xD800;&#x110000;&nbsp;&lt;script&gt;"},
    "markdown-link": lambda r: {**r, "title": "[点此查看](http://evil.example/x) **紧急** <@all>"},
    "platform-script": _set(platform="<script>alert(1)</script>"),
    "source-1mb": _set(source="源" * 1_000_000),
    "author-object": _set(author={"name": "x"}),
    "four-byte": lambda r: {**r, "text": r["text"] + "𠀀𪚥😀👨‍👩‍👧"},
}

RAW_TRIGGERS: dict[str, Callable[[dict], str]] = {
    # JSON text no JSON library writes by default, or cannot read at all
    "json-infinity": lambda r: json.dumps(r, ensure_ascii=False)[:-1] + ', "metrics": {"likes": Infinity}}',
    "json-nan": lambda r: json.dumps(r, ensure_ascii=False)[:-1] + ', "metrics": {"likes": NaN}}',
    "json-int-400": lambda r: json.dumps({**r, "published_at": None}, ensure_ascii=False)[:-1]
    + ', "published_at": ' + "9" * 400 + "}",
    "json-deep": lambda r: json.dumps(r, ensure_ascii=False)[:-1] + ', "extra": ' + "[" * 100_000 + "]" * 100_000 + "}",
    "json-lone-escape": lambda r: json.dumps(r, ensure_ascii=False)[:-1] + ', "author": "\\ud800"}',
    "json-broken": lambda r: json.dumps(r, ensure_ascii=False)[:-2],
    "json-array-line": lambda r: json.dumps([r], ensure_ascii=False),
    "json-string-line": lambda r: json.dumps(r["text"], ensure_ascii=False),
}

ALL_TRIGGERS = [*RECORD_TRIGGERS, *RAW_TRIGGERS]


@dataclass
class FileSpec:
    """A generated file: the markers of its records, in order, and each one's origin line."""

    path: Path
    fmt: str
    tags: list[str] = field(default_factory=list)         # marker of record i
    lines: list[int | None] = field(default_factory=list)  # its line/row number (None: not positional)

    def origin(self, i: int) -> str | None:
        return f"{self.path}:{self.lines[i]}" if self.lines[i] is not None else None


def _mix(tag: str, n: int, rng: random.Random, triggers: list[str], every: int) -> list[tuple[str, dict | str]]:
    """n records: good ones, and every `every`-th one hostile (the triggers in turn)."""
    out: list[tuple[str, dict | str]] = []
    k = rng.randrange(len(triggers))
    for i in range(n):
        rec = good(tag, i)
        if i % every == every // 2:
            name = triggers[k % len(triggers)]
            k += 1
            out.append((name, RAW_TRIGGERS[name](rec) if name in RAW_TRIGGERS else RECORD_TRIGGERS[name](rec)))
        else:
            out.append(("good", rec))
    return out


def _json_line(value: dict | str) -> str:
    if isinstance(value, str):
        return value
    return json.dumps(value, ensure_ascii=False)


def _write_text(path: Path, data: str, encoding: str = "utf-8") -> None:
    raw = data.encode(encoding, "surrogatepass") if encoding.startswith("utf") else data.encode(encoding, "replace")
    if path.suffix == ".gz":
        path.write_bytes(gzip.compress(raw, 6))
    else:
        path.write_bytes(raw)


def write_jsonl(path: Path, tag: str, n: int, rng: random.Random, every: int = 5, encoding: str = "utf-8") -> FileSpec:
    spec = FileSpec(path, "jsonl")
    recs = _mix(tag, n, rng, ALL_TRIGGERS, every)
    _write_text(path, "".join(_json_line(v) + "\n" for _, v in recs), encoding)
    spec.tags = [f"{tag}r{i}" for i in range(n)]
    spec.lines = list(range(1, n + 1))
    return spec


def write_json(path: Path, tag: str, n: int, rng: random.Random, every: int = 5, wrapped: bool = False) -> FileSpec:
    spec = FileSpec(path, "json")
    recs = _mix(tag, n, rng, [t for t in ALL_TRIGGERS if t not in ("json-broken",)], every)
    body = "[" + ",\n".join(_json_line(v) for _, v in recs) + "]"
    _write_text(path, '{"code": 0, "data": ' + body + "}" if wrapped else body)
    spec.tags = [f"{tag}r{i}" for i in range(n)]
    spec.lines = list(range(1, n + 1))                   # FILE:N is the N-th record of the array
    return spec


def _cell(value) -> str:
    if isinstance(value, (dict, list)):
        return json.dumps(value, ensure_ascii=False)
    return "" if value is None else str(value)


def write_csv(path: Path, tag: str, n: int, rng: random.Random, every: int = 5, delimiter: str = ",",
              encoding: str = "utf-8") -> FileSpec:
    import csv

    spec = FileSpec(path, "csv")
    recs = _mix(tag, n, rng, list(RECORD_TRIGGERS), every)
    buf = io.StringIO()
    w = csv.writer(buf, delimiter=delimiter, lineterminator="\n")
    cols = ["id", "title", "text", "published_at", "platform", "source", "url", "点赞数"]
    w.writerow(cols)
    lines, line = [], 2
    for _, r in recs:
        row = [_cell(r.get("id")), _cell(r.get("title")), _cell(r.get("text")), _cell(r.get("published_at")),
               _cell(r.get("platform")), _cell(r.get("source")), _cell(r.get("url")),
               _cell((r.get("metrics") or {}).get("likes") if isinstance(r.get("metrics"), dict) else r.get("metrics"))]
        w.writerow(row)
        lines.append(line)
        line += 1 + sum(c.count("\n") + c.count("\r") for c in row)   # a quoted field may hold newlines
    _write_text(path, buf.getvalue(), encoding)
    spec.tags = [f"{tag}r{i}" for i in range(n)]
    spec.lines = lines
    return spec


def write_xlsx(path: Path, tag: str, n: int, rng: random.Random, every: int = 5) -> FileSpec:
    """A workbook whose sheet XML is written here: good rows, hostile values, and cells openpyxl
    cannot read (a number "abc", a shared string past the table, a row number that is not one, a
    date of year 90000, a formula with no cached value)."""
    from xml.sax.saxutils import escape

    spec = FileSpec(path, "xlsx")
    recs = _mix(tag, n, rng, list(RECORD_TRIGGERS), every)
    cols = ["id", "title", "text", "published_at", "点赞数"]
    letters = "ABCDE"

    def inline(ref: str, value) -> str:
        text = escape(re.sub(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff]", "", _cell(value)))
        return f'<c r="{ref}" t="inlineStr"><is><t xml:space="preserve">{text}</t></is></c>'

    rows = ['<row r="1">' + "".join(inline(f"{letters[j]}1", c) for j, c in enumerate(cols)) + "</row>"]
    bad_cells = ['<c r="E{r}" t="n"><v>abc</v></c>', '<c r="E{r}" t="s"><v>999999</v></c>',
                 '<c r="E{r}" s="1"><v>99999999999</v></c>', '<c r="E{r}" t="b"><v>x</v></c>']
    lines = []
    for i, (name, r) in enumerate(recs):
        rownum = i + 2
        lines.append(rownum)
        cells = [inline(f"A{rownum}", r.get("id")), inline(f"B{rownum}", r.get("title")),
                 inline(f"D{rownum}", r.get("published_at"))]
        if name != "good" and i % (2 * every) == every // 2:
            # a formula without its value where the text should be: the row has nothing to show
            cells.insert(2, f'<c r="C{rownum}"><f>CONCATENATE(A{rownum},B{rownum})</f></c>')
            cells.append(bad_cells[(i // every) % len(bad_cells)].format(r=rownum))
        else:
            cells.insert(2, inline(f"C{rownum}", r.get("text")))
            cells.append(inline(f"E{rownum}", (r.get("metrics") or {}).get("likes") if isinstance(r.get("metrics"), dict) else None))
        rows.append(f'<row r="{rownum}">' + "".join(cells) + "</row>")
    sheet = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
             '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
             + "".join(rows) + "</sheetData></worksheet>")
    _xlsx_with_sheet(path, sheet)
    spec.tags = [f"{tag}r{i}" for i in range(n)]
    spec.lines = lines
    return spec


def _xlsx_with_sheet(path: Path, sheet_xml: str, extra: dict[str, bytes] | None = None) -> None:
    """A real workbook from openpyxl (styles with a date format in cell style 1), its first sheet
    replaced by `sheet_xml`."""
    import openpyxl
    from datetime import datetime

    book = openpyxl.Workbook()
    book.active.append(["x"])
    book.active.append([datetime(2026, 1, 1)])     # makes style 1 a date style
    tmp = io.BytesIO()
    book.save(tmp)
    with zipfile.ZipFile(tmp) as src, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            data = sheet_xml.encode("utf-8", "replace") if info.filename == "xl/worksheets/sheet1.xml" else src.read(info)
            dst.writestr(info.filename, data)
        for name, data in (extra or {}).items():
            dst.writestr(name, data)


def write_pages(folder: Path, tag: str, start: int) -> list[FileSpec]:
    """Saved pages: a 19 MB "complete" page (inline images, scripts), a page of 200,000 tags, an
    unclosed <script> repeated, a GBK page labelled UTF-8, NUL bytes, and two good pages."""
    import base64

    folder.mkdir(parents=True, exist_ok=True)
    body = lambda i: "".join(f"<p>〔{tag}r{i}〕{SENTENCES[j % 6]}，这是第{j}段。</p>" for j in range(8))  # noqa: E731
    pages = {
        "complete.html": "<html><head><title>广阳区新闻</title><style>" + "a{color:red}" * 50_000 + "</style></head><body><article>"
        + body(0) + "</article>" + ('<img src="data:image/png;base64,' + base64.b64encode(os.urandom(4_000_000)).decode() + '">') * 3
        + "<script>" + "var x=1;" * 200_000 + "</script></body></html>",
        "tags.html": "<html><body><article>" + body(1) + "</article>" + "<div class='x'><span>字</span></div>" * 200_000 + "</body></html>",
        "unclosed.html": "<html><body><article>" + body(2) + "</article>" + "<script>a" * 100_000 + "</body></html>",
        "mislabelled.html": ("<html><head><meta charset='utf-8'><title>标题</title></head><body><article>" + body(3)
                             + "</article></body></html>"),
        "nul.html": "<html><body><article>" + body(4).replace("。", "。\x00") + "</article></body></html>",
        "good.html": "<html><head><title>好页面</title></head><body><article>" + body(5) + "</article></body></html>",
        "nested.html": "<html><body>" + "<div>" * 20_000 + "<article>" + body(6) + "</article>" + "</div>" * 20_000 + "</body></html>",
    }
    specs = []
    for name, html in pages.items():
        path = folder / name
        path.write_bytes(html.encode("gbk" if name == "mislabelled.html" else "utf-8", "replace"))
        i = int(MARK.search(html).group(1).split("r")[1])
        spec = FileSpec(path, "html", [f"{tag}r{i}"], [None])
        specs.append(spec)
    return specs


def write_file_level(folder: Path, tag: str, rng: random.Random, bomb_mb: int = 1024,
                     strings_mb: int = 200) -> list[FileSpec]:
    """Whole files that are hostile: bombs, truncation, garbage, empty, no sheet, a cut line.
    `bomb_mb`: what the gzip bomb's one line unpacks to; `strings_mb`: the xlsx's one cell."""
    folder.mkdir(parents=True, exist_ok=True)
    specs = []
    # a truncated gzip: what came before the cut is read, the rest is one quarantine entry
    lines = "".join(json.dumps(good(f"{tag}a", i), ensure_ascii=False) + "\n" for i in range(300))
    blob = gzip.compress(lines.encode())
    (folder / "cut.jsonl.gz").write_bytes(blob[: len(blob) // 2])
    specs.append(FileSpec(folder / "cut.jsonl.gz", "jsonl", [f"{tag}ar{i}" for i in range(300)], list(range(1, 301))))
    # a gzip bomb: 1 MB that unpacks to 1 GB of one line (a .csv.gz; the header line first)
    bomb = folder / "bomb.csv.gz"
    with gzip.open(bomb, "wb", compresslevel=9) as g:
        g.write(("text,author\n" + f"〔{tag}br0〕第一条,甲\n").encode())
        chunk = b"A" * (1 << 20)
        for _ in range(bomb_mb):
            g.write(chunk)
        g.write("\n".encode() + f"〔{tag}br1〕最后一条,乙\n".encode())
    specs.append(FileSpec(bomb, "csv", [f"{tag}br0", f"{tag}br1"], [2, 3]))
    # a JSON Lines gzip bomb of many lines
    jbomb = folder / "lines-bomb.jsonl.gz"
    with gzip.open(jbomb, "wb", compresslevel=9) as g:
        g.write((json.dumps(good(f"{tag}c", 0), ensure_ascii=False) + "\n").encode())
        chunk = (b"{" + b" " * 1000 + b"}\n") * 1000
        for _ in range(20):
            g.write(chunk)
    specs.append(FileSpec(jbomb, "jsonl", [f"{tag}cr0"], [1]))
    # an xlsx whose shared strings unpack to 200 MB (one cell), and one with no sheet at all
    huge = folder / "huge-cell.xlsx"
    with zipfile.ZipFile(huge, "w", zipfile.ZIP_DEFLATED) as z:
        with z.open("xl/sharedStrings.xml", "w") as f:
            f.write(b'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><si><t>')
            for _ in range(strings_mb):
                f.write(b"x" * (1 << 20))
            f.write(b"</t></si></sst>")
        z.writestr("[Content_Types].xml", "<Types/>")
    specs.append(FileSpec(huge, "xlsx", [f"{tag}dr0"], [None]))
    nosheet = folder / "no-sheet.xlsx"
    with zipfile.ZipFile(nosheet, "w") as z:
        z.writestr("[Content_Types].xml", '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"/>')
        z.writestr("xl/workbook.xml", '<?xml version="1.0"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheets/></workbook>')
    specs.append(FileSpec(nosheet, "xlsx", [f"{tag}er0"], [None]))
    # a sheet whose XML breaks off half-way, and one whose row number is 10^12
    half = folder / "half-sheet.xlsx"
    rows = "".join(f'<row r="{i + 2}"><c r="A{i + 2}" t="inlineStr"><is><t>〔{tag}gr{i}〕广阳区消息{i}</t></is></c></row>'
                   for i in range(20))
    _xlsx_with_sheet(half, '<?xml version="1.0"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
                     '<sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>text</t></is></c></row>' + rows + "<row r=")
    specs.append(FileSpec(half, "xlsx", [f"{tag}gr{i}" for i in range(20)], [i + 2 for i in range(20)]))
    far = folder / "far-row.xlsx"
    _xlsx_with_sheet(far, '<?xml version="1.0"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
                     '<dimension ref="A1:XFD1048576"/><sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>text</t></is></c></row>'
                     f'<row r="2"><c r="A2" t="inlineStr"><is><t>〔{tag}hr0〕第一行</t></is></c></row>'
                     f'<row r="1000000000000"><c r="ZZZZZZ1000000000000" t="inlineStr"><is><t>〔{tag}hr1〕远处</t></is></c></row>'
                     "</sheetData></worksheet>")
    specs.append(FileSpec(far, "xlsx", [f"{tag}hr0", f"{tag}hr1"], [2, 3]))   # the far row is reported as row 3
    # garbage with a .jsonl name, an empty file, a JSON file of one deep document, UTF-32 lines
    (folder / "garbage.jsonl").write_bytes(bytes(rng.randrange(256) for _ in range(200_000)))
    specs.append(FileSpec(folder / "garbage.jsonl", "jsonl", [], []))
    (folder / "empty.csv").write_bytes(b"")
    specs.append(FileSpec(folder / "empty.csv", "csv", [], []))
    (folder / "deep.json").write_text("[" * 200_000 + "]" * 200_000)
    specs.append(FileSpec(folder / "deep.json", "json", [], []))
    (folder / "wide.jsonl").write_bytes("".join(json.dumps(good(f"{tag}i", i), ensure_ascii=False) + "\n"
                                                for i in range(50)).encode("utf-32"))
    specs.append(FileSpec(folder / "wide.jsonl", "jsonl", [f"{tag}ir{i}" for i in range(50)], list(range(1, 51))))
    return specs


def write_all(folder: Path, records: int = 10_000, seed: int = 7, bomb_mb: int = 1024,
              strings_mb: int = 200) -> list[FileSpec]:
    """Every format with hostile records among good ones (about `records` records), plus the
    hostile pages and the file-level cases."""
    rng = random.Random(seed)
    folder.mkdir(parents=True, exist_ok=True)
    makers = [
        ("jsonl", lambda p, t, n: write_jsonl(p, t, n, rng)),
        ("jsonl.gz", lambda p, t, n: write_jsonl(p, t, n, rng)),
        ("utf16.jsonl", lambda p, t, n: write_jsonl(p, t, n, rng, encoding="utf-16")),
        ("json", lambda p, t, n: write_json(p, t, n, rng)),
        ("wrapped.json.gz", lambda p, t, n: write_json(p, t, n, rng, wrapped=True)),
        ("csv", lambda p, t, n: write_csv(p, t, n, rng)),
        ("csv.gz", lambda p, t, n: write_csv(p, t, n, rng)),
        ("tsv", lambda p, t, n: write_csv(p, t, n, rng, delimiter="\t")),
        ("gbk.csv", lambda p, t, n: write_csv(p, t, n, rng, encoding="gb18030")),
        ("xlsx", lambda p, t, n: write_xlsx(p, t, n, rng)),
    ]
    per_file = 250
    files = max(len(makers), records // per_file)
    specs = []
    for k in range(files):
        suffix, make = makers[k % len(makers)]
        tag = f"f{k}"
        specs.append(make(folder / f"{tag}.{suffix}", tag, per_file))
    specs += write_pages(folder / "pages", f"f{files}", 0)
    specs += write_file_level(folder / "whole", f"f{files + 1}", rng, bomb_mb, strings_mb)
    return specs


# --- accounting ---------------------------------------------------------------------------------

def account(db: Path, specs: list[FileSpec]) -> dict:
    """Records stored, quarantined and lost, from the store itself."""
    with sqlite3.connect(db) as c:
        stored = set()
        for (item_id, text, title) in c.execute("SELECT id, text, title FROM items"):
            stored.update(MARK.findall(text or ""))
            stored.update(MARK.findall(title or ""))
            stored.update(re.findall(r"f\d+[a-z]?r\d+", item_id))     # a hostile text may have lost the marker
        q_origins, q_marks, q_files, q_rest = set(), set(), set(), []
        for origin, raw, detail in c.execute("SELECT origin, raw, detail FROM quarantine"):
            q_origins.add(origin)
            q_marks.update(MARK.findall(raw or ""))
            path, _, line = origin.rpartition(":")
            if not line.isdigit():
                q_files.add(origin)
            elif REST in (detail or ""):
                q_rest.append((path, int(line)))
    total = stored_n = quarantined_n = 0
    lost: list[str] = []
    for spec in specs:
        rest_from = min((n for p, n in q_rest if p == str(spec.path)), default=None)
        for i, tag in enumerate(spec.tags):
            total += 1
            if tag in stored:
                stored_n += 1
            elif (tag in q_marks or (spec.origin(i) in q_origins) or str(spec.path) in q_files
                  or (rest_from is not None and spec.lines[i] is not None and spec.lines[i] >= rest_from)):
                quarantined_n += 1
            else:
                lost.append(f"{spec.path.name}#{i} ({tag})")
    return {"records": total, "stored": stored_n, "quarantined": quarantined_n, "lost": len(lost),
            "lost_examples": lost[:20]}


# --- hostile feeds ------------------------------------------------------------------------------

def feed_xml(items: list[str], title: str = "示例源") -> bytes:
    return ('<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>' + title + "</title>"
            + "".join(items) + "</channel></rss>").encode("utf-8", "surrogatepass")


def feed_item(tag: str, i: int, **over) -> str:
    from xml.sax.saxutils import escape

    r = good(tag, i)
    title = escape(over.get("title", r["title"]))
    return (f"<item><title>{title}</title><link>{escape(over.get('link', f'https://news.example.cn/{tag}/{i}'))}</link>"
            f"<description>{escape(over.get('text', r['text']))}</description>"
            f"<pubDate>{over.get('date', 'Sat, 28 Nov 2026 09:00:00 +0800')}</pubDate></item>")


def hostile_routes(base: Callable[[], str]) -> dict[str, Callable]:
    """name -> handler(request handler): every way a feed server can misbehave."""
    import base64

    def send(h, status, body, ctype="application/rss+xml; charset=utf-8", headers=None, length=True):
        h.send_response(status)
        h.send_header("Content-Type", ctype)
        if length:
            h.send_header("Content-Length", str(len(body)))
        for k, v in (headers or {}).items():
            h.send_header(k, v)
        h.end_headers()
        h.wfile.write(body)

    def trickle_body(h):
        h.send_response(200)
        h.send_header("Content-Type", "application/rss+xml")
        h.send_header("Content-Length", "100000")
        h.end_headers()
        for _ in range(100000):
            h.wfile.write(b" ")
            h.wfile.flush()
            time.sleep(1)

    def trickle_headers(h):
        h.wfile.write(b"HTTP/1.1 200 OK\r\n")
        for i in range(100000):
            h.wfile.write(f"X-Slow-{i}: a\r\n".encode())
            h.wfile.flush()
            time.sleep(1)

    def silent(h):
        time.sleep(3600)

    def garbage(h):
        h.wfile.write(os.urandom(5000))

    def reset(h):
        h.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00")
        h.connection.close()

    def attrs(h):
        many = " ".join(f'a{i}="v"' for i in range(200_000))
        send(h, 200, feed_xml([f"<item {many}><title>x</title></item>"]))

    def laughs(h):
        ents = "".join(f'<!ENTITY l{i} "' + (f"&l{i - 1};" if i else "lol") * 10 + '">' for i in range(10))
        send(h, 200, f'<?xml version="1.0"?><!DOCTYPE r [{ents}]><rss version="2.0"><channel><title>&l9;</title>'
                     "<item><title>x</title></item></channel></rss>".encode())

    def deep(h):
        send(h, 200, feed_xml(["<item><title>x</title><description>" + "<b>" * 50_000 + "</description></item>"]))

    def huge(h):
        h.send_response(200)
        h.send_header("Content-Type", "application/rss+xml")
        h.end_headers()
        for _ in range(200):
            h.wfile.write(b"<!-- " + b"x" * 1_000_000 + b" -->")

    bombs: list[bytes] = []

    def gzip_bomb(h):
        if not bombs:     # 200 MB of spaces in 200 KB, made once
            bombs.append(gzip.compress(b"<rss>" + b" " * 200_000_000 + b"</rss>", 9))
        send(h, 200, bombs[0], headers={"Content-Encoding": "gzip"})

    def loop(h):
        send(h, 302, b"", headers={"Location": h.path})

    def metadata(h):
        send(h, 302, b"", headers={"Location": "http://100.100.100.200/latest/meta-data/"})

    def sixtofour(h):
        send(h, 302, b"", headers={"Location": "http://[2002:7f00:1::]/x"})

    def bad_values(h):
        tag = "hv"
        items = [feed_item(tag, 0, date="Fri, 31 Dec 9999 23:59:59 GMT"), feed_item(tag, 1, date="0001-01-01T00:00:00+14:00"),
                 feed_item(tag, 2, title="[点此](http://evil.example) **紧急** <@all>"), feed_item(tag, 3, link="http://[::1"),
                 feed_item(tag, 4, text="广阳区 &#xD800; &#0; 消息"), feed_item(tag, 5, title="标" * 200_000),
                 feed_item(tag, 6, date="99999999999天前")]
        send(h, 200, feed_xml(items))

    def atom_far(h):
        send(h, 200, ('<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom"><title>t</title>'
                      '<entry><title>远未来</title><link href="https://news.example.cn/atom/1"/><id>a1</id>'
                      '<updated>9999-12-31T23:59:59Z</updated><summary>广阳区消息</summary></entry></feed>').encode(),
             ctype="application/atom+xml")

    def html_not_feed(h):
        send(h, 200, b"<html><body>not a feed</body></html>", ctype="text/html")

    def bad_chunked(h):
        h.wfile.write(b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nContent-Type: application/rss+xml\r\n\r\n"
                      b"zzzz\r\nxx\r\n")

    def lying_length(h):
        h.wfile.write(b"HTTP/1.1 200 OK\r\nContent-Length: 999999999999\r\nContent-Type: application/rss+xml\r\n\r\n<rss>")

    def header_bomb(h):
        h.wfile.write(b"HTTP/1.1 200 OK\r\nX-Big: " + b"a" * 1_000_000 + b"\r\n\r\n")

    def status_500(h):
        send(h, 500, b"oops")

    def image(h):
        send(h, 200, base64.b64decode("iVBORw0KGgo="), ctype="image/png")

    def many_items(h):
        send(h, 200, feed_xml([feed_item("hm", i) for i in range(40_000)]))

    return {"trickle-body": trickle_body, "trickle-headers": trickle_headers, "silent": silent, "garbage": garbage,
            "reset": reset, "attrs": attrs, "laughs": laughs, "deep": deep, "huge": huge, "gzip-bomb": gzip_bomb,
            "loop": loop, "metadata": metadata, "sixtofour": sixtofour, "bad-values": bad_values,
            "atom-far": atom_far, "html": html_not_feed, "bad-chunked": bad_chunked, "lying-length": lying_length,
            "header-bomb": header_bomb, "500": status_500, "image": image, "many-items": many_items}


class FeedServer:
    """A real HTTP server on 127.0.0.1: /good.xml (a new item every poll), /robots.txt, and
    /bad/NAME/K for each hostile route (K tells copies apart). Logs when each path was asked."""

    def __init__(self):
        self.hits: list[tuple[float, str]] = []
        self.polls = 0
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):
                pass

            def do_GET(self):
                path = self.path.split("?", 1)[0]
                server.hits.append((time.time(), path))
                try:
                    if path == "/robots.txt":
                        body = b"User-agent: *\nAllow: /\n"
                        self.send_response(200)
                        self.send_header("Content-Length", str(len(body)))
                        self.end_headers()
                        self.wfile.write(body)
                    elif path == "/good.xml":
                        server.polls += 1
                        body = feed_xml([feed_item("good", k) for k in range(server.polls)], "好的源")
                        self.send_response(200)
                        self.send_header("Content-Type", "application/rss+xml; charset=utf-8")
                        self.send_header("Content-Length", str(len(body)))
                        self.end_headers()
                        self.wfile.write(body)
                    elif path.startswith("/bad/"):
                        name = path.split("/")[2]
                        server.routes[name](self)
                    else:
                        self.send_error(404)
                except (BrokenPipeError, ConnectionResetError, OSError):
                    pass

        class Quiet(ThreadingHTTPServer):
            def handle_error(self, request, client_address):
                pass    # a client that hangs up on a trickling route is the point, not news

        self.httpd = Quiet(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.base = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self.routes = hostile_routes(lambda: self.base)
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def __enter__(self) -> "FeedServer":
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()

    def good_polls(self) -> list[float]:
        return [t for t, p in self.hits if p == "/good.xml"]


def feed_sources(base: str, n: int, interval: str = "5s") -> str:
    """[[sources]] for n hostile feeds (the routes in turn) and the good one."""
    names = list(hostile_routes(lambda: base))
    out = [f'[[sources]]\nname = "good"\nkind = "feed"\nurl = "{base}/good.xml"\ninterval = "{interval}"\n']
    for k in range(n):
        route = names[k % len(names)]
        out.append(f'[[sources]]\nname = "bad-{k}-{route}"\nkind = "feed"\nurl = "{base}/bad/{route}/{k}"\n'
                   f'interval = "{interval}"\n')
    return "\n".join(out)


# --- the benchmark ------------------------------------------------------------------------------

def _yuqing() -> list[str]:
    return [sys.executable, "-m", "yuqing.cli"]


def import_each(specs: list[FileSpec], env: dict, cwd: Path, timeout: float = 300) -> dict:
    """`yuqing import` each file in its own process: tracebacks, hangs, peak RSS, seconds."""
    runner = ("import resource, subprocess, sys, time; t = time.time(); "
              "r = subprocess.run(sys.argv[1:], capture_output=True, text=True, timeout=%d); "
              "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, time.time() - t, r.returncode); "
              "sys.stderr.write(r.stderr)" % timeout)
    out = {"files": 0, "tracebacks": 0, "hangs": 0, "peak_rss_mb": 0.0, "worst": None, "by_file": []}
    for path in sorted({s.path for s in specs}):
        out["files"] += 1
        try:
            run = subprocess.run([sys.executable, "-c", runner, *_yuqing(), "import", str(path)], env=env, cwd=cwd,
                                 capture_output=True, text=True, timeout=timeout + 30)
        except subprocess.TimeoutExpired:
            out["hangs"] += 1
            continue
        if "TimeoutExpired" in run.stderr or not run.stdout.strip():
            out["hangs"] += 1
            out["by_file"].append({"file": path.name, "size_mb": round(path.stat().st_size / 1e6, 2), "hang": True})
            continue
        rss_kb, seconds, code = run.stdout.split()
        rss = round(int(rss_kb) / 1024, 1)
        tb = "Traceback" in run.stderr or " ERROR " in run.stderr or "内部错误" in run.stderr
        out["tracebacks"] += tb
        out["by_file"].append({"file": path.name, "size_mb": round(path.stat().st_size / 1e6, 2), "rss_mb": rss,
                               "seconds": round(float(seconds), 2), "exit": int(code), "traceback": tb})
        if rss > out["peak_rss_mb"]:
            out["peak_rss_mb"], out["worst"] = rss, path.name
    return out


def run_feeds(n_feeds: int, workdir: Path, seconds: float = 60.0, interval: float = 5.0) -> dict:
    """`yuqing run` against n hostile feeds and the good one for `seconds`, then SIGTERM."""
    import signal

    workdir.mkdir(parents=True, exist_ok=True)
    with FeedServer() as srv:
        (workdir / "yuqing.toml").write_text(
            'database_url = "sqlite:///feeds.db"\nfetch_allow_hosts = ["127.0.0.1:*"]\nfetch_respect_robots = true\n'
            'fetch_host_delay = 0\nfetch_timeout = 3\nfetch_deadline = 9\nanalyze_batch_size = 256\n\n'
            + feed_sources(srv.base, n_feeds, f"{interval:g}s"), encoding="utf-8")
        env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
        proc = subprocess.Popen(_yuqing() + ["run"], cwd=workdir, env=env, stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, text=True)
        started = time.time()
        time.sleep(seconds)
        alive = proc.poll() is None
        term = time.time()
        proc.send_signal(signal.SIGTERM)
        try:
            _, err = proc.communicate(timeout=60)
        except subprocess.TimeoutExpired:
            proc.kill()
            _, err = proc.communicate()
        stop_s = time.time() - term
        polls = [t for t in srv.good_polls() if t >= started]
    gaps = [b - a for a, b in zip(polls, polls[1:])]
    with sqlite3.connect(workdir / "feeds.db") as c:
        good_items = c.execute("SELECT count(*) FROM items WHERE text LIKE '%〔goodr%'").fetchone()[0]
        errors = dict(c.execute("SELECT name, last_error FROM sources WHERE last_error IS NOT NULL").fetchall())
    return {"feeds": n_feeds, "seconds": seconds, "alive_until_sigterm": alive, "exit_code": proc.returncode,
            "stop_s": round(stop_s, 2), "tracebacks": err.count("Traceback") + err.count(" ERROR "),
            "good_polls": len(polls),
            "good_interval_s": interval, "good_gap_max_s": round(max(gaps), 2) if gaps else None,
            "good_gap_median_s": round(sorted(gaps)[len(gaps) // 2], 2) if gaps else None,
            "good_items": good_items, "sources_failing": len(errors)}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--records", type=int, default=10_000)
    ap.add_argument("--feeds", type=int, default=50)
    ap.add_argument("--seconds", type=float, default=60.0)
    ap.add_argument("--dir", default="/tmp/yuqing-hostile")
    args = ap.parse_args()
    import shutil

    work = Path(args.dir)
    shutil.rmtree(work, ignore_errors=True)
    specs = write_all(work / "in", args.records)
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src"), "YUQING_DATABASE_URL": f"sqlite:///{work}/h.db"}
    started = time.time()
    imports = import_each(specs, env, work)
    imports["seconds"] = round(time.time() - started, 1)
    counts = account(work / "h.db", specs)
    feeds = run_feeds(args.feeds, work / "feeds", args.seconds)
    result = {"import": {k: v for k, v in imports.items() if k != "by_file"} | counts,
              "import_by_file": imports["by_file"], "feeds": feeds}
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / "hostile.json").write_text(json.dumps(result, ensure_ascii=False, indent=2), encoding="utf-8")
    print(json.dumps({"import": result["import"], "feeds": feeds}, ensure_ascii=False, indent=2))


if __name__ == "__main__":
    main()
