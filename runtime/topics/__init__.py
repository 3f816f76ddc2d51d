"""Topics: the TopicStore protocol and its backends (embedded SQLite, Fluvio)."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from runtime.profiles import Profile
    from runtime.topics.store import TopicStore


def open_store(profile: Profile | None = None) -> TopicStore:
    """The store behind `profile` (default: the current one): embedded or a Fluvio cluster."""
    from runtime.profiles import current_profile

    profile = profile or current_profile()
    if profile.kind == "fluvio":
        from runtime.topics.fluvio_backend import FluvioStore

        return FluvioStore.connect(profile)
    from runtime.topics.embedded import EmbeddedStore

    return EmbeddedStore(profile.store_dir())
