"""Modal screens every area uses: confirm a destructive action, ask for one value."""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, OptionList, Static
from textual.widgets.option_list import Option


class ConfirmScreen(ModalScreen[bool]):
    """Ask yes or no; `y`/`enter` confirm, `n`/`esc` cancel."""

    DEFAULT_CSS = """
    ConfirmScreen { align: center middle; }
    ConfirmScreen > Vertical {
        width: 64; height: auto; padding: 1 2; border: thick $error; background: $panel;
    }
    ConfirmScreen Horizontal { height: auto; align-horizontal: right; margin-top: 1; }
    ConfirmScreen Button { margin-left: 2; }
    """
    BINDINGS = [
        Binding("y", "answer(True)", "Yes", id="confirm.yes"),
        Binding("n,escape", "answer(False)", "No", id="confirm.no"),
    ]

    def __init__(self, question: str) -> None:
        super().__init__()
        self.question = question

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Label(self.question, id="question")
            with Horizontal():
                yield Button("No", id="no")
                yield Button("Yes", id="yes", variant="error")

    def on_mount(self) -> None:
        self.query_one("#no", Button).focus()

    @on(Button.Pressed)
    def _pressed(self, event: Button.Pressed) -> None:
        self.dismiss(event.button.id == "yes")

    def action_answer(self, answer: bool) -> None:
        self.dismiss(answer)


class PromptScreen(ModalScreen[str | None]):
    """Ask for one value (a path, a name, an offset); optional choices below the input."""

    DEFAULT_CSS = """
    PromptScreen { align: center middle; }
    PromptScreen > Vertical {
        width: 80; height: auto; max-height: 80%; padding: 1 2;
        border: thick $accent; background: $panel;
    }
    PromptScreen OptionList { height: auto; max-height: 12; margin-top: 1; }
    PromptScreen #prompt-error { color: $error; height: auto; }
    """
    BINDINGS = [Binding("escape", "cancel", "Cancel", id="prompt.cancel")]

    def __init__(
        self,
        title: str,
        value: str = "",
        *,
        placeholder: str = "",
        choices: list[str] | None = None,
        paths: bool = False,
    ) -> None:
        super().__init__()
        self.title_text = title
        self.value = value
        self.placeholder = placeholder
        self.choices = choices or []
        self.paths = paths  # complete file paths as they are typed

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Label(self.title_text)
            suggester = None
            if self.paths:
                from tui.components.common.path_suggester import PathSuggester

                suggester = PathSuggester()
            yield Input(self.value, placeholder=self.placeholder, id="prompt-input",
                        suggester=suggester)
            yield Label("", id="prompt-error")
            if self.choices:
                yield OptionList(*[Option(c, id=c) for c in self.choices], id="prompt-choices")

    @on(Input.Submitted)
    def _submitted(self, event: Input.Submitted) -> None:
        self.dismiss(event.value.strip() or None)

    @on(OptionList.OptionSelected)
    def _chosen(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(event.option.id)

    def action_cancel(self) -> None:
        self.dismiss(None)


class ChoiceScreen(ModalScreen[str | None]):
    """Pick one of a few labelled choices (a template, a launch mode)."""

    DEFAULT_CSS = """
    ChoiceScreen { align: center middle; }
    ChoiceScreen > Vertical {
        width: 70; height: auto; max-height: 80%; padding: 1 2;
        border: thick $accent; background: $panel;
    }
    ChoiceScreen OptionList { height: auto; max-height: 20; margin-top: 1; }
    """
    BINDINGS = [Binding("escape", "cancel", "Cancel", id="choice.cancel")]

    def __init__(self, title: str, choices: list[tuple[str, str]]) -> None:
        super().__init__()
        self.title_text = title
        self.choices = choices  # (id, label)

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Label(self.title_text)
            yield OptionList(*[Option(label, id=cid) for cid, label in self.choices])

    @on(OptionList.OptionSelected)
    def _chosen(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(event.option.id)

    def action_cancel(self) -> None:
        self.dismiss(None)


class MessageScreen(ModalScreen[None]):
    """A long text to read (a describe, a failure with its hint); esc or q closes it."""

    DEFAULT_CSS = """
    MessageScreen { align: center middle; }
    MessageScreen > VerticalScroll {
        width: 90%; height: 85%; border: thick $accent; background: $panel; padding: 0 1;
    }
    """
    BINDINGS = [Binding("escape,q,i", "close", "Close", id="message.close")]

    def __init__(self, title: str, text: str) -> None:
        super().__init__()
        self.title_text = title
        self.text = text

    def compose(self) -> ComposeResult:
        from rich.text import Text

        with VerticalScroll():
            yield Label(Text(self.title_text, "bold"))
            yield Static(Text(self.text), id="message-text")

    def action_close(self) -> None:
        self.dismiss(None)
