"""The runner's signal handling, in this process: a first SIGINT asks for a graceful
stop; once it has, a late one cannot cut the exit short."""

from __future__ import annotations

import os
import signal
import time

import pytest

from runtime.config.spec import ConnectorSpec
from runtime.connectors.base import StopSignal
from runtime.connectors.reporter import Reporter
from runtime.connectors.runner import _signals


@pytest.fixture
def handlers():
    saved = {s: signal.getsignal(s) for s in (signal.SIGINT, signal.SIGTERM)}
    yield
    for s, h in saved.items():
        signal.signal(s, h)


def _reporter() -> Reporter:
    spec = ConnectorSpec(name="sig", type="generator-source", kind="source", topic="sig")
    return Reporter(spec)


def _until(check) -> None:
    deadline = time.monotonic() + 5
    while not check() and time.monotonic() < deadline:
        time.sleep(0.01)  # the handler runs between bytecodes of this thread


def test_a_signal_after_the_stop_is_ignored_while_the_process_exits(handlers):
    stop = StopSignal()
    with _signals(stop, _reporter(), enabled=True):
        os.kill(os.getpid(), signal.SIGINT)
        _until(stop.is_set)
        assert stop.is_set()
    assert signal.getsignal(signal.SIGINT) is signal.SIG_IGN
    assert signal.getsignal(signal.SIGTERM) is signal.SIG_IGN
    os.kill(os.getpid(), signal.SIGINT)  # late: no KeyboardInterrupt
    time.sleep(0.05)


def test_a_second_signal_during_the_run_stops_at_once(handlers):
    stop = StopSignal()
    with pytest.raises(KeyboardInterrupt), _signals(stop, _reporter(), enabled=True):
        os.kill(os.getpid(), signal.SIGTERM)
        _until(stop.is_set)
        os.kill(os.getpid(), signal.SIGINT)
        _until(lambda: False)


def test_the_handlers_come_back_when_no_signal_stopped_the_run(handlers):
    before = signal.getsignal(signal.SIGINT)
    stop = StopSignal()
    with _signals(stop, _reporter(), enabled=True):
        stop.set()  # stopped by its supervisor, not by a signal
    assert signal.getsignal(signal.SIGINT) is before
