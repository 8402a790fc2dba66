"""Page extraction on real saved Chinese pages (tests/data/pages_real, from public repositories'
test fixtures; SOURCES.tsv says whose), against labels made by reading (labels.jsonl: the dev
part, seen while the rules were written; labels_fresh.jsonl: labelled afterwards, never tuned on;
each with the rule for its close calls). Right means: the title as the article shows it; the time to the
minute; the body holding the article's first and last words, with under 100 characters before
the first and under 200 after the last (a short dateline, caption or credit line is allowed, a
menu or a list of other articles is not). Run: python bench/pages_real.py [--json]"""

from __future__ import annotations

import json
import re
import sys
from datetime import datetime, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from yuqing.ingest import decode_bytes, normalize_record, to_simplified  # noqa: E402
from yuqing.sources.pages import extract_article  # noqa: E402

PAGES = ROOT / "tests/data/pages_real"
NOW = datetime(2026, 12, 1, tzinfo=timezone.utc)


def _url(html: str, name: str) -> str:
    m = re.search(r'<meta[^>]+property=["\']og:url["\'][^>]+content=["\']([^"\']+)', html) or \
        re.search(r'<link[^>]+rel=["\']canonical["\'][^>]+href=["\']([^"\']+)', html)
    return m.group(1) if m and m.group(1).startswith("http") else f"https://pages.invalid/{name}"


def _norm(text: str | None) -> str:
    return re.sub(r"\s+", "", to_simplified(text or ""))


def judge(label: dict) -> dict:
    html = decode_bytes((PAGES / label["file"]).read_bytes())[0]
    record = extract_article(html, _url(html, label["file"]))
    item = normalize_record(record, now=NOW) if record.get("text") or record.get("title") else None
    out = {"file": label["file"], "kind": label["kind"]}
    if item is None:
        return out | {"title": False, "time": False, "body": False, "got": "nothing"}
    want = datetime.fromisoformat(label["time"])
    out["title"] = _norm(item.title) == _norm(label["title"])
    out["time"] = item.published_at.replace(second=0, microsecond=0) == want and "time-date-only" not in item.flags
    body, first, last = _norm(item.text), _norm(label["first"]), _norm(label["last"])
    i, j = body.find(first), body.rfind(last)
    out["body"] = i >= 0 and j >= 0 and i < 100 and len(body) - (j + len(last)) < 200
    out["got"] = {"title": item.title, "time": item.published_at.isoformat(), "flags": item.flags,
                  "body": (item.text[:40], item.text[-40:]), "before": i, "after": len(body) - (j + len(last)) if j >= 0 else None}
    return out


SETS = {"dev": "labels.jsonl",          # seen while the extraction rules were written
        "fresh": "labels_fresh.jsonl"}  # labelled afterwards and never tuned on


def labels_of(part: str) -> list[dict]:
    text = (PAGES / SETS[part]).read_text(encoding="utf-8")
    return [json.loads(line) for line in text.splitlines() if line]


def main() -> None:
    out = {}
    for part in SETS:
        rows = [judge(lb) for lb in labels_of(part)]
        n = len(rows)
        figures = {k: round(sum(r[k] for r in rows) / n, 3) for k in ("title", "time", "body")}
        out[part] = {"n": n, **figures, "pages": rows}
        if "--json" in sys.argv:
            continue
        print(f"{part}: {n} pages: title {figures['title']}, time {figures['time']}, body {figures['body']}")
        for r in rows:
            if not (r["title"] and r["time"] and r["body"]):
                wrong = [k for k in ("title", "time", "body") if not r[k]]
                print(f"  {r['file']}: {', '.join(wrong)} — {r['got']}")
    if "--json" in sys.argv:
        print(json.dumps(out, ensure_ascii=False, indent=1, default=str))


if __name__ == "__main__":
    main()
