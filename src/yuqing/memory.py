"""The C allocator told to give freed memory back (glibc on Linux; elsewhere nothing is done).

glibc raises its mmap threshold each time a large block is freed (up to 32 MB), after which
batch-sized buffers — numpy arrays, SQLite's pages, a batch's JSON — come from the heap, whose
free space returns to the system only from its top. A fixed threshold keeps blocks over 256 KB in
their own mappings (unmapped when freed) and trims the heap's top past 256 KB: a 100k-item
import's process tree 650 → 584 MB PSS for ~the same CPU (bench/RESULTS.md, issue 20). The same as
GLIBC_TUNABLES=glibc.malloc.mmap_threshold=262144:glibc.malloc.trim_threshold=262144, set where
no environment can be: in the process, before the work (forked workers inherit it).
"""

from __future__ import annotations

import ctypes
import ctypes.util
import sys

M_TRIM_THRESHOLD, M_MMAP_THRESHOLD = -1, -3     # glibc's malloc.h
THRESHOLD = 256 * 1024


def return_freed_memory() -> bool:
    """Fix glibc's thresholds; True when it took them."""
    if not sys.platform.startswith("linux"):
        return False
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        mallopt = libc.mallopt
    except (OSError, AttributeError):          # not glibc (musl has no mallopt to speak of)
        return False
    mallopt.argtypes, mallopt.restype = [ctypes.c_int, ctypes.c_int], ctypes.c_int
    return bool(mallopt(M_MMAP_THRESHOLD, THRESHOLD)) and bool(mallopt(M_TRIM_THRESHOLD, THRESHOLD))
