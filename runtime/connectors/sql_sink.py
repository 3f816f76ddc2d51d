"""`sql-sink`: insert JSON records into a table of SQLite or PostgreSQL.

Parameters: `url` (`sqlite:///abs/path.db`, `sqlite://relative.db`,
`postgresql://user:pass@host:port/db`), `table` and `columns` (a list of {name, path: a
JSON path like `$.a.b` or `$.items[0]`, type: text|integer|real|boolean|json|timestamp}),
`batch-size` rows per INSERT statement (default 100; at most 999 values a statement),
`backoff-min` (1s), `backoff-max` (60s),
`retries` (3): how often a batch is retried while the database is unreachable before the
connector fails (uncommitted, so nothing is lost: a restart delivers the batch again),
`create-table` (false): create a missing table from `columns`, each column's type declared
or inferred from the first record (see sql_ddl).
The json-sql style `mapping: {table, map-columns: {COL: {json-key, value: {type}}}}` is
accepted too.

Without a mapping each record must be the operation Fluvio's json-sql SmartModule emits:
`{"Insert": {"table": T, "values": [{"column": C, "raw_value": V, "type": TYPE}]}}`.

The rows of each batch the pipeline hands over (up to 5,000 records, fewer when fewer are
waiting) go in one transaction, committed before the batch's offsets are. When the
database refuses the batch because of the data, it is inserted again one statement a row
(still one transaction) so only the bad rows fail (logged with their offset); when the
database is unreachable or busy, the batch is retried with backoff, which a stop request
ends (the batch uncommitted, delivered again on the next start).
"""

from __future__ import annotations

import asyncio
import json
import re
from collections.abc import Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from itertools import chain
from typing import Any, NamedTuple

from runtime.config import connector_types as ct
from runtime.config.sql_types import JSON_SQL_TYPES as TYPES
from runtime.connectors.backoff import Backoff
from runtime.connectors.base import ConnectorContext, Delivery, ParameterError
from runtime.connectors.kit import Sink, milliseconds
from runtime.connectors.sql_ddl import create_table_sql, infer_kind, quote_ident, quote_table
from runtime.errors import WeirError
from runtime.topics.record import Record

_MISSING = object()
MAX_PARAMETERS = 999  # bound values one statement may take (SQLite before 3.32)


class BadRecord(Exception):
    """This record cannot become a row (not JSON, missing a required field, wrong type)."""


@dataclass(frozen=True, slots=True)
class Column:
    name: str
    path: tuple[str, ...]
    type: str
    required: bool = False
    default: Any = None
    declared: bool = True


class Row(NamedTuple):
    """One json-sql operation's INSERT."""

    table: str
    columns: tuple[str, ...]
    values: tuple[Any, ...]


# rows of one shape: table, columns, and each row's values (in the records' order)
Group = tuple[str, tuple[str, ...], list[tuple[Any, ...]]]


def groups_of(rows: Sequence[Row]) -> list[Group]:
    """json-sql operations as runs of one table and column list, in order."""
    groups: list[Group] = []
    for row in rows:
        if not groups or groups[-1][:2] != (row.table, row.columns):
            groups.append((row.table, row.columns, []))
        groups[-1][2].append(row.values)
    return groups


def _convert(value: Any, kind: str, column: str) -> Any:
    if value is None:
        return None
    try:
        if kind == "int":
            if isinstance(value, bool):
                return int(value)
            if isinstance(value, float) and not value.is_integer():
                raise ValueError
            return int(value)
        if kind == "float":
            return float(value)
        if kind == "bool":
            if isinstance(value, str):
                lowered = value.strip().lower()
                if lowered in ("true", "1", "yes"):
                    return True
                if lowered in ("false", "0", "no"):
                    return False
                raise ValueError
            return bool(value)
        if kind == "json":
            return json.dumps(value)
        if kind == "timestamp" and isinstance(value, (int, float)) and not isinstance(value, bool):
            # a number is epoch milliseconds, as record timestamps are
            return datetime.fromtimestamp(value / 1000, UTC).isoformat()
        if kind == "bytes":
            return value.encode() if isinstance(value, str) else bytes(value)
        return value if isinstance(value, str) else json.dumps(value)
    except (TypeError, ValueError):
        raise BadRecord(f"column `{column}`: {value!r} is not a valid {kind}") from None


class Mapping:
    """JSON record -> row, by the `mapping` parameter."""

    def __init__(self, table: str, columns: list[Column]) -> None:
        self.table = table
        self.columns = columns
        self.names = tuple(c.name for c in self.columns)
        self._replan()

    @classmethod
    def of(cls, connector: str, p: ct.SqlSink) -> Mapping | None:
        """The mapping the parameters give: json-sql style `mapping` (first), or `table`
        and `columns`; None when records are json-sql operations."""
        if p.mapping is not None:
            table = p.mapping.table
            columns = [Column(name, parse_path(c.json_key), TYPES[c.value.type.lower()],
                              c.value.required, c.value.default,
                              "type" in c.value.model_fields_set)
                       for name, c in p.mapping.map_columns.items()]
        elif p.columns is not None:
            table = p.table or ""
            columns = [Column(c.name, parse_path(c.path), TYPES[c.type or "text"],
                              declared=c.type is not None) for c in p.columns]
        else:
            return None
        if not columns:
            raise ParameterError(f"connector `{connector}`: `{table}` needs at least one "
                                 "column ([{name: col, path: $.field, type: text}])")
        return cls(table, columns)

    def _replan(self) -> None:
        # the common case, a top-level key of a JSON object, skips the path walk
        self._plan = [(c, c.path[0] if len(c.path) == 1 else None, _FAST.get(c.type))
                      for c in self.columns]

    @property
    def all_declared(self) -> bool:
        return all(c.declared for c in self.columns)

    def infer(self, records: Sequence[Record]) -> None:
        """Give each undeclared column the kind of its first non-null value in `records`."""
        samples = []
        for record in records:
            try:
                samples.append(json.loads(record.value.decode()))
            except ValueError:
                continue
        columns = []
        for col in self.columns:
            if not col.declared:
                kinds = (infer_kind(_value_at(data, col.path)) for data in samples)
                kind = next((k for k in kinds if k is not None), "text")
                col = Column(col.name, col.path, kind, col.required, col.default)
            columns.append(col)
        self.columns = columns
        self._replan()

    def create_sql(self, postgres: bool) -> str:
        return create_table_sql(self.table, [(c.name, c.type) for c in self.columns],
                                postgres=postgres)

    def values(self, record: Record) -> tuple[Any, ...]:
        """The record's row: the columns' values, in `names` order."""
        data = _json(record.value)
        is_object = type(data) is dict
        values = []
        for col, key, fast in self._plan:
            if key is not None and is_object:
                value = data.get(key)
            else:
                value = _lookup(data, col.path)
                if value is _MISSING:
                    value = None
            if value is None:
                if col.required:
                    raise BadRecord(f"required field `{'.'.join(col.path)}` is missing")
                value = col.default
            if fast is None or type(value) is not fast:
                value = _convert(value, col.type, col.name)
            values.append(value)
        return tuple(values)


_decode = json.JSONDecoder().raw_decode


def _json(value: bytes) -> Any:
    """The record's JSON (UTF-8), as json.loads reads it; BadRecord when it is not. A
    record that is exactly one JSON value (the usual) takes the decoder's short path,
    half the cost of json.loads; anything else (padding, garbage) gets json.loads's
    verdict."""
    try:
        text = value.decode()
        try:
            data, end = _decode(text)
        except ValueError:
            end = -1
        return data if end == len(text) else json.loads(text)
    except ValueError as exc:
        raise BadRecord(f"record is not JSON: {exc}") from None


# values already of the column's Python type go in as they are
_FAST = {"int": int, "float": float, "text": str, "bool": bool}


_SEGMENT = re.compile(r"\.([^.\[]+)|\[(\d+)\]|\['([^']*)'\]|\[\"([^\"]*)\"\]")


def parse_path(text: str) -> tuple[str, ...]:
    """`$.a.b[0]`, `$['odd key']` or plain `a.b` -> ("a", "b", "0")."""
    text = text.strip()
    if not text.startswith("$"):
        return tuple(p for p in text.split(".") if p)
    parts, pos, body = [], 0, text[1:]
    while pos < len(body):
        match = _SEGMENT.match(body, pos)
        if not match:
            raise ParameterError(f"`{text}` is not a JSON path like $.a.b or $.items[0]")
        parts.append(next(g for g in match.groups() if g is not None))
        pos = match.end()
    return tuple(parts)


def _lookup(data: Any, path: tuple[str, ...]) -> Any:
    for part in path:
        if isinstance(data, dict) and part in data:
            data = data[part]
        elif isinstance(data, list) and part.isdigit() and int(part) < len(data):
            data = data[int(part)]
        else:
            return _MISSING
    return data


def _value_at(data: Any, path: tuple[str, ...]) -> Any:
    value = _lookup(data, path)
    return None if value is _MISSING else value


def operation_row(record: Record) -> Row:
    """A json-sql operation record: {"Insert": {"table", "values": [...]}}."""
    try:
        data = json.loads(record.value)
        op = data["Insert"]
        cols, vals = [], []
        for item in op["values"]:
            cols.append(str(item["column"]))
            kind = TYPES.get(str(item.get("type", "text")).lower(), "text")
            vals.append(_convert(item.get("raw_value"), kind, cols[-1]))
        return Row(str(op["table"]), tuple(cols), tuple(vals))
    except BadRecord:
        raise
    except (ValueError, KeyError, TypeError):
        raise BadRecord(
            "record is not a json-sql Insert operation and the connector has no `mapping`"
        ) from None


class _Database:
    """One connection, used only from the sink's worker thread."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.postgres = url.lower().startswith(("postgres://", "postgresql://"))
        self.conn = None
        self._statements: dict[tuple[str, tuple[str, ...], int], str] = {}  # by _sql
        if self.postgres:
            import psycopg

            self.module = psycopg
            self.placeholder = "%s"
        else:
            import sqlite3

            self.module = sqlite3
            self.placeholder = "?"
            self.path = _sqlite_path(url)

    def connect(self) -> None:
        self.close()
        if self.postgres:
            self.conn = self.module.connect(self.url, connect_timeout=10)
        else:
            self.conn = self.module.connect(self.path, timeout=10, check_same_thread=False)

    def close(self) -> None:
        if self.conn is not None:
            try:
                self.conn.close()
            except Exception:  # noqa: BLE001 - closing a broken connection
                pass
            self.conn = None

    def is_data_error(self, exc: Exception) -> bool:
        m = self.module
        if self.postgres:
            return isinstance(exc, m.DatabaseError) and not isinstance(
                exc, (m.OperationalError, m.InterfaceError)
            )
        return isinstance(exc, (m.IntegrityError, m.DataError, m.ProgrammingError,
                                m.InterfaceError, OverflowError))

    def check(self, table: str, columns: Sequence[str]) -> None:
        cols = ", ".join(quote_ident(c) for c in columns) if columns else "*"
        cur = self.conn.cursor()
        try:
            cur.execute(f"SELECT {cols} FROM {quote_table(table)} WHERE 1 = 0")
            cur.fetchall()
        finally:
            cur.close()
            self.conn.rollback()  # a failed SELECT aborts PostgreSQL's transaction

    @contextmanager
    def _transaction(self) -> Iterator[Any]:
        """A cursor whose work is committed when the block ends, rolled back if it
        raises (anything, a cancel included)."""
        cur = self.conn.cursor()
        try:
            yield cur
            self.conn.commit()
        except BaseException:
            self._rollback()
            raise
        finally:
            cur.close()

    def execute(self, sql: str) -> None:
        with self._transaction() as cur:
            cur.execute(sql)

    def _sql(self, table: str, columns: tuple[str, ...], rows: int = 1) -> str:
        """The INSERT of `rows` rows of one (table, columns) shape, built once: the
        driver then reuses its prepared statement (sqlite3's statement cache)."""
        sql = self._statements.get((table, columns, rows))
        if sql is None:
            marks = "(" + ", ".join([self.placeholder] * len(columns)) + ")"
            sql = (f"INSERT INTO {quote_table(table)} "
                   f"({', '.join(map(quote_ident, columns))}) VALUES "
                   + ", ".join([marks] * rows))
            self._statements[(table, columns, rows)] = sql
        return sql

    def insert(self, groups: Sequence[Group], per_statement: int) -> None:
        """All rows in one transaction, in order, `per_statement` rows an INSERT."""
        with self._transaction() as cur:
            for table, columns, rows in groups:
                # one statement takes many rows (a step and a reset of the statement per
                # statement, not per row), within SQLite's oldest parameter limit
                per = max(1, min(per_statement, MAX_PARAMETERS // max(1, len(columns))))
                full = len(rows) - len(rows) % per
                if full:
                    cur.executemany(self._sql(table, columns, per), [
                        tuple(chain.from_iterable(rows[start:start + per]))
                        for start in range(0, full, per)])
                if full < len(rows):
                    cur.execute(self._sql(table, columns, len(rows) - full),
                                tuple(chain.from_iterable(rows[full:])))

    def insert_each(self, groups: Sequence[Group], *, halt: bool) -> list[Exception | None]:
        """The rows one statement each, in one transaction: the database's refusal of a
        row (its data) is returned in its place (None for a row that went in); with
        `halt`, the rows after the first refused one are left out. Other errors roll it
        all back."""
        refused: list[Exception | None] = []
        with self._transaction() as cur:
            for table, columns, rows in groups:
                sql = self._sql(table, columns)
                for values in rows:
                    if self.postgres:  # an error aborts a PostgreSQL transaction: fence it
                        cur.execute("SAVEPOINT weir_row")
                    try:  # (a failed SQLite statement undoes only itself)
                        cur.execute(sql, values)
                    except (self.module.Error, OverflowError) as exc:
                        if not self.is_data_error(exc):
                            raise
                        if self.postgres:
                            cur.execute("ROLLBACK TO SAVEPOINT weir_row")
                        refused.append(exc)
                        if halt:
                            break
                        continue
                    refused.append(None)
                if halt and refused and refused[-1] is not None:
                    break
        return refused

    def _rollback(self) -> None:
        try:
            self.conn.rollback()
        except Exception:  # noqa: BLE001 - the connection may be gone
            pass


def _sqlite_path(url: str) -> str:
    rest = url[len("sqlite:"):]
    rest = rest.split("?", 1)[0]
    if rest.startswith("//"):
        rest = rest[2:]
    return rest or ":memory:"


class SqlSink(Sink):
    type = "sql-sink"
    Params = ct.SqlSink
    summary = "insert JSON records into PostgreSQL or SQLite"
    legacy_aliases = (("database-url", "url"), ("database_url", "url"))
    legacy_env = (("url", "FLUVIO_DATABASE_URL"),)
    # one transaction, so one wait for the disk to flush, per batch: the more rows it
    # holds, the less that wait costs each (the database alone inserts 500 rows a
    # transaction at about a third the rate of 5,000). A crash between the database's
    # commit and the offsets' delivers at most this many rows again.
    batch_records = 5000

    params: ct.SqlSink

    def __init__(self, ctx: ConnectorContext) -> None:
        super().__init__(ctx)
        p = self.params
        self.reporter = ctx.reporter
        url: str = p.url
        self.mapping = Mapping.of(ctx.spec.name, p)
        self.create_table = p.create_table
        self.pending_create = False  # the table is created with the first batch's kinds
        self.retries = p.retries
        self.batch_size = p.batch_size
        self.backoff_min_ms = milliseconds(p.backoff_min)
        self.backoff_max_ms = milliseconds(p.backoff_max)
        self.db = _Database(url)
        self.executor = ThreadPoolExecutor(1, thread_name_prefix=f"sql-{ctx.spec.name}")

    async def _call(self, fn, *args):
        return await asyncio.get_running_loop().run_in_executor(self.executor, fn, *args)

    async def open(self) -> None:
        kind = "PostgreSQL" if self.db.postgres else f"SQLite {self.db.path}"
        backoff = Backoff(self.backoff_min_ms, self.backoff_max_ms)
        while True:
            try:
                await self._call(self.db.connect)
                break
            except self.db.module.Error as exc:
                delay = backoff.next_delay()
                self.reporter.error(f"cannot connect to {kind}: {exc}; retrying in {delay:.1f}s",
                                    count=False)
                if await self.ctx.stop.sleep(delay):
                    raise WeirError("stopped before the database was reachable") from None
        if self.mapping is not None:
            target = f"table `{self.mapping.table}`"
            if not await self._table_usable() and self.create_table:
                if self.mapping.all_declared:
                    await self._create_table()
                    target += " (created)"
                else:
                    self.pending_create = True
                    target += " (created with the first records' column types)"
            if not self.pending_create:
                await self._check_table(kind)
        else:
            target = "tables named by json-sql operations"
        self.reporter.info(f"sql sink: {kind}, {target}, a transaction per batch, "
                           f"{self.batch_size} rows an INSERT")

    async def _table_usable(self) -> bool:
        try:
            await self._call(self.db.check, self.mapping.table, self.mapping.names)
            return True
        except self.db.module.Error:
            return False

    async def _check_table(self, kind: str) -> None:
        try:
            await self._call(self.db.check, self.mapping.table, self.mapping.names)
        except self.db.module.Error as exc:
            hint = ("the table exists but lacks a mapped column: add it, or rename the "
                    "column in `columns`" if self.create_table else
                    "create the table first, or add `create-table: true` under `sql:` to "
                    "have the sink create it from `columns`")
            raise WeirError(
                f"sql-sink `{self.ctx.spec.name}`: table `{self.mapping.table}` or one of "
                f"its mapped columns is not usable in {kind}: {str(exc).strip()}",
                hint=hint,
            ) from None

    async def _create_table(self) -> None:
        sql = self.mapping.create_sql(self.db.postgres)
        try:
            await self._call(self.db.execute, sql)
        except self.db.module.Error as exc:
            raise WeirError(
                f"sql-sink `{self.ctx.spec.name}`: cannot create table "
                f"`{self.mapping.table}`: {str(exc).strip()}",
                hint="check the database user may create tables, or create it yourself",
            ) from None
        self.reporter.info(f"sql sink: created {sql.removeprefix('CREATE TABLE IF NOT EXISTS ')}")

    async def close(self) -> None:
        await self._call(self.db.close)
        self.executor.shutdown(wait=True)

    async def deliver(self, records: Sequence[Record]) -> Delivery:
        """The batch in one transaction (one commit, so one wait for the disk, per batch
        the pipeline hands over); its offsets are committed only after it."""
        result = Delivery()
        if self.pending_create and records:
            self.mapping.infer(records)
            await self._create_table()
            await self._check_table("the database")
            self.pending_create = False
        halt = self.ctx.policy == "stop"
        make = self.mapping.values if self.mapping is not None else operation_row
        bad: list[tuple[Record, str]] = []
        try:
            made = [make(record) for record in records]  # the usual batch: no bad record
            kept = records
        except BadRecord:
            made, kept = [], []
            for record in records:
                try:
                    made.append(make(record))
                    kept.append(record)
                except BadRecord as exc:
                    bad.append((record, str(exc)))
                    if halt:  # rows before the bad record still go in, then we stop
                        break
        if self.mapping is not None:
            groups = [(self.mapping.table, self.mapping.names, made)] if made else []
        else:
            groups = groups_of(made)
        try:
            refused = await self._insert(kept, groups, halt)
        except _Stopped:
            result.interrupted = True  # nothing went in: the whole batch comes again
            return result
        failures = sorted(bad + refused, key=lambda f: f[0].offset)
        result.failures = failures[:1] if halt else failures
        result.halted = halt and bool(failures)
        result.delivered = (len(kept) - len(refused) if not result.halted else
                            sum(1 for r in kept if r.offset < failures[0][0].offset))
        result.attempted = len(records)
        return result

    async def _insert(self, kept: Sequence[Record], groups: list[Group], halt: bool,
                      ) -> list[tuple[Record, str]]:
        """Insert with retries; the (record, reason) of rows the database refused."""
        if not groups:
            return []
        try:
            await self._retrying(lambda: self.db.insert(groups, self.batch_size))
            return []
        except _DataError:
            pass
        # The database refused the batch for its data: find the bad rows, one statement
        # each, still in one transaction.
        outcome = await self._retrying(lambda: self.db.insert_each(groups, halt=halt))
        return [(record, f"database refused the row: {str(exc).strip()}")
                for record, exc in zip(kept, outcome, strict=False) if exc is not None]

    async def _retrying(self, action) -> Any:
        """`action` in the database thread until it succeeds, then its result;
        `_DataError` when the data is refused, `_Stopped` when a stop came during a
        backoff, WeirError when the retries are used up (the batch uncommitted either
        way)."""
        backoff = Backoff(self.backoff_min_ms, self.backoff_max_ms)
        attempt = 0
        while True:
            attempt += 1
            try:
                if self.db.conn is None:
                    await self._call(self.db.connect)
                return await self._call(action)
            except (self.db.module.Error, OverflowError) as exc:
                if self.db.is_data_error(exc):
                    raise _DataError(str(exc).strip()) from None
                if attempt > self.retries:
                    raise WeirError(
                        f"database still failing after {self.retries} retries: "
                        f"{str(exc).strip()}",
                        hint="the batch was not committed: it is delivered again on restart",
                    ) from None
                delay = backoff.next_delay()
                self.reporter.warning(f"database error: {str(exc).strip()}; "
                                      f"retrying in {delay:.1f}s")
                self.reporter.metrics.last_error = self.reporter.mask(str(exc).strip())
                if self.db.postgres:
                    await self._call(self.db.close)
                if await self.ctx.stop.sleep(delay):
                    raise _Stopped from None


class _Stopped(Exception):
    """A stop request came while waiting to retry."""


class _DataError(Exception):
    pass
