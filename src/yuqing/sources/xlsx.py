"""Excel workbooks (openpyxl, read-only), every sheet: size caps before parsing, a bad cell costs its row only.

An .xlsx is a zip: its declared sizes bound what unpacking can produce (zipfile stops at them),
so a bomb is refused before openpyxl reads a byte. The shared strings are held in memory, so
they get a tighter cap than the sheets, which are streamed.
"""

from __future__ import annotations

import zipfile
from functools import cache
from pathlib import Path
from typing import Any, Iterator, Mapping

from ..models import Quarantined, Raw
from . import mediacrawler

SHARED_STRINGS_MAX = 128 * 1024 * 1024   # unpacked bytes of xl/sharedStrings.xml (kept in memory)
# Excel's own limits: a row number or a sheet size past them is hostile (openpyxl would yield an
# empty row for every number skipped, and make every row as wide as the widest cell address)
MAX_ROWS, MAX_COLUMNS = 1_048_576, 1024
BAD_CELL = "\x00bad-cell"                # what the tolerant parser puts in a cell it cannot read
NO_VALUE = "\x00uncached-formula"        # a formula whose result the file does not carry


def check_zip(path: Path, max_unpacked: int) -> str | None:
    """Return why a workbook's zip is refused (too big once unpacked, not a zip), or None."""
    try:
        with zipfile.ZipFile(path) as z:
            infos = z.infolist()
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        return f"不是有效的 Excel 文件（{type(exc).__name__}: {exc}）"
    total = sum(i.file_size for i in infos)
    if total > max_unpacked:
        return f"解压后 {total:,} 字节，超过上限 {max_unpacked:,}（import_max_unpacked_bytes）"
    strings_max = min(SHARED_STRINGS_MAX, max_unpacked)
    for info in infos:
        if info.filename.lower().endswith("sharedstrings.xml") and info.file_size > strings_max:
            return f"共享字符串 {info.file_size:,} 字节，超过上限 {strings_max:,}；请另存为 CSV 后导入"
    return None


@cache
def _tolerant_parser() -> None:
    """Make openpyxl's read-only sheets mark a cell they cannot read instead of failing the sheet.

    openpyxl raises from deep inside its row generator on one bad cell (a number "abc", a shared
    string index past the table, a date of year 90000), which ends the generator: every row
    after it would be lost. Its read-only reader looks the parser class up in its module, so a
    subclass set there is used for every read-only sheet of this process (only imports read
    workbooks here)."""
    from openpyxl.utils.cell import coordinate_to_tuple
    from openpyxl.worksheet import _read_only
    from openpyxl.worksheet._reader import FORMULA_TAG, VALUE_TAG, WorkSheetParser

    class TolerantParser(WorkSheetParser):
        def parse_row(self, row):
            before = self.row_counter
            try:
                number, cells = super().parse_row(row)
            except Exception:  # noqa: BLE001 — a row number that is not one: this row only
                number, cells = MAX_ROWS + 1, []
            if number > MAX_ROWS:
                # past Excel's last row (r="1000000000000"): openpyxl would stop there or fill
                # the gap with empty rows; it is this row that is wrong, and it is said so
                self.row_counter = before + 1
                return self.row_counter, [{"row": self.row_counter, "column": 1, "value": BAD_CELL,
                                           "data_type": "s", "style_id": 0}]
            return number, cells

        def parse_cell(self, element):
            try:
                cell = super().parse_cell(element)
            except Exception:  # noqa: BLE001 — whatever the cell holds, it is this cell's
                try:
                    _, self.col_counter = coordinate_to_tuple(element.get("r"))
                except Exception:  # noqa: BLE001
                    self.col_counter += 1
                return {"row": self.row_counter, "column": self.col_counter, "value": BAD_CELL,
                        "data_type": "s", "style_id": 0}
            if cell["value"] is None and self.data_only and element.find(FORMULA_TAG) is not None \
                    and element.findtext(VALUE_TAG, None) is None:
                cell["value"], cell["data_type"] = NO_VALUE, "s"
            return cell

    _read_only.WorkSheetParser = TolerantParser


def read_xlsx(path: Path, mapping: Mapping[str, str], max_unpacked: int, mediacrawler_format: bool = False,
              hint: mediacrawler.Hint = mediacrawler.Hint(),
              ) -> Iterator[Raw | Quarantined]:
    """Yield the rows of every sheet as records (each sheet with its own header); a row with a cell
    that cannot be read (or a formula saved without its value) is quarantined on its own.

    A MediaCrawler workbook (its `last_modify_ts` column) is read by sheet: `Contents`, `Comments`,
    and `Creators`, whose profiles are refused. A sheet without a text column is said so and skipped."""
    from openpyxl import load_workbook

    from .files import mediacrawler_raw, resolve_mapping

    problem = check_zip(path, max_unpacked)
    if problem:
        yield Quarantined("too-large" if "上限" in problem else "bad-xlsx", str(path), problem)
        return
    _tolerant_parser()
    try:
        book = load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # noqa: BLE001 — openpyxl raises zipfile, KeyError and XML errors
        yield Quarantined("bad-xlsx", str(path), f"{type(exc).__name__}: {exc}")
        return
    try:
        if not book.worksheets:
            yield Quarantined("bad-xlsx", str(path), "工作簿中没有工作表")
            return
        several = len(book.worksheets) > 1
        for sheet in book.worksheets:
            where = f"{path}[{sheet.title}]" if several else str(path)
            width = min(sheet.max_column or MAX_COLUMNS, MAX_COLUMNS)   # from the sheet's <dimension>, if any
            rows = sheet.iter_rows(max_row=MAX_ROWS, max_col=width, values_only=True)
            header = [_header(h) for h in next(rows, [])]
            if not any(header):
                continue                      # an empty sheet (MediaCrawler leaves Creators empty)
            is_mc = mediacrawler_format or (not mapping and "last_modify_ts" in header)
            sheet_hint = hint.merged(mediacrawler.sheet_hint(sheet.title)) if is_mc else hint
            resolved = resolve_mapping(header, mapping)
            if not is_mc and "text" not in resolved and "title" not in resolved:
                yield Quarantined("missing-column", where, f"工作表「{sheet.title}」没有正文列，未导入；"
                                                           f"表头：{header[:30]}；可用 --map text=列名")
                continue
            n = 1
            try:
                for n, row in enumerate(rows, 2):
                    if all(v is None for v in row):
                        continue
                    record = {h: v for h, v in zip(header, row) if h}
                    if is_mc:
                        if any(v == BAD_CELL for v in record.values()):
                            yield _row_record(f"{where}:{n}", record, resolved)
                            continue
                        record = {h: (None if v == NO_VALUE else v) for h, v in record.items()}
                        yield mediacrawler_raw(f"{where}:{n}", record, sheet_hint)
                    else:
                        yield _row_record(f"{where}:{n}", record, resolved)
            except Exception as exc:  # noqa: BLE001 — the sheet's XML itself breaks off here
                yield Quarantined("bad-xlsx", f"{where}:{n + 1}",
                                  f"第 {n + 1} 行起无法读取（{type(exc).__name__}: {exc}）；其余部分未读取")
    finally:
        book.close()


def _row_record(origin: str, record: dict[str, Any], resolved: Mapping[str, str]) -> Raw | Quarantined:
    from .files import apply_mapping

    broken = [h for h, v in record.items() if v == BAD_CELL]
    if broken:
        return Quarantined("bad-cell", origin, f"无法读取的单元格：{'、'.join(broken[:10])}", _row_text(record))
    unvalued = [h for h, v in record.items() if v == NO_VALUE]
    if unvalued:
        # the text (or, without one, the title) is a formula saved without its result: storing
        # the row would store it without its words, so it waits for the file saved by Excel
        words = resolved.get("text") if resolved.get("text") in record else resolved.get("title")
        if record.get(words) == NO_VALUE:
            return Quarantined("uncached-formula", origin,
                               f"公式没有保存计算结果：{'、'.join(unvalued[:10])}；请在 Excel 中打开并保存后再导入",
                               _row_text(record))
        record = {h: (None if v == NO_VALUE else v) for h, v in record.items()}
    return Raw(origin, apply_mapping(record, resolved))


def _header(value: Any) -> str:
    return str(value).strip()[:200] if value is not None and value not in (BAD_CELL, NO_VALUE) else ""


def _row_text(record: Mapping[str, Any]) -> str:
    return "\t".join(f"{k}={str(v)[:2000]}" for k, v in record.items() if v is not None)
