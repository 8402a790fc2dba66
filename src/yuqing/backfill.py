"""Backfills on Dask (`yuqing reanalyze --dask ADDRESS|local`, issue 18): stored items judged
again in parts on a dask.distributed cluster's workers, each part written back by the worker
that judged it, in its own transaction.

What a part does is the per-item work: relevance and the other schemes, category, sentiment,
risk, places, keywords. Each item keeps its near-duplicate and event links (forming a year of
events again is the serial stage's work, and the links do not depend on a model or a scheme
change). Items that now involve a scheme but are in no event go back to the analysis stage
afterwards and are linked there in time order; the events whose items were judged again get
their records rebuilt. A person's answer to 疑似涉及 stands, as in the live stage.

Resumable: a backfill is a row of `backfills`; an item is done once analysed after it began, so
a backfill killed half-way and started again over the same window does the rest only.
"""

from __future__ import annotations

import logging
import time
from typing import Any, Callable

from .settings import Settings
from .store import Store

log = logging.getLogger(__name__)

_local: dict[str, Any] = {}      # a Dask worker process's own store and analyzer, kept between parts


def _analyzer_for(store: Store, scheme, model_dir: str, fingerprint: str):
    from .analysis.analyze import Analyzer
    from .pipeline import take_up_schemes

    if _local.get("fingerprint") != fingerprint:
        _local["analyzer"] = Analyzer(scheme, model_dir)
        _local["fingerprint"] = fingerprint
    analyzer = _local["analyzer"]
    take_up_schemes(store, analyzer)           # the store's other schemes, as they are now
    return analyzer


def judge_part(database_url: str, scheme, model_dir: str, fingerprint: str, lo: int, hi: int,
               since_ts: int | None, before_ts: int) -> dict[str, Any]:
    """On a Dask worker: judge one part's items again and save them; return what changed."""
    from .analysis.analyze import involves_any
    from .pipeline import analyze_rows, take_up_schemes
    from .store import open_store
    from .store.schemes import SchemesChanged
    from .store.sql import judged_relevance

    if _local.get("url") != database_url:
        _local["store"] = open_store(database_url, migrate=False)
        _local["url"] = database_url
    store = _local["store"]
    analyzer = _analyzer_for(store, scheme, model_dir, fingerprint)
    rows = store.backfill_rows(lo, hi, since_ts, before_ts)
    for attempt in (1, 2):
        analyses = analyze_rows(analyzer, rows)
        judged = store.relevance_judgments([r["id"] for r in rows])
        for r, a in zip(rows, analyses):
            a.pop("_words", None)
            a.pop("_dedup", None)
            a["duplicate_of"], a["event"] = r["duplicate_of"], r["event"]
            if r["id"] in judged:
                a.update(judged_relevance(a, judged[r["id"]]["label"], judged[r["id"]]["user"]))
        try:
            store.save_analysis([(r["id"], a) for r, a in zip(rows, analyses)], schemes_state=analyzer.others_state,
                                analyzed_at=before_ts)
            break
        except SchemesChanged:
            if attempt == 2:
                raise
            take_up_schemes(store, analyzer)   # a scheme saved meanwhile: judged under it
    unlinked = [r["id"] for r, a in zip(rows, analyses) if a["event"] is None and a["duplicate_of"] is None
                and involves_any(a)]
    return {"items": len(rows), "events": sorted({r["event"] for r in rows if r["event"]}), "unlinked": unlinked}


def cluster_client(address: str, workers: int):
    """A dask.distributed Client: of the scheduler at `address`, or of a local cluster ("local")."""
    from dask.distributed import Client, LocalCluster

    if address == "local":
        cluster = LocalCluster(n_workers=workers, threads_per_worker=1, processes=True, dashboard_address=None)
        return Client(cluster)
    return Client(address, timeout="20s")


def backfill(store: Store, settings: Settings, since_ts: int | None, address: str, part_size: int = 2000,
             workers: int = 2, on_progress: Callable[[int, int], None] | None = None,
             on_start: Callable[[dict[str, Any], int], None] | None = None) -> dict[str, Any]:
    """Judge the stored items published since `since_ts` again on the cluster; return a summary.
    `on_progress(done, total)` after each part; `on_start(backfill row, items to do)` once."""
    from dask.distributed import as_completed

    from .pipeline import StageBusy, analyze_pending, make_analyzer, update_events

    run = store.begin_backfill(since_ts)
    before = run["started_ts"]
    todo = store.backfill_left(since_ts, before)
    if on_start:
        on_start(run, todo)
    parts = store.backfill_parts(since_ts, before, part_size)
    scheme = make_analyzer(settings).scheme
    fingerprint = f"{settings.path(settings.scheme)}:{time.time_ns()}"
    started = time.perf_counter()
    done, events, unlinked = 0, set(), []
    client = cluster_client(address, workers)
    try:
        futures = [client.submit(judge_part, settings.database_url, scheme, settings.model_dir, fingerprint,
                                 lo, hi, since_ts, before, pure=False, retries=2) for lo, hi in parts]
        for future in as_completed(futures):
            got = future.result()
            store.backfill_done(run["id"], got["items"])
            done += got["items"]
            events.update(got["events"])
            unlinked.extend(got["unlinked"])
            if on_progress:
                on_progress(done, todo)
    finally:
        cluster = getattr(client, "cluster", None)
        client.close()
        if cluster is not None:
            cluster.close()
    judged_s = time.perf_counter() - started
    rebuilt = update_events(store, events, settings) if events else 0
    linked = 0
    if unlinked:
        store.mark_pending(unlinked)
        try:
            linked = analyze_pending(store, make_analyzer(settings), settings.analyze_batch_size, settings=settings)
        except StageBusy:
            log.info("%d newly involving items wait for the running analysis stage", len(unlinked))
    store.backfill_done(run["id"], 0, finished=True)
    return {"backfill": run["id"], "resumed": run["resumed"], "parts": len(parts), "judged": done,
            "seconds": round(judged_s, 2), "items_per_s": round(done / judged_s, 1) if judged_s else None,
            "events_rebuilt": rebuilt, "newly_linked": linked, "waiting_for_stage": len(unlinked) - linked}
