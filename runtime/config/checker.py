"""Run a pydantic model against positioned YAML and turn its errors into diagnostics.

Every error lands on the line and column of what is wrong: the value for a bad value,
the key for an unknown key, the mapping that lacks a missing field.
"""

from __future__ import annotations

import copy
import difflib
import re
import typing
from typing import Any

from pydantic import BaseModel, ValidationError

from runtime.config.diagnostics import CODES, Diagnostic, Severity
from runtime.config.fields import describe_value
from runtime.config.yamlpos import Loaded, Path_

_WRONG_TYPE = {
    "string_type": "a string", "int_type": "an integer", "int_parsing": "an integer",
    "int_from_float": "an integer", "float_type": "a number", "float_parsing": "a number",
    "bool_type": "true or false", "bool_parsing": "true or false", "list_type": "a list",
    "dict_type": "a mapping", "model_type": "a mapping", "model_attributes_type": "a mapping",
    "none_required": "nothing",
}


def dotted(path: Path_) -> str:
    out = ""
    for part in path:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += ("." if out else "") + str(part)
    return out


def did_you_mean(word: str, candidates: typing.Iterable[str]) -> str | None:
    """The closest candidate, counting `-`/`_` and case differences as no difference."""
    cands = [c for c in candidates if c]
    norm = word.replace("-", "_").lower()
    for c in cands:
        if c.replace("-", "_").lower() == norm:
            return c
    close = difflib.get_close_matches(word, cands, n=1, cutoff=0.6)
    if not close:
        close = difflib.get_close_matches(norm, [c.replace("-", "_").lower() for c in cands],
                                          n=1, cutoff=0.6)
        if close:
            return next(c for c in cands if c.replace("-", "_").lower() == close[0])
    return close[0] if close else None


def field_keys(model: type[BaseModel]) -> list[str]:
    return [f.alias or n for n, f in model.model_fields.items()]


def unwrap_models(annotation: Any) -> list[Any]:
    """The model classes reachable through Optional/list/dict/Annotated wrappers."""
    origin = typing.get_origin(annotation)
    if origin is typing.Annotated:
        return unwrap_models(typing.get_args(annotation)[0])
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return [annotation]
    out = []
    for arg in typing.get_args(annotation):
        out.extend(unwrap_models(arg))
    return out


def model_at(model: type[BaseModel], loc: tuple) -> type[BaseModel] | None:
    """The nested model class that validates the mapping at `loc` under `model`."""
    current: type[BaseModel] | None = model
    for part in loc:
        if current is None:
            return None
        if isinstance(part, int):
            continue
        field = next((f for n, f in current.model_fields.items() if (f.alias or n) == part),
                     None)
        if field is None:
            # a dict value's key, or a union tag: stay on this model
            continue
        models = unwrap_models(field.annotation)
        current = models[0] if models else None
    return current


class Checker:
    """Collects diagnostics for one file, locating them through `loaded.positions`."""

    def __init__(self, loaded: Loaded, places: dict[str, list[str]] | None = None,
                 place_hints: dict[str, str] | None = None) -> None:
        self.loaded = loaded
        self.diagnostics: list[Diagnostic] = []
        self.places = places or {}
        self.place_hints = place_hints or {}
        self.lax = False

    # -- positions -----------------------------------------------------------------
    def at(self, path: Path_, where: str = "value") -> tuple[int, int]:
        path = tuple(path)
        pos = self.loaded.positions.get(path)
        if where == "parent" or pos is None:
            # a missing field: point at the mapping that lacks it (its key if it has one)
            p = path
            while p not in self.loaded.positions and p:
                p = p[:-1]
            pos = self.loaded.positions.get(p)
            if pos is None:
                return 1, 1
            return pos.key_or_value
        if where == "key":
            return pos.key_or_value
        return pos.line, pos.column

    def add(self, severity: Severity, code: str, message: str, path: Path_ = (),
            where: str = "value", hint: str | None = None,
            at: tuple[int, int] | None = None) -> None:
        assert code in CODES, code
        line, col = at or self.at(path, where)
        self.diagnostics.append(Diagnostic(severity, code, message, line, col, hint))

    # -- models --------------------------------------------------------------------
    def model(self, model: type[BaseModel], data: Any, path: Path_,
              context: dict | None = None) -> BaseModel | None:
        """Validate `data` (found at `path`) with `model`; report errors; return the
        instance when only unknown keys (warnings) were wrong, else None.

        Strict (as serde is) unless `self.lax`: `stream: "yes"` or `count: "10"` is not
        a bool or a number. The legacy format is lax: Fluvio passed its parameters as
        command-line strings."""
        strict = not self.lax
        context = ({"format": "legacy" if self.lax else "current"} if context is None
                   else {"format": "legacy" if self.lax else "current", **context})
        try:
            return model.model_validate(data, context=context, strict=strict)
        except ValidationError as exc:
            errors = exc.errors(include_url=False)
        extras: list[tuple] = []
        for err in errors:
            loc = tuple(err["loc"])
            if err["type"] == "extra_forbidden":
                extras.append(loc)
                self.unknown_key(model, path, loc)
            else:
                self._error(model, path, loc, err)
        if len(extras) != len(errors):
            return None
        stripped = copy.deepcopy(data)
        for loc in extras:
            target = stripped
            for part in loc[:-1]:
                target = target[part]
            target.pop(loc[-1], None)
        try:
            return model.model_validate(stripped, context=context, strict=strict)
        except ValidationError:
            return None

    def unknown_key(self, model: type[BaseModel] | None, path: Path_, loc: tuple,
                    candidates: list[str] | None = None) -> None:
        key = str(loc[-1])
        parent = (*path, *loc[:-1])
        if candidates is None:
            inner = model_at(model, loc[:-1]) if model is not None else None
            candidates = field_keys(inner) if inner is not None else []
        full = (*parent, key)
        where_here = dotted(tuple(p for p in parent if not isinstance(p, int)))
        places = [p for p in self.places.get(key, []) if p != where_here
                  and not (p.endswith("[]") and p[:-2] == where_here)]
        here = f"`{dotted(parent)}`" if parent else "the top level"
        if places and key not in candidates:
            special = self.place_hints.get(key)
            self.add("warning", "misplaced-key",
                     f"`{key}` does not belong in {here}, it belongs under "
                     + " or ".join(f"`{p}`" for p in places[:2])
                     + "; Fluvio ignores it here",
                     full, "key", hint=special or f"move `{key}` under "
                     f"`{places[0]}`")
            return
        guess = did_you_mean(key, candidates)
        hint = f"did you mean `{guess}`?" if guess else (
            "valid keys here: " + ", ".join(f"`{c}`" for c in candidates) if candidates
            else None)
        if self.lax and parent == ("parameters",):
            # legacy parameters become `--key=value` flags, and the connector's flag parser
            # refuses one it does not know: nothing is silently ignored here
            flag = key.replace("_", "-")
            self.add("warning", "unknown-key", f"unknown parameter `{key}`: the legacy "
                     f"connector receives it as `--{flag}` and refuses to start on a flag it "
                     "does not know", full, "key", hint=hint)
            return
        self.add("warning", "unknown-key", f"unknown key `{key}` in {here}; Fluvio ignores it",
                 full, "key", hint=hint)

    def _error(self, model: type[BaseModel], path: Path_, loc: tuple, err: dict) -> None:
        etype = err["type"]
        # drop pydantic's internal markers (function-after[...], union tags)
        loc = tuple(p for p in loc if isinstance(p, int) or not re.match(
            r"^(function-|[a-z_]+\[|constrained-|lax-|json-or-python)", str(p)))
        full = (*path, *loc)
        key = next((str(p) for p in reversed(loc) if isinstance(p, str)), None)
        label = f"`{dotted(full)}`" if full else "the document"
        given = err.get("input")
        if etype == "missing":
            parent = full[:-1]
            where = f" in `{dotted(parent)}`" if parent else ""
            inner = model_at(model, loc[:-1])
            desc = None
            if inner is not None:
                f = next((f for n, f in inner.model_fields.items() if (f.alias or n) == key),
                         None)
                desc = f.description if f else None
            self.add("error", "missing-field", f"missing field `{key}`{where}", full,
                     "parent", hint=f"add `{key}:` ({desc})" if desc else f"add `{key}:`")
            return
        if etype in CODES:
            where = "parent" if not loc or isinstance(given, dict) and etype == "missing-field" \
                else "value"
            msg = err["msg"]
            prefix = f"{label}: " if loc else (f"`{dotted(path)}`: " if path else "")
            self.add("error", etype, prefix + msg, full, where,
                     hint=err.get("ctx", {}).get("hint"))
            return
        if etype == "literal_error":
            expected = re.findall(r"'([^']*)'", str(err.get("ctx", {}).get("expected", "")))
            got = given if isinstance(given, str) else describe_value(given)
            self.add("error", "invalid-enum",
                     f"{label}: unknown variant `{got}`, expected one of "
                     + ", ".join(f"`{e}`" for e in expected), full,
                     hint=(f"did you mean `{did_you_mean(str(given), expected)}`?"
                           if isinstance(given, str) and did_you_mean(str(given), expected)
                           else None))
            return
        if etype in _WRONG_TYPE:
            self.add("error", "wrong-type",
                     f"{label} must be {_WRONG_TYPE[etype]}, got {describe_value(given)}",
                     full, hint=_type_hint(etype, given))
            return
        bounds = {"greater_than_equal": ("≥", "ge"), "greater_than": (">", "gt"),
                  "less_than_equal": ("≤", "le"), "less_than": ("<", "lt")}
        if etype in bounds:
            sign, key_ = bounds[etype]
            limit = err.get("ctx", {}).get(key_)
            self.add("error", "invalid-value",
                     f"{label} must be {sign} {limit}, got {describe_value(given)}", full)
            return
        self.add("error", "invalid-value", f"{label}: {err['msg']}", full)


def _type_hint(etype: str, given: Any) -> str | None:
    if isinstance(given, str) and etype.split("_")[0] in ("int", "float", "bool"):
        return f"write `{given}` without quotes" if given in ("true", "false") or \
            given.lstrip("-").replace(".", "", 1).isdigit() else \
            ("write true or false" if etype.startswith("bool") else None)
    if etype in ("list_type",) and isinstance(given, str):
        return "write a list: one `- item` per line, or [a, b]"
    if etype == "string_type" and isinstance(given, (int, float)) and not isinstance(given, bool):
        return f'quote it: "{describe_value(given)[len("the number `"):-1]}" (Fluvio reads an ' \
            "unquoted number as a number, not a string)"
    if etype == "string_type" and isinstance(given, (dict, list)):
        return "quote the value if it contains `: ` or starts with `[` or `{`"
    return None
