"""Search results as CSV or Excel, with personal data masked (privacy.mask) and formula-like cells
defused (a cell starting with = + - @ would run as a formula in Excel)."""

from __future__ import annotations

import csv
import io
from datetime import datetime
from typing import Any, Sequence

from fastapi.responses import Response

from ..labels import zh
from ..models import BEIJING, utc_datetime
from ..privacy import defuse_formula, mask

COLUMNS = ("id", "published_at", "platform", "source", "title", "text", "url", "category", "sentiment", "risk", "event")
HEADERS = ("编号", "发布时间", "平台", "来源", "标题", "正文", "链接", "类别", "情感", "风险", "事件")


def table(rows: Sequence[dict[str, Any]]) -> list[list[Any]]:
    out = []
    for r in rows:
        values = {**r, "published_at": utc_datetime(r["published_ts"]).astimezone(BEIJING).strftime("%Y-%m-%d %H:%M"),
                  "source": mask(r.get("source")), "title": mask(r.get("title")), "text": mask(r.get("text")),
                  # what a leader reads is 微博 / 负面 / 高, not the codes
                  "platform": zh("platform", r.get("platform")), "sentiment": zh("sentiment", r.get("sentiment")),
                  "risk": zh("risk", r.get("risk"))}
        out.append([defuse_formula(values.get(c) if values.get(c) is not None else "") for c in COLUMNS])
    return out


def export_response(rows: Sequence[dict[str, Any]], fmt: str) -> Response:
    stamp = datetime.now(BEIJING).strftime("%Y%m%d-%H%M")
    if fmt == "csv":
        buf = io.StringIO()
        writer = csv.writer(buf)
        writer.writerow(HEADERS)
        writer.writerows(table(rows))
        # BOM: Excel opens UTF-8 CSV correctly only with it
        return Response(("\ufeff" + buf.getvalue()).encode("utf-8"), media_type="text/csv; charset=utf-8",
                        headers={"Content-Disposition": f'attachment; filename="yuqing-{stamp}.csv"'})
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.title = "检索结果"
    ws.append(HEADERS)
    for line in table(rows):
        ws.append(line)
    ws.freeze_panes = "A2"                  # the header stays in sight
    for letter, width in zip("ABCDEFGHIJK", (18, 17, 8, 16, 36, 60, 30, 12, 8, 6, 12)):
        ws.column_dimensions[letter].width = width
    buf = io.BytesIO()
    wb.save(buf)
    return Response(buf.getvalue(), media_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                    headers={"Content-Disposition": f'attachment; filename="yuqing-{stamp}.xlsx"'})
