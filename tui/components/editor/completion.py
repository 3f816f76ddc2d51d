"""Key completion for the editor from the config formats' JSON Schema.

The path to the cursor comes from indentation alone (the buffer is often invalid YAML
while typing); the keys valid there come from runtime.config.schema.config_schema.
"""

from __future__ import annotations

import re
from functools import cache
from typing import Any

_PARTIAL = re.compile(r"^(\s*)(- +)?([A-Za-z_][\w.-]*)$")
_KEY_LINE = re.compile(r"^(\s*)(- +)?([A-Za-z_][\w.-]*)\s*:")


def _schema(fmt: str) -> dict[str, Any]:
    from runtime.config import connector_types as ct

    # keyed by the installed types: a plugin installed meanwhile gets its keys completed
    return _schema_for(fmt, tuple(ct.types()))


@cache
def _schema_for(fmt: str, types: tuple[str, ...]) -> dict[str, Any]:
    from runtime.config.schema import config_schema

    return config_schema(fmt)  # type: ignore[arg-type]


def _resolve(node: dict[str, Any], root: dict[str, Any]) -> list[dict[str, Any]]:
    """The object schemas a node may be: $ref followed, anyOf/oneOf/allOf flattened."""
    if "$ref" in node:
        name = node["$ref"].rsplit("/", 1)[-1]
        return _resolve(root.get("$defs", {}).get(name, {}), root)
    out = [node]
    for key in ("anyOf", "oneOf", "allOf"):
        for option in node.get(key, []):
            out.extend(_resolve(option, root))
    return out


def _child(nodes: list[dict[str, Any]], key: str | None, root: dict[str, Any]
           ) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = []
    for node in nodes:
        target = node.get("items") if key is None else node.get("properties", {}).get(key)
        if isinstance(target, dict):
            found.extend(_resolve(target, root))
    return found


def keys_at(path: list[str | None], fmt: str) -> list[str]:
    """Keys valid at `path` (None steps into a list item), in schema order."""
    root = _schema(fmt)
    nodes = _resolve(root, root)
    for step in path:
        nodes = _child(nodes, step, root)
    keys: list[str] = []
    for node in nodes:
        for key in node.get("properties", {}):
            if key not in keys:
                keys.append(key)
    return keys


def path_to(lines: list[str], row: int, indent: int, in_item: bool) -> list[str | None]:
    """The keys enclosing column `indent` of line `row`, from indentation alone; None
    stands for a list item (`- key: ...`)."""
    path: list[str | None] = []
    current = indent
    if in_item:  # the cursor's key starts a new list item: the list sits at the dash
        path.insert(0, None)
        current = len(lines[row]) - len(lines[row].lstrip())
    for line in reversed(lines[:row]):
        if current == 0:
            break
        match = _KEY_LINE.match(line)
        if not match:
            continue
        dash_col = len(match.group(1))
        key_col = dash_col + len(match.group(2) or "")
        if match.group(2) and key_col <= current:
            if key_col < current:
                path.insert(0, match.group(3))
            path.insert(0, None)
            current = dash_col
        elif not match.group(2) and key_col < current:
            path.insert(0, match.group(3))
            current = key_col
    return path


def suggest(lines: list[str], row: int, column: int) -> str:
    """The rest of the key being typed at (row, column), with `: `; "" when none fits."""
    if row >= len(lines):
        return ""
    line = lines[row]
    if line[column:].strip():
        return ""
    match = _PARTIAL.match(line[:column])
    if not match:
        return ""
    indent = len(match.group(1)) + len(match.group(2) or "")
    partial = match.group(3)
    fmt = "legacy" if any(re.match(r"^(version|type)\s*:", ln) for ln in lines) and not any(
        ln.startswith("apiVersion") for ln in lines) else "current"
    path = path_to(lines, row, indent, bool(match.group(2)))
    siblings = _siblings(lines, row, indent, bool(match.group(2)))
    for key in keys_at(path, fmt):
        if key.startswith(partial) and key != partial and key not in siblings:
            return key[len(partial):] + ": "
    return ""


def _siblings(lines: list[str], row: int, indent: int, starts_item: bool) -> set[str]:
    """Keys already in the mapping the cursor's key belongs to (not to offer again)."""
    keys: set[str] = set()
    for step in (-1, 1):
        r = row + step
        while 0 <= r < len(lines):
            line = lines[r]
            r += step
            if not line.strip():
                continue
            match = _KEY_LINE.match(line)
            lead = len(line) - len(line.lstrip())
            if match:
                key_col = len(match.group(1)) + len(match.group(2) or "")
                if match.group(2) and key_col == indent:  # where an item starts
                    if step == -1 and not starts_item:
                        keys.add(match.group(3))  # the first key of our own item
                    break
                if key_col == indent:
                    keys.add(match.group(3))
            if lead < indent:
                break
    return keys
