"""Checking `keymap:` in tui.yaml before it is applied: every binding id must exist and
every key name must be one the terminal can send, else the user is told, with a guess,
instead of a remap that silently does nothing."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from textual.keys import KEY_ALIASES, Keys, _character_to_key

from runtime.config.checker import did_you_mean

MODIFIERS = ("ctrl", "shift", "alt", "meta", "super", "hyper")
_NAMES = ({k.value.split("+")[-1] for k in Keys} | set(KEY_ALIASES)
          | {_character_to_key(chr(c)) for c in range(33, 127)} | {"space", "tab", "enter"})
_CHARS = {chr(c) for c in range(33, 127)}


def key_problem(key: str) -> str | None:
    """Why `key` (one key, e.g. `ctrl+shift+f5`, `G`, `question_mark`) is no key; None if
    it is one."""
    *mods, base = key.strip().split("+") if key.strip() else [""]
    bad = [m for m in mods if m.lower() not in MODIFIERS]
    if bad:
        return (f"`{bad[0]}` is not a modifier (use {', '.join(MODIFIERS[:3])} or "
                f"{MODIFIERS[3]})")
    if base in _CHARS or base in _NAMES:
        return None
    if base.lower() in _NAMES:
        return f"`{base}`: key names are lower case, `{base.lower()}`"
    guess = did_you_mean(base.lower(), _NAMES)
    return f"`{base}` is no key name" + (f"; did you mean `{guess}`?" if guess else "")


def keymap_problems(keymap: Mapping[str, str], known_ids: Iterable[str]) -> list[str]:
    """One sentence per unknown binding id or key name, in the file's order."""
    known = sorted(set(known_ids))
    problems = []
    for binding_id, keys in keymap.items():
        if binding_id not in known:
            guess = did_you_mean(binding_id, known)
            problems.append(f"keymap: no binding has the id `{binding_id}`"
                            + (f"; did you mean `{guess}`?" if guess else
                               " (F1 lists every binding with its id)"))
            continue
        for key in str(keys).split(","):
            reason = key_problem(key)
            if reason:
                problems.append(f"keymap: {binding_id}: {reason}")
    return problems


def binding_ids() -> set[str]:
    """The id of every binding the workbench's widgets and screens define."""
    from textual.binding import Binding
    from textual.dom import DOMNode

    ids: set[str] = set()
    stack = list(DOMNode.__subclasses__())
    while stack:
        cls = stack.pop()
        stack.extend(cls.__subclasses__())
        if not cls.__module__.startswith("tui."):
            continue
        for binding in cls.__dict__.get("BINDINGS", ()):
            if isinstance(binding, Binding) and binding.id:
                ids.add(binding.id)
    return ids
