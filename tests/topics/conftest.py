"""Fixtures for the topic store: a store per backend, and unique topic names."""

from __future__ import annotations

import os
import secrets

import pytest

from runtime.topics.store import TopicSpec


def _fluvio_reason() -> str | None:
    """Why the Fluvio contract run is skipped, or None when a cluster is reachable."""
    endpoint = os.environ.get("FLUVIO_ENDPOINT")
    if not endpoint:
        return ("no Fluvio cluster here: set FLUVIO_ENDPOINT=host:port (the SC) to run the "
                "contract suite against one")
    try:
        import fluvio  # noqa: F401
    except ImportError:
        return "the `fluvio` client is not installed (pip install 'weir-workbench[fluvio]')"
    from runtime.topics.fluvio_backend import reachable

    if not reachable(endpoint):
        return f"FLUVIO_ENDPOINT={endpoint} is set but nothing answers there"
    return None


@pytest.fixture(params=["embedded", "fluvio"])
def store(request, weir_home):
    if request.param == "embedded":
        from runtime.topics.embedded import EmbeddedStore

        s = EmbeddedStore(weir_home / "data")
    else:
        reason = _fluvio_reason()
        if reason:
            pytest.skip(reason)
        from runtime.profiles import Profile
        from runtime.topics.fluvio_backend import FluvioStore

        s = FluvioStore.connect(Profile("fluvio-test", kind="fluvio",
                                        endpoint=os.environ["FLUVIO_ENDPOINT"]))
    created: list[str] = []
    s._test_created = created  # type: ignore[attr-defined]
    yield s
    for name in created:
        try:
            s.delete_topic(name)
        except Exception:  # noqa: BLE001 - best-effort cleanup on a shared cluster
            pass
    s.close()


@pytest.fixture
def make_topic(store):
    """Create a topic with a unique name on the store under test; deleted afterwards."""

    def make(partitions: int = 1, **kwargs) -> str:
        name = f"t-{secrets.token_hex(4)}"
        store.create_topic(TopicSpec(name, partitions, **kwargs))
        store._test_created.append(name)
        return name

    return make
