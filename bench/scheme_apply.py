"""A new scheme applied to 1M stored items (issue 17: ≤ 10 minutes, resumable after kill -9).

The store is a copy of the 1M-item store of bench/web_1m.py (real texts, replicated 50 times).
`yuqing scheme add gy gy.yaml --later` saves a 广阳区 scheme with two landmarks; then `yuqing
scheme apply gy` runs as its own process and is killed with SIGKILL after KILL_AFTER_S seconds;
run again, it goes on where the last whole chunk left it. The figures: the time of both runs
(with their start-up), items per second, the peak RSS, how far the first run got; and a check
that a random sample of 3,000 items holds what a fresh judgment of them says.

Usage: python bench/scheme_apply.py [--kill-after 60]
"""

from __future__ import annotations

import argparse
import json
import random
import resource
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
SOURCE = ROOT / "bench" / "out" / "web1m"
WORK = ROOT / "bench" / "out" / "apply1m"
SCHEME = 'name: 广阳区（新）\nregion: "131003"\nlandmarks:\n  万达广场: "131003"\n  新华路: "131003"\n'


def yq(*args: str, **kw) -> subprocess.Popen:
    return subprocess.Popen([str(Path(sys.executable).parent / "yuqing"), "--config", str(WORK / "yuqing.toml"), *args],
                            cwd=WORK, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, **kw)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--kill-after", type=float, default=60.0)
    args = ap.parse_args()
    if not (SOURCE / "web.db").exists():
        raise SystemExit("build the 1M store first: python bench/web_1m.py --rebuild --build-only")
    if WORK.exists():
        shutil.rmtree(WORK)
    WORK.mkdir(parents=True)
    t = time.perf_counter()
    shutil.copy(SOURCE / "web.db", WORK / "web.db")
    copy_s = time.perf_counter() - t
    (WORK / "scheme.yaml").write_text((SOURCE / "scheme.yaml").read_text(encoding="utf-8"), encoding="utf-8")
    (WORK / "yuqing.toml").write_text(f'database_url = "sqlite:///{WORK}/web.db"\nscheme = "scheme.yaml"\n',
                                      encoding="utf-8")
    (WORK / "gy.yaml").write_text(SCHEME, encoding="utf-8")
    t = time.perf_counter()
    add = yq("scheme", "add", "gy", "gy.yaml", "--later")
    out, err = add.communicate()
    assert add.returncode == 0, err
    add_s = time.perf_counter() - t          # opening (migration 15 on the old store) and saving

    t = time.perf_counter()
    first = yq("scheme", "apply", "gy")
    time.sleep(args.kill_after)
    first.send_signal(signal.SIGKILL)
    first.wait()
    first_s = time.perf_counter() - t

    from yuqing.store import open_store

    store = open_store(f"sqlite:///{WORK}/web.db")
    row = store.scheme("gy")
    killed_at = row["apply_seq"]
    total = row["apply_total"]
    t = time.perf_counter()
    second = yq("scheme", "apply", "gy")
    out, err = second.communicate()
    second_s = time.perf_counter() - t
    rss_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    assert second.returncode == 0, err
    row = store.scheme("gy")
    assert not row["applying"], row

    # a sample judged afresh against what the two runs stored
    from yuqing.analysis.analyze import Subject
    from yuqing.analysis.schemeset import SchemeSet
    from yuqing.apply_scheme import scheme_of_row
    from sqlalchemy import text

    rng = random.Random(17)
    seqs = sorted(rng.sample(range(1, total + 1), 3000))
    with store.engine.connect() as conn:
        rows = [dict(r._mapping) for r in conn.execute(text(
            "SELECT seq, id, platform, source, title, text, text_sc, published_ts, flags FROM items "
            f"WHERE analyzed_ts IS NOT NULL AND seq IN ({', '.join(map(str, seqs))})"))]
        have = dict(conn.execute(text(f"SELECT seq, label FROM item_schemes WHERE scheme = {row['id']} "
                                      f"AND seq IN ({', '.join(map(str, seqs))})")).all())
        counts = dict(conn.execute(text(f"SELECT label, count(*) FROM item_schemes WHERE scheme = {row['id']} "
                                        "GROUP BY label")).all())
    judge = SchemeSet([(row["id"], scheme_of_row(row))])
    fresh = {r["seq"]: j[row["id"]]["label"] for r, j in zip(rows, judge.judge([Subject.of_row(r) for r in rows]))
             if j[row["id"]]["label"] != "no"}
    result = {"items": total, "copy_s": round(copy_s, 1), "add_s": round(add_s, 1),
              "first_run_s": round(first_s, 1), "killed_at_seq": killed_at, "second_run_s": round(second_s, 1),
              "total_apply_s": round(first_s + second_s, 1),
              "items_per_s": round(total / (first_s + second_s)), "peak_rss_mb": round(rss_mb),
              "labels": counts, "sample": len(rows), "sample_agrees": fresh == have}
    print(json.dumps(result, ensure_ascii=False))
    (ROOT / "bench" / "out" / "scheme_apply.json").write_text(json.dumps(result, ensure_ascii=False, indent=2),
                                                              encoding="utf-8")
    store.close()
    shutil.rmtree(WORK)


if __name__ == "__main__":
    main()
