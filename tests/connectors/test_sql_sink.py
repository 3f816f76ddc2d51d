"""The sql sink into a real SQLite file and a real PostgreSQL server."""

from __future__ import annotations

import json
import sqlite3

import pytest

from runtime.connectors.telemetry import read_events, read_metrics
from tests.connectors.helpers import Running, committed, produce, sink_spec, wait_for
from tests.connectors.services import postgres  # noqa: F401 - fixture

COLUMNS = [
    {"name": "fact", "path": "$.fact", "type": "text"},
    {"name": "length", "path": "$.length", "type": "integer"},
    {"name": "source", "path": "$.meta.source", "type": "text"},
    {"name": "tags", "path": "$.tags", "type": "json"},
]


def records(n: int, start: int = 0) -> list[str]:
    return [json.dumps({"fact": f"fact {i}", "length": i, "meta": {"source": "test"},
                        "tags": ["a", i]}) for i in range(start, start + n)]


def test_sqlite_rows_from_json_records_with_bad_ones_skipped(tmp_path):
    db = tmp_path / "facts.db"
    with sqlite3.connect(db) as conn:
        conn.execute("CREATE TABLE facts (fact TEXT NOT NULL, length INTEGER, source TEXT,"
                     " tags TEXT)")
    produce("facts", records(3) + ["not json", json.dumps({"length": 1})] + records(2, 3))
    spec = sink_spec("to-sqlite", "sql-sink", "facts", url=f"sqlite:///{db}", table="facts",
                     columns=COLUMNS, **{"batch-size": "2"})
    with Running(spec) as run:
        wait_for(lambda: committed("to-sqlite", "facts") == 7)
        assert run.stop() == 0
    with sqlite3.connect(db) as conn:
        rows = conn.execute("SELECT fact, length, source, tags FROM facts ORDER BY length")
        rows = rows.fetchall()
    assert [r[0] for r in rows] == [f"fact {i}" for i in range(5)]
    assert rows[0][2] == "test" and json.loads(rows[1][3]) == ["a", 1]
    errors = [e for e in read_events("to-sqlite") if e.event == "error"]
    assert [e.offset for e in errors] == [3, 4]
    assert "not JSON" in errors[0].message
    assert "NOT NULL" in errors[1].message  # the database refused that row alone
    assert read_metrics("to-sqlite").records_out == 5


def test_sqlite_missing_table_fails_at_start(tmp_path):
    produce("nowhere", records(1))
    spec = sink_spec("no-table", "sql-sink", "nowhere", url=f"sqlite:///{tmp_path}/x.db",
                     table="missing", columns=COLUMNS)
    assert Running(spec).__enter__().wait() == 1
    assert "table `missing`" in read_metrics("no-table").last_error
    assert committed("no-table", "nowhere") is None


def test_sqlite_json_sql_operations_without_mapping(tmp_path):
    db = tmp_path / "ops.db"
    with sqlite3.connect(db) as conn:
        conn.execute("CREATE TABLE t (name TEXT, n INTEGER)")
    ops = [json.dumps({"Insert": {"table": "t", "values": [
        {"column": "name", "raw_value": f"x{i}", "type": "Text"},
        {"column": "n", "raw_value": str(i), "type": "Int"}]}}) for i in range(3)]
    produce("ops", ops)
    spec = sink_spec("ops", "sql-sink", "ops", url=f"sqlite://{db}")
    with Running(spec) as run:
        wait_for(lambda: committed("ops", "ops") == 3)
        run.stop()
    with sqlite3.connect(db) as conn:
        assert conn.execute("SELECT name, n FROM t ORDER BY n").fetchall() == [
            ("x0", 0), ("x1", 1), ("x2", 2)]


@pytest.mark.integration
def test_postgres_rows_and_resume(postgres):  # noqa: F811
    import psycopg

    with psycopg.connect(postgres.url, autocommit=True) as conn:
        conn.execute("CREATE TABLE facts (fact TEXT NOT NULL, length INTEGER, "
                     "source TEXT, tags JSONB)")
    produce("pg-facts", records(4) + ["{"])
    spec = sink_spec("to-pg", "sql-sink", "pg-facts", url=postgres.url, table="facts",
                     columns=COLUMNS)
    with Running(spec) as run:
        wait_for(lambda: committed("to-pg", "pg-facts") == 5)
        run.stop()
    produce("pg-facts", records(2, 4))
    with Running(spec) as run:
        wait_for(lambda: committed("to-pg", "pg-facts") == 7)
        run.stop()
    with psycopg.connect(postgres.url) as conn:
        rows = conn.execute("SELECT fact, length, tags FROM facts ORDER BY length").fetchall()
    assert [r[1] for r in rows] == list(range(6))  # each once: resumed, not replayed
    assert rows[2][2] == ["a", 2]
    assert read_metrics("to-pg").errors == 0  # the second run's counters
    errors = [e for e in read_events("to-pg") if e.event == "error"]
    assert [e.offset for e in errors] == [4]
