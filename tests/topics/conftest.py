"""Fixtures for the topic store: a store per backend, and unique topic names."""

from __future__ import annotations

import os
import secrets

import pytest

from runtime.topics.store import TopicSpec


@pytest.fixture(scope="session")
def weir_fluvio_cluster(tmp_path_factory):
    """A `weir cluster start` of this session: its Fluvio endpoint and its own store."""
    pytest.importorskip("fluvio", reason="the official `fluvio` client is not installed "
                                         "(pip install 'weir-workbench[fluvio]')")
    from tests.weir_cluster import running_cluster

    with running_cluster(tmp_path_factory.mktemp("fluvio-cluster"),
                         tmp_path_factory.mktemp("fluvio-user")) as cluster:
        yield cluster


@pytest.fixture(scope="session")
def fluvio_endpoint(request) -> str:
    """The SC of a Fluvio cluster: FLUVIO_ENDPOINT's when set (a real Fluvio), else the
    session's `weir cluster start`, reached through the official client."""
    pytest.importorskip("fluvio", reason="the official `fluvio` client is not installed "
                                         "(pip install 'weir-workbench[fluvio]')")
    endpoint = os.environ.get("FLUVIO_ENDPOINT")
    if not endpoint:
        return request.getfixturevalue("weir_fluvio_cluster").sc
    from runtime.topics.fluvio_backend import reachable

    if not reachable(endpoint):
        pytest.fail(f"FLUVIO_ENDPOINT={endpoint} is set but nothing answers there")
    return endpoint


@pytest.fixture(params=["embedded", "fluvio"])
def store(request, weir_home):
    if request.param == "embedded":
        from runtime.topics.embedded import EmbeddedStore

        s = EmbeddedStore(weir_home / "data")
    else:
        from runtime.profiles import Profile
        from runtime.topics.fluvio_backend import FluvioStore

        endpoint = request.getfixturevalue("fluvio_endpoint")
        s = FluvioStore.connect(Profile("fluvio-test", kind="fluvio", endpoint=endpoint))
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
