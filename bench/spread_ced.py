"""Early warning on the CED Weibo repost cascades: is a cascade flagged in outbreak early enough?

Each of the 3,387 cascades (an original post and its reposts and comments, with their times) is
replayed in time order through the same outbreak signal events use (events/burst.py). For the
top quarter by final size, the share flagged before the cascade reached 20% of its final size;
for the bottom quarter, the share ever flagged; and the lead time of the flags. The cascades are
split in two by a hash of their id: `dev` chose the defaults, `test` only reports.

Usage: python bench/spread_ced.py [dev|test|all]
"""

from __future__ import annotations

import json
import os
import re
import sys
import tarfile
import time
import zlib
from datetime import datetime
from pathlib import Path
from statistics import median
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parents[1]
DATA = Path(os.environ.get("YUQING_DATA") or ROOT.parent / "shared" / "data").resolve()
CED = DATA / "ced_weibo_rumor"
BEIJING = ZoneInfo("Asia/Shanghai")
TOP_FROM, BOTTOM_BELOW = 550, 180


def _posted(value) -> float:
    if isinstance(value, (int, float)) or str(value).isdigit():
        return float(value)
    return datetime.strptime(value, "%a %b %d %H:%M:%S %z %Y").timestamp()


def _repost_time(value: str, year: int) -> float:
    try:
        return datetime.strptime(value, "%Y-%m-%d %H:%M:%S").replace(tzinfo=BEIJING).timestamp()
    except ValueError:     # 74 records say "07月23日 11:47": the original's year
        m = re.match(r"(\d+)月(\d+)日 (\d+):(\d+)", value)
        return datetime(year, *map(int, m.groups()), tzinfo=BEIJING).timestamp()


def cascades(data: Path = DATA, limit: int | None = None):
    """Yield (id, original post dict, [repost records]) for each cascade in the archive."""
    with tarfile.open(data / "ced_weibo_rumor" / "reposts.tar.xz", "r:xz") as tar:
        n = 0
        for member in tar:
            if not (member.isfile() and member.name.endswith(".json")):
                continue
            key = member.name.rsplit("/", 1)[1][:-5]
            original = json.loads((data / "ced_weibo_rumor" / "original-microblog" / f"{key}.json").read_text("utf-8"))
            yield key, original, json.load(tar.extractfile(member))
            n += 1
            if limit and n >= limit:
                return


def split_of(key: str) -> str:
    return "dev" if zlib.crc32(key.encode()) % 2 == 0 else "test"


def series_of(original: dict, reposts: list[dict], params):
    """The cascade as an event's series: the post counts 1, each repost or comment `repost_weight`."""
    from yuqing.events.burst import Series

    posted = _posted(original["time"])
    year = datetime.fromtimestamp(posted, BEIJING).year
    times = sorted((_repost_time(r["date"], year), r.get("uid") or "?") for r in reposts)
    return Series.of([posted] + [t for t, _ in times], [1.0] + [params.repost_weight] * len(times),
                     ["author"] + [u for _, u in times])


def evaluate(which: str = "dev", data: Path = DATA, params=None, limit: int | None = None) -> dict:
    from yuqing.events.burst import BurstParams, first_outbreak

    params = params or BurstParams()
    started = time.perf_counter()
    rows = []
    for key, original, reposts in cascades(data, limit):
        if which != "all" and split_of(key) != which:
            continue
        s = series_of(original, reposts, params)
        flag = first_outbreak(s, params)
        rows.append((len(reposts), s.ts[1:], flag[0] if flag else None))
    seconds = time.perf_counter() - started
    return score(rows, seconds)


def score(rows, seconds: float = 0.0) -> dict:
    # the quartiles of final size over all 3,387 cascades (≈178 and ≈547), as the issue fixes them
    q1, q3 = BOTTOM_BELOW, TOP_FROM
    top = [(n, ts, f) for n, ts, f in rows if n >= q3]
    bottom = [(n, ts, f) for n, ts, f in rows if n < q1]
    early, lead20, lead50 = 0, [], []
    for n, ts, f in top:
        t20, t50 = ts[max(0, int(0.2 * n) - 1)], ts[max(0, int(0.5 * n) - 1)]
        if f is not None and f < t20:
            early += 1
            lead20.append((t20 - f) / 60)
            lead50.append((t50 - f) / 60)
    return {"cascades": len(rows), "top_n": len(top), "bottom_n": len(bottom),
            "top_flagged_before_20pct": round(early / len(top), 3),
            "bottom_ever_flagged": round(sum(f is not None for _, _, f in bottom) / len(bottom), 3),
            "all_flagged": round(sum(f is not None for _, _, f in rows) / len(rows), 3),
            "median_lead_min_to_20pct": round(median(lead20), 1) if lead20 else None,
            "median_lead_min_to_50pct": round(median(lead50), 1) if lead50 else None,
            "records": sum(n for n, _, _ in rows), "seconds": round(seconds, 1)}


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT / "src"))
    print(json.dumps(evaluate(sys.argv[1] if len(sys.argv) > 1 else "dev"), ensure_ascii=False))
