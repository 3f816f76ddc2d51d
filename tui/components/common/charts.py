"""The workbench's pictures: Textual's own Sparkline for a table cell, and a plotext
line chart (textual-plotext) for a detail view. Data in, picture out; nothing here reads
files or the clock, so snapshots of them are stable."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from rich.color import Color
from rich.console import RenderableType
from rich.text import Text
from textual.renderables.sparkline import Sparkline
from textual_plotext import PlotextPlot

SERIES_COLORS = {"in": "cyan", "out": "green", "filtered": "yellow", "errors": "red",
                 "records": "cyan"}


def sparkline_cell(values: Sequence[float], width: int = 20) -> RenderableType:
    """A one-line sparkline of `values` (oldest first), blank when there is too little."""
    if len(values) < 2 or not any(values):
        return Text("▁" * width if values else "", "dim")
    return Sparkline(list(values), width=width,
                     min_color=Color.parse("#2e7d32"), max_color=Color.parse("#9be15d"))


class LineChart(PlotextPlot):
    """Lines over time: `times` on x (e.g. seconds ago), one line per named series."""

    DEFAULT_CSS = """
    LineChart { height: 12; width: 1fr; }
    """

    def show(self, title: str, times: Sequence[float], lines: Mapping[str, Sequence[float]],
             *, xlabel: str = "seconds ago", ylabel: str = "") -> None:
        plt = self.plt
        plt.clear_data()
        plt.clear_figure()
        plt.title(title)
        plt.xlabel(xlabel)
        if ylabel:
            plt.ylabel(ylabel)
        if len(times) >= 1:
            for name, values in lines.items():
                plt.plot(list(times), list(values), label=name,
                         color=SERIES_COLORS.get(name, "white"), marker="braille")
        self.refresh()


class BarChart(PlotextPlot):
    """Bars by name (a partition's size, a stage's time per record)."""

    DEFAULT_CSS = """
    BarChart { height: 10; width: 1fr; }
    """

    def show(self, title: str, labels: Sequence[str], values: Sequence[float],
             *, ylabel: str = "") -> None:
        plt = self.plt
        plt.clear_data()
        plt.clear_figure()
        plt.title(title)
        if ylabel:
            plt.ylabel(ylabel)
        if labels:
            plt.bar(list(labels), list(values), color="cyan")
        self.refresh()
