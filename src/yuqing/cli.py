"""The `yuqing` command: thin click commands over library functions (DESIGN §5)."""

from __future__ import annotations

import json
import logging
import os
import sys
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

import click

from .settings import SettingsError, load_settings


STOP_GRACE_S = 10.0     # SIGTERM: the step under way has this long to end before the process exits


def _echo_json(obj) -> None:
    click.echo(json.dumps(obj, ensure_ascii=False, indent=2, default=str))


def _err(msg: str) -> None:
    click.echo(msg, err=True)


class Ctx:
    def __init__(self, config: str | None):
        self.config = config
        self._settings = None
        self._store = None
        self.analyzer = None      # kept for the life of the command: its near-duplicate index grows

    @property
    def settings(self):
        if self._settings is None:
            try:
                self._settings = load_settings(self.config)
            except SettingsError as exc:
                raise click.UsageError(str(exc)) from None
            logging.basicConfig(level=self._settings.log_level, stream=sys.stderr,
                                format="%(asctime)s %(levelname)s %(name)s: %(message)s")
        return self._settings

    @property
    def store(self):
        if self._store is None:
            from .store import open_store

            settings = self.settings
            if settings.config_path is None and not os.environ.get("YUQING_DATABASE_URL") \
                    and settings.database_url == f"sqlite:///{Path('yuqing.db').resolve()}" \
                    and not Path("yuqing.db").exists():
                # not an initialised folder: an empty store here would only hide the mistake
                raise click.UsageError("这里没有 yuqing.toml，也没有库：请先运行 yuqing init --region 地名或代码"
                                       "（如 yuqing init --region 广阳区），或用 --config 指定配置文件")
            try:
                self._store = open_store(self.settings.database_url)
            except (ValueError, NotImplementedError) as exc:
                raise click.UsageError(str(exc)) from None
        return self._store


pass_ctx = click.make_pass_decorator(Ctx)

# --scheme on the commands that read results: what one scheme of the store sees
IN_SCHEME = click.option("--scheme", "in_scheme", metavar="KEY",
                         help="Only what this scheme of the store involves (its key, name or number; "
                              "see yuqing scheme list). Default: the store as a whole.")


def _scoped(ctx: "Ctx", ref: str | None):
    """(the store seen by scheme `ref`, its row), or (the whole store, None) without one."""
    if not ref:
        return ctx.store, None
    row = _scheme_row(ctx, ref)
    return ctx.store.scoped(row["id"]), row


def _load_analyzer(settings, scheme_path: str | None = None, configured: bool = True):
    from .scheme import SchemeError
    from .pipeline import make_analyzer

    try:
        return make_analyzer(settings, scheme_path, configured)
    except (SchemeError, FileNotFoundError, KeyError) as exc:
        raise click.UsageError(str(exc)) from None


def _analyze_stored(ctx: "Ctx", tally=None) -> int:
    """Run the analysis stage over stored items waiting for it (after an import or a poll) and
    say how they were judged: 涉及本区, 疑似, 不涉及 and why not."""
    from .analysis.relevance import RelevanceTally
    from .pipeline import StageBusy, analyze_pending, worker_count

    if ctx.analyzer is None:
        ctx.analyzer = _load_analyzer(ctx.settings)
    started = time.perf_counter()
    tally = tally if tally is not None else RelevanceTally()
    try:
        n = analyze_pending(ctx.store, ctx.analyzer, ctx.settings.analyze_batch_size,
                            workers=worker_count(ctx.settings), settings=ctx.settings, tally=tally)
    except StageBusy as exc:
        _err(f"not analysed here: {exc}")
        return 0
    if n:
        _err(f"analysed {n} items ({time.perf_counter() - started:.1f} s): {tally.sentence()}")
    return n
json_option = click.option("--json", "as_json", is_flag=True, help="One JSON document on stdout.")


class _Commands(click.Group):
    """What a person reads is a sentence, never a traceback (YUQING_LOG_LEVEL=DEBUG shows it)."""

    def invoke(self, ctx: click.Context):
        from sqlalchemy.exc import OperationalError

        try:
            return super().invoke(ctx)
        except (click.ClickException, click.exceptions.Exit, click.exceptions.Abort, SystemExit, KeyboardInterrupt):
            raise
        except OperationalError as exc:
            logging.getLogger("yuqing").debug("database error", exc_info=exc)
            raise click.ClickException(f"数据库暂时无法写入或读取（{str(exc.orig)[:200]}）。已提交的部分都已保存，"
                                       "请稍后重新运行同一命令。") from None
        except Exception as exc:  # noqa: BLE001
            logging.getLogger("yuqing").debug("internal error", exc_info=exc)
            raise click.ClickException(f"yuqing 内部错误：{type(exc).__name__}: {str(exc)[:300]}。已提交的部分都已保存；"
                                       "用 YUQING_LOG_LEVEL=DEBUG 重新运行可看到详情，请报告给维护者。") from None


@click.group(cls=_Commands, context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--config", "-c", type=click.Path(dir_okay=False), default=None,
              help="Settings file (default ./yuqing.toml, or $YUQING_CONFIG).")
@click.version_option(package_name="yuqing")
@click.pass_context
def main(ctx: click.Context, config: str | None) -> None:
    """yuqing — public-opinion monitoring that observes and reports, offline.

    \b
    Example:
      yuqing init --region 131003 && yuqing collect --once && yuqing search "广阳 积水"
    """
    from .memory import return_freed_memory

    return_freed_memory()
    ctx.obj = Ctx(config)


@main.command()
@click.option("--region", required=True,
              help="The region: a name (广阳区, 廊坊市广阳区) or a division code (131003, 131003000000, 131000).")
@click.option("--dir", "directory", type=click.Path(file_okay=False), default=".", help="Where to write.")
@click.option("--force", is_flag=True, help="Overwrite existing files.")
def init(region: str, directory: str, force: bool) -> None:
    """Write a starter yuqing.toml and scheme.yaml for a region.

    \b
    Example:
      yuqing init --region 131003
    """
    from .starter import write_starter

    try:
        written = write_starter(Path(directory), region, force=force)
    except (FileExistsError, KeyError) as exc:
        raise click.UsageError(str(exc.args[0] if exc.args else exc)) from None
    for path in written:
        _err(f"wrote {path}")


@main.command("import")
@click.argument("file")
@click.option("--format", "fmt", type=click.Choice(["jsonl", "json", "csv", "xlsx", "html", "sqlite", "mediacrawler"]),
              help="File format (default: from the extension; MediaCrawler exports are recognised).")
@click.option("--map", "mapping", multiple=True, metavar="FIELD=COLUMN",
              help="Map an item field to a column, e.g. --map text=留言详情 (repeatable; metrics.likes=点赞数).")
@click.option("--platform", help="Platform for records that name none (news, weibo, complaint…); for MediaCrawler "
                                 "files, its platform (xhs, douyin, kuaishou, bilibili, weibo, tieba, zhihu) over "
                                 "what the path and fields say.")
@click.option("--source", "source_label", help="Source name for records that name none.")
@click.option("--delimiter", help="CSV delimiter (default: detected).")
@click.option("--local", is_flag=True,
              help="The region's own source (区融媒, the office's 12345 or 留言板 export): its items involve "
                   "the region unless they clearly name another.")
@json_option
@pass_ctx
def import_(ctx: Ctx, file: str, fmt, mapping, platform, source_label, delimiter, local, as_json) -> None:
    """Import a JSONL, JSON, CSV, Excel or HTML file (or a folder of them), or MediaCrawler's
    database (its sqlite_tables.db, or a postgresql:// or mysql:// URL), into the store.

    Bad lines are quarantined with their reason; importing the same file again adds nothing.

    \b
    Example:
      yuqing import messages.csv --platform complaint --map text=留言详情 --map title=留言主题
      yuqing import MediaCrawler/data/xhs/jsonl/
      yuqing import postgresql://crawler@db.example/media_crawler
    """
    from .pipeline import ingest_stream
    from .sources.files import ImportError_, parse_mapping, read_file

    settings, store = ctx.settings, ctx.store
    try:
        from .sources.database import is_database_url
        from .sources.mediacrawler import site_name

        if not is_database_url(file) and not Path(file).exists():
            raise click.BadParameter(f"{file}：文件或目录不存在", param_hint="FILE")
        from .sources import hotlist

        site = site_name(platform)
        if Path(file).is_file() and hotlist.is_trendradar(Path(file)):
            # TrendRadar's database: hot-list snapshots, their ranks kept in the store's series
            stream = hotlist.import_trendradar(Path(file), store, platform or "other")
            platform = None
        else:
            stream = read_file(file, fmt, parse_mapping(mapping), settings.item_max_bytes, delimiter,
                               settings.import_max_unpacked_bytes, settings.page_max_html_bytes, site)
        # a MediaCrawler platform name is the reader's hint, not an item platform (xhs is a blog)
        defaults = {k: v for k, v in (("platform", None if site else platform), ("source", source_label),
                                      ("local", local)) if v}
        started = time.perf_counter()
        progress = (lambda r: _err(f"  … {r.read} read, {r.added} added")) if sys.stderr.isatty() else None
        collector = f"import:{Path(file).name}" if not is_database_url(file) else f"import:{file.rsplit('/', 1)[-1]}"
        if settings.bus_url:
            # server mode: onto the bus; the analyse workers store and analyse (docs/deploy.md)
            from .bus import BusError, client
            from .workers import publish_stream

            try:
                report = publish_stream(stream, store, client(settings), collector=collector, defaults=defaults)
            except BusError as exc:
                raise click.ClickException(f"{exc}（已发布的记录不会丢失；重新导入同一文件不会重复）") from None
        else:
            report = ingest_stream(stream, store, settings, collector=collector,
                                   defaults=defaults, on_batch=progress)
    except ImportError_ as exc:
        raise click.UsageError(str(exc)) from None
    seconds = time.perf_counter() - started
    if settings.bus_url:
        if as_json:
            _echo_json(report.as_dict() | {"seconds": round(seconds, 3)})
        q = ", ".join(f"{k} {v}" for k, v in sorted(report.quarantined.items())) or "none"
        _err(f"{file}: {report.read} read, {report.published} published to the bus {settings.bus_url} "
             f"for the analyse workers, quarantined: {q} ({seconds:.1f} s)")
        return
    # also what an earlier import stored but did not get to analyse (it was killed): nothing waits
    from .analysis.relevance import RelevanceTally

    tally = RelevanceTally()
    analysed = _analyze_stored(ctx, tally) if store.count_pending(1) else 0
    summary = report.as_dict() | {"seconds": round(seconds, 3), "analysed": analysed,
                                  "relevance": tally.as_dict()}
    if as_json:
        _echo_json(summary)
    q = ", ".join(f"{k} {v}" for k, v in sorted(report.quarantined.items())) or "none"
    if is_database_url(file):        # never print a password
        from sqlalchemy.engine import make_url
        file = make_url(file).render_as_string(hide_password=True)
    _err(f"{file}: {report.read} read, {report.added} added, {report.updated} updated, "
         f"{report.duplicates} duplicates, quarantined: {q} ({seconds:.1f} s)")
    if report.read and not (report.added or report.updated or report.duplicates):
        sys.exit(1)


@main.command()
@click.argument("stage", type=click.Choice(["analyse", "events"]))
@click.option("--idle-exit", type=float, default=None, metavar="SECONDS",
              help="Exit once the bus has had nothing for this stage for SECONDS (batch jobs, benchmarks).")
@pass_ctx
def worker(ctx: Ctx, stage: str, idle_exit: float | None) -> None:
    """Server mode: one stage worker on the bus (bus_url / YUQING_BUS_URL).

    \b
    analyse  store and analyse what collectors publish; run as many as the CPUs allow, anywhere
    events   near-duplicates, events and alerts, in order; one works, the others wait as standbys

    \b
    Example:
      YUQING_BUS_URL=nats://127.0.0.1:4222 yuqing worker analyse
    """
    import signal

    from .bus import BusError, client
    from .workers import analyse_worker, events_worker

    settings, store = ctx.settings, ctx.store
    if not settings.bus_url:
        raise click.UsageError("没有配置消息总线：在 yuqing.toml 写 bus_url = \"nats://主机:4222\"，"
                               "或设置环境变量 YUQING_BUS_URL（见 docs/deploy.md）")
    try:
        bus = client(settings)
    except BusError as exc:
        raise click.ClickException(str(exc)) from None
    stopping: list[bool] = []

    def stop(*_):
        if stopping:
            os._exit(1)
        stopping.append(True)
        _hard_stop_after(STOP_GRACE_S)

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)

    def show(step, value) -> None:
        if step == "owner":
            _err("worker events: holding the store's analysis lock; linking")
        elif step == "lost":
            _err("worker events: the database dropped the analysis lock; taking it again")
        elif step == "quarantine":
            _err(f"a bus message was quarantined: {value}")

    _err(f"worker {stage}: bus {settings.bus_url} (key {settings.bus_key}); Ctrl-C to stop")
    if stage == "analyse":
        report = analyse_worker(settings, store, bus, lambda: bool(stopping), show, idle_exit)
        _err(f"worker analyse: {report.read} read, {report.added} added, {report.updated} updated, "
             f"{report.duplicates} duplicates")
    else:
        n = events_worker(settings, store, bus, lambda: bool(stopping), show, idle_exit)
        _err(f"worker events: {n} items linked")
    bus.close()


@main.command()
@json_option
@pass_ctx
def doctor(ctx: Ctx, as_json: bool) -> None:
    """Check the database, the bus and the workers, and say what is wrong in words.

    \b
    Example:
      yuqing doctor
    """
    from .doctor import checks

    found = checks(ctx.settings)
    if as_json:
        _echo_json({"ok": all(c["ok"] for c in found), "checks": found})
    else:
        for c in found:
            click.echo(("✓ " if c["ok"] else "✗ ") + c["what"] + "：" + c["said"])
    if not all(c["ok"] for c in found):
        sys.exit(1)


@main.command()
@click.option("--once", is_flag=True, help="Run the due sources once and exit (default: keep polling).")
@click.option("--source", "names", multiple=True, help="Only this source (repeatable); runs it even if not due.")
@click.option("--force", is_flag=True, help="Run every source now, due or not.")
@json_option
@pass_ctx
def collect(ctx: Ctx, once: bool, names, force: bool, as_json: bool) -> None:
    """Poll the sources that are due (feeds, pages, replays, drop folders).

    \b
    Example:
      yuqing collect --once
    """
    from .collect import collect_forever, collect_once
    from .sources.http import Fetcher

    settings, store = ctx.settings, ctx.store

    def show(r) -> None:
        status = f"error: {r.error}" if r.error else "ok"
        _err(f"{r.source}: {r.report.read} read, {r.report.added} added, {r.report.duplicates} duplicates, "
             f"{sum(r.report.quarantined.values())} quarantined — {status}")

    def show_and_analyse(r) -> None:
        show(r)
        if store.count_pending(1):       # new items, engagement that changed, or left waiting
            _analyze_stored(ctx)

    with Fetcher(settings) as fetcher:
        try:
            if once or names or force:
                results = collect_once(settings, store, fetcher, list(names) or None, force=force)
                for r in results:
                    show(r)
                if store.count_pending(1):
                    _analyze_stored(ctx)
                if as_json:
                    _echo_json([{"source": r.source, "error": r.error, **r.report.as_dict()} for r in results])
            else:
                import signal

                stopping = []

                def stop(*_):  # a service manager's SIGTERM ends the loop like Ctrl-C does
                    if stopping:
                        os._exit(1)
                    stopping.append(True)
                    fetcher.abort_all()
                    _hard_stop_after(STOP_GRACE_S)

                signal.signal(signal.SIGTERM, stop)
                signal.signal(signal.SIGINT, stop)
                _err("collecting; Ctrl-C to stop")
                collect_forever(settings, store, fetcher, on_result=show_and_analyse, stop=lambda: bool(stopping))
                _err("stopped")
        except SettingsError as exc:
            raise click.UsageError(str(exc)) from None
        except KeyboardInterrupt:
            _err("stopped")


def _hard_stop_after(seconds: float) -> None:
    import threading

    def end() -> None:
        _err(f"stopping took over {seconds:g} s; exiting now (everything committed is kept)")
        os._exit(1)

    timer = threading.Timer(seconds, end)
    timer.daemon = True
    timer.start()


@main.command()
@pass_ctx
def run(ctx: Ctx) -> None:
    """Collect, analyse, form events, raise alerts and deliver them — continuously (Ctrl-C or
    SIGTERM stops it between steps; nothing accepted is lost).

    \b
    Example:
      yuqing run
    """
    import signal

    from .alerts.channels import ChannelError, configured_channels
    from .pipeline import run_forever
    from .sources.http import Fetcher

    settings, store = ctx.settings, ctx.store
    try:
        configured_channels(settings)
    except ChannelError as exc:
        raise click.UsageError(str(exc)) from None
    analyzer = _load_analyzer(settings)
    stopping = []
    fetchers = []

    def stop(*_):
        # a second signal, or a step that does not end within the grace, ends the process at
        # once: that is as safe as kill -9, which loses nothing committed (tests/test_*kill*)
        if stopping:
            os._exit(1)
        stopping.append(True)
        for f in fetchers:
            f.abort_all()                  # fetches in flight end now, not at their deadline
        _hard_stop_after(STOP_GRACE_S)

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)

    def show(step, value) -> None:
        if step == "collect" and (value.report.added or value.error):
            _err(f"{value.source}: {value.report.added} added" + (f" — error: {value.error}" if value.error else ""))
        elif step == "analyse":
            _err(f"analysed {sum(value.labels.values())} items: {value.sentence()}")
        elif step == "deliver":
            _err("messages: " + ", ".join(f"{k} {v}" for k, v in value.items() if v))
        elif step == "report":
            _err(f"scheduled reports made: {', '.join(map(str, value))}")
        elif step == "scheme":
            _err(f"scheme changed: analysing with {value!r} from now on (yuqing reanalyze for stored items)")
        elif step == "scheme-error":
            _err(f"scheme changed but cannot be used (keeping the previous one): {value}")
        elif step == "config":
            _err(f"yuqing.toml changed: sources now {', '.join(value) or 'none'}")
        elif step == "config-error":
            _err(f"yuqing.toml changed but cannot be used (keeping the previous sources): {value}")
        elif step == "error":
            _err(f"error (the run goes on): {value}")

    _err("running; Ctrl-C to stop")
    with Fetcher(settings) as fetcher:
        fetchers.append(fetcher)
        try:
            run_forever(settings, store, analyzer, fetcher, stop=lambda: bool(stopping), on_step=show)
        except SettingsError as exc:
            raise click.UsageError(str(exc)) from None
    _err("stopped")


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=8000, show_default=True, help="Port to listen on.")
@click.option("--workers", type=int, default=None, help="Server processes (default: the web_workers setting).")
@pass_ctx
def serve(ctx: Ctx, host: str, port: int, workers: int | None) -> None:
    """Serve the dashboard and the API (log in with a user from `yuqing user add`).

    \b
    Example:
      yuqing serve --host 0.0.0.0 --port 8000
    """
    import uvicorn

    from .web.app import create_app

    workers = workers or ctx.settings.web_workers
    store = ctx.store                      # opened (and migrated) once, here
    # X-Forwarded-For only from the proxies named (uvicorn would believe it from 127.0.0.1)
    trusted = ctx.settings.web_trusted_proxies
    proxies = {"proxy_headers": bool(trusted), "forwarded_allow_ips": ",".join(trusted) or None}
    _err(f"http://{host}:{port}/  (API docs: /api/docs)")
    if workers <= 1:
        uvicorn.run(create_app(ctx.settings, store), host=host, port=port, log_level="warning", **proxies)
        return
    from .settings import CONFIG_ENV

    if ctx.settings.config_path is None:
        _err("one server process: more need a config file (yuqing.toml) that each of them reads")
        uvicorn.run(create_app(ctx.settings, store), host=host, port=port, log_level="warning", **proxies)
        return
    os.environ[CONFIG_ENV] = str(ctx.settings.config_path)
    from .web.app import secret_key

    secret_key(ctx.settings)               # made once here, so that every server process signs alike
    uvicorn.run("yuqing.web.app:app_from_config", factory=True, workers=workers, host=host, port=port,
                log_level="warning", **proxies)


@main.command()
@json_option
@pass_ctx
def sources(ctx: Ctx, as_json: bool) -> None:
    """Show each source's health: last success and error, items per day, silent flag.

    \b
    Example:
      yuqing sources --json
    """
    from .collect import source_health

    try:
        rows = source_health(ctx.settings, ctx.store)
    except SettingsError as exc:
        raise click.UsageError(str(exc)) from None
    if as_json:
        _echo_json(rows)
        return
    if not rows:
        _err("no sources configured (add [[sources]] to yuqing.toml)")
    for r in rows:
        flag = (" FAILING" if r["failing"] else "") + (" SILENT" if r["silent"] else "")
        err = f"  last error {r['last_error_at']}: {r['last_error']}" if r["last_error"] else ""
        click.echo(f"{r['name']} [{r['kind']}/{r['platform']}]{flag}  last ok {r['last_success'] or 'never'}  "
                   f"{r['items_per_day']}/day  {r['items_total']} total  next {r['next_due'] or 'now'}{err}")


def parse_since(value: str | None, now: datetime | None = None) -> datetime | None:
    """Return the start time for --since 30m / 12h / 7d / 2026-11-01."""
    if not value:
        return None
    from .collect import parse_duration
    from .ingest import parse_time

    now = now or datetime.now(timezone.utc)
    try:
        return now - timedelta(seconds=parse_duration(value))
    except SettingsError:
        t = parse_time(value, now)
        if t is None:
            raise click.BadParameter(f"{value!r}: use 7d, 12h, 30m or a date") from None
        return t


@main.command()
@click.argument("query")
@click.option("--since", help="Only items published since: 7d, 12h, 30m or a date.")
@click.option("--platform", help="Only this platform (news, weibo, wechat, forum, video, complaint, blog, other).")
@click.option("--limit", default=20, show_default=True, help="Most results shown, newest first.")
@IN_SCHEME
@json_option
@pass_ctx
def search(ctx: Ctx, query: str, since, platform, limit: int, in_scheme: str | None, as_json: bool) -> None:
    """Full-text search over stored items (Chinese words segmented; traditional matches simplified).

    Words separated by spaces must all occur; A OR B either (also | and 或); -A not; 万达* any
    word beginning so — the same as the dashboard's 信息 list.

    \b
    Example:
      yuqing search "广阳 积水 OR 内涝 -演练" --since 7d --platform weibo
    """
    (store, _row), start_time = _scoped(ctx, in_scheme), parse_since(since)   # opening the store is not the query's time
    started = time.perf_counter()
    hits = store.search(query, since=start_time, platform=platform, limit=limit)
    ms = (time.perf_counter() - started) * 1000
    if as_json:
        _echo_json({"query": query, "count": len(hits), "ms": round(ms, 1), "items": [h.to_json() for h in hits]})
        return
    for h in hits:
        when = h.to_json()["published_at"][:16].replace("T", " ")
        head = h.title or h.text[:40]
        click.echo(f"{when}  [{h.platform}] {h.source or ''}  {head}")
        click.echo(f"    {h.text[:120].replace(chr(10), ' ')}")
        if h.url:
            click.echo(f"    {h.url}")
    _err(f"{len(hits)} items ({ms:.0f} ms)")


@main.command()
@IN_SCHEME
@json_option
@pass_ctx
def stats(ctx: Ctx, in_scheme: str | None, as_json: bool) -> None:
    """Counts: items by platform, quarantined by reason, sources, and what analysis found.

    \b
    Example:
      yuqing stats --json
    """
    from .alerts.timeliness import rule_figures, timeliness

    store, row = _scoped(ctx, in_scheme)
    data = (store.stats() | {"analysis": store.analysis_counts()} | store.event_counts()
            | store.alert_counts() | store.report_counts() | {"timeliness": timeliness(store, 0, time.time() + 1,
                                                              ctx.settings.case_sla_minutes),
                                     "alert_rules": rule_figures(store, 0, time.time() + 1)})
    if row is not None:
        data["scheme"] = {"id": row["id"], "key": row["key"], "name": row["name"]}
    if as_json:
        _echo_json(data)
        return
    click.echo(f"items: {data['items']}  ({data['first_published']} … {data['last_published']})")
    for platform, n in sorted(data["items_by_platform"].items()):
        click.echo(f"  {platform}: {n}")
    click.echo(f"quarantined: {data['quarantined']}")
    for reason, n in sorted(data["quarantined_by_reason"].items()):
        click.echo(f"  {reason}: {n}")
    click.echo(f"sources: {data['sources']}")
    a = data["analysis"]
    judged = a["by_relevance"]
    click.echo(f"analysed: {data['items'] - a['waiting']} (waiting {a['waiting']}), relevant {a['relevant']} "
               f"(possible {judged.get('possible', 0)}, not relevant {judged.get('no', 0)}), "
               f"near-duplicates {a['near_duplicates']}")
    click.echo("of the relevant items:")
    for key, label in (("relevant_by_category", "category"), ("relevant_by_sentiment", "sentiment"),
                       ("relevant_by_risk", "risk")):
        if a[key]:
            click.echo(f"  {label}: " + ", ".join(f"{k} {v}" for k, v in sorted(a[key].items(), key=lambda kv: -kv[1])))
    click.echo(f"events: {data['events']}" + ("  (" + ", ".join(f"{k} {v}" for k, v in sorted(data["events_by_stage"].items()))
                                              + ")" if data["events"] else ""))
    click.echo(f"alerts: {data['alerts']}" + ("  (" + ", ".join(f"{k} {v}" for k, v in sorted(data["alerts_by_level"].items()))
                                              + ")" if data["alerts"] else "")
               + ("; cases: " + ", ".join(f"{k} {v}" for k, v in data["cases_by_state"].items()) if data["cases_by_state"] else ""))
    if data["reports"]:
        click.echo(f"reports: {data['reports']}  (" + ", ".join(f"{k} {v}" for k, v in sorted(data["reports_by_kind"].items())) + ")")
    t = data["timeliness"]
    if t["alerts"]:
        parts = [f"{label} median {t[key]['median_min']} min, p90 {t[key]['p90_min']} min (n {t[key]['n']})"
                 for key, label in (("discovery_to_alert", "discovery→alert"), ("alert_to_assessed", "alert→已研判"),
                                    ("discovery_to_closed", "discovery→已办结")) if t[key]["n"]]
        click.echo("timeliness: " + "; ".join(parts))


@main.command()
@click.option("--since", default="1d", show_default=True,
              help="Events active since: 12h, 7d, a date; counted back from now, or from the newest item "
                   "when the store holds only older ones (an archive or a replay).")
@click.option("--top", default=20, show_default=True, help="How many events, hottest first.")
@IN_SCHEME
@json_option
@pass_ctx
def events(ctx: Ctx, since: str, top: int, in_scheme: str | None, as_json: bool) -> None:
    """Events with heat (热度), lifecycle stage and signals; rising keywords and sensitive trends.

    \b
    Example:
      yuqing events --since 7d --top 10
    """
    from .events.trends import TrendParams, rising_keywords, sensitive_trends
    from .pipeline import refresh_events, stream_clock

    store, _row = _scoped(ctx, in_scheme)
    clock = stream_clock(store)
    start = parse_since(since, datetime.fromtimestamp(clock, timezone.utc))
    start_ts = int(start.timestamp()) if start else 0
    # records age: heat and stage are re-taken now for the events in view
    refresh_events(store, ctx.settings, days=(clock - start_ts) / 86400)
    listed = store.list_events(start_ts, top)
    trend = TrendParams()
    rows = store.analysed_between(clock - trend.window_s - trend.baseline_days * 86400, clock)
    from .models import BEIJING

    data = {"as_of": datetime.fromtimestamp(clock, BEIJING).isoformat(timespec="seconds"),
            "since": start.astimezone(BEIJING).isoformat(timespec="seconds") if start else None,
            "events": listed, "rising_keywords": rising_keywords(rows, clock, trend),
            "sensitive_trends": sensitive_trends(rows, clock, trend)}
    if as_json:
        _echo_json(data)
        return
    for e in listed:
        stage, h = e["stage"], e["heat"]
        parts = " ".join(f"{k} {p['value']}" for k, p in h["parts"].items())
        click.echo(f"{e['id']}  热度 {h['value']:5.1f}  {stage['label']}  {e['size']} items/{e['source_count']} sources  "
                   f"{e['category']}  risk {e['risk']['level']}  {e['title'][:40]}")
        click.echo(f"    首发 {e['first_report']['published_at'][:16]} {e['first_report']['source'] or e['first_report']['platform']}"
                   f"  最近 {e['last_at'][:16]}  ({parts})")
        if e.get("spread"):
            sp = e["spread"]
            nodes = "、".join(f"{n['name']}({n['reached']})" for n in sp["key_nodes"][:3])
            click.echo(f"    传播 {sp['reposts']} reposts/comments, depth {sp['depth']}, breadth {sp['breadth']}, "
                       f"{sp['through_public_accounts']:.0%} through public accounts" + (f"; key: {nodes}" if nodes else ""))
        if e.get("reprints") and e["reprints"]["followers"]:
            rp = e["reprints"]
            click.echo(f"    转载 {rp['copies']} copies; first {rp['first']['source'] or rp['first']['platform']}, then "
                       + "、".join(f"{f['source']} +{f['after_min']}min" for f in rp["followers"][:3]))
        if stage.get("signal"):
            sig = stage["signal"]
            click.echo(f"    burst: {sig['observed']} in {sig['window_s'] / 60:.0f} min against {sig['baseline']} "
                       f"(x{sig['ratio']}, p {sig['p_value']}, {sig['sources']} sources)")
    if data["rising_keywords"]:
        click.echo("rising keywords: " + ", ".join(f"{k['keyword']} {k['observed']} (x{k['ratio']})"
                                                   for k in data["rising_keywords"][:10]))
    for t in data["sensitive_trends"][:10]:
        click.echo(f"sensitive trend: {t['kind']} {t['name']}: {t['sensitive']}/{t['items']} negative or high risk "
                   f"({t['observed_share']:.0%} against {t['baseline_share']:.0%}, z {t['z']})")
    _err(f"{len(listed)} events active since {data['since'] or 'the start'} (as of {data['as_of'][:16]})")


@main.command()
@click.option("--limit", default=30, show_default=True, help="How many, newest first.")
@click.option("--level", type=click.Choice(["high", "medium", "low"]), help="Only this level.")
@click.option("--since", help="Only alerts since: 24h, 30d, a date; timeliness is for this period.")
@IN_SCHEME
@json_option
@pass_ctx
def alerts(ctx: Ctx, limit: int, level: str | None, since: str | None, in_scheme: str | None, as_json: bool) -> None:
    """The alert inbox: newest first, with the rule, the reasons and the case's state; then the
    period's timeliness and any message that could not be delivered.

    \b
    Example:
      yuqing alerts --level high --since 7d
    """
    from .alerts.timeliness import timeliness
    from .models import BEIJING

    start = parse_since(since)
    start_ts = start.timestamp() if start else 0
    store, _row = _scoped(ctx, in_scheme)
    rows = store.list_alerts(limit, since_ts=start_ts if start else None, level=level)
    failed = ctx.store.messages(state="failed")
    figures = timeliness(store, start_ts, time.time() + 1, ctx.settings.case_sla_minutes)
    if as_json:
        _echo_json({"alerts": rows, "outbox": ctx.store.outbox_counts(), "failed_messages": failed,
                    "timeliness": figures})
        return
    for a in rows:
        when = datetime.fromtimestamp(a["created_ts"], BEIJING).strftime("%m-%d %H:%M")
        due = datetime.fromtimestamp(a["sla_due_ts"], BEIJING).strftime("%H:%M") if a.get("sla_due_ts") else ""
        click.echo(f"#{a['id']} {when} [{a['level']}] {a['title'][:40]}  ({a['rule']})  case {a['case_id']} "
                   f"{a['case_state']}  SLA {due}" + (f"  +{a['updates']} updates" if a["updates"] else ""))
        click.echo("    " + "；".join(a["payload"].get("reasons", []))[:160])
    for m in failed[-10:]:
        click.echo(f"undelivered: alert #{m['alert_id']} to {m['channel']} after {m['attempts']} tries: {m['last_error']}")
    if figures["alerts"]:
        def minutes(key: str, stat: str = "median_min") -> str:
            value = figures[key][stat]
            return "—" if value is None else f"{value} min"

        click.echo(f"timeliness: discovery→alert median {minutes('discovery_to_alert')}; "
                   f"alert→已研判 median {minutes('alert_to_assessed')}; discovery→已办结 median "
                   f"{minutes('discovery_to_closed')}, p90 {minutes('discovery_to_closed', 'p90_min')}; "
                   f"open {figures['open']}")
    counts = ctx.store.outbox_counts()
    _err(f"{len(rows)} alerts; messages: " + (", ".join(f"{k} {v}" for k, v in sorted(counts.items())) or "none"))


@main.command()
@click.argument("case_id", type=int)
@click.option("--to", "to_state", type=click.Choice(["已研判", "已上报", "处置中", "已办结", "误报"]),
              help="Move the case to this state.")
@click.option("--assign", "assignee", help="Give the case to this user (leaders, admins).")
@click.option("--department", help="Give the case to this department (leaders, admins).")
@click.option("--note", help="A note for the case log.")
@click.option("--response", help="What was done (kept with the case).")
@click.option("--user", "user_name", required=True, help="Who acts; the password is asked for.")
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input.")
@json_option
@pass_ctx
def case(ctx: Ctx, case_id: int, to_state, assignee, department, note, response, user_name, password_stdin,
         as_json: bool) -> None:
    """Work a case: move it along 待研判 → 已研判 → 已上报 → 处置中 → 已办结 (or 误报), assign it,
    add a note. Each step is checked against the user's role and logged.

    \b
    Example:
      yuqing case 12 --to 已研判 --user 小王 --note "属实，已核实"
    """
    from .alerts import cases as workflow
    from .alerts.users import PermissionDenied, User, verify_password

    store = ctx.store
    row = store.get_user(user_name)
    password = sys.stdin.readline().rstrip("\n") if password_stdin else click.prompt("password", hide_input=True)
    if row is None or row["disabled"] or not verify_password(password, row["password_hash"]):
        store.audit(user_name, "login.failed", f"case {case_id}")
        raise click.UsageError("unknown user or wrong password")
    who = User(row["name"], row["role"], row.get("department"))
    try:
        if assignee or department:
            workflow.assign(store, case_id, who, assignee, department)
        if to_state:
            workflow.transition(store, case_id, to_state, who, note=note, response=response)
        elif note:
            workflow.add_note(store, case_id, who, note)
    except (workflow.CaseError, PermissionDenied) as exc:
        raise click.UsageError(str(exc)) from None
    current = store.get_case(case_id)
    if as_json:
        _echo_json({"case": current, "log": store.case_log(case_id)})
    else:
        _err(f"case {case_id}: {current['state']}" + (f", {current['assignee']}" if current.get("assignee") else "")
             + (f" / {current['department']}" if current.get("department") else ""))


@main.group()
def user() -> None:
    """Users and roles (analyst, leader, admin).

    \b
    Example:
      yuqing user add 小王 --role analyst
    """


@user.command("add")
@click.argument("name")
@click.option("--role", type=click.Choice(["analyst", "leader", "admin"]), required=True)
@click.option("--department", help="The user's department (for case assignment).")
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input (for scripts).")
@click.option("--scheme", "schemes", multiple=True, metavar="KEY",
              help="Only these schemes may the user see (repeat for several; default: every scheme).")
@pass_ctx
def user_add(ctx: Ctx, name: str, role: str, department: str | None, password_stdin: bool,
             schemes: tuple[str, ...]) -> None:
    """Add a user; the password is asked for (or read from stdin) and stored as a scrypt hash.

    \b
    Example:
      yuqing user add 小王 --role analyst --department 网信办
      yuqing user add 万庄 --role analyst --scheme wanzhuang
    """
    from .alerts.users import hash_password

    if ctx.store.get_user(name):
        raise click.UsageError(f"user {name!r} exists")
    allowed = [_scheme_row(ctx, ref)["id"] for ref in schemes]
    password = sys.stdin.readline().rstrip("\n") if password_stdin else click.prompt(
        "password", hide_input=True, confirmation_prompt=True)
    try:
        hashed = hash_password(password)
    except ValueError as exc:
        raise click.UsageError(str(exc)) from None
    import getpass

    ctx.store.add_user(name, role, hashed, department, by=f"cli:{getpass.getuser()}", schemes=allowed or None)
    _err(f"user {name} added as {role}" + (f", limited to {', '.join(schemes)}" if schemes else ""))


@main.command()
@click.argument("kind", type=click.Choice(["daily", "weekly", "monthly", "event"]))
@click.argument("event_id", required=False)
@click.option("--date", "day", help="A day inside the period (YYYY-MM-DD); default: the last complete period.")
@click.option("--format", "formats", default="docx", show_default=True, help="docx, html, pdf, or several: docx,pdf")
@click.option("-o", "--output", "out_dir", type=click.Path(), default=".", show_default=True,
              help="A folder for the files, or one FILE.docx|.html|.pdf (its suffix is the format).")
@click.option("--user", "user_name", default=None, help="Recorded as its author (default: cli:<login>).")
@IN_SCHEME
@pass_ctx
def report(ctx: Ctx, kind: str, event_id: str | None, day: str | None, formats: str, out_dir: str,
           user_name: str | None, in_scheme: str | None) -> None:
    """Make a briefing — 日报/周报/月报 for a period, or 专报 for an event — keep it and write its files.

    \b
    Example:
      yuqing report daily --date 2026-11-28 --format docx,pdf
      yuqing report event e-000102 --format docx
    """
    import getpass
    from datetime import date as date_

    from .reports.build import last_complete
    from .reports.make import make_report
    from .reports.render import FORMATS, file_stem, render

    target = Path(out_dir)
    single = target.suffix.lstrip(".").lower() in FORMATS          # -o FILE.docx (DESIGN §5)
    fmts = [target.suffix.lstrip(".").lower()] if single else [f.strip() for f in formats.split(",") if f.strip()]
    bad = [f for f in fmts if f not in FORMATS]
    if bad or not fmts:
        raise click.BadParameter(f"formats are {', '.join(FORMATS)}", param_hint="--format")
    settings, (store, _row) = ctx.settings, _scoped(ctx, in_scheme)
    if kind == "event":
        if not event_id:
            raise click.UsageError("yuqing report event EVENT_ID")
        kind = "special"
        the_day = None
    else:
        from zoneinfo import ZoneInfo

        try:
            the_day = date_.fromisoformat(day) if day else last_complete(kind, datetime.now(ZoneInfo(settings.timezone)))
        except ValueError:
            raise click.BadParameter(f"{day!r}: use YYYY-MM-DD", param_hint="--date") from None
    try:
        report_id = make_report(store, settings, kind, user_name or f"cli:{getpass.getuser()}", the_day, event_id)
    except KeyError as exc:
        raise click.UsageError(str(exc.args[0])) from None
    data = store.get_report(report_id)["data"]
    out = target.parent if single else target
    out.mkdir(parents=True, exist_ok=True)
    for fmt in fmts:
        path = target if single else out / f"{file_stem(data, report_id)}.{fmt}"
        path.write_bytes(render(data, fmt, settings.web_base_url))
        click.echo(str(path))
    _err(f"report {report_id}: {data['title']}（{data['subtitle']}）")


def _kpi_period(settings, year: int | None, start: str | None, end: str | None,
                scheme: dict | None = None) -> tuple[int, int, str]:
    """(start, end, label) of the period; another scheme than the first labels its own (its
    audit sample and notes are its own): "wanzhuang:2026"."""
    s, e, label = _kpi_period_of(settings, year, start, end)
    from .reports.kpi import kpi_label

    return s, e, kpi_label(label, scheme)


def _kpi_period_of(settings, year: int | None, start: str | None, end: str | None) -> tuple[int, int, str]:
    from datetime import date as date_
    from zoneinfo import ZoneInfo

    from .reports.kpi import year_period

    tz = ZoneInfo(settings.timezone)
    if start or end:
        try:
            a, b = date_.fromisoformat(start), date_.fromisoformat(end)
        except (TypeError, ValueError):
            raise click.BadParameter("--from and --to are both YYYY-MM-DD") from None
        s = int(datetime(a.year, a.month, a.day, tzinfo=tz).timestamp())
        e = int(datetime(b.year, b.month, b.day, tzinfo=tz).timestamp()) + 86400
        return s, e, f"{a.isoformat()}..{b.isoformat()}"
    year = year or datetime.now(tz).year
    s, e = year_period(year, tz)
    return s, e, str(year)


@main.group(invoke_without_command=True)
@click.option("--year", type=int, help="The year to evaluate (default: this year).")
@click.option("--from", "start", help="Or a period: first day (YYYY-MM-DD)…")
@click.option("--to", "end", help="…and last day.")
@click.option("--format", "formats", default="", help="Also write the table: docx, xlsx or docx,xlsx.")
@click.option("-o", "--output", "out_dir", type=click.Path(), default=".", show_default=True,
              help="A folder for the files, or one FILE.docx|.xlsx (its suffix is the format).")
@IN_SCHEME
@json_option
@click.pass_context
def kpi(cctx, year, start, end, formats, out_dir, in_scheme, as_json) -> None:
    """绩效自评: the budget's indicator table with the measured values, scores and total.

    \b
    Example:
      yuqing kpi --year 2026 --format docx,xlsx
      yuqing kpi audit --year 2026 --size 200     # draw the coverage sample analysts check
      yuqing kpi note --year 2026 --indicator ecology --score 9 --text "…"
    """
    if cctx.invoked_subcommand is not None:
        return
    from .reports.kpi import to_docx, to_xlsx

    ctx = cctx.obj
    store, row = _scoped(ctx, in_scheme)
    s, e, label = _kpi_period(ctx.settings, year, start, end, row)
    from .reports.kpi import evaluate

    ev = evaluate(store, s, e, label, sla_minutes=ctx.settings.case_sla_minutes)
    if as_json:
        _echo_json(ev)
    else:
        click.echo(f"绩效自评 {label}: {ev['total']} / {ev['weight']}")
        for r in ev["rows"]:
            click.echo(f"  {r['level3']}  [{r['weight']}]  目标 {r['target']}  实际 {r['actual']}  得分 {r['score']}")
            click.echo(f"      {r['basis']}")
    period = label.split(":", 1)[-1]
    title = f"{period} 年度舆情监测项目绩效自评表" if period.isdigit() else f"舆情监测项目绩效自评表（{period}）"
    if row is not None and row["id"] != 1:
        title += f"（{row['name']}）"
    target = Path(out_dir)
    single = target.suffix.lower() in (".docx", ".xlsx")                # -o FILE.docx (DESIGN §5)
    for fmt in [target.suffix[1:].lower()] if single else [f.strip() for f in formats.split(",") if f.strip()]:
        if fmt not in ("docx", "xlsx"):
            raise click.BadParameter("formats are docx and xlsx", param_hint="--format")
        path = target if single else target / f"绩效自评-{label.replace('..', '_').replace(':', '-')}.{fmt}"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(to_docx(ev, title) if fmt == "docx" else to_xlsx(ev, title))
        _err(str(path))


@kpi.command("audit")
@click.option("--year", type=int)
@click.option("--from", "start")
@click.option("--to", "end")
@click.option("--size", default=200, show_default=True, help="Items to draw from those the scheme judged not relevant.")
@click.option("--seed", default=20260101, show_default=True, help="The draw's seed (the same seed draws the same items).")
@IN_SCHEME
@pass_ctx
def kpi_audit(ctx: Ctx, year, start, end, size: int, seed: int, in_scheme: str | None) -> None:
    """Draw the coverage audit sample: analysts then mark each item on the web (绩效 → 覆盖率核查).

    \b
    Example:
      yuqing kpi audit --year 2026 --size 200
    """
    store, row = _scoped(ctx, in_scheme)
    s, e, label = _kpi_period(ctx.settings, year, start, end, row)
    n = store.draw_coverage_sample(label, s, e, size, seed)
    click.echo(f"sample {label}: {n} items drawn; judge them at /kpi/audit?sample={label}")


@kpi.command("note")
@click.option("--year", type=int)
@click.option("--from", "start")
@click.option("--to", "end")
@click.option("--indicator", type=click.Choice(["ecology", "sustainability"]), required=True)
@click.option("--text", required=True, help="What was achieved, in the office's words.")
@click.option("--score", type=float, required=True, help="The evaluator's score (0–10).")
@IN_SCHEME
@pass_ctx
def kpi_note(ctx: Ctx, year, start, end, indicator: str, text: str, score: float, in_scheme: str | None) -> None:
    """Write one of the two narrative indicators (网络生态环境, 长效机制) with its score.

    \b
    Example:
      yuqing kpi note --year 2026 --indicator ecology --score 9 --text "全年未发生重大负面舆情"
    """
    import getpass

    if not 0 <= score <= 10:
        raise click.BadParameter("0 to 10", param_hint="--score")
    _s, _e, label = _kpi_period(ctx.settings, year, start, end, _scoped(ctx, in_scheme)[1])
    ctx.store.set_kpi_note(label, indicator, text, score, f"cli:{getpass.getuser()}")
    click.echo(f"{label} {indicator}: saved")


@main.group()
def scheme() -> None:
    """Monitoring schemes: a store holds many (the district, its towns, a project…).

    Scheme 1 (key `default`) is the file yuqing.toml names; the others live in the store,
    every save a version. A new or edited scheme is judged over the stored items (at once, or
    by `yuqing run` in the background with --later).

    \b
    Example:
      yuqing scheme list
      yuqing scheme add wanzhuang wanzhuang.yaml --owner 万庄镇
      yuqing scheme test scheme.yaml --since 30d
    """


@scheme.command("test")
@click.argument("path", required=False, type=click.Path(dir_okay=False))
@click.option("--since", help="Only items published since: 30d, 12h or a date.")
@click.option("--show", default=10, show_default=True, help="Newest caught items shown.")
@json_option
@pass_ctx
def scheme_test(ctx: Ctx, path, since, show: int, as_json: bool) -> None:
    """Dry-run a scheme over stored items: how many it would catch, and which.

    \b
    Example:
      yuqing scheme test scheme.yaml --since 30d
    """
    from .analysis.relevance import RegionMatcher
    from .scheme import SchemeError, dry_run, load_scheme
    from .starter import known_region

    settings = ctx.settings
    try:
        chosen = load_scheme(settings.path(path or settings.scheme), known_region=known_region)
        matcher = RegionMatcher.for_scheme(chosen) if chosen.region else None
    except (SchemeError, KeyError) as exc:
        raise click.UsageError(str(exc.args[0] if exc.args else exc)) from None
    result = dry_run(chosen, ctx.store.iter_items(parse_since(since)), matcher, show)
    if as_json:
        _echo_json({"scheme": chosen.name, **result.as_dict()})
        return
    share = f"{result.relevant / result.scanned:.1%}" if result.scanned else "—"
    click.echo(f"{chosen.name}: {result.relevant} of {result.scanned} items relevant ({share}), "
               f"{result.possible} possible; against the stored judgments {result.added} added, "
               f"{result.removed} removed")
    for platform, n in sorted(result.by_platform.items(), key=lambda kv: -kv[1]):
        click.echo(f"  {platform}: {n}")
    for title, samples in (("relevant", result.samples), ("added", result.added_samples),
                           ("removed", result.removed_samples)):
        if samples and title != "relevant":
            click.echo(f"{title}:")
        for sample in samples:
            places = "、".join(dict.fromkeys(sample["places"])) or "—"
            click.echo(f"  [{places}] {sample['text'][:80].replace(chr(10), ' ')}")


def _schemes_synced(ctx: Ctx) -> list[dict]:
    """The store's schemes, the configured file first recorded as scheme 1."""
    from .configfile import remember_scheme

    remember_scheme(ctx.store, ctx.settings.path(ctx.settings.scheme))
    return ctx.store.schemes()


def _scheme_row(ctx: Ctx, ref: str) -> dict:
    _schemes_synced(ctx)
    row = ctx.store.scheme(ref)
    if row is None:
        names = "、".join(f"{r['key']}（{r['name']}）" for r in ctx.store.schemes()) or "（还没有方案）"
        raise click.ClickException(f"没有方案「{ref}」；已有：{names}")
    return row


def _progress(row: dict) -> str:
    if not row["enabled"]:
        return "已停用"
    if row["applying"]:
        total = row["apply_total"] or 0
        return f"正在用于已入库信息 {row['apply_done']:,}/{total:,}"
    return "已用于全部已入库信息"


@scheme.command("list")
@json_option
@pass_ctx
def scheme_list(ctx: Ctx, as_json: bool) -> None:
    """The schemes of this store: key, name, owner, version, on/off, how far applied, items.

    \b
    Example:
      yuqing scheme list
    """
    rows = _schemes_synced(ctx)
    counts = ctx.store.scheme_counts()
    out = [{k: r[k] for k in ("id", "key", "name", "owner", "enabled", "version", "applying", "apply_done",
                              "apply_total", "updated_ts")} | {"items": counts.get(r["id"], {}),
                                                               "items_without_event": ctx.store.scheme_items_without_event(r["id"])[0]}
           for r in rows]
    if as_json:
        _echo_json({"schemes": out})
        return
    for r in out:
        n = r["items"]
        click.echo(f"{r['id']:>3}  {r['key']}  {r['name']}  第 {r['version']} 版  {r['owner'] or '—'}  "
                   f"涉及 {n.get('yes', 0):,}  疑似 {n.get('possible', 0):,}  {_progress(r)}")


def _apply_now(ctx: Ctx, key: str) -> None:
    from .apply_scheme import apply_schemes

    total = {"n": 0}

    def progress(row, n):
        total["n"] += n
        _err(f"{row['name']}: 已判断 {total['n']:,} 条已入库信息")

    done = apply_schemes(ctx.store, only=key, on_progress=progress, chunk=ctx.settings.apply_batch_size)
    if done is None:
        _err("另一个进程正在把方案用于已入库信息（yuqing run？），它会完成这一步")
        return
    from .models import BEIJING

    for k in done:
        row = ctx.store.scheme(k)
        n, oldest = ctx.store.scheme_items_without_event(row["id"])
        if n:
            since = datetime.fromtimestamp(oldest, BEIJING).strftime("%Y-%m-%d")
            _err(f"{row['name']}：已入库信息中有 {n:,} 条只涉及本方案、尚未形成事件（最早 {since}）；"
                 f"yuqing reanalyze --since {since} 会按全部方案重新形成事件")


def _save_scheme_cli(ctx: Ctx, key: str, text: str, note: str, owner: str | None, later: bool) -> None:
    import getpass

    from .configfile import put_scheme, remember_scheme

    remember_scheme(ctx.store, ctx.settings.path(ctx.settings.scheme))
    version, error = put_scheme(ctx.store, ctx.settings.path(ctx.settings.scheme), key, text,
                                f"cli:{getpass.getuser()}", note, owner)
    if error:
        raise click.ClickException(error)
    row = ctx.store.scheme(key)
    click.echo(f"方案 {key}（{row['name']}）：第 {version} 版已保存")
    if row["applying"] and not later:
        _apply_now(ctx, key)
    elif row["applying"]:
        _err("yuqing run 会在后台把它用于已入库的信息（或运行 yuqing scheme apply）")


def _read_text(path: str) -> str:
    try:
        return Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise click.ClickException(f"{path}: {exc}") from None


@scheme.command("add")
@click.argument("key")
@click.argument("path", type=click.Path(exists=True, dir_okay=False))
@click.option("--owner", help="Who answers for it (a user name or a unit).")
@click.option("--later", is_flag=True, help="Do not judge the stored items now: leave it to `yuqing run`.")
@pass_ctx
def scheme_add(ctx: Ctx, key: str, path: str, owner: str | None, later: bool) -> None:
    """Add a scheme KEY from a YAML file; it is judged over the stored items at once.

    \b
    Example:
      yuqing scheme add wanzhuang wanzhuang.yaml --owner 万庄镇
    """
    _schemes_synced(ctx)
    if ctx.store.scheme(key) is not None:
        raise click.ClickException(f"已有方案「{key}」：修改用 yuqing scheme edit {key} FILE")
    _save_scheme_cli(ctx, key, _read_text(path), "新建", owner, later)


@scheme.command("edit")
@click.argument("key")
@click.argument("path", required=False, type=click.Path(exists=True, dir_okay=False))
@click.option("--owner", help="Change who answers for it.")
@click.option("--later", is_flag=True, help="Do not judge the stored items now: leave it to `yuqing run`.")
@pass_ctx
def scheme_edit(ctx: Ctx, key: str, path: str | None, owner: str | None, later: bool) -> None:
    """Save a new version of scheme KEY from a file, or in $EDITOR without one.

    \b
    Example:
      yuqing scheme edit wanzhuang wanzhuang.yaml
    """
    row = _scheme_row(ctx, key)
    text = _read_text(path) if path else click.edit(row["text"], extension=".yaml", require_save=True)
    if text is None:
        click.echo("未改动")
        return
    _save_scheme_cli(ctx, row["key"], text, "修改", owner, later)


def _set_enabled(ctx: Ctx, key: str, on: bool) -> None:
    import getpass

    row = _scheme_row(ctx, key)
    try:
        ctx.store.set_scheme_enabled(row["key"], on)
    except ValueError as exc:                 # scheme 1 stays on
        raise click.ClickException(str(exc)) from None
    ctx.store.audit(f"cli:{getpass.getuser()}", "scheme.enable" if on else "scheme.disable", row["key"])
    click.echo(f"方案 {row['key']}（{row['name']}）已{'启用' if on else '停用'}")


@scheme.command("enable")
@click.argument("key")
@pass_ctx
def scheme_enable(ctx: Ctx, key: str) -> None:
    """Turn scheme KEY on: new items are judged by it again (and the stored ones it missed).

    \b
    Example:
      yuqing scheme enable wanzhuang
    """
    _set_enabled(ctx, key, True)


@scheme.command("disable")
@click.argument("key")
@pass_ctx
def scheme_disable(ctx: Ctx, key: str) -> None:
    """Turn scheme KEY off: new items are no longer judged by it; what it found stays.

    \b
    Example:
      yuqing scheme disable wanzhuang
    """
    _set_enabled(ctx, key, False)


@scheme.command("export")
@click.argument("key")
@click.option("-o", "--output", type=click.Path(dir_okay=False), help="Write here instead of stdout.")
@click.option("--version", type=click.IntRange(1), help="An earlier version.")
@pass_ctx
def scheme_export(ctx: Ctx, key: str, output: str | None, version: int | None) -> None:
    """Write scheme KEY (the version in force, or --version) as its YAML file.

    \b
    Example:
      yuqing scheme export wanzhuang -o wanzhuang.yaml
    """
    row = _scheme_row(ctx, key)
    got = ctx.store.scheme_version(row["key"], version)
    if got is None:
        raise click.ClickException(f"方案 {row['key']} 没有第 {version} 版")
    if output:
        Path(output).write_text(got["text"], encoding="utf-8")
        _err(f"方案 {row['key']} 第 {got['version']} 版 → {output}")
    else:
        click.echo(got["text"], nl=not got["text"].endswith("\n"))


@scheme.command("import")
@click.argument("paths", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False))
@click.option("--key", help="The key (one file only; default: each file's name without .yaml).")
@click.option("--later", is_flag=True, help="Do not judge the stored items now: leave it to `yuqing run`.")
@pass_ctx
def scheme_import(ctx: Ctx, paths: tuple[str, ...], key: str | None, later: bool) -> None:
    """Import scheme files: a new key adds a scheme, a known one saves a new version of it.

    \b
    Example:
      yuqing scheme import schemes/*.yaml
    """
    if key and len(paths) > 1:
        raise click.UsageError("--key 只能和一个文件一起用")
    _schemes_synced(ctx)
    for path in paths:
        k = key or Path(path).stem
        _save_scheme_cli(ctx, k, _read_text(path), "导入" if ctx.store.scheme(k) is None else f"导入（{Path(path).name}）",
                         None, later)


@scheme.command("apply")
@click.argument("key", required=False)
@pass_ctx
def scheme_apply(ctx: Ctx, key: str | None) -> None:
    """Judge the stored items under the schemes saved since (or KEY only), to the end.

    Resumable: stopped or killed, it goes on where it was. `yuqing run` does the same in the
    background.

    \b
    Example:
      yuqing scheme apply wanzhuang
    """
    row = _scheme_row(ctx, key) if key else None
    _schemes_synced(ctx)
    _apply_now(ctx, row["key"] if row else None)
    for r in ctx.store.schemes():
        if row is None or r["key"] == row["key"]:
            click.echo(f"{r['key']}（{r['name']}）：{_progress(r)}")


SCHEME_OPTION = click.option("--scheme", "scheme_ref", default="default", show_default=True,
                             help="Which scheme (its key, name or number).")


@scheme.command("history")
@SCHEME_OPTION
@json_option
@pass_ctx
def scheme_history(ctx: Ctx, scheme_ref: str, as_json: bool) -> None:
    """The saved versions of a scheme, newest first: who saved each, when and why.

    \b
    Example:
      yuqing scheme history --scheme wanzhuang
    """
    from .models import BEIJING

    key = _scheme_row(ctx, scheme_ref)["key"]
    rows = ctx.store.scheme_versions(key)
    if as_json:
        _echo_json({"scheme": key, "versions": rows})
        return
    for r in rows:
        when = datetime.fromtimestamp(r["ts"], BEIJING).strftime("%Y-%m-%d %H:%M")
        click.echo(f"第 {r['version']} 版  {when}  {r['by']}  {r['note'] or ''}")


@scheme.command("diff")
@click.argument("old", type=click.IntRange(1))
@click.argument("new", type=click.IntRange(1), required=False)
@SCHEME_OPTION
@pass_ctx
def scheme_diff_command(ctx: Ctx, old: int, new: int | None, scheme_ref: str) -> None:
    """What changed from version OLD to NEW (the current one without NEW), as a unified diff.

    \b
    Example:
      yuqing scheme diff 3
    """
    from .configfile import scheme_diff

    key = _scheme_row(ctx, scheme_ref)["key"]
    try:
        lines = scheme_diff(ctx.store, old, new, key)
    except KeyError as exc:
        raise click.ClickException(str(exc.args[0])) from None
    click.echo("\n".join(lines) if lines else "（两版相同）")


@scheme.command("rollback")
@click.argument("version", type=click.IntRange(1))
@SCHEME_OPTION
@pass_ctx
def scheme_rollback(ctx: Ctx, version: int, scheme_ref: str) -> None:
    """Make an earlier version the scheme again (kept as a new version; history only grows).

    \b
    Example:
      yuqing scheme rollback 3
    """
    import getpass

    from .configfile import rollback_scheme

    key = _scheme_row(ctx, scheme_ref)["key"]
    new, error = rollback_scheme(ctx.store, ctx.settings.path(ctx.settings.scheme), version, f"cli:{getpass.getuser()}", key)
    if error:
        raise click.ClickException(error)
    click.echo(f"已回滚到第 {version} 版（记为第 {new} 版）；yuqing run 会在后台把它用于已入库的信息"
               "（或运行 yuqing scheme apply）")


@scheme.command("suggest")
@click.option("--since", default="90d", show_default=True, help="Items published since: 90d, 12h or a date.")
@click.option("--limit", default=30, show_default=True, help="How many candidates.")
@click.option("--accept", "accepted", multiple=True, metavar="NAME",
              help="Add this candidate to the scheme's landmarks (repeatable; the old file is kept as .bak).")
@json_option
@pass_ctx
def scheme_suggest(ctx: Ctx, since: str, limit: int, accepted, as_json: bool) -> None:
    """Local names the gazetteer lacks (roads, estates, schools…) frequent in what involves the region.

    Each candidate comes with how many relevant items name it, how many others, its lift and
    three examples; accept one to make it a landmark of the scheme.

    \b
    Example:
      yuqing scheme suggest --since 90d
      yuqing scheme suggest --accept 万达广场
    """
    from .analysis.finder import suggest
    from .analysis.relevance import RegionMatcher
    from .scheme import SchemeError, add_landmark_text, load_scheme
    from .starter import known_region

    settings = ctx.settings
    path = settings.path(settings.scheme)
    try:
        chosen = load_scheme(path, known_region=known_region)
    except SchemeError as exc:
        raise click.UsageError(str(exc)) from None
    if not chosen.region:
        raise click.UsageError(f"{path}: 方案没有 region，无从判断哪些地名属于本地")
    since_dt = parse_since(since)
    rows = ctx.store.recent_items(int(since_dt.timestamp()) if since_dt else 0, FINDER_ITEMS)
    candidates = suggest(rows, RegionMatcher.for_scheme(chosen), limit=max(limit, 200) if accepted else limit)
    if accepted:
        by_name = {c.name: c for c in candidates}
        missing = [n for n in accepted if n not in by_name]
        if missing:
            raise click.UsageError(f"不在候选地名中：{'、'.join(missing)}（先运行 yuqing scheme suggest 查看）")
        text = path.read_text(encoding="utf-8")
        for name in accepted:
            text = add_landmark_text(text, name, by_name[name].code or chosen.region)
        from .configfile import check_scheme_text, write_atomic

        _checked, error = check_scheme_text(text, path.parent)
        if error:
            raise click.UsageError(f"未保存：{error}")
        write_atomic(path, text)
        ctx.store.audit(f"cli:{os.environ.get('USER', '')}", "scheme.save", str(path), "landmarks: " + "、".join(accepted))
        _err(f"{path}: 已加入地标 {'、'.join(accepted)}；用 yuqing reanalyze --since {since} 重新判断已入库的信息")
        return
    if as_json:
        _echo_json({"scheme": chosen.name, "scanned": len(rows), "candidates": [c.as_dict() for c in candidates]})
        return
    click.echo(f"{chosen.name}: {len(candidates)} candidate local names in {len(rows)} items")
    for c in candidates:
        click.echo(f"  {c.name}  {c.count} relevant / {c.rest} other items, lift {c.lift:.0f}  → {c.code}")
        for example in c.examples:
            click.echo(f"      {example['text'][:70]}")


FINDER_ITEMS = 100_000     # the finder reads at most this many of the newest items


def _more_schemes(paths: tuple[str, ...], analyzer) -> list[tuple[str, object]]:
    """(name, scheme) of each --scheme, the first the analyzer's own; two schemes of one name
    are refused (`analysis.schemes` is keyed by name)."""
    from .scheme import SchemeError, load_scheme
    from .starter import known_region

    out, seen = [], {}
    for i, path in enumerate(paths):
        try:
            scheme = analyzer.scheme if i == 0 else load_scheme(Path(path), known_region)
        except (SchemeError, KeyError) as exc:
            raise click.ClickException(f"{path}: {exc}") from None
        if scheme.name in seen:
            raise click.ClickException(f"{path} 与 {seen[scheme.name]} 的方案同名（{scheme.name}）：analysis.schemes 按名称区分，请改名")
        seen[scheme.name] = path
        out.append((scheme.name, scheme))
    return out


@main.command()
@click.argument("input_file", metavar="INPUT.jsonl", type=click.Path(exists=True, dir_okay=False))
@click.option("-o", "--output", type=click.Path(dir_okay=False), help="Write here instead of stdout.")
@click.option("--scheme", "scheme_paths", type=click.Path(exists=True, dir_okay=False), multiple=True,
              help="Scheme whose region and rule decide `relevant` (default: every item is relevant). "
                   "Given several times: the first decides `relevant`, and `analysis.schemes` holds each one's.")
@pass_ctx
def analyze(ctx: Ctx, input_file: str, output: str | None, scheme_paths: tuple[str, ...]) -> None:
    """Analyse the items of a JSON Lines file; write each with its `analysis` (DESIGN §3).

    Items are analysed in published_at order, as a stream would see them; output lines are in
    input order, one per input line. A line that cannot be read becomes {"line": N, "error": …}
    in the output and a message on stderr. The store is not touched.

    \b
    Example:
      yuqing analyze items.jsonl -o analysed.jsonl --scheme scheme.yaml
    """
    from .analyze_file import analyze_file

    settings = ctx.settings
    scheme_path = scheme_paths[0] if scheme_paths else None
    analyzer = _load_analyzer(settings, scheme_path, configured=False)   # no --scheme: every item relevant
    analyzer.enable_events()
    schemes = _more_schemes(scheme_paths, analyzer) if len(scheme_paths) > 1 else []
    try:
        analyzer.judge_others(schemes[1:])          # the others: one SchemeSet, shared work
    except KeyError as exc:
        raise click.ClickException(f"方案的地区或地标代码不存在：{exc}") from None
    out = open(output, "w", encoding="utf-8") if output else sys.stdout
    try:
        summary = analyze_file(input_file, out, analyzer, settings, on_error=_err,
                               first=schemes[0][0] if schemes else None)
    finally:
        if output:
            out.close()
    _err(f"{input_file}: {summary['lines']} lines, {summary['analysed']} analysed, {summary['errors']} errors "
         f"({summary['seconds']:.1f} s)")
    if summary["analysed"] == 0 and summary["lines"] > 0:
        sys.exit(1)


@main.command()
@click.option("--since", help="Only items published since then: 7d, 24h, 2026-11-01 (default: all).")
@click.option("--dask", "dask_address", metavar="ADDRESS",
              help="Judge them again in parts on a Dask cluster (tcp://HOST:8786, or local): resumable; "
                   "each item keeps its near-duplicate and event links.")
@click.option("--part-size", type=click.IntRange(1), default=2000, show_default=True,
              help="Items per part on the cluster.")
@click.option("--dask-workers", type=click.IntRange(1), default=None,
              help="Worker processes of a local cluster (default: the CPUs).")
@json_option
@pass_ctx
def reanalyze(ctx: Ctx, since: str | None, dask_address: str | None, part_size: int, dask_workers: int | None,
              as_json: bool) -> None:
    """Analyse stored items again (after a model, scheme or setting change).

    \b
    Example:
      yuqing reanalyze --since 30d
      yuqing reanalyze --since 365d --dask tcp://10.0.0.5:8786
    """
    since_dt = parse_since(since)
    if dask_address:
        _backfill(ctx, since_dt, dask_address, part_size, dask_workers or os.cpu_count() or 1, as_json)
        return
    reset = ctx.store.reset_analysis(since_dt)
    _err(f"{reset} items marked for analysis")
    n = _analyze_stored(ctx)
    if as_json:
        _echo_json({"marked": reset, "analysed": n})


def _backfill(ctx: Ctx, since_dt, address: str, part_size: int, workers: int, as_json: bool) -> None:
    try:
        import dask.distributed  # noqa: F401
    except ImportError:
        raise click.UsageError("--dask 需要 dask.distributed：pip install 'yuqing[server]'") from None
    from .backfill import backfill

    bar: dict = {}

    def start(run, todo) -> None:
        if run["resumed"]:
            _err(f"resuming backfill {run['id']} (started {datetime.fromtimestamp(run['started_ts']):%Y-%m-%d %H:%M}, "
                 f"{run['items']} items judged before); {todo} to go")
        else:
            _err(f"backfill {run['id']}: {todo} items to judge again on {address}")
        bar["bar"] = click.progressbar(length=max(todo, 1), label="judging", file=sys.stderr)
        bar["bar"].__enter__()
        bar["at"] = 0

    def progress(done, todo) -> None:
        bar["bar"].update(done - bar["at"])
        bar["at"] = done

    try:
        summary = backfill(ctx.store, ctx.settings, int(since_dt.timestamp()) if since_dt else None, address,
                           part_size, workers, progress, start)
    except OSError as exc:
        raise click.ClickException(f"Dask 集群 {address} 无法连接：{exc}") from None
    finally:
        if "bar" in bar:
            bar["bar"].__exit__(None, None, None)
    if as_json:
        _echo_json(summary)
    _err(f"judged again: {summary['judged']} items in {summary['parts']} parts ({summary['seconds']} s, "
         f"{summary['items_per_s']} items/s); events rebuilt: {summary['events_rebuilt']}; "
         f"newly involving, linked now: {summary['newly_linked']}"
         + (f", waiting for the analysis stage: {summary['waiting_for_stage']}" if summary["waiting_for_stage"] else ""))


@main.command("migrate")
@click.argument("source")
@click.argument("dest")
@json_option
def migrate_store(source: str, dest: str, as_json: bool) -> None:
    """Move a whole store to another database (sqlite:///… ↔ postgresql://…), nothing lost.

    Every table is copied, then each table's rows and a checksum of them are compared on both
    sides. DEST must be a new, empty store.

    \b
    Example:
      yuqing migrate sqlite:///yuqing.db postgresql://yuqing@127.0.0.1/yuqing
    """
    from .store import open_store
    from .store.move import move

    if source == dest:
        raise click.UsageError("源库和目标库相同")
    try:
        src = open_store(source)
        dst = open_store(dest)
    except Exception as exc:  # noqa: BLE001 — a URL or a server that does not answer, said in words
        raise click.ClickException(f"无法打开数据库：{type(exc).__name__}: {str(exc).splitlines()[0][:300]}") from None
    try:
        done = move(src, dst, on_table=lambda name, n: _err(f"{name}: {n:,} 行"))
    except (ValueError, RuntimeError) as exc:
        raise click.ClickException(str(exc)) from None
    finally:
        src.close()
        dst.close()
    if as_json:
        _echo_json({"tables": done})
    else:
        click.echo(f"已迁移 {len(done)} 张表、{sum(t['rows'] for t in done.values()):,} 行；每张表的行数与校验和两边一致")


@main.command()
@click.option("--markdown", is_flag=True, help="Print the table as Markdown (docs/settings.md).")
@pass_ctx
def settings(ctx: Ctx, markdown: bool) -> None:
    """Show every setting with its current value (or the reference table with --markdown).

    \b
    Example:
      yuqing settings
    """
    from .settings import SETTINGS, SETTINGS_PAGE_HEAD, settings_markdown

    if markdown:
        click.echo(SETTINGS_PAGE_HEAD + settings_markdown(), nl=False)
        return
    for s in SETTINGS:
        click.echo(f"{s.name} = {ctx.settings.values[s.name]!r}")


if __name__ == "__main__":
    main()
