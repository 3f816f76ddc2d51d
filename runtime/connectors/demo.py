"""The offline demo (`weir demo`, run by scripts/start.sh): the example SmartModules
registered, the demo topic created and holding records, all on the embedded store, no
network. Safe to run again: what is already there is left as it is."""

from __future__ import annotations

import dataclasses
import hashlib
import threading
from collections.abc import Callable
from pathlib import Path

from runtime.errors import WeirError

DEMO_RECORDS = 50


def examples_dir() -> Path | None:
    """The repository's examples/ (present in a checkout or an editable install)."""
    import runtime

    candidate = Path(runtime.__file__).resolve().parent.parent / "examples"
    return candidate if candidate.is_dir() else None


def register_prebuilt(prebuilt: Path, say: Callable[[str], None]) -> list[str]:
    """Register each prebuilt .wasm as its hyphenated name (catfact_map.wasm ->
    catfact-map); an identical module already registered is left alone."""
    from smartmodules import registry

    names = []
    for wasm in sorted(prebuilt.glob("*.wasm")):
        name = wasm.stem.replace("_", "-")
        digest = hashlib.sha256(wasm.read_bytes()).hexdigest()
        try:
            current = registry.get(name)
        except WeirError:  # not registered, or damaged: register it (again)
            current = None
        if current is not None and current.sha256 == digest:
            say(f"  SmartModule `{name}`: already registered")
        else:
            registry.create(name, wasm, force=True)
            say(f"  SmartModule `{name}`: registered from {wasm.name}")
        names.append(name)
    return names


def fill_demo_topic(config: Path, say: Callable[[str], None], records: int = DEMO_RECORDS,
                    ) -> int:
    """Run the demo connector until the topic holds `records` (quickly: the demo's own
    pace is for watching, not for preparing). Returns how many records the topic has."""
    from runtime.config.load import load_connector
    from runtime.connectors.runner import run_connector
    from runtime.topics import open_store
    from runtime.topics.store import TopicSpec

    spec = load_connector(config)
    store = open_store()
    try:
        store.create_topic(TopicSpec(spec.topic, spec.topic_options.partitions),
                           exist_ok=True)
        have = store.describe_topic(spec.topic).record_count
        if have >= records:
            say(f"  topic `{spec.topic}`: already holds {have} records")
            return have
        params = {k: v for k, v in spec.parameters.items() if k not in ("interval", "rate")}
        params.update(rate=str(records * 10), count=str(records - have))
        quick = dataclasses.replace(spec, parameters=params)
        code = run_connector(quick, store=store, stop_event=threading.Event(),
                             handle_signals=False)
        have = store.describe_topic(spec.topic).record_count
        if code != 0:
            say(f"  topic `{spec.topic}`: the demo connector failed (exit {code}); "
                f"see `weir connector logs {spec.name}`")
        else:
            say(f"  topic `{spec.topic}`: {have} records from connector `{spec.name}`")
        return have
    finally:
        store.close()
