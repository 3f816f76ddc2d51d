"""Limits every writer of a topic shares (CLI, connectors, the Fluvio endpoint).

One record's key plus value may be at most MAX_RECORD_BYTES; a bigger one is refused with
a clear error rather than stored. 32 MB is above what Fluvio's own producer sends by
default (its max request size is 32 MiB) and keeps a single record far from the memory a
consumer or the cluster daemon can hold at once. A topic has at most MAX_PARTITIONS
partitions, and its sizes and durations fit MAX_INT64, as SQLite's INTEGER stores them.
"""

from __future__ import annotations

MAX_RECORD_BYTES = 32 * 1024 * 1024
MAX_PARTITIONS = 10_000
MAX_INT64 = 2**63 - 1
