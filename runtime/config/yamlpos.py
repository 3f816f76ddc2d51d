"""Safe YAML loading that remembers where every key and value stands.

Composes the document into pyyaml nodes (never constructing arbitrary objects), then
walks them into plain Python data plus a map from each path to its 1-based line and
column. Scalars resolve by YAML 1.2's core schema, as Fluvio's serde_yaml does, so `no`
stays a string and `version: 0.10` keeps its text. Aliases are allowed but their
expansion is bounded, as are file size, nesting depth and node count.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from runtime.config.diagnostics import Diagnostic

MAX_BYTES = 1 << 20  # 1 MiB: connector configs are a few KiB
MAX_NODES = 50_000  # after alias expansion
MAX_DEPTH = 100
# Python refuses to turn longer digit strings into an int (or an int back into text);
# no field takes anything near it, so such a number is an error where it stands.
MAX_INT_DIGITS = 4300
_MAX_INT_BITS = 14_000  # 4,214 decimal digits at most
_EVENT_SCAN_ABOVE = 64 * 1024

_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_Parser = _Loader

Path_ = tuple[str | int, ...]


class LoadFailure(Exception):
    """The text cannot become a config at all; `diagnostic` says where and why."""

    def __init__(self, diagnostic: Diagnostic) -> None:
        super().__init__(diagnostic.message)
        self.diagnostic = diagnostic


@dataclass(frozen=True, slots=True)
class Pos:
    """Where a value stands, and where its key stands (for mapping entries)."""

    line: int
    column: int
    key_line: int | None = None
    key_column: int | None = None
    style: str | None = None  # scalar style: None plain, "'" or '"' quoted, "|" ">" block
    end_line: int | None = None
    end_column: int | None = None

    @property
    def key_or_value(self) -> tuple[int, int]:
        if self.key_line is not None:
            return self.key_line, self.key_column or 1
        return self.line, self.column


class YFloat(float):
    """A YAML float that remembers its text, so `0.10` can still be the string "0.10"."""

    raw: str

    def __new__(cls, value: float, raw: str) -> YFloat:
        obj = super().__new__(cls, value)
        obj.raw = raw
        return obj

    def __reduce__(self):
        return (YFloat, (float(self), self.raw))

    def __deepcopy__(self, memo: dict) -> YFloat:
        return self


@dataclass(slots=True)
class Loaded:
    data: Any
    positions: dict[Path_, Pos]

    def pos(self, path: Path_) -> Pos:
        """The position of `path`, or of its nearest ancestor that exists."""
        p = tuple(path)
        while p not in self.positions and p:
            p = p[:-1]
        return self.positions.get(p, Pos(1, 1))


def _error(code: str, message: str, line: int | None = 1, column: int | None = 1,
           hint: str | None = None) -> LoadFailure:
    return LoadFailure(Diagnostic("error", code, message, line, column, hint))


def line_col_of_offset(text: str, offset: int) -> tuple[int, int]:
    line = text.count("\n", 0, offset) + 1
    col = offset - (text.rfind("\n", 0, offset) + 1) + 1
    return line, col


def read_bytes(path: str | Path) -> bytes:
    """The file's bytes, refusing more than MAX_BYTES without reading them all."""
    p = Path(path)
    with p.open("rb") as fh:
        data = fh.read(MAX_BYTES + 1)
    if len(data) > MAX_BYTES:
        raise _error("file-too-large", f"file is larger than {MAX_BYTES // 1024} KiB; "
                     "a connector config is a few KiB", hint="is this the right file?")
    return data


def decode(data: bytes) -> str:
    """UTF-8 text from bytes, with a located error for NUL bytes and invalid UTF-8."""
    if len(data) > MAX_BYTES:
        raise _error("file-too-large", f"file is larger than {MAX_BYTES // 1024} KiB")
    nul = data.find(b"\x00")
    if nul >= 0:
        line, col = line_col_of_offset(data[:nul].decode("utf-8", "replace"), nul)
        raise _error("nul-byte", "file contains a NUL byte; it looks binary, not YAML",
                     line, col, hint="UTF-16 text also has NUL bytes: save the file as UTF-8")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        before = data[: exc.start].decode("utf-8", "replace")
        line, col = line_col_of_offset(before, len(before))
        raise _error("invalid-utf8", f"invalid UTF-8 (byte 0x{data[exc.start]:02x}): "
                     "YAML config must be UTF-8 text", line, col,
                     hint="re-save the file as UTF-8") from None
    return text.removeprefix("\ufeff")


_CORE_INT = re.compile(r"^[-+]?[0-9]+$|^0o[0-7]+$|^0x[0-9a-fA-F]+$")
_CORE_FLOAT = re.compile(r"^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$")
_CORE_INF = re.compile(r"^[-+]?\.(inf|Inf|INF)$")
_CORE_NAN = re.compile(r"^\.(nan|NaN|NAN)$")
_NULLS = {"", "~", "null", "Null", "NULL"}
_TRUE = {"true", "True", "TRUE"}
_FALSE = {"false", "False", "FALSE"}
_STD_TAG = "tag:yaml.org,2002:"
_SCALAR_TAGS = {"str", "int", "float", "bool", "null", "timestamp", "binary", "value", "merge"}


def _scalar(node: yaml.ScalarNode) -> Any:
    value = node.value
    tag = node.tag or ""
    if tag.startswith(_STD_TAG) and tag[len(_STD_TAG):] not in _SCALAR_TAGS:
        raise _error("yaml-tag", f"YAML tag `{tag}` is not allowed in a connector config",
                     node.start_mark.line + 1, node.start_mark.column + 1,
                     hint="remove the tag; safe loading accepts plain values only")
    if not node.style and (tag.startswith(_STD_TAG) or tag in ("", "?")):
        if value in _NULLS:
            return None
        if value in _TRUE:
            return True
        if value in _FALSE:
            return False
        if _CORE_INT.match(value):
            if len(value) > MAX_INT_DIGITS:
                raise _error("invalid-value", f"a number of {len(value)} digits; no value in a "
                             f"connector config has more than {MAX_INT_DIGITS}",
                             node.start_mark.line + 1, node.start_mark.column + 1,
                             hint="quote it if it is text; otherwise it is a mistake")
            number = (int(value[2:], 8) if value.startswith("0o") else
                      int(value[2:], 16) if value.startswith("0x") else int(value))
            if number.bit_length() > _MAX_INT_BITS:  # 0x...: short text, too many digits
                raise _error("invalid-value", f"a number of more than {MAX_INT_DIGITS} digits; "
                             "no value in a connector config has that many",
                             node.start_mark.line + 1, node.start_mark.column + 1,
                             hint="quote it if it is text; otherwise it is a mistake")
            return number
        if _CORE_FLOAT.match(value) or _CORE_INF.match(value) or _CORE_NAN.match(value):
            return YFloat(float(value.replace(".inf", "inf").replace(".Inf", "inf")
                                .replace(".INF", "inf").lstrip(".") if "inf" in value.lower()
                                or "nan" in value.lower() else value), value)
        return value
    if tag.startswith(_STD_TAG) or tag in ("", "!"):
        return value
    raise _error("yaml-tag", f"YAML tag `{tag}` is not allowed in a connector config",
                 node.start_mark.line + 1, node.start_mark.column + 1,
                 hint="remove the tag; safe loading accepts plain values only")


class _Walker:
    """Nodes -> plain data + positions, with a node budget against alias bombs."""

    def __init__(self) -> None:
        self.positions: dict[Path_, Pos] = {}
        self.budget = MAX_NODES
        self.active: set[int] = set()
        self.seen: set[int] = set()
        self.aliased = False

    def walk(self, node: yaml.Node, path: Path_, key: yaml.Node | None, depth: int) -> Any:
        self.budget -= 1
        if self.budget < 0:
            where = self.positions.get(path[:1]) or Pos(node.start_mark.line + 1,
                                                        node.start_mark.column + 1)
            line, col = where.key_or_value
            if self.aliased:
                raise _error("yaml-too-deep", f"document expands to more than {MAX_NODES} "
                             "values through YAML aliases (an alias bomb?)", line, col,
                             hint="write the values out; a connector config needs no alias "
                             "expansion of this size")
            raise _error("yaml-too-deep", f"document has more than {MAX_NODES} values; a "
                         "connector config is far smaller", line, col,
                         hint="large data (a lookup table, a long spec) belongs in a file "
                         "the SmartModule reads, not in the config")
        if id(node) in self.seen:
            self.aliased = True
        else:
            self.seen.add(id(node))
        if depth > MAX_DEPTH:
            raise _error("yaml-too-deep", f"nesting deeper than {MAX_DEPTH} levels",
                         node.start_mark.line + 1, node.start_mark.column + 1)
        if path not in self.positions:
            self.positions[path] = Pos(
                node.start_mark.line + 1, node.start_mark.column + 1,
                key.start_mark.line + 1 if key is not None else None,
                key.start_mark.column + 1 if key is not None else None,
                (node.style or None) if isinstance(node, yaml.ScalarNode) else None,
                node.end_mark.line + 1,
                node.end_mark.column + 1,
            )
        if isinstance(node, yaml.ScalarNode):
            return _scalar(node)
        if node.tag not in (_STD_TAG + "map", _STD_TAG + "seq", _STD_TAG + "omap"):
            raise _error("yaml-tag", f"YAML tag `{node.tag}` is not allowed in a connector "
                         "config", node.start_mark.line + 1, node.start_mark.column + 1,
                         hint="remove the tag; safe loading accepts plain values only")
        if id(node) in self.active:
            raise _error("yaml-too-deep", "recursive YAML alias (a value contains itself)",
                         node.start_mark.line + 1, node.start_mark.column + 1)
        self.active.add(id(node))
        try:
            if isinstance(node, yaml.SequenceNode):
                return [self.walk(item, (*path, i), None, depth + 1)
                        for i, item in enumerate(node.value)]
            return self._mapping(node, path, depth)
        finally:
            self.active.discard(id(node))

    def _mapping(self, node: yaml.MappingNode, path: Path_, depth: int) -> dict[str, Any]:
        out: dict[str, Any] = {}
        seen: dict[str, yaml.Node] = {}
        merges: list[yaml.Node] = []
        for key_node, value_node in node.value:
            if key_node.tag == _STD_TAG + "merge" and isinstance(key_node, yaml.ScalarNode):
                merges.append(value_node)
                continue
            if not isinstance(key_node, yaml.ScalarNode):
                raise _error("yaml-syntax", "a mapping key must be a plain value, not a list "
                             "or mapping", key_node.start_mark.line + 1,
                             key_node.start_mark.column + 1)
            key = key_node.value
            if key in seen:
                first = seen[key]
                raise _error("duplicate-key", f"duplicate key `{key}`",
                             key_node.start_mark.line + 1, key_node.start_mark.column + 1,
                             hint=f"first defined at line {first.start_mark.line + 1}; "
                             "YAML keeps only one of them: remove or merge the other")
            seen[key] = key_node
            out[key] = self.walk(value_node, (*path, key), key_node, depth + 1)
        for merge in merges:
            sources = merge.value if isinstance(merge, yaml.SequenceNode) else [merge]
            for src in sources:
                if not isinstance(src, yaml.MappingNode):
                    raise _error("yaml-syntax", "`<<` merges mappings only",
                                 src.start_mark.line + 1, src.start_mark.column + 1)
                merged = self._mapping(src, path + ("<<",), depth + 1)
                for k, v in merged.items():
                    if k not in out:
                        out[k] = v
                        for p, pos in list(self.positions.items()):
                            if p[: len(path) + 2] == (*path, "<<", k):
                                self.positions.setdefault((*path, k, *p[len(path) + 2:]), pos)
        return out


def _count_events(text: str) -> None:
    """Stream the events of a large text to bound node count before composing it."""
    count = 0
    for event in yaml.parse(text, Loader=_Parser):
        count += 1
        if count > 2 * MAX_NODES:
            mark = event.start_mark
            raise _error("yaml-too-deep", f"document has more than {MAX_NODES} values; a "
                         "connector config is far smaller", mark.line + 1, mark.column + 1)


def load_yaml(text: str, *, mapping_only: bool = True) -> Loaded:
    """Parse one YAML document with positions; raise LoadFailure with a located error.
    A connector config must be a mapping; `mapping_only=False` takes any document."""
    if len(text) > MAX_BYTES:
        raise _error("file-too-large", f"text is larger than {MAX_BYTES // 1024} KiB")
    nul = text.find("\x00")
    if nul >= 0:
        line, col = line_col_of_offset(text, nul)
        raise _error("nul-byte", "text contains a NUL character; it looks binary, not YAML",
                     line, col)
    text = text.removeprefix("\ufeff")
    try:
        if len(text) > _EVENT_SCAN_ABOVE:
            _count_events(text)
        loader = _Loader(text)
        try:
            node = loader.get_single_node()
        finally:
            loader.dispose()
    except LoadFailure:
        raise
    except yaml.reader.ReaderError as exc:
        line, col = line_col_of_offset(text, exc.position)
        raise _error("yaml-syntax", f"character {exc.character!r} is not allowed in YAML",
                     line, col) from None
    except yaml.composer.ComposerError as exc:
        mark = exc.problem_mark
        if "another document" in str(exc.problem) or "single document" in str(exc.context):
            raise _error("multiple-documents", "more than one YAML document in the file; a "
                         "connector config is one document", mark.line + 1, mark.column + 1,
                         hint="remove the second `---` and what follows, or split the "
                         "file") from None
        raise _error("yaml-syntax", exc.problem or str(exc), mark.line + 1 if mark else 1,
                     mark.column + 1 if mark else 1) from None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        problem = exc.problem or "invalid YAML"
        hint = None
        if "nesting" in problem:
            raise _error("yaml-too-deep", problem, mark.line + 1, mark.column + 1) from None
        if "\t" in text and ("tab" in problem or "cannot start any token" in problem):
            hint = "YAML indentation uses spaces, not tabs"
        elif "mapping values are not allowed" in problem:
            hint = "a value containing ': ' must be quoted, or a key is mis-indented"
        context = f" ({exc.context})" if exc.context else ""
        raise _error("yaml-syntax", f"{problem}{context}", mark.line + 1 if mark else 1,
                     mark.column + 1 if mark else 1, hint=hint) from None
    except RecursionError:
        raise _error("yaml-too-deep", "nesting too deep") from None
    except yaml.YAMLError as exc:
        raise _error("yaml-syntax", str(exc)) from None
    if node is None:
        raise _error("empty-file", "file is empty: no YAML document",
                     hint="start from `weir config new http-source`")
    walker = _Walker()
    data = walker.walk(node, (), None, 0)
    if mapping_only and not isinstance(data, dict):
        kind = "a list" if isinstance(data, list) else f"a single value ({data!r:.40})"
        raise _error("not-a-mapping", f"the document is {kind}, expected a mapping of keys "
                     "like `apiVersion:` and `meta:`", node.start_mark.line + 1,
                     node.start_mark.column + 1,
                     hint="a connector config starts with `apiVersion: 0.1.0` and `meta:`")
    return Loaded(data, walker.positions)


def plain(value: Any) -> Any:
    """Data with YFloat turned back into float, for dumping and JSON."""
    if isinstance(value, YFloat):
        return float(value)
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [plain(v) for v in value]
    return value


def scalar_text(value: Any) -> str:
    """A scalar as serde_yaml would read it into a String field."""
    if isinstance(value, YFloat):
        return value.raw
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return ""
    return str(value)
