"""Small helpers the managed-connector tests share."""

from __future__ import annotations

import json
from pathlib import Path

from runtime.errors import NotFound
from tests.conftest import run_weir


def write(path: Path, text: str) -> Path:
    path.write_text(text)
    return path


def views() -> list[dict]:
    result = run_weir("connector", "list", "-O", "json")
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def view(name: str) -> dict | None:
    return next((v for v in views() if v["name"] == name), None)


def topic_values(topic: str, profile=None) -> list[bytes]:
    """Every value stored in `topic` (all partitions), read from the real store."""
    from runtime.topics import open_store

    store = open_store(profile)
    try:
        try:
            info = store.describe_topic(topic)
        except NotFound:
            return []
        values: list[bytes] = []
        for part in info.partitions:
            offset = part.earliest
            while True:
                batch = store.read(topic, part.partition, offset, 1000)
                if not batch:
                    break
                values.extend(r.value for r in batch)
                offset = batch[-1].offset + 1
        return values
    finally:
        store.close()


def produce(topic: str, values: list[bytes]) -> None:
    from runtime.topics import open_store
    from runtime.topics.record import ProduceRecord
    from runtime.topics.store import TopicSpec

    store = open_store()
    try:
        store.create_topic(TopicSpec(topic), exist_ok=True)
        store.append(topic, [ProduceRecord(value=v) for v in values], partition=0)
    finally:
        store.close()


def generator_config(name: str, topic: str, *, rate: int = 20) -> str:
    return f"""\
apiVersion: 0.1.0
meta:
  version: 0.1.0
  name: {name}
  type: generator-source
  topic: {topic}
generator:
  template: '{{"n": {{{{n}}}}}}'
  rate: {rate}
"""


def http_sink_config(name: str, topic: str, url: str) -> str:
    return f"""\
apiVersion: 0.1.0
meta:
  version: 0.1.0
  name: {name}
  type: http-sink
  topic: {topic}
  consumer:
    id: {name}
    offset:
      strategy: auto
      start: beginning
http:
  endpoint: {url}/ingest
  headers: ["Content-Type: application/json"]
"""
