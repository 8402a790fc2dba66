"""The journeys a person makes, in Debian's headless Chromium driven by Playwright, against the
app served by uvicorn on 127.0.0.1 over a real store. A failing journey leaves a screenshot in
test-artifacts/. Chromium comes from apt (.ci/run); Playwright never downloads a browser.
"""

from __future__ import annotations

import csv
import io
import os
import re
import shutil
import socket
import threading
import time
from contextlib import contextmanager
from pathlib import Path

import pytest

from conftest import analysed_demo_store
from yuqing.alerts.users import hash_password

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
PASSWORD = "一个足够长的密码"
ARTIFACTS = Path(__file__).resolve().parent.parent / "test-artifacts"

if not os.path.exists(CHROMIUM):
    if os.environ.get("YUQING_REQUIRE_BROWSER"):
        raise RuntimeError(f"{CHROMIUM} is missing; .ci/run installs Debian's chromium")
    pytest.skip("Debian's chromium is not installed (apt install chromium)", allow_module_level=True)
sync_api = pytest.importorskip("playwright.sync_api")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def server(tmp_path_factory):

    from yuqing.web.app import create_app

    s, store = analysed_demo_store(tmp_path_factory.mktemp("browser"))
    store.add_user("小王", "analyst", hash_password(PASSWORD), None, by="test")
    store.add_user("李科长", "leader", hash_password(PASSWORD), None, by="test")
    with serving(create_app(s, store)) as base:
        yield base, store


@contextmanager
def serving(app):
    """The app under uvicorn on a free port of 127.0.0.1, in a thread; yields its address."""
    import uvicorn

    port = free_port()
    srv = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=srv.run, daemon=True)
    thread.start()
    deadline = time.time() + 20
    while not srv.started and time.time() < deadline:
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        srv.should_exit = True
        thread.join(10)


@pytest.fixture(scope="module")
def browser():
    with sync_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox", "--disable-dev-shm-usage"])
        yield b
        b.close()


@pytest.fixture
def page(browser, request):
    context = browser.new_context(viewport={"width": 1366, "height": 900}, accept_downloads=True, locale="zh-CN")
    pg = context.new_page()
    problems: list[str] = []
    pg.on("pageerror", lambda e: problems.append(f"page error: {e}"))
    pg.on("console", lambda m: problems.append(f"console {m.type}: {m.text}") if m.type == "error" else None)
    # a download ends its navigation with ERR_ABORTED: that is how Chromium hands it over
    # and a page left at once (a click straight after load) aborts its favicon: neither is a failure
    pg.on("requestfailed", lambda r: None if re.search(r"/export\.|/reports/\d+\.|/favicon\.svg$", r.url)
          and "ERR_ABORTED" in (r.failure or "")
          else problems.append(f"request failed: {r.url} {r.failure}"))
    pg.problems = problems
    yield pg
    if getattr(request.node, "rep_call", None) is not None and request.node.rep_call.failed:   # conftest.py
        ARTIFACTS.mkdir(exist_ok=True)
        pg.screenshot(path=str(ARTIFACTS / f"{request.node.name}.png"), full_page=True)
    context.close()


def log_in(page, base: str, name: str) -> None:
    page.goto(f"{base}/")
    assert "/login" in page.url
    page.fill("input[name=name]", name)
    page.fill("input[name=password]", PASSWORD)
    page.click("form[action='/login'] button")
    page.wait_for_url(f"{base}/")


def take_steps(page, steps, response=None):
    for step in steps:
        page.fill("form.steps input[name=note]", f"{step}：值班处理")
        if response and step == "已办结":
            page.fill("form.steps input[name=response]", response)
        page.click(f"form.steps button[value='{step}']")
        # the step posts the form and the page reloads: expect() retries across the navigation,
        # where a predicate run mid-load would find no #case-state and fail
        sync_api.expect(page.locator("#case-state")).to_have_text(step)


def test_overview_hottest_event_alert_case_to_closed(server, page, browser):
    base, store = server
    log_in(page, base, "小王")
    # the overview draws its charts (canvas) from the local ECharts and loads nothing from elsewhere
    page.wait_for_selector("#c-hours[data-drawn] canvas")
    page.wait_for_selector("#c-sentiment[data-drawn] canvas")
    assert page.locator("h2", has_text="热点事件").count() == 1
    # open the hottest event: the first row of the hot-events table
    hottest = store.list_events(None, 1)[0]
    page.locator("table.hot-events a").first.click()
    page.wait_for_url(f"{base}/events/{hottest['id']}")
    page.wait_for_selector("#c-timeline[data-drawn] canvas")
    assert hottest["title"] in page.inner_text("h1")
    # its alert → its case; the analyst assesses and reports up
    page.locator("a.alert-link").first.click()
    page.wait_for_url(re.compile(r"/cases/\d+$"))
    case_url = page.url
    case_id = int(case_url.rsplit("/", 1)[1])
    assert page.locator("form.steps button").all_inner_texts() == ["已研判", "误报"]
    take_steps(page, ["已研判", "已上报"])
    assert page.locator("form.steps").count() == 0        # 处置中 is the leader's step
    assert not page.problems, page.problems
    # the leader starts the handling and closes it
    leader = browser.new_context(viewport={"width": 1366, "height": 900}, locale="zh-CN").new_page()
    log_in(leader, base, "李科长")
    leader.goto(case_url)
    take_steps(leader, ["处置中", "已办结"], response="已通知应急管理局现场处置")
    case = store.get_case(case_id)
    assert case["state"] == "已办结" and case["response"] == "已通知应急管理局现场处置"
    assert [(r["user"], r["to_state"]) for r in store.case_log(case_id) if r["action"] == "transition"] == \
        [("小王", "已研判"), ("小王", "已上报"), ("李科长", "处置中"), ("李科长", "已办结")]
    assert "用时" in leader.inner_text("main")
    leader.context.close()


def test_a_daily_report_is_generated_and_downloaded(server, page, tmp_path):
    from docx import Document

    base, store = server
    log_in(page, base, "小王")
    page.click("header a[href='/reports']")
    page.fill("form.make-report input[name=day]", "2026-11-28")
    page.select_option("form.make-report select[name=kind]", "daily")
    page.click("form.make-report button")
    page.wait_for_url(re.compile(r"/reports/\d+$"))
    assert page.inner_text("h1") == "廊坊市广阳区网络舆情日报"
    page.wait_for_selector("img[alt='各平台信息量']")
    with page.expect_download() as dl:
        page.click("a.download[href$='.docx']")
    path = tmp_path / "report.docx"
    dl.value.save_as(path)
    assert dl.value.suggested_filename == "廊坊市广阳区网络舆情日报-2026年11月28日-" + page.url.rsplit("/", 1)[1] + ".docx"
    doc = Document(str(path))
    texts = [p.text for p in doc.paragraphs]
    assert texts[0] == "网络舆情日报" and re.fullmatch(r"\d{4}年第\d+期", texts[1])    # the 红头
    assert "廊坊市广阳区网络舆情日报" in texts
    assert any(p.text == "五、处置情况" for p in doc.paragraphs)
    assert not page.problems, page.problems


def test_search_and_export_masks_personal_data(server, page, tmp_path):
    base, store = server
    log_in(page, base, "小王")
    page.click("header a[href='/search']")
    page.fill("input[name=q]", "万庄镇 火灾")
    page.select_option("select[name=since]", "")
    page.click("form[action='/search'] button")
    page.wait_for_url(re.compile(r"/search\?.*q="))
    marks = page.locator("mark")
    assert marks.count() > 0 and set(marks.all_inner_texts()) <= {"万庄镇", "火灾"}
    shown = int(re.search(r"共 (\d+) 条", page.inner_text("#total")).group(1))
    assert shown > 0
    with page.expect_download() as dl:
        page.click("a[href^='/search/export.csv']")
    path = tmp_path / "export.csv"
    dl.value.save_as(path)
    rows = list(csv.reader(io.StringIO(path.read_text(encoding="utf-8-sig"))))
    assert len(rows) == shown + 1
    assert not re.search(r"1[3-9]\d{9}", path.read_text(encoding="utf-8-sig"))
    with page.expect_download() as dl:
        page.click("a[href^='/search/export.xlsx']")
    assert dl.value.suggested_filename.endswith(".xlsx")
    assert not page.problems, page.problems


def test_live_alerts_arrive_without_a_reload(server, page):
    """The overview's alert list is refreshed by htmx: an alert raised while the page is open shows."""
    base, store = server
    log_in(page, base, "小王")
    page.wait_for_selector("#live-alerts table")
    page.evaluate("() => document.querySelector('#live-alerts').setAttribute('hx-trigger', 'every 1s')")
    page.evaluate("() => htmx.process(document.querySelector('#live-alerts'))")
    now = time.time()
    store.open_alert(event=None, rule="测试规则", level="high", title="新预警：浏览器里实时出现", payload={"reasons": ["测试"]},
                     discovered_ts=int(now), now=now, sla_s=7200, messages=[])
    page.wait_for_selector("#live-alerts >> text=新预警：浏览器里实时出现", timeout=10_000)
    assert not page.problems, page.problems


def listed_ids(page) -> list[str]:
    return page.eval_on_selector_all("table.list input[name=ids]", "els => els.map(e => e.value)")


def test_browse_and_filter_without_a_keyword_and_page_through_250_results(server, page):
    base, store = server
    log_in(page, base, "小王")
    page.click("header a[href='/search']")
    page.wait_for_selector("table.list")
    assert "涉及本区信息" in page.inner_text("#total")             # the default scope, said so
    page.click("h1 .tabs a:has-text('全部')")
    page.wait_for_url(re.compile(r"scope=all"))
    total = int(re.search(r"共 (\d+) 条", page.inner_text("#total")).group(1))
    assert total == store.count_items() >= 250
    seen: list[str] = []
    for n in range(1, 6):                                          # 5 pages of 50: 250 results
        assert f"第 {n} / " in page.inner_text("#total")
        seen += listed_ids(page)
        page.click("p.pager a:text-is('下一页')")
        page.wait_for_url(re.compile(rf"page={n + 1}"))
    assert len(seen) == 250 == len(set(seen))
    times = [r["published_ts"] for r in sorted(store.get_items(seen), key=lambda r: seen.index(r["id"]))]
    assert times == sorted(times, reverse=True)                    # newest first across the pages
    # a filter with no keyword: low risk, weibo only, sorted by interactions
    page.select_option("form.filters select[name=risk]", "low")
    page.select_option("form.filters select[name=platform]", "weibo")
    page.select_option("form.filters select[name=sort]", "interactions")
    page.click("form.filters button")
    page.wait_for_url(re.compile(r"risk=low"))
    assert "page=" not in page.url                                  # a new question starts at page 1
    risks = page.locator("table.list tr td:nth-child(8)").all_inner_texts()
    platforms = page.locator("table.list tr td:nth-child(3)").all_inner_texts()
    assert risks and set(risks) == {"低"} and set(platforms) == {"微博"}
    counts = [int(x or 0) for x in page.locator("table.list tr td:nth-child(10)").all_inner_texts()]
    assert counts == sorted(counts, reverse=True)
    assert not page.problems, page.problems


def test_tick_items_into_a_brief_and_download_it(server, page, tmp_path):
    from docx import Document

    base, store = server
    log_in(page, base, "小王")
    page.goto(f"{base}/search?risk=high")
    boxes = page.locator("table.list input[name=ids]")
    chosen = [boxes.nth(i).get_attribute("value") for i in range(3)]
    for i in range(3):
        boxes.nth(i).check()
    assert page.inner_text("[data-ticked]") == "3"
    page.click("form.bulk button[value=pick]")
    page.wait_for_selector("#notice")
    assert "已加入简报 3 条" in page.inner_text("#notice")
    page.goto(f"{base}/events?risk=high")
    page.locator("table.list input[name=ids]").first.check()
    page.click("form.bulk button")
    page.wait_for_selector("#notice")
    page.click("a[href='/picks']")
    page.wait_for_url(f"{base}/picks")
    page.click("#make-brief")
    page.wait_for_url(re.compile(r"/reports/\d+$"))
    assert "网络舆情简报" in page.inner_text("h1")
    with page.expect_download() as dl:
        page.click("a.download[href$='.docx']")
    path = tmp_path / "brief.docx"
    dl.value.save_as(path)
    text = "\n".join(p.text for p in Document(str(path)).paragraphs)
    assert "一、重点事件" in text and "二、重点信息" in text and "三、研判与建议" in text
    for item in store.get_items(chosen):
        assert (item["title"] or item["text"])[:20].replace("\n", " ") in text.replace("\n", " ")
    assert store.list_picks("小王") == {"item": [], "event": []}
    assert not page.problems, page.problems


def test_mark_an_item_not_relevant_and_see_the_scheme_feedback(server, page):
    base, store = server
    log_in(page, base, "小王")
    page.goto(f"{base}/search")
    box = page.locator("table.list input[name=ids]").first
    wrong = box.get_attribute("value")
    box.check()
    page.click("form.bulk button[value=no]")
    page.wait_for_selector("#notice")
    assert "标为不相关" in page.inner_text("#notice")
    assert wrong not in listed_ids(page)                            # it left 涉及本区
    assert store.get_items([wrong])[0]["relevance"] == "no"
    page.click("header a[href='/scheme']")
    page.wait_for_selector("#feedback")
    assert re.search(r"人工判为不相关：\s*[1-9]", page.inner_text("main"))
    assert page.locator(f"table.feedback a[href='/items/{wrong}']").count() == 1
    assert not page.problems, page.problems


def test_importing_history_raises_no_live_alert(server, page):
    """History imported with the default settings (48 h): its items are in the list, and the
    alert inbox the analyst watches gains nothing."""
    from yuqing.models import Raw
    from yuqing.pipeline import analyze_pending, ingest_stream, make_analyzer
    from yuqing.settings import load_settings

    base, store = server
    log_in(page, base, "小王")
    page.goto(f"{base}/alerts")
    before = page.locator("table tr").count()
    alerts_before = store.alert_counts()["alerts"]
    history = [{"id": f"hist:{i}", "platform": "complaint", "published_at": f"2019-0{1 + i % 9}-1{i % 10}T09:00:00+08:00",
                "text": f"广阳区万庄镇{i}号仓库发生火灾，造成{i + 2}人死亡，多人受伤被送医"} for i in range(12)]
    db = store.engine.url.database
    scheme = Path(db).parent / "scheme.yaml"
    s = load_settings(env={}, database_url=f"sqlite:///{db}", scheme=str(scheme), ingest_workers=0)
    s = s.__class__(s.values, (), None, scheme.parent)
    assert s.alert_max_age_hours == 48
    ingest_stream((Raw("history.jsonl", h) for h in history), store, s)
    analyze_pending(store, make_analyzer(s), settings=s)
    assert store.get_items(["hist:3"])[0]["risk"] == "high"
    assert store.alert_counts()["alerts"] == alerts_before
    page.reload()
    assert page.locator("table tr").count() == before
    page.goto(f"{base}/search?q=仓库 死亡&start=2019-01-01&end=2019-12-31")
    assert "共 12 条" in page.inner_text("#total")
    assert "2019-" in page.locator("table.list tr td:nth-child(2)").first.inner_text()   # a year on old rows
    assert not page.problems, page.problems


def test_the_overview_word_cloud_is_drawn_from_the_local_extension(server, page):
    base, _ = server
    log_in(page, base, "小王")
    deadline = time.time() + 30
    while page.locator("#c-words").count() == 0 and time.time() < deadline:   # trends: a background job
        time.sleep(0.5)
        page.reload()
    page.wait_for_selector("#c-words[data-drawn] canvas")
    words = page.eval_on_selector("script[data-chart='c-words']", "s => JSON.parse(s.textContent).series[0].data.map(d => d.name)")
    assert len(words) >= 10 and not {"示例", "尖塔", "广阳区", "廊坊"} & set(words)
    assert not page.problems, page.problems


@pytest.fixture(scope="module")
def schemes_server(tmp_path_factory):
    """The demo's three schemes — the district, a town, a project with a word rule — judged as
    the items come, a user limited to the town."""

    from test_web_schemes import TOWN
    from yuqing.configfile import remember_scheme
    from yuqing.pipeline import analyze_pending, ingest_stream, make_analyzer
    from yuqing.reports.make import make_report
    from yuqing.settings import load_settings
    from yuqing.sources.files import read_file
    from yuqing.store import open_store
    from yuqing.web.app import create_app

    from datetime import date

    from conftest import ROOT

    d = tmp_path_factory.mktemp("browser-schemes")
    (d / "scheme.yaml").write_text('name: 广阳区\nregion: "131003"\nalert:\n  min_risk: high\n', encoding="utf-8")
    s = load_settings(env={}, database_url=f"sqlite:///{d}/y.db", scheme=str(d / "scheme.yaml"), ingest_workers=0,
                      alert_max_age_hours=1e9)
    s = s.__class__(s.values, (), None, d)
    store = open_store(s.database_url)
    remember_scheme(store, d / "scheme.yaml")
    store.add_scheme_version("wanzhuang", TOWN, "test", "新建", owner="万庄镇")
    store.add_scheme_version("project", (ROOT / "src/yuqing/data/demo/schemes/laojiu.yaml").read_text(encoding="utf-8"),
                             "test", "新建", owner="住建局")
    ingest_stream(read_file(str(ROOT / "src/yuqing/data/demo/stream.jsonl"), None, {}, s.item_max_bytes), store, s)
    analyze_pending(store, make_analyzer(s), settings=s)
    town = store.scheme("wanzhuang")["id"]
    store.add_user("小王", "analyst", hash_password(PASSWORD), None, by="test")
    store.add_user("万庄", "analyst", hash_password(PASSWORD), None, by="test", schemes=[town])
    reports = {"district": make_report(store, s, "daily", "test", date(2026, 11, 28)),
               "town": make_report(store.scoped(town), s, "daily", "test", date(2026, 11, 28))}
    with serving(create_app(s, store)) as base:
        yield base, store, reports


def test_switching_schemes_and_a_user_limited_to_one(schemes_server, page, browser):
    base, store, reports = schemes_server
    town = store.scheme("wanzhuang")["id"]
    log_in(page, base, "小王")
    # 全部方案: one line per scheme
    page.select_option("form.scheme-switch select", "all")
    page.wait_for_url(f"{base}/?scheme=all")
    lines = page.locator("table.schemes tr td:first-child a").all_inner_texts()
    assert lines == ["广阳区", "万庄镇", "民生工程（老旧小区改造·供暖）"]
    # the switcher takes the analyst to the town: its numbers, its events, its alerts
    page.select_option("form.scheme-switch select", "wanzhuang")
    page.wait_for_url(f"{base}/?scheme=wanzhuang")
    assert "涉及「万庄镇」" in page.inner_text(".cards")
    page.click("header a[href='/events']")
    page.wait_for_url(f"{base}/events")
    assert page.locator("form.scheme-switch select").input_value() == "wanzhuang"     # kept
    listed = set(re.findall(r"/events/(e-\d+)", page.content()))
    assert listed and all(town in store.schemes_of_event(e) for e in listed)
    page.click("header a[href='/alerts']")
    page.wait_for_url(f"{base}/alerts")
    assert {a["scheme"] for a in store.scoped(town).list_alerts(100)} == {town}
    # the project: its word rule's items only
    page.select_option("form.scheme-switch select", "project")
    page.wait_for_url(re.compile(r"scheme=project"))
    page.goto(f"{base}/search")
    assert "涉及「民生工程" in page.inner_text("main")
    assert not page.problems, page.problems

    # the town's analyst: only the town, whatever the address says
    limited = browser.new_context(viewport={"width": 1366, "height": 900}, locale="zh-CN").new_page()
    log_in(limited, base, "万庄")
    options = limited.locator("form.scheme-switch select option").all_inner_texts()
    assert options == ["万庄镇"]
    owners = store.schemes_of_items([r["id"] for r in store.iter_items()])
    district_only = next(i for i, s in owners.items() if s == {1})
    other_event = next(e["id"] for e in store.list_events(None, 1000) if town not in store.schemes_of_event(e["id"]))
    for path in (f"/items/{district_only}", f"/events/{other_event}", f"/reports/{reports['district']}",
                 "/?scheme=default", "/possible"):
        got = limited.goto(f"{base}{path}")
        assert got.status == 403 and "无权限" in limited.inner_text("body"), path
    for path in (f"/api/items/{district_only}", f"/api/reports/{reports['district']}", "/api/items?scheme=default"):
        assert limited.request.get(f"{base}{path}").status == 403, path
    assert limited.goto(f"{base}/reports/{reports['town']}").status == 200
    limited.goto(f"{base}/search?scope=all&per=100")
    shown = set(re.findall(r'href="/items/([^"]+)"', limited.content()))
    assert shown and all(town in owners[i] for i in shown)
    limited.context.close()
