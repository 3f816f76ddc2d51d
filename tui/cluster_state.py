"""One word for the status bar: is the local cluster running, stopped or unreachable?"""

from __future__ import annotations


def cluster_state() -> str:
    try:
        from runtime.launch import client
    except ImportError:
        return "n/a"
    return str(client.cluster_state())
