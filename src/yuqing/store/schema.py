"""Tables and migrations. A migration is a small function recorded in `schema_migrations`."""

from __future__ import annotations

import time
import zlib
from typing import Callable

from sqlalchemy import (BigInteger, Column, Connection, Float, Index, Integer, LargeBinary, MetaData, Table, Text,
                        func, inspect, select, text)
from sqlalchemy.types import TypeDecorator

metadata = MetaData()


# A preset dictionary for deflate: the keys and fixed strings of an event record and a clusterer
# state, so that a small record does not spend half its bytes spelling them (786 → 450 bytes a
# record on the 100k scale store). Never change a dictionary once released: a stored value names
# the one it was packed with by its checksum; add a new one to _DICTS and pack with that.
_DICT_1 = (
    b'{"id":"e-0","first_ts":1,"last_ts":1,"centroid":{},"names":[],"text":"","members":null,"places":[],'
    b'"size":1}{"id":"e-0","title":"","size":1,"first_ts":17,"last_ts":17,"first_at":"2026-","last_at":"2026-",'
    b'"as_of":"2026-","keywords":[],"places":[{"code":"","name":"","items":1}],"category":"\xe5\x85\xb6\xe4\xbb\x96",'
    b'"discovered_ts":17,"source_classes":[],"first_report":{"id":"","source":null,"platform":"weibo","url":null,'
    b'"published_at":"2026-","title":""},"platforms":{"weibo":1,"news":1},"sources":{"?":1},"source_count":1,'
    b'"copies":0,"reposts":0,"timeline":[["2026-",1]],"sentiment":{"overall":{"positive":1,"negative":1,'
    b'"neutral":1},"by_day":{"2026-":{"positive":1,"negative":1,"neutral":1}}},"risk":{"level":"low","score":0.0,'
    b'"reasons":[],"high_items":0},"stage":{"name":"latent","label":"","signal":null,"first_outbreak_ts":null},'
    b'"heat":{"value":0.0,"parts":{"volume":{"value":1,"score":0.0,"weight":0.3},"velocity":{"value":1,"score":0.0,'
    b'"weight":0.25},"engagement":{"value":0,"score":0.0,"weight":0.3},"authority":{"value":0.4,"score":0.4,'
    b'"weight":0.15}}},"spread":null,"reprints":{"first":{"id":"","source":null,"platform":"weibo","published_at":'
    b'"2026-"},"copies":1,"followers":[],"other_followers":0},"hot":null}')
_DICTS = {zlib.adler32(d): d for d in (_DICT_1,)}
_PACK_WITH = _DICT_1


class Packed(TypeDecorator):
    """JSON text kept deflated (zlib, with a preset dictionary of the keys): an event's record
    and clusterer state are read whole by Python only, never inside SQL, and deflate to a
    quarter of their size. Read back as text; a value stored before (plain JSON text, its bytes
    on PostgreSQL, or deflated without the dictionary) reads as it was."""

    impl = Text
    cache_ok = True

    def load_dialect_impl(self, dialect):
        # SQLite keeps bytes in a TEXT column as they are; PostgreSQL needs bytea (migration 19)
        return dialect.type_descriptor(LargeBinary() if dialect.name == "postgresql" else Text())

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        packer = zlib.compressobj(6, zlib.DEFLATED, 15, 9, zlib.Z_DEFAULT_STRATEGY, _PACK_WITH)
        return packer.compress(value if isinstance(value, bytes) else value.encode()) + packer.flush()

    def process_result_value(self, value, dialect):
        if value is None or isinstance(value, str):
            return value
        return unpack(bytes(value)).decode()


def unpack(value: bytes) -> bytes:
    """A Packed column's stored bytes as the JSON they hold."""
    if value[:1] != b"\x78":
        return value                     # stored as text before it was packed
    if value[1] & 0x20:                  # FDICT: deflated with a preset dictionary, named by its checksum
        unpacker = zlib.decompressobj(zdict=_DICTS[int.from_bytes(value[2:6], "big")])
        return unpacker.decompress(value) + unpacker.flush()
    return zlib.decompress(value)


# an item's number: 64-bit on PostgreSQL (a city's stream passes 2^31 items within months); on
# SQLite, INTEGER PRIMARY KEY, which is the rowid (64-bit already) the full-text index keys on
SEQ = BigInteger().with_variant(Integer, "sqlite")

items = Table(
    "items", metadata,
    Column("seq", SEQ, primary_key=True, autoincrement=True),  # FTS rowid; insertion order
    Column("id", Text, nullable=False, unique=True),
    Column("url", Text),
    Column("platform", Text, nullable=False),
    Column("source", Text),
    Column("author", Text),
    Column("title", Text),
    Column("text", Text, nullable=False),
    Column("text_sc", Text),            # simplified form, only when it differs from text
    Column("published_ts", Integer, nullable=False),   # epoch seconds, UTC
    Column("collected_ts", Integer, nullable=False),
    Column("updated_ts", Integer),
    Column("metrics", Text),            # JSON
    Column("repost_of", Text),
    Column("flags", Text),              # comma-separated
    Column("content_hash", Text, nullable=False),
    Column("collector", Text),          # the configured source (or import) that brought it
    Column("origin", Text),             # FILE:LINE or URL, for tracing
    Column("seg", Text),                # segmented simplified title+text, indexed by full-text search
    Column("analysis", Text),           # JSON, written by the analysis stage
    # what filters and counts need of the analysis, as columns (migration 3)
    Column("analyzed_ts", Integer),     # NULL: waiting for the analysis stage
    Column("relevant", Integer),
    Column("category", Text),
    Column("sentiment", Text),
    Column("risk", Text),
    Column("duplicate_of", Text),
    Column("event", Text),              # the event it is in now (events merge; migration 4)
    Column("relevance", Text),          # analysis.relevance.label: yes | possible | no (migration 10)
    Column("reply_to", Text),           # a comment's parent comment (migration 11)
    Column("media", Text),              # JSON [{"kind", "url"}], NULL when none (migration 11)
    Column("interactions", Integer),    # likes + comments + reposts, for sorting the list (migration 13)
)
ANALYSIS_COLUMNS = ("analyzed_ts", "relevant", "category", "sentiment", "risk", "duplicate_of")
Index("items_published", items.c.published_ts)
Index("items_collector_collected", items.c.collector, items.c.collected_ts)
Index("items_url", items.c.url)
Index("items_content_hash", items.c.content_hash)
# Search reads (seq → published_ts, platform) for every full-text match; from this narrow index
# instead of the wide rows that is 3x faster for common words (p95 31 → 9 ms at 100k items).
# New seqs are always the largest, so it grows at its end: cheap to maintain.
Index("items_search_keys", items.c.seq, items.c.published_ts, items.c.platform, items.c.relevance, items.c.sentiment,
      items.c.risk, items.c.category, items.c.event)      # the labels too since migration 13: the list filters on them

quarantine = Table(
    "quarantine", metadata,
    Column("qid", Integer, primary_key=True, autoincrement=True),
    Column("key", Text, nullable=False, unique=True),   # origin+reason+raw digest: re-runs add nothing
    Column("at_ts", Integer, nullable=False),
    Column("reason", Text, nullable=False),
    Column("origin", Text, nullable=False),
    Column("collector", Text),
    Column("detail", Text),
    Column("raw", Text),                # cut at quarantine_max_bytes; raw_len and raw_sha256 say what was cut
    Column("raw_len", Integer),
    Column("raw_sha256", Text),
)
Index("quarantine_reason", quarantine.c.reason)

sources = Table(
    "sources", metadata,
    Column("name", Text, primary_key=True),
    Column("kind", Text, nullable=False),
    Column("config", Text),             # JSON of the [[sources]] entry last seen
    Column("etag", Text),
    Column("last_modified", Text),
    Column("next_due_ts", Float),
    Column("last_run_ts", Float),
    Column("last_success_ts", Float),
    Column("last_error", Text),
    Column("last_error_ts", Float),
    Column("last_new_ts", Float),       # last run that brought at least one new item
    Column("gap_avg_s", Float),         # moving average of the gaps between such runs
    Column("runs", Integer, default=0),
    Column("errors", Integer, default=0),
    Column("failing_runs", Integer, default=0),   # runs in a row that failed (the retry backs off)
    Column("items_total", Integer, default=0),
    Column("state", Text),              # JSON, kind-specific (replay position…)
)

events = Table(
    "events", metadata,
    Column("id", Text, primary_key=True),
    Column("first_ts", Integer, nullable=False),
    Column("last_ts", Integer, nullable=False),
    Column("size", Integer, nullable=False),
    Column("title", Text),
    Column("category", Text),
    Column("risk", Text),               # the highest level among its items
    Column("heat", Float),              # as of `updated_ts`
    Column("stage", Text),              # as of `updated_ts`
    Column("record", Packed),           # JSON, deflated: the event record (events/record.py)
    Column("state", Packed),            # JSON, deflated: what the clusterer needs to match it again
    Column("merged_into", Text),        # it turned out to be part of another event
    Column("updated_ts", Integer),
    Column("tags", Text),               # JSON {"k": keywords, "p": place codes}: related events (migration 6)
)
Index("events_last", events.c.last_ts)
Index("events_heat", events.c.heat)

alerts = Table(
    "alerts", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("event", Text),              # the event it is about (one open alert per event and cooldown)
    Column("rule", Text, nullable=False),
    Column("level", Text, nullable=False),      # high | medium | low
    Column("title", Text, nullable=False),
    Column("payload", Text, nullable=False),    # JSON: rules fired, reasons, numbers, evidence
    Column("discovered_ts", Integer),   # when the event's first item was collected
    Column("created_ts", Integer, nullable=False),
    Column("updated_ts", Integer, nullable=False),
    Column("updates", Integer, nullable=False, default=0),   # later findings folded into it
    Column("scheme", Integer),                  # whose rules raised it; NULL: scheme 1 (migration 15)
)
Index("alerts_event", alerts.c.event, alerts.c.created_ts)
Index("alerts_created", alerts.c.created_ts)

outbox = Table(
    "outbox", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("alert_id", Integer),
    Column("channel", Text, nullable=False),
    Column("kind", Text, nullable=False),       # alert | update | digest | escalation
    Column("payload", Text, nullable=False),    # JSON: the message, channel-neutral
    Column("state", Text, nullable=False),      # pending | sent | failed
    Column("attempts", Integer, nullable=False, default=0),
    Column("next_ts", Float, nullable=False),   # not before (quiet hours, backoff)
    Column("last_error", Text),
    Column("created_ts", Float, nullable=False),
    Column("sent_ts", Float),
)
Index("outbox_due", outbox.c.state, outbox.c.next_ts)

cases = Table(
    "cases", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("alert_id", Integer, nullable=False, unique=True),
    Column("state", Text, nullable=False),      # 待研判 已研判 已上报 处置中 已办结 误报
    Column("assignee", Text),
    Column("department", Text),
    Column("response", Text),
    Column("created_ts", Integer, nullable=False),
    Column("sla_due_ts", Integer, nullable=False),
    Column("escalated_ts", Integer),
    Column("closed_ts", Integer),
)
Index("cases_state", cases.c.state, cases.c.sla_due_ts)

case_log = Table(
    "case_log", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("case_id", Integer, nullable=False),
    Column("ts", Float, nullable=False),
    Column("user", Text, nullable=False),
    Column("action", Text, nullable=False),     # transition | assign | note | escalate
    Column("from_state", Text),
    Column("to_state", Text),
    Column("note", Text),
)
Index("case_log_case", case_log.c.case_id, case_log.c.ts)

users = Table(
    "users", metadata,
    Column("name", Text, primary_key=True),
    Column("role", Text, nullable=False),       # analyst | leader | admin
    Column("password_hash", Text, nullable=False),
    Column("department", Text),
    Column("created_ts", Integer, nullable=False),
    Column("disabled", Integer, nullable=False, default=0),
    Column("schemes", Text),                    # "2,5": the schemes the user may see; NULL every one (migration 15)
)

audit_log = Table(
    "audit_log", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("ts", Float, nullable=False),
    Column("user", Text, nullable=False),
    Column("action", Text, nullable=False),
    Column("target", Text),
    Column("detail", Text),
)

# Server-side sessions: the cookie carries only the id, so logging out, a password change or
# disabling a user ends the session everywhere at once (a signed cookie alone stays valid).
sessions = Table(
    "sessions", metadata,
    Column("sid_sha256", Text, primary_key=True),   # the cookie holds the id; the store its digest
    Column("user", Text, nullable=False),
    Column("address", Text),
    Column("created_ts", Integer, nullable=False),
    Column("revoked_ts", Integer),
    Column("flash", Text),                          # shown once on the next page (a new API token)
)
Index("sessions_user", sessions.c.user)

api_tokens = Table(
    "api_tokens", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("user", Text, nullable=False),       # the token acts as this user, with its role
    Column("label", Text, nullable=False),      # what it is for ("OA 系统对接")
    Column("token_sha256", Text, nullable=False, unique=True),   # the token itself is shown once
    Column("created_ts", Integer, nullable=False),
    Column("last_used_ts", Integer),
    Column("revoked_ts", Integer),
)

reports = Table(
    "reports", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("kind", Text, nullable=False),       # daily | weekly | monthly | special
    Column("title", Text, nullable=False),
    Column("period_start", Integer),            # [start, end) for a period report
    Column("period_end", Integer),
    Column("event", Text),                      # a special report's event
    Column("data", Text, nullable=False),       # JSON: the report (reports/build.py); files are rendered from it
    Column("created_ts", Integer, nullable=False),
    Column("created_by", Text, nullable=False),
    Column("issued_ts", Integer),               # 签发: the analyst's text is final
    Column("issued_by", Text),
    Column("scheme", Integer),                  # whose report; NULL: scheme 1 (migration 15)
)
Index("reports_created", reports.c.created_ts)

report_feedback = Table(
    "report_feedback", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("report_id", Integer, nullable=False),
    Column("user", Text, nullable=False),
    Column("rating", Integer, nullable=False),  # 1–5; 4 and 5 count as satisfied (绩效自评)
    Column("comment", Text),
    Column("ts", Integer, nullable=False),
)

coverage_audit = Table(
    "coverage_audit", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("sample", Text, nullable=False),     # which draw (e.g. "2026-1"): a sample is judged as a whole
    Column("item_id", Text, nullable=False),    # an item the scheme judged not relevant
    Column("drawn_ts", Integer, nullable=False),
    Column("involves", Integer),                # the analyst's verdict: 1 it does involve the region, 0 not, NULL not yet
    Column("judged_by", Text),
    Column("judged_ts", Integer),
)
Index("coverage_audit_sample", coverage_audit.c.sample, coverage_audit.c.item_id, unique=True)

kpi_notes = Table(
    "kpi_notes", metadata,
    Column("period", Text, primary_key=True),   # "2026" or "2026-01-01..2026-06-30"
    Column("indicator", Text, primary_key=True),    # ecology | sustainability
    Column("text", Text),
    Column("score", Float),
    Column("by", Text),
    Column("ts", Integer),
)

# A person's answer to 疑似涉及 (or a correction of yes/no): it outlives re-analysis, which applies
# it over what the rules say (migration 10).
relevance_judgments = Table(
    "relevance_judgments", metadata,
    Column("item_id", Text, primary_key=True),
    Column("label", Text, nullable=False),          # yes | no
    Column("user", Text, nullable=False),
    Column("ts", Integer, nullable=False),
    Column("was", Text),                            # the rules' reasons at the time, for the record
    Column("was_label", Text),                      # and their label then: yes | possible | no (migration 13)
)

# The places an item's analysis names, each with every enclosing division (province, city,
# district, town): a filter on 广阳区 or on 万庄镇 is one index range, in time order (migration 13).
item_places = Table(
    "item_places", metadata,
    Column("code", Text, primary_key=True),
    Column("ts", Integer, primary_key=True),      # the item's published_ts
    Column("seq", SEQ, primary_key=True),     # the item's seq
    sqlite_with_rowid=False,
)
Index("item_places_seq", item_places.c.seq)

# What an analyst ticked in the lists for the next 简报 (items and events), per user.
picks = Table(
    "picks", metadata,
    Column("user", Text, primary_key=True),
    Column("kind", Text, primary_key=True),       # item | event
    Column("ref", Text, primary_key=True),        # the item's or the event's id
    Column("ts", BigInteger, nullable=False),     # when ticked, in ms: the order a 简报 keeps
)

hot_ranks = Table(
    "hot_ranks", metadata,          # a hot-list topic's place in each snapshot (sources/hotlist.py)
    Column("item_id", Text, primary_key=True),
    Column("ts", Integer, primary_key=True),      # the snapshot's time
    Column("list", Text, nullable=False),         # 微博热搜, 知乎热榜 …
    Column("rank", Integer, nullable=False),
    Column("heat", Integer),
)

# Every saved text of a scheme, with who and when (migration 14): the 方案 page's history, diff
# and roll back, keyed by the scheme's key ("default" for the install's own; `schemes`, below).
scheme_versions = Table(
    "scheme_versions", metadata,
    Column("scheme", Text, primary_key=True),
    Column("version", Integer, primary_key=True),
    Column("text", Text, nullable=False),
    Column("sha256", Text, nullable=False),
    Column("by", Text, nullable=False),
    Column("ts", Integer, nullable=False),
    Column("note", Text),                         # 保存, 加入地标 万达广场, 回滚到第 3 版 …
)

# `yuqing reanalyze --dask`: one row per backfill; items analysed before `started_ts` are still
# to do, so a killed backfill goes on where it stopped (migration 17)
backfills = Table(
    "backfills", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("since_ts", Integer),                  # NULL: all items
    Column("started_ts", Integer, nullable=False),
    Column("finished_ts", Integer),
    Column("items", Integer, nullable=False, default=0),   # judged again so far
    Column("runs", Integer, nullable=False, default=1),    # started, then resumed this many times - 1
)

# The monitoring schemes of a store (issue 17, migration 15). Number 1 is the install's own, the
# file yuqing.toml names (its judgments are the items' `relevant` and `relevance` columns); the
# others live here only, their text the latest of scheme_versions under their key.
schemes = Table(
    "schemes", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("key", Text, nullable=False, unique=True),   # what --scheme, the API and URLs name it by
    Column("name", Text, nullable=False),         # its `name:` at the last save
    Column("owner", Text),
    Column("enabled", Integer, nullable=False, default=1),
    Column("version", Integer, nullable=False),   # the version in force (scheme_versions)
    Column("created_ts", Integer, nullable=False),
    Column("updated_ts", Integer, nullable=False),
    # applying the version in force to stored history, resumable: items up to apply_seq are done
    Column("apply_seq", Integer, nullable=False, default=0),
    Column("apply_target", Integer),              # the newest item when the version was saved
    Column("applied_version", Integer),           # the version history was last applied with
    Column("applied_ts", Integer),
)

# What the other schemes judged each item: a row for yes and possible, none for no (a store of
# 1M items and 20 schemes holds the few that involve each, not 20M).
item_schemes = Table(
    "item_schemes", metadata,
    Column("scheme", Integer, primary_key=True),
    Column("seq", SEQ, primary_key=True),     # the item's seq
    Column("label", Text, nullable=False),        # yes | possible
    Column("reasons", Text, nullable=False),      # JSON list, as analysis.relevance.reasons
    Column("ts", Integer, nullable=False),        # the item's published_ts
    sqlite_with_rowid=False,
)
Index("item_schemes_label", item_schemes.c.scheme, item_schemes.c.label, item_schemes.c.ts, item_schemes.c.seq)

schema_migrations = Table(
    "schema_migrations", metadata,
    Column("version", Integer, primary_key=True),
    Column("name", Text, nullable=False),
    Column("applied_ts", Integer, nullable=False),
)

Migration = Callable[[Connection], None]
MIGRATIONS: list[tuple[int, str, Migration]] = []


def migration(version: int, name: str):
    """Register a schema migration; versions apply in order, once each."""
    def register(fn: Migration) -> Migration:
        MIGRATIONS.append((version, name, fn))
        MIGRATIONS.sort(key=lambda m: m[0])
        return fn
    return register


@migration(1, "core tables")
def _core_tables(conn: Connection) -> None:
    metadata.create_all(conn, tables=[items, quarantine, sources])


@migration(2, "full-text search over segmented text")
def _full_text(conn: Connection) -> None:
    if conn.dialect.name != "sqlite":
        raise NotImplementedError("full-text search is implemented for SQLite only so far")
    # External-content FTS5: the index reads `seg` from items. New rows are indexed by the store
    # in one statement per batch (an AFTER INSERT trigger costs 2.5x as much); triggers keep the
    # index right when a row is deleted or its text re-segmented.
    for stmt in (
        # detail=none: no word positions. Queries are ANDs of words (phrases are checked against
        # the text itself), and indexing gets ~20% cheaper.
        "CREATE VIRTUAL TABLE items_fts USING fts5(seg, content='items', content_rowid='seq', "
        "tokenize='unicode61 remove_diacritics 2', detail=none)",
        "CREATE TRIGGER items_fts_ad AFTER DELETE ON items BEGIN "
        "INSERT INTO items_fts(items_fts, rowid, seg) VALUES ('delete', old.seq, old.seg); END",
        "CREATE TRIGGER items_fts_au AFTER UPDATE OF seg ON items BEGIN "
        "INSERT INTO items_fts(items_fts, rowid, seg) VALUES ('delete', old.seq, old.seg); "
        "INSERT INTO items_fts(rowid, seg) VALUES (new.seq, new.seg); END",
    ):
        conn.execute(text(stmt))


@migration(3, "analysis columns and the pending-analysis index")
def _analysis_columns(conn: Connection) -> None:
    have = {c["name"] for c in inspect(conn).get_columns("items")}
    types = {"analyzed_ts": "INTEGER", "relevant": "INTEGER"}
    for name in ANALYSIS_COLUMNS:
        if name not in have:      # databases made before migration 3 (new ones have them from 1)
            conn.execute(text(f"ALTER TABLE items ADD COLUMN {name} {types.get(name, 'TEXT')}"))
    # the analysis stage takes waiting items oldest first; the index holds only those
    conn.execute(text("CREATE INDEX IF NOT EXISTS items_pending ON items (published_ts, seq) "
                      "WHERE analyzed_ts IS NULL"))
    conn.execute(text("CREATE INDEX IF NOT EXISTS items_category ON items (category, published_ts)"))


@migration(4, "events and the event of each item")
def _events(conn: Connection) -> None:
    if "event" not in {c["name"] for c in inspect(conn).get_columns("items")}:
        conn.execute(text("ALTER TABLE items ADD COLUMN event TEXT"))
    conn.execute(text("CREATE INDEX IF NOT EXISTS items_event ON items (event, published_ts)"))
    events.create(conn, checkfirst=True)


@migration(5, "alerts, outbox, cases, users and the audit log")
def _alerting(conn: Connection) -> None:
    for table in (alerts, outbox, cases, case_log, users, audit_log):
        table.create(conn, checkfirst=True)


@migration(6, "dashboard counts index and API tokens")
def _dashboard(conn: Connection) -> None:
    # The overview counts items by time, platform and sentiment; with these four in one index the
    # count never reads a row (1M items: 7 days of counts from the index alone).
    conn.execute(text("CREATE INDEX IF NOT EXISTS items_volume ON items (published_ts, platform, sentiment, relevant)"))
    api_tokens.create(conn, checkfirst=True)
    # related events compare keywords and places; reading them from each record's JSON cost 20 ms a page
    if "tags" not in {c["name"] for c in inspect(conn).get_columns("events")}:
        conn.execute(text("ALTER TABLE events ADD COLUMN tags TEXT"))
    if conn.dialect.name == "sqlite":
        conn.execute(text("UPDATE events SET tags = json_object('k', json_extract(record, '$.keywords'), 'p', "
                          "(SELECT json_group_array(json_extract(p.value, '$.code')) FROM json_each(record, '$.places') p)) "
                          "WHERE record IS NOT NULL"))
    # the login throttle counts recent failures per user and address from the audit log
    conn.execute(text("CREATE INDEX IF NOT EXISTS audit_user_action ON audit_log (user, action, ts)"))


@migration(7, "reports, their feedback and the self-evaluation's audit and notes")
def _reports(conn: Connection) -> None:
    for table in (reports, report_feedback, coverage_audit, kpi_notes):
        table.create(conn, checkfirst=True)


@migration(8, "items dated outside 1990 … a day after collection are dated when collected")
def _implausible_times(conn: Connection) -> None:
    # Stores written before ingest checked the window may hold an item "from" year 1 or 9999,
    # which broke every page, report and event that showed it. Such an item is dated as ingest
    # dates it now (docs/contracts.md) and analysed again, so its event is rebuilt.
    earliest = 631152000                      # 1990-01-01T00:00:00Z
    for cond, flag in (("published_ts > collected_ts + 86400", "time-future"),
                       (f"published_ts < {earliest}", "time-too-early")):
        conn.execute(text(f"UPDATE items SET published_ts = collected_ts, analyzed_ts = NULL, "
                          f"flags = CASE WHEN flags IS NULL OR flags = '' THEN '{flag}' ELSE flags || ',{flag}' END "
                          f"WHERE {cond}"))


@migration(9, "server-side sessions; failing sources back off")
def _sessions(conn: Connection) -> None:
    sessions.create(conn, checkfirst=True)
    conn.execute(text("CREATE INDEX IF NOT EXISTS sessions_user ON sessions (user)"))
    if "failing_runs" not in {c["name"] for c in inspect(conn).get_columns("sources")}:
        conn.execute(text("ALTER TABLE sources ADD COLUMN failing_runs INTEGER DEFAULT 0"))


@migration(10, "relevance labels as a column (疑似涉及 list) and people's relevance judgments")
def _relevance(conn: Connection) -> None:
    if "relevance" not in {c["name"] for c in inspect(conn).get_columns("items")}:
        conn.execute(text("ALTER TABLE items ADD COLUMN relevance TEXT"))
        # analyses stored before issue 13 have no relevance object: their boolean says it
        conn.execute(text("UPDATE items SET relevance = COALESCE(json_extract(analysis, '$.relevance.label'), "
                          "CASE relevant WHEN 1 THEN 'yes' ELSE 'no' END) WHERE analysis IS NOT NULL"))
    # the 疑似涉及 list reads the few possible items newest first; the index holds only those
    conn.execute(text("CREATE INDEX IF NOT EXISTS items_possible ON items (published_ts) "
                      "WHERE relevance = 'possible'"))
    relevance_judgments.create(conn, checkfirst=True)


@migration(11, "a comment's parent comment and an item's media URLs")
def _reply_media(conn: Connection) -> None:
    have = {c["name"] for c in inspect(conn).get_columns("items")}
    for name in ("reply_to", "media"):
        if name not in have:
            conn.execute(text(f"ALTER TABLE items ADD COLUMN {name} TEXT"))


@migration(12, "hot lists: a topic's rank in each snapshot")
def _hot_ranks(conn: Connection) -> None:
    hot_ranks.create(conn, checkfirst=True)


PLACE_LEVELS = (2, 4, 6, 9, 12)      # province, city, district, town, village: the code prefixes


@migration(13, "the information list: interactions, item places, picks, list indexes")
def _information_list(conn: Connection) -> None:
    have = {c["name"] for c in inspect(conn).get_columns("items")}
    if "interactions" not in have:
        conn.execute(text("ALTER TABLE items ADD COLUMN interactions INTEGER"))
        conn.execute(text("UPDATE items SET interactions = coalesce(json_extract(metrics, '$.likes'), 0) + "
                          "coalesce(json_extract(metrics, '$.comments'), 0) + coalesce(json_extract(metrics, '$.reposts'), 0) "
                          "WHERE metrics IS NOT NULL AND metrics != '{}'"))
    if "was_label" not in {c["name"] for c in inspect(conn).get_columns("relevance_judgments")}:
        conn.execute(text("ALTER TABLE relevance_judgments ADD COLUMN was_label TEXT"))
    for table in (item_places, picks):
        table.create(conn, checkfirst=True)
    conn.execute(text("CREATE TRIGGER IF NOT EXISTS items_places_ad AFTER DELETE ON items BEGIN "
                      "DELETE FROM item_places WHERE seq = old.seq; END"))
    levels = " UNION ALL ".join(f"SELECT {n} AS n" for n in PLACE_LEVELS)
    conn.execute(text("INSERT OR IGNORE INTO item_places (code, ts, seq) SELECT DISTINCT substr(json_extract(p.value, '$.code'), 1, l.n), "
                      f"i.published_ts, i.seq FROM items i, json_each(i.analysis, '$.places') p, ({levels}) l "
                      "WHERE i.analysis IS NOT NULL AND length(json_extract(p.value, '$.code')) >= l.n"))
    # The list: a scope (涉及本区 / 疑似 / 全部) in time order, every filter column in the index
    # so that a true total is counted without reading a row; the same by interactions.
    conn.execute(text("CREATE INDEX IF NOT EXISTS items_browse ON items "
                      "(relevance, published_ts, platform, sentiment, risk, category)"))
    conn.execute(text("CREATE INDEX IF NOT EXISTS items_by_interactions ON items "
                      "(relevance, interactions, published_ts, platform, sentiment, risk, category)"))
    conn.execute(text("CREATE INDEX IF NOT EXISTS items_source ON items (source, published_ts)"))
    # Search filters by scope and labels too: read them from the narrow key index, never the rows.
    conn.execute(text("DROP INDEX IF EXISTS items_search_keys"))
    conn.execute(text("CREATE INDEX items_search_keys ON items "
                      "(seq, published_ts, platform, relevance, sentiment, risk, category, event)"))
    # The events list: live events by heat or by last activity, with the filter columns.
    live = "WHERE merged_into IS NULL AND record IS NOT NULL"
    conn.execute(text(f"CREATE INDEX IF NOT EXISTS events_live_heat ON events (heat, last_ts, risk, stage, category) {live}"))
    conn.execute(text(f"CREATE INDEX IF NOT EXISTS events_live_last ON events (last_ts, heat, risk, stage, category) {live}"))
    conn.execute(text(f"CREATE INDEX IF NOT EXISTS events_live_size ON events (size, heat, last_ts, risk, stage, category) {live}"))
    # an item's event's heat (the list's heat order) without reading the event's row: merged_into
    # sits after the record JSON, so checking it from the row reads every overflow page
    # (an event not built yet has no heat: it sorts with the items in no event)
    conn.execute(text("CREATE INDEX IF NOT EXISTS events_id_heat ON events (id, merged_into, heat)"))


@migration(14, "scheme versions")
def _scheme_versions(conn: Connection) -> None:
    scheme_versions.create(conn, checkfirst=True)


@migration(15, "many schemes in one store")
def _schemes(conn: Connection) -> None:
    import yaml

    schemes.create(conn, checkfirst=True)
    item_schemes.create(conn, checkfirst=True)
    conn.execute(text("CREATE TRIGGER IF NOT EXISTS items_schemes_ad AFTER DELETE ON items BEGIN "
                      "DELETE FROM item_schemes WHERE seq = old.seq; END"))
    if "scheme" not in {c["name"] for c in inspect(conn).get_columns("alerts")}:
        conn.execute(text("ALTER TABLE alerts ADD COLUMN scheme INTEGER"))    # NULL: scheme 1
    if "scheme" not in {c["name"] for c in inspect(conn).get_columns("reports")}:
        conn.execute(text("ALTER TABLE reports ADD COLUMN scheme INTEGER"))
    if "schemes" not in {c["name"] for c in inspect(conn).get_columns("users")}:
        conn.execute(text("ALTER TABLE users ADD COLUMN schemes TEXT"))
    # the one scheme of a store made before: the first of many, its versions kept under its key
    last = conn.execute(select(scheme_versions).where(scheme_versions.c.scheme == "default")
                        .order_by(scheme_versions.c.version.desc()).limit(1)).first()
    if last is not None:
        try:
            name = str((yaml.safe_load(last.text) or {}).get("name") or "本区方案")
        except (yaml.YAMLError, AttributeError):
            name = "本区方案"
        first = conn.execute(select(func.min(scheme_versions.c.ts)).where(scheme_versions.c.scheme == "default")).scalar()
        newest = conn.execute(select(func.max(items.c.seq))).scalar() or 0
        conn.execute(schemes.insert().values(id=1, key="default", name=name, enabled=1, version=last.version,
                                             created_ts=first or last.ts, updated_ts=last.ts, apply_seq=newest,
                                             apply_target=newest, applied_version=last.version, applied_ts=last.ts))


# The indexes the SQLite migrations made by hand (not in `metadata`), as PostgreSQL takes them.
POSTGRES_INDEXES = (
    "CREATE INDEX IF NOT EXISTS items_pending ON items (published_ts, seq) WHERE analyzed_ts IS NULL",
    "CREATE INDEX IF NOT EXISTS items_category ON items (category, published_ts)",
    "CREATE INDEX IF NOT EXISTS items_event ON items (event, published_ts)",
    "CREATE INDEX IF NOT EXISTS items_volume ON items (published_ts, platform, sentiment, relevant)",
    "CREATE INDEX IF NOT EXISTS items_possible ON items (published_ts) WHERE relevance = 'possible'",
    "CREATE INDEX IF NOT EXISTS items_browse ON items (relevance, published_ts, platform, sentiment, risk, category)",
    "CREATE INDEX IF NOT EXISTS items_by_interactions ON items "
    "(relevance, interactions, published_ts, platform, sentiment, risk, category)",
    "CREATE INDEX IF NOT EXISTS items_source ON items (source, published_ts)",
    'CREATE INDEX IF NOT EXISTS audit_user_action ON audit_log ("user", action, ts)',
    'CREATE INDEX IF NOT EXISTS sessions_user ON sessions ("user")',
    "CREATE INDEX IF NOT EXISTS events_live_heat ON events (heat, last_ts, risk, stage, category) "
    "WHERE merged_into IS NULL AND record IS NOT NULL",
    "CREATE INDEX IF NOT EXISTS events_live_last ON events (last_ts, heat, risk, stage, category) "
    "WHERE merged_into IS NULL AND record IS NOT NULL",
    "CREATE INDEX IF NOT EXISTS events_live_size ON events (size, heat, last_ts, risk, stage, category) "
    "WHERE merged_into IS NULL AND record IS NOT NULL",
    "CREATE INDEX IF NOT EXISTS events_id_heat ON events (id, merged_into, heat)",
    # full-text search: the same segmented terms as SQLite's FTS5, one tsvector per item (the
    # `simple` configuration: the terms are rjieba's, not a language's stems), kept by PostgreSQL
    "ALTER TABLE items ADD COLUMN IF NOT EXISTS tsv tsvector "
    "GENERATED ALWAYS AS (to_tsvector('simple', coalesce(seg, ''))) STORED",
    "CREATE INDEX IF NOT EXISTS items_tsv ON items USING gin (tsv)",
)


@migration(16, "64-bit item numbers and pick times on PostgreSQL")
def _wide_numbers(conn: Connection) -> None:
    # SQLite's integers are 64-bit already; a PostgreSQL store made before this had int4 columns
    if conn.dialect.name != "postgresql":
        return
    for table, column in (("items", "seq"), ("item_places", "seq"), ("item_schemes", "seq"), ("picks", "ts")):
        conn.execute(text(f"ALTER TABLE {table} ALTER COLUMN {column} TYPE bigint"))
    conn.execute(text("ALTER SEQUENCE IF EXISTS items_seq_seq AS bigint"))


@migration(17, "backfills")
def _backfills(conn: Connection) -> None:
    backfills.create(conn, checkfirst=True)


@migration(18, "items partitioned by day on PostgreSQL")
def _partitioned(conn: Connection) -> None:
    # a PostgreSQL store made before: its items copied into the partitioned table (one pass)
    from .partitions import create_items, fill_keys, is_partitioned, make

    if conn.dialect.name != "postgresql" or is_partitioned(conn):
        return
    conn.execute(text("ALTER TABLE items RENAME TO items_unpartitioned"))
    for name in conn.execute(text("SELECT indexname FROM pg_indexes WHERE tablename = 'items_unpartitioned'")).scalars():
        conn.execute(text(f'ALTER INDEX "{name}" RENAME TO "{name}_unpartitioned"'))
    create_items(conn)
    for stmt in POSTGRES_INDEXES:
        if " ON items " in stmt or "ALTER TABLE items " in stmt:
            conn.execute(text(stmt))
    make(conn, conn.execute(text("SELECT DISTINCT published_ts - published_ts % 86400 FROM items_unpartitioned")).scalars())
    cols = ", ".join(c.name for c in items.columns)
    conn.execute(text(f"INSERT INTO items ({cols}) SELECT {cols} FROM items_unpartitioned"))
    fill_keys(conn, "items_unpartitioned")
    conn.execute(text("DROP TABLE items_unpartitioned"))
    conn.execute(text("SELECT setval(pg_get_serial_sequence('items', 'seq'), coalesce((SELECT max(seq) FROM items), 0) + 1, false)"))


@migration(19, "event records and states deflated")
def _packed_events(conn: Connection) -> None:
    # SQLite: nothing to change (a TEXT column keeps the bytes; the old rows read as they are)
    if conn.dialect.name != "postgresql":
        return
    kinds = dict(conn.execute(text("SELECT column_name, data_type FROM information_schema.columns "
                                   "WHERE table_name = 'events' AND column_name IN ('record', 'state')")).all())
    for column, kind in kinds.items():
        if kind != "bytea":
            conn.execute(text(f"ALTER TABLE events ALTER COLUMN {column} TYPE bytea USING convert_to({column}, 'UTF8')"))


@migration(20, "full-text index without a copy of its terms (SQLite)")
def _contentless_search(conn: Connection) -> None:
    """The index keeps its terms itself, not read back from `items.seg`: that copy was 340
    bytes of every item (a tenth of a store), read only to delete a row's terms from the index,
    and items are never deleted. PostgreSQL keeps `seg`: its `tsvector` is generated from it.

    A row deleted by hand leaves its terms in the index, pointing at its number: numbers are
    never used again (`item_numbers` keeps the highest given), so the search's join on the
    items drops them."""
    if conn.dialect.name != "sqlite":
        return
    for stmt in (
        "DROP TRIGGER IF EXISTS items_fts_ad",
        "DROP TRIGGER IF EXISTS items_fts_au",
        # columnsize=0: no per-row sizes, which only ranking reads (the list sorts by time)
        "CREATE VIRTUAL TABLE items_fts_terms USING fts5(seg, content='', columnsize=0, "
        "tokenize='unicode61 remove_diacritics 2', detail=none)",
        "INSERT INTO items_fts_terms(rowid, seg) SELECT seq, seg FROM items WHERE seg IS NOT NULL",
        "DROP TABLE items_fts",
        "ALTER TABLE items_fts_terms RENAME TO items_fts",
        "UPDATE items SET seg = NULL WHERE seg IS NOT NULL",
        "CREATE TABLE item_numbers (highest INTEGER NOT NULL)",
        "INSERT INTO item_numbers SELECT coalesce(max(seq), 0) FROM items",
    ):
        conn.execute(text(stmt))


def postgres_baseline(conn: Connection) -> list[int]:
    """A new PostgreSQL store: today's schema at once (the SQLite migrations before it fill
    columns of stores that predate them; a PostgreSQL store has none such), every migration
    recorded as applied. Migrations after this one run on both backends."""
    schema_migrations.create(conn, checkfirst=True)
    done = set(conn.execute(schema_migrations.select().with_only_columns(schema_migrations.c.version)).scalars())
    if done:
        return []
    from .partitions import create_items

    create_items(conn)
    metadata.create_all(conn, tables=[t for t in metadata.sorted_tables if t is not items])
    for stmt in POSTGRES_INDEXES:
        conn.execute(text(stmt))
    now = int(time.time())
    conn.execute(schema_migrations.insert(), [{"version": v, "name": f"{name} (PostgreSQL baseline)", "applied_ts": now}
                                              for v, name, _fn in MIGRATIONS])
    return [v for v, _n, _f in MIGRATIONS]


def migrate(conn: Connection) -> list[int]:
    """Apply the migrations not yet recorded; return the versions applied."""
    if conn.dialect.name == "postgresql":
        applied = postgres_baseline(conn)
        if applied:
            return applied
    schema_migrations.create(conn, checkfirst=True)
    done = set(conn.execute(schema_migrations.select().with_only_columns(schema_migrations.c.version)).scalars())
    applied = []
    for version, name, fn in MIGRATIONS:
        if version in done:
            continue
        fn(conn)
        conn.execute(schema_migrations.insert().values(version=version, name=name, applied_ts=int(time.time())))
        applied.append(version)
    return applied


def table_names(conn: Connection) -> list[str]:
    """Return the tables present (for tests and `yuqing stats`)."""
    return inspect(conn).get_table_names()
