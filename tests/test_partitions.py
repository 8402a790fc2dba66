"""Items partitioned by day on PostgreSQL (issue 18): where rows go, that lookups by id read only
their days' partitions, and that writers of the same ids at once store each once."""

from __future__ import annotations

import re
import threading
from datetime import datetime, timedelta, timezone

from sqlalchemy import text

from yuqing.ingest import normalize_record
from yuqing.store import open_store
from yuqing.store import partitions

NOW = datetime.now(timezone.utc).replace(microsecond=0)
DAY = 86_400


def record(n: int, when: datetime, **extra) -> dict:
    return {"id": f"w:{n}", "platform": "weibo", "text": f"廊坊市广阳区第{n}条：新华路施工，居民反映噪音扰民",
            "published_at": when.isoformat(), **extra}


def items_of(records):
    return [normalize_record(r, now=NOW) for r in records]


def partitions_of(store) -> list[str]:
    with store.engine.connect() as conn:
        return sorted(conn.execute(text("SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid "
                                        "WHERE i.inhparent = 'items'::regclass")).scalars())


def test_each_day_gets_its_partition_and_old_items_their_month(pg_url):
    store = open_store(pg_url)
    days = [NOW - timedelta(days=d) for d in (0, 1, 1, 3)]
    old = [NOW - timedelta(days=700), NOW - timedelta(days=702)]
    assert store.upsert_items(items_of(record(n, t) for n, t in enumerate(days + old))).added == 6
    names = partitions_of(store)
    want_days = {"items_p" + t.strftime("%Y%m%d") for t in days}
    want_months = {"items_m" + t.strftime("%Y%m") for t in old}
    assert set(names) == want_days | want_months
    with store.engine.connect() as conn:
        per = dict(conn.execute(text("SELECT tableoid::regclass::text, count(*) FROM items GROUP BY 1")).all())
    assert per["items_p" + NOW.strftime("%Y%m%d")] == 1 and per["items_p" + days[1].strftime("%Y%m%d")] == 2
    assert sum(per.values()) == 6 and store.count_items() == 6
    # a store opened afresh knows nothing of them and finds them there: nothing made twice
    again = open_store(pg_url)
    assert again.upsert_items(items_of([record(9, NOW)])).added == 1
    assert partitions_of(again) == names
    store.close(), again.close()


def test_a_month_made_late_fills_only_the_gap_around_its_days(pg_url):
    """Days made when they were recent stay; an older item of the same month, made when the
    month counts as old, gets the part of the month around it, not an overlapping partition."""
    store = open_store(pg_url)
    first = datetime(2026, 3, 10, 12, tzinfo=timezone.utc)
    partitions.ensure(store.engine, [first.timestamp()], [], now=first.timestamp())     # a day, then recent
    later = first.timestamp() + 500 * DAY
    ranges = partitions.ensure(store.engine, [datetime(2026, 3, 20, tzinfo=timezone.utc).timestamp(),
                                              datetime(2026, 3, 2, tzinfo=timezone.utc).timestamp()], [], now=later)
    starts = {datetime.fromtimestamp(a, timezone.utc).strftime("%m-%d"): (b - a) // DAY for a, b in ranges}
    assert starts == {"03-01": 9, "03-10": 1, "03-11": 21}
    store.close()


def test_lookups_by_id_read_only_the_partitions_of_their_days(pg_url):
    store = open_store(pg_url)
    store.upsert_items(items_of(record(n, NOW - timedelta(days=n)) for n in range(30)))
    assert len(partitions_of(store)) == 30
    with store.engine.connect() as conn:
        cond = store._by_ids(conn, ["w:3", "w:4"])
        from sqlalchemy import select

        from yuqing.store.schema import items

        plan = "\n".join(conn.execute(text("EXPLAIN " + str(select(items.c.id).where(cond).compile(
            conn, compile_kwargs={"literal_binds": True})))).scalars())
    scanned = set(re.findall(r"items_p\d{8}", plan))
    assert len(scanned) == 2, plan
    assert sorted(r["id"] for r in store.get_items(["w:3", "w:4", "w:nope"])) == ["w:3", "w:4"]
    assert len(store.waiting_of(["w:3", "w:29"])) == 2
    store.close()


def test_writers_of_the_same_items_at_once_store_each_once_without_an_error(pg_url):
    """Five stores (five processes' worth of connections) upsert overlapping batches at the same
    moment: the id guard lets one claim each id; the others count it a duplicate."""
    open_store(pg_url).close()
    batches = [items_of(record(n, NOW - timedelta(hours=n)) for n in range(k, k + 300)) for k in (0, 50, 100, 150, 200)]
    results, errors = [], []
    go = threading.Barrier(len(batches))

    def write(batch):
        store = open_store(pg_url)
        try:
            go.wait()
            results.append(store.upsert_items(batch))
        except Exception as exc:  # noqa: BLE001 — collected and asserted below
            errors.append(exc)
        finally:
            store.close()

    threads = [threading.Thread(target=write, args=(b,)) for b in batches]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    assert errors == []
    assert sum(r.added for r in results) == 500
    assert sum(r.added + r.duplicates for r in results) == 1500
    store = open_store(pg_url)
    with store.engine.connect() as conn:
        assert conn.execute(text("SELECT count(*), count(DISTINCT id) FROM items")).one() == (500, 500)
        assert conn.execute(text("SELECT count(*) FROM item_keys k JOIN items i ON i.seq = k.seq "
                                 "AND i.published_ts = k.published_ts AND i.id = k.id")).scalar() == 500
    store.close()


def analysis(event: str | None) -> dict:
    return {"relevant": True, "category": "城建", "sentiment": {"label": "negative"}, "risk": {"level": "low"},
            "duplicate_of": None, "event": event, "relevance": {"label": "yes", "reasons": []}}


def test_an_events_items_are_found_across_days_after_late_joins_and_merges(pg_url):
    """An event's items are read pruned to the days they span: an item published before the
    event's first one joining it later, and a merge bringing another event's older items, are
    both still found (the span only widens)."""
    store = open_store(pg_url)
    store.upsert_items(items_of(record(n, NOW - timedelta(days=n)) for n in range(20)))
    store.save_analysis([("w:1", analysis("e-1")), ("w:2", analysis("e-1"))])
    store.save_analysis([("w:9", analysis("e-1"))])                       # published a week earlier
    store.save_analysis([("w:15", analysis("e-2")), ("w:16", analysis("e-2"))])
    assert sorted(r["id"] for r in store.event_items(["e-1"])["e-1"]) == ["w:1", "w:2", "w:9"]
    store.save_event_states([], {"e-2": "e-1"})                           # e-2 turned out to be e-1
    got = store.event_items(["e-1", "e-2"])
    assert sorted(r["id"] for r in got["e-1"]) == ["w:1", "w:15", "w:16", "w:2", "w:9"] and "e-2" not in got
    with store.engine.connect() as conn:
        lo, hi = conn.execute(text("SELECT lo, hi FROM event_spans WHERE event = 'e-1'")).one()
        plan = "\n".join(conn.execute(text(
            f"EXPLAIN SELECT id FROM items WHERE event = 'e-1' AND published_ts BETWEEN {lo} AND {hi}")).scalars())
    assert (hi - lo) // DAY == 15 and len(set(re.findall(r"items_p\d{8}", plan))) == 16
    store.close()
