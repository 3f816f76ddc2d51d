"""How `connector describe` and `cluster status` print a running time."""

from __future__ import annotations

import pytest

from runtime.launch.describe import age, describe_text


@pytest.mark.parametrize(("seconds", "text"), [(None, "-"), (0, "0s"), (0.4, "0s"), (42, "42s"),
                                               (185, "3m 5s"), (7800, "2h 10m")])
def test_age(seconds, text):
    assert age(seconds) == text


@pytest.mark.parametrize(("status", "uptime"), [("running", "uptime: 0s"),
                                                ("stopped", "uptime: -")])
def test_a_just_started_connector_is_up_0s_and_a_stopped_one_has_no_uptime(status, uptime):
    view = {"status": status, "mode": "process", "metrics": {"uptime_s": 0.0}}
    assert uptime in describe_text(view)
