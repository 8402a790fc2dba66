"""One bad record must never stop the pipeline: every trigger of issue 19 through import, collect
and `yuqing run`, against real stores, a real HTTP server on 127.0.0.1 and the real command.

The generators are bench/hostile.py's (the benchmark runs them at full size)."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from datetime import datetime, timezone
from pathlib import Path

import orjson
import pytest

from conftest import ROOT, wait_for
from yuqing.ingest import try_normalize
from yuqing.models import Item, Quarantined
from yuqing.sources.http import FetchError, Fetcher

sys.path.insert(0, str(ROOT / "bench"))
import hostile  # noqa: E402

NOW = datetime(2026, 11, 28, 12, 0, tzinfo=timezone.utc)
YQ = [sys.executable, "-m", "yuqing.cli"]


def _env(tmp_path: Path, **extra) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith("YUQING_")}
    return {**env, "YUQING_DATABASE_URL": f"sqlite:///{tmp_path}/h.db", "PYTHONPATH": str(ROOT / "src"), **extra}


@pytest.mark.parametrize("name", list(hostile.RECORD_TRIGGERS))
def test_each_hostile_record_becomes_a_storable_item_or_a_quarantine_entry(name, store):
    record = hostile.RECORD_TRIGGERS[name](hostile.good("t", 1))
    got = try_normalize(record, now=NOW, origin="test:1")
    if isinstance(got, Quarantined):
        assert got.reason and got.origin == "test:1"
        store.add_quarantine([got])
        return
    assert isinstance(got, Item)
    assert NOW.year - 40 < got.published_at.year <= NOW.year      # never year 1 or 9999
    assert all(v is None or 0 <= v <= 10**12 for v in got.metrics.values())
    for text in (got.id, got.text, got.title or "", got.source or "", got.url or "", got.origin or ""):
        text.encode("utf-8")                                        # no lone surrogate left
    assert len(got.id) <= 210 and (got.url is None or got.url.startswith("http"))
    orjson.dumps(got.metrics)
    assert store.upsert_items([got]).added == 1                     # and the store takes it


def test_the_outcomes_a_person_sees(store):
    far = try_normalize(hostile.RECORD_TRIGGERS["year-9999"](hostile.good("t", 1)), now=NOW, origin="x:1")
    assert far.published_at == NOW and "time-future" in far.flags
    old = try_normalize(hostile.RECORD_TRIGGERS["year-1"](hostile.good("t", 2)), now=NOW, origin="x:2")
    assert old.published_at == NOW and "time-too-early" in old.flags
    big = try_normalize(hostile.RECORD_TRIGGERS["count-2^64"](hostile.good("t", 3)), now=NOW, origin="x:3")
    assert big.metrics["likes"] is None
    url = try_normalize(hostile.RECORD_TRIGGERS["url-open-bracket"](hostile.good("t", 4)), now=NOW, origin="x:4")
    assert url.url is None and "url-invalid" in url.flags
    sur = try_normalize(hostile.RECORD_TRIGGERS["surrogate-text"](hostile.good("t", 5)), now=NOW, origin="x:5")
    assert sur.text.endswith("坏") and "\ud800" not in sur.text
    huge = try_normalize(hostile.RECORD_TRIGGERS["text-3m"](hostile.good("t", 6)), now=NOW, origin="x:6")
    assert isinstance(huge, Quarantined) and huge.reason == "too-large" and len(huge.raw) <= 1_000_000
    obj = try_normalize(hostile.RECORD_TRIGGERS["text-object"](hostile.good("t", 7)), now=NOW, origin="x:7")
    assert isinstance(obj, Quarantined) and obj.reason == "bad-field"


def test_a_store_with_impossible_times_is_repaired_and_every_page_works(tmp_path, settings):
    """A store written before ingest checked times (an item from year 1, one from 9999): the
    migration dates them when they were collected; until then nothing that shows them fails."""
    from fastapi.testclient import TestClient

    from yuqing.store import open_store
    from yuqing.web.app import create_app

    store = open_store(settings.database_url)
    store.upsert_items([try_normalize(hostile.good("t", i), now=NOW, origin=f"x:{i}") for i in range(3)])
    db = settings.database_url.split("///", 1)[1]
    with sqlite3.connect(db) as c:
        c.execute("UPDATE items SET published_ts = -62135647200 WHERE id = 'weibo:tr0'")       # 0001-01-01+14:00
        c.execute("UPDATE items SET published_ts = 253402300799 WHERE id = 'weibo:tr1'")       # 9999-12-31
    from yuqing.pipeline import analyze_pending, make_analyzer

    assert analyze_pending(store, make_analyzer(settings, configured=False), settings=settings) == 3
    assert store.stats()["items"] == 3                                   # tolerated before repair
    with sqlite3.connect(db) as c:
        c.execute("DELETE FROM schema_migrations WHERE version = 8")
    store.close()
    store = open_store(settings.database_url)                            # the migration runs
    rows = {r["id"]: r for r in store.get_items(["weibo:tr0", "weibo:tr1", "weibo:tr2"])}
    assert rows["weibo:tr0"]["published_ts"] == rows["weibo:tr0"]["collected_ts"]
    assert "time-too-early" in rows["weibo:tr0"]["flags"] and "time-future" in rows["weibo:tr1"]["flags"]
    assert rows["weibo:tr2"]["published_ts"] != rows["weibo:tr2"]["collected_ts"]     # a good one untouched
    from yuqing.alerts.users import hash_password

    store.add_user("a", "admin", hash_password("password-1"), None, by="test")
    client = TestClient(create_app(settings, store))
    page = client.get("/login")
    csrf = page.text.split('name="csrf" value="', 1)[1].split('"', 1)[0]
    client.post("/login", data={"name": "a", "password": "password-1", "csrf": csrf})
    for url in ("/", "/search?q=广阳区", "/items/weibo:tr0", "/items/weibo:tr1", "/events", "/api/items?q=广阳区"):
        assert client.get(url).status_code == 200, url


def test_a_corrupt_stored_row_costs_that_item_only(tmp_path, settings, store):
    """A row the analysis cannot read (its metrics are not JSON: a hand edit, another tool) is
    stored as failed with the reason; the items around it are analysed and form events."""
    from yuqing.pipeline import analyze_pending, make_analyzer

    store.upsert_items([try_normalize(hostile.good("t", i), now=NOW, origin=f"x:{i}") for i in range(5)])
    db = settings.database_url.split("///", 1)[1]
    with sqlite3.connect(db) as c:
        c.execute("UPDATE items SET metrics = '{not json' WHERE id = 'weibo:tr2'")
    assert analyze_pending(store, make_analyzer(settings, configured=False), settings=settings) == 5
    rows = {r["id"]: r for r in store.get_items([f"weibo:tr{i}" for i in range(5)])}
    assert all(r["analyzed_ts"] for r in rows.values())
    bad = json.loads(rows["weibo:tr2"]["analysis"])
    assert "JSONDecodeError" in bad["error"] and bad["event"] is None
    assert all(json.loads(r["analysis"]).get("error") is None for k, r in rows.items() if k != "weibo:tr2")
    assert store.count_pending(1) == 0                                  # never tried forever


def _rss_run(cmd: list[str], env: dict, cwd: Path, timeout: float) -> tuple[subprocess.CompletedProcess, float]:
    """Run a command; return it and the peak RSS (MB) of its process tree's largest process."""
    runner = ("import resource, subprocess, sys; r = subprocess.run(sys.argv[1:], capture_output=True, text=True); "
              "sys.stdout.write(r.stdout); sys.stderr.write(r.stderr); "
              "sys.stderr.write('\\nRSS_KB=%d\\n' % resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss); "
              "sys.exit(r.returncode)")
    run = subprocess.run([sys.executable, "-c", runner, *cmd], env=env, cwd=cwd, capture_output=True, text=True,
                         timeout=timeout)
    rss = int(run.stderr.rsplit("RSS_KB=", 1)[1].split()[0]) / 1024
    return run, rss


@pytest.mark.slow
def test_every_format_with_hostile_records_imports_with_nothing_lost(tmp_path):
    """2,900 records in every format the importer reads (one in five hostile), hostile pages and
    whole hostile files (bombs, truncation, garbage, no sheet, a sheet cut short): no traceback,
    no hang, every record stored or quarantined with its reason, memory bounded."""
    specs = hostile.write_all(tmp_path / "in", 2500, bomb_mb=64, strings_mb=40)
    env = _env(tmp_path, YUQING_IMPORT_MAX_UNPACKED_BYTES="30000000")
    run, rss = _rss_run(YQ + ["import", str(tmp_path / "in"), "--json"], env, tmp_path, timeout=600)
    assert run.returncode == 0, run.stderr[-3000:]
    assert "Traceback" not in run.stderr and " ERROR " not in run.stderr, run.stderr[-5000:]
    counts = hostile.account(tmp_path / "h.db", specs)
    assert counts["lost"] == 0, counts
    assert counts["stored"] > 0.75 * counts["records"] and counts["quarantined"] > 200, counts
    assert rss < 500, f"peak RSS {rss:.0f} MB"
    report = json.loads(run.stdout)
    assert report["analysed"] == report["added"]
    with sqlite3.connect(tmp_path / "h.db") as c:
        reasons = dict(c.execute("SELECT reason, count(*) FROM quarantine GROUP BY reason").fetchall())
        flags = [r[0] for r in c.execute("SELECT flags FROM items WHERE flags IS NOT NULL")]
    for reason in ("bad-json", "too-large", "too-deep", "bad-cell", "uncached-formula", "bad-xlsx", "truncated-file",
                   "empty-text", "bad-field", "not-an-object", "bad-encoding"):
        assert reason in reasons, (reason, reasons)
    assert any("time-future" in f for f in flags) and any("url-invalid" in f for f in flags)
    for args in (["stats", "--json"], ["search", "广阳区", "--json"], ["events", "--since", "3650d", "--json"],
                 ["reanalyze", "--since", "3650d"]):
        done = subprocess.run(YQ + args, env=env, cwd=tmp_path, capture_output=True, text=True, timeout=300)
        assert done.returncode == 0 and "Traceback" not in done.stderr, (args, done.stderr[-2000:])


def test_a_hostile_line_in_the_middle_of_a_large_file_costs_that_line(tmp_path):
    """The issue's case: 10,000 lines, one hostile value at line 5,000 — all the others stored."""
    path = tmp_path / "big.jsonl"
    with open(path, "w", encoding="utf-8") as f:
        for i in range(10_000):
            rec = hostile.good("m", i)
            if i == 4_999:
                rec = hostile.RECORD_TRIGGERS["days-ago"](hostile.RECORD_TRIGGERS["count-400-nines"](rec))
                rec["published_at"] = "0001-01-01T00:00:00+14:00"
            f.write(json.dumps(rec, ensure_ascii=False) + "\n")
    env = _env(tmp_path)
    run = subprocess.run(YQ + ["import", str(path), "--json"], env=env, cwd=tmp_path, capture_output=True, text=True,
                         timeout=300)
    assert run.returncode == 0 and "Traceback" not in run.stderr, run.stderr[-3000:]
    assert json.loads(run.stdout)["added"] == 10_000


def test_yuqing_collect_once_takes_a_drop_folder_of_hostile_files(tmp_path):
    import random

    inbox = tmp_path / "inbox"
    specs = hostile.write_file_level(inbox, "f80", random.Random(5), bomb_mb=8, strings_mb=4)
    specs.append(hostile.write_csv(inbox / "mixed.csv", "f81", 200, random.Random(6)))
    specs.append(hostile.write_xlsx(inbox / "mixed.xlsx", "f82", 100, random.Random(7)))
    (tmp_path / "yuqing.toml").write_text(
        f'import_max_unpacked_bytes = 5000000\n\n[[sources]]\nname = "drop"\nkind = "files"\npath = "{inbox}"\n',
        encoding="utf-8")
    env = _env(tmp_path, YUQING_DATABASE_URL="sqlite:///h.db")
    run = subprocess.run(YQ + ["collect", "--once", "--json"], cwd=tmp_path, env=env, capture_output=True, text=True,
                         timeout=300)
    assert run.returncode == 0 and "Traceback" not in run.stderr, run.stderr[-3000:]
    [result] = json.loads(run.stdout)
    assert result["error"] is None and result["added"] > 250
    assert hostile.account(tmp_path / "h.db", specs)["lost"] == 0


def test_fetches_end_at_their_deadline_however_slowly_a_server_sends(settings):
    with hostile.FeedServer() as srv:
        s = settings.with_values(fetch_timeout=1.0, fetch_deadline=2.0, fetch_respect_robots=False)
        with Fetcher(s) as f:
            for route in ("trickle-body", "trickle-headers", "silent"):
                started = time.monotonic()
                with pytest.raises(FetchError) as exc:
                    f.get(f"{srv.base}/bad/{route}/1")
                took = time.monotonic() - started
                assert exc.value.reason == "timeout" and took < 3.5, (route, took, exc.value)


def test_a_fetch_in_flight_is_cut_at_once_when_the_collector_stops(settings):
    import threading

    with hostile.FeedServer() as srv:
        s = settings.with_values(fetch_timeout=30.0, fetch_deadline=60.0, fetch_respect_robots=False)
        with Fetcher(s) as f:
            got: list = []

            def fetch():
                try:
                    f.get(f"{srv.base}/bad/trickle-body/1")
                except FetchError as exc:
                    got.append(exc)

            t = threading.Thread(target=fetch)
            t.start()
            wait_for(lambda: any(p.startswith("/bad/") for _, p in srv.hits), timeout=10)
            time.sleep(0.3)
            started = time.monotonic()
            f.abort_all()
            t.join(5)
            assert not t.is_alive() and time.monotonic() - started < 1.0
            assert got and got[0].reason == "stopped"


def test_a_feed_built_for_the_attribute_lookup_is_refused_in_a_moment():
    from yuqing.sources.feeds import parse_feed

    many = " ".join(f'a{i}="v"' for i in range(200_000))
    feed = hostile.feed_xml([f"<item {many}><title>x</title></item>"])         # 2.3 MB, under the cap
    started = time.monotonic()
    out = parse_feed(feed, "http://127.0.0.1/x")
    assert time.monotonic() - started < 2.0
    assert [q.reason for q in out] == ["malformed-feed"] and "attributes" in out[0].detail


def test_a_saved_page_of_any_size_or_shape_is_read_in_seconds(tmp_path):
    from yuqing.sources.files import read_file

    specs = hostile.write_pages(tmp_path / "pages", "f99", 0)
    for spec in specs:
        started = time.monotonic()
        entries = list(read_file(spec.path, max_bytes=2_000_000))
        assert time.monotonic() - started < 5.0, spec.path.name
        assert len(entries) == 1


@pytest.mark.slow
def test_yuqing_run_keeps_polling_good_feeds_among_hostile_ones_and_stops_on_sigterm(tmp_path):
    """Every hostile route of bench/hostile.py as a feed (22 of them), a drop folder of hostile
    files, and one good feed polled every 2 s: `yuqing run` polls the good one on time, stores
    what can be stored, prints no traceback, and stops within seconds of SIGTERM — while slow
    servers are still trickling."""
    inbox = tmp_path / "inbox"
    specs = hostile.write_file_level(inbox, "f90", __import__("random").Random(3), bomb_mb=8, strings_mb=4)
    specs.append(hostile.write_jsonl(inbox / "mixed.jsonl", "f91", 100, __import__("random").Random(4)))
    with hostile.FeedServer() as srv:
        n = len(hostile.hostile_routes(lambda: srv.base))
        (tmp_path / "yuqing.toml").write_text(
            'database_url = "sqlite:///h.db"\nfetch_allow_hosts = ["127.0.0.1:*"]\nfetch_host_delay = 0\n'
            'fetch_timeout = 1\nfetch_deadline = 3\nimport_max_unpacked_bytes = 5000000\n\n'
            + hostile.feed_sources(srv.base, n, "2s")
            + f'\n[[sources]]\nname = "drop"\nkind = "files"\npath = "{inbox}"\ninterval = "2s"\n', encoding="utf-8")
        proc = subprocess.Popen(YQ + ["run"], cwd=tmp_path, env=_env(tmp_path, YUQING_DATABASE_URL="sqlite:///h.db"),
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        try:
            started = time.time()
            wait_for(lambda: len([t for t in srv.good_polls() if t > started]) >= 6, timeout=40)
            assert proc.poll() is None
            term = time.monotonic()
            proc.send_signal(signal.SIGTERM)
            _, err = proc.communicate(timeout=15)
            stop_s = time.monotonic() - term
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.communicate()
        polls = [t for t in srv.good_polls() if t > started]
    assert proc.returncode == 0 and stop_s < 5.0, (proc.returncode, stop_s, err[-3000:])
    assert "Traceback" not in err and " ERROR " not in err, err[-5000:]      # no safety net was needed
    gaps = [b - a for a, b in zip(polls, polls[1:])]
    # every 2 s, give or take a tick — but for the first gap, which holds the drop folder's import:
    # it runs in the loop's thread (one writer, streamed), 3.2–4.2 s alone and past 5 s at times
    # under a parallel test run; it is bounded here and reported (bench/RESULTS.md, issue 16)
    assert gaps[0] < 10.0 and max(gaps[1:]) < 5.0, gaps
    with sqlite3.connect(tmp_path / "h.db") as c:
        good = c.execute("SELECT count(*) FROM items WHERE text LIKE '%〔goodr%'").fetchone()[0]
        hv = c.execute("SELECT published_ts, collected_ts, flags FROM items WHERE text LIKE '%〔hvr%'").fetchall()
        failing = dict(c.execute("SELECT name, last_error FROM sources WHERE last_error IS NOT NULL").fetchall())
    assert good >= 5
    assert hv and all(p <= c_ + 86400 for p, c_, _ in hv)          # the 9999 and year-1 dates not believed
    for route in ("trickle-body", "trickle-headers", "silent", "metadata", "loop", "garbage"):
        assert any(route in name for name in failing), (route, failing)
    assert any("timeout" in e or "deadline" in e for e in failing.values())
    counts = hostile.account(tmp_path / "h.db", specs)
    assert counts["lost"] == 0, counts
