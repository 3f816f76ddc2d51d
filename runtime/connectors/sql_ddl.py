"""`create-table: true` for the sql-sink: the column types and the CREATE TABLE statement.

A column's kind (int, float, text, bool, json, timestamp, bytes) is declared in the config
or, when absent, inferred from the first record that has a value for it, so a starter
config runs against an empty database on the first try.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

SQLITE_TYPES = {"int": "INTEGER", "float": "REAL", "text": "TEXT", "bool": "BOOLEAN",
                "json": "TEXT", "timestamp": "TEXT", "bytes": "BLOB"}
POSTGRES_TYPES = {"int": "BIGINT", "float": "DOUBLE PRECISION", "text": "TEXT",
                  "bool": "BOOLEAN", "json": "JSONB", "timestamp": "TIMESTAMPTZ",
                  "bytes": "BYTEA"}


def infer_kind(value: Any) -> str | None:
    """The column kind a JSON value suggests; None when it says nothing (null, absent)."""
    if value is None:
        return None
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, int):
        return "int"
    if isinstance(value, float):
        return "float"
    if isinstance(value, (dict, list)):
        return "json"
    return "text"


def quote_ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def quote_table(name: str) -> str:
    """A quoted table name; `schema.table` keeps its dot as the separator."""
    return ".".join(map(quote_ident, name.split(".")))


def create_table_sql(table: str, columns: Sequence[tuple[str, str]], *, postgres: bool) -> str:
    types = POSTGRES_TYPES if postgres else SQLITE_TYPES
    body = ", ".join(f"{quote_ident(name)} {types[kind]}" for name, kind in columns)
    return f"CREATE TABLE IF NOT EXISTS {quote_table(table)} ({body})"
