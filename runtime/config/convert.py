"""Convert a legacy (`version: 0.3.0`) config to the apiVersion 0.1.0 format.

The rewrite works on the text, guided by the positions of the parsed nodes, so comments
and layout survive: blocks move under `meta:` by re-indenting, `parameters:` becomes the
connector's section, SmartModule parameters become `transforms`. Layouts it cannot
rewrite that way (flow-style mappings and the like) are regenerated from the data,
keeping the file's leading comments. Either way, the result is validated.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any

from runtime.config import connector_types as ct
from runtime.config.diagnostics import Diagnostic
from runtime.config.models import LEGACY_SMARTMODULE_PARAMS
from runtime.config.render import dump_yaml
from runtime.config.validate import Analysis, analyze_text
from runtime.config.yamlpos import Loaded, scalar_text
from runtime.errors import WeirError

_SIMPLE = re.compile(r"^[A-Za-z0-9_./@:+-]+$")
_DROPPED = ("aggregate-initial-value", "rust-log", "fluvio-partition", "on-error")


class ConvertFailed(WeirError):
    """The legacy file has errors (fix them first) or is not a legacy file."""

    def __init__(self, message: str, diagnostics: list[Diagnostic] | None = None,
                 hint: str | None = None) -> None:
        super().__init__(message, hint=hint)
        self.diagnostics = diagnostics or []


@dataclass(slots=True)
class Conversion:
    text: str
    secrets: dict[str, str] = field(default_factory=dict)  # for the secrets file
    notes: list[str] = field(default_factory=list)
    kept_comments: bool = True


@dataclass(slots=True)
class _Plan:
    """What the converted config holds, decided from the data (both rewrites use it)."""

    type_name: str
    kind: str
    section: str
    params: dict[str, Any]  # canonical keys, in file order, without common parameters
    renames: dict[str, str]  # original parameter key -> canonical key
    transforms: list[tuple[str, str]]  # (original key, uses)
    secrets: dict[str, str]
    partition: int | None
    on_error: str | None
    added: dict[str, Any]
    comments: list[str]  # `# ...` lines for what has no apiVersion equivalent
    notes: list[str]


def _uses_text(value: str) -> str:
    return value if _SIMPLE.match(value) else json.dumps(value)


def _replace_secret_values(value: Any, secrets: dict[str, str]) -> Any:
    if isinstance(value, str):
        for name, secret in sorted(secrets.items(), key=lambda kv: -len(kv[1])):
            if len(secret) >= 4 and secret in value:
                value = value.replace(secret, f"${{{{ secrets.{name} }}}}")
        return value
    if isinstance(value, list):
        return [_replace_secret_values(v, secrets) for v in value]
    if isinstance(value, dict):
        return {k: _replace_secret_values(v, secrets) for k, v in value.items()}
    return value


def _plan(a: Analysis) -> _Plan:
    data = a.loaded.data
    raw_params: dict[str, Any] = data.get("parameters") or {}
    ctype = a.ctype
    type_name = a.type_name or scalar_text(data.get("type"))
    kind = ctype.kind if ctype else (data.get("direction") or ct.kind_of(type_name))
    section = ctype.section if ctype else ct.section_of(type_name)
    secrets = {k: scalar_text(v) for k, v in (data.get("secrets") or {}).items()}
    notes: list[str] = []
    comments: list[str] = []
    params: dict[str, Any] = {}
    renames: dict[str, str] = {}
    transforms: list[tuple[str, str]] = []
    partition = None
    on_error = None
    for key, value in raw_params.items():
        if key == "on-error":
            on_error = scalar_text(value)
            continue
        if key in LEGACY_SMARTMODULE_PARAMS:
            transforms.append((key, scalar_text(value)))
            continue
        if key == "fluvio-partition":
            if kind == "sink":
                partition = int(value)
            else:
                comments.append(f"# fluvio-partition: {scalar_text(value)}  (legacy parameter "
                                "with no apiVersion equivalent for a source)")
                notes.append("`fluvio-partition` has no apiVersion equivalent for a source; "
                             "kept as a comment")
            continue
        if key == "rust-log":
            comments.append(f"# rust-log: {scalar_text(value)}  (set RUST_LOG in the "
                            "connector's environment instead)")
            notes.append("`rust-log` became a comment: set RUST_LOG in the environment")
            continue
        if key == "aggregate-initial-value":
            comments.append(f"# aggregate-initial-value: {scalar_text(value)}  (no apiVersion "
                            "equivalent)")
            notes.append("`aggregate-initial-value` has no apiVersion equivalent; kept as a "
                         "comment")
            continue
        canon = key
        if ctype is not None:
            canon, value = ctype.legacy_param(key, value)
        if canon != key:
            renames[key] = canon
            notes.append(f"parameter `{key}` is written `{canon}`")
        if canon == "interval" and scalar_text(value).strip().isdigit():
            value = f"{scalar_text(value).strip()}s"
            notes.append(f"`interval: {scalar_text(raw_params[key])}` (bare seconds) became "
                         f"`interval: {value}`")
        params[canon] = _replace_secret_values(value, secrets)
    added: dict[str, Any] = {}
    for param, env in (ctype.legacy_env if ctype is not None else ()):
        if param not in params and env in secrets:
            added[param] = f"${{{{ secrets.{env} }}}}"
            params[param] = added[param]
            notes.append(f"`{param}` (read from the legacy secret {env}) became "
                         f"`{param}: ${{{{ secrets.{env} }}}}`")
    if len(transforms) > 1:
        notes.append("several SmartModule parameters became a chain of transforms, in file "
                     "order")
    if secrets:
        notes.append("plaintext secrets moved to the secrets file, declared in meta.secrets")
    return _Plan(type_name, kind, section, params, renames, transforms, secrets, partition,
                 on_error, added, comments, notes)


def convert_legacy(text: str, path: str = "<text>") -> Conversion:
    """The apiVersion 0.1.0 form of legacy config `text` (ConvertFailed if invalid)."""
    a = analyze_text(text, path)
    if a.format == "current":
        if a.loaded is not None and "apiVersion" not in a.loaded.data:
            return _add_api_version(text, a, path)
        raise ConvertFailed(f"{path} is already in the apiVersion format",
                            hint="`weir validate` checks it")
    if not a.report.valid or a.loaded is None:
        errors = [d for d in a.report.diagnostics if d.severity == "error"]
        first = errors[0] if errors else None
        where = f"{first.location(path)}: " if first else ""
        raise ConvertFailed(f"{where}{first.message if first else 'invalid config'}",
                            a.report.diagnostics,
                            hint=f"fix the errors first; `weir validate {path}` lists them")
    plan = _plan(a)
    try:
        converted = _rewrite_text(text, a.loaded, plan)
    except _CannotRewrite as exc:
        converted = None
        reason = str(exc)
    else:
        reason = "the text rewrite did not validate"
    if converted is not None and analyze_text(converted, path).report.valid:
        return Conversion(converted, plan.secrets, plan.notes, True)
    regenerated = _regenerate(text, a.loaded, plan)
    check = analyze_text(regenerated, path)
    if not check.report.valid:
        raise ConvertFailed(f"the converted config of {path} does not validate",
                            check.report.diagnostics,
                            hint="please report this with the input file")
    return Conversion(regenerated, plan.secrets,
                      [*plan.notes, f"comments inside the mappings were not kept ({reason})"],
                      False)


def _add_api_version(text: str, a: Analysis, path: str) -> Conversion:
    """A current-format file without apiVersion (Fluvio reads it as 0.0.0): add the line."""
    errors = [d for d in a.report.diagnostics
              if d.severity == "error" and d.code != "missing-api-version"]
    if errors:
        first = errors[0]
        raise ConvertFailed(f"{first.location(path)}: {first.message}",
                            a.report.diagnostics,
                            hint=f"fix the errors first; `weir validate {path}` lists them")
    lines = text.splitlines(keepends=True)
    first_key = min(p.key_line for k, p in a.loaded.positions.items()
                    if len(k) == 1 and p.key_line is not None)
    lines.insert(first_key - 1, "apiVersion: 0.1.0\n")
    converted = "".join(lines)
    if not analyze_text(converted, path).report.valid:
        raise ConvertFailed(f"could not add apiVersion to {path}",
                            hint="add `apiVersion: 0.1.0` as its first line")
    return Conversion(converted, {}, ["added `apiVersion: 0.1.0`: without it Fluvio reads "
                                      "the file as 0.0.0 and ignores meta.secrets"], True)


# -- data-level: regenerate ------------------------------------------------------------

def _leading_comments(text: str) -> str:
    out = []
    for line in text.splitlines(keepends=True):
        if line.strip().startswith("#") or not line.strip():
            out.append(line)
        else:
            break
    return "".join(out)


def _regenerate(text: str, loaded: Loaded, plan: _Plan) -> str:
    d = loaded.data
    meta: dict[str, Any] = {k: d[k] for k in ("version", "name") if k in d}
    meta["type"] = plan.type_name
    meta["topic"] = d.get("topic")
    if plan.secrets:
        meta["secrets"] = [{"name": n} for n in plan.secrets]
    for k in ("producer", "consumer", "create-topic", "create_topic"):
        if k in d:
            meta[k] = d[k]
    if plan.on_error is not None:
        meta["on-error"] = plan.on_error
    if plan.partition is not None:
        consumer = dict(meta.get("consumer") or {})
        consumer.setdefault("partition", plan.partition)
        meta["consumer"] = consumer
    out: dict[str, Any] = {"apiVersion": "0.1.0", "meta": meta}
    if plan.params or "parameters" in d:
        out[plan.section] = plan.params
    if plan.transforms:  # after any the file lists itself (Fluvio 0.10's `transforms:`)
        out["transforms"] = [*(d.get("transforms") or []),
                             *({"uses": uses} for _, uses in plan.transforms)]
    for k, v in d.items():
        if k not in ("version", "name", "type", "topic", "direction", "parameters", "secrets",
                     "producer", "consumer", "create-topic", "create_topic") and not (
                         k == "transforms" and plan.transforms):
            out[k] = v
    body = dump_yaml(out).removeprefix("---\n")
    tail = "".join(f"{c}\n" for c in plan.comments)
    return _leading_comments(text) + body + tail


# -- text-level: rewrite ---------------------------------------------------------------

class _CannotRewrite(Exception):
    pass


def _is_trailing(line: str) -> bool:
    s = line.strip()
    return not s or s.startswith("#")


def _blocks(lines: list[str], starts: list[tuple[str, int]], end: int
            ) -> tuple[dict[str, tuple[list[str], list[str]]], int, list[str]]:
    """key -> (lead comment lines, body lines); plus where the first block starts and
    the trailing lines after the last block."""
    out: dict[str, tuple[list[str], list[str]]] = {}
    bounds = []
    for i, (key, start) in enumerate(starts):
        stop = starts[i + 1][1] if i + 1 < len(starts) else end
        body_end = stop
        while body_end - 1 > start and _is_trailing(lines[body_end - 1]):
            body_end -= 1
        bounds.append((key, start, body_end))
    prev_end = bounds[0][1] if bounds else end
    first = prev_end
    for key, start, body_end in bounds:
        out[key] = (lines[prev_end:start], lines[start:body_end])
        prev_end = body_end
    tail = lines[prev_end:end]
    return out, first, tail


def _indent(lines: list[str], n: int = 2) -> list[str]:
    pad = " " * n
    return [pad + line if line.strip() else line for line in lines]


def _splice(line: str, col: int, end_col: int, new: str) -> str:
    return line[:col] + new + line[end_col:]


def _rewrite_text(text: str, loaded: Loaded, plan: _Plan) -> str:
    d = loaded.data
    pos = loaded.positions
    lines = text.splitlines(keepends=True)
    if lines and not lines[-1].endswith("\n"):
        lines[-1] += "\n"
    doc_end: list[str] = []
    for i, line in enumerate(lines):
        if line.rstrip() == "..." or line.startswith("... "):
            lines, doc_end = lines[:i], lines[i:]  # the document-end marker stays last
            break
    starts = []
    for key in d:
        p = pos.get((key,))
        if p is None or p.key_line is None or p.key_column != 1:
            raise _CannotRewrite("the top-level mapping is not in block style")
        starts.append((key, p.key_line - 1))
    if sorted(s for _, s in starts) != [s for _, s in starts] or \
            len({s for _, s in starts}) != len(starts):
        raise _CannotRewrite("several top-level keys share a line")
    end = len(lines)
    blocks, first, tail = _blocks(lines, starts, end)
    header = lines[:first]
    out: list[str] = list(header)
    out.append("apiVersion: 0.1.0\n")
    out.append("meta:\n")

    def moved(key: str) -> None:
        lead, body = blocks[key]
        out.extend(_indent(lead))
        out.extend(_indent(body))

    for key in ("version", "name"):
        if key in blocks:
            moved(key)
    if "type" in blocks:
        lead, body = blocks["type"]
        p = pos[("type",)]
        if p.line != p.key_line or p.end_line != p.line:
            raise _CannotRewrite("`type` value is not on its key's line")
        first_line = _splice(body[0], p.column - 1, p.end_column - 1, plan.type_name)
        out.extend(_indent(lead))
        out.extend(_indent([first_line, *body[1:]]))
    if "topic" in blocks:
        moved("topic")
    if "secrets" in blocks:
        lead, _ = blocks["secrets"]
        out.extend(_indent(lead))
        out.append("  secrets:\n")
        out.extend(f"    - name: {name}\n" for name in plan.secrets)
    for key in ("producer", "create-topic", "create_topic"):
        if key in blocks:
            moved(key)
    if plan.on_error is not None:
        out.append(f"  on-error: {plan.on_error}\n")
    if "consumer" in blocks:
        moved("consumer")
        if plan.partition is not None and "partition" not in (d.get("consumer") or {}):
            child = next(iter(d.get("consumer") or {}), None)
            cp = pos.get(("consumer", child)) if child else None
            if cp is None or cp.key_line == pos[("consumer",)].key_line:
                raise _CannotRewrite("consumer is not a block mapping")
            out.append(" " * (cp.key_column - 1 + 2) + f"partition: {plan.partition}\n")
    elif plan.partition is not None:
        out.append(f"  consumer:\n    partition: {plan.partition}\n")
    if "direction" in blocks:
        out.extend(blocks["direction"][0])
    transforms_lines: list[str] = []
    if "transforms" in blocks and plan.transforms:
        raise _CannotRewrite("both `transforms:` and SmartModule parameters")
    if "parameters" in blocks:
        out.extend(_section(blocks["parameters"], loaded, plan, transforms_lines))
    for key in blocks:
        if key not in ("version", "name", "type", "topic", "secrets", "producer", "consumer",
                       "create-topic", "create_topic", "direction", "parameters"):
            lead, body = blocks[key]
            out.extend(lead)
            out.extend(body)
    if plan.comments:
        out.extend(f"{c}\n" for c in plan.comments)
    if plan.transforms:
        out.append("transforms:\n")
        out.extend(transforms_lines)
    out.extend(tail)
    out.extend(doc_end)
    return "".join(out)


def _inline_comment(line: str, end_col: int) -> str:
    """The `# ...` after a value on its line, or ''."""
    rest = line[end_col:].rstrip("\n")
    return "  " + rest.strip() if rest.strip().startswith("#") else ""


def _section(block: tuple[list[str], list[str]], loaded: Loaded, plan: _Plan,
             transforms_lines: list[str]) -> list[str]:
    lead, body = block
    pos = loaded.positions
    params: dict[str, Any] = loaded.data.get("parameters") or {}
    ppos = pos[("parameters",)]
    key_line0 = ppos.key_line - 1
    if params and ppos.line == ppos.key_line:
        raise _CannotRewrite("`parameters` is a flow mapping")
    out = list(lead)
    first = body[0]
    out.append(_splice(first, 0, len("parameters"), plan.section))
    if not params:
        return out
    starts = []
    for key in params:
        p = pos[("parameters", key)]
        starts.append((key, p.key_line - 1 - key_line0))
    if sorted(s for _, s in starts) != [s for _, s in starts] or starts[0][1] < 1:
        raise _CannotRewrite("parameters share lines")
    children, child_first, tail = _blocks(body, starts, len(body))
    kept = 0
    out.extend(body[1:child_first])
    for key, (clead, cbody) in children.items():
        if key in LEGACY_SMARTMODULE_PARAMS:
            uses = dict(plan.transforms)[key]
            transforms_lines.extend(_indent([ln.lstrip() if ln.strip() else ln
                                             for ln in clead]))
            p = pos[("parameters", key)]
            comment = _inline_comment(cbody[0], p.end_column - 1) \
                if p.line == p.key_line and p.end_line == p.line else ""
            transforms_lines.append(f"  - uses: {_uses_text(uses)}{comment}\n")
            continue
        if key in _DROPPED:
            out.extend(clead)
            continue
        cbody = list(cbody)
        p = pos[("parameters", key)]
        canon = plan.renames.get(key, key)
        value = plan.params.get(canon)
        raw = params[key]
        if value != raw:
            if p.line != p.key_line or p.end_line != p.line:
                raise _CannotRewrite(f"parameter `{key}` changes but spans lines")
            rel = p.line - 1 - key_line0 - starts[[k for k, _ in starts].index(key)][1]
            if rel != 0:
                raise _CannotRewrite(f"parameter `{key}` value is not on its key's line")
            cbody[0] = _splice(cbody[0], p.column - 1, p.end_column - 1,
                               json.dumps(value) if not isinstance(value, str) or
                               not _SIMPLE.match(value) else value)
        if canon != key:
            col = p.key_column - 1
            cbody[0] = _splice(cbody[0], col, col + len(key), canon)
        out.extend(clead)
        out.extend(cbody)
        kept += 1
    indent = " " * (pos[("parameters", next(iter(params)))].key_column - 1)
    for key, value in plan.added.items():
        out.append(f"{indent}{key}: {json.dumps(value)}\n")
        kept += 1
    out.extend(tail)
    if kept == 0:
        out[len(lead)] = _splice(out[len(lead)], len(plan.section),
                                 len(out[len(lead)].rstrip("\n")), ": {}")
    return out
