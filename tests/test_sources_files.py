"""File import: real datasets, MediaCrawler exports, and every kind of bad input."""

from __future__ import annotations

import csv
import gzip
import json
import os
import signal
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import TESTDATA, wait_for
from yuqing.models import metrics_of
from yuqing.pipeline import ingest_stream
from yuqing.sources.files import parse_mapping, read_file

FJ3_MAP = ["id=留言编号", "title=留言主题", "text=留言详情_clean", "published_at=留言时间_iso",
           "author=留言用户", "metrics.likes=点赞数", "metrics.against=反对数"]


def run_import(path, store, settings, fmt=None, mapping=(), **defaults):
    stream = read_file(path, fmt, parse_mapping(list(mapping)), settings.item_max_bytes)
    return ingest_stream(stream, store, settings, collector="test", defaults=defaults or None)


def test_fj3_all_4326_messages_with_column_mapping(data, store, settings):
    path = data / "zhihui_zhengwu/fj3_messages_with_votes.csv"
    report = run_import(path, store, settings, mapping=FJ3_MAP, platform="complaint")
    assert report.read == 4326 and report.added == 4326 and not report.quarantined
    assert store.count_items() == 4326
    row = store.get_items(["complaint:188006"])[0]
    assert row["title"] == "A3区一米阳光婚纱艺术摄影是否合法纳税了？"
    assert "\t" not in row["text"] and row["text"].startswith("座落在A市A3区")
    assert row["published_ts"] == 1551324305          # 2019-02-28 11:25:05 Beijing time
    assert json.loads(row["metrics"])["likes"] == 0
    again = run_import(path, store, settings, mapping=FJ3_MAP, platform="complaint")
    assert again.added == 0 and again.duplicates == 4326 and store.count_items() == 4326


def test_ced_original_posts_json_folder(data, store, settings):
    folder = data / "ced_weibo_rumor/original-microblog"
    expected = len(list(folder.glob("*.json")))
    assert expected == 3387
    report = run_import(folder, store, settings, platform="weibo")
    assert report.added == expected and not report.quarantined
    row = store.get_items(["weibo:0_yBmepBtUB_2279086572"])[0]
    assert row["text"].startswith("人间惨剧") and row["published_ts"] == 1347334462
    assert metrics_of(row["metrics"]) == {"comments": 55, "likes": 0, "reposts": 225, "views": None}
    assert row["author"] is None                      # a user profile object is not an author name


def test_worker_processes_store_exactly_what_one_process_stores(data, tmp_path, settings):
    from yuqing.store import open_store

    path = data / "zhihui_zhengwu/fj3_messages_with_votes.csv"
    dumps = []
    for workers in (0, 2):
        s = settings.with_values(ingest_workers=workers, database_url=f"sqlite:///{tmp_path}/w{workers}.db",
                                 import_batch_size=300)
        store = open_store(s.database_url)
        report = run_import(path, store, s, mapping=FJ3_MAP, platform="complaint")
        assert report.added == 4326
        assert len(store.search("小区 噪音", limit=1000)) == 201
        store.close()
        with sqlite3.connect(tmp_path / f"w{workers}.db") as c:
            dumps.append(c.execute("SELECT id, text, seg, published_ts, metrics FROM items ORDER BY id").fetchall())
    assert dumps[0] == dumps[1] and len(dumps[0]) == 4326


def test_weibo_hot_search_json_sample(data, store, settings):
    path = data / "weibo_hot_search_hourly/raw_samples/api_2025-06-15_10.json"
    entries = json.loads(path.read_text(encoding="utf-8"))
    report = run_import(path, store, settings, platform="weibo")
    assert report.added == len(entries) == store.count_items()
    hit = store.search("故宫 漏雨")[0]
    assert hit.text == "故宫漏雨"
    assert json.loads(store.get_items([hit.id])[0]["metrics"])["heat"] == 1170005


def test_mediacrawler_exports_all_platforms(store, settings):
    report = run_import(TESTDATA / "mediacrawler", store, settings)
    assert not report.quarantined and report.added == 10
    rows = {r["id"]: r for r in store.get_items([
        "weibo:5012345678901234", "douyin:7300000000000000001", "xhs:65a1b2c3d4e5f6a7b8c9d0e1",
        "bilibili:1100000001", "kuaishou:3xabcdefg", "tieba:9000000001", "zhihu:660000001",
        "douyin:c7300000000000000099", "weibo:c5012345678909999", "xhs:65a1b2c3d4e5f6a7b8c9d0e2"])}
    assert len(rows) == 10
    assert rows["douyin:7300000000000000001"]["platform"] == "video"
    assert rows["tieba:9000000001"]["platform"] == "forum" and rows["tieba:9000000001"]["source"] == "廊坊吧"
    assert rows["xhs:65a1b2c3d4e5f6a7b8c9d0e1"]["platform"] == "blog"
    assert rows["douyin:c7300000000000000099"]["repost_of"] == "douyin:7300000000000000001"
    assert json.loads(rows["weibo:5012345678901234"]["metrics"])["likes"] == 12000   # "1.2万"
    assert rows["xhs:65a1b2c3d4e5f6a7b8c9d0e1"]["published_ts"] == 1764300000        # given in milliseconds
    for row in rows.values():                        # profile fields never stored
        assert "avatar" not in json.dumps(row, ensure_ascii=False)


def test_excel_import_with_mapping(tmp_path, store, settings):
    import openpyxl
    from datetime import datetime

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["编号", "标题", "内容", "发布时间", "点赞"])
    sheet.append([1, "广阳区积水", "新开路积水严重", datetime(2026, 11, 27, 8, 0), 3])
    sheet.append([2, None, None, None, None])          # an empty text: quarantined
    sheet.append([None, None, None, None, None])       # a blank row: skipped
    book.save(tmp_path / "x.xlsx")
    report = run_import(tmp_path / "x.xlsx", store, settings, mapping=["text=内容", "metrics.likes=点赞"],
                        platform="complaint")
    assert report.added == 1 and report.quarantined == {"empty-text": 1}
    row = store.get_items(["complaint:1"])[0]
    assert row["published_ts"] == 1795737600 and json.loads(row["metrics"])["likes"] == 3


# --- bad input: each case ends quarantined with its reason, and the run goes on --------------

def test_malformed_json_lines(tmp_path, store, settings):
    path = tmp_path / "bad.jsonl"
    path.write_text('{"id": "a", "text": "好的一条"}\n{"id": "b", "text": 没有引号}\n[1, 2]\n\n'
                    '{"id": "c", "text": "   "}\n{"id": "d", "text": "<p><script>x</script></p>"}\n'
                    '{"id": "e", "text": "最后一条"}\n', encoding="utf-8")
    report = run_import(path, store, settings)
    assert report.added == 2
    assert report.quarantined == {"bad-json": 1, "not-an-object": 1, "empty-text": 2}
    q = {r["origin"]: r for r in store.quarantined()}
    assert q[f"{path}:2"]["reason"] == "bad-json" and "没有引号" in q[f"{path}:2"]["raw"]
    again = run_import(path, store, settings)            # re-running records nothing twice
    assert again.added == 0 and sum(store.quarantine_counts().values()) == 4


def test_csv_with_bom_and_semicolons(tmp_path, store, settings):
    path = tmp_path / "bom.csv"
    path.write_bytes("\ufeff标题;内容;时间\n积水;广阳区新开路积水;2026-11-27 08:00\n".encode("utf-8"))
    report = run_import(path, store, settings, platform="forum")
    assert report.added == 1                          # BOM stripped from the header, delimiter detected
    assert store.search("新开路")[0].title == "积水"


def test_csv_wrong_delimiter_is_quarantined_with_the_header(tmp_path, store, settings):
    path = tmp_path / "wrong.csv"
    path.write_text("a|b|c\n1|2|3\n", encoding="utf-8")
    report = run_import(path, store, settings, mapping=["text=内容"])
    assert report.quarantined == {"missing-column": 1} and report.added == 0
    assert "内容" in store.quarantined()[0]["detail"] and "'|'" in store.quarantined()[0]["detail"]


def test_csv_row_with_extra_fields(tmp_path, store, settings):
    path = tmp_path / "rows.csv"
    path.write_text("text,author\n第一条内容,张\n第二条,李,多余,字段\n第三条内容,王\n", encoding="utf-8")
    report = run_import(path, store, settings)
    assert report.added == 2 and report.quarantined == {"bad-row": 1}


def test_truncated_gzip(tmp_path, store, settings):
    lines = "".join(json.dumps({"id": f"x{i}", "text": f"第{i}条 广阳区消息"}, ensure_ascii=False) + "\n"
                    for i in range(2000)).encode("utf-8")
    blob = gzip.compress(lines)
    path = tmp_path / "cut.jsonl.gz"
    path.write_bytes(blob[: len(blob) // 2])
    report = run_import(path, store, settings)
    assert report.quarantined == {"truncated-file": 1}
    assert 0 < report.added < 2000 and store.count_items() == report.added   # what was readable is kept


def test_encodings_gbk_file_and_a_bad_line(tmp_path, store, settings):
    gbk = tmp_path / "gbk.csv"
    gbk.write_bytes("标题,内容\n供暖,广阳区解放道街道暖气不热\n".encode("gbk"))
    assert run_import(gbk, store, settings).added == 1
    assert store.search("暖气")[0].text == "广阳区解放道街道暖气不热"
    mixed = tmp_path / "mixed.jsonl"
    mixed.write_bytes('{"text": "正常的一行"}\n'.encode("utf-8") + b'{"text": "\xff\xfe\xfa bad"}\n'
                      + '{"text": "又一行正常"}\n'.encode("utf-8"))
    report = run_import(mixed, store, settings)
    assert report.added == 2 and report.quarantined == {"bad-encoding": 1}


def test_ten_megabyte_single_line(tmp_path, store, settings):
    path = tmp_path / "huge.jsonl"
    with open(path, "w", encoding="utf-8") as f:
        f.write(json.dumps({"text": "前一条"}, ensure_ascii=False) + "\n")
        f.write(json.dumps({"text": "长" * (10 * 1024 * 1024 // 3)}, ensure_ascii=False) + "\n")
        f.write(json.dumps({"text": "后一条"}, ensure_ascii=False) + "\n")
    report = run_import(path, store, settings)
    assert report.added == 2 and report.quarantined == {"too-large": 1}
    q = store.quarantined()[0]
    assert q["raw_len"] > 10_000_000 and len(q["raw"]) <= 4096


def test_csv_with_a_huge_field_keeps_the_rows_around_it(tmp_path, store, settings):
    path = tmp_path / "huge.csv"
    with open(path, "w", encoding="utf-8") as f:
        f.write("text,author\n第一条,甲\n")
        f.write('"' + "长" * 2_100_000 + '",乙\n')          # 2.1 million characters in one field
        f.write("第三条,丙\n")
    report = run_import(path, store, settings)
    assert report.added == 2 and report.quarantined == {"too-large": 1}
    assert store.quarantined()[0]["origin"] == f"{path}:3"


def test_hostile_strings_are_reduced_to_text(tmp_path, store, settings):
    path = tmp_path / "hostile.jsonl"
    rows = [{"id": "h1", "text": '广阳区<img src=x onerror="alert(1)">通报<script>steal()</script>'},
            {"id": "h2", "text": "正文\x00\x1b[31m控制字符\u200b零宽"},
            {"id": "h3", "title": "<b>标题</b>", "text": "&lt;script&gt;转义的标签&lt;/script&gt; 与 &amp;"}]
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    assert run_import(path, store, settings).added == 3
    got = {r["id"]: r for r in store.get_items(["other:h1", "other:h2", "other:h3"])}
    assert got["other:h1"]["text"] == "广阳区通报"
    assert got["other:h2"]["text"] == "正文[31m控制字符零宽"
    assert got["other:h3"]["title"] == "标题" and "&amp;" not in got["other:h3"]["text"]


@pytest.mark.slow
def test_kill_9_mid_import_and_mid_analysis_loses_nothing(tmp_path, data):
    """An import killed with SIGKILL while its workers write keeps every committed batch; a re-run
    adds the rest; killed again while it analyses, the next re-run (which adds nothing) analyses
    what was left. 6,000 real messages in batches of 200: as many batch boundaries and worker
    processes in flight as 30,000 in batches of 500 had, at a fifth of the cost."""
    rows = list(csv.DictReader(open(data / "zhihui_zhengwu/fj3_messages_with_votes.csv", encoding="utf-8-sig")))
    big = tmp_path / "big.jsonl"
    n, batch = 6_000, 200
    with open(big, "w", encoding="utf-8") as f:
        for i in range(n):
            r = rows[i % len(rows)]
            f.write(json.dumps({"id": f"k{i}", "title": r["留言主题"], "text": r["留言详情_clean"],
                                "published_at": r["留言时间_iso"], "platform": "complaint"}, ensure_ascii=False) + "\n")
    db = tmp_path / "k.db"
    env = {**os.environ, "YUQING_DATABASE_URL": f"sqlite:///{db}", "YUQING_IMPORT_BATCH_SIZE": str(batch),
           "YUQING_INGEST_WORKERS": "2"}
    cmd = [sys.executable, "-m", "yuqing.cli", "import", str(big)]

    def count(sql: str) -> int:
        if not db.exists():
            return 0
        try:
            with sqlite3.connect(db, timeout=5) as c:
                return c.execute(sql).fetchone()[0]
        except sqlite3.OperationalError:
            return 0

    def importers() -> list[str]:
        found = []
        for cmdline in Path("/proc").glob("[0-9]*/cmdline"):
            try:
                if str(big).encode() in cmdline.read_bytes():
                    found.append(cmdline.parent.name)
            except OSError:
                continue
        return found

    def kill_when(condition) -> None:
        proc = subprocess.Popen(cmd, env=env, cwd=tmp_path, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        wait_for(condition, timeout=120, interval=0.005)
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        wait_for(lambda: not importers(), timeout=10)      # its worker processes do not outlive it
        with sqlite3.connect(db) as c:
            assert c.execute("PRAGMA integrity_check").fetchone()[0] == "ok"

    # 1. killed while the ingest workers write
    kill_when(lambda: count("SELECT count(*) FROM items") >= 5 * batch)
    kept = count("SELECT count(*) FROM items")
    assert 5 * batch <= kept < n and kept % batch == 0            # whole batches only, none lost
    assert count("SELECT count(*) FROM items_fts WHERE items_fts MATCH '\"小区\"'") > 0
    # 2. the re-run stores the rest; killed while it analyses
    kill_when(lambda: count("SELECT count(*) FROM items WHERE analyzed_ts IS NOT NULL") >= 512)
    assert count("SELECT count(*) FROM items") == n
    analysed = count("SELECT count(*) FROM items WHERE analyzed_ts IS NOT NULL")
    assert 512 <= analysed < n
    # 3. a re-run adds nothing, and analyses what was left waiting
    done = subprocess.run(cmd + ["--json"], env=env, cwd=tmp_path, capture_output=True, text=True, check=True)
    report = json.loads(done.stdout)
    assert report["added"] == 0 and report["duplicates"] == n and report["analysed"] == n - analysed
    assert count("SELECT count(*) FROM items WHERE analyzed_ts IS NULL") == 0
    assert count("SELECT count(*) FROM (SELECT event, count(*) FROM items WHERE event IS NOT NULL GROUP BY event)") > 0


def test_drop_folder_imports_new_and_changed_files_once(tmp_path, store, settings):
    from yuqing.collect import configured_sources, run_source
    from yuqing.settings import Settings
    from yuqing.sources.http import Fetcher

    inbox = tmp_path / "inbox"
    inbox.mkdir()
    cfg = Settings(settings.values, ({"name": "drop", "kind": "files", "path": str(inbox), "platform": "forum"},),
                   None, tmp_path)
    src = configured_sources(cfg)[0]
    (inbox / "a.jsonl").write_text('{"id": "1", "text": "第一条"}\n', encoding="utf-8")
    (inbox / "notes.doc").write_bytes(b"\xd0\xcf\x11\xe0")            # not importable: quarantined, not fatal
    with Fetcher(cfg) as f:
        first = run_source(src, store, f, cfg)
        assert first.report.added == 1 and first.report.quarantined == {"unknown-format": 1}
        assert run_source(src, store, f, cfg).report.read == 0        # nothing new
        with open(inbox / "a.jsonl", "a", encoding="utf-8") as fh:
            fh.write('{"id": "2", "text": "追加的一条"}\n')
        (inbox / "b.csv").write_text("text\n另一个文件\n", encoding="utf-8")
        third = run_source(src, store, f, cfg)
    assert (third.report.added, third.report.duplicates) == (2, 1)   # a.jsonl again (1 known) and b.csv
    assert {r["platform"] for r in store.get_items(["forum:1", "forum:2"])} == {"forum"}


def test_cli_imports_a_saved_page_by_relative_path_and_with_format_html(tmp_path):
    import shutil

    from conftest import SITE

    env = {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path)}
    run = lambda *a: subprocess.run([sys.executable, "-m", "yuqing.cli", *a], cwd=tmp_path, capture_output=True,
                                    text=True, env=env)
    assert run("init", "--region", "131003").returncode == 0
    shutil.copy(SITE / "a1.html", tmp_path / "page.html")
    first = run("import", "page.html")
    assert first.returncode == 0 and "1 added" in first.stderr, first.stderr
    again = run("import", "page.html", "--format", "html")
    assert again.returncode == 0 and "1 duplicates" in again.stderr and "Traceback" not in again.stderr
    missing = run("import", "no_such.html")
    assert missing.returncode != 0 and "不存在" in missing.stderr and "Traceback" not in missing.stderr
