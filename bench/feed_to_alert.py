"""Feed published → robot message, through `yuqing run` polling a feed every 60 s.

A feed on 127.0.0.1 gets a new high-risk item at a few moments unrelated to the poll schedule;
a `yuqing run` process polls it (interval 60 s) and alerts a webhook on 127.0.0.1. The latency of
each item is from its publication in the feed to the webhook receiving the alert; the target is
the poll interval + 5 s.

Usage: python bench/feed_to_alert.py [ROUNDS]
"""

from __future__ import annotations

import json
import random
import signal
import subprocess
import sys
import tempfile
import threading
import time
from datetime import datetime
from email.utils import format_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parents[1]
TZ = ZoneInfo("Asia/Shanghai")
EVENTS = ["廊坊市广阳区{}一化工厂发生爆炸 已致{}人死亡", "廊坊市广阳区{}一居民楼发生火灾 {}人受伤送医",
          "廊坊市广阳区{}一工地塔吊倒塌 {}名工人被困"]
PLACES = ["万庄镇", "九州镇", "北旺镇", "南尖塔镇"]


def run(rounds: int = 3, interval: str = "1m") -> dict:
    items: list[str] = []
    received: list[tuple[float, dict]] = []

    class Site(BaseHTTPRequestHandler):
        def log_message(self, *args):
            pass

        def do_GET(self):
            body = ("<?xml version='1.0' encoding='UTF-8'?><rss version='2.0'><channel><title>t</title>"
                    "<link>http://127.0.0.1/</link><description>t</description>" + "".join(items)
                    + "</channel></rss>").encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/rss+xml")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def do_POST(self):
            received.append((time.time(), json.loads(self.rfile.read(int(self.headers["Content-Length"])))))
            self.send_response(200)
            self.send_header("Content-Length", "0")
            self.end_headers()

    server = ThreadingHTTPServer(("127.0.0.1", 0), Site)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_address[1]}"
    work = Path(tempfile.mkdtemp(prefix="yuqing-feed-"))
    env = {"PATH": "/usr/bin:/bin", "HOME": str(work)}
    yq = [sys.executable, "-m", "yuqing.cli"]
    subprocess.run(yq + ["init", "--region", "131003"], cwd=work, env=env, check=True, capture_output=True)
    config = work / "yuqing.toml"
    config.write_text('fetch_allow_hosts = ["127.0.0.1:*"]\nfetch_respect_robots = false\nfetch_host_delay = 0\n'
                      + config.read_text(encoding="utf-8")
                      + f'\n[[sources]]\nname = "feed"\nkind = "feed"\nurl = "{base}/rss.xml"\nplatform = "news"\n'
                        f'interval = "{interval}"\n\n[[channels]]\nname = "hook"\nkind = "webhook"\nurl = "{base}/hook"\n',
                      encoding="utf-8")
    scheme = work / "scheme.yaml"
    scheme.write_text(scheme.read_text(encoding="utf-8").replace("channels: [inbox]", "channels: [inbox, hook]"),
                      encoding="utf-8")
    proc = subprocess.Popen(yq + ["run"], cwd=work, env=env, stderr=subprocess.DEVNULL)
    rng = random.Random(3)
    latencies = []
    try:
        time.sleep(5)
        for i in range(rounds):
            time.sleep(rng.uniform(5, 50))             # anywhere in the poll cycle
            title = EVENTS[i % len(EVENTS)].format(PLACES[i % len(PLACES)], i + 2)
            published = time.time()
            items.append(f"<item><title>{title}</title><link>{base}/n/{i}.html</link><guid>n-{i}</guid>"
                         f"<pubDate>{format_datetime(datetime.now(TZ))}</pubDate><description>{title}。消防、"
                         f"应急管理部门正在现场处置。</description></item>")
            before = len(received)
            while len(received) == before and time.time() - published < 180:
                time.sleep(0.1)
            if len(received) > before:
                latencies.append(round(received[-1][0] - published, 1))
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=30)
        server.shutdown()
    return {"rounds": rounds, "poll_interval": interval, "latency_s": latencies,
            "max_s": max(latencies) if latencies else None, "all_arrived": len(latencies) == rounds}


if __name__ == "__main__":
    print(json.dumps(run(int(sys.argv[1]) if len(sys.argv) > 1 else 3), ensure_ascii=False))
