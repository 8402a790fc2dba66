"""`yuqing run` follows what is edited while it runs: the scheme (the web's 方案 page)."""

from __future__ import annotations

from yuqing.models import Raw
from yuqing.pipeline import ingest_stream, make_analyzer
from conftest import database_url
from yuqing.settings import load_settings
from yuqing.store import open_store


def test_yuqing_run_uses_a_scheme_saved_while_it_runs(tmp_path):
    """The web's 方案 page saves the scheme file; the running loop analyses new items with it."""
    import os
    import threading
    import time

    from yuqing.pipeline import run_forever

    scheme = tmp_path / "scheme.yaml"
    scheme.write_text('name: 只看火灾\nregion: "131003"\nrule: 火灾\n', encoding="utf-8")
    s = load_settings(env={}, database_url=database_url(tmp_path, "run.db"), scheme=str(scheme), ingest_workers=0,
                      report_daily_at="", report_weekly_at="", report_monthly_at="")
    s = s.__class__(s.values, (), None, tmp_path)
    store = open_store(s.database_url)
    steps, stop = [], []
    thread = threading.Thread(target=run_forever, args=(s, store, make_analyzer(s), None),
                              kwargs={"stop": lambda: bool(stop), "on_step": lambda k, v: steps.append((k, v)), "tick": 0.05})
    thread.start()

    def analysed(item_id):
        for _ in range(200):
            row = store.get_items([item_id])
            if row and row[0]["analyzed_ts"]:
                return row[0]
            time.sleep(0.05)
        raise AssertionError(f"{item_id} was not analysed; steps {steps}")

    try:
        ingest_stream([Raw("t", {"id": "t:1", "text": "广阳区万庄镇积水严重，车辆无法通行", "published_at": "2026-11-28T10:00:00+08:00"})],
                      store, s)
        assert analysed("t:1")["relevant"] == 0
        scheme.write_text('name: 积水也看\nregion: "131003"\nrule: 火灾 | 积水\n', encoding="utf-8")
        os.utime(scheme, ns=(time.time_ns(), time.time_ns() + 10**9))      # a different mtime, however coarse
        for _ in range(100):
            if ("scheme", "积水也看") in steps:
                break
            time.sleep(0.05)
        ingest_stream([Raw("t", {"id": "t:2", "text": "广阳区新开路街道积水又来了，小区门口车辆被淹", "published_at": "2026-11-28T11:00:00+08:00"})],
                      store, s)
        assert analysed("t:2")["relevant"] == 1
        scheme.write_text("name: [broken", encoding="utf-8")
        os.utime(scheme, ns=(time.time_ns(), time.time_ns() + 2 * 10**9))
        for _ in range(100):
            if any(k == "scheme-error" for k, _ in steps):
                break
            time.sleep(0.05)
        assert any(k == "scheme-error" for k, _ in steps)        # kept the previous one, said why
        assert thread.is_alive()
    finally:
        stop.append(1)
        thread.join(20)
