"""Topics: the TopicStore protocol and its backends (embedded SQLite, Fluvio)."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from runtime.profiles import Profile
    from runtime.topics.producer_settings import ProducerSettings
    from runtime.topics.store import TopicStore


def open_store(profile: Profile | None = None, *,
               producer: ProducerSettings | None = None) -> TopicStore:
    """The store behind `profile` (default: the current one): embedded or a Fluvio
    cluster. `producer` shapes its appends (see runtime.topics.producer_settings)."""
    from runtime.profiles import current_profile

    profile = profile or current_profile()
    if profile.kind == "fluvio":
        from runtime.topics.fluvio_backend import FluvioStore

        return FluvioStore.connect(profile, producer=producer)
    from runtime.topics.embedded import EmbeddedStore

    at_most_once = producer is not None and producer.delivery_semantic == "at-most-once"
    return EmbeddedStore(profile.store_dir(), sync="normal" if at_most_once else None)
