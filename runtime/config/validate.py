"""Validate a connector config in either format: every mistake located and explained.

`validate_text` is what the editor calls on each change; `validate_file` adds reading
the file and the secrets file. `analyze` also returns the checked data, which
`runtime.config.load` turns into a ConnectorSpec.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import AliasChoices, BaseModel

from runtime.config import connector_types as ct
from runtime.config.checker import Checker, did_you_mean, dotted, field_keys, unwrap_models
from runtime.config.diagnostics import Diagnostic, FileReport, Format
from runtime.config.fields import describe_value, secret_name_problem
from runtime.config.models import (
    API_VERSIONS,
    LEGACY_COMMON_KEYS,
    LEGACY_SMARTMODULE_PARAMS,
    Consumer,
    LegacyCommon,
    LegacyConfig,
    LegacyConsumer,
    LegacyProducer,
    Meta,
    Offset,
    Producer,
    TopicConfig,
    Transform,
)
from runtime.config.names import name_hint, name_problem
from runtime.config.secrets import (
    NEAR_MISS,
    SECRET_REF,
    SHORT_SECRET,
    SecretsFile,
    lookup_secret,
    secret_ref_name,
    short_secret_problem,
)
from runtime.config.yamlpos import Loaded, LoadFailure, Path_, decode, load_yaml, read_bytes
from runtime.config.yamlpos import scalar_text as _text

CURRENT_TOP = ("apiVersion", "meta", "transforms")

# What a `uses:` value cannot be loaded for, as (message, hint); None when it loads.
ModuleCheck = Callable[[str], "tuple[str, str | None] | None"]
_META_KEYS = tuple(field_keys(Meta))


@dataclass(slots=True)
class Analysis:
    """What validation learned: the report plus the checked data for building a spec."""

    report: FileReport
    loaded: Loaded | None = None
    format: Format | None = None
    api_version: str | None = None
    type_name: str | None = None  # canonical (current-format) type
    ctype: ct.ConnectorType | None = None
    section: str | None = None  # current: key of the connector section
    params: dict[str, Any] = field(default_factory=dict)  # canonical keys, unrendered
    secret_refs: list[tuple[str, Path_]] = field(default_factory=list)
    declared_secrets: list[str] = field(default_factory=list)
    declared_at: dict[str, int] = field(default_factory=dict)  # name -> meta.secrets index
    secret_values: dict[str, str] = field(default_factory=dict)  # name -> rendered value


def detect_format(data: Mapping[str, Any]) -> Format | None:
    if "apiVersion" in data or "meta" in data:
        return "current"
    if "version" in data or "parameters" in data or ("type" in data and "name" in data):
        return "legacy"
    return None


def _places(fmt: Format, ctype: ct.ConnectorType | None, section: str | None
            ) -> tuple[dict[str, list[str]], dict[str, str]]:
    """key -> where it belongs, for reporting a known key found in the wrong place."""
    return _places_for(fmt, ctype.name if ctype else None, section)


@functools.cache
def _places_for(fmt: Format, type_name: str | None, section: str | None
                ) -> tuple[dict[str, list[str]], dict[str, str]]:
    ctype = ct.types().get(type_name) if type_name else None
    places: dict[str, list[str]] = {}
    hints: dict[str, str] = {}

    def put(keys, where):
        for k in keys:
            places.setdefault(k, [])
            if where not in places[k]:
                places[k].append(where)

    if fmt == "current":
        put(CURRENT_TOP, "")
        put(_META_KEYS, "meta")
        put(field_keys(Producer), "meta.producer")
        put(field_keys(Consumer), "meta.consumer")
        put(field_keys(Offset), "meta.consumer.offset")
        put(field_keys(Transform), "transforms[]")
        if ctype is not None and section:
            put(field_keys(ctype.params), section)
        for k in LEGACY_SMARTMODULE_PARAMS:
            places.setdefault(k, []).append("transforms")
        for k in ("aggregate-initial-value", "fluvio-partition", "rust-log"):
            places.setdefault(k, []).append("the legacy format's parameters")
        hints["rust-log"] = "set RUST_LOG in the connector's environment instead"
        for k in LEGACY_SMARTMODULE_PARAMS:
            hints[k] = (f"in apiVersion format a SmartModule is a transform: "
                        f"`transforms: [{{uses: NAME}}]` (legacy `{k}:` parameter)")
        hints["parameters"] = ("`parameters` is the legacy format's; in apiVersion format "
                               f"the connector's parameters go in its `{section or 'http'}:` "
                               "section")
        places.setdefault("parameters", []).append(section or "the connector section")
        hints["version"] = "`meta.version` is the connector version, e.g. 0.5.0"
    else:
        put(field_keys(LegacyConfig), "")
        put(field_keys(LegacyProducer), "producer")
        put(field_keys(Consumer), "consumer")
        put(field_keys(Offset), "consumer.offset")
        put(LEGACY_COMMON_KEYS, "parameters")
        if ctype is not None:
            put(field_keys(ctype.params), "parameters")
        places.setdefault("meta", []).append("the apiVersion format")
        for t in ct.types().values():
            places.setdefault(t.section, ["parameters"])
            hints[t.section] = (f"`{t.section}:` is the apiVersion format's section; in the "
                                "legacy format the connector's parameters go under "
                                "`parameters:`")
    return places, hints


class _Validation:
    def __init__(self, loaded: Loaded, analysis: Analysis, secrets: SecretsFile | None,
                 env: Mapping[str, str] | None, check_values: bool,
                 find_module: ModuleCheck | None = None,
                 note_module: ModuleCheck | None = None) -> None:
        self.find_module = find_module
        self.note_module = note_module
        self.loaded = loaded
        self.data: dict[str, Any] = loaded.data
        self.a = analysis
        self.secrets = secrets
        self.env = env
        self.check_values = check_values
        self.ck = Checker(loaded)

    # -- shared pieces ---------------------------------------------------------------
    def _set_places(self) -> None:
        self.ck.places, self.ck.place_hints = _places(self.a.format, self.a.ctype,
                                                      self.a.section)

    def _type(self, raw: Any, path: Path_, legacy: bool) -> None:
        if raw is None or isinstance(raw, (dict, list)):
            return
        name = _text(raw)
        ctype = ct.lookup(name, legacy=legacy)
        if ctype is None:
            from runtime.connectors.registry import refresh

            if refresh():  # installed since this process first looked
                ctype = ct.lookup(name, legacy=legacy)
        self.a.ctype = ctype
        self.a.type_name = ctype.name if ctype else ct.canonical_type(name, legacy=legacy)
        if ctype is not None:
            if not ctype.runnable:
                self.ck.add("info", "not-runnable", ct.cannot_run_message(ctype.name), path,
                            hint="its parameters are checked in full; run it on Fluvio "
                            "(`fluvio cloud connector create` or `cdk deploy start`)")
            return
        known = list(ct.legacy_types()) if legacy else list(ct.types())
        if not legacy and name in ct.legacy_types():
            hint = (f"`{name}` is the legacy format's name; in apiVersion format write "
                    f"`type: {ct.legacy_types()[name]}`")
        else:
            guess = did_you_mean(name, known)
            hint = (f"did you mean `{guess}`? " if guess else "") + "installed types: " + \
                ", ".join(known)
        from runtime.connectors.registry import failure_for

        failure = failure_for(self.a.type_name)
        if failure is not None:
            self.ck.add("warning", "plugin-failed", f"{failure.message()}; its parameters are "
                        "checked for shape only", path,
                        hint="fix the plugin (`weir connector types` shows it), or reinstall "
                        "it with `weir connector install PATH`")
            return
        self.ck.add("warning", "unknown-connector-type",
                    f"unknown connector type `{name}`: its parameters are checked for shape "
                    "only", path, hint=hint)

    def _plain_secrets(self, ctype: ct.ConnectorType, params: Mapping[str, Any],
                       base: Path_) -> None:
        """A parameter its connector marks as a secret, written in plain text."""
        for key in ct.secret_keys(ctype.name):
            value = params.get(key)
            if isinstance(value, str) and value and not SECRET_REF.search(value):
                self.ck.add("warning", "plaintext-secret-param",
                            f"`{key}` is a secret of the `{ctype.name}` connector, written "
                            "here in plain text", (*base, key),
                            hint=f"declare it under meta.secrets and write `{key}: "
                            "${{ secrets.NAME }}`; its value then comes from a secrets file "
                            "or the environment")

    def _producer_consumer(self, base: Path_, producer: Any, consumer: Any, legacy: bool) -> None:
        # only a built-in type's direction is known for sure: an unknown type's connector
        # may read either section, so nothing is said about it being unused
        kind = self.a.ctype.kind if self.a.ctype else None
        if producer is not None:
            self.ck.model(LegacyProducer if legacy else Producer, producer, (*base, "producer"))
            if kind == "sink":
                self.ck.add("info", "ignored-key", f"`producer` options are for sources; a "
                            f"`{self.a.ctype.name}` connector is a sink and does not produce",
                            (*base, "producer"), "key")
        if consumer is not None:
            self.ck.model(LegacyConsumer if legacy else Consumer, consumer,
                          (*base, "consumer"))
            if not legacy and isinstance(consumer, dict) \
                    and isinstance(consumer.get("offset"), dict) \
                    and consumer["offset"].get("strategy") is None:
                self.ck.add("error", "offset-needs-strategy",
                            "consumer `offset` needs a `strategy` (none, manual or auto)",
                            (*base, "consumer", "offset"), "key",
                            hint="add `strategy: auto` to commit offsets as records are "
                            "handled, or `manual`; `none` reads without committing")
            if kind == "source":
                self.ck.add("info", "ignored-key", f"`consumer` options are for sinks; a "
                            f"`{self.a.ctype.name}` connector is a source and does not "
                            "consume", (*base, "consumer"), "key")
            elif not legacy and isinstance(consumer, dict):
                for key in ("max-bytes", "max_bytes"):
                    if key in consumer:
                        self._not_used_by_weir((*base, "consumer", key),
                                               "Weir's sinks read whole batches from the "
                                               "local store")

    def _official_keys(self, ctype: ct.ConnectorType, model: type[BaseModel],
                       value: dict[str, Any], path: Path_) -> None:
        """Where Weir's reading of a section differs from the official connector's: a
        second spelling Weir accepts (Fluvio's connector ignores it), a parameter only
        Weir's connector reads, one only Fluvio's uses."""
        table = _official_table(model)
        for k, v in value.items():
            entry = table.get(k)
            if entry is None:
                continue
            official, weir_only, weir_unused, inner = entry
            where = (*path, k)
            if k != official and self._valid_at(where):
                self.ck.add("warning", "unofficial-key",
                            f"`{dotted(where)}`: Fluvio's {ctype.name} connector reads "
                            f"`{official}` and ignores `{k}` (Weir reads both)",
                            where, "key", hint=f"write `{official}`")
            if weir_only and self._valid_at(where):
                self.ck.add("info", "weir-only-key",
                            f"`{dotted(where)}` is read by Weir's {ctype.name} only: "
                            f"Fluvio's {ctype.name} connector does not read it",
                            where, "key", hint="it has no effect when the connector runs on "
                            "Fluvio")
            if weir_unused:
                self._not_used_by_weir(where, weir_unused)
            if inner is not None and isinstance(v, dict):
                self._official_keys(ctype, inner, v, where)

    def _valid_at(self, path: Path_) -> bool:
        """No error on the lines of the value at `path` (a bad one already has its say)."""
        pos = self.loaded.positions.get(path)
        if pos is None:
            return True
        first = pos.key_line or pos.line
        last = pos.end_line or pos.line
        return not any(d.severity == "error" and d.line is not None and first <= d.line <= last
                       for d in self.ck.diagnostics)

    def _not_used_by_weir(self, path: Path_, why: str) -> None:
        """A setting Fluvio reads and applies that Weir's own runtime has no use for (said
        only of a valid value: a bad one already has its error)."""
        if not self._valid_at(path):
            return
        self.ck.add("info", "not-used-by-weir",
                    f"`{dotted(path)}` is valid and Fluvio uses it, but Weir does not: {why}",
                    path, "key", hint="keep it for running on Fluvio; it changes nothing "
                    "when Weir runs the connector")

    def _create_topic(self, path: Path_) -> None:
        self.ck.add("info", "ignored-key", f"`{path[-1]}` is ignored: the topic is always "
                    "created when missing", path, "key", hint="you can remove this line")

    def _smartmodule_ref(self, value: Any, path: Path_) -> None:
        if not isinstance(value, str) or not value:
            return
        looks_like_path = (value.endswith(".wasm") or value.count("/") > 1
                           or value.startswith((".", "/", "~")))
        if looks_like_path:
            self._module_exists(value, path)  # a .wasm file, resolved when the chain is built
            return
        ref = value
        group = None
        if "/" in ref:
            group, ref = ref.split("/", 1)
        name, _, version = ref.partition("@")
        problem = name_problem("smartmodule", name)
        if problem is None and group is not None:
            problem = name_problem("smartmodule", group)
            if problem:
                problem = f"SmartModule group `{group}` is invalid: lowercase a-z, 0-9 and '-'"
        if problem is None and "@" in ref and not version:
            problem = f"`{value}` has an empty version after `@`"
        if problem:
            self.ck.add("error", "invalid-name", problem, path,
                        hint="SmartModules are named `name`, `group/name@version` or a path "
                        "to a .wasm file")
        else:
            self._module_exists(value, path)

    def _module_exists(self, uses: str, path: Path_) -> None:
        """Where the config is about to run (a managed connector being created), a module
        that cannot be loaded is an error now rather than a crash loop later."""
        if self.find_module is None:
            note = self.note_module(uses) if self.note_module is not None else None
            if note is not None:  # `weir validate`: where to get it, not an error
                message, hint = note
                self.ck.add("info", "smartmodule-not-registered", message, path, hint=hint)
            return
        problem = self.find_module(uses)
        if problem is not None:
            message, hint = problem
            self.ck.add("error", "smartmodule-not-found", message, path, hint=hint)

    # -- legacy --------------------------------------------------------------------
    def legacy(self) -> None:
        d = self.data
        self.ck.lax = True
        self._type(d.get("type"), ("type",), legacy=True)
        self._set_places()
        params = d.get("parameters")
        raw_secrets = d.get("secrets")
        if isinstance(raw_secrets, dict):
            # the legacy parser read `NAME:` with no value as an empty string
            raw_secrets = {k: "" if v is None else v for k, v in raw_secrets.items()}
        self.ck.model(LegacyConfig, {k: v for k, v in d.items()
                                     if k not in ("producer", "consumer", "transforms")}
                      | ({"parameters": {}} if isinstance(params, dict) else {})
                      | ({"secrets": raw_secrets} if isinstance(raw_secrets, dict) else {}),
                      ())
        if d.get("transforms") is not None:
            self._transforms(d["transforms"])  # Fluvio 0.10 read them beside `parameters`
        self._producer_consumer((), d.get("producer"), d.get("consumer"), legacy=True)
        for key in ("create-topic", "create_topic"):
            if key in d:
                self._create_topic((key,))
        direction = d.get("direction")
        if direction in ("source", "sink") and self.a.ctype and direction != self.a.ctype.kind:
            self.ck.add("error", "direction-mismatch",
                        f"direction `{direction}` disagrees with type `{_text(d.get('type'))}`, "
                        f"which is a {self.a.ctype.kind}", ("direction",),
                        hint=f"write `direction: {self.a.ctype.kind}` or remove the line")
        if isinstance(params, dict):
            self._legacy_params(params)
        elif params is None and self.a.ctype is not None and self.a.ctype.legacy_env:
            self._legacy_params({})  # its parameters may all come from secrets (env vars)
        elif params is None and self.a.ctype is not None and not _accepts_empty(self.a.ctype):
            required = [f.alias or n for n, f in self.a.ctype.params.model_fields.items()
                        if f.is_required()]
            self.ck.add("error", "missing-field",
                        f"missing field `parameters` (a `{self.a.ctype.legacy}` connector "
                        f"needs {', '.join(f'`{r}`' for r in required)})", (), "parent",
                        hint="add `parameters:` with " + ", ".join(f"`{r}:`" for r in required))
        secrets = d.get("secrets")
        if isinstance(secrets, dict) and secrets:
            self.ck.add("warning", "plaintext-secret",
                        "secrets are written in plain text in this file",
                        ("secrets",), "key", hint="`weir config convert` moves them to a "
                        "secrets file referenced as ${{ secrets.NAME }}")
            for name, value in secrets.items():
                problem = secret_name_problem(name)
                if problem:
                    self.ck.add("error", "invalid-secret-name", problem, ("secrets", name),
                                "key")
                if value is None or value == "":
                    self.ck.add("error", "invalid-value", f"secret `{name}` is empty: "
                                "Fluvio passes it to the connector as an empty string",
                                ("secrets", name), "key",
                                hint=f"write its value after `{name}:`, or move it to a "
                                "secrets file with `weir config convert`")
                elif isinstance(value, (str, int, float)) and not isinstance(value, bool):
                    self.a.secret_values[name] = _text(value)
                    self._short_secret(name, _text(value), ("secrets", name))
        for text, path in _strings(d):
            ref = SECRET_REF.search(text)
            if ref:
                self.ck.add("warning", "secret-not-rendered",
                            "the legacy format does not render `${{ secrets.NAME }}`: this "
                            "text is used as written", path, at=self._col(path, ref.start()),
                            hint="`weir config convert` writes the apiVersion format, "
                            "which renders secrets")

    def _legacy_params(self, params: dict[str, Any]) -> None:
        ctype = self.a.ctype
        common = {k: v for k, v in params.items() if k in LEGACY_COMMON_KEYS}
        own: dict[str, Any] = {}
        for key, value in params.items():
            if key in LEGACY_COMMON_KEYS:
                continue
            canon = key
            if ctype is not None:
                canon, value = ctype.legacy_param(key, value)
                if canon != key:
                    self._alias_positions(("parameters", key), ("parameters", canon))
            own[canon] = value
        secrets = self.data.get("secrets")
        for param, env in (ctype.legacy_env if ctype is not None else ()):
            value = secrets.get(env, False) if isinstance(secrets, dict) else False
            value = "" if value is None else value  # an empty secret: an empty env var
            if param not in own and isinstance(value, str):
                own[param] = value  # the legacy connector read it from this secret's env var
        topic_param = ctype.legacy_topic_param if ctype is not None else None
        if topic_param and topic_param not in own and isinstance(self.data.get("topic"), str):
            own[topic_param] = self.data["topic"]  # it defaulted to the Fluvio topic
        for key in ("output_format", "output-format"):
            if ctype is not None and ctype.name == "http-source" and key in own:
                own.pop(key)
                self.ck.add("error", "invalid-value", f"`{key}` has been deprecated and renamed "
                            "as `output_parts` (the legacy connector refuses to start)",
                            ("parameters", key), "key",
                            hint="write `output_parts: body` or `full`, and `output_type: "
                            "text` or `json`")
        self.ck.model(LegacyCommon, common, ("parameters",))
        for k in LEGACY_SMARTMODULE_PARAMS:
            if k in common:
                self._smartmodule_ref(common[k], ("parameters", k))
        if ctype is not None:
            inst = self.ck.model(ctype.params, own, ("parameters",),
                                 context={"format": "legacy"})
            self._plain_secrets(ctype, own, ("parameters",))
            interval = own.get("interval")
            if ctype.name == "http-source" and interval is not None and \
                    _text(interval).strip().isdigit():
                self.ck.add("info", "bare-seconds",
                            f"`interval: {_text(interval)}` is read as {_text(interval)} "
                            "seconds, as old releases did", ("parameters", "interval"),
                            hint=f"write `interval: {_text(interval).strip()}s`; the apiVersion "
                            "format needs the unit")
            self.a.params = own if inst is not None else {}
        else:
            for key, value in own.items():
                if value is None:
                    self.ck.add("warning", "wrong-type", f"parameter `{key}` has no value",
                                ("parameters", key), "key")
            self.a.params = own

    def _alias_positions(self, old: Path_, new: Path_) -> None:
        pos = self.loaded.positions
        for p, v in list(pos.items()):
            if p[: len(old)] == old:
                pos.setdefault((*new, *p[len(old):]), v)

    # -- current ---------------------------------------------------------------------
    def current(self) -> None:
        d = self.data
        api = d.get("apiVersion")
        if "apiVersion" in d:
            text = _text(api) if not isinstance(api, (dict, list)) else None
            if text not in API_VERSIONS:
                shown = text if text is not None else "a " + type(api).__name__
                self.ck.add("error", "unsupported-api-version",
                            f"apiVersion `{shown}` is not supported: expected one of "
                            + ", ".join(f"`{v}`" for v in API_VERSIONS), ("apiVersion",),
                            hint="write `apiVersion: 0.1.0` (or 0.2.0 for a topic map)")
            else:
                self.a.api_version = text
        meta = d.get("meta")
        if isinstance(meta, dict):
            self._type(meta.get("type"), ("meta", "type"), legacy=False)
        if self.a.ctype is not None:
            self.a.section = self.a.ctype.section
        elif self.a.type_name:
            self.a.section = ct.section_of(self.a.type_name)
        self._set_places()
        if "meta" not in d:
            self.ck.add("error", "missing-field", "missing field `meta`", (), "parent",
                        hint="add `meta:` with version, name, type and topic")
        elif meta is None:
            self.ck.add("error", "missing-field", "`meta` is empty: it needs `version`, "
                        "`name`, `type` and `topic`", ("meta",), "key")
        elif not isinstance(meta, dict):
            self.ck.add("error", "wrong-type", "`meta` must be a mapping", ("meta",))
        else:
            self._meta(meta)
        transforms = d.get("transforms")
        if transforms is not None:
            self._transforms(transforms)
        self._sections()
        self._current_secrets()

    def _meta(self, meta: dict[str, Any]) -> None:
        self.ck.model(Meta, {k: v for k, v in meta.items() if k not in ("producer", "consumer")},
                      ("meta",))
        self._producer_consumer(("meta",), meta.get("producer"), meta.get("consumer"),
                                legacy=False)
        for key in ("create-topic", "create_topic"):
            if key in meta:
                self._create_topic(("meta", key))
        topic = meta.get("topic")
        if isinstance(topic, dict):
            if self.a.api_version == "0.2.0":
                self.ck.model(TopicConfig, topic, ("meta", "topic"))
                self._topic_settings(topic)
            else:
                self.ck.add("error", "wrong-type",
                            "`meta.topic` as a map needs `apiVersion: 0.2.0`",
                            ("meta", "topic"), "key", hint="write `apiVersion: 0.2.0`, or give the "
                            "topic's name as a string")
        elif isinstance(topic, list):
            self.ck.add("error", "wrong-type", "`meta.topic` must be a topic name (or, with "
                        "apiVersion 0.2.0, a map), got a list", ("meta", "topic"))
        elif topic is None and "topic" in meta:
            self.ck.add("error", "wrong-type", "`meta.topic` has no value: it must be the "
                        "topic's name", ("meta", "topic"), "key")
        elif topic is not None and self.a.api_version == "0.2.0":
            self.ck.add("error", "wrong-type", "apiVersion 0.2.0 reads `meta.topic` as a map "
                        "(Fluvio's TopicConfig), not a name", ("meta", "topic"),
                        hint=f"write `topic: {{meta: {{name: {_text(topic)}}}}}`, or use "
                        "apiVersion 0.1.0 for a plain name")
        elif not isinstance(topic, str) and topic is not None:
            self.ck.add("error", "wrong-type", f"`meta.topic` must be a string, got "
                        f"{describe_value(topic)}: Fluvio reads an unquoted number or bool as "
                        "one, not as a name", ("meta", "topic"),
                        hint=f'quote it: topic: "{_text(topic)}"')
        elif topic is not None:
            problem = name_problem("topic", _text(topic))
            if problem:
                self.ck.add("error", "invalid-name", problem, ("meta", "topic"),
                            hint=name_hint(_text(topic)))
        for i, decl in enumerate(meta.get("secrets") or []
                                 if isinstance(meta.get("secrets"), list) else []):
            if isinstance(decl, dict) and isinstance(decl.get("name"), str):
                if not secret_name_problem(decl["name"]):
                    self.a.declared_secrets.append(decl["name"])
                    self.a.declared_at.setdefault(decl["name"], i)
            elif isinstance(decl, str):
                self.ck.add("error", "wrong-type", f"`meta.secrets[{i}]` must be a mapping "
                            "`- name: NAME`", ("meta", "secrets", i),
                            hint=f"write `- name: {decl}`")

    def _topic_settings(self, topic: dict[str, Any]) -> None:
        """Info on the 0.2.0 topic settings Weir does not apply when it creates a topic."""
        why = ("Weir creates a topic with its partition count, retention time and segment "
               "size only")
        base = ("meta", "topic")
        part = topic.get("partition")
        if isinstance(part, dict):
            for key in ("replication", "ignore-rack-assignment", "maps", "max-size"):
                if key in part:
                    self._not_used_by_weir((*base, "partition", key), why)
        for key in ("compression", "deduplication"):
            if topic.get(key) is not None:
                self._not_used_by_weir((*base, key), why)

    def _transforms(self, transforms: Any) -> None:
        if not isinstance(transforms, list):
            self.ck.add("error", "wrong-type", "`transforms` must be a list of "
                        "`- uses: SMARTMODULE` entries", ("transforms",))
            return
        for i, item in enumerate(transforms):
            path = ("transforms", i)
            if not isinstance(item, dict):
                self.ck.add("error", "wrong-type", f"`transforms[{i}]` must be a mapping with "
                            "`uses:`", path, hint="write `- uses: group/name@version`")
                continue
            with_ = item.get("with")
            clean = dict(item)
            if isinstance(with_, dict):
                for key, value in with_.items():
                    if not isinstance(value, (str, list, dict)):
                        self.ck.add("error", "transform-with-type",
                                    f"`transforms[{i}].with.{key}` is {_kind(value)}: `with` "
                                    "values must be strings, lists or maps",
                                    (*path, "with", key),
                                    hint=f'quote it: `{key}: "{_text(value)}"`')
                clean["with"] = {k: v for k, v in with_.items()
                                 if isinstance(v, (str, list, dict))}
            self.ck.model(Transform, clean, path)
            self._smartmodule_ref(item.get("uses"), (*path, "uses"))

    def _sections(self) -> None:
        d = self.data
        ctype = self.a.ctype
        section = self.a.section
        candidates: list[str] = []
        for key in d:
            if key in CURRENT_TOP:
                continue
            if ctype is not None and key == section:
                continue
            if key in _META_KEYS or key == "parameters" or key in LEGACY_COMMON_KEYS or (
                    ctype is not None and key in field_keys(ctype.params)):
                self.ck.unknown_key(None, (), (key,), candidates=[])
                continue
            candidates.append(key)
        if ctype is not None:
            for key in candidates:
                guess = did_you_mean(key, [section, *CURRENT_TOP])
                if isinstance(d[key], dict) and not guess:
                    self.ck.add("warning", "extra-connector-section",
                                f"section `{key}` is not read by a `{ctype.name}` connector, "
                                f"which reads `{section}`", (key,), "key",
                                hint="remove it, or fix `meta.type`")
                else:
                    self.ck.unknown_key(None, (), (key,), candidates=[section, *CURRENT_TOP])
            if section not in d:
                if not _accepts_empty(ctype):
                    required = [f.alias or n for n, f in ctype.params.model_fields.items()
                                if f.is_required()]
                    self.ck.add("error", "missing-connector-section",
                                f"missing the `{section}:` section with the connector's "
                                f"parameters (required: {', '.join(required)})", (), "parent",
                                hint=f"add `{section}:` at the top level with "
                                + ", ".join(f"`{r}:`" for r in required))
                return
            value = d[section]
            if not isinstance(value, dict):
                self.ck.add("error", "wrong-type", f"`{section}` must be a mapping of the "
                            "connector's parameters", (section,))
                return
            inst = self.ck.model(ctype.params, value, (section,), context={"format": "current"})
            if ctype.origin in ("fluvio", "weir-workbench"):  # not said of a plugin's keys
                self._official_keys(ctype, ctype.params, value, (section,))
            self._plain_secrets(ctype, value, (section,))
            params = dict(value)
            for old_key, new_key in ctype.legacy_aliases:
                if old_key in params and new_key not in params and \
                        old_key not in field_keys(ctype.params):
                    params = {new_key if k == old_key else k: v for k, v in params.items()}
            self.a.params = params if inst is not None else {}
            return
        # unknown type: one mapping section, checked for shape
        if not candidates:
            return
        first, *rest = candidates
        self.a.section = first
        if not isinstance(d[first], dict):
            self.ck.add("error", "wrong-type", f"`{first}` must be a mapping of the "
                        "connector's parameters", (first,))
        else:
            self.a.params = dict(d[first])
        for key in rest:
            self.ck.add("warning", "extra-connector-section",
                        f"more than one connector section: `{key}` besides `{first}`",
                        (key,), "key", hint="a config has one section, named after the "
                        "connector")

    def _current_secrets(self) -> None:
        declared = self.a.declared_secrets
        refs: list[tuple[str, Path_, int]] = []
        for text, path in _strings(self.data):
            if path[:2] == ("meta", "secrets"):
                continue
            found = False
            for m in SECRET_REF.finditer(text):
                found = True
                refs.append((m.group(1), path, m.start()))
            if not found and NEAR_MISS.search(text):
                self.ck.add("warning", "secret-not-rendered",
                            f"`{NEAR_MISS.search(text).group(0)}` looks like a secret "
                            "reference but is not `${{ secrets.NAME }}`: it is used as "
                            "written", path, at=self._col(path, NEAR_MISS.search(text).start()))
        # `{secret: {name: X}}` (Fluvio's SecretString) is read from the secret store when
        # the connector resolves it: no declaration in meta.secrets, no rendering, any
        # apiVersion. Only `${{ secrets.X }}` templates need X declared (and apiVersion).
        store_refs = [(name, (*path, "secret", "name")) for path, name in
                      _secret_dicts(self.data) if path[:2] != ("meta", "secrets")]
        self.a.secret_refs = [(n, p) for n, p, _ in refs] + store_refs
        if "apiVersion" not in self.data and isinstance(self.data.get("meta"), dict):
            if refs:
                where = f" (`${{{{ secrets.{refs[0][0]} }}}}` at line " \
                    f"{self._col(refs[0][1], refs[0][2])[0]})"
                self.ck.add("error", "missing-api-version",
                            "no `apiVersion`: Fluvio reads this file as apiVersion 0.0.0, "
                            "which ignores `meta.secrets`, so every `${{ secrets.NAME }}` "
                            f"would fail to render{where}", (), "parent",
                            hint="add `apiVersion: 0.1.0` as the first line")
            else:
                self.ck.add("warning", "missing-api-version",
                            "no `apiVersion`: Fluvio reads this file as apiVersion 0.0.0"
                            + (", which ignores `meta.secrets`"
                               if self.data["meta"].get("secrets") else ""),
                            (), "parent", hint="add `apiVersion: 0.1.0` as the first line")
        used: set[str] = set()
        for name, path, offset in refs:
            at = self._col(path, offset)
            problem = secret_name_problem(name)
            if problem:
                self.ck.add("error", "invalid-secret-name", problem, path, at=at)
                continue
            used.add(name)
            if name not in declared:
                guess = did_you_mean(name, declared)
                self.ck.add("error", "undeclared-secret",
                            f"secret `{name}` is used but not declared in `meta.secrets`",
                            path, at=at,
                            hint=f"did you mean `{guess}`?" if guess else
                            f"add `- name: {name}` under `meta.secrets`")
        used.update(name for name, _ in store_refs)
        at_index = self.a.declared_at
        for name in declared:
            if name not in used:
                self.ck.add("info", "unused-secret", f"secret `{name}` is declared but never "
                            "used", ("meta", "secrets", at_index[name], "name"))
        wanted = [(name, ("meta", "secrets", at_index[name], "name")) for name in declared]
        wanted += [(name, path) for name, path in store_refs if name not in declared]
        seen: set[str] = set()
        for name, path in wanted:
            if name in seen:
                continue
            seen.add(name)
            value = lookup_secret(name, self.secrets.values if self.secrets else None,
                                  self.env)
            if value is not None:
                self.a.secret_values[name] = value
                self._short_secret(name, value, path)
            elif self.check_values and name in used:
                hint = (f"add `{name}=...` to {self.secrets.path} or export {name}"
                        if self.secrets else
                        f"export {name}=... or pass a secrets file (--secrets) with it")
                self.ck.add("error", "secret-not-found",
                            f"value not found for secret name {name}", path, hint=hint)

    def _short_secret(self, name: str, value: str, path: Path_) -> None:
        problem = short_secret_problem(name, value)
        if problem:
            self.ck.add("warning", "short-secret", problem, path,
                        hint=f"use a value of at least {SHORT_SECRET} characters")

    def _col(self, path: Path_, offset: int) -> tuple[int, int]:
        """Line and column of character `offset` inside the string at `path`."""
        pos = self.loaded.positions.get(path)
        if pos is None:
            return self.ck.at(path)
        if pos.end_line not in (None, pos.line) or pos.style in ("|", ">"):
            return pos.line, pos.column
        return pos.line, pos.column + offset + (1 if pos.style in ("'", '"') else 0)


@functools.cache
def _official_table(model: type[BaseModel]
                    ) -> dict[str, tuple[str, bool, str | None, type[BaseModel] | None]]:
    """Each key Weir reads in `model` -> (the official connector's spelling, read by Weir
    only, why Weir does not use it, the nested model), computed once per model."""
    table = {}
    for name, f in model.model_fields.items():
        key = f.alias or name
        alias = f.validation_alias
        spellings = list(alias.choices) if isinstance(alias, AliasChoices) else [key]
        extra = f.json_schema_extra if isinstance(f.json_schema_extra, dict) else {}
        inner = next(iter(unwrap_models(f.annotation)), None)
        weir_unused = extra.get("weir_unused")
        for k in spellings:
            table[str(k)] = (str(spellings[0]), bool(extra.get("weir_only")),
                             str(weir_unused) if weir_unused else None, inner)
    return table


def _accepts_empty(ctype: ct.ConnectorType) -> bool:
    try:
        ctype.params.model_validate({}, context={"format": "current"})
    except Exception:  # noqa: BLE001 - any failure means parameters are required
        return False
    return True


def _kind(value: Any) -> str:
    if isinstance(value, bool):
        return "a bool"
    if isinstance(value, (int, float)):
        return "a number"
    return "null"


def _secret_dicts(value: Any, path: Path_ = ()) -> list[tuple[Path_, str]]:
    """Every `{secret: {name: X}}` (Fluvio's SecretString reference) with its path."""
    out: list[tuple[Path_, str]] = []
    stack = [(value, path)]
    while stack:
        v, p = stack.pop()
        name = secret_ref_name(v)
        if name is not None:
            out.append((p, name))
        elif isinstance(v, dict):
            stack.extend((vv, (*p, k)) for k, vv in v.items())
        elif isinstance(v, list):
            stack.extend((vv, (*p, i)) for i, vv in enumerate(v))
    return sorted(out)


def _strings(value: Any, path: Path_ = ()) -> list[tuple[str, Path_]]:
    out: list[tuple[str, Path_]] = []
    stack = [(value, path)]
    while stack:
        v, p = stack.pop()
        if isinstance(v, str):
            out.append((v, p))
        elif isinstance(v, dict):
            stack.extend((vv, (*p, k)) for k, vv in v.items())
        elif isinstance(v, list):
            stack.extend((vv, (*p, i)) for i, vv in enumerate(v))
    out.reverse()
    return out


def _finish(analysis: Analysis, diags: list[Diagnostic], strict: bool = False) -> Analysis:
    diags.sort(key=lambda d: (d.line or 0, d.column or 0))
    analysis.report.diagnostics = diags
    analysis.report.valid = not any(
        d.severity == "error" or (strict and d.severity == "warning") for d in diags)
    return analysis


def analyze_text(text: str, path: str = "<text>", *, secrets: SecretsFile | None = None,
                 env: Mapping[str, str] | None = None, check_values: bool = False,
                 strict: bool = False, find_module: ModuleCheck | None = None,
                 note_module: ModuleCheck | None = None) -> Analysis:
    """Validate `text`; `check_values` makes a missing secret value an error, and
    `find_module` (what a module `uses:` names cannot be loaded, or None) makes one an
    error too; `note_module` only notes it (severity info)."""
    analysis = Analysis(FileReport(path, False, None))
    try:
        loaded = load_yaml(text)
    except LoadFailure as exc:
        return _finish(analysis, [exc.diagnostic])
    analysis.loaded = loaded
    fmt = detect_format(loaded.data)
    analysis.format = analysis.report.format = fmt
    if fmt is None:
        keys = ", ".join(f"`{k}`" for k in list(loaded.data)[:5])
        return _finish(analysis, [Diagnostic(
            "error", "unknown-format", f"not a connector config: found {keys}, expected "
            "`apiVersion` and `meta` (current format) or `version`, `name`, `type`, `topic` "
            "(legacy format)", *loaded.pos(()).key_or_value,
            "start from `weir config new http-source`")])
    v = _Validation(loaded, analysis, secrets, env, check_values, find_module, note_module)
    if fmt == "legacy":
        v.legacy()
    else:
        v.current()
    diags = list(v.ck.diagnostics)
    if secrets is not None:
        diags.extend(Diagnostic(d.severity, d.code, d.message, None, None, d.hint)
                     for d in secrets.diagnostics)
    return _finish(analysis, diags, strict)


def validate_text(text: str, path: str = "<text>", *, strict: bool = False) -> FileReport:
    """Validate config text (the editor's buffer); never raises for bad input."""
    return analyze_text(text, path, strict=strict).report


def read_config_text(path: str | Path) -> str:
    """The file's text; LoadFailure for a bad file, OSError when it cannot be read."""
    return decode(read_bytes(path))


def analyze_file(path: str | Path, *, secrets_file: str | Path | None = None,
                 env: Mapping[str, str] | None = None, strict: bool = False,
                 check_values: bool | None = None,
                 find_module: ModuleCheck | None = None,
                 note_module: ModuleCheck | None = None) -> Analysis:
    """Read and validate a file. Raises EnvironmentProblem when it cannot be read."""
    from runtime.config.secrets import read_secrets_file
    from runtime.errors import EnvironmentProblem

    secrets = read_secrets_file(secrets_file) if secrets_file is not None else None
    try:
        text = read_config_text(path)
    except LoadFailure as exc:
        return _finish(Analysis(FileReport(str(path), False, None)), [exc.diagnostic])
    except FileNotFoundError:
        raise EnvironmentProblem(f"{path}: no such file") from None
    except IsADirectoryError:
        raise EnvironmentProblem(f"{path}: is a directory, expected a YAML file") from None
    except OSError as exc:
        raise EnvironmentProblem(f"{path}: cannot read: {exc.strerror}") from None
    if check_values is None:
        check_values = secrets_file is not None or env is not None
    return analyze_text(text, str(path), secrets=secrets, env=env,
                        check_values=check_values, strict=strict, find_module=find_module,
                        note_module=note_module)


def validate_file(path: str | Path, *, secrets_file: str | Path | None = None,
                  env: Mapping[str, str] | None = None, strict: bool = False) -> FileReport:
    """Validate one file. A secrets source (file or env) makes missing values errors."""
    return analyze_file(path, secrets_file=secrets_file, env=env, strict=strict).report


__all__ = ["Analysis", "FileReport", "Diagnostic", "analyze_text", "analyze_file",
           "validate_text", "validate_file", "detect_format", "dotted"]
