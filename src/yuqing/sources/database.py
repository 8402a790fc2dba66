"""Import from another tool's database: MediaCrawler's tables in SQLite, PostgreSQL or MySQL.

MediaCrawler stores to `database/sqlite_tables.db` (`--save_data_option sqlite`) or to the
MySQL/PostgreSQL database of its `config/db_config.py` (`db`, `postgres`), with the tables of its
`database/models.py` (sources/mediacrawler.py knows their names). Rows are streamed, never held
whole; the database is opened read-only where the driver allows it.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Iterator

from ..models import Quarantined, Raw
from . import mediacrawler

log = logging.getLogger(__name__)

SCHEMES = ("sqlite", "postgresql", "postgres", "mysql", "mariadb")
_DRIVERS = {"postgresql": ("postgresql+psycopg", "psycopg", "psycopg[binary]"),
            "postgres": ("postgresql+psycopg", "psycopg", "psycopg[binary]"),
            "mysql": ("mysql+pymysql", "pymysql", "PyMySQL"),
            "mariadb": ("mysql+pymysql", "pymysql", "PyMySQL")}


def is_database_url(value: str) -> bool:
    scheme = value.split("://", 1)[0].split("+", 1)[0].lower() if "://" in value else ""
    return scheme in SCHEMES


def _engine(target: str | Path):
    from sqlalchemy import create_engine
    from sqlalchemy.engine import make_url

    from .files import ImportError_

    if isinstance(target, Path):
        # read-only: an import must never change the other tool's database
        return create_engine(f"sqlite:///file:{target.resolve()}?mode=ro&uri=true"), str(target)
    try:
        url = make_url(target)
    except Exception as exc:  # noqa: BLE001 — sqlalchemy's ArgumentError and ValueError
        raise ImportError_(f"数据库地址无法解析：{exc}") from None
    backend = url.get_backend_name()
    label = url.render_as_string(hide_password=True)
    if backend in _DRIVERS and "+" not in url.drivername:
        drivername, module, package = _DRIVERS[backend]
        try:
            __import__(module)
        except ImportError:
            raise ImportError_(f"读取 {backend} 数据库需要 {package}：pip install '{package}'") from None
        url = url.set(drivername=drivername)
    return create_engine(url), label


def read_database(target: str | Path, forced: mediacrawler.Hint = mediacrawler.Hint(),
                  batch: int = 2000) -> Iterator[Raw | Quarantined]:
    """Yield the posts and comments of MediaCrawler's tables; its profile tables are refused."""
    from sqlalchemy import MetaData, Table, func, inspect, select
    from sqlalchemy.exc import SQLAlchemyError

    from .files import ImportError_

    engine, label = _engine(target)
    try:
        with engine.connect() as conn:
            try:
                names = inspect(conn).get_table_names()
            except SQLAlchemyError as exc:
                raise ImportError_(f"{label}：无法打开数据库（{type(exc).__name__}: {exc}）") from None
            known = [(n, mediacrawler.table_hint(n)) for n in sorted(names)]
            known = [(n, h) for n, h in known if h is not None]
            if not known:
                raise ImportError_(f"{label}：不是 MediaCrawler 的数据库（没有它的表；有 {', '.join(sorted(names)[:20]) or '无'}）")
            refused = 0
            meta = MetaData()
            for name, table_hint in known:
                table = Table(name, meta, autoload_with=conn)
                if table_hint.kind == "profiles":
                    refused += conn.execute(select(func.count()).select_from(table)).scalar_one()
                    continue
                hint = forced.merged(table_hint)
                order = table.c.id if "id" in table.c else None
                query = select(table).order_by(order) if order is not None else select(table)
                result = conn.execution_options(stream_results=True, yield_per=batch).execute(query)
                for i, row in enumerate(result.mappings(), 1):
                    record = dict(row)
                    origin = f"{label}#{name}:{record.get('id', i)}"
                    if mediacrawler.is_profile(record, hint):
                        refused += 1
                        continue
                    yield Raw(origin, mediacrawler.map_record(record, hint))
            if refused:
                yield Quarantined("profile-refused", label, mediacrawler.PROFILE_REFUSED.format(n=refused))
    except SQLAlchemyError as exc:
        raise ImportError_(f"{label}：读取失败（{type(exc).__name__}: {exc}）") from None
    finally:
        engine.dispose()
