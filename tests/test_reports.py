"""Reports from a real store: the DOCX read back with python-docx and its numbers checked against
SQL, the PDF's pages rendered with pdftoppm and looked at, the same data giving the same files,
personal data masked, charts with no missing glyph, the special report of an event."""

from __future__ import annotations

import io
import re
import shutil
import sqlite3
import subprocess
import warnings
import zipfile
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from conftest import analysed_demo_store
from test_cli import DEMO_STREAM, yq
from yuqing.pipeline import analyze_pending, ingest_stream, make_analyzer
from yuqing.reports.build import build_event_report, build_period_report, period
from yuqing.reports.render import render
from yuqing.sources.files import read_file
from yuqing.store import open_store

TZ = ZoneInfo("Asia/Shanghai")
DAY = date(2026, 11, 28)
PHONE, ID_NUMBER = "13812345678", "11010519491231002X"


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    d = tmp_path_factory.mktemp("reports")
    personal = {"id": "t:p", "platform": "complaint", "title": "广阳区万庄镇仓库起火多人受伤，请速处理",
                "text": f"广阳区万庄镇仓库起火，有人受伤死亡，联系电话{PHONE}，身份证{ID_NUMBER}，现场浓烟",
                "published_at": "2026-11-28T12:00:00+08:00"}
    s, store = analysed_demo_store(d, [personal])
    return s, store, d


def docx_text(blob: bytes):
    from docx import Document

    doc = Document(io.BytesIO(blob))
    return doc, "\n".join(p.text for p in doc.paragraphs)


def test_daily_report_docx_has_the_sections_and_the_stores_numbers(demo):
    s, store, _ = demo
    report = build_period_report(store, "daily", DAY, region="131003", tz=TZ)
    doc, text = docx_text(render(report, "docx"))
    headings = [p.text for p in doc.paragraphs if re.match(r"^[一二三四五六]、", p.text)]
    assert headings == ["一、总体态势", "二、重点舆情", "三、热点话题与关键词", "四、负面与高风险信息", "五、处置情况", "六、研判与建议"]
    assert doc.paragraphs[0].text == "廊坊市广阳区网络舆情日报" and doc.paragraphs[1].text == "2026年11月28日"
    sec = doc.sections[0]
    assert (round(sec.page_width.mm), round(sec.page_height.mm)) == (210, 297)           # A4
    assert 'w:instrText xml:space="preserve">PAGE<' in sec.footer._element.xml             # — 1 — page numbers
    start, end = report["period"]["start_ts"], report["period"]["end_ts"]
    db = s.database_url.split("///", 1)[1]
    with sqlite3.connect(db) as c:
        total = c.execute("SELECT count(*) FROM items WHERE published_ts >= ? AND published_ts < ?", (start, end)).fetchone()[0]
        relevant = c.execute("SELECT count(*) FROM items WHERE published_ts >= ? AND published_ts < ? AND relevant = 1",
                             (start, end)).fetchone()[0]
        negative = c.execute("SELECT count(*) FROM items WHERE published_ts >= ? AND published_ts < ? AND relevant = 1 "
                             "AND sentiment = 'negative'", (start, end)).fetchone()[0]
        weibo = c.execute("SELECT count(*) FROM items WHERE published_ts >= ? AND published_ts < ? AND platform = 'weibo'",
                          (start, end)).fetchone()[0]
        high = c.execute("SELECT count(*) FROM items WHERE published_ts >= ? AND published_ts < ? AND relevant = 1 "
                         "AND risk = 'high' AND duplicate_of IS NULL AND repost_of IS NULL", (start, end)).fetchone()[0]
    assert total > 0 and relevant > 0
    assert f"共采集网络信息 {total} 条" in text and f"的信息 {relevant} 条" in text
    assert f"负面 {negative} 条" in text and f"微博 {weibo} 条" in text
    # the fire is the top event, with its refs; the tables are real tables
    assert "万庄镇" in text.split("二、重点舆情")[1].split("三、")[0]
    tables = {t.rows[0].cells[0].text: t for t in doc.tables}
    assert "事件" in tables and "关键词" in tables and "时间" in tables
    assert len(tables["时间"].rows) - 1 == min(high, 15)          # the high-risk table, one row per item
    assert "〔事件 e-" in text
    assert "系统生成的初稿" in text.split("六、研判与建议")[1]


def test_pdf_pages_render_and_are_not_blank(demo, tmp_path):
    from PIL import Image, ImageStat

    if not shutil.which("pdftoppm"):
        pytest.fail("pdftoppm missing: .ci/run installs poppler-utils")
    _, store, _ = demo
    pdf = render(build_period_report(store, "daily", DAY, region="131003", tz=TZ), "pdf")
    assert pdf.startswith(b"%PDF")
    (tmp_path / "r.pdf").write_bytes(pdf)
    subprocess.run(["pdftoppm", "-r", "40", "-png", str(tmp_path / "r.pdf"), str(tmp_path / "page")], check=True)
    pages = sorted(tmp_path.glob("page*.png"))
    assert len(pages) >= 2
    for page in pages:
        with Image.open(page) as im:
            grey = im.convert("L")
            dark = sum(grey.histogram()[:160])
            assert dark > 0.005 * grey.width * grey.height, page.name         # ink on every page
            assert ImageStat.Stat(grey).stddev[0] > 10
    out = subprocess.run(["pdftotext", str(tmp_path / "r.pdf"), "-"], capture_output=True, text=True)
    if out.returncode == 0:                       # poppler-utils has both; the text is real text
        assert "总体态势" in out.stdout and "廊坊市广阳区网络舆情日报" in out.stdout
        assert re.search(rf"—\s*{len(pages)}\s*—", out.stdout)          # the last page's number


def test_the_same_data_gives_the_same_report(demo):
    _, store, _ = demo
    a = build_period_report(store, "daily", DAY, region="131003", tz=TZ)
    b = build_period_report(store, "daily", DAY, region="131003", tz=TZ)
    assert a == b
    assert render(a, "html") == render(b, "html")
    assert render(a, "pdf") == render(b, "pdf")
    da, db = zipfile.ZipFile(io.BytesIO(render(a, "docx"))), zipfile.ZipFile(io.BytesIO(render(b, "docx")))
    assert sorted(da.namelist()) == sorted(db.namelist())
    for name in da.namelist():              # the zip's own entry times aside, every part is the same
        assert da.read(name) == db.read(name), name


def test_personal_data_is_masked_in_every_format(demo):
    _, store, _ = demo
    report = build_period_report(store, "daily", DAY, region="131003", tz=TZ)
    risky = next(t for s in report["sections"] for t in s["tables"] if t["title"] == "高风险信息")
    assert any(r["id"] == "t:p" for r in risky["refs"])            # the complaint is in the report…
    for fmt in ("html", "docx"):
        blob = render(report, fmt)
        text = blob.decode() if fmt == "html" else docx_text(blob)[1] + "".join(
            c.text for t in docx_text(blob)[0].tables for row in t.rows for c in row.cells)
        text = re.sub(r"data:image/[^\"')]+", "", text)    # a chart's base64 may hold the digits "138"
        assert PHONE not in text and ID_NUMBER not in text          # …without the phone or ID number
        assert "138****5678" in text or "138" not in text


def test_charts_have_every_glyph(demo):
    from yuqing.reports.charts import render_chart

    _, store, _ = demo
    report = build_period_report(store, "weekly", DAY, region="131003", tz=TZ)
    charts = [c for s in report["sections"] for c in s["charts"]]
    assert charts
    cloud = next(c for c in charts if c["kind"] == "wordcloud")      # 三、热点话题与关键词
    words = [w for w, _ in cloud["words"]]
    assert len(words) >= 20 and not {"示例", "尖塔", "解放", "银河", "广阳", "广阳区", "廊坊"} & set(words)
    with warnings.catch_warnings():
        warnings.simplefilter("error")          # matplotlib warns "Glyph … missing from font(s)"
        for chart in charts + [{"kind": "bar", "title": "负面信息（条）−", "x": ["万庄镇", "銀河北路街道"], "series": {"数": [1, 2]}}]:
            png = render_chart(chart)
            assert png.startswith(b"\x89PNG") and len(png) > 5000


def test_periods_are_the_day_the_week_and_the_month():
    d = period("daily", DAY, TZ)
    assert datetime.fromtimestamp(d["start_ts"], TZ).isoformat() == "2026-11-28T00:00:00+08:00"
    assert d["end_ts"] - d["start_ts"] == 86400 and d["previous"]["end_ts"] == d["start_ts"]
    w = period("weekly", DAY, TZ)                                # 2026-11-28 is a Saturday
    assert datetime.fromtimestamp(w["start_ts"], TZ).date() == date(2026, 11, 23) and w["label"] == "2026年11月23日—2026年11月29日"
    assert period("weekly", date(2026, 12, 30), TZ)["label"] == "2026年12月28日—2027年1月3日"      # across the new year
    m = period("monthly", date(2026, 3, 15), TZ)
    assert datetime.fromtimestamp(m["previous"]["start_ts"], TZ).date() == date(2026, 2, 1)
    assert datetime.fromtimestamp(m["end_ts"], TZ).date() == date(2026, 4, 1)


def test_special_report_of_an_event(demo):
    _, store, _ = demo
    fire = store.events_of(["t:p"])["t:p"]
    report = build_event_report(store, fire, region="131003", tz=TZ)
    doc, text = docx_text(render(report, "docx"))
    assert report["title"].startswith("关于「") and "万庄镇" in report["title"]
    for heading in ("一、事件概况", "二、发展过程", "三、传播情况", "四、舆论态度", "五、风险研判", "六、处置情况", "七、研判与建议"):
        assert heading in text
    alerts = store.list_alerts(10, event=fire)
    assert alerts and f"工单 {alerts[0]['case_id']}" in text
    assert PHONE not in text
    with pytest.raises(KeyError):
        build_event_report(store, "e-999999", region="131003", tz=TZ)


def test_yuqing_report_writes_the_files_and_keeps_the_report(tmp_path):
    yq(tmp_path, "init", "--region", "131003")
    yq(tmp_path, "import", str(DEMO_STREAM))
    out = yq(tmp_path, "report", "daily", "--date", "2026-11-28", "--format", "docx,pdf,html", "-o", "out").stdout.split()
    assert [p.rsplit(".", 1)[1] for p in out] == ["docx", "pdf", "html"]
    assert all((tmp_path / p).exists() if not p.startswith("/") else True for p in out)
    assert "廊坊市广阳区网络舆情日报-2026年11月28日-1.docx" in out[0]
    bad = yq(tmp_path, "report", "daily", "--format", "odt", check=False)
    assert bad.returncode == 2 and "formats are" in bad.stderr
    events = yq(tmp_path, "events", "--since", "30d", "--json").stdout
    first = re.search(r'"id": "(e-\d+)"', events).group(1)
    special = yq(tmp_path, "report", "event", first, "-o", "out").stdout.strip()
    assert special.endswith("-2.docx")
    # DESIGN §5: -o FILE with the format in its suffix
    assert yq(tmp_path, "report", "weekly", "--date", "2026-11-28", "-o", "w/week.pdf").stdout.strip() == "w/week.pdf"
    assert (tmp_path / "w" / "week.pdf").read_bytes().startswith(b"%PDF")


# --- the schedule ------------------------------------------------------------------------------
from test_alerts import robot, settings_for, smtp  # noqa: E402,F401  (fixtures: a robot server, a real SMTP server)


def test_last_trigger_of_each_schedule():
    from yuqing.reports.schedule import last_trigger
    from yuqing.settings import SettingsError

    now = datetime(2026, 11, 28, 7, 0, tzinfo=TZ)                      # a Saturday, 07:00
    assert last_trigger("daily", "08:00", now) == datetime(2026, 11, 27, 8, 0, tzinfo=TZ)
    assert last_trigger("daily", "06:30", now) == datetime(2026, 11, 28, 6, 30, tzinfo=TZ)
    assert last_trigger("weekly", "mon 08:30", now) == datetime(2026, 11, 23, 8, 30, tzinfo=TZ)
    assert last_trigger("weekly", "sat 08:30", now) == datetime(2026, 11, 21, 8, 30, tzinfo=TZ)
    assert last_trigger("monthly", "1 09:00", now) == datetime(2026, 11, 1, 9, 0, tzinfo=TZ)
    assert last_trigger("monthly", "28 09:00", now) == datetime(2026, 10, 28, 9, 0, tzinfo=TZ)
    assert last_trigger("daily", "", now) is None
    for kind, bad in (("daily", "8am"), ("weekly", "monday 08:00"), ("monthly", "31 08:00")):
        with pytest.raises(SettingsError):
            last_trigger(kind, bad, now)


def test_scheduled_reports_are_made_once_and_mailed_with_their_file(tmp_path, smtp, robot):  # noqa: F811
    import email

    from yuqing.alerts.engine import deliver_due
    from yuqing.reports.schedule import due_reports

    (tmp_path / "scheme.yaml").write_text('name: t\nregion: "131003"\n', encoding="utf-8")
    s = settings_for(tmp_path, robot=robot, smtp=smtp, report_channels="mail,hook", report_weekly_at="",
                     scheme=str(tmp_path / "scheme.yaml"),
                     report_monthly_at="", web_base_url="https://yuqing.example.gov.cn")
    store = open_store(s.database_url)
    ingest_stream(read_file(str(DEMO_STREAM), None, {}, s.item_max_bytes), store, s)
    analyze_pending(store, make_analyzer(s), settings=s)
    at_8 = datetime(2026, 11, 29, 8, 0, 30, tzinfo=TZ).timestamp()
    # everything was collected just now: the store was not watching on the 27th or 28th
    assert due_reports(store, s, at_8) == []
    with store.engine.begin() as conn:            # as a store that was collecting all along
        conn.exec_driver_sql("UPDATE items SET collected_ts = published_ts + 60")
    from yuqing.reports import schedule

    schedule._NOT_WATCHED.clear()
    early = due_reports(store, s, at_8 - 60)                    # before 08:00 on the 29th: the 27th's report
    assert [store.get_report(i)["data"]["subtitle"] for i in early] == ["2026年11月27日"]
    made = due_reports(store, s, at_8)
    days = [store.get_report(i)["data"]["subtitle"] for i in made]
    assert "2026年11月28日" in days
    assert due_reports(store, s, at_8 + 60) == []               # once per period, whatever the tick
    sent = deliver_due(store, s, now=at_8 + 61)
    assert sent["sent"] == len(store.messages()) == 4, (sent, store.messages())   # two reports × mail and hook
    mails = [email.message_from_string(m[2]) for m in smtp.messages]
    mail = next(m for m in mails if "2026年11月28日" in str(email.header.make_header(email.header.decode_header(m["Subject"]))))
    parts = [p for p in mail.walk() if p.get_filename()]
    assert len(parts) == 1 and parts[0].get_filename().endswith(".docx")
    from docx import Document

    doc = Document(io.BytesIO(parts[0].get_payload(decode=True)))
    texts = [p.text for p in doc.paragraphs]          # the 红头 first: masthead, 期号, then the title
    assert texts[0] == "网络舆情日报" and re.fullmatch(r"\d{4}年第\d+期", texts[1])
    assert texts[texts.index("廊坊市广阳区网络舆情日报") + 1] == "2026年11月28日"
    hooks = [d for p, d, _ in robot.handler.received if p == "/hook"]
    assert any(h["kind"] == "report" and h["message"]["url"].startswith("https://yuqing.example.gov.cn/reports/")
               for h in hooks)


# --- 绩效自评 ------------------------------------------------------------------------------------

def test_self_evaluation_scores_on_a_constructed_store(tmp_path):
    """Known answers: 600 relevant items (≥500: full marks), cases closed after 60, 90, 200 and 300
    minutes (median 145 min: 20 × 120/145), a sample of 40 rejected items of which 4 involve the
    region (coverage 600 / (600 + 400 × 0.1) = 93.75%: full), ratings 5, 4, 3, 5 (75%: 20 × 0.75/0.8),
    one narrative scored 9 and one not written (0)."""
    from yuqing.alerts.cases import transition
    from yuqing.alerts.users import User
    from yuqing.reports.kpi import coverage_estimate, evaluate, to_docx, to_xlsx, wilson, year_period
    from yuqing.store.schema import items

    store = open_store(f"sqlite:///{tmp_path}/k.db")
    start, end = year_period(2026, TZ)
    t0 = int(datetime(2026, 6, 1, 9, 0, tzinfo=TZ).timestamp())
    rows = [{"id": f"k:{i}", "platform": "news", "text": f"第{i}条", "published_ts": t0 + i, "collected_ts": t0 + i,
             "content_hash": f"h{i}", "relevant": 1 if i < 600 else 0, "analyzed_ts": t0 + i} for i in range(1000)]
    rows.append({"id": "k:old", "platform": "news", "text": "去年的", "published_ts": start - 10, "collected_ts": start - 10,
                 "content_hash": "old", "relevant": 1, "analyzed_ts": start})
    with store.engine.begin() as conn:
        conn.execute(items.insert(), rows)
    analyst, leader = User("小王", "analyst"), User("李科长", "leader")
    for minutes in (60, 90, 200, 300):
        _, case = store.open_alert(event=None, rule="r", level="high", title="t", payload={}, discovered_ts=t0,
                                   now=t0 + 60, sla_s=7200, messages=[])
        for step, who in (("已研判", analyst), ("已上报", analyst), ("处置中", leader), ("已办结", leader)):
            transition(store, case, step, who, now=t0 + minutes * 60)
    assert store.draw_coverage_sample("2026", start, end, 40, seed=1) == 40
    for i, a in enumerate(store.coverage_sample("2026")):
        store.judge_coverage(a["id"], i < 4, "小王")
    report_id = store.add_report({"kind": "daily", "title": "t", "subtitle": "s", "period": {}, "sections": []}, "x")
    for rating in (5, 4, 3, 5):
        store.add_feedback(report_id, "李科长", rating)
    store.set_kpi_note("2026", "ecology", "全年网络生态良好", 9, "评价人")
    ev = evaluate(store, start, end, "2026")
    got = {r["key"]: r for r in ev["rows"]}
    assert [r["weight"] for r in ev["rows"]] == [20, 20, 20, 20, 10, 10]
    assert got["quantity"]["score"] == 20 and got["quantity"]["actual"] == "600 条"
    assert got["timeliness"]["median_min"] == 145.0 and got["timeliness"]["score"] == round(20 * 120 / 145, 2)
    assert got["coverage"]["coverage"] == 0.9375 and got["coverage"]["score"] == 20
    lo, hi = wilson(4, 40)
    assert got["coverage"]["low"] == round(600 / (600 + 400 * hi), 4) < 0.9375 < got["coverage"]["high"]
    assert got["satisfaction"]["score"] == 18.75 and got["satisfaction"]["actual"] == "75.0%"
    assert got["ecology"]["score"] == 9 and got["sustainability"]["score"] == 0
    assert ev["total"] == round(20 + 20 * 120 / 145 + 20 + 18.75 + 9, 2)
    # the exports carry the same table
    from docx import Document
    from openpyxl import load_workbook

    doc = Document(io.BytesIO(to_docx(ev, "2026 年度舆情监测项目绩效自评表")))
    cells = [[c.text for c in row.cells] for row in doc.tables[0].rows]
    assert cells[0][:4] == ["一级指标", "二级指标", "三级指标", "分值"] and cells[-1][6] == str(ev["total"])
    ws = load_workbook(io.BytesIO(to_xlsx(ev, "t"))).active
    assert [ws.cell(3 + i, 7).value for i in range(6)] == [r["score"] for r in ev["rows"]]
    # nothing judged: coverage cannot be claimed
    assert coverage_estimate(600, 400, 0, 0)["coverage"] is None


def test_yuqing_kpi_prints_and_exports(tmp_path):
    yq(tmp_path, "init", "--region", "131003")
    yq(tmp_path, "import", str(DEMO_STREAM))
    out = yq(tmp_path, "kpi", "--year", "2026", "--format", "docx,xlsx", "-o", "k")
    assert "绩效自评 2026:" in out.stdout and "涉及本地舆情覆盖率" in out.stdout
    assert (tmp_path / "k" / "绩效自评-2026.docx").exists() and (tmp_path / "k" / "绩效自评-2026.xlsx").exists()
    yq(tmp_path, "kpi", "--year", "2026", "-o", "kpi2026.xlsx")
    assert (tmp_path / "kpi2026.xlsx").read_bytes()[:2] == b"PK"
    assert "items drawn" in yq(tmp_path, "kpi", "audit", "--year", "2026", "--size", "10").stdout
    yq(tmp_path, "kpi", "note", "--year", "2026", "--indicator", "sustainability", "--score", "8", "--text", "建立值班制度")
    assert "建立值班制度" in yq(tmp_path, "kpi", "--year", "2026").stdout
    assert yq(tmp_path, "kpi", "note", "--indicator", "ecology", "--score", "11", "--text", "x", check=False).returncode == 2



def test_the_self_evaluation_counts_one_basis_and_keeps_a_backfill_apart(tmp_path):
    """Issue 16: items and events both by publication time within the year; items collected long
    after they were published (an import of history) are shown apart, not as the year's work."""
    from yuqing.reports.kpi import evaluate, year_period
    from yuqing.store.schema import items

    store = open_store(f"sqlite:///{tmp_path}/b.db")
    start, end = year_period(2026, TZ)
    t = int(datetime(2026, 6, 1, 9, 0, tzinfo=TZ).timestamp())
    later = int(datetime(2026, 11, 20, 9, 0, tzinfo=TZ).timestamp())
    rows = [{"id": f"live:{i}", "platform": "news", "text": f"实时{i}", "published_ts": t + i, "collected_ts": t + i + 60,
             "content_hash": f"l{i}", "relevant": 1, "analyzed_ts": t + i} for i in range(30)]
    rows += [{"id": f"late:{i}", "platform": "complaint", "text": f"补采{i}", "published_ts": t + i, "collected_ts": later,
              "content_hash": f"b{i}", "relevant": 1 if i % 2 else 0, "analyzed_ts": later} for i in range(40)]
    rows += [{"id": f"y2019:{i}", "platform": "complaint", "text": f"旧{i}", "content_hash": f"o{i}", "relevant": 1,
              "published_ts": int(datetime(2019, 5, 1, tzinfo=TZ).timestamp()) + i, "collected_ts": later,
              "analyzed_ts": later} for i in range(5)]
    with store.engine.begin() as conn:
        conn.execute(items.insert(), rows)
    counts = store.period_counts(start, end)
    assert counts["collected"] == 30 and counts["relevant_originals"] == 30
    assert counts["backfill"] == 40 and counts["backfill_relevant"] == 20
    y2019 = store.period_counts(*year_period(2019, TZ))
    assert y2019["collected"] == 0 and y2019["events"] == 0 and y2019["backfill"] == 5
    quantity = next(r for r in evaluate(store, start, end, "2026")["rows"] if r["key"] == "quantity")
    assert quantity["actual"] == "30 条" and "事后补采的期内信息 40 条" in quantity["basis"] and "None" not in quantity["basis"]


# --- briefings ready to circulate (issue 16, part 6) ---------------------------------------------

OFFICE = {"masthead": "广阳网信舆情", "year": 2026, "number": 7, "office": "中共廊坊市广阳区委网信办",
          "signer": "张主任", "cc": "区委办、区政府办", "date": "2026年11月29日"}
# a statement that lands closing marks on every column a line can end at (the font is monospaced
# for CJK): some line would start with one under a break-anywhere rule
CRAMMED = "".join(f"第{i}条，" + "广" * (i % 7) + "。" + "「重点」" + "、" * (i % 3) for i in range(1, 60))


def pdf_lines(pdf: bytes, tmp_path) -> list[str]:
    (tmp_path / "b.pdf").write_bytes(pdf)
    out = subprocess.run(["pdftotext", "-layout", str(tmp_path / "b.pdf"), "-"], capture_output=True, text=True, check=True)
    return [line.strip() for line in out.stdout.splitlines() if line.strip()]


def test_pdf_lines_never_start_with_a_closing_mark_and_the_red_masthead_is_there(demo, tmp_path):
    from PIL import Image

    from yuqing.reports.linebreak import NO_START

    if not shutil.which("pdftoppm"):
        pytest.fail("pdftoppm missing: .ci/run installs poppler-utils")
    _, store, _ = demo
    report = build_period_report(store, "weekly", DAY, region="131003", tz=TZ)
    report["office"] = OFFICE
    report["sections"][1]["statements"].append({"text": CRAMMED, "refs": [{"type": "item", "id": "demo:00001", "label": "原文"}]})
    report["sections"][1]["tables"].append({"title": "挤满标点的表", "columns": ["内容", "说明"], "refs": [],
                                            "rows": [[CRAMMED[:180], "说明" + CRAMMED[180:300]]] * 3})
    lines = pdf_lines(render(report, "pdf"), tmp_path)
    starts = [line for line in lines if line[0] in NO_START and not line.startswith("—")]   # — 1 — page numbers
    assert not starts, starts[:5]
    text = "\n".join(lines)
    assert "广阳网信舆情" in text and "2026年第7期" in text and "中共廊坊市广阳区委网信办" in text
    assert "抄送：区委办、区政府办" in text and "签发：张主任" in text
    # the masthead is red: the top of page one holds red ink
    subprocess.run(["pdftoppm", "-r", "50", "-f", "1", "-l", "1", "-png", str(tmp_path / "b.pdf"), str(tmp_path / "p")], check=True)
    with Image.open(next(tmp_path.glob("p*.png"))) as im:
        rgb = im.convert("RGB")
        top = rgb.crop((0, 0, rgb.width, rgb.height // 4))
        import numpy as np

        px = np.asarray(top).astype(int)
        red = int(((px[..., 0] > 150) & (px[..., 1] < 80) & (px[..., 2] < 80)).sum())
    assert red > 300, red


def test_a_break_anywhere_rule_would_fail_that_check(tmp_path):
    """The check above can fail: fpdf2's own breaking of the same text puts marks first."""
    from fpdf import FPDF

    from yuqing.reports.fonts import SERIF, font_path
    from yuqing.reports.linebreak import NO_START

    pdf = FPDF(format="A4", unit="mm")
    pdf.add_font("serif", "", str(font_path(SERIF)))
    pdf.add_page()
    pdf.set_font("serif", size=12)
    pdf.write(7.5, "　　" + CRAMMED, wrapmode="CHAR")
    assert [line for line in pdf_lines(bytes(pdf.output()), tmp_path) if line[0] in NO_START]


def test_docx_has_the_masthead_and_keeps_headings_and_captions_with_what_follows(demo):
    _, store, _ = demo
    report = build_period_report(store, "weekly", DAY, region="131003", tz=TZ)
    report["office"] = OFFICE
    doc, text = docx_text(render(report, "docx"))
    paragraphs = [p.text for p in doc.paragraphs]
    assert paragraphs[:2] == ["广阳网信舆情", "2026年第7期"] and paragraphs[2] == "中共廊坊市广阳区委网信办\t2026年11月29日"
    assert doc.paragraphs[0].runs[-1].font.color.rgb == (0xC0, 0x00, 0x00)
    assert "抄送：区委办、区政府办" in paragraphs and "签发：张主任" in paragraphs
    for p in doc.paragraphs:
        if re.match(r"[一二三四五六七]、", p.text) or p.text in ("重点事件", "关键词", "高风险信息"):
            assert p.paragraph_format.keep_with_next, p.text


def test_made_reports_carry_the_office_template_and_number_their_issues(tmp_path):
    from yuqing.reports.make import make_report

    s, store = analysed_demo_store(tmp_path)
    s = s.__class__({**s.values, "report_masthead": "广阳网信舆情", "report_office": "区委网信办", "report_cc": "区委办"},
                    (), None, tmp_path)
    first = make_report(store, s, "daily", "t", DAY)
    second = make_report(store, s, "daily", "t", DAY - timedelta(days=1))
    weekly = make_report(store, s, "weekly", "t", DAY)
    numbers = [store.get_report(i)["data"]["office"]["number"] for i in (first, second, weekly)]
    assert numbers == [1, 2, 1]                                  # per kind and year
    assert store.get_report(first)["data"]["office"]["masthead"] == "广阳网信舆情"


def test_key_events_by_risk_and_negativity_before_heat(demo):
    _, store, _ = demo
    report = build_period_report(store, "weekly", DAY, region="131003", tz=TZ)
    ranked = [store.get_event(r["id"]) for r in report["sections"][1]["tables"][0]["refs"]]
    levels = [{"high": 2, "medium": 1, "low": 0}[e["risk"]["level"]] for e in ranked]
    assert levels == sorted(levels, reverse=True) and levels[0] == 2
    heats = [e["heat"]["value"] for e in ranked]
    assert heats != sorted(heats, reverse=True)          # by heat alone publicity would sit higher


def test_a_period_not_over_says_so_and_compares_like_with_like(demo):
    _, store, _ = demo
    week = period("weekly", DAY, TZ)
    as_of = week["start_ts"] + 3 * 86400 + 5 * 3600           # Thursday 05:00
    report = build_period_report(store, "weekly", DAY, region="131003", tz=TZ, as_of=as_of)
    assert report["subtitle"].endswith("（截至11月26日05:00）")
    assert report["period"]["previous"]["end_ts"] - report["period"]["previous"]["start_ts"] == as_of - week["start_ts"]
    assert "与上期同一时段相比" in report["sections"][0]["statements"][0]["text"]
    done = build_period_report(store, "weekly", DAY, region="131003", tz=TZ, as_of=week["end_ts"] + 60)
    assert "截至" not in done["subtitle"] and "同一时段" not in done["sections"][0]["statements"][0]["text"]


def test_the_special_reports_timeline_keeps_quiet_hours():
    from yuqing.reports.build import timeline_chart

    c = timeline_chart([["2026-11-28T09", 3], ["2026-11-28T13", 1]])
    assert c["x"] == ["11-28 09时", "11-28 10时", "11-28 11时", "11-28 12时", "11-28 13时"] and c["series"]["信息"] == [3, 0, 0, 0, 1]
    long = timeline_chart([["2026-11-01T09", 3], ["2026-11-10T13", 1]])
    assert long["title"] == "每日信息量" and len(long["x"]) == 10 and sum(long["series"]["信息"]) == 4


def test_emoji_leave_the_pdf_instead_of_drawing_boxes(tmp_path):
    from yuqing.reports.render import without_emoji

    assert without_emoji("今天去南尖塔镇办事，半小时就办完了👍❤️👨‍👩‍👧") == "今天去南尖塔镇办事，半小时就办完了"
    assert without_emoji("𠮷野家〔原文 x〕") == "𠮷野家〔原文 x〕"          # a rare 汉字 stays, drawable or not
    report = {"kind": "brief", "title": "网络舆情简报👍", "subtitle": "s", "period": {"end_ts": 0},
              "sections": [{"heading": "一、重点信息", "statements": [{"text": "办完了👍，服务好😀", "refs": []}],
                            "charts": [], "tables": []}]}
    text = "\n".join(pdf_lines(render(report, "pdf"), tmp_path))
    assert "办完了，服务好" in text and "网络舆情简报" in text
