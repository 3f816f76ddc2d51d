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

DURATION_PATTERN = r"^\s*(\d+\s*[A-Za-zµ]+\s*)+$"
BYTES_PATTERN = r"^\s*\d+(\.\d+)?\s*[A-Za-z]*\s*$"


def _to_str(value: Any) -> Any:
    """serde_yaml reads any scalar into a String field; do the same (keeping `0.10`)."""
    if isinstance(value, (bool, int, float, YFloat)):
        return scalar_text(value)
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
    if isinstance(value, bool):
        raise PydanticCustomError("wrong-type", "expected a byte size like `1 MB`, got a bool")
    if isinstance(value, YFloat):
        value = value.raw
    if isinstance(value, int):
        if value < 0:
            raise PydanticCustomError("invalid-bytes", "byte size must not be negative")
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


_SECRET_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


def secret_name_problem(name: str) -> str | None:
    """Fluvio's rule: [A-Za-z0-9_], not starting with a digit, not empty."""
    if not name:
        return "Secret name cannot be empty"
    if name[0].isdigit():
        return f"Secret name `{name}` cannot start with a number"
    if not _SECRET_NAME.match(name):
        return f"Secret name `{name}` can only contain alphanumeric ASCII characters and _"
    return None


def _secret_name(value: str) -> str:
    problem = secret_name_problem(value)
    if problem:
        raise PydanticCustomError("invalid-secret-name", problem)
    return value


def _partition(value: Any) -> Any:
    if isinstance(value, int) and not isinstance(value, bool) and value >= 0:
        return value
    if value == "all":
        return value
    if (isinstance(value, list) and value
            and all(isinstance(v, int) and not isinstance(v, bool) and v >= 0 for v in value)):
        return value
    got = describe_value(value)
    if isinstance(value, list) and value:
        bad = next((v for v in value if not (isinstance(v, int) and not isinstance(v, bool)
                                             and v >= 0)), None)
        got = f"a list containing {describe_value(bad)}" if bad is not None else got
    raise PydanticCustomError("invalid-partition",
                              "partition must be a partition number (0), a list of numbers "
                              "([0, 2]) or `all`, got {got}", {"got": got})


_STARTS = ("beginning", "end")
_START_KEYS = ("absolute", "from-beginning", "from-end")


def _offset_start(value: Any) -> Any:
    if value in _STARTS:
        return value
    if isinstance(value, dict) and len(value) == 1:
        (key, n), = value.items()
        if key in _START_KEYS and isinstance(n, int) and not isinstance(n, bool) and n >= 0:
            return value
    raise PydanticCustomError(
        "invalid-enum", "offset start must be `beginning`, `end`, `absolute: N`, "
        "`from-beginning: N` or `from-end: N`, got {got}", {"got": describe_value(value)})


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
Duration = Annotated[str, BeforeValidator(_to_str), AfterValidator(_duration),
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
                      WithJsonSchema({"anyOf": [{"type": "integer", "minimum": 0},
                                                {"type": "array",
                                                 "items": {"type": "integer", "minimum": 0}},
                                                {"const": "all"}], "default": "all"})]
OffsetStart = Annotated[Any, BeforeValidator(_offset_start), WithJsonSchema({"anyOf": [
    {"enum": list(_STARTS)},
    *({"type": "object", "properties": {k: {"type": "integer", "minimum": 0}},
       "required": [k], "additionalProperties": False} for k in _START_KEYS)]})]
NonNegative = Annotated[int, Field(ge=0)]
