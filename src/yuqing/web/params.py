"""Bounded parameter types for every route: a number out of range is a clear 422, never a 500
from a database that cannot hold it, and never an unbounded query (`limit=-1`)."""

from __future__ import annotations

from typing import Annotated

from fastapi import Form, Path, Query

MAX_ID = 2**62                     # past what SQLite's integer holds, an id is not one of ours
YEARS = {"ge": 1990, "le": 2100}

RowId = Annotated[int, Path(ge=1, le=MAX_ID, description="a row id")]
RowIdForm = Annotated[int, Form(ge=1, le=MAX_ID)]
Year = Annotated[int, Query(**YEARS, description="a year, 1990–2100")]
OptYear = Annotated[int | None, Query(**YEARS, description="a year, 1990–2100")]
YearForm = Annotated[int, Form(**YEARS)]
Epoch = Annotated[int | None, Query(ge=0, le=2**40, description="epoch seconds")]
Days = Annotated[int, Query(ge=1, le=3660)]
