"""Server mode's bus (issue 18): collectors publish onto a real NATS JetStream server, `yuqing
worker analyse` processes (real subprocesses) store and analyse, `yuqing worker events` links, on
a real PostgreSQL server — and the faults: a worker killed with -9 mid-batch, a poisoned message,
NATS restarting mid-stream, PostgreSQL restarting, the events worker's standby taking over."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from sqlalchemy import text

from conftest import SPAWNED, wait_for
from yuqing.bus import BusClient
from yuqing.settings import load_settings
from yuqing.sources.files import read_file
from yuqing.store import open_store
from yuqing.workers import publish_stream

ROOT = Path(__file__).resolve().parents[1]
DEMO_STREAM = ROOT / "src/yuqing/data/demo/stream.jsonl"
SCHEME = 'name: 广阳区\nregion: "131003"\nalert:\n  min_risk: high\n'


def install(tmp_path: Path, pg_url: str, nats_url: str, **extra) -> Path:
    """A folder with yuqing.toml and its scheme, as an operator writes for server mode."""
    (tmp_path / "scheme.yaml").write_text(SCHEME, encoding="utf-8")
    values = {"database_url": pg_url, "bus_url": nats_url, "alert_max_age_hours": 1e9, "bus_ack_wait": 3} | extra
    lines = [f"{k} = {json.dumps(v)}" for k, v in values.items()]
    (tmp_path / "yuqing.toml").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return tmp_path / "yuqing.toml"


def settings_of(config: Path):
    return load_settings(config)


def worker(config: Path, stage: str, idle_exit: float | None = None, env: dict | None = None) -> subprocess.Popen:
    args = [sys.executable, "-m", "yuqing.cli", "-c", str(config), "worker", stage]
    if idle_exit is not None:
        args += ["--idle-exit", str(idle_exit)]
    log = open(config.parent / f"{stage}-{time.monotonic_ns()}.log", "wb")
    p = subprocess.Popen(args, stdout=log, stderr=subprocess.STDOUT, env={**os.environ, **(env or {})})
    SPAWNED.append(p)
    return p


def demo_records(n_copies: int = 1):
    """The demo stream's 302 records (with new ids for each further copy: more batches in flight)."""
    for k in range(n_copies):
        for entry in read_file(str(DEMO_STREAM), None, {}, 2_000_000):
            if k:
                entry.record = {**entry.record, "id": f"{entry.record['id']}-{k}"}
            yield entry


def publish(config: Path, records) -> int:
    s = settings_of(config)
    store = open_store(s.database_url)
    bus = BusClient(s.bus_url, s.bus_key, s.bus_ack_wait)
    try:
        return publish_stream(records, store, bus, collector="test").published
    finally:
        bus.close()
        store.close()


def counts(pg_url: str) -> dict:
    store = open_store(pg_url, migrate=False)
    with store.engine.connect() as conn:
        row = conn.execute(text("SELECT count(*), count(DISTINCT id), count(analyzed_ts), "
                                "count(*) FILTER (WHERE analysis LIKE '%\"error\"%') FROM items")).one()
    store.close()
    return {"items": row[0], "distinct": row[1], "analysed": row[2], "failed": row[3]}


def stop(*procs) -> None:
    for p in procs:
        if p.poll() is None:
            p.send_signal(signal.SIGTERM)
    for p in procs:
        try:
            p.wait(30)
        except subprocess.TimeoutExpired:
            p.kill()


def test_workers_over_the_bus_give_what_one_process_gives(pg_url, nats, tmp_path):
    """Two analyse workers and an events worker: every item stored once and analysed, judged as
    `yuqing import` judges it in one process on SQLite; events and alerts formed."""
    from yuqing.pipeline import analyze_pending, ingest_stream, make_analyzer

    config = install(tmp_path, pg_url, nats.url)
    open_store(pg_url).close()                     # migrated once, before the workers race to it
    assert publish(config, demo_records()) == 302
    procs = [worker(config, "analyse", 4), worker(config, "analyse", 4), worker(config, "events", 6)]
    for p in procs:
        assert p.wait(180) == 0
    assert counts(pg_url) == {"items": 302, "distinct": 302, "analysed": 302, "failed": 0}
    # the same records in one process on SQLite
    s = load_settings(env={}, database_url=f"sqlite:///{tmp_path}/one.db", scheme=str(tmp_path / "scheme.yaml"),
                      ingest_workers=0, alert_max_age_hours=1e9)
    s = s.__class__(s.values, (), None, tmp_path)
    one = open_store(s.database_url)
    ingest_stream(demo_records(), one, s)
    analyze_pending(one, make_analyzer(s), settings=s)
    pg = open_store(pg_url, migrate=False)
    judged = {}
    for store in (one, pg):
        with store.engine.connect() as conn:
            judged[store] = {r.id: (r.relevance, r.risk, r.category) for r in conn.execute(
                text("SELECT id, relevance, risk, category FROM items"))}
    assert judged[pg] == judged[one]
    assert pg.event_counts()["events"] > 50 and pg.alert_counts()["alerts"] >= 1
    # the events' changes were announced on the bus
    bus = BusClient(nats.url)
    assert bus.stream_info()["changes"]["messages"] >= 1
    assert bus.stream_info()["raw"]["messages"] == bus.stream_info()["analysed"]["messages"] == 0
    bus.close()
    pg.close()
    one.close()


def test_kill_9_of_an_analyse_worker_mid_batch_loses_and_duplicates_nothing(pg_url, nats, tmp_path):
    config = install(tmp_path, pg_url, nats.url, bus_fetch=1)
    open_store(pg_url).close()
    total = publish(config, demo_records(6))
    assert total == 6 * 302
    victim = worker(config, "analyse")
    # mid-batch: it has stored some of what it holds, not all
    wait_for(lambda: counts(pg_url)["items"] > 0, timeout=90, interval=0.05)
    victim.send_signal(signal.SIGKILL)
    victim.wait(10)
    partial = counts(pg_url)["items"]
    assert 0 < partial < total
    procs = [worker(config, "analyse", 6), worker(config, "events", 10)]
    for p in procs:
        assert p.wait(240) == 0
    assert counts(pg_url) == {"items": total, "distinct": total, "analysed": total, "failed": 0}
    bus = BusClient(nats.url)
    consumers = bus.consumers()
    assert consumers["raw"]["redelivered"] == 0 and consumers["raw"]["pending"] == 0   # all acked in the end
    assert bus.stream_info()["raw"]["messages"] == 0
    bus.close()
    # each item in at most one event, and each event's size is its items
    store = open_store(pg_url, migrate=False)
    with store.engine.connect() as conn:
        bad = conn.execute(text("SELECT count(*) FROM events e WHERE e.size <> "
                                "(SELECT count(*) FROM items i WHERE i.event = e.id)")).scalar()
    assert bad == 0
    store.close()


def test_a_poisoned_message_is_quarantined_with_its_reason_and_the_stream_goes_on(pg_url, nats, tmp_path):
    """A message a worker dies on each time (here: YUQING_FAULT_EXIT_ON) is quarantined after
    POISON_AFTER deliveries; an unreadable one at once; the good ones are stored."""
    from yuqing.bus import POISON_AFTER
    from yuqing.models import Raw

    config = install(tmp_path, pg_url, nats.url, bus_fetch=1, bus_ack_wait=1)
    open_store(pg_url).close()
    publish(config, [Raw("poison:1", {"id": "p:1", "text": "这一条让处理它的进程中止 XYZZY-POISON", "published_at": "2026-11-20T10:00:00+08:00"})])
    publish(config, demo_records())
    bus = BusClient(nats.url)
    bus._run(bus.js.publish("yuqing.main.raw", b"\xff\xfe not json"))
    bus.close()
    env = {"YUQING_FAULT_EXIT_ON": "XYZZY-POISON"}
    deaths = 0
    while True:
        p = worker(config, "analyse", 4, env)
        rc = p.wait(120)
        if rc == 0:
            break
        assert rc == 70
        deaths += 1
        assert deaths <= POISON_AFTER
    assert deaths == POISON_AFTER
    store = open_store(pg_url, migrate=False)
    reasons = {q["reason"]: q for q in store.quarantined()}
    assert set(reasons) == {"bus-poison", "bus-undecodable"}
    assert reasons["bus-poison"]["origin"] == "poison:1" and "投递 5 次" in reasons["bus-poison"]["detail"]
    assert "XYZZY-POISON" in reasons["bus-poison"]["raw"]
    assert store.count_items() == 302
    store.close()


def test_nats_restarting_mid_stream_loses_nothing(pg_url, nats, tmp_path):
    config = install(tmp_path, pg_url, nats.url, bus_fetch=1)
    open_store(pg_url).close()
    first = publish(config, demo_records(3))
    procs = [worker(config, "analyse"), worker(config, "events")]
    wait_for(lambda: counts(pg_url)["items"] > 0, timeout=90, interval=0.05)
    nats.restart()                                      # kill -9 and start again, same store dir
    later = [e for e in demo_records(5) if e.record["id"].endswith(("-3", "-4"))]
    second = publish(config, later)
    total = first + second
    wait_for(lambda: counts(pg_url)["analysed"] == total, timeout=240, interval=0.5)
    stop(*procs)
    assert counts(pg_url) == {"items": total, "distinct": total, "analysed": total, "failed": 0}


def test_postgresql_restarting_mid_stream_loses_nothing(nats, tmp_path):
    """The database goes away under the workers and comes back: messages wait (not acked), the
    events worker takes its lock again, everything is stored and analysed once."""
    import pgserver

    with pgserver.postgres() as url:
        config = install(tmp_path, url, nats.url, bus_fetch=1)
        open_store(url).close()
        total = publish(config, demo_records(4))
        procs = [worker(config, "analyse"), worker(config, "events")]
        wait_for(lambda: counts(url)["items"] > 0, timeout=90, interval=0.05)
        pgserver.restart(url)
        wait_for(lambda: counts(url)["analysed"] == total, timeout=240, interval=0.5)
        stop(*procs)
        assert counts(url) == {"items": total, "distinct": total, "analysed": total, "failed": 0}


def test_a_standby_events_worker_takes_over_from_a_killed_one(pg_url, nats, tmp_path):
    config = install(tmp_path, pg_url, nats.url)
    open_store(pg_url).close()
    owner = worker(config, "events")
    store = open_store(pg_url, migrate=False)

    def held() -> bool:
        with store.exclusive("analysis") as free:
            return not free

    wait_for(held, timeout=60, interval=0.2)
    standby = worker(config, "events")
    time.sleep(3)                          # it started and waits on the lock
    owner.send_signal(signal.SIGKILL)
    owner.wait(10)
    total = publish(config, demo_records())
    analyse = worker(config, "analyse", 4)
    assert analyse.wait(180) == 0
    wait_for(lambda: counts(pg_url)["analysed"] == total, timeout=120, interval=0.5)
    assert store.event_counts()["events"] > 50
    stop(standby)
    store.close()


def test_doctor_says_what_is_wrong_in_words(pg_url, nats, tmp_path):
    from yuqing.doctor import checks

    config = install(tmp_path, pg_url, nats.url)
    open_store(pg_url).close()
    publish(config, demo_records())
    said = {c["what"]: c for c in checks(settings_of(config))}
    assert said["数据库"]["ok"] and said["消息总线"]["ok"]
    assert not said["事件进程"]["ok"] and "yuqing worker events" in said["事件进程"]["said"]
    assert not said["分析进程"]["ok"] and "yuqing worker analyse" in said["分析进程"]["said"]   # none ever pulled
    # the bus and the database away: each said, no traceback
    cli = [sys.executable, "-m", "yuqing.cli", "-c", str(config), "doctor"]
    nats.stop()
    out = subprocess.run(cli, capture_output=True, text=True, timeout=60,
                         env={**os.environ, "YUQING_DATABASE_URL": "postgresql://nobody@127.0.0.1:1/none"})
    assert out.returncode == 1 and "Traceback" not in out.stdout + out.stderr
    assert "✗ 数据库" in out.stdout and "✗ 消息总线" in out.stdout and "nats-server" in out.stdout
    nats.start()


def test_without_a_bus_the_worker_command_says_how_to_set_one(tmp_path):
    (tmp_path / "yuqing.toml").write_text(f'database_url = "sqlite:///{tmp_path}/s.db"\n', encoding="utf-8")
    out = subprocess.run([sys.executable, "-m", "yuqing.cli", "-c", str(tmp_path / "yuqing.toml"), "worker", "analyse"],
                         capture_output=True, text=True, timeout=60)
    assert out.returncode == 2 and "YUQING_BUS_URL" in out.stderr and "Traceback" not in out.stderr


def test_an_import_in_server_mode_goes_through_the_bus(pg_url, nats, tmp_path):
    config = install(tmp_path, pg_url, nats.url)
    out = subprocess.run([sys.executable, "-m", "yuqing.cli", "-c", str(config), "import", str(DEMO_STREAM)],
                         capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert "302 published to the bus" in out.stderr
    assert counts(pg_url)["items"] == 0                  # the workers store them
    procs = [worker(config, "analyse", 4), worker(config, "events", 6)]
    for p in procs:
        assert p.wait(180) == 0
    assert counts(pg_url)["analysed"] == 302


def test_two_workers_storing_the_same_items_at_once_store_each_once(pg_url, nats, tmp_path):
    """Several writers: the same records published by two collectors (two messages each, other
    message ids) reach two analyse workers at the same time; the database's unique key and the
    "still waiting" check leave each item stored, analysed and linked once, nothing refused."""
    config = install(tmp_path, pg_url, nats.url, bus_fetch=1)
    open_store(pg_url).close()
    s = settings_of(config)
    store = open_store(s.database_url)
    bus = BusClient(s.bus_url, s.bus_key, s.bus_ack_wait)
    for collector in ("feed-a", "feed-b", "feed-c"):
        publish_stream(demo_records(), store, bus, collector=collector)
    bus.close()
    procs = [worker(config, "analyse", 4), worker(config, "analyse", 4), worker(config, "events", 6)]
    for p in procs:
        assert p.wait(180) == 0
    assert counts(pg_url) == {"items": 302, "distinct": 302, "analysed": 302, "failed": 0}
    assert store.quarantine_counts() == {}
    with store.engine.connect() as conn:
        bad = conn.execute(text("SELECT count(*) FROM events e WHERE e.size <> "
                                "(SELECT count(*) FROM items i WHERE i.event = e.id)")).scalar()
    assert bad == 0 and store.event_counts()["events"] > 50
    store.close()


def test_alerts_raised_by_the_events_worker_are_delivered_by_yuqing_run(pg_url, nats, tmp_path):
    """Server mode end to end: `yuqing run` (collection and delivery) with a robot channel, the
    records published, the workers analyse and link; the alerts the events worker raises reach the
    robot (yuqing run wakes on the events' change notice)."""
    import threading
    from http.server import ThreadingHTTPServer

    from test_alerts import Robot

    handler = type("H", (Robot,), {"received": [], "down": False})
    robot = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=robot.serve_forever, daemon=True).start()
    config = install(tmp_path, pg_url, nats.url)
    (tmp_path / "scheme.yaml").write_text(SCHEME.replace("min_risk: high\n", "min_risk: high\n  channels: [inbox, wecom]\n"),
                                          encoding="utf-8")
    with open(config, "a", encoding="utf-8") as f:
        f.write(f'\n[[channels]]\nname = "wecom"\nkind = "wecom"\nurl = "http://127.0.0.1:{robot.server_address[1]}/wecom"\n')
    open_store(pg_url).close()
    run = subprocess.Popen([sys.executable, "-m", "yuqing.cli", "-c", str(config), "run"],
                           stdout=subprocess.DEVNULL, stderr=open(tmp_path / "run.log", "wb"))
    SPAWNED.append(run)
    procs = [worker(config, "analyse"), worker(config, "events")]
    publish(config, demo_records())
    try:
        wait_for(lambda: counts(pg_url)["analysed"] == 302, timeout=120, interval=0.5)
        store = open_store(pg_url, migrate=False)
        assert store.alert_counts()["alerts"] >= 1
        wait_for(lambda: any(path == "/wecom" for path, _data, _ok in handler.received), timeout=30, interval=0.2)
        store.close()
    finally:
        stop(run, *procs)
        robot.shutdown()
    assert "Traceback" not in (tmp_path / "run.log").read_text()
