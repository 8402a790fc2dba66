"""Other tools' output, as their own code writes it, through `yuqing import`: per tool and format,
how many records were read, stored, linked (a comment to its stored post, a reply to its comment)
and quarantined. Run: python bench/sources_tools.py [--json]

The MediaCrawler files are tests/data/mediacrawler_tool (scripts/make_mediacrawler_fixtures.py).
"""

from __future__ import annotations

import json
import sqlite3
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from yuqing.pipeline import ingest_stream  # noqa: E402
from yuqing.settings import load_settings  # noqa: E402
from yuqing.sources.files import read_file  # noqa: E402
from yuqing.store import open_store  # noqa: E402

MC = ROOT / "tests/data/mediacrawler_tool"


def measure(paths: list[Path | str]) -> dict:
    try:
        return _measure(paths)
    except Exception as exc:  # noqa: BLE001 — an older checkout may not read a format at all
        return {"error": f"{type(exc).__name__}: {exc}"[:120]}


def _measure(paths: list[Path | str]) -> dict:
    with tempfile.TemporaryDirectory() as tmp:
        settings = load_settings(env={}, database_url=f"sqlite:///{tmp}/b.db")
        store = open_store(settings.database_url)
        read = added = 0
        quarantined: dict[str, int] = {}
        for path in paths:
            report = ingest_stream(read_file(path), store, settings, collector="bench")
            read += report.read
            added += report.added
            for k, v in report.quarantined.items():
                quarantined[k] = quarantined.get(k, 0) + v
        store.close()
        con = sqlite3.connect(f"{tmp}/b.db")
        ids = {r[0] for r in con.execute("SELECT id FROM items")}
        cols = {r[1] for r in con.execute("PRAGMA table_info(items)")}
        comments = [r for r in con.execute("SELECT id, repost_of, platform FROM items WHERE id LIKE '%:c%'")]
        linked = sum(1 for _, post, _ in comments if post in ids)
        replies = (con.execute("SELECT COUNT(*) FROM items WHERE reply_to IN (SELECT id FROM items)").fetchone()[0]
                   if "reply_to" in cols else 0)
        weibo_wrong = sum(1 for (i,) in con.execute("SELECT id FROM items WHERE id LIKE 'weibo:c%'")
                          if not i.startswith("weibo:c524"))
        return {"read": read, "stored": added, "comments": len(comments), "linked": linked, "replies_linked": replies,
                "comments_called_weibo_wrongly": weibo_wrong, "quarantined": quarantined}


def main() -> None:
    rows = []
    for version in ("current", "early2026"):
        data = MC / version / "data"
        for fmt in ("jsonl", "json", "csv", "xlsx"):
            paths = sorted(data.glob("*/*.xlsx")) if fmt == "xlsx" else sorted(data.glob(f"*/{fmt}/*.{fmt}"))
            if paths:
                rows.append((f"MediaCrawler {version} {fmt}", measure(paths)))
        rows.append((f"MediaCrawler {version} sqlite", measure([MC / version / "sqlite_tables.db"])))
    if "--json" in sys.argv:
        print(json.dumps(dict(rows), ensure_ascii=False, indent=1))
        return
    print("| tool, format | read | stored | comments linked to their post | replies linked | comments called Weibo wrongly | quarantined |")
    print("|---|---|---|---|---|---|---|")
    for name, r in rows:
        if "error" in r:
            print(f"| {name} | not read: {r['error']} | | | | | |")
            continue
        q = ", ".join(f"{k} {v}" for k, v in sorted(r["quarantined"].items())) or "—"
        print(f"| {name} | {r['read']} | {r['stored']} | {r['linked']} of {r['comments']} | {r['replies_linked']} | "
              f"{r['comments_called_weibo_wrongly']} | {q} |")


if __name__ == "__main__":
    main()
