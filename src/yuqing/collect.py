"""Sources from the config, their schedule, one run of each, and their health."""

from __future__ import annotations

import json
import logging
import re
import time
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Callable, Iterable, Iterator, Mapping

from sqlalchemy.exc import OperationalError

from .ingest import TIME_FALLBACK
from .models import PLATFORMS, Quarantined, Raw, Report
from .pipeline import Stopped, ingest_stream, log_failure, sleep_unless_stopped
from .settings import Settings, SettingsError
from .sources import feeds, files, hotlist, pages, replay
from .sources.http import FetchError, Fetcher
from .store import Store

log = logging.getLogger(__name__)

KINDS = ("feed", "pages", "replay", "files", "hotlist")
OPTIONS = {"feed": {"timezone", "assume_local_time"}, "pages": {"link_pattern", "max_articles"},
           "replay": {"speed", "retime"},
           "files": {"format", "map"}, "hotlist": {"format", "list"}}   # kind-specific keys; anything else is a typo to report
_DURATION = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(s|m|h|d)?\s*$")


def parse_duration(value: Any) -> float:
    """Return seconds for 90, "90s", "15m", "2h" or "1d"."""
    if isinstance(value, (int, float)):
        return float(value)
    m = _DURATION.match(str(value))
    if not m:
        raise SettingsError(f"not a duration: {value!r} (use e.g. 90s, 15m, 2h, 1d)")
    return float(m.group(1)) * {"s": 1, "m": 60, "h": 3600, "d": 86400}[m.group(2) or "s"]


@dataclass(frozen=True)
class SourceConfig:
    """One [[sources]] entry of yuqing.toml."""

    name: str
    kind: str
    url: str | None = None
    path: str | None = None
    platform: str = "news"
    label: str | None = None              # the `source` written on items; defaults to the feed/site name
    authority: float = 0.5                # 0..1, used by heat (a central outlet > a forum)
    interval: float = 900.0
    enabled: bool = True
    local: bool = False                   # the region's own (区融媒, 12345): its items involve the region
    options: Mapping[str, Any] = field(default_factory=dict)   # kind-specific: link_pattern, speed, map…

    @classmethod
    def from_dict(cls, raw: Mapping[str, Any], settings: Settings) -> "SourceConfig":
        known = {"name", "kind", "url", "path", "platform", "label", "authority", "interval", "enabled", "local"}
        name, kind = raw.get("name"), raw.get("kind")
        if not name or kind not in KINDS:
            raise SettingsError(f"source {raw!r}: needs a name and a kind out of {', '.join(KINDS)}")
        if kind in ("feed", "pages", "hotlist") and not raw.get("url"):
            raise SettingsError(f"source {name!r}: kind {kind} needs a url")
        if kind in ("replay", "files") and not raw.get("path"):
            raise SettingsError(f"source {name!r}: kind {kind} needs a path")
        options = {k: v for k, v in raw.items() if k not in known}
        unknown = set(options) - OPTIONS[kind]
        if unknown:
            raise SettingsError(f"source {name!r}: unknown keys {sorted(unknown)} for kind {kind}; "
                                f"it takes {sorted(known | OPTIONS[kind])}")
        if raw.get("platform", "news") not in PLATFORMS:
            raise SettingsError(f"source {name!r}: platform must be one of {', '.join(PLATFORMS)}")
        if kind == "replay":
            _retime(raw.get("retime", False))
        if kind == "feed":
            _feed_zone(name, options)
        if kind == "hotlist" and options.get("format", "newsnow") not in hotlist.FORMATS:
            raise SettingsError(f"source {name!r}: format = {options.get('format')!r}: use one of "
                                f"{', '.join(hotlist.FORMATS)}")
        path = str(settings.path(raw["path"])) if raw.get("path") else None
        return cls(name=name, kind=kind, url=raw.get("url"), path=path, platform=raw.get("platform", "news"),
                   label=raw.get("label"), authority=float(raw.get("authority", 0.5)),
                   interval=parse_duration(raw.get("interval", settings.default_interval)),
                   enabled=bool(raw.get("enabled", True)), local=_local(name, raw.get("local", False)),
                   options=options)


def _feed_zone(name: str, options: Mapping[str, Any]):
    """The zone a feed's times are really in when `assume_local_time` says its labels are wrong
    (RSSHub routes that print Beijing time as GMT); None when its labels are believed."""
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    assume = options.get("assume_local_time", False)
    if not isinstance(assume, bool):
        raise SettingsError(f"source {name!r}: assume_local_time = {assume!r}: use true or false")
    zone = options.get("timezone", "Asia/Shanghai")
    try:
        tz = ZoneInfo(str(zone))
    except (ZoneInfoNotFoundError, ValueError):
        raise SettingsError(f"source {name!r}: timezone = {zone!r} is not a time zone (e.g. Asia/Shanghai)") from None
    return tz if assume else None


def _local(name: str, value: Any) -> bool:
    if isinstance(value, bool):
        return value
    raise SettingsError(f"source {name!r}: local = {value!r}: use true or false")


def _retime(value: Any) -> bool | str:
    if value == "shift" or isinstance(value, bool):
        return value
    raise SettingsError(f"replay retime = {value!r}: use true, false or \"shift\"")


def configured_sources(settings: Settings) -> list[SourceConfig]:
    """Return the sources of the config file, checked."""
    out = [SourceConfig.from_dict(raw, settings) for raw in settings.sources]
    names = [s.name for s in out]
    dupes = {n for n in names if names.count(n) > 1}
    if dupes:
        raise SettingsError(f"source names must be unique: {sorted(dupes)}")
    return out


@dataclass
class RunResult:
    source: str
    report: Report = field(default_factory=Report)
    error: str | None = None


def _records(cfg: SourceConfig, state: dict[str, Any], fetcher: Fetcher, store: Store, settings: Settings,
             now: datetime) -> tuple[Iterable[Raw | Quarantined], dict[str, Any], list[str]]:
    """Run one source; return its records, the new kind-specific state and transient errors."""
    saved = json.loads(state.get("state") or "{}")
    if cfg.kind == "feed":
        res = feeds.fetch_feed(cfg.url, fetcher, state.get("etag"), state.get("last_modified"),
                               _feed_zone(cfg.name, cfg.options))
        return res.records, {"etag": res.etag, "last_modified": res.last_modified}, []
    if cfg.kind == "hotlist":
        resp = fetcher.get(cfg.url)
        try:
            snap = hotlist.parse_snapshot(resp.content, cfg.options.get("format", "newsnow"), int(now.timestamp()),
                                          cfg.options.get("list"))
        except ValueError as exc:
            return [Quarantined("malformed-hotlist", cfg.url, str(exc), resp.content[:100_000])], {}, []
        return hotlist.records(snap, store, cfg.platform), {}, []
    if cfg.kind == "pages":
        res = pages.crawl_list(cfg.url, fetcher, pattern=cfg.options.get("link_pattern"),
                               max_articles=int(cfg.options.get("max_articles", settings.page_max_articles)),
                               known=store.known_urls)
        return res.records, {}, res.errors
    if cfg.kind == "replay":
        rs = replay.ReplayState(**saved)
        records = replay.due_records(Path(cfg.path), rs, now, float(cfg.options.get("speed", 0)),
                                     _retime(cfg.options.get("retime", False)))
        return records, {"state": json.dumps(rs.__dict__)}, []
    # files: a drop folder; each file is imported once (again when it changes). The records
    # stream (a dropped file may be large); the new state is saved only after they are stored.
    done: dict[str, str] = saved.get("done", {})
    mapping = files.parse_mapping(cfg.options.get("map", []))
    todo = []
    for f in sorted(p for p in Path(cfg.path).glob("*") if p.is_file() and not p.name.startswith(".")):
        stamp = f"{f.stat().st_size}:{f.stat().st_mtime_ns}"
        if done.get(f.name) != stamp:
            todo.append(f)
            done[f.name] = stamp

    def stream() -> Iterator[Raw | Quarantined]:
        for f in todo:
            try:
                yield from files.read_file(f, cfg.options.get("format"), mapping, settings.item_max_bytes,
                                           max_unpacked=settings.import_max_unpacked_bytes,
                                           max_html=settings.page_max_html_bytes)
            except files.ImportError_ as exc:
                yield Quarantined("unknown-format", str(f), str(exc))

    return stream(), {"state": json.dumps({"done": done})}, []


@dataclass
class _Fetched:
    """What one source's run brought, before it is stored: its records or why it failed."""

    records: Iterable[Raw | Quarantined] = ()
    state: dict[str, Any] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)
    error: str | None = None


def _fetch(cfg: SourceConfig, state: dict[str, Any], fetcher: Fetcher, store: Store, settings: Settings,
           now: datetime) -> _Fetched:
    """Run one source's collection (network and parsing, no writes); never raises."""
    try:
        records, new_state, errors = _records(cfg, state, fetcher, store, settings, now)
        if cfg.kind in ("feed", "pages"):
            records = list(records)    # fetched and parsed here, in the worker thread
        return _Fetched(records, new_state, errors)
    except FetchError as exc:
        return _Fetched(error=str(exc))
    except (OSError, ValueError) as exc:   # a missing replay file, a bad option
        return _Fetched(error=f"{type(exc).__name__}: {exc}")
    except Exception as exc:  # noqa: BLE001 — one source's failure, never the collector's
        log_failure(log, "source %s failed", cfg.name)
        return _Fetched(error=f"{type(exc).__name__}: {exc}")


def _store(cfg: SourceConfig, fetched: _Fetched, state: dict[str, Any], store: Store, settings: Settings,
           now: datetime, stop: Callable[[], bool] | None = None) -> RunResult:
    """Ingest what one source's run brought and record its health. Stopped mid-way, the source's
    state is left as it was: the batches stored stay, and the next run goes over it again."""
    ts = now.timestamp()
    result = RunResult(cfg.name, error=fetched.error)
    defaults = {"platform": cfg.platform, "source": cfg.label} if cfg.label else {"platform": cfg.platform}
    if cfg.local:
        defaults["local"] = True
    if cfg.kind in ("feed", "pages"):
        # what a feed or a page publishes now and says no readable time of is dated when found;
        # a file (history) with an unreadable time is quarantined instead (docs/contracts.md)
        defaults[TIME_FALLBACK] = "now"
    health: dict[str, Any] = {"config": json.dumps({**cfg.__dict__, "options": dict(cfg.options)}, ensure_ascii=False),
                              "last_run_ts": ts, "next_due_ts": ts + cfg.interval,
                              "runs": (state.get("runs") or 0) + 1}
    if fetched.error is None:
        try:
            if settings.bus_url:           # server mode: the analyse workers store them
                from .bus import client
                from .workers import publish_stream

                result.report = publish_stream(fetched.records, store, client(settings), collector=cfg.name,
                                               defaults=defaults, now=now, stop=stop)
            else:
                result.report = ingest_stream(fetched.records, store, settings, collector=cfg.name, defaults=defaults,
                                              clock=lambda: now, stop=stop)
            health.update(fetched.state)
            rep = result.report
            if rep.read and not (rep.added or rep.updated or rep.duplicates or rep.published):
                # everything it brought was refused (a JSON Feed read as a broken RSS, a page
                # layout that changed): that is a failing source, not a healthy quiet one
                reasons = "、".join(f"{k} {v}" for k, v in sorted(rep.quarantined.items()))
                result.error = f"本次读取的 {rep.read} 条全部被隔离（{reasons}）"
            else:
                health["last_success_ts"] = ts
            # with a bus, what went to the workers (they skip what is stored already)
            fresh = result.report.added or result.report.published
            health["items_total"] = (state.get("items_total") or 0) + fresh
            if fresh:
                last_new = state.get("last_new_ts")
                if last_new:
                    gap = ts - last_new
                    health["gap_avg_s"] = gap if not state.get("gap_avg_s") else 0.7 * state["gap_avg_s"] + 0.3 * gap
                health["last_new_ts"] = ts
            if fetched.errors:
                result.error = f"{len(fetched.errors)} transient errors; first: {fetched.errors[0]}"
        except Stopped:
            result.error = "stopped"
            return result
        except OperationalError:
            raise                          # the database, not the source: the caller's to handle
        except Exception as exc:  # noqa: BLE001 — a drop folder's file that fails to read, say
            log_failure(log, "source %s failed while storing", cfg.name)
            result.error = f"{type(exc).__name__}: {exc}"
    if result.error and fetched.error is not None:
        # the source itself failed: retry later each time, up to an hour apart (or 8 intervals
        # if that is sooner), so that a dead or hostile site does not take the fetch threads
        failing = (state.get("failing_runs") or 0) + 1
        health.update(failing_runs=failing, next_due_ts=ts + retry_after(cfg.interval, failing))
    else:
        health["failing_runs"] = 0
    if result.error:
        health.update(last_error=result.error[:2000], last_error_ts=ts, errors=(state.get("errors") or 0) + 1)
        log.warning("source %s: %s", cfg.name, result.error)
    store.save_source_state(cfg.name, cfg.kind, **health)
    return result


def retry_after(interval: float, failing: int) -> float:
    """Seconds until a source that failed `failing` runs in a row is tried again."""
    return min(interval * 2 ** min(failing, 20), max(interval, min(8 * interval, 3600.0)))


def run_source(cfg: SourceConfig, store: Store, fetcher: Fetcher, settings: Settings,
               now: datetime | None = None, stop: Callable[[], bool] | None = None) -> RunResult:
    """Run one source once: collect, ingest, store, and record its health."""
    now = now or datetime.now(timezone.utc)
    state = store.source_state(cfg.name) or {}
    return _store(cfg, _fetch(cfg, state, fetcher, store, settings, now), state, store, settings, now, stop)


def due_sources(sources: list[SourceConfig], store: Store, now: float) -> list[SourceConfig]:
    """Return the enabled sources whose next run time has come (never-run sources are due)."""
    due = []
    for cfg in sources:
        state = store.source_state(cfg.name)
        if cfg.enabled and (state is None or (state.get("next_due_ts") or 0) <= now):
            due.append(cfg)
    return due


def collect_once(settings: Settings, store: Store, fetcher: Fetcher, names: list[str] | None = None,
                 now: datetime | None = None, force: bool = False,
                 stop: Callable[[], bool] = lambda: False) -> list[RunResult]:
    """Run every due source once (or the named ones, due or not).

    Feeds and pages are fetched and parsed in `collect_workers` threads, so a slow or hostile
    site costs its own slot, never the others' turn; what they bring is stored here, in this
    thread, as each finishes (one writer). Drop folders and replays run here meanwhile.
    """
    now = now or datetime.now(timezone.utc)
    sources = configured_sources(settings)
    if names:
        unknown = set(names) - {s.name for s in sources}
        if unknown:
            raise SettingsError(f"no such source: {sorted(unknown)}")
        chosen = [s for s in sources if s.name in names]
    else:
        chosen = sources if force else due_sources(sources, store, now.timestamp())
    collector = Collector(store, fetcher, settings.collect_workers)
    try:
        return collector.tick(settings, chosen, stop, now=now, force=True) + collector.drain(settings, stop)
    finally:
        collector.close()


class Collector:
    """Sources polled across the ticks of `yuqing run`: each tick stores what the fetch threads
    have brought and starts what has fallen due, never waiting for a fetch still under way. A slow
    or hostile site holds one thread until its deadline; every other source keeps its schedule."""

    def __init__(self, store: Store, fetcher: Fetcher, workers: int):
        self.store, self.fetcher = store, fetcher
        self.pool = ThreadPoolExecutor(max(workers, 1), thread_name_prefix="fetch")
        self.inflight: dict[str, tuple[SourceConfig, dict[str, Any], datetime, Any]] = {}

    def tick(self, settings: Settings, sources: list[SourceConfig], stop: Callable[[], bool] = lambda: False,
             now: datetime | None = None, force: bool = False) -> list[RunResult]:
        """Store the finished fetches, then start (or, for files and replays, run) the due sources
        (with `force`, all of `sources`)."""
        results = []
        for name, (cfg, state, started, future) in list(self.inflight.items()):
            if future.done() and not stop():
                del self.inflight[name]
                results.append(_store(cfg, future.result(), state, self.store, settings, started, stop))
        now = now or datetime.now(timezone.utc)
        idle = [s for s in sources if s.name not in self.inflight]
        for cfg in idle if force else due_sources(idle, self.store, now.timestamp()):
            if stop():
                break
            if cfg.kind in ("feed", "pages"):
                state = self.store.source_state(cfg.name) or {}
                future = self.pool.submit(_fetch, cfg, state, self.fetcher, self.store, settings, now)
                self.inflight[cfg.name] = (cfg, state, now, future)
            else:
                results.append(run_source(cfg, self.store, self.fetcher, settings, now, stop))
        return results

    def drain(self, settings: Settings, stop: Callable[[], bool] = lambda: False) -> list[RunResult]:
        """Wait for the fetches in flight and store each as it finishes (`yuqing collect --once`)."""
        results = []
        by_future = {entry[3]: name for name, entry in self.inflight.items()}
        for future in as_completed(by_future):
            if stop():
                break
            cfg, state, started, _ = self.inflight.pop(by_future[future])
            results.append(_store(cfg, future.result(), state, self.store, settings, started, stop))
        return results

    def close(self) -> None:
        if self.inflight and self.fetcher is not None:
            self.fetcher.abort_all()       # what is still in flight ends now, not at its deadline
        self.pool.shutdown(wait=False, cancel_futures=True)


def collect_forever(settings: Settings, store: Store, fetcher: Fetcher,
                    on_result: Callable[[RunResult], None] | None = None,
                    stop: Callable[[], bool] = lambda: False) -> None:
    """Poll sources as they fall due until `stop()` says so (a slow one never delays the others)."""
    sources = configured_sources(settings)
    collector = Collector(store, fetcher, settings.collect_workers)
    try:
        while not stop():
            for result in collector.tick(settings, sources, stop):
                if on_result:
                    on_result(result)
            states = {s["name"]: s for s in store.source_states()}
            next_due = min((states.get(s.name, {}).get("next_due_ts") or 0 for s in sources
                            if s.enabled and s.name not in collector.inflight), default=time.time() + 60)
            sleep_unless_stopped(min(max(next_due - time.time(), 0.2), 1.0 if collector.inflight else 60), stop)
    finally:
        collector.close()


def source_health(settings: Settings, store: Store, now: float | None = None) -> list[dict[str, Any]]:
    """Return one health row per configured source: last success/error, items/day, silent flag."""
    now = now or time.time()
    per_day = store.items_per_day(7, now)
    states = {s["name"]: s for s in store.source_states()}
    rows = []
    for cfg in configured_sources(settings):
        st = states.get(cfg.name, {})
        rows.append({
            "name": cfg.name, "kind": cfg.kind, "platform": cfg.platform, "enabled": cfg.enabled,
            "local": cfg.local, "interval_s": cfg.interval, "last_success": _iso(st.get("last_success_ts")),
            "last_error": st.get("last_error"), "last_error_at": _iso(st.get("last_error_ts")),
            "items_total": st.get("items_total") or 0, "items_per_day": round(per_day.get(cfg.name, 0.0), 1),
            "next_due": _iso(st.get("next_due_ts")), "silent": is_silent(st, cfg, settings.silent_factor, now),
            "failing": bool(st.get("last_error_ts")) and (st.get("last_error_ts") or 0) > (st.get("last_success_ts") or 0),
        })
    return rows


def is_silent(state: Mapping[str, Any], cfg: SourceConfig, factor: float, now: float) -> bool:
    """Return True when a source has brought nothing new for much longer than its usual gap."""
    if not state or not state.get("runs"):
        return False
    usual = max(state.get("gap_avg_s") or 0.0, cfg.interval)
    since = state.get("last_new_ts")
    if since is None:   # never brought anything: judge from its first run
        first_run = (state.get("last_run_ts") or now) - (state.get("runs", 1) - 1) * cfg.interval
        return now - first_run > factor * usual
    return now - since > factor * usual


def _iso(ts: float | None) -> str | None:
    from .models import beijing_iso

    return beijing_iso(ts) if ts else None
