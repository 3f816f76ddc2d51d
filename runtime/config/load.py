"""Load a connector config into the one ConnectorSpec the runtime reads.

Both formats end up the same: canonical type, the connector section's parameters (with
defaults filled and secrets rendered), transforms (legacy `map:`/`filter:`... parameters
become TransformSpec entries in file order), producer/consumer options in numbers.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from runtime.config import connector_types as ct
from runtime.config.diagnostics import Diagnostic
from runtime.config.models import LEGACY_SMARTMODULE_PARAMS
from runtime.config.secrets import mask, render
from runtime.config.spec import (
    ConnectorSpec,
    ConsumerOptions,
    ProducerOptions,
    TopicOptions,
)
from runtime.config.validate import Analysis, analyze_file, analyze_text
from runtime.config.values import format_duration_ms, parse_bytes, parse_duration
from runtime.config.yamlpos import plain, scalar_text
from runtime.errors import WeirError
from smartmodules.spec import TransformSpec


class ConfigInvalid(WeirError):
    """The config has errors; `.diagnostics` lists them all (exit code 1)."""

    def __init__(self, path: str, diagnostics: list[Diagnostic],
                 secret_values: tuple[str, ...] | list[str] = ()) -> None:
        diagnostics = _masked(diagnostics, secret_values)
        errors = [d for d in diagnostics if d.severity == "error"]
        first = errors[0] if errors else None
        where = first.location(path) if first else path
        more = f" (and {len(errors) - 1} more error{'s' if len(errors) > 2 else ''})" \
            if len(errors) > 1 else ""
        super().__init__(f"{where}: {first.message if first else 'invalid config'}{more}",
                         hint=(first.hint if first and first.hint else None) or
                         f"run `weir validate {path}` for every problem")
        self.path = path
        self.diagnostics = diagnostics


def load_connector(path: str | Path, *, secrets_file: str | Path | None = None,
                   env: Mapping[str, str] | None = None) -> ConnectorSpec:
    """Validate `path` and build its ConnectorSpec; ConfigInvalid when it has errors.

    Secret values come from `secrets_file`, then `env` (default: os.environ); a
    referenced secret without a value is an error.
    """
    analysis = analyze_file(path, secrets_file=secrets_file, env=env, check_values=True)
    return spec_from_analysis(analysis, env=env)


def load_connector_checked(path: str | Path, *, secrets_file: str | Path | None = None,
                           env: Mapping[str, str] | None = None,
                           ) -> tuple[ConnectorSpec, list[Diagnostic]]:
    """load_connector plus the warnings the valid file still has (secrets masked): a run
    prints them, since the connector ignores what they point at (a typo'd key...)."""
    analysis = analyze_file(path, secrets_file=secrets_file, env=env, check_values=True)
    spec = spec_from_analysis(analysis, env=env)
    warnings = [d for d in analysis.report.diagnostics if d.severity == "warning"]
    return spec, _masked(warnings, tuple(analysis.secret_values.values()))


def _masked(diagnostics: list[Diagnostic], secret_values: tuple[str, ...] | list[str],
            ) -> list[Diagnostic]:
    if not secret_values:
        return diagnostics
    return [Diagnostic(d.severity, d.code, mask(d.message, secret_values), d.line, d.column,
                       d.hint and mask(d.hint, secret_values)) for d in diagnostics]


def load_connector_text(text: str, path: str = "<text>", *,
                        secrets: Mapping[str, str] | None = None,
                        env: Mapping[str, str] | None = None) -> ConnectorSpec:
    """The same from text (the TUI's editor buffer), with secrets as a mapping."""
    from runtime.config.secrets import SecretsFile

    sf = SecretsFile("<secrets>", dict(secrets)) if secrets is not None else None
    analysis = analyze_text(text, path, secrets=sf, env=env, check_values=True)
    return spec_from_analysis(analysis, env=env)


def spec_from_analysis(a: Analysis, *, env: Mapping[str, str] | None = None) -> ConnectorSpec:
    if not a.report.valid or a.loaded is None:
        raise ConfigInvalid(a.report.path, a.report.diagnostics,
                            tuple(a.secret_values.values()))
    data = plain(a.loaded.data)
    values = a.secret_values
    secret_list = tuple(sorted(set(values.values())))
    environ = os.environ if env is None else env
    if a.format == "legacy":
        return _legacy_spec(a, data, values, secret_list, environ)
    return _current_spec(a, data, values, secret_list, environ)


def _params(a: Analysis, raw: Mapping[str, Any], rendered: Mapping[str, str]) -> dict[str, Any]:
    params = plain(dict(raw))
    if a.ctype is not None:
        for key, value in ct.param_defaults(a.ctype).items():
            params.setdefault(key, value)
        params = {k: v for k, v in params.items() if v is not None}
    return render(params, rendered)


def _legacy_spec(a: Analysis, data: dict, values: Mapping[str, str],
                 secret_list: tuple[str, ...], environ: Mapping[str, str]) -> ConnectorSpec:
    params_raw = data.get("parameters") or {}
    own = {k: v for k, v in (a.params or {}).items()}
    if a.ctype is not None and a.ctype.name == "http-source" and "interval" in own:
        text = scalar_text(own["interval"]).strip()
        if text.isdigit():
            own["interval"] = format_duration_ms(int(text) * 1000)
    if a.ctype is None:  # unknown type: numbers and bools are stringified, as Fluvio does
        own = {k: _stringify(v) for k, v in own.items()}
    transforms = [_transform(t, values) for t in data.get("transforms") or []]
    initial = params_raw.get("aggregate-initial-value")
    for key, value in params_raw.items():
        if key in LEGACY_SMARTMODULE_PARAMS and value is not None:
            transforms.append(TransformSpec(
                uses=scalar_text(value),
                aggregate_initial=(scalar_text(initial).encode()
                                   if key == "aggregate" and initial is not None else None)))
    partition = params_raw.get("fluvio-partition")
    log = params_raw.get("rust-log")
    kind = a.ctype.kind if a.ctype else (data.get("direction") or ct.kind_of(a.type_name))
    return ConnectorSpec(
        name=scalar_text(data["name"]),
        type=a.type_name,
        kind=kind,
        topic=scalar_text(data["topic"]),
        parameters=_params(a, own, values),
        transforms=tuple(transforms),
        producer=_producer(data.get("producer")),
        consumer=_consumer(data.get("consumer")),
        partition=int(partition) if partition is not None else None,
        log_level=_log_level(scalar_text(log) if log is not None else None, environ),
        secret_values=secret_list,
        format="legacy",
        source_path=a.report.path,
        on_error=scalar_text(params_raw.get("on-error") or "skip"),
    )


def _current_spec(a: Analysis, data: dict, values: Mapping[str, str],
                  secret_list: tuple[str, ...], environ: Mapping[str, str]) -> ConnectorSpec:
    meta = data["meta"]
    topic = meta["topic"]
    topic_options = TopicOptions()
    if isinstance(topic, dict):
        part = topic.get("partition") or {}
        retention = topic.get("retention") or {}
        topic_options = TopicOptions(
            partitions=int(part.get("count") or 1),
            retention_ms=parse_duration(retention["time"]) if retention.get("time") else None,
            segment_bytes=(parse_bytes(retention["segment-size"])
                           if retention.get("segment-size") is not None else None),
        )
        topic = topic["meta"]["name"]
    transforms = tuple(_transform(t, values) for t in data.get("transforms") or [])
    kind = a.ctype.kind if a.ctype else ct.kind_of(a.type_name)
    return ConnectorSpec(
        name=scalar_text(meta["name"]),
        type=a.type_name,
        kind=kind,
        topic=scalar_text(topic),
        parameters=_params(a, a.params or {}, values),
        transforms=transforms,
        producer=_producer(meta.get("producer")),
        consumer=_consumer(meta.get("consumer")),
        topic_options=topic_options,
        log_level=_log_level(None, environ),
        secret_values=secret_list,
        format="current",
        source_path=a.report.path,
        on_error=scalar_text(meta.get("on-error") or "skip"),
    )


def _transform(item: dict, values: Mapping[str, str]) -> TransformSpec:
    params: dict[str, str] = {}
    for key, value in (item.get("with") or {}).items():
        value = render(value, values)
        params[key] = value if isinstance(value, str) else json.dumps(value)
    lookback = item.get("lookback") or {}
    return TransformSpec(
        uses=scalar_text(item["uses"]),
        params=params,
        lookback_last=lookback.get("last"),
        lookback_age_ms=parse_duration(lookback["age"]) if lookback.get("age") else None,
    )


def _producer(raw: dict | None) -> ProducerOptions:
    if not raw:
        return ProducerOptions()
    default = ProducerOptions()
    batch = raw.get("batch-size", raw.get("batch_size"))
    return ProducerOptions(
        linger_ms=parse_duration(raw["linger"]) if raw.get("linger") else default.linger_ms,
        batch_size_bytes=(parse_bytes(batch) if batch is not None
                          else default.batch_size_bytes),
        compression=raw.get("compression") or default.compression,
    )


def _consumer(raw: dict | None) -> ConsumerOptions:
    if not raw:
        return ConsumerOptions()
    part = raw.get("partition", "all")
    # Fluvio's client reads every partition when given none, so `[]` is `all`
    partitions = None if part in ("all", []) else (part,) if isinstance(part, int) \
        else tuple(part)
    offset = raw.get("offset") or {}
    start = offset.get("start") or "end"
    max_bytes = raw.get("max-bytes", raw.get("max_bytes"))
    if isinstance(start, dict):
        (key, n), = start.items()
        start = (key, int(n))
    flush = offset.get("flush-period")
    return ConsumerOptions(
        partitions=partitions,
        id=scalar_text(raw["id"]) if raw.get("id") is not None else None,
        max_bytes=parse_bytes(max_bytes) if max_bytes is not None else None,
        offset_strategy=offset.get("strategy"),
        start=start,
        flush_period_ms=(int(flush.get("secs", 0)) * 1000 + int(flush.get("nanos", 0))
                         // 1_000_000 if isinstance(flush, dict) else None),
    )


def _log_level(value: str | None, environ: Mapping[str, str]) -> str:
    """`rust-log`, else RUST_LOG, else info."""
    return (value or environ.get("RUST_LOG") or "info").strip() or "info"


def _stringify(value: Any) -> Any:
    if isinstance(value, (bool, int, float)):
        return scalar_text(value)
    return value
