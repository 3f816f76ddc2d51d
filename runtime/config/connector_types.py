"""Connector types: their names in both formats, kind, section and parameters model.

The parameter models of Weir's own connectors and of the official connectors Weir checks
are here; a plugin's comes with its class. Every type, built-in or plugin, is one
`ConnectorType` in `types()`, so `weir validate`, the schema, the starters, the TUI's
completion and the runtime agree on one schema per type.
"""

from __future__ import annotations

import copy
import functools
import math
import re
from dataclasses import dataclass
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    AliasChoices,
    BaseModel,
    BeforeValidator,
    Field,
    PlainValidator,
    ValidationInfo,
    WithJsonSchema,
    model_validator,
)
from pydantic_core import PydanticCustomError

from runtime import __version__
from runtime.config.fields import (
    Duration,
    LegacyInterval,
    NonNegative,
    Positive,
    Str,
    describe_value,
)
from runtime.config.generator_template import parse_template
from runtime.config.models import SecsNanos, Strict
from runtime.config.sql_types import JSON_SQL_TYPES

# a parameter Weir's connector reads that the official Fluvio connector does not
WEIR_ONLY = {"weir_only": True}
HTTP_METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS")
Method = Literal["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"]


def _header(value: str) -> str:
    name, sep, _ = value.partition(":")
    if not sep or not name.strip():
        raise PydanticCustomError("invalid-value", "header `{h}` must be `Key: Value`",
                                  {"h": value[:60]})
    return value


Header = Annotated[Str, AfterValidator(_header)]


def merge_header_spellings(data: Any) -> Any:
    """`headers` and the legacy `header` in one section: both are sent, `headers` first
    (one `header` string is one line)."""
    if isinstance(data, dict) and "headers" in data and "header" in data:
        more = data["header"]
        more = [more] if isinstance(more, str) else more
        if isinstance(data["headers"], list) and isinstance(more, list):
            data = {k: v for k, v in data.items() if k != "header"}
            data["headers"] = [*data["headers"], *more]
    return data


def header_pairs(lines: list[str]) -> list[tuple[str, str]]:
    """Checked `Header` lines as (name, value), split on the first colon, as the HTTP
    connectors send them."""
    return [(name.strip(), value.strip()) for name, _, value in
            (line.partition(":") for line in lines)]


def _url(*schemes: str):
    def check(value: str) -> str:
        scheme = value.split("://", 1)[0].lower() if "://" in value else ""
        if "${{" in value and not scheme:
            return value  # a whole-URL secret: checked once rendered
        if scheme not in schemes:
            raise PydanticCustomError(
                "invalid-value", "`{v}` is not a URL with scheme {s}",
                {"v": value[:80], "s": " or ".join(f"{x}://" for x in schemes)})
        return value
    return check


def secret_or(check_text):
    """Fluvio's SecretString: text (checked by `check_text`), or `{secret: {name: NAME}}`
    naming a meta.secrets entry."""

    def check(value: Any, info: ValidationInfo) -> Any:
        if isinstance(value, dict):
            inner = value.get("secret")
            if (list(value) != ["secret"] or not isinstance(inner, dict)
                    or list(inner) != ["name"] or not isinstance(inner.get("name"), str)):
                raise PydanticCustomError(
                    "wrong-type", "expected a string or `secret: {name: NAME}`, got a "
                    "mapping with {keys}", {"keys": ", ".join(f"`{k}`" for k in value) or
                                            "no keys"})
            return value
        legacy = bool(info.context and info.context.get("format") == "legacy")
        if legacy and isinstance(value, (int, float)) and not isinstance(value, bool):
            value = str(value)
        if not isinstance(value, str):
            raise PydanticCustomError("wrong-type", "expected a string or `secret: {name: "
                                      "NAME}`, got {got}", {"got": describe_value(value)})
        return check_text(value)
    return check


SECRET_REF_SCHEMA = {"type": "object", "properties": {"secret": {
    "type": "object", "properties": {"name": {"type": "string"}},
    "required": ["name"], "additionalProperties": False}},
    "required": ["secret"], "additionalProperties": False}


def SecretUrl(*schemes: str) -> Any:  # noqa: N802 - reads as a type in field annotations
    return Annotated[Any, BeforeValidator(secret_or(_url(*schemes))), WithJsonSchema({
        "anyOf": [{"type": "string", "description": "URL: " + ", ".join(
            f"{s}://" for s in schemes)}, SECRET_REF_SCHEMA]})]


SecretStr = Annotated[Any, BeforeValidator(secret_or(lambda v: v)), WithJsonSchema({
    "anyOf": [{"type": "string"}, SECRET_REF_SCHEMA]})]
I32 = Annotated[int, Field(ge=-2**31, le=2**31 - 1)]


class ReconnectionPolicy(Strict):
    max_retries: Annotated[int, Field(ge=0, le=2**32 - 1)]
    base_delay_ms: NonNegative
    max_delay_ms: NonNegative


class WebsocketConfig(Strict):
    subscription_message: Str | None = Field(None, description="one message sent on connect")
    subscription_messages: list[Str] = Field(default_factory=list,
                                             description="messages sent on connect")
    ping_interval_ms: NonNegative = 10_000
    reconnection_policy: ReconnectionPolicy | None = Field(
        None, description="max_retries, base_delay_ms, max_delay_ms",
        json_schema_extra={"weir_unused": "Weir reconnects with its own backoff"})


class HttpSource(Strict):
    """Poll an HTTP endpoint (or stream it, or read a WebSocket) into records."""

    endpoint: SecretUrl("http", "https", "ws", "wss") = Field(
        description="URL to poll; ws:// or wss:// reads a WebSocket")
    method: Method = "GET"
    interval: LegacyInterval = Field("10s", description="time between polls")
    headers: list[Header] = Field(default_factory=list, description='"Key: Value" strings',
                                  validation_alias=AliasChoices("headers", "header"))
    body: Str | None = None
    user_agent: Str = f"weir/http-source {__version__}"
    output_type: Literal["text", "json"] = "text"
    output_parts: Literal["body", "full"] = "body"
    stream: bool = False
    delimiter: Str = "\n"
    websocket_config: WebsocketConfig | None = None
    http_request_timeout: Duration = Field("30s", description="per-request timeout",
                                           json_schema_extra=WEIR_ONLY)
    http_connect_timeout: Duration = Field("10s", json_schema_extra=WEIR_ONLY)

    @model_validator(mode="before")
    @classmethod
    def _both_header_spellings(cls, data: Any) -> Any:
        return merge_header_spellings(data)


class HttpSink(Strict):
    """POST each record to an HTTP endpoint."""

    endpoint: SecretUrl("http", "https")
    method: Method = "POST"
    headers: list[Header] = Field(default_factory=lambda: ["Content-Type: text/html"])
    user_agent: Str = f"weir/http-sink {__version__}"
    http_request_timeout: Duration = "15s"
    http_connect_timeout: Duration = "1s"
    # Fluvio's http-sink spells these with `_` (its sql-sink with `-`); Weir reads both
    backoff_min: Duration = Field("1s", validation_alias=AliasChoices("backoff_min",
                                                                      "backoff-min"))
    backoff_max: Duration = Field("60s", validation_alias=AliasChoices("backoff_max",
                                                                       "backoff-max"))
    retries: NonNegative | None = Field(
        None, description="retries of an unreachable endpoint before the connector fails "
        "(records stay uncommitted); default: retry until delivered",
        json_schema_extra=WEIR_ONLY)


_IDENT = r"[A-Za-z_][A-Za-z0-9_]*"
_JSON_PATH = re.compile(r"^\$(\.[A-Za-z0-9_-]+|\[\d+\]|\['[^']+'\])*$")


def _ident(value: str) -> str:
    if not re.fullmatch(rf"{_IDENT}(\.{_IDENT})?", value):
        raise PydanticCustomError("invalid-value", "`{v}` is not a SQL identifier "
                                  "(letters, digits, _; not starting with a digit)",
                                  {"v": value[:60]})
    return value


def _json_path(value: str) -> str:
    if not _JSON_PATH.match(value):
        raise PydanticCustomError("invalid-value", "`{v}` is not a JSON path like `$.a.b` "
                                  "or `$.items[0]`", {"v": value[:60]})
    return value


class SqlColumn(Strict):
    name: Annotated[Str, AfterValidator(_ident)]
    path: Annotated[Str, AfterValidator(_json_path)] = Field(
        description="where the value is in the record's JSON: $.a.b")
    type: Literal["text", "integer", "real", "boolean", "json", "timestamp"] | None = Field(
        None, description="text when absent; with create-table, inferred from the first record")


def _json_sql_type(value: str) -> str:
    if value.lower() not in JSON_SQL_TYPES:
        raise PydanticCustomError("invalid-enum", "unknown column type `{v}`, expected one of "
                                  "int, float, text, bool, json/jsonb, timestamp, uuid, bytes "
                                  "(or an SQL spelling of them)", {"v": value[:40]})
    return value


class JsonSqlValue(Strict):
    type: Annotated[Str, AfterValidator(_json_sql_type)] = "text"
    default: Str | None = None
    required: bool = False


class JsonSqlColumn(Strict):
    json_key: Str = Field(alias="json-key", description="where the value is: a.b or $")
    value: JsonSqlValue = Field(default_factory=JsonSqlValue)


class JsonSqlMapping(Strict):
    """The json-sql SmartModule's `mapping`, accepted by the sink itself."""

    table: Annotated[Str, AfterValidator(_ident)]
    map_columns: dict[str, JsonSqlColumn] = Field(alias="map-columns")


class SqlSink(Strict):
    """Insert JSON records as rows of a PostgreSQL or SQLite table."""

    url: SecretUrl("postgres", "postgresql", "sqlite")
    backoff_min: Duration = Field("1s", alias="backoff-min")
    backoff_max: Duration = Field("60s", alias="backoff-max")
    table: Annotated[Str, AfterValidator(_ident)] | None = Field(None,
                                                                  json_schema_extra=WEIR_ONLY)
    columns: list[SqlColumn] | None = Field(None, json_schema_extra=WEIR_ONLY)
    mapping: JsonSqlMapping | None = Field(
        None, description="json-sql style: {table, map-columns: {COL: {json-key, value}}}",
        json_schema_extra=WEIR_ONLY)
    batch_size: Positive = Field(100, alias="batch-size", description=(
        "rows per INSERT statement; each batch taken from the topic (up to 5,000 "
        "records) is one transaction"), json_schema_extra=WEIR_ONLY)
    retries: NonNegative = Field(3, json_schema_extra=WEIR_ONLY)
    create_table: bool = Field(False, alias="create-table", description=(
        "create the table from `columns` when it does not exist"),
        json_schema_extra=WEIR_ONLY)

    @model_validator(mode="after")
    def _table_with_columns(self) -> SqlSink:
        if self.columns is not None and self.table is None:
            raise PydanticCustomError("missing-field", "missing field `table`: `columns` map "
                                      "record fields into a table, name it")
        if self.create_table and self.columns is None and self.mapping is None:
            raise PydanticCustomError("missing-field", "`create-table: true` needs `columns` "
                                      "(or a `mapping`) to know the table's columns")
        return self


class MqttSource(Strict):
    """Subscribe to an MQTT topic; each message becomes a record."""

    url: SecretUrl("mqtt", "mqtts", "tcp", "ssl", "ws", "wss")
    topic: Str = Field(description="MQTT topic filter, e.g. sensors/#")
    client_id: Str | None = Field(None, description="random when absent")
    timeout: SecsNanos = Field(default_factory=lambda: SecsNanos(secs=60, nanos=0))
    payload_output_type: Literal["binary", "json"] = "binary"
    qos: Annotated[int, Field(ge=0, le=2)] = Field(0, description="MQTT QoS: 0, 1 or 2",
                                                   json_schema_extra=WEIR_ONLY)


def _template(value: str) -> str:
    parse_template(value)  # the generator's own reading: refuses what it cannot render
    return value


def _rate(value: Any) -> float:
    """Records per second: a number >= 0, or `unlimited`/`max` (0: as fast as possible)."""
    if isinstance(value, str) and value.strip().lower() in ("unlimited", "max"):
        return 0.0
    number: float | None = None
    if isinstance(value, int | float) and not isinstance(value, bool):
        number = float(value)
    elif isinstance(value, str):
        try:
            number = float(value)
        except ValueError:
            number = None
    if number is None or not math.isfinite(number) or number < 0:
        raise PydanticCustomError(
            "invalid-value",
            "must be records per second (a number >= 0), `unlimited` or `max`")
    return number


Rate = Annotated[
    float,
    PlainValidator(_rate),
    WithJsonSchema({"anyOf": [{"type": "number", "minimum": 0},
                              {"enum": ["unlimited", "max"]}]}),
]


class GeneratorSource(Strict):
    """Offline demo source: renders `template` into records at `interval` or `rate`."""

    template: Annotated[Str, AfterValidator(_template)] = Field(
        '{"n": {{n}}, "time": "{{time}}"}',
        description="record text; {{n}} {{time}} {{uuid}} {{random_int}} {{choice:a|b|c}}")
    interval: Duration | None = Field(None, description="time between records (1s)")
    rate: Rate | None = Field(
        None, description="records per second; 0, `unlimited` or `max`: as fast as possible")
    count: Positive | None = Field(None, description="stop after N records")
    batch: Positive | None = Field(None, description="records per tick")
    key: Annotated[Str, AfterValidator(_template)] | None = Field(
        None, description="record key, a template like `template` (no key when absent)")

    @model_validator(mode="after")
    def _one_pace(self) -> GeneratorSource:
        if self.interval is not None and self.rate is not None:
            raise PydanticCustomError("invalid-value", "give `interval` or `rate`, not both")
        return self


def _kafka_options(value: Any) -> Any:
    """`options` is a map; the legacy `kafka-option` was `key:value` strings."""
    if isinstance(value, str):
        value = [value]
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        out: dict[str, str] = {}
        for item in value:
            key, sep, val = item.partition(":")
            if not sep:
                raise PydanticCustomError("invalid-value", "kafka option `{o}` must be "
                                          "`key:value`", {"o": item[:60]})
            out[key.strip()] = val.strip()
        return out
    return value


class KafkaSecurityFile(Strict):
    file: Str | None = Field(None, description="path of a PEM file")
    pem: Str | None = Field(None, description="the PEM text itself (e.g. a secret)")


class KafkaSecurity(Strict):
    ssl_key: KafkaSecurityFile | None = None
    ssl_cert: KafkaSecurityFile | None = None
    ssl_ca: KafkaSecurityFile | None = None
    security_protocol: Literal["ssl"] | None = Field(None, description="only `ssl`")


class KafkaSource(Strict):
    """Read a Kafka topic into records (InfinyOn's kafka-source; checked, not run here)."""

    url: SecretStr = Field(description="Kafka brokers, e.g. localhost:9092",
                           examples=["localhost:9092"])
    topic: Str = Field(description="the Kafka topic to read", examples=["kafka-topic"])
    partition: I32 = Field(0, description="the Kafka partition")
    group: Str = Field("fluvio-kafka-source", description="the Kafka consumer group")
    fetch_max_bytes_per_partition: I32 | None = Field(
        None, alias="fetch-max-bytes-per-partition")


class KafkaSink(Strict):
    """Write records to a Kafka topic (InfinyOn's kafka-sink; checked, not run here)."""

    url: SecretStr = Field(description="comma-separated Kafka brokers, e.g. localhost:9092",
                           examples=["localhost:9092"])
    topic: Str = Field(description="the Kafka topic to write", examples=["kafka-topic"])
    partition: I32 | None = Field(None, description="the Kafka partition")
    options: Annotated[dict[str, Str], BeforeValidator(_kafka_options)] = Field(
        default_factory=dict, description="Kafka client options, key: value")
    create_topic: bool | None = Field(None, alias="create-topic",
                                      description="create the Kafka topic first (false)")
    security: KafkaSecurity | None = Field(None, description="ssl_key, ssl_cert, ssl_ca "
                                           "({file} or {pem}), security_protocol")


class DuckdbSink(Strict):
    """Insert records into DuckDB or MotherDuck (checked, not run here)."""

    url: SecretStr = Field(description="a local database file, or md:?token=... for "
                           "MotherDuck", examples=["local.db"])


class GraphiteSink(Strict):
    """Send each record's value as a Graphite metric (checked, not run here)."""

    metric_path: Str = Field(alias="metric-path", description="the metric, e.g. "
                             "weather.temperature.ca.sandiego",
                             examples=["weather.temperature.ca.sandiego"])
    addr: Str = Field(description="Graphite's plaintext TCP address, e.g. localhost:2003",
                      examples=["localhost:2003"])


class SlackSink(Strict):
    """Legacy (version 0.x) Slack sink: post records to a webhook."""

    webhook_url: Str = Field(description="Slack incoming-webhook URL (or secret WEBHOOK_URL)")


class DynamodbSink(Strict):
    """Legacy (version 0.x) DynamoDB sink: insert records as items."""

    table_name: Str = Field(description="the DynamoDB table")
    column_names: Str = Field(description="comma-separated column names: col_1,col_2")
    column_types: Str = Field(description="comma-separated DynamoDB types: N,N,S")
    aws_endpoint: Str | None = Field(None, description="a DynamoDB endpoint other than "
                                     "AWS's (e.g. DynamoDB Local)")


class PostgresSource(Strict):
    """Legacy (version 0.x) PostgreSQL change-data-capture source."""

    url: Str = Field(description="postgres://user:password@host:port/db (or secret "
                     "FLUVIO_PG_DATABASE_URL)")
    publication: Str = Field(description="the PUBLICATION to follow")
    slot: Str = Field(description="the logical replication slot")
    resume_timeout: NonNegative = Field(1000, description="milliseconds to wait for the "
                                        "last record when resuming")
    skip_setup: bool = False


class PostgresSink(Strict):
    """Legacy (version 0.x) PostgreSQL sink: replays the postgres-source's changes."""

    url: Str = Field(description="postgres://user:password@host:port/db (or secret "
                     "FLUVIO_PG_DATABASE_URL)")


@dataclass(frozen=True, slots=True)
class ConnectorType:
    name: str  # current-format type
    legacy: str  # legacy `type:`
    kind: Literal["source", "sink"]
    section: str  # current-format section key
    params: type[BaseModel]
    summary: str
    legacy_aliases: tuple[tuple[str, str], ...] = ()  # legacy parameter -> current key
    runnable: bool = True  # False: weir checks its configs but has no connector for it
    legacy_env: tuple[tuple[str, str], ...] = ()  # parameter -> the env var (legacy
    # `secrets:` entry) the legacy connector read it from when the parameter was absent
    legacy_topic_param: str | None = None  # legacy: defaults to the Fluvio topic
    origin: str = "fluvio"  # the distribution providing the connector (a plugin's name)
    starter: str | None = None  # the section `config new` writes; None: from the model

    @classmethod
    def of_class(cls, impl: type, origin: str) -> ConnectorType:
        """The type a connector class (runtime.connectors.kit) declares."""
        return cls(impl.type, impl.legacy_type or impl.type, impl.kind,
                   impl.section or section_of(impl.type), impl.Params,
                   impl.summary or (impl.__doc__ or "").strip().split("\n")[0].rstrip("."),
                   tuple(impl.legacy_aliases), True, tuple(impl.legacy_env), None, origin,
                   impl.starter)

    def alias(self, key: str) -> str | None:
        return dict(self.legacy_aliases).get(key)

    def legacy_param(self, key: str, value: Any) -> tuple[str, Any]:
        """A legacy `parameters:` entry as the current format has it: the key its alias or
        the parameter it names (`-` and `_` alike), the value in its current shape.
        Validation and conversion both read legacy parameters through this, so they agree."""
        keys = [f.alias or n for n, f in self.params.model_fields.items()]
        canon = self.alias(key) or next(
            (k for k in keys if k.replace("-", "_") == key.replace("-", "_")), key)
        return canon, legacy_value(self, canon, value)


_KAFKA_ALIASES = (("kafka-url", "url"), ("kafka_url", "url"), ("kafka-topic", "topic"),
                  ("kafka_topic", "topic"), ("kafka-partition", "partition"),
                  ("kafka_partition", "partition"), ("kafka-group", "group"),
                  ("kafka_group", "group"))
# Official connectors Weir checks but cannot run; the runnable types are the classes of
# the `weir.connectors` entry points (Weir's own and plugins), see types().
CHECKED_TYPES: dict[str, ConnectorType] = {t.name: t for t in (
    ConnectorType("kafka-source", "kafka-source", "source", "kafka", KafkaSource,
                  "read a Kafka topic", _KAFKA_ALIASES, runnable=False,
                  legacy_env=(("url", "KAFKA_URL"),), legacy_topic_param="topic"),
    ConnectorType("kafka-sink", "kafka-sink", "sink", "kafka", KafkaSink,
                  "write records to a Kafka topic",
                  (*_KAFKA_ALIASES, ("kafka-option", "options"), ("kafka_option", "options"),
                   ("create-kafka-topic", "create-topic"),
                   ("create_kafka_topic", "create-topic")), runnable=False,
                  legacy_env=(("url", "KAFKA_URL"),), legacy_topic_param="topic"),
    ConnectorType("duckdb-sink", "duckdb-sink", "sink", "duckdb", DuckdbSink,
                  "insert records into DuckDB or MotherDuck", runnable=False),
    ConnectorType("graphite-sink", "graphite-sink", "sink", "graphite", GraphiteSink,
                  "send records to Graphite as metrics", runnable=False),
    ConnectorType("slack-sink", "slack-sink", "sink", "slack", SlackSink,
                  "legacy: post records to a Slack webhook", runnable=False,
                  legacy_env=(("webhook_url", "WEBHOOK_URL"),)),
    ConnectorType("dynamodb-sink", "dynamodb-sink", "sink", "dynamodb", DynamodbSink,
                  "legacy: insert records into DynamoDB", runnable=False),
    ConnectorType("postgres-source", "postgres-source", "source", "postgres", PostgresSource,
                  "legacy: PostgreSQL change data capture", runnable=False,
                  legacy_env=(("url", "FLUVIO_PG_DATABASE_URL"),
                              ("publication", "FLUVIO_PG_PUBLICATION"),
                              ("slot", "FLUVIO_PG_SLOT"))),
    ConnectorType("postgres-sink", "postgres-sink", "sink", "postgres", PostgresSink,
                  "legacy: replay postgres-source changes into PostgreSQL", runnable=False,
                  legacy_env=(("url", "FLUVIO_PG_DATABASE_URL"),)),
)}


@functools.cache
def types() -> dict[str, ConnectorType]:
    """Every connector type Weir knows, by current-format name: the installed connector
    classes (Weir's own first, then plugins) and the official types it only checks."""
    from runtime.connectors.registry import OWN_DIST, discover

    found = discover().classes
    own = {n: ConnectorType.of_class(c, d) for n, (c, d) in found.items() if d == OWN_DIST}
    plugins = {n: ConnectorType.of_class(c, d) for n, (c, d) in found.items()
               if d != OWN_DIST}
    return {**own, **CHECKED_TYPES, **plugins}


@functools.cache
def legacy_types() -> dict[str, str]:
    """Legacy `type:` -> current-format name."""
    return {t.legacy: t.name for t in types().values()}


def runnable_types() -> tuple[str, ...]:
    return tuple(t.name for t in types().values() if t.runnable)


@functools.cache
def secret_keys(type_name: str) -> tuple[str, ...]:
    """The parameters a type marks as secrets (the kit's `Secret` fields)."""
    schema = types()[type_name].params.model_json_schema(by_alias=True)

    def secret(prop: Any) -> bool:  # `Secret | None` nests it in an anyOf
        return isinstance(prop, dict) and bool(
            prop.get("x-secret") or any(secret(p) for p in prop.get("anyOf", ())))

    return tuple(k for k, prop in schema.get("properties", {}).items() if secret(prop))


def forget() -> None:
    """Drop what was derived from the installed types (after installing a plugin)."""
    for cached in (types, legacy_types, _defaults, secret_keys):
        cached.cache_clear()


def __getattr__(name: str) -> Any:
    # the names these tables had when they were static
    if name == "BUILTIN_TYPES":
        return types()
    if name == "LEGACY_TYPES":
        return legacy_types()
    if name == "RUNNABLE_TYPES":
        return runnable_types()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def cannot_run_message(type_name: str) -> str:
    """What `validate` (info) and `connector run` (refusal) both say of a checked-only type."""
    return (f"Weir can check a `{type_name}` config but cannot run it: it has no "
            f"{type_name} connector (it runs {', '.join(runnable_types())})")


def legacy_value(ctype: ConnectorType, key: str, value: Any) -> Any:
    """A legacy parameter value in its current-format shape: one header string becomes a
    list; the legacy MQTT `timeout` in seconds becomes `{secs, nanos}`."""
    if key == "headers" and isinstance(value, str):
        return [value]
    if ctype.name == "mqtt-source" and key == "timeout":
        text = str(value).strip() if isinstance(value, (int, str)) and not isinstance(
            value, bool) else None
        if text is not None and text.isdigit():
            return {"secs": int(text), "nanos": 0}
    return value


def lookup(type_name: str, *, legacy: bool) -> ConnectorType | None:
    """The built-in type for a `type:` value in the given format, or None if unknown."""
    if legacy:
        name = legacy_types().get(type_name, type_name)
        return types().get(name)
    return types().get(type_name)


def canonical_type(type_name: str, *, legacy: bool) -> str:
    """The current-format type name (`http` -> `http-source`); unknown names unchanged."""
    return legacy_types().get(type_name, type_name) if legacy else type_name


def kind_of(type_name: str) -> Literal["source", "sink"]:
    """Fluvio's rule: `*-source` is a source, anything else a sink."""
    return "source" if type_name.endswith("-source") else "sink"


def section_of(type_name: str) -> str:
    """`http-source` -> `http`: the key of the connector's section."""
    for suffix in ("-source", "-sink"):
        if type_name.endswith(suffix):
            return type_name[: -len(suffix)]
    return type_name


def param_defaults(ctype: ConnectorType) -> dict[str, Any]:
    """Defaults of every optional parameter, by its YAML key (a fresh copy each call)."""
    return copy.deepcopy(_defaults(ctype.name))


@functools.cache
def _defaults(type_name: str) -> dict[str, Any]:
    ctype = types()[type_name]
    out: dict[str, Any] = {}
    for name, f in ctype.params.model_fields.items():
        if f.is_required():
            continue
        value = f.get_default(call_default_factory=True)
        if isinstance(value, BaseModel):
            value = value.model_dump(by_alias=True)
        if value is not None:
            out[f.alias or name] = value
    return out
