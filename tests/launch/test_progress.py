"""Progress and cancel of the long launcher steps, without Docker: building weir's own
wheel for the connector image (pip, a few seconds) stops when cancelled and keeps nothing."""

from __future__ import annotations

import threading

import pytest

from runtime.launch.progress import Cancelled, Progress, Step
from runtime.launch.wheelhouse import weir_source, weir_wheel, wheelhouse_dir


def test_a_cancelled_wheel_build_kills_pip_and_keeps_nothing(weir_home):
    source = weir_source()
    cancel = threading.Event()
    steps: list[Step] = []
    timer = threading.Timer(0.5, cancel.set)  # pip is busy building by then
    timer.start()
    try:
        with pytest.raises(Cancelled):
            weir_wheel(source, Progress(steps.append, cancel))
    finally:
        timer.cancel()
    assert steps[0].text.startswith("building weir's wheel from ")
    assert steps[0].fraction is None
    built = wheelhouse_dir() / "weir"
    assert not any(built.iterdir())  # no half-built wheel, no temporary directory


def test_the_same_build_uncancelled_reports_and_is_cached(weir_home):
    source = weir_source()
    steps: list[Step] = []
    wheel = weir_wheel(source, Progress(steps.append))
    assert wheel.name.startswith("weir_workbench-") and wheel.suffix == ".whl"
    assert [s.text for s in steps][-1].startswith("weir's wheel: 1 saved, last weir_workbench-")
    assert steps[-1].detail and not steps[0].detail  # one wheel of many: a log may skip it
    steps.clear()
    assert weir_wheel(source, Progress(steps.append)) == wheel and steps == []  # cached


def test_a_cancel_before_a_step_stops_it():
    cancel = threading.Event()
    seen: list[Step] = []
    progress = Progress(seen.append, cancel)
    progress.step("one", 0.5)
    cancel.set()
    with pytest.raises(Cancelled, match="cancelled by the user"):
        progress.step("two")
    assert seen == [Step("one", 0.5)] and progress.cancelled
