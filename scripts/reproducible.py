"""Helpers for build scripts whose output must be byte-for-byte reproducible."""

from __future__ import annotations

import gzip
import io


def gzip_bytes(data: bytes) -> bytes:
    """Return data gzipped with a fixed timestamp, so equal input gives equal bytes."""
    out = io.BytesIO()
    with gzip.GzipFile(fileobj=out, mode="wb", compresslevel=9, mtime=0) as gz:
        gz.write(data)
    return out.getvalue()
