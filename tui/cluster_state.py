"""One word for the status bar: is the local cluster running, stopped or unreachable?"""

from __future__ import annotations


def cluster_state() -> str:
    from runtime.launch.client import cluster_state as state

    return state()
