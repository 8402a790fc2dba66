"""Alerts end to end against real parts: rules, throttling and quiet hours, the outbox with a
channel that is down and a process killed before sending, real webhooks (with DingTalk and
Feishu signatures checked by the receiving server), real SMTP, cases with roles, users."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os
import signal
import subprocess
import sys
import threading
import time
import urllib.parse
from datetime import datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from zoneinfo import ZoneInfo

import pytest
from aiosmtpd.controller import Controller

from conftest import wait_for
from test_cli import DEMO_STREAM, yq


def init_live(tmp_path) -> None:
    """`yuqing init`, then the demo stream (dated November 2026) is treated as live: these tests
    are about alerts on it, not about the backfill hold (tests/test_cli.py tests that)."""
    yq(tmp_path, "init", "--region", "131003")
    toml = tmp_path / "yuqing.toml"
    toml.write_text("alert_max_age_hours = 1e9\n" + toml.read_text(encoding="utf-8"), encoding="utf-8")
from yuqing.alerts import cases
from yuqing.alerts.channels import Channel, ChannelError, configured_channels, inert, markdown
from yuqing.alerts.engine import deliver_due, escalate, quiet_until, raise_alerts
from yuqing.alerts.rules import RuleError, parse_rules
from yuqing.alerts.users import PermissionDenied, User, hash_password, verify_password
from yuqing.settings import load_settings
from yuqing.store import open_store

TZ = ZoneInfo("Asia/Shanghai")
SECRET = "SEC0123456789abcdef"


class Robot(BaseHTTPRequestHandler):
    """A group robot: checks the DingTalk/Feishu signature and answers like the real ones."""

    received: list = []
    down = False

    def log_message(self, *args):
        pass

    def do_POST(self):
        body = self.rfile.read(int(self.headers["Content-Length"]))
        if self.down:
            self.send_response(503)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        data = json.loads(body)
        path, _, query = self.path.partition("?")
        params = dict(urllib.parse.parse_qsl(query))
        ok = True
        if path == "/dingtalk":
            ts = params["timestamp"]
            want = base64.b64encode(hmac.new(SECRET.encode(), f"{ts}\n{SECRET}".encode(), hashlib.sha256).digest()).decode()
            ok = params.get("sign") == want and abs(int(ts) / 1000 - time.time()) < 3600
        elif path == "/feishu":
            ts = data["timestamp"]
            want = base64.b64encode(hmac.new(f"{ts}\n{SECRET}".encode(), b"", hashlib.sha256).digest()).decode()
            ok = data.get("sign") == want
        elif path == "/hook":
            want = "sha256=" + hmac.new(SECRET.encode(), body, hashlib.sha256).hexdigest()
            ok = self.headers.get("X-Yuqing-Signature") == want
        self.received.append((path, data, ok))
        reply = {"/feishu": {"code": 0 if ok else 19021, "msg": "ok" if ok else "sign match fail"}}.get(
            path, {"errcode": 0 if ok else 310000, "errmsg": "ok" if ok else "sign not match"})
        out = json.dumps(reply).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(out)))
        self.end_headers()
        self.wfile.write(out)


@pytest.fixture
def robot():
    handler = type("H", (Robot,), {"received": [], "down": False})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    server.base = f"http://127.0.0.1:{server.server_address[1]}"
    server.handler = handler
    yield server
    server.shutdown()


class Mailbox:
    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):
        self.messages.append((envelope.mail_from, envelope.rcpt_tos, envelope.content.decode("utf-8", "replace")))
        return "250 OK"


@pytest.fixture
def smtp():
    import socket

    with socket.socket() as probe:              # aiosmtpd checks readiness on the port it was given
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    box = Mailbox()
    controller = Controller(box, hostname="127.0.0.1", port=port)
    controller.start()
    box.port = port
    yield box
    controller.stop()


def settings_for(tmp_path, robot=None, smtp=None, **values):
    channels = []
    if robot is not None:
        channels += [{"name": "wecom", "kind": "wecom", "url": f"{robot.base}/wecom"},
                     {"name": "ding", "kind": "dingtalk", "url": f"{robot.base}/dingtalk?access_token=t", "secret": SECRET},
                     {"name": "feishu", "kind": "feishu", "url": f"{robot.base}/feishu", "secret": SECRET},
                     {"name": "hook", "kind": "webhook", "url": f"{robot.base}/hook", "secret": SECRET}]
    if smtp is not None:
        channels.append({"name": "mail", "kind": "email", "to": ["duty@example.gov.cn"]})
        values |= {"smtp_host": "127.0.0.1", "smtp_port": smtp.port, "smtp_security": "none"}
    s = load_settings(env={}, database_url=f"sqlite:///{tmp_path}/a.db", **values)
    return s.__class__(s.values, s.sources, s.config_path, s.base_dir, tuple(channels))


def record(eid="e-000001", risk="high", heat=70.0, signal=None, size=12, title="广阳区万庄镇一仓库发生火灾"):
    return {"id": eid, "title": title, "size": size, "source_count": 5, "heat": {"value": heat},
            "stage": {"name": "outbreak" if signal else "latent", "signal": signal},
            "risk": {"level": risk, "reasons": ["伤亡：受伤", "安全生产"]}, "first_report": {
                "published_at": "2026-11-27T14:00:00+08:00", "source": "广阳融媒", "platform": "weibo"},
            "discovered_ts": 1_795_759_260, "source_classes": ["media"]}


def members(eid="e-000001"):
    return {eid: [{"id": "weibo:1", "title": None, "text": "万庄镇<script>alert(1)</script>一仓库着火了 [点我](javascript:alert(1))",
                   "source": "网友", "platform": "weibo", "url": None, "published_ts": 1_795_759_200, "risk": "high"}]}


BLOCK = {"rules": [{"name": "高风险", "min_risk": "high"}, {"name": "热度", "min_heat": 60, "level": "medium"},
                   {"name": "新事件", "new_event": True, "level": "low"}],
         "channels": ["inbox", "wecom", "ding", "feishu", "hook"]}


def test_rules_are_checked_when_a_scheme_is_read():
    assert [r.name for r in parse_rules({"min_risk": "high"})] == ["风险≥高"]
    for bad, why in [({"rules": [{"min_riskk": "high"}]}, "不认识的键"), ({"rules": [{"name": "x"}]}, "没有任何条件"),
                     ({"rules": [{"min_risk": "severe"}]}, "min_risk"), ({"rules": [{"keywords": "(火灾 |"}]}, "keywords"),
                     ({"rules": [{"burst": True, "level": "urgent"}]}, "level")]:
        with pytest.raises(RuleError, match=why):
            parse_rules(bad)
    rule = parse_rules({"rules": [{"keywords": "(火灾 | 起火) & !演练", "source_class": "media"}]})[0]
    assert rule.check(record(), ["仓库起火了"]) and rule.check(record(), ["消防演练 起火"]) is None


def test_an_alert_goes_to_every_robot_signed_and_inert(tmp_path, robot):
    s = settings_for(tmp_path, robot)
    store = open_store(s.database_url)
    ids = raise_alerts(store, [record()], members(), BLOCK, s, now=time.time())
    assert len(ids) == 1
    assert deliver_due(store, s) == {"sent": 4, "retry": 0, "failed": 0}
    got = {path: (data, ok) for path, data, ok in robot.handler.received}
    assert set(got) == {"/wecom", "/dingtalk", "/feishu", "/hook"} and all(ok for _, ok in got.values())
    text = got["/wecom"][0]["markdown"]["content"]
    assert "舆情预警·高" in text and "高风险" in text and "热度 70.0" in text and "伤亡：受伤" in text
    assert "<script>" not in text and "](javascript" not in text and "＜script＞" in text
    assert got["/dingtalk"][0]["msgtype"] == "markdown" and got["/feishu"][0]["msg_type"] == "interactive"
    assert got["/hook"][0]["level"] == "high"
    inbox = store.list_alerts()
    assert inbox[0]["case_state"] == "待研判" and inbox[0]["level"] == "high"


def test_a_wrong_secret_is_a_failure_that_is_retried(tmp_path, robot):
    s = settings_for(tmp_path, robot)
    bad = {"ding": Channel("ding", "dingtalk", f"{robot.base}/dingtalk?access_token=t", "WRONG")}
    store = open_store(s.database_url)
    raise_alerts(store, [record()], members(), {"min_risk": "high", "channels": ["ding"]}, s)
    assert deliver_due(store, s, channels=bad) == {"sent": 0, "retry": 1, "failed": 0}
    [m] = store.messages()
    assert m["state"] == "pending" and "310000" in m["last_error"] and m["next_ts"] > time.time() + 20


def test_a_channel_that_is_down_gets_the_alert_when_it_is_back(tmp_path, robot):
    s = settings_for(tmp_path, robot, outbox_max_attempts=5)
    store = open_store(s.database_url)
    robot.handler.down = True
    raise_alerts(store, [record()], members(), {"min_risk": "high", "channels": ["wecom"]}, s)
    now = time.time()
    assert deliver_due(store, s, now)["retry"] == 1
    assert deliver_due(store, s, now + 10)["retry"] == 0                 # not due yet: backoff
    assert deliver_due(store, s, now + 31)["retry"] == 1                 # second try, still down
    robot.handler.down = False
    assert deliver_due(store, s, now + 31 + 61) == {"sent": 1, "retry": 0, "failed": 0}
    assert [p for p, _, _ in robot.handler.received] == ["/wecom"]
    # a channel that never comes back: failed, visible, after outbox_max_attempts
    robot.handler.down = True
    raise_alerts(store, [record("e-000002")], members("e-000002"), {"min_risk": "high", "channels": ["wecom"]}, s)
    t = now + 100
    for _ in range(5):
        deliver_due(store, s, t)
        t += 3600
    assert store.outbox_counts() == {"sent": 1, "failed": 1}
    assert "503" in store.messages(state="failed")[0]["last_error"]


KILLER = """
import os, signal, sys, time
from yuqing.settings import load_settings
from yuqing.store import open_store
from yuqing.alerts.engine import raise_alerts
sys.path.insert(0, {tests!r})
from test_alerts import record, members
s = load_settings(env={{}}, database_url={url!r})
store = open_store(s.database_url)
raise_alerts(store, [record()], members(), {{"min_risk": "high", "channels": ["wecom"]}}, s)
os.kill(os.getpid(), signal.SIGKILL)      # queued, never sent
"""


def test_kill_9_between_queueing_and_sending_loses_no_alert(tmp_path, robot):
    s = settings_for(tmp_path, robot)
    code = KILLER.format(tests=os.path.dirname(__file__), url=s.database_url)
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert run.returncode == -signal.SIGKILL, run.stderr
    store = open_store(s.database_url)
    assert deliver_due(store, s)["sent"] == 1
    assert [p for p, _, _ in robot.handler.received] == ["/wecom"]


def test_one_alert_per_event_per_cooldown_and_a_message_again_only_when_the_level_rises(tmp_path, robot):
    s = settings_for(tmp_path, robot)
    store = open_store(s.database_url)
    block = {"rules": [{"name": "热度", "min_heat": 60, "level": "medium"}, {"name": "高风险", "min_risk": "high"}],
             "channels": ["wecom"]}
    now = time.time()
    assert raise_alerts(store, [record(risk="medium", heat=65)], members(), block, s, now=now)
    assert raise_alerts(store, [record(risk="medium", heat=68)], members(), block, s, now=now + 600) == []
    assert raise_alerts(store, [record(risk="high", heat=70)], members(), block, s, now=now + 1200) == []
    [alert] = store.list_alerts()
    assert alert["updates"] == 2 and alert["level"] == "high" and alert["payload"]["rules"] == ["热度", "高风险"]
    assert [m["kind"] for m in store.messages()] == ["alert", "update"]
    # after the cooldown a new finding is a new alert with its own case
    later = now + s.alert_cooldown_minutes * 60 + 1
    assert len(raise_alerts(store, [record(heat=90)], members(), block, s, now=later)) == 1
    assert len(store.list_alerts()) == 2


def test_quiet_hours_hold_medium_alerts_and_high_ones_go_at_once(tmp_path, robot):
    s = settings_for(tmp_path, robot, alert_quiet_hours="22:00-07:00")
    store = open_store(s.database_url)
    night = datetime(2026, 11, 27, 23, 30, tzinfo=TZ).timestamp()
    morning = datetime(2026, 11, 28, 7, 0, tzinfo=TZ).timestamp()
    assert quiet_until(night, "22:00-07:00", TZ) == morning
    assert quiet_until(datetime(2026, 11, 28, 12, 0, tzinfo=TZ).timestamp(), "22:00-07:00", TZ) is None
    block = {"rules": [{"name": "热度", "min_heat": 60, "level": "medium"}, {"name": "高风险", "min_risk": "high"}],
             "channels": ["wecom"]}
    raise_alerts(store, [record("e-1", risk="medium")], members("e-1"), block, s, now=night)
    raise_alerts(store, [record("e-2", risk="high")], members("e-2"), block, s, now=night)
    assert deliver_due(store, s, night + 60)["sent"] == 1                # the high one
    assert deliver_due(store, s, morning + 1)["sent"] == 1               # the medium one, in the morning


def test_low_alerts_wait_for_the_daily_digest(tmp_path, robot):
    from yuqing.alerts.engine import queue_digest

    s = settings_for(tmp_path, robot)
    store = open_store(s.database_url)
    block = {"rules": [{"name": "新事件", "new_event": True, "level": "low"}], "channels": ["wecom"]}
    evening = datetime(2026, 11, 27, 18, 0, tzinfo=TZ).timestamp()
    for i in range(3):
        raise_alerts(store, [record(f"e-{i}", risk="low", heat=10)], members(f"e-{i}"), block, s,
                     now=evening + i, new_events={f"e-{i}"})
    assert store.messages() == [] and len(store.list_alerts()) == 3
    eight = datetime(2026, 11, 28, 8, 0, tzinfo=TZ).timestamp()
    assert queue_digest(store, block, s, eight - 60) == 0
    assert queue_digest(store, block, s, eight + 60) == 1
    assert queue_digest(store, block, s, eight + 120) == 0              # once a day
    assert deliver_due(store, s, eight + 180)["sent"] == 1
    text = robot.handler.received[0][1]["markdown"]["content"]
    assert "低级别预警 3 条" in text


def test_alert_mail_arrives_over_real_smtp(tmp_path, smtp):
    s = settings_for(tmp_path, smtp=smtp)
    store = open_store(s.database_url)
    raise_alerts(store, [record()], members(), {"min_risk": "high", "channels": ["mail"]}, s)
    assert deliver_due(store, s)["sent"] == 1
    [(sender, to, content)] = smtp.messages
    assert to == ["duty@example.gov.cn"] and sender == s.smtp_sender
    assert "Subject:" in content and "=?utf-8?" in content.lower()   # a Chinese subject, encoded


def test_channel_config_is_checked():
    base = load_settings(env={})
    for bad, why in [({"name": "x", "kind": "fax"}, "kind"), ({"name": "x", "kind": "wecom"}, "url"),
                     ({"name": "x", "kind": "email"}, "to"), ({"kind": "wecom", "url": "http://a"}, "name")]:
        with pytest.raises(ChannelError, match=why):
            configured_channels(base.__class__(base.values, (), None, base.base_dir, (bad,)))
    assert inert("[x](javascript:alert(1)) <b>") == "［x］（javascript：alert（1）） ＜b＞"
    assert "\n-" not in markdown({"title": "a\n- 伪造", "lines": []}).split("\n")[0]
    # every piece of scraped text in a message is inert: title, the first report's source, evidence
    evil = "[点此查看](http://evil.example/x) **紧急** <@all> ![](http://evil.example/p.png)"
    text = markdown({"title": evil, "lines": [("首发", f"11-28 09:00 {evil}"), ("原因", evil)],
                     "evidence": [{"title": evil, "source": evil, "at": "11-28 09:00"}]})
    assert "](" not in text and "<@" not in text and "http://" not in text and "**紧急**" not in text


def test_cases_move_by_role_and_state_and_every_step_is_logged(tmp_path):
    s = settings_for(tmp_path)
    store = open_store(s.database_url)
    raise_alerts(store, [record()], members(), {"min_risk": "high"}, s)
    case_id = store.list_alerts()[0]["case_id"]
    analyst, leader, admin = User("小王", "analyst"), User("李科长", "leader"), User("admin", "admin")
    with pytest.raises(PermissionDenied):
        cases.transition(store, case_id, "已研判", leader)               # leaders do not assess
    with pytest.raises(cases.CaseError, match="cannot go"):
        cases.transition(store, case_id, "已办结", analyst)             # no skipping
    cases.transition(store, case_id, "已研判", analyst, note="属实，火势已控制")
    cases.transition(store, case_id, "已上报", analyst)
    with pytest.raises(PermissionDenied):
        cases.transition(store, case_id, "处置中", analyst)              # handling is decided by a leader
    with pytest.raises(PermissionDenied):
        cases.assign(store, case_id, analyst, department="应急管理局")
    cases.assign(store, case_id, leader, assignee="小王", department="应急管理局")
    cases.transition(store, case_id, "处置中", leader)
    done = cases.transition(store, case_id, "已办结", analyst, response="已联系应急管理局发布通报")
    assert done["state"] == "已办结" and done["closed_ts"] and done["department"] == "应急管理局"
    with pytest.raises(cases.CaseError):
        cases.transition(store, case_id, "误报", admin)                  # closed is closed
    steps = [(e["user"], e["action"], e["from_state"], e["to_state"]) for e in store.case_log(case_id)]
    assert steps == [("小王", "transition", "待研判", "已研判"), ("小王", "transition", "已研判", "已上报"),
                     ("李科长", "assign", "已上报", "已上报"), ("李科长", "transition", "已上报", "处置中"),
                     ("小王", "transition", "处置中", "已办结")]
    rows = store.timeliness_rows(0, time.time() + 10)
    assert rows[0]["judged_ts"] and rows[0]["closed_ts"] and rows[0]["discovered_ts"] == 1_795_759_260


def test_a_case_at_risk_of_missing_its_sla_is_escalated_once(tmp_path, robot):
    s = settings_for(tmp_path, robot)
    store = open_store(s.database_url)
    now = time.time()
    raise_alerts(store, [record()], members(), {"min_risk": "high", "channels": ["wecom"]}, s, now=now)
    deliver_due(store, s, now)
    assert escalate(store, s, now + 60) == 0
    assert escalate(store, s, now + 0.75 * 7200 + 1) == 1
    assert escalate(store, s, now + 0.8 * 7200) == 0
    deliver_due(store, s, now + 0.8 * 7200)
    assert [d["markdown"]["content"].split("\n")[0] for _, d, _ in robot.handler.received][1].startswith("**【工单即将超时")


def test_passwords_are_hashed_with_a_kdf_and_users_added_by_the_cli(tmp_path):
    h = hash_password("correct horse")
    assert h.startswith("scrypt$") and verify_password("correct horse", h) and not verify_password("wrong", h)
    assert hash_password("correct horse") != h                            # salted
    with pytest.raises(ValueError):
        hash_password("short")
    yq(tmp_path, "init", "--region", "131003")
    run = subprocess.run([sys.executable, "-m", "yuqing.cli", "user", "add", "小王", "--role", "analyst",
                          "--password-stdin"], cwd=tmp_path, input="一个足够长的密码\n", capture_output=True, text=True,
                         env={"PATH": "/usr/bin:/bin", "HOME": str(tmp_path)})
    assert run.returncode == 0, run.stderr
    bad = subprocess.run([sys.executable, "-m", "yuqing.cli", "user", "add", "x", "--role", "god", "--password-stdin"],
                         cwd=tmp_path, input="一个足够长的密码\n", capture_output=True, text=True,
                         env={"PATH": "/usr/bin:/bin", "HOME": str(tmp_path)})
    assert bad.returncode == 2
    store = open_store(f"sqlite:///{tmp_path}/yuqing.db")
    user = store.get_user("小王")
    assert user["role"] == "analyst" and verify_password("一个足够长的密码", user["password_hash"])
    assert store.audit_entries()[0]["action"] == "user.add"


def test_the_demo_fire_raises_one_high_alert_with_its_case(tmp_path):
    init_live(tmp_path)
    yq(tmp_path, "import", str(DEMO_STREAM))
    out = json.loads(yq(tmp_path, "alerts", "--json").stdout)
    store = open_store(f"sqlite:///{tmp_path}/yuqing.db")
    event = store.events_of(["demo:00240"])["demo:00240"]          # the first post about the fire
    fire = [a for a in out["alerts"] if a["event"] == event]
    assert len(fire) == 1 and fire[0]["level"] == "high" and fire[0]["case_state"] == "待研判"
    assert all(a["level"] == "high" for a in out["alerts"])          # the starter scheme: min_risk high
    assert fire[0]["payload"]["evidence"] and fire[0]["payload"]["first_report"]["published_at"].startswith("2026-11-27T14:00")


FEED = """<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0"><channel><title>测试新闻网</title><link>http://127.0.0.1/</link><description>t</description>
<item><title>廊坊市广阳区万庄镇一化工厂发生爆炸 已致3人死亡</title><link>http://127.0.0.1/news/9.html</link>
<guid>news-9</guid><pubDate>{date}</pubDate>
<description>廊坊市广阳区万庄镇一化工厂今日发生爆炸事故，已造成3人死亡、5人受伤，消防正在处置。</description></item>
</channel></rss>"""


def test_yuqing_run_turns_a_feed_item_into_a_robot_message_in_seconds(tmp_path, robot):
    from email.utils import format_datetime

    feed = FEED.format(date=format_datetime(datetime.now(TZ))).encode()
    robot.handler.do_GET = lambda self: (self.send_response(200), self.send_header("Content-Type", "application/rss+xml"),
                                         self.send_header("Content-Length", str(len(feed))), self.end_headers(),
                                         self.wfile.write(feed))
    yq(tmp_path, "init", "--region", "131003")
    config = tmp_path / "yuqing.toml"
    config.write_text('fetch_allow_hosts = ["127.0.0.1:*"]\nfetch_respect_robots = false\nfetch_host_delay = 0\n'
                      + config.read_text(encoding="utf-8"), encoding="utf-8")
    with open(config, "a", encoding="utf-8") as f:
        f.write(f'\n[[sources]]\nname = "测试新闻网"\nkind = "feed"\nurl = "{robot.base}/rss.xml"\nplatform = "news"\n'
                f'interval = "1m"\n\n[[channels]]\nname = "duty"\nkind = "dingtalk"\n'
                f'url = "{robot.base}/dingtalk?access_token=t"\nsecret = "{SECRET}"\n')
    scheme = (tmp_path / "scheme.yaml").read_text(encoding="utf-8").replace("channels: [inbox]", "channels: [inbox, duty]")
    (tmp_path / "scheme.yaml").write_text(scheme, encoding="utf-8")
    started = time.time()
    proc = subprocess.Popen([sys.executable, "-m", "yuqing.cli", "run"], cwd=tmp_path, stderr=subprocess.PIPE, text=True,
                            env={"PATH": "/usr/bin:/bin", "HOME": str(tmp_path)})
    try:
        while time.time() - started < 60 and not any(p == "/dingtalk" for p, _, _ in robot.handler.received):
            time.sleep(0.2)
        arrived = time.time() - started
    finally:
        proc.send_signal(signal.SIGTERM)
        _, err = proc.communicate(timeout=30)
    assert proc.returncode == 0, err
    [(path, data, ok)] = [r for r in robot.handler.received if r[0] == "/dingtalk"]
    assert ok and "化工厂发生爆炸" in data["markdown"]["text"] and "舆情预警·高" in data["markdown"]["title"]
    assert arrived < 30 and "stopped" in err


def test_a_high_alert_goes_out_while_the_backlog_behind_it_is_still_analysed(tmp_path, robot, data):
    """A backlog of 4,000 real messages waits for analysis with an explosion among the first: the
    robot has the alert while most of the backlog still waits (alerts go batch by batch)."""
    import csv

    from yuqing.models import Raw
    from yuqing.pipeline import ingest_stream
    from yuqing.settings import load_settings as load

    yq(tmp_path, "init", "--region", "131003")
    config = tmp_path / "yuqing.toml"
    with open(config, "a", encoding="utf-8") as f:
        f.write(f'\n[[channels]]\nname = "duty"\nkind = "dingtalk"\nurl = "{robot.base}/dingtalk?access_token=t"\n'
                f'secret = "{SECRET}"\n')
    scheme = (tmp_path / "scheme.yaml").read_text(encoding="utf-8").replace("channels: [inbox]", "channels: [inbox, duty]")
    (tmp_path / "scheme.yaml").write_text(scheme, encoding="utf-8")
    settings = load(config, env={})
    store = open_store(settings.database_url)
    rows = list(csv.DictReader(open(data / "zhihui_zhengwu/fj3_messages_with_votes.csv", encoding="utf-8-sig")))
    now = time.time()
    fire = {"id": "fire", "platform": "news", "source": "测试新闻网", "published_at": now - 7200,
            "title": "廊坊市广阳区万庄镇一化工厂发生爆炸 已致3人死亡",
            "text": "廊坊市广阳区万庄镇一化工厂今日发生爆炸事故，已造成3人死亡、5人受伤，消防正在处置。"}
    backlog = [{"id": f"b{i}", "platform": "complaint", "title": r["留言主题"], "text": r["留言详情_clean"],
                "published_at": now - 7000 + i} for i, r in enumerate(rows[:4000])]
    ingest_stream([Raw("t", rec) for rec in [fire, *backlog]], store, settings)
    assert store.count_pending(5000) == 4001
    proc = subprocess.Popen([sys.executable, "-m", "yuqing.cli", "run"], cwd=tmp_path, stderr=subprocess.PIPE, text=True,
                            env={"PATH": "/usr/bin:/bin", "HOME": str(tmp_path)})
    try:
        wait_for(lambda: any(p == "/dingtalk" for p, _, _ in robot.handler.received), timeout=120, interval=0.05)
        waiting = store.count_pending(5000)
    finally:
        proc.send_signal(signal.SIGTERM)
        _, err = proc.communicate(timeout=30)
    assert proc.returncode == 0, err[-2000:]
    assert waiting > 2000, waiting                        # most of the backlog was still to come
    [(_, message, ok)] = [r for r in robot.handler.received if r[0] == "/dingtalk"]
    assert ok and "化工厂发生爆炸" in message["markdown"]["text"]


def test_a_case_worked_from_the_cli_and_the_timeliness_it_leaves(tmp_path):
    init_live(tmp_path)
    yq(tmp_path, "import", str(DEMO_STREAM))
    env = {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path)}

    def cli(*args, password="一个足够长的密码"):
        return subprocess.run([sys.executable, "-m", "yuqing.cli", *args], cwd=tmp_path, input=password + "\n",
                              capture_output=True, text=True, env=env)

    assert cli("user", "add", "小王", "--role", "analyst", "--password-stdin").returncode == 0
    assert cli("user", "add", "李科长", "--role", "leader", "--password-stdin").returncode == 0
    case_id = str(json.loads(yq(tmp_path, "alerts", "--json").stdout)["alerts"][0]["case_id"])
    wrong = cli("case", case_id, "--to", "已研判", "--user", "小王", "--password-stdin", password="not-the-password")
    assert wrong.returncode == 2 and "wrong password" in wrong.stderr
    denied = cli("case", case_id, "--to", "已研判", "--user", "李科长", "--password-stdin")
    assert denied.returncode == 2 and "may not" in denied.stderr
    for who, to in (("小王", "已研判"), ("小王", "已上报"), ("李科长", "处置中"), ("小王", "已办结")):
        run = cli("case", case_id, "--to", to, "--user", who, "--password-stdin", "--json")
        assert run.returncode == 0, run.stderr
    assert json.loads(run.stdout)["case"]["state"] == "已办结" and len(json.loads(run.stdout)["log"]) == 4
    stats = json.loads(yq(tmp_path, "stats", "--json").stdout)
    t = stats["timeliness"]
    assert stats["alerts"] == t["alerts"] > 0 and stats["cases_by_state"]["已办结"] == 1
    assert t["discovery_to_alert"]["n"] == t["alerts"] and t["alert_to_assessed"]["n"] == 1
    assert t["discovery_to_closed"]["n"] == 1 and t["closed_within_target"] == 1.0
    store = open_store(f"sqlite:///{tmp_path}/yuqing.db")
    assert any(e["action"] == "login.failed" and e["user"] == "小王" for e in store.audit_entries())


def test_alert_latency_on_a_real_replay_stays_under_two_seconds():
    sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "bench"))
    import alerts_latency

    result = alerts_latency.run(600, 100)
    # enough alerts to measure (the risk model of issue 14 calls far fewer of these items high
    # than the old sum of cue words did: 16 of 600, not 20+)
    assert result["alerts"] >= 10 and result["webhooks_received"] == result["alerts"]
    assert result["latency_s"]["p95"] < 2.0, result         # the issue's target; measured 0.5 s (bench/RESULTS.md)


def test_global_rules_join_the_schemes_and_false_alarms_are_counted_per_rule(tmp_path):
    from yuqing.alerts.timeliness import rule_figures
    from yuqing.settings import SettingsError

    (tmp_path / "yuqing.toml").write_text('[[alert_rules]]\nname = "热度"\nmin_heat = 50\nlevel = "medium"\n',
                                          encoding="utf-8")
    s = load_settings(tmp_path / "yuqing.toml", env={}, database_url=f"sqlite:///{tmp_path}/g.db")
    assert s.alert_rules[0]["min_heat"] == 50
    store = open_store(s.database_url)
    raise_alerts(store, [record("e-1", risk="low", heat=55)], members("e-1"), {"min_risk": "high"}, s)
    raise_alerts(store, [record("e-2", risk="high", heat=20)], members("e-2"), {"min_risk": "high"}, s)
    by_event = {a["event"]: a for a in store.list_alerts()}
    assert by_event["e-1"]["rule"] == "热度" and by_event["e-2"]["rule"] == "风险≥高"
    cases.transition(store, by_event["e-1"]["case_id"], "误报", User("小王", "analyst"), note="热度虚高，非本区")
    figures = {f["rule"]: f for f in rule_figures(store, 0, time.time() + 10)}
    assert figures["热度"] == {"rule": "热度", "alerts": 1, "false_alarms": 1, "assessed": 1, "false_alarm_share": 1.0}
    assert figures["风险≥高"]["false_alarm_share"] is None
    (tmp_path / "bad.toml").write_text('[[alert_rules]]\nname = "x"\nmin_heat = 50\nlevel = "urgent"\n', encoding="utf-8")
    with pytest.raises(SettingsError, match="level"):
        load_settings(tmp_path / "bad.toml", env={})


def test_event_numbers_are_not_reused_after_a_reanalysis(tmp_path):
    init_live(tmp_path)
    yq(tmp_path, "import", str(DEMO_STREAM))
    store = open_store(f"sqlite:///{tmp_path}/yuqing.db")
    alerted = {a["event"] for a in store.list_alerts()}
    before = store.last_event_number()
    yq(tmp_path, "reanalyze")
    events_now = {e for e in store.events_of([f"demo:{i:05d}" for i in range(1, 303)]).values()}
    assert alerted and not (alerted & events_now)        # an old alert never points at a new event
    assert min(int(e[2:]) for e in events_now) > before


@pytest.mark.parametrize("security", ["starttls", "tls"])
def test_alert_mail_over_starttls_and_tls_verifies_the_server(tmp_path, security):
    import socket
    import ssl

    import trustme

    ca = trustme.CA()
    cert = ca.issue_cert("127.0.0.1")
    server_ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    cert.configure_cert(server_ctx)
    ca_file = tmp_path / "ca.pem"
    ca.cert_pem.write_to_path(str(ca_file))
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    box = Mailbox()
    box.port = port
    if security == "tls":
        controller = Controller(box, hostname="127.0.0.1", port=port, ssl_context=server_ctx)
    else:
        controller = Controller(box, hostname="127.0.0.1", port=port, tls_context=server_ctx, require_starttls=True)
    controller.start()
    try:
        s = settings_for(tmp_path, smtp=box)
        s = s.with_values(smtp_port=port, smtp_security=security, smtp_ca_file=str(ca_file))
        store = open_store(s.database_url)
        raise_alerts(store, [record()], members(), {"min_risk": "high", "channels": ["mail"]}, s)
        assert deliver_due(store, s)["sent"] == 1 and len(box.messages) == 1
        # without the intranet CA the certificate is refused: a failure, retried, never sent in clear
        raise_alerts(store, [record("e-2")], members("e-2"), {"min_risk": "high", "channels": ["mail"]}, s)
        assert deliver_due(store, s.with_values(smtp_ca_file=""))["retry"] == 1
        assert "CERTIFICATE_VERIFY_FAILED" in store.messages(state="pending")[0]["last_error"]
        assert len(box.messages) == 1
    finally:
        controller.stop()


def test_an_import_while_yuqing_run_analyses_leaves_the_analysis_to_it(tmp_path):
    from yuqing.pipeline import StageBusy, analyze_pending, make_analyzer

    yq(tmp_path, "init", "--region", "131003")
    store = open_store(f"sqlite:///{tmp_path}/yuqing.db")
    with store.exclusive("analysis") as mine:                # as a running `yuqing run` holds it
        assert mine
        run = yq(tmp_path, "import", str(DEMO_STREAM))
        assert "not analysed here" in run.stderr
        with store.exclusive("analysis") as again:
            assert not again
    assert store.count_pending(1000) == 302
    s = load_settings(tmp_path / "yuqing.toml", env={})
    analyzer = make_analyzer(s.with_values(database_url=f"sqlite:///{tmp_path}/yuqing.db"))
    assert analyze_pending(store, analyzer, settings=s) == 302        # the lock is free again
    with store.exclusive("analysis"):
        with pytest.raises(StageBusy):
            analyze_pending(store, analyzer, settings=s)


PATH_TO = {"待研判": [], "已研判": ["已研判"], "已上报": ["已研判", "已上报"], "处置中": ["已研判", "已上报", "处置中"],
           "已办结": ["已研判", "已上报", "处置中", "已办结"], "误报": ["误报"]}


def test_every_transition_is_allowed_exactly_for_its_roles(tmp_path):
    s = settings_for(tmp_path)
    store = open_store(s.database_url)
    admin = User("admin", "admin")
    n = 0
    for start, path in PATH_TO.items():
        for target in cases.STATES:
            for role in ("analyst", "leader", "admin"):
                n += 1
                raise_alerts(store, [record(f"e-{n}")], members(f"e-{n}"), {"min_risk": "high"}, s)
                case_id = store.list_alerts(1)[0]["case_id"]
                for step in path:
                    cases.transition(store, case_id, step, admin)
                allowed = role in cases.TRANSITIONS.get((start, target), set())
                if allowed:
                    assert cases.transition(store, case_id, target, User("u", role))["state"] == target
                else:
                    with pytest.raises((PermissionDenied, cases.CaseError)):
                        cases.transition(store, case_id, target, User("u", role))
                    assert store.get_case(case_id)["state"] == start            # nothing changed
                    assert len(store.case_log(case_id)) == len(path)            # nothing logged
    assert n == 6 * 6 * 3
