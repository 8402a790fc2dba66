"""MediaCrawler's files as its own store code writes them (tests/data/mediacrawler_tool, made by
scripts/make_mediacrawler_fixtures.py): every platform's posts and comments, every format, both
versions, its SQLite and PostgreSQL tables, and the profiles we refuse."""

from __future__ import annotations

import json
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import TESTDATA
from yuqing.pipeline import ingest_stream
from yuqing.sources.files import read_file
from yuqing.sources.mediacrawler import Hint, detect_site, path_hint

MC = TESTDATA / "mediacrawler_tool"
POSTS = {"weibo:5240000000000001": "weibo", "xhs:65a1b2c3000000001e00a1b1": "blog",
         "douyin:7320000000000000001": "video", "bilibili:113000000000001": "video",
         "kuaishou:3x0000000000001": "video", "tieba:9100000001": "forum", "zhihu:3300000001": "forum"}
COMMENTS = {  # comment id: (the post it is under, the comment it answers)
    "weibo:c5240000000000101": ("weibo:5240000000000001", None),
    "weibo:c5240000000000102": ("weibo:5240000000000001", "weibo:c5240000000000101"),
    "xhs:c6600000000000000000000c1": ("xhs:65a1b2c3000000001e00a1b1", None),
    "xhs:c6600000000000000000000c2": ("xhs:65a1b2c3000000001e00a1b1", "xhs:c6600000000000000000000c1"),
    "douyin:c7320000000000000101": ("douyin:7320000000000000001", None),
    "douyin:c7320000000000000102": ("douyin:7320000000000000001", "douyin:c7320000000000000101"),
    "bilibili:c250000000001": ("bilibili:113000000000001", None),
    "bilibili:c250000000002": ("bilibili:113000000000001", "bilibili:c250000000001"),
    "kuaishou:c900000001": ("kuaishou:3x0000000000001", None),
    "tieba:c9100000101": ("tieba:9100000001", None),
    "zhihu:c3300000101": ("zhihu:3300000001", None),
}
PROFILE_WORDS = ("廊坊吃喝玩乐｜探店", "住在广阳", "avatar", "sinaimg.cn/a.jpg", "fans")


def files(version: str, kind: str) -> list[Path]:
    root = MC / version / "data"
    if kind == "xlsx":
        return sorted(root.glob("*/*.xlsx"))
    return sorted(root.glob(f"*/{kind}/*.{kind}"))


def run(paths, store, settings, **kw):
    report = None
    for path in paths:
        r = ingest_stream(read_file(path, **kw), store, settings, collector="test")
        if report is None:
            report = r
        else:
            report.read += r.read
            report.added += r.added
            report.duplicates += r.duplicates
            for k, v in r.quarantined.items():
                report.quarantined[k] = report.quarantined.get(k, 0) + v
    return report


def check_all(store):
    rows = {r["id"]: r for r in store.get_items(list(POSTS) + list(COMMENTS))}
    assert set(rows) == set(POSTS) | set(COMMENTS), set(POSTS) | set(COMMENTS) - set(rows)
    for item_id, platform in POSTS.items():
        assert rows[item_id]["platform"] == platform
    for item_id, (post, parent) in COMMENTS.items():
        assert rows[item_id]["repost_of"] == post, item_id
        assert rows[item_id]["reply_to"] == parent, item_id
        assert rows[item_id]["platform"] == POSTS[post]
    # Weibo's time from create_date_time (+08:00): 2026-01-03 10:15 Beijing, in both versions
    assert rows["weibo:5240000000000001"]["published_ts"] == 1767406500
    assert rows["weibo:c5240000000000101"]["published_ts"] == 1767406500 + 900
    # xhs: topic markers and emoji codes gone; its images kept as evidence
    xhs = rows["xhs:65a1b2c3000000001e00a1b1"]
    assert "#廊坊#" in xhs["text"] and "[话题]" not in xhs["text"] and "[赞R]" not in xhs["text"]
    assert xhs["title"] == "广阳区万达广场新开的书店"
    assert [m["url"] for m in json.loads(xhs["media"])] == [
        "https://sns-webpic-qc.xhscdn.com/202601031015/a1.jpg", "https://sns-webpic-qc.xhscdn.com/202601031015/a2.jpg"]
    assert json.loads(rows["xhs:c6600000000000000000000c2"]["media"])[0]["kind"] == "image"
    assert json.loads(xhs["metrics"])["likes"] == 12000 and json.loads(xhs["metrics"])["favorites"] == 350
    # bilibili's empty description 「-」 is not the text: the title is, flagged title-only
    bili = rows["bilibili:113000000000001"]
    assert bili["text"] == "航拍廊坊广阳区新貌" and "title-only" in bili["flags"]
    assert {"kind": "image", "url": "http://i0.hdslb.com/bfs/archive/cover1.jpg"} in json.loads(bili["media"])
    dy = json.loads(rows["douyin:7320000000000000001"]["media"])
    assert {"kind": "video", "url": "https://v3.douyinvod.com/play1.mp4"} in dy
    assert rows["tieba:9100000001"]["source"] == "廊坊吧"
    assert rows["zhihu:3300000001"]["title"] == "在廊坊广阳区生活是什么体验？"
    for row in rows.values():
        assert row["url"] is None or "xsec_token" not in row["url"]     # a session token, not an address
    return rows


@pytest.mark.parametrize("version", ["current", "early2026"])
@pytest.mark.parametrize("fmt", ["jsonl", "json", "csv", "xlsx"])
def test_every_platform_posts_and_comments_in_every_format(version, fmt, store, settings):
    paths = files(version, fmt)
    if fmt == "jsonl" and version == "early2026":
        assert not paths            # JSON Lines came in 2026-03
        return
    assert paths
    report = run(paths, store, settings)
    assert report.added == len(POSTS) + len(COMMENTS), report
    check_all(store)
    profiles = report.quarantined.pop("profile-refused", 0)
    assert not report.quarantined
    assert bool(profiles) == (version == "early2026" and fmt in ("json", "csv", "xlsx"))
    assert_no_profile_kept(store)


def assert_no_profile_kept(store):
    with store.engine.connect() as conn:
        from sqlalchemy import text
        dump = json.dumps([list(r) for r in conn.execute(text("SELECT * FROM items"))], ensure_ascii=False) + \
            json.dumps([list(r) for r in conn.execute(text("SELECT * FROM quarantine"))], ensure_ascii=False, default=str)
    for word in PROFILE_WORDS:
        assert word not in dump


@pytest.mark.parametrize("version", ["current", "early2026"])
def test_its_sqlite_database(version, store, settings, tmp_path):
    db = tmp_path / "sqlite_tables.db"
    shutil.copy(MC / version / "sqlite_tables.db", db)
    before = db.read_bytes()
    report = run([db], store, settings)
    assert report.added == len(POSTS) + len(COMMENTS)
    check_all(store)
    assert bool(report.quarantined.pop("profile-refused", 0)) == (version == "early2026")
    assert not report.quarantined
    assert db.read_bytes() == before             # opened read-only
    assert_no_profile_kept(store)
    tables = {n for (n,) in sqlite3.connect(db).execute("SELECT name FROM sqlite_master WHERE type='table'")}
    assert len(tables) == (15 if version == "current" else 22)


def test_its_postgresql_tables_by_url(postgres_url, store, settings, tmp_path):
    """What its PostgreSQL store wrote (pg_dump), loaded into a real server and imported by URL."""
    import pgserver

    subprocess.run([str(pgserver.bindir() / "psql"), postgres_url, "-q", "-c", "CREATE DATABASE mc"], check=True,
                   capture_output=True)
    url = postgres_url.rsplit("/", 1)[0] + "/mc"
    subprocess.run([str(pgserver.bindir() / "psql"), url, "-q", "-f", str(MC / "current" / "postgres.sql")],
                   check=True, capture_output=True)
    report = run([url], store, settings)
    # MediaCrawler's own postgres store failed on douyin comments and zhihu (an int into a text
    # column): what it wrote is all there is
    assert report.added == 14 and not report.quarantined
    rows = {r["id"]: r for r in store.get_items(list(POSTS) + list(COMMENTS))}
    assert rows["xhs:c6600000000000000000000c2"]["reply_to"] == "xhs:c6600000000000000000000c1"
    assert rows["weibo:5240000000000001"]["published_ts"] == 1767406500
    assert rows["bilibili:c250000000001"]["repost_of"] == "bilibili:113000000000001"


def yq(cwd: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "yuqing.cli", *args], cwd=cwd, capture_output=True, text=True,
                          env={"PATH": "/usr/bin:/bin", "HOME": str(cwd)})


def test_cli_import_database_url_hides_the_password(postgres_url, tmp_path):
    import pgserver

    psql = str(pgserver.bindir() / "psql")
    subprocess.run([psql, postgres_url, "-q", "-c", "CREATE DATABASE mc_cli"], check=True, capture_output=True)
    server = postgres_url.rsplit("/", 1)[0]
    subprocess.run([psql, server + "/mc_cli", "-q", "-f", str(MC / "current" / "postgres.sql")], check=True,
                   capture_output=True)
    assert yq(tmp_path, "init", "--region", "131003").returncode == 0
    with_password = server.replace("postgres@", "postgres:s3cret@")     # trust auth: any password is let in
    result = yq(tmp_path, "import", with_password + "/mc_cli")
    assert result.returncode == 0, result.stderr
    assert "14 added" in result.stderr and "s3cret" not in result.stderr and "***" in result.stderr
    missing = yq(tmp_path, "import", with_password + "/no_such_db")
    assert missing.returncode != 0 and "s3cret" not in missing.stderr and "Traceback" not in missing.stderr
    assert "无法打开数据库" in missing.stderr or "读取失败" in missing.stderr


def test_platform_from_path_sheet_and_fields():
    assert path_hint("MediaCrawler/data/xhs/jsonl/search_comments_2026-01-05.jsonl") == Hint("xhs", "comments")
    assert path_hint("data/bili/csv/search_videos_2026-01-05.csv") == Hint("bilibili", "contents")
    assert path_hint("exports/kuaishou_search_20260105_101500.xlsx").site == "kuaishou"
    assert path_hint("data/weibo/json/creator_creators_2026-01-05.json").kind == "profiles"
    # with nothing in the path, the comment fields still tell the platforms apart
    xhs = json.loads((files("current", "jsonl")[-1].parent.parent.parent / "xhs/jsonl").glob("*comments*").__next__()
                     .read_text(encoding="utf-8").splitlines()[0])
    assert detect_site(xhs) == "xhs"
    for site in ("bili", "kuaishou", "zhihu", "weibo", "douyin", "tieba"):
        comment = json.loads(next((MC / "current/data" / site / "jsonl").glob("*comments*"))
                             .read_text(encoding="utf-8").splitlines()[0])
        assert detect_site(comment) == {"bili": "bilibili"}.get(site, site), site


def test_platform_option_overrides_detection(tmp_path, store, settings):
    # a Weibo comments file renamed and moved: its fields say Weibo; --platform xhs says otherwise
    src = next((MC / "current/data/weibo/jsonl").glob("*comments*"))
    path = tmp_path / "export.jsonl"
    path.write_bytes(src.read_bytes())
    ids = [r.record["id"] for r in read_file(path)]
    assert all(i.startswith("weibo:c") for i in ids)
    ids = [r.record["id"] for r in read_file(path, site="xhs")]
    assert all(i.startswith("xhs:c") for i in ids)


def test_profiles_are_refused_with_a_clear_message(store, settings):
    path = next((MC / "early2026/data/weibo/json").glob("*creators*"))
    entries = list(read_file(path))
    assert len(entries) == 1 and entries[0].reason == "profile-refused"
    assert "不保存个人的资料" in entries[0].detail and entries[0].raw is None


def test_comments_join_their_posts_event(tmp_path):
    assert yq(tmp_path, "init", "--region", "131003").returncode == 0
    result = yq(tmp_path, "import", str(MC / "current/data/xhs/jsonl"))
    assert result.returncode == 0, result.stderr
    con = sqlite3.connect(next(tmp_path.glob("*.db")))
    events = dict(con.execute("SELECT id, event FROM items"))
    assert events["xhs:c6600000000000000000000c1"] == events["xhs:65a1b2c3000000001e00a1b1"] is not None
    assert events["xhs:c6600000000000000000000c2"] == events["xhs:65a1b2c3000000001e00a1b1"]


def test_a_foreign_database_in_a_folder_costs_that_file_only(tmp_path, store, settings):
    folder = tmp_path / "export"
    (folder / "xhs" / "jsonl").mkdir(parents=True)
    shutil.copy(next((MC / "current/data/xhs/jsonl").glob("*contents*")), folder / "xhs/jsonl/search_contents.jsonl")
    sqlite3.connect(folder / "other.db").execute("CREATE TABLE t (x)").connection.commit()
    report = run([folder], store, settings)
    assert report.added == 1 and report.quarantined == {"unreadable": 1}


def test_its_mysql_tables_by_url(mysql_url, store, settings):
    """What its db (MySQL) store wrote (mariadb-dump), loaded into a real MariaDB and imported by URL."""
    import mysqlserver

    server = mysql_url.rsplit("/", 1)[0]
    port = server.rsplit(":", 1)[1]
    client = [mysqlserver.client_binary(), "-h", "127.0.0.1", "-P", port, "-u", "root"]
    subprocess.run(client + ["-e", "CREATE DATABASE mc CHARACTER SET utf8mb4"], check=True, capture_output=True)
    with open(MC / "current" / "mysql.sql", "rb") as dump:
        subprocess.run(client + ["mc"], stdin=dump, check=True, capture_output=True)
    report = run([server + "/mc"], store, settings)
    assert report.added == len(POSTS) + len(COMMENTS) and not report.quarantined
    check_all(store)
