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


def test_sqlite_missing_table_error_says_to_turn_on_create_table(tmp_path):
    produce("nowhere2", records(1))
    spec = sink_spec("no-table2", "sql-sink", "nowhere2", url=f"sqlite:///{tmp_path}/x.db",
                     table="missing", columns=COLUMNS)
    assert Running(spec).__enter__().wait() == 1
    assert "create-table: true" in read_metrics("no-table2").last_error


UNTYPED = [{"name": "fact", "path": "$.fact"}, {"name": "length", "path": "$.length"},
           {"name": "tags", "path": "$.tags"}, {"name": "at", "path": "$.t",
                                               "type": "timestamp"}]


def test_sqlite_create_table_with_declared_and_inferred_types(tmp_path):
    db = tmp_path / "new.db"
    produce("create", [json.dumps({"fact": "a", "length": 3, "tags": [1], "t": 0}),
                       json.dumps({"fact": "b", "length": 4, "tags": {"x": 1}, "t": 1000})])
    spec = sink_spec("creates", "sql-sink", "create", url=f"sqlite:///{db}", table="facts",
                     columns=UNTYPED, **{"create-table": "true"})
    with Running(spec) as run:
        wait_for(lambda: committed("creates", "create") == 2)
        assert run.stop() == 0
    with sqlite3.connect(db) as conn:
        types = {r[1]: r[2] for r in conn.execute("PRAGMA table_info(facts)")}
        rows = conn.execute("SELECT fact, length, tags, at FROM facts ORDER BY length")
        rows = rows.fetchall()
    assert types == {"fact": "TEXT", "length": "INTEGER", "tags": "TEXT", "at": "TEXT"}
    assert rows[0][:3] == ("a", 3, "[1]") and rows[1][3].startswith("1970-01-01T00:00:01")
    assert read_metrics("creates").errors == 0
    # a second run finds the table and appends
    produce("create", [json.dumps({"fact": "c", "length": 5, "tags": [], "t": 0})])
    with Running(spec) as run:
        wait_for(lambda: committed("creates", "create") == 3)
        run.stop()
    with sqlite3.connect(db) as conn:
        assert conn.execute("SELECT count(*) FROM facts").fetchone() == (3,)


def test_config_new_sql_sink_runs_on_first_try(tmp_path):
    """The starter as `weir config new` writes it, pointed at a fresh database file."""
    from tests.conftest import run_weir

    config = tmp_path / "sql.yaml"
    assert run_weir("config", "new", "sql-sink", "-o", str(config)).returncode == 0
    db = tmp_path / "demo.db"
    config.write_text(config.read_text().replace("sqlite:///tmp/weir-demo.db",
                                                 f"sqlite:///{db}"))
    assert run_weir("validate", str(config)).returncode == 0
    produce("sql-records", [json.dumps({"n": i, "time": "2026-01-01T00:00:00Z"})
                            for i in range(3)])
    from runtime.config.load import load_connector

    with Running(load_connector(config)) as run:
        wait_for(lambda: committed("my-sql-sink", "sql-records") == 3)
        assert run.stop() == 0
    with sqlite3.connect(db) as conn:
        rows = conn.execute("SELECT n, at, body FROM events ORDER BY n").fetchall()
    assert [r[0] for r in rows] == [0, 1, 2]
    assert json.loads(rows[2][2]) == {"n": 2, "time": "2026-01-01T00:00:00Z"}


@pytest.mark.integration
def test_postgres_create_table_from_columns(postgres):  # noqa: F811
    import psycopg

    produce("pg-create", [json.dumps({"fact": "a", "length": 3, "tags": [1], "t": 0})])
    spec = sink_spec("pg-creates", "sql-sink", "pg-create", url=postgres.url, table="made",
                     columns=UNTYPED, **{"create-table": "true"})
    with Running(spec) as run:
        wait_for(lambda: committed("pg-creates", "pg-create") == 1)
        run.stop()
    with psycopg.connect(postgres.url) as conn:
        types = dict(conn.execute(
            "SELECT column_name, data_type FROM information_schema.columns "
            "WHERE table_name = 'made'").fetchall())
        row = conn.execute("SELECT fact, length, tags, at FROM made").fetchone()
    assert types == {"fact": "text", "length": "bigint", "tags": "jsonb",
                     "at": "timestamp with time zone"}
    assert row[:3] == ("a", 3, [1]) and row[3].year == 1970


def _refused_in_the_middle() -> list[str]:
    """Three good records, one the table refuses (no `fact`: NOT NULL), two good."""
    return records(3) + [json.dumps({"length": 99})] + records(2, 3)


@pytest.mark.integration
def test_postgres_refused_row_fails_alone_in_the_batch_s_transaction(postgres):  # noqa: F811
    """PostgreSQL aborts a transaction at an error: the sink fences each row of a refused
    batch with a savepoint, so the good rows around the bad one still go in."""
    import psycopg

    with psycopg.connect(postgres.url, autocommit=True) as conn:
        conn.execute("CREATE TABLE refusing (fact TEXT NOT NULL, length INTEGER, "
                     "source TEXT, tags JSONB)")
    produce("pg-refused", _refused_in_the_middle())
    spec = sink_spec("pg-refused", "sql-sink", "pg-refused", url=postgres.url,
                     table="refusing", columns=COLUMNS)
    with Running(spec) as run:
        wait_for(lambda: committed("pg-refused", "pg-refused") == 6)
        assert run.stop() == 0
    with psycopg.connect(postgres.url) as conn:
        lengths = [r[0] for r in conn.execute("SELECT length FROM refusing ORDER BY length")]
    assert lengths == [0, 1, 2, 3, 4]
    errors = [e for e in read_events("pg-refused") if e.event == "error"]
    assert [e.offset for e in errors] == [3] and "null" in errors[0].message.lower()


def test_sqlite_stop_policy_keeps_the_rows_before_a_refused_one_and_nothing_after(tmp_path):
    db = tmp_path / "stop.db"
    with sqlite3.connect(db) as conn:
        conn.execute("CREATE TABLE facts (fact TEXT NOT NULL, length INTEGER, source TEXT,"
                     " tags TEXT)")
    produce("halt", _refused_in_the_middle())
    spec = sink_spec("halt", "sql-sink", "halt", url=f"sqlite:///{db}", table="facts",
                     columns=COLUMNS, **{"on-error": "stop"})
    assert Running(spec).__enter__().wait() == 1
    with sqlite3.connect(db) as conn:
        lengths = [r[0] for r in conn.execute("SELECT length FROM facts ORDER BY length")]
    assert lengths == [0, 1, 2]  # in, then the refused row stopped the batch
    assert committed("halt", "halt") == 3  # a restart meets the refused record again
    errors = [e for e in read_events("halt") if e.event == "error"]
    assert [e.offset for e in errors] == [3] and "NOT NULL" in errors[0].message
