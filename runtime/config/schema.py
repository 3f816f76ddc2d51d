"""JSON Schema of both config formats (for yaml-language-server) and of each installed
connector type's parameters, plugins' included (for the TUI's completion)."""

from __future__ import annotations

import copy
from typing import Any, Literal

from pydantic import BaseModel

from runtime.config import connector_types as ct
from runtime.config.models import CurrentConfig, LegacyCommon, LegacyConfig, TopicConfig

SCHEMA_ID = "https://weir.invalid/schema/connector-{format}.json"


def _schema(model: type[BaseModel], defs: dict[str, Any]) -> dict[str, Any]:
    """The model's schema with its `$defs` hoisted into `defs`."""
    schema = model.model_json_schema(by_alias=True, ref_template="#/$defs/{model}")
    defs.update(schema.pop("$defs", {}))
    return schema


def type_schema(type_name: str) -> dict[str, Any]:
    """A built-in type's parameter schema, self-contained (KeyError if unknown)."""
    ctype = ct.lookup(type_name, legacy=type_name in ct.legacy_types())
    if ctype is None:
        raise KeyError(type_name)
    defs: dict[str, Any] = {}
    schema = _schema(ctype.params, defs)
    if defs:
        schema["$defs"] = defs
    return schema


def connector_types() -> list[dict[str, Any]]:
    """Every built-in type: names in both formats, kind, section, summary, parameters.

    Each parameter lists its key, JSON type, default, description and allowed values, so
    the editor can complete keys and values without reading JSON Schema.
    """
    out = []
    for ctype in ct.types().values():
        schema = type_schema(ctype.name)
        required = set(schema.get("required", []))
        secrets = set(ct.secret_keys(ctype.name))
        params = []
        for key, prop in schema.get("properties", {}).items():
            params.append({
                "key": key,
                "required": key in required,
                "default": prop.get("default"),
                "description": prop.get("description"),
                "enum": _enum(prop),
                "secret": key in secrets,
                "schema": prop,
            })
        out.append({"type": ctype.name, "legacy_type": ctype.legacy, "kind": ctype.kind,
                    "runnable": ctype.runnable, "from": ctype.origin,
                    "section": ctype.section, "summary": ctype.summary,
                    "parameters": params, "schema": schema})
    return out


def _enum(prop: dict[str, Any]) -> list[Any] | None:
    if "enum" in prop:
        return list(prop["enum"])
    for option in prop.get("anyOf", []):
        if "enum" in option:
            return list(option["enum"])
    return None


def _merged(*schemas: dict[str, Any]) -> dict[str, Any]:
    """One object schema with the properties of all (each alone forbids the others')."""
    props: dict[str, Any] = {}
    required: list[str] = []
    for s in schemas:
        props.update(s.get("properties", {}))
        required.extend(s.get("required", []))
    return {"type": "object", "properties": props, "required": required,
            "additionalProperties": False}


def config_schema(format: Literal["current", "legacy"] = "current") -> dict[str, Any]:
    """JSON Schema (draft 2020-12) of a whole config file in `format`."""
    defs: dict[str, Any] = {}
    if format == "legacy":
        root = _schema(LegacyConfig, defs)
        common = _schema(LegacyCommon, defs)
        branches = []
        for ctype in ct.types().values():
            params = _merged(common, _schema(ctype.params, defs))
            branches.append({"if": {"properties": {"type": {"const": ctype.legacy}},
                                    "required": ["type"]},
                             "then": {"properties": {"parameters": params}}})
        root["allOf"] = branches
        root["title"] = "Fluvio connector config (legacy, version 0.3.0)"
    else:
        root = _schema(CurrentConfig, defs)
        branches = []
        sections: dict[str, list[dict[str, Any]]] = {}
        for ctype in ct.types().values():
            params = _schema(ctype.params, defs)
            defs[ctype.params.__name__] = copy.deepcopy(params)
            sections.setdefault(ctype.section, []).append(
                {"$ref": f"#/$defs/{ctype.params.__name__}"})
            branches.append({
                "if": {"properties": {"meta": {"properties": {"type": {"const": ctype.name}},
                                               "required": ["type"]}},
                       "required": ["meta"]},
                "then": {"properties": {ctype.section: {"$ref":
                                                        f"#/$defs/{ctype.params.__name__}"}},
                         "required": [ctype.section]}})
        root.setdefault("properties", {})
        for section, refs in sections.items():
            root["properties"][section] = refs[0] if len(refs) == 1 else {"anyOf": refs}
        root["allOf"] = branches
        root["required"] = ["apiVersion", "meta"]
        root["title"] = "Fluvio connector config (apiVersion 0.1.0 / 0.2.0)"
        meta_props = defs.get("Meta", {}).get("properties", {})
        if "type" in meta_props:
            meta_props["type"]["examples"] = list(ct.types())
        if "topic" in meta_props:
            defs["TopicConfig"] = _schema(TopicConfig, defs)
            meta_props["topic"]["anyOf"][1] = {"$ref": "#/$defs/TopicConfig"}
    root["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    root["$id"] = SCHEMA_ID.format(format=format)
    root["$defs"] = defs
    return root
