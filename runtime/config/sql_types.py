"""json-sql column types (Fluvio's json-sql SmartModule) and their common SQL spellings.

One table for both sides: the config validator accepts exactly these spellings and the
sql-sink converts a value by the kind each one names.
"""

from __future__ import annotations

JSON_SQL_TYPES: dict[str, str] = {
    "int": "int", "integer": "int", "bigint": "int", "smallint": "int", "int2": "int",
    "int4": "int", "int8": "int", "float": "float", "real": "float", "double": "float",
    "float4": "float", "float8": "float", "numeric": "float", "decimal": "float",
    "text": "text", "string": "text", "varchar": "text", "char": "text", "uuid": "text",
    "bool": "bool", "boolean": "bool", "json": "json", "jsonb": "json",
    "timestamp": "timestamp", "timestamptz": "timestamp", "date": "text", "time": "text",
    "bytes": "bytes", "blob": "bytes",
}
