"""`yuqing doctor`: the database, the bus and the workers, checked and said in words.

Each check is {"what", "ok", "said"}: what was looked at, whether it is as it should be, and a
sentence an operator can act on (never a traceback)."""

from __future__ import annotations

from typing import Any

from .settings import Settings


def _check(what: str, ok: bool, said: str) -> dict[str, Any]:
    return {"what": what, "ok": ok, "said": said}


def _hide(url: str) -> str:
    try:
        from sqlalchemy.engine import make_url

        return make_url(url).render_as_string(hide_password=True)
    except Exception:  # noqa: BLE001
        return url.split("@")[-1]


def checks(settings: Settings) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    store = _database(settings, out)
    _scheme(settings, out)
    if settings.bus_url:
        _bus(settings, store, out)
    elif store is not None:
        pending = store.count_pending(1_000_000)
        out.append(_check("分析积压", True, f"{pending} 条待分析（单机模式：由 yuqing run 分析）"))
    if store is not None:
        store.close()
    return out


def _database(settings: Settings, out: list) -> Any:
    from sqlalchemy import select, text

    from .store import open_store
    from .store.schema import MIGRATIONS, schema_migrations

    url = _hide(settings.database_url)
    try:
        store = open_store(settings.database_url, migrate=False)
        with store.engine.connect() as conn:
            conn.execute(text("SELECT 1"))
            try:
                done = set(conn.execute(select(schema_migrations.c.version)).scalars())
            except Exception:  # noqa: BLE001 — no table yet: a new store
                done = set()
            version = conn.execute(text("SHOW server_version")).scalar() if conn.dialect.name == "postgresql" else None
    except Exception as exc:  # noqa: BLE001 — said in words
        out.append(_check("数据库", False, f"{url} 连接失败：{type(exc).__name__}: {str(exc).splitlines()[0][:300]}。"
                                          "请确认数据库在运行、地址和账号正确（database_url / YUQING_DATABASE_URL）"))
        return None
    missing = [v for v, _n, _f in MIGRATIONS if v not in done]
    kind = f"PostgreSQL {version}" if version else "SQLite"
    out.append(_check("数据库", True, f"{url}（{kind}）可连接，{store.count_items()} 条信息"))
    if missing:
        out.append(_check("库结构", False, f"缺 {len(missing)} 个迁移（{missing[0]}…{missing[-1]}）：任一 yuqing 命令启动时会补上，"
                                         "或运行 yuqing stats"))
    else:
        out.append(_check("库结构", True, f"迁移齐全（{len(MIGRATIONS)} 个）"))
    return store


def _scheme(settings: Settings, out: list) -> None:
    from .scheme import SchemeError, load_scheme
    from .starter import known_region

    path = settings.path(settings.scheme)
    if not path.is_file():
        out.append(_check("监测方案", False, f"{path} 不存在：没有方案时每条信息都算涉及本区（yuqing init --region 生成）"))
        return
    try:
        scheme = load_scheme(path, known_region)
    except (SchemeError, OSError, KeyError) as exc:
        out.append(_check("监测方案", False, f"{path} 无法使用：{exc}"))
        return
    out.append(_check("监测方案", True, f"{path}：{scheme.name}"))


def _bus(settings: Settings, store, out: list) -> None:
    from .bus import BusClient, BusError

    try:
        bus = BusClient(settings.bus_url, settings.bus_key, settings.bus_ack_wait, connect_timeout=5.0)
    except BusError as exc:
        out.append(_check("消息总线", False, f"{exc}。请确认 nats-server 以 -js（JetStream）运行、地址正确（bus_url / YUQING_BUS_URL）"))
        return
    try:
        streams = bus.stream_info()
        consumers = bus.consumers()
    except Exception as exc:  # noqa: BLE001
        out.append(_check("消息总线", False, f"{settings.bus_url} 可连接，但 JetStream 不可用：{type(exc).__name__}: {exc}。"
                                          "nats-server 需以 -js 启动"))
        bus.close()
        return
    out.append(_check("消息总线", True, f"{settings.bus_url}（键 {settings.bus_key}）：待入库 {streams['raw']['messages']} 条消息，"
                                      f"待关联 {streams['analysed']['messages']} 条消息"))
    raw, linked = consumers.get("raw"), consumers.get("analysed")
    if raw is None:
        out.append(_check("分析进程", streams["raw"]["messages"] == 0,
                          "还没有分析进程连过总线：运行 yuqing worker analyse（可多个、可在多台机器）"))
    else:
        busy = raw["waiting_pulls"] or raw["unacked"]
        stuck = raw["pending"] and not busy
        out.append(_check("分析进程", not stuck,
                          (f"没有分析进程在取消息，{raw['pending']} 条消息在等：运行 yuqing worker analyse" if stuck else
                           f"在工作（待取 {raw['pending']}，处理中 {raw['unacked']}，重投 {raw['redelivered']}）")))
    if store is not None:
        with store.exclusive("analysis") as free:
            owner = not free              # someone holds the lock: the events worker (or a yuqing run/import)
        waiting = linked["pending"] if linked else streams["analysed"]["messages"]
        pending = store.count_pending(1_000_000)
        coming = waiting or streams["raw"]["messages"] or pending     # work that will need it
        out.append(_check("事件进程", owner or not coming,
                          "有进程持有分析锁（yuqing worker events 在关联）" if owner else
                          (f"没有事件进程：{waiting} 条消息待关联、{streams['raw']['messages']} 条待入库、"
                           f"库中 {pending} 条待分析，都要它来完成：运行 yuqing worker events" if coming else
                           "没有事件进程在运行（暂无待关联的信息；运行 yuqing worker events）")))
        out.append(_check("分析积压", True, f"库中 {pending} 条待分析"))
    bus.close()
