"""Configs as YAML text for `connector describe` and the TUI: `---` first, secrets masked."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from runtime import __version__
from runtime.config import connector_types as ct
from runtime.config.secrets import mask
from runtime.config.spec import ConnectorSpec
from runtime.config.values import format_duration_ms
from runtime.config.yamlpos import LoadFailure, YFloat, load_yaml


class _Dumper(yaml.SafeDumper):
    """Keeps a float's original text (`0.10`) and writes multi-line strings as blocks."""


def _float(dumper: yaml.SafeDumper, value: YFloat) -> yaml.Node:
    return dumper.represent_scalar("tag:yaml.org,2002:float", value.raw)


def _str(dumper: yaml.SafeDumper, value: str) -> yaml.Node:
    if "\n" in value.strip("\n") and value.endswith("\n"):
        return dumper.represent_scalar("tag:yaml.org,2002:str", value, style="|")
    if any(c in value for c in "\n\r\t"):
        return dumper.represent_scalar("tag:yaml.org,2002:str", value, style='"')
    return dumper.represent_str(value)


_Dumper.add_representer(YFloat, _float)
_Dumper.add_representer(str, _str)


def dump_yaml(data: Any) -> str:
    """Block-style YAML of plain data, keys in their order, starting with `---`."""
    return yaml.dump(data, Dumper=_Dumper, sort_keys=False, explicit_start=True,
                     default_flow_style=False, allow_unicode=True, width=100)


def spec_to_data(spec: ConnectorSpec) -> dict[str, Any]:
    """A ConnectorSpec as an apiVersion 0.1.0 config (defaults included)."""
    meta: dict[str, Any] = {"version": __version__, "name": spec.name, "type": spec.type,
                            "topic": spec.topic}
    if spec.kind == "source":
        p = spec.producer
        meta["producer"] = {"linger": format_duration_ms(p.linger_ms),
                            "batch-size": p.batch_size_bytes, "compression": p.compression}
    else:
        c = spec.consumer
        consumer: dict[str, Any] = {"partition": "all" if c.partitions is None
                                    else list(c.partitions)}
        if c.id:
            consumer["id"] = c.id
        if c.max_bytes is not None:
            consumer["max-bytes"] = c.max_bytes
        if c.offset_strategy:
            start = c.start if isinstance(c.start, str) else {c.start[0]: c.start[1]}
            consumer["offset"] = {"strategy": c.offset_strategy, "start": start}
        meta["consumer"] = consumer
    data: dict[str, Any] = {"apiVersion": "0.1.0", "meta": meta,
                            ct.section_of(spec.type): dict(spec.parameters)}
    if spec.transforms:
        items = []
        for t in spec.transforms:
            item: dict[str, Any] = {"uses": t.uses}
            if t.params:
                item["with"] = dict(t.params)
            lookback: dict[str, Any] = {}
            if t.lookback_last is not None:
                lookback["last"] = t.lookback_last
            if t.lookback_age_ms is not None:
                lookback["age"] = format_duration_ms(t.lookback_age_ms)
            if lookback:
                item["lookback"] = lookback
            items.append(item)
        data["transforms"] = items
    return data


def describe_yaml(source: ConnectorSpec | str | Path,
                  secret_values: tuple[str, ...] | list[str] = ()) -> str:
    """The config as `fluvio connector describe` prints it: YAML from `---`, masked.

    `source` is a ConnectorSpec (secrets already rendered: its own `secret_values` are
    masked too), a path to a config file, or config text. Comments are not kept, as in
    Fluvio; text that is not YAML is shown as it is, still masked.
    """
    values = list(secret_values)
    if isinstance(source, ConnectorSpec):
        values.extend(source.secret_values)
        return mask(dump_yaml(spec_to_data(source)), values)
    if isinstance(source, Path) or ("\n" not in source and Path(source).is_file()):
        text = Path(source).read_text(encoding="utf-8", errors="replace")
    else:
        text = source
    try:
        dumped = dump_yaml(load_yaml(text).data)
    except LoadFailure:
        dumped = text if text.startswith("---") else "---\n" + text
    return mask(dumped, values)
