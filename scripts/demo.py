"""`make demo`: the demo store comes alive. Starts `yuqing run` (the replay source delivers four
days of the fictional district stream in about three minutes, dated relative to now) and
`yuqing serve`, prints the address and the demo login, then a line as items, events and alerts
arrive — until Ctrl-C, or for DEMO_SECONDS seconds when that is set (CI, screenshots).

Usage: python scripts/demo.py DEMO_DIR [PORT]
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path


def main() -> int:
    demo = Path(sys.argv[1]).resolve()
    port = int(sys.argv[2]) if len(sys.argv) > 2 else 8000
    yuqing = str(Path(sys.executable).parent / "yuqing")
    seconds = float(os.environ.get("DEMO_SECONDS") or 0)
    log = open(demo / "run.log", "w")
    procs = [subprocess.Popen([yuqing, "run"], cwd=demo, stdout=log, stderr=subprocess.STDOUT),
             subprocess.Popen([yuqing, "serve", "--host", "127.0.0.1", "--port", str(port)], cwd=demo,
                              stdout=log, stderr=subprocess.STDOUT)]
    print(f"\n  Dashboard: http://127.0.0.1:{port}/   login: demo / demo-yuqing\n"
          f"  Three schemes: 广阳区 (the district), 万庄镇 (a town), 民生工程 (a project with a word rule);\n"
          f"  switch between them at the top of every page. The town's analyst: wanzhuang / demo-yuqing.\n"
          f"  The replay delivers four days of the district's (fictional) stream in about three minutes;\n"
          f"  watch events form and alerts fire. Log: {demo / 'run.log'}. Ctrl-C stops.\n", flush=True)
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))
    from yuqing.settings import load_settings
    from yuqing.store import open_store

    store = open_store(load_settings(demo / "yuqing.toml", env={}).database_url, migrate=False)
    stop = []
    signal.signal(signal.SIGINT, lambda *_: stop.append(1))
    signal.signal(signal.SIGTERM, lambda *_: stop.append(1))
    started, last = time.time(), None
    try:
        while not stop and (not seconds or time.time() - started < seconds):
            if any(p.poll() is not None for p in procs):
                print(f"a demo process stopped; see {demo / 'run.log'}", file=sys.stderr)
                return 1
            try:
                items, events, alerts = (store.count_items(), store.event_counts()["events"],
                                         store.alert_counts()["alerts"])
            except Exception:  # the store is being created by `yuqing run`
                items = events = alerts = 0
            now = (items, events, alerts)
            if now != last:
                try:
                    per = "  ".join(f"{r['name']} {c.get(r['id'], {}).get('yes', 0)}" for c in [store.scheme_counts()]
                                    for r in store.schemes())
                except Exception:  # noqa: BLE001 — a count while the store is created
                    per = ""
                print(f"  {time.strftime('%H:%M:%S')}  {items} items  {events} events  {alerts} alerts  {per}", flush=True)
                last = now
            time.sleep(2)
    finally:
        for p in procs:
            p.send_signal(signal.SIGTERM)
        for p in procs:
            try:
                p.wait(15)
            except subprocess.TimeoutExpired:
                p.kill()
    return 0


if __name__ == "__main__":
    sys.exit(main())
