"""Alert latency: item accepted by ingest → webhook received, over a replay of 20k real items.

The stream mixes the shared Weibo posts (weibo2018, SMP2020), the fj3 citizen complaints and the
CEC emergency news, in their own time order. A scheme without a region makes every item relevant
and alerts on high risk to a JSON webhook served on 127.0.0.1. The replay goes through the real
stages in one process, as `yuqing run` does: ingest a chunk (the items are accepted when it
commits), analyse it (events, alerts, outbox), deliver. Latency of an alert: from the commit of
the newest item it cites to the webhook server receiving it.

Usage: python bench/alerts_latency.py [N] [CHUNK]
"""

from __future__ import annotations

import csv
import json
import sys
import tempfile
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from statistics import median

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "scripts"))
sys.path.insert(0, str(ROOT / "bench"))


def stream(n: int) -> list[dict]:
    """Real items with times: fj3 (its own), CEC and Weibo texts spread over the same span."""
    import corpora
    from run import FJ3

    rows = []
    with open(FJ3, encoding="utf-8-sig") as f:
        for r in csv.DictReader(f):
            rows.append({"id": f"fj3:{r['留言编号']}", "platform": "complaint", "title": r["留言主题"],
                         "text": r["留言详情_clean"], "published_at": r["留言时间_iso"]})
    rows.sort(key=lambda r: r["published_at"])
    start, end = rows[0]["published_at"], rows[-1]["published_at"]
    others = [("news", d.text) for d in corpora.cec()[0]]
    others += [("weibo", d.text) for d in corpora.weibo2018()[0]] + [("weibo", d.text) for d in corpora.smp2020()[0]]
    others = others[: max(0, n - len(rows))]
    from datetime import datetime

    t0, t1 = datetime.fromisoformat(start).timestamp(), datetime.fromisoformat(end).timestamp()
    for i, (platform, text) in enumerate(others):
        ts = t0 + (t1 - t0) * ((i * 7919) % len(others)) / len(others)
        rows.append({"id": f"{platform}:b{i}", "platform": platform, "text": text,
                     "published_at": datetime.fromtimestamp(ts).astimezone().isoformat()})
    rows.sort(key=lambda r: r["published_at"])
    return rows[:n]


def run(n: int = 20_000, chunk: int = 100) -> dict:
    from yuqing.alerts.engine import deliver_due
    from yuqing.pipeline import analyze_pending, ingest_stream, make_analyzer
    from yuqing.models import Raw
    from yuqing.settings import load_settings
    from yuqing.store import open_store

    received: list[tuple[float, dict]] = []

    class Hook(BaseHTTPRequestHandler):
        def log_message(self, *args):
            pass

        def do_POST(self):
            body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
            received.append((time.time(), body))
            self.send_response(200)
            self.send_header("Content-Length", "0")
            self.end_headers()

    server = ThreadingHTTPServer(("127.0.0.1", 0), Hook)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    work = Path(tempfile.mkdtemp(prefix="yuqing-alerts-"))
    (work / "scheme.yaml").write_text("name: bench\nrequire_region: false\nalert:\n  min_risk: high\n"
                                      "  channels: [inbox, hook]\n", encoding="utf-8")
    # the replayed messages are years old: measured as if they arrived live (no backfill hold)
    base = load_settings(env={}, database_url=f"sqlite:///{work}/b.db", scheme=str(work / "scheme.yaml"),
                         ingest_workers=0, alert_max_age_hours=1e9)
    settings = base.__class__(base.values, (), None, work, (
        {"name": "hook", "kind": "webhook", "url": f"http://127.0.0.1:{server.server_address[1]}/hook"},))
    store = open_store(settings.database_url)
    analyzer = make_analyzer(settings)
    rows = stream(n)
    accepted: dict[str, float] = {}
    started = time.perf_counter()
    for i in range(0, len(rows), chunk):
        part = rows[i:i + chunk]
        ingest_stream((Raw(f"bench:{i + j}", r) for j, r in enumerate(part)), store, settings)
        now = time.time()
        for r in part:
            accepted[r["id"]] = now
        analyze_pending(store, analyzer, settings.analyze_batch_size, settings=settings)
        deliver_due(store, settings)
    seconds = time.perf_counter() - started
    time.sleep(0.5)
    server.shutdown()
    latencies = []
    for at, body in received:
        cited = [accepted[e["id"]] for e in body["message"].get("evidence", []) if e["id"] in accepted]
        if cited:
            latencies.append(at - max(cited))
    latencies.sort()
    alerts = store.alert_counts()
    return {"items": len(rows), "chunk": chunk, "alerts": alerts["alerts"], "alerts_by_level": alerts["alerts_by_level"],
            "webhooks_received": len(received), "items_per_s": round(len(rows) / seconds),
            "latency_s": {"p50": round(median(latencies), 3), "p95": round(latencies[int(0.95 * (len(latencies) - 1))], 3),
                          "max": round(latencies[-1], 3)} if latencies else None}


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT / "src"))
    args = [int(a) for a in sys.argv[1:]]
    print(json.dumps(run(*args), ensure_ascii=False))
