"""The 1M-item store on PostgreSQL (issue 18): `yuqing migrate` from the SQLite store of
bench/web_1m.py (built there if missing) into a PostgreSQL server of its own, timed, then the
same page and search measurements as bench/web_1m.py over it, beside the SQLite figures.

Usage: python bench/pg_1m.py [--users 20] [--seconds 60] [--workers 2] [--skip-sqlite]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "bench"))
sys.path.insert(0, str(ROOT / "tests"))
OUT = ROOT / "bench" / "out"


def main() -> None:
    import pgserver
    import web_1m

    ap = argparse.ArgumentParser()
    ap.add_argument("--users", type=int, default=20)
    ap.add_argument("--seconds", type=float, default=60)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--skip-sqlite", action="store_true", help="only PostgreSQL (the SQLite figures from an earlier run)")
    args = ap.parse_args()
    if not (web_1m.WORK / "built.json").exists():
        web_1m.build(50, 20_000)
    built = json.loads((web_1m.WORK / "built.json").read_text())
    result = {"store": built}
    if not args.skip_sqlite:
        result["sqlite"] = web_1m.measure(args.users, args.seconds, args.workers)
        print(json.dumps({"sqlite": result["sqlite"]["single"]}, ensure_ascii=False), flush=True)
    work = OUT / "web1m_pg"
    work.mkdir(parents=True, exist_ok=True)
    with pgserver.postgres() as url:
        started = time.perf_counter()
        done = subprocess.run([sys.executable, "-m", "yuqing.cli", "migrate", f"sqlite:///{web_1m.WORK}/web.db", url,
                               "--json"], capture_output=True, text=True)
        if done.returncode:
            raise SystemExit(done.stderr)
        result["migrate"] = {"seconds": round(time.perf_counter() - started, 1),
                             "rows": sum(t["rows"] for t in json.loads(done.stdout)["tables"].values()),
                             "items": json.loads(done.stdout)["tables"]["items"]["rows"]}
        print(json.dumps({"migrate": result["migrate"]}), flush=True)
        (work / "yuqing.toml").write_text(f'database_url = "{url}"\nscheme = "{web_1m.WORK / "scheme.yaml"}"\n',
                                          encoding="utf-8")
        subprocess.run(["psql", url, "-qc", "VACUUM ANALYZE"], check=True)
        result["postgresql"] = web_1m.measure(args.users, args.seconds, args.workers, work)
    (OUT / "pg_1m.json").write_text(json.dumps(result, ensure_ascii=False, indent=1))
    print(json.dumps(result, ensure_ascii=False, indent=1))


if __name__ == "__main__":
    os.environ.setdefault("YUQING_DATA", str(ROOT.parent / "shared" / "data"))
    main()
