"""Every hint that names a `weir` command is one the CLI parser accepts.

The strings come from the source itself (string literals and f-strings, docstrings left
out), so a hint added tomorrow is checked too. A command is the text of a backtick span
that starts with `weir `, or, outside backticks, `weir` followed by one of its commands up
to the end of the sentence. An f-string's `{expression}` becomes a plausible value, and
upper-case words (FILE, NAME) are placeholders: their values are not type-checked, but the
command path, every option's existence and arity, and the number of arguments are.
"""

from __future__ import annotations

import ast
import re
import shlex
from pathlib import Path

import click
import pytest

from tests.conftest import REPO
from tui.cli.main import COMMANDS, cli

SOURCES = ("runtime", "smartmodules", "tui")
PLACEHOLDER = "x1"  # what an f-string's {expression} stands for
_BACKTICKED = re.compile(r"`(weir [^`]+)`")
_BARE = re.compile(r"\bweir ((?:" + "|".join(COMMANDS) + r")\b[^`;|()]*)")


def _docstrings(tree: ast.AST) -> set[int]:
    ids = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)):
            body = node.body
            if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
                ids.add(id(body[0].value))
    return ids


def _text(node: ast.AST) -> str | None:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.JoinedStr):
        return "".join(v.value if isinstance(v, ast.Constant) else PLACEHOLDER
                       for v in node.values)
    return None


def _strings(path: Path) -> list[tuple[str, int]]:
    """Each string of the file with its line; adjacent literals are already one node, and
    a `+` of strings is joined too (hints are often split that way)."""
    tree = ast.parse(path.read_text(), str(path))
    skip = _docstrings(tree)
    found, inside = [], set()
    for node in ast.walk(tree):
        if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add) and id(node) not in inside:
            parts = _flatten(node)
            texts = [_text(p) for p in parts]
            if all(t is not None for t in texts):
                inside.update(id(p) for p in parts)
                inside.update(id(n) for n in ast.walk(node))
                found.append(("".join(texts), node.lineno))
        if id(node) in skip or id(node) in inside:
            continue
        if isinstance(node, ast.JoinedStr):
            inside.update(id(v) for v in node.values)
        text = _text(node)
        if text is not None:
            found.append((text, node.lineno))
    return found


def _flatten(node: ast.AST) -> list[ast.AST]:
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        return _flatten(node.left) + _flatten(node.right)
    return [node]


def commands_in(text: str) -> list[str]:
    spans = _BACKTICKED.findall(text)
    rest = _BACKTICKED.sub(" ", text)
    for match in _BARE.finditer(rest):
        # a sentence's prose after the command: cut at "  or  ", ", then", "; "
        command = re.split(r"\s{2,}|,\s| or | and | then |\.\s|\.$", match.group(0))[0]
        spans.append(command)
    return [s.strip() for s in spans]


def collected() -> list[tuple[str, str]]:
    out = []
    for root in SOURCES:
        for path in sorted((REPO / root).rglob("*.py")):
            for text, line in _strings(path):
                if "weir " not in text:
                    continue
                for command in commands_in(text):
                    out.append((f"{path.relative_to(REPO)}:{line}", command))
    return out


# Lines the daemon logs about itself: prose that starts with the program's name.
PROSE = {"weir cluster x1 listening on 127.0.0.1:x1", "weir cluster stopped"}
HINTS = [(where, command) for where, command in collected() if command not in PROSE]


def _is_placeholder(word: str) -> bool:
    return word == PLACEHOLDER or bool(re.fullmatch(r"[A-Z][A-Z0-9_]*(=\S*)?|\.\.\.", word))


def check_command(command: str) -> None:
    """Raise click.UsageError (or AssertionError) when the CLI would refuse its shape."""
    words = shlex.split(command.replace("...", ""))
    assert words[0] == "weir"
    words = [w for w in words[1:] if w != "|"]
    ctx = click.Context(cli, info_name="weir")
    group: click.Command = cli
    while isinstance(group, click.Group):
        if not words:
            return  # `weir connector`: a group alone shows its help
        if words[0].startswith("-"):  # `weir --help`, `weir -V`
            group.make_parser(ctx).parse_args(list(words))
            return
        name = words.pop(0)
        sub = group.get_command(ctx, name)
        if sub is None:
            raise click.UsageError(f"no command `{name}` in `{group.name}`")
        group, ctx = sub, click.Context(sub, info_name=name, parent=ctx)
    parser = group.make_parser(ctx)
    opts, extra, _ = parser.parse_args(list(words))
    if extra and not group.allow_extra_args:
        raise click.UsageError(f"unexpected arguments {extra}")
    for param in group.params:
        value = opts.get(param.name)
        if value is None or isinstance(param.type, (click.Path, click.File)):
            continue
        values = value if isinstance(value, (list, tuple)) else [value]
        for item in values:
            if isinstance(item, str) and not _is_placeholder(item):
                param.type.convert(item, param, ctx)


def test_the_collector_finds_hints():
    commands = [c for _, c in HINTS]
    assert len(commands) > 40
    assert any(c.startswith("weir connector delete") for c in commands)


@pytest.mark.parametrize(("where", "command"), HINTS, ids=[f"{w} {c}" for w, c in HINTS])
def test_hint_command_parses(where, command):
    try:
        check_command(command)
    except (click.UsageError, click.BadParameter) as exc:
        pytest.fail(f"{where}: `{command}` is refused by the CLI: {exc.format_message()}")


@pytest.mark.parametrize("command", [
    "weir conector list", "weir connector run --no-such-flag x", "weir topic create a b c",
    "weir smartmodule test x --time-limit forever", "weir consume t --partition one",
])
def test_the_check_refuses_what_the_cli_refuses(command):
    with pytest.raises((click.UsageError, click.BadParameter)):
        check_command(command)
