"""Field types shared by the config models: each checks one Fluvio value rule and fails
with a stable diagnostic code (the PydanticCustomError type) and Fluvio's own wording."""

from __future__ import annotations

import re
from typing import Annotated, Any

from pydantic import AfterValidator, BeforeValidator, Field, ValidationInfo, WithJsonSchema
from pydantic_core import PydanticCustomError

from runtime.config.names import name_hint, name_problem
from runtime.config.values import bytes_problem, duration_problem
from runtime.config.yamlpos import YFloat, scalar_text

U32_MAX = 2**32 - 1
U64_MAX = 2**64 - 1
DURATION_PATTERN = r"^\s*(\d+\s*[A-Za-zµ]+\s*)+$"
BYTES_PATTERN = r"^(\+?[0-9]+|([0-9]+\.?[0-9]*|\.[0-9]+)\s*([bB]|[kKmMgGtTpP][iI]?[bB]?))$"


def _to_str(value: Any, info: ValidationInfo) -> Any:
    """The legacy format's serde_yaml read any scalar into a String field; do the same
    there (keeping `0.10`). The apiVersion format goes through serde_yaml's Value, which
    refuses a number or bool where a string belongs, so it is left to fail."""
    if isinstance(value, str) or (info.context and info.context.get("format") == "current"):
        return value
    if isinstance(value, (bool, int, float, YFloat)):
        return scalar_text(value)
    return value


def _duration_input(value: Any) -> Any:
    """humantime_serde reads a string only: a YAML number is refused in either format."""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        text = scalar_text(value)
        raise PydanticCustomError(
            "invalid-duration", "invalid type: the number `{v}`, expected a duration (a "
            "number and a unit, for example `{v}s` or `{v}ms`)", {"v": text})
    return value


def _duration(value: str) -> str:
    problem = duration_problem(value)
    if problem:
        raise PydanticCustomError("invalid-duration", problem)
    return value


def _legacy_interval(value: Any, info: ValidationInfo) -> Any:
    legacy = bool(info.context and info.context.get("format") == "legacy")
    text = scalar_text(value) if isinstance(value, (int, float)) else value
    if legacy and isinstance(text, str) and text.strip().isdigit():
        return text.strip()
    if not isinstance(text, str):
        return text
    return _duration(text)


def _bytes(value: Any) -> Any:
    """bytesize's serde: a whole number of bytes or a string; a YAML float is refused."""
    if isinstance(value, bool):
        raise PydanticCustomError("wrong-type", "expected a byte size like `1 MB`, got a bool")
    if isinstance(value, (YFloat, float)):
        raise PydanticCustomError(
            "wrong-type", "expected a byte size like `1 MB` or a whole number of bytes, got "
            "the number `{v}`: Fluvio reads a byte size from an integer or a string",
            {"v": scalar_text(value)})
    if isinstance(value, int):
        if not 0 <= value <= U64_MAX:
            raise PydanticCustomError("invalid-bytes", "byte size must be between 0 and "
                                      "2^64-1")
        return value
    if not isinstance(value, str):
        raise PydanticCustomError("wrong-type", "expected a byte size like `1 MB` or a number "
                                  "of bytes")
    problem = bytes_problem(value)
    if problem:
        raise PydanticCustomError("invalid-bytes", problem)
    return value


def _name(kind: str):
    def check(value: str) -> str:
        problem = name_problem(kind, value)
        if problem:
            raise PydanticCustomError("invalid-name", problem, {"hint": name_hint(value)})
        return value
    return check


_SECRET_CHARS = re.compile(r"^[A-Za-z0-9_]+$")


def secret_name_problem(name: str) -> str | None:
    """Fluvio's rule, checked in Fluvio's order: not empty, [A-Za-z0-9_], no leading digit."""
    if not name:
        return "Secret name cannot be empty"
    if not _SECRET_CHARS.match(name):
        return (f"Secret name `{name}` can only contain alphanumeric ASCII characters and "
                "underscores")
    if name[0].isdigit():
        return f"Secret name `{name}` cannot start with a number"
    return None


def _secret_name(value: str) -> str:
    problem = secret_name_problem(value)
    if problem:
        raise PydanticCustomError("invalid-secret-name", problem)
    return value


def _uint(value: Any, top: int) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and 0 <= value <= top


def _partition(value: Any) -> Any:
    """Fluvio's ConsumerPartitionConfig: a u32, a list of them (any length), or `all`."""
    if _uint(value, U32_MAX) or value == "all":
        return value
    if isinstance(value, list) and all(_uint(v, U32_MAX) for v in value):
        return value
    got = describe_value(value)
    if isinstance(value, list):
        bad = next(v for v in value if not _uint(v, U32_MAX))
        got = f"a list containing {describe_value(bad)}"
    raise PydanticCustomError("invalid-partition",
                              "partition must be a partition number (0), a list of numbers "
                              "([0, 2]) or `all`, got {got}", {"got": got})


def _legacy_partition(value: Any) -> Any:
    """The legacy format's consumer partition: one number (an i32)."""
    if isinstance(value, int) and not isinstance(value, bool) and -2**31 <= value < 2**31:
        return value
    raise PydanticCustomError("invalid-partition", "partition must be one partition number "
                              "in the legacy format (lists and `all` came with apiVersion), "
                              "got {got}", {"got": describe_value(value)})


_STARTS = ("beginning", "end")
# Fluvio's OffsetConfig: `absolute` is an i64, `from-beginning`/`from-end` u32
_START_KEYS = {"absolute": (-2**63, 2**63 - 1), "from-beginning": (0, U32_MAX),
               "from-end": (0, U32_MAX)}


def _offset_start(value: Any) -> Any:
    if value in _STARTS:
        return value
    if isinstance(value, dict) and len(value) == 1:
        (key, n), = value.items()
        low, high = _START_KEYS.get(key, (1, 0))
        if isinstance(n, int) and not isinstance(n, bool) and low <= n <= high:
            return value
    raise PydanticCustomError(
        "invalid-enum", "offset start must be `beginning`, `end`, `absolute: N`, "
        "`from-beginning: N` or `from-end: N` (N not negative, except for absolute), got "
        "{got}", {"got": describe_value(value)})


def describe_value(value: Any) -> str:
    """`a mapping`, `the number 3`: how a message names what it found."""
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, bool):
        return f"the bool `{'true' if value else 'false'}`"
    if isinstance(value, (int, float)):
        return f"the number `{scalar_text(value)}`"
    if value is None:
        return "nothing (null)"
    return f"`{str(value)[:60]}`"


Str = Annotated[str, BeforeValidator(_to_str)]
Duration = Annotated[str, BeforeValidator(_duration_input), AfterValidator(_duration),
                     WithJsonSchema({"type": "string", "pattern": DURATION_PATTERN,
                                     "description": "humantime duration: 10s, 1m 30s, 500ms"})]
LegacyInterval = Annotated[
    str, BeforeValidator(_legacy_interval),
    WithJsonSchema({"anyOf": [{"type": "string", "pattern": DURATION_PATTERN},
                              {"type": "integer", "minimum": 0}],
                    "description": "duration (10s); old releases took bare seconds (10)"})]
ByteSize = Annotated[int | str, BeforeValidator(_bytes),
                     WithJsonSchema({"anyOf": [{"type": "string", "pattern": BYTES_PATTERN},
                                               {"type": "integer", "minimum": 0}],
                                     "description": "byte size: 1 MB (1000^2), 1 MiB (1024^2), "
                                     "or a number of bytes"})]
NAME_PATTERN = "^[a-z0-9]([a-z0-9-]*[a-z0-9])?$"
TopicName = Annotated[str, BeforeValidator(_to_str), AfterValidator(_name("topic")),
                      WithJsonSchema({"type": "string", "pattern": NAME_PATTERN,
                                      "maxLength": 63})]
ConnectorName = Annotated[str, BeforeValidator(_to_str), AfterValidator(_name("connector")),
                          WithJsonSchema({"type": "string",
                                          "pattern": "^[a-z0-9]([a-z0-9-]*[a-z0-9])?$",
                                          "maxLength": 63})]
SecretName = Annotated[str, BeforeValidator(_to_str), AfterValidator(_secret_name),
                       WithJsonSchema({"type": "string", "pattern": "^[A-Za-z_][A-Za-z0-9_]*$"})]
Partition = Annotated[Any, BeforeValidator(_partition),
                      WithJsonSchema({"anyOf": [{"type": "integer", "minimum": 0,
                                                 "maximum": U32_MAX},
                                                {"type": "array",
                                                 "items": {"type": "integer", "minimum": 0,
                                                           "maximum": U32_MAX}},
                                                {"const": "all"}], "default": "all"})]
LegacyPartition = Annotated[int, BeforeValidator(_legacy_partition),
                            WithJsonSchema({"type": "integer"})]
OffsetStart = Annotated[Any, BeforeValidator(_offset_start), WithJsonSchema({"anyOf": [
    {"enum": list(_STARTS)},
    *({"type": "object", "properties": {k: {"type": "integer", "minimum": low}},
       "required": [k], "additionalProperties": False}
      for k, (low, _high) in _START_KEYS.items())]})]
NonNegative = Annotated[int, Field(ge=0, le=U64_MAX)]
# weir's own counts (a generator's): a signed 64-bit integer, as everything storing them
Positive = Annotated[int, Field(ge=1, le=2**63 - 1)]
