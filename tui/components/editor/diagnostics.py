"""The problems list under the editor: one row per diagnostic, Enter or click jumps to it."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from rich.text import Text
from textual.binding import Binding
from textual.widgets import OptionList
from textual.widgets.option_list import Option

ICONS = {"error": ("✖", "bold red"), "warning": ("▲", "bold yellow"), "info": ("●", "cyan")}


@dataclass(frozen=True, slots=True)
class Problem:
    """What the list needs of a runtime Diagnostic, copied so the UI never mutates it."""

    severity: str
    code: str
    message: str
    line: int | None
    column: int | None
    hint: str | None

    @classmethod
    def of(cls, diagnostic: Any) -> Problem:
        return cls(
            severity=str(getattr(diagnostic, "severity", "error")),
            code=str(getattr(diagnostic, "code", "") or ""),
            message=str(getattr(diagnostic, "message", "")),
            line=getattr(diagnostic, "line", None),
            column=getattr(diagnostic, "column", None),
            hint=getattr(diagnostic, "hint", None),
        )

    @property
    def where(self) -> str:
        if self.line is None:
            return "file"
        return f"{self.line}:{self.column or 1}"


class DiagnosticsList(OptionList):
    BINDINGS = [
        Binding("escape", "back_to_editor", "Back to editor", id="problems.back"),
    ]

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self.problems: list[Problem] = []

    def show(self, problems: Sequence[Problem]) -> None:
        self.problems = list(problems)
        highlighted = self.highlighted
        self.clear_options()
        options = []
        for index, problem in enumerate(self.problems):
            icon, style = ICONS.get(problem.severity, ICONS["error"])
            label = Text.assemble(
                (f"{icon} ", style),
                (f"{problem.where:>8}  ", "dim"),
                (f"{problem.code}  " if problem.code else "", "dim italic"),
                problem.message,
            )
            options.append(Option(label, id=str(index)))
        self.add_options(options)
        if self.problems:
            self.highlighted = min(highlighted or 0, len(self.problems) - 1)

    def problem(self, index: int | None) -> Problem | None:
        if index is None or not 0 <= index < len(self.problems):
            return None
        return self.problems[index]

    def action_back_to_editor(self) -> None:
        self.screen.query_one("CodeEditor").focus()
