"""Read a `transforms:` list (a transforms file or a whole connector config) into
TransformSpecs, with errors that name the file, line and column."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from runtime.errors import EnvironmentProblem, WeirError
from smartmodules.spec import TransformSpec


class TransformsFileInvalid(WeirError):
    """The transforms file cannot be used; the message says where and why."""


def _where(path: str, loaded, at: tuple) -> str:
    pos = loaded.pos(at)
    return f"{path}:{pos.line}:{pos.column}"


def load_transforms_file(path: str | Path) -> list[TransformSpec]:
    """`transforms: [{uses, with, lookback: {last, age}}]` -> specs, in file order."""
    from runtime.config.yamlpos import LoadFailure, read_bytes

    p = Path(path)
    try:
        raw = read_bytes(p)
    except LoadFailure as exc:  # over the size bound, found before reading it whole
        raise TransformsFileInvalid(f"{p}: {exc.diagnostic.message}",
                                    hint=exc.diagnostic.hint) from None
    except FileNotFoundError:
        raise EnvironmentProblem(f"{p}: no such file") from None
    except IsADirectoryError:
        raise TransformsFileInvalid(f"{p}: is a directory, expected a YAML file") from None
    except OSError as exc:
        raise TransformsFileInvalid(f"{p}: cannot read: {exc.strerror}") from None
    return parse_transforms(raw, str(p), bare_list=False)


def parse_transform_line(text: str, number: int) -> TransformSpec:
    """One entry of a `transforms:` list given inline (`--transforms-line`, as Fluvio's
    CLI takes it): JSON or YAML, e.g. `{"uses": "my-map", "with": {"k": "v"}}`."""
    return parse_transforms(text, f"--transforms-line #{number}", entry=True)[0]


def parse_transforms(raw: bytes | str, source: str, *, bare_list: bool = True,
                     entry: bool = False) -> list[TransformSpec]:
    """Specs from YAML text: a mapping with a `transforms:` list (a transforms file, a
    connector config) or, with `bare_list`, the list itself (the playground's chain).
    A bare list item may be just the module (`- contains-filter`). With `entry`, the text
    is one item of the list (`--transforms-line`)."""
    from runtime.config.values import ValueProblem, parse_duration
    from runtime.config.yamlpos import LoadFailure, decode, load_yaml

    p = source
    text = raw if isinstance(raw, str) else None
    example = "transforms:\n  - uses: my-filter\n    with: {key: value}"
    try:
        loaded = load_yaml(text if text is not None else decode(raw),
                           mapping_only=not bare_list and not entry)
    except LoadFailure as exc:
        d = exc.diagnostic
        message, hint = d.message, d.hint
        if d.code == "not-a-mapping":  # the loader's words are for connector configs
            message = message.split(", expected")[0] + ", expected a mapping with a " \
                "`transforms:` list"
            hint = f"write for example:\n{example}"
        raise TransformsFileInvalid(f"{p}:{d.line or 1}:{d.column or 1}: {message}",
                                    hint=hint) from None
    data = loaded.data
    if entry:
        if not isinstance(data, dict):
            raise TransformsFileInvalid(
                f"{p}: expected one transform as a mapping, e.g. "
                '{"uses": "my-map", "with": {"key": "value"}}',
                hint="JSON or YAML with `uses` (and `with`, `lookback`), as one entry of a "
                "`transforms:` list")
        items, root = [data], None
    elif bare_list and isinstance(data, str):
        items, root = data.split(), ()  # module names, one a line
    elif bare_list and isinstance(data, list):
        items, root = data, ()
    elif isinstance(data, dict) and "transforms" in data:
        items, root = data["transforms"], ("transforms",)
    else:
        raise TransformsFileInvalid(f"{p}:1:1: no `transforms:` list in the file",
                                    hint=f"write for example:\n{example}")
    if not isinstance(items, list):
        raise TransformsFileInvalid(
            f"{_where(p, loaded, root)}: `transforms` must be a list of "
            "`- uses: SMARTMODULE` entries", hint=f"write for example:\n{example}")
    specs = []
    for i, item in enumerate(items):
        at = () if root is None else (*root, i)
        if bare_list and isinstance(item, str):
            item = {"uses": item}
        if not isinstance(item, dict):
            raise TransformsFileInvalid(f"{_where(p, loaded, at)}: `transforms[{i}]` must be "
                                        "a mapping with `uses:`",
                                        hint="write `- uses: group/name@version`")
        unknown = sorted(set(item) - {"uses", "with", "lookback"})
        if unknown:
            raise TransformsFileInvalid(
                f"{_where(p, loaded, (*at, unknown[0]))}: unknown key `{unknown[0]}` in "
                f"`transforms[{i}]`", hint="a transform takes `uses`, `with` and `lookback`")
        uses = item.get("uses")
        if not isinstance(uses, str) or not uses.strip():
            raise TransformsFileInvalid(f"{_where(p, loaded, (*at, 'uses'))}: `transforms[{i}]` "
                                        "needs `uses:` with a SmartModule name or .wasm path")
        params: dict[str, str] = {}
        with_ = item.get("with") or {}
        if not isinstance(with_, dict):
            raise TransformsFileInvalid(f"{_where(p, loaded, (*at, 'with'))}: `with` must be "
                                        "a mapping of param names to values")
        for key, value in with_.items():
            if isinstance(value, str):
                params[str(key)] = value
            elif isinstance(value, (list, dict)):
                params[str(key)] = json.dumps(_plain(value))
            else:
                raise TransformsFileInvalid(
                    f"{_where(p, loaded, (*at, 'with', key))}: `with.{key}` is "
                    f"{type(value).__name__} {value!r}: `with` values must be strings, lists "
                    "or maps", hint=f'quote it: `{key}: "{value}"`')
        last = age_ms = None
        lookback = item.get("lookback")
        if lookback is not None:
            if not isinstance(lookback, dict) or not set(lookback) <= {"last", "age"}:
                raise TransformsFileInvalid(f"{_where(p, loaded, (*at, 'lookback'))}: "
                                            "`lookback` takes `last: N` and/or `age: 1h`")
            last = lookback.get("last")
            if last is not None and (not isinstance(last, int) or isinstance(last, bool)
                                     or last < 0):
                raise TransformsFileInvalid(f"{_where(p, loaded, (*at, 'lookback', 'last'))}: "
                                            "`lookback.last` must be a whole number >= 0")
            if lookback.get("age") is not None:
                try:
                    age_ms = parse_duration(lookback["age"])
                except ValueProblem as exc:
                    raise TransformsFileInvalid(
                        f"{_where(p, loaded, (*at, 'lookback', 'age'))}: {exc.message}") from None
        specs.append(TransformSpec(uses=uses.strip(), params=params, lookback_last=last,
                                   lookback_age_ms=age_ms))
    return specs


def _plain(value: Any) -> Any:
    from runtime.config.yamlpos import plain

    return plain(value)
