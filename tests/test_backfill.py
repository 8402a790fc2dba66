"""Backfills on Dask (issue 18): `yuqing reanalyze --dask local` judges a PostgreSQL store's items
again in parts on a real dask.distributed cluster's worker processes, keeps their links, links
the newly involving ones, and goes on where it stopped after kill -9."""

from __future__ import annotations

import signal
import subprocess
import sys
from pathlib import Path

from sqlalchemy import text

from conftest import SPAWNED, wait_for
from yuqing.pipeline import analyze_pending, ingest_stream, make_analyzer
from yuqing.settings import load_settings
from yuqing.sources.files import read_file
from yuqing.store import open_store

ROOT = Path(__file__).resolve().parents[1]
DEMO_STREAM = ROOT / "src/yuqing/data/demo/stream.jsonl"
BEFORE = 'name: 万庄镇\nregion: "131003101"\n'           # a town: few items involve it
AFTER = 'name: 广阳区\nregion: "131003"\nalert:\n  min_risk: high\n'     # the district: many more


def store_under(url: str, tmp_path: Path, scheme: str):
    (tmp_path / "scheme.yaml").write_text(scheme, encoding="utf-8")
    (tmp_path / "yuqing.toml").write_text(f'database_url = "{url}"\nalert_max_age_hours = 1e9\n', encoding="utf-8")
    s = load_settings(tmp_path / "yuqing.toml")
    store = open_store(url)
    ingest_stream(read_file(str(DEMO_STREAM), None, {}, s.item_max_bytes), store, s)
    analyze_pending(store, make_analyzer(s), settings=s)
    return s, store


def labels(store) -> dict[str, str]:
    with store.engine.connect() as conn:
        return dict(conn.execute(text("SELECT id, relevance FROM items")).all())


def reanalyze(config: Path, *extra: str) -> subprocess.Popen:
    p = subprocess.Popen([sys.executable, "-m", "yuqing.cli", "-c", str(config), "reanalyze", "--dask", "local",
                          "--dask-workers", "2", *extra], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    SPAWNED.append(p)
    return p


def test_a_backfill_on_dask_judges_again_keeps_links_and_links_the_newly_involving(pg_url, tmp_path):
    s, store = store_under(pg_url, tmp_path, BEFORE)
    town = labels(store)
    with store.engine.connect() as conn:
        links = dict(conn.execute(text("SELECT id, coalesce(event, '') || '|' || coalesce(duplicate_of, '') "
                                       "FROM items WHERE event IS NOT NULL OR duplicate_of IS NOT NULL")).all())
    (tmp_path / "scheme.yaml").write_text(AFTER, encoding="utf-8")
    p = reanalyze(tmp_path / "yuqing.toml", "--part-size", "50", "--json")
    out, err = p.communicate(timeout=300)
    assert p.returncode == 0, err
    assert "judged again: 302 items in 7 parts" in err and "Traceback" not in err
    # judged as a fresh one-process analysis under the new scheme judges each item
    fresh_dir = tmp_path / "fresh"
    fresh_dir.mkdir()
    _f, fresh = store_under(f"sqlite:///{fresh_dir}/f.db", fresh_dir, AFTER)
    district = labels(store)
    assert district == labels(fresh) and sum(v == "yes" for v in district.values()) > sum(v == "yes" for v in town.values()) + 100
    with store.engine.connect() as conn:
        kept = dict(conn.execute(text("SELECT id, coalesce(event, '') || '|' || coalesce(duplicate_of, '') "
                                      "FROM items WHERE id IN :ids").bindparams(
            __import__("sqlalchemy").bindparam("ids", expanding=True)), {"ids": list(links)}).all())
        orphans = conn.execute(text("SELECT count(*) FROM items WHERE relevance = 'yes' AND event IS NULL "
                                    "AND duplicate_of IS NULL")).scalar()
        waiting = conn.execute(text("SELECT count(*) FROM items WHERE analyzed_ts IS NULL")).scalar()
    assert kept == links                 # the links an item had stay
    assert orphans == 0 and waiting == 0  # the newly involving were linked in order afterwards
    fresh.close()
    store.close()


def test_a_backfill_killed_half_way_goes_on_where_it_stopped(pg_url, tmp_path):
    s, store = store_under(pg_url, tmp_path, BEFORE)
    (tmp_path / "scheme.yaml").write_text(AFTER, encoding="utf-8")
    first = reanalyze(tmp_path / "yuqing.toml", "--part-size", "10")

    def some_done() -> bool:
        with store.engine.connect() as conn:
            return (conn.execute(text("SELECT coalesce(max(items), 0) FROM backfills")).scalar() or 0) >= 30

    wait_for(some_done, timeout=240, interval=0.1)
    first.send_signal(signal.SIGKILL)
    first.wait(10)
    subprocess.run(["pkill", "-9", "-f", "dask"], capture_output=True)   # its local cluster's processes
    with store.engine.connect() as conn:
        started, judged = conn.execute(text("SELECT started_ts, items FROM backfills")).one()
        left = conn.execute(text("SELECT count(*) FROM items WHERE analyzed_ts < :t"), {"t": started}).scalar()
    assert 30 <= judged and 0 < left < 302
    second = reanalyze(tmp_path / "yuqing.toml", "--part-size", "10")
    _out, err = second.communicate(timeout=300)
    assert second.returncode == 0, err
    assert "resuming backfill 1" in err and f"{left} to go" in err
    with store.engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM items WHERE analyzed_ts < :t"), {"t": started}).scalar() == 0
        assert conn.execute(text("SELECT count(*) FROM backfills WHERE finished_ts IS NOT NULL")).scalar() == 1
    store.close()
