"""A weekly report over 200k items: build (SQL over the store) and render DOCX, HTML and PDF.

The store: the same real rows as bench/web_1m.py (20k items through the real pipeline), copied
10× into one Monday–Sunday week (2026-11-23 to 11-29, Beijing): ~203k items in the week. Built
once into bench/out/report_week/.

Usage: python bench/report_week.py [--rebuild]
"""

from __future__ import annotations

import json
import resource
import sys
import time
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "bench"))
sys.path.insert(0, str(ROOT / "src"))
WORK = ROOT / "bench" / "out" / "report_week"
TZ = ZoneInfo("Asia/Shanghai")
WEEK_END = int(datetime(2026, 11, 30, tzinfo=TZ).timestamp())      # Monday 00:00 after the week


def main() -> None:
    import web_1m

    from yuqing.reports.build import build_period_report
    from yuqing.reports.render import render
    from yuqing.store import open_store

    if "--rebuild" in sys.argv or not (WORK / "built.json").exists():
        web_1m.build(10, 20_000, span=7 * 86400 // 10, work=WORK, end_ts=WEEK_END - 1)
    built = json.loads((WORK / "built.json").read_text())
    store = open_store(f"sqlite:///{WORK}/web.db", migrate=False)
    res = {"store_items": built["items"]}
    runs = []
    for _ in range(3):
        t0 = time.perf_counter()
        report = build_period_report(store, "weekly", date(2026, 11, 26), region=None, tz=TZ)
        t1 = time.perf_counter()
        sizes = {fmt: len(render(report, fmt)) for fmt in ("docx", "html", "pdf")}
        t2 = time.perf_counter()
        runs.append((t1 - t0, t2 - t1))
    res.update({"items_in_week": report["figures"]["items"], "relevant_in_week": report["figures"]["relevant"],
                "build_s": [round(b, 2) for b, _ in runs], "render_docx_html_pdf_s": [round(r, 2) for _, r in runs],
                "total_s_best": round(min(b + r for b, r in runs), 2), "bytes": sizes,
                "max_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)})
    (ROOT / "bench" / "out" / "report_week.json").write_text(json.dumps(res, ensure_ascii=False, indent=1))
    print(json.dumps(res, ensure_ascii=False))


if __name__ == "__main__":
    main()
