"""Connector tests need the embedded topic store (runtime/topics/embedded.py)."""

import pytest

pytest.importorskip("runtime.topics.embedded", reason="the embedded topic store has not landed")
