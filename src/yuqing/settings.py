"""Every setting in one table; built once from defaults, `yuqing.toml` and the environment.

Precedence, lowest first: the table's default, the config file, `YUQING_<NAME>` environment
variables. The environment is read here and nowhere else.
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Mapping

ENV_PREFIX = "YUQING_"
CONFIG_ENV = "YUQING_CONFIG"
DEFAULT_CONFIG = "yuqing.toml"


@dataclass(frozen=True)
class Setting:
    name: str
    default: Any
    help: str


SETTINGS: tuple[Setting, ...] = (
    Setting("database_url", "sqlite:///yuqing.db",
            "Where items are stored: sqlite:///PATH (a relative PATH is beside the config file) or postgresql://…"),
    Setting("bus_url", "",
            "Server mode: the NATS JetStream bus between stages, e.g. nats://127.0.0.1:4222. Empty (the "
            "default): one process, no bus. With it, collectors publish what they read and "
            "`yuqing worker analyse` / `yuqing worker events` do the rest (docs/deploy.md)."),
    Setting("bus_key", "main", "This store's name on the bus: stores sharing one NATS server each have their own "
                               "streams (yuqing.KEY.raw, .analysed, .changes)."),
    Setting("bus_ack_wait", 60.0, "Seconds a worker may hold a bus message before it is given to another "
                                  "(a killed worker's messages come back after this)."),
    Setting("bus_fetch", 4, "Bus messages an analyse worker takes at a time (each holds up to 200 records)."),
    Setting("scheme", "scheme.yaml", "Path of the monitoring scheme (region, word rule, alert block)."),
    Setting("timezone", "Asia/Shanghai", "Zone for times written without an offset."),
    Setting("model_dir", "",
            "Directory with your own category/, scope/ and sentiment/ models (as written by "
            "scripts/train_models.py); empty uses the models shipped in the package."),
    Setting("analyze_batch_size", 256, "Items analysed together (models score a batch at once)."),
    Setting("apply_batch_size", 2000, "Stored items judged per step when a new or edited scheme is applied to history "
                                      "(one transaction each: a kill loses at most one step)."),
    Setting("event_window_days", 365.0,
            "An event idle this long is closed: a new item no longer joins it (a follow-up months "
            "later still does within the window)."),
    Setting("event_max_active", 20_000,
            "Events held in memory for matching; beyond it the least recently active are closed "
            "(they stay in the store, their matching state dropped). Memory is about 5 KB per event."),
    Setting("event_max_mb", 64.0,
            "Memory the events held for matching may take (MB, estimated as they change); beyond it the "
            "least recently active are closed, as beyond event_max_active. Events grow as they mature "
            "(a big one holds up to 100 KB): a year's history of a busy city reaches this bound first."),
    Setting("event_cache_items", 50_000,
            "Items of the big events (20 items or more) whose running totals are held in memory, so that "
            "their records are kept current from the items that join; an event pushed out is read "
            "whole from the store when its record is next rebuilt. Memory is about 1.1 KB per item."),
    Setting("dedup_max_items", 50_000,
            "Original texts the near-duplicate check holds in memory (the most recent); a copy of an "
            "older one is stored as an original. Memory is about 1 KB per text (its shingles and band keys)."),
    Setting("burst_window_minutes", 60.0, "The sliding window in which an event's burst (爆发) is counted."),
    Setting("burst_min_count", 5.5,
            "Least items in the window, past the first report, for a burst; a repost or comment "
            "counts 1/15. Chosen on CED Weibo cascades (bench/RESULTS.md)."),
    Setting("burst_min_sources", 2, "Least distinct sources (or authors) in the window for a burst."),
    Setting("alert_max_age_hours", 48.0,
            "An event whose newest item is older than this when it is analysed (history being imported, "
            "a backfill) never raises a live alert: the import's summary counts what was held back."),
    Setting("alert_cooldown_minutes", 120.0,
            "One alert per event in this time: later findings fold into it (a message goes out "
            "again only when the level rises)."),
    Setting("alert_quiet_hours", "",
            "Hours when medium alerts wait, e.g. 22:00-07:00 (high alerts always go at once; empty: none)."),
    Setting("alert_digest_time", "08:00", "When the daily digest of low-level alerts is sent."),
    Setting("report_daily_at", "08:00", "When `yuqing run` makes the 日报 of the day before (HH:MM; empty: never)."),
    Setting("report_weekly_at", "mon 08:30", "When it makes the 周报 of the week before (weekday HH:MM; empty: never)."),
    Setting("report_monthly_at", "1 09:00", "When it makes the 月报 of the month before (day-of-month HH:MM; empty: never)."),
    Setting("report_channels", "", "[[channels]] names scheduled reports go to, comma-separated (mail attaches the file; others get a link)."),
    Setting("report_attach", "docx", "The format mailed reports are attached in: docx or pdf."),
    # the office template every briefing carries (红头, 期号, 编发单位, 签发人, 抄送), set once
    Setting("report_masthead", "", "The red masthead (红头) over every briefing, e.g. 「广阳网信舆情」; empty: "
            "「网络舆情」 and the kind (日报, 周报…). The issue number (第 N 期) counts per kind and year."),
    Setting("report_office", "", "The unit that compiles and issues the briefings (编发单位), e.g. 「中共廊坊市广阳区委网信办」."),
    Setting("report_signer", "", "Who signs the briefings off (签发人) when no one has issued one in the app yet."),
    Setting("report_cc", "", "Who receives copies (抄送), e.g. 「区委办、区政府办」; empty: no 抄送 line."),
    Setting("case_sla_minutes", 120.0, "Time from an alert to 已办结 (the budget's ≤ 2 h); a case past "
            "`case_escalate_share` of it is escalated once."),
    Setting("case_escalate_share", 0.75, "Share of the SLA after which an open case is escalated."),
    Setting("outbox_max_attempts", 12,
            "Sends tried per message (backoff doubling from 30 s up to 1 h) before it is marked failed."),
    Setting("smtp_host", "", "Mail server for e-mail channels."),
    Setting("smtp_port", 587, "Mail server port (587 STARTTLS, 465 TLS, 25 plain)."),
    Setting("smtp_security", "starttls", "starttls, tls or none."),
    Setting("smtp_ca_file", "", "CA certificate(s) the mail server's certificate must chain to (an intranet CA; "
            "empty: the system's)."),
    Setting("smtp_user", "", "Login for the mail server (empty: no login)."),
    Setting("smtp_password", "", "Password for the mail server (better in YUQING_SMTP_PASSWORD)."),
    Setting("smtp_sender", "yuqing@localhost", "From address of alert mail."),
    Setting("web_secret_key", "", "Key that signs web sessions; empty: a random key kept in yuqing.secret beside the config."),
    Setting("web_secure_cookies", False, "Send the session cookie over HTTPS only (set it when served behind HTTPS)."),
    Setting("web_base_url", "", "The dashboard's address as readers reach it (https://yuqing.example.gov.cn): reports link their statements to it."),
    Setting("web_counts_ttl_s", 30.0, "Seconds the overview's volume and sentiment counts are reused before they are counted again."),
    Setting("web_trusted_proxies", [],
            "Addresses of the reverse proxies in front of `yuqing serve` whose X-Forwarded-For is believed "
            "(the login throttle and the audit log record the client's address); empty: no header is believed."),
    Setting("web_workers", 2, "Server processes for `yuqing serve`, one per core (each keeps its own caches); 1 without a config file."),
    Setting("fetch_timeout", 20.0, "Seconds before a fetch (connect or read) gives up."),
    Setting("fetch_deadline", 60.0,
            "Most seconds one fetch may take in all, redirects included, however slowly a server "
            "sends its headers or body."),
    Setting("collect_workers", 32,
            "Sources fetched at once by `yuqing run` and `yuqing collect`, each in its own thread (one slow "
            "site holds up no other; a source failing runs in a row is retried ever later, up to hourly)."),
    Setting("fetch_max_bytes", 5_000_000, "Largest response body read; a larger one is cut off and refused."),
    Setting("fetch_max_redirects", 5, "Redirects followed before a fetch is refused as a loop."),
    Setting("fetch_host_delay", 1.0, "Minimum seconds between two requests to one host (politeness)."),
    Setting("fetch_user_agent", "yuqing/0.1 (public-opinion monitor; observe only)",
            "User-Agent header sent with every request and matched against robots.txt."),
    Setting("fetch_respect_robots", True, "Honour robots.txt of every host fetched."),
    Setting("fetch_allow_hosts", [],
            "Hosts or networks (CIDR) that may be fetched although not public (loopback, private, "
            "carrier-grade NAT, link-local…), each with its port: `10.0.0.5:8080`, `[fd00::1]:80`, "
            "`intranet.example:*` (every port); without a port only 80 and 443. Everything else in "
            "those ranges is refused."),
    Setting("page_max_articles", 50, "Article links followed per list page and run."),
    Setting("item_max_bytes", 2_000_000, "Largest single input record (one JSON line, one CSV row); larger ones are quarantined."),
    Setting("import_max_unpacked_bytes", 2_000_000_000,
            "Most bytes one compressed input (.gz, the parts of an .xlsx) may unpack to; past it the "
            "rest of that file is quarantined (a zip or gzip bomb stops there)."),
    Setting("page_max_html_bytes", 1_000_000,
            "Most characters of a page's markup given to the article extractor, after scripts, styles "
            "and inline images are dropped: the page's parse budget (extraction takes up to ~3 s per MB "
            "of tags; an article page is rarely over 300 KB once lightened)."),
    Setting("import_batch_size", 500, "Items written per transaction during an import. A crash keeps every committed batch; a re-run adds the rest."),
    Setting("ingest_workers", -1,
            "Worker processes that normalise and segment a large import, and analyse a large backlog "
            "(-1: one per core up to 4 on machines with two or more; 0: none). Small imports and "
            "polls always run in-process."),
    Setting("quarantine_max_bytes", 1_000_000,
            "Raw input kept with a quarantine record; longer input is cut (its length and SHA-256 are kept)."),
    Setting("silent_factor", 4.0,
            "A source is flagged silent when it yields nothing new for this many times its usual gap."),
    Setting("default_interval", 900.0, "Seconds between polls of a source that names no interval."),
    Setting("log_level", "INFO", "Logging level for messages on stderr."),
)

_BY_NAME = {s.name: s for s in SETTINGS}


@dataclass(frozen=True)
class Settings:
    values: Mapping[str, Any]
    sources: tuple[Mapping[str, Any], ...] = ()
    config_path: Path | None = None
    base_dir: Path = field(default_factory=Path.cwd)
    channels: tuple[Mapping[str, Any], ...] = ()     # [[channels]]: where alerts go (docs/alerts.md)
    alert_rules: tuple[Mapping[str, Any], ...] = ()  # [[alert_rules]]: rules for every scheme

    def __getattr__(self, name: str) -> Any:
        try:
            return self.values[name]
        except KeyError:
            raise AttributeError(name) from None

    def path(self, value: str | os.PathLike) -> Path:
        """Return a config-relative path as an absolute one."""
        p = Path(value)
        return p if p.is_absolute() else self.base_dir / p

    def with_values(self, **changes: Any) -> "Settings":
        """Return a copy with some settings replaced (checked against the table)."""
        unknown = set(changes) - set(_BY_NAME)
        if unknown:
            raise KeyError(f"unknown settings: {sorted(unknown)}")
        return Settings({**self.values, **changes}, self.sources, self.config_path, self.base_dir, self.channels,
                        self.alert_rules)


class SettingsError(ValueError):
    pass


def _coerce(setting: Setting, raw: Any, origin: str) -> Any:
    default = setting.default
    try:
        if isinstance(default, bool):
            if isinstance(raw, bool):
                return raw
            text = str(raw).strip().lower()
            if text in ("1", "true", "yes", "on"):
                return True
            if text in ("0", "false", "no", "off"):
                return False
            raise ValueError(raw)
        if isinstance(default, int):
            return int(raw)
        if isinstance(default, float):
            return float(raw)
        if isinstance(default, list):
            if isinstance(raw, str):
                return [part.strip() for part in raw.split(",") if part.strip()]
            return list(raw)
        return str(raw)
    except (TypeError, ValueError):
        raise SettingsError(f"{origin}: {setting.name} = {raw!r} is not a valid {type(default).__name__}") from None


def load_settings(config: str | os.PathLike | None = None, env: Mapping[str, str] | None = None,
                  **overrides: Any) -> Settings:
    """Return Settings from the table's defaults, the config file, the environment and overrides."""
    env = os.environ if env is None else env
    values = {s.name: s.default for s in SETTINGS}
    path = Path(config or env.get(CONFIG_ENV) or DEFAULT_CONFIG)
    sources: list[Mapping[str, Any]] = []
    channels: list[Mapping[str, Any]] = []
    alert_rules: list[Mapping[str, Any]] = []
    found = path.is_file()
    if config and not found:
        raise SettingsError(f"config file not found: {path}")
    if found:
        try:
            data = tomllib.loads(path.read_text(encoding="utf-8"))
        except tomllib.TOMLDecodeError as exc:
            raise SettingsError(f"{path}: {exc}") from None
        sources = list(data.pop("sources", []))
        channels = list(data.pop("channels", []))
        alert_rules = list(data.pop("alert_rules", []))
        for name, raw in data.items():
            if name not in _BY_NAME:
                raise SettingsError(f"{path}: unknown setting {name!r}")
            values[name] = _coerce(_BY_NAME[name], raw, str(path))
    for s in SETTINGS:
        key = ENV_PREFIX + s.name.upper()
        if key in env:
            values[s.name] = _coerce(s, env[key], key)
    for name, raw in overrides.items():
        if name not in _BY_NAME:
            raise SettingsError(f"unknown setting {name!r}")
        values[name] = _coerce(_BY_NAME[name], raw, "override")
    try:
        from zoneinfo import ZoneInfo

        ZoneInfo(values["timezone"])
    except (KeyError, ValueError):
        raise SettingsError(f"timezone = {values['timezone']!r} is not a known time zone") from None
    base = path.resolve().parent if found else Path.cwd()
    url = values["database_url"]
    if url.startswith("sqlite:///") and url[10:] and url[10:] != ":memory:" and not Path(url[10:]).is_absolute():
        # beside the config, whatever the working directory (`yuqing -c /etc/yuqing/yuqing.toml run`)
        values["database_url"] = "sqlite:///" + str(base / url[10:])
    try:
        from .sources.http import allowances

        allowances(values["fetch_allow_hosts"])
    except SettingsError as exc:
        raise SettingsError(f"{path}: {exc}") from None
    try:
        from .alerts.rules import RuleError, parse_rules

        parse_rules({"rules": alert_rules}, f"{path} [[alert_rules]]")
    except RuleError as exc:
        raise SettingsError(str(exc)) from None
    return Settings(values, tuple(sources), path.resolve() if found else None, base, tuple(channels),
                    tuple(alert_rules))


SETTINGS_PAGE_HEAD = """# Settings

One table drives this page, the defaults and a test (`src/yuqing/settings.py`). Precedence, lowest
first: the default, `yuqing.toml` (or the file named by `--config` / `YUQING_CONFIG`), then
`YUQING_<NAME>` environment variables. Lists in the environment are comma-separated.
Regenerate with `make docs`. Sources are `[[sources]]` tables in `yuqing.toml` (docs/sources.md).

"""


def settings_markdown() -> str:
    """Return the settings table as Markdown (docs/settings.md is generated from it)."""
    lines = ["| setting | environment variable | default | help |", "|---|---|---|---|"]
    for s in SETTINGS:
        default = s.default if not isinstance(s.default, list) else ", ".join(s.default) or "(none)"
        lines.append(f"| `{s.name}` | `{ENV_PREFIX}{s.name.upper()}` | `{default}` | {s.help} |")
    return "\n".join(lines) + "\n"
