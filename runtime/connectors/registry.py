"""Which module implements which connector type. Modules are imported only when run, so
the heavy client libraries (websockets, paho-mqtt, psycopg) load only where needed."""

from __future__ import annotations

import importlib

from runtime.errors import WeirError

# canonical type -> (module, class, kind)
BUILTINS: dict[str, tuple[str, str, str]] = {
    "http-source": ("runtime.connectors.http_source", "HttpSource", "source"),
    "http-sink": ("runtime.connectors.http_sink", "HttpSink", "sink"),
    "sql-sink": ("runtime.connectors.sql_sink", "SqlSink", "sink"),
    "mqtt-source": ("runtime.connectors.mqtt_source", "MqttSource", "source"),
    "generator-source": ("runtime.connectors.generator_source", "GeneratorSource", "source"),
}
ALIASES = {"http": "http-source", "generator": "generator-source", "mqtt": "mqtt-source",
           "sql": "sql-sink"}


def canonical_type(name: str) -> str:
    return ALIASES.get(name, name)


def require_runnable(type_name: str) -> None:
    """Refuse an official type Weir only checks, in the words `weir validate` uses."""
    from runtime.config import connector_types as ct

    ctype = ct.BUILTIN_TYPES.get(canonical_type(type_name))
    if ctype is not None and not ctype.runnable:
        raise WeirError(ct.cannot_run_message(ctype.name),
                        hint="run it on Fluvio (`fluvio cloud connector create` or `cdk "
                        "deploy start`); `weir validate` checks its config")


def connector_class(type_name: str) -> tuple[type, str]:
    """The class implementing `type_name` and whether it is a source or a sink."""
    require_runnable(type_name)
    canonical = canonical_type(type_name)
    if canonical not in BUILTINS:
        known = ", ".join(sorted(BUILTINS))
        raise WeirError(
            f"no built-in connector of type `{type_name}`", hint=f"built-in types: {known}"
        )
    module, attr, kind = BUILTINS[canonical]
    return getattr(importlib.import_module(module), attr), kind
