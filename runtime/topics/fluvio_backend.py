"""TopicStore over a real Fluvio cluster, through the official `fluvio` Python client.

The client is imported only when a profile of kind `fluvio` is used (it is an optional
dependency: `pip install 'weir-workbench[fluvio]'`). Where the client exposes less than
the embedded store keeps, this backend derives it from the records themselves:
- partition offsets: the first and last record of a partition (a consumer that stops at
  the end), so an empty partition reads as 0..0;
- keyless records: the Python client always sends a key (an empty one), which Fluvio's
  partitioner would hash to one partition; this backend round-robins them itself with a
  producer pinned to each partition, and reads an empty key back as no key;
- record timestamps and headers are set by the cluster; the ones given are not kept;
- retention and segment size are sent on create, but the client does not report them
  back, so `describe_topic` shows them only for topics this process created;
- a consumer offset is committed through a stream positioned at the record before it
  (Fluvio's UpdateConsumerOffset names a live stream session), so committing N needs
  record N-1 to be stored: on an empty partition it is refused with an error saying so.
"""

from __future__ import annotations

import asyncio
import socket
import time
from collections.abc import AsyncIterator, Sequence
from typing import Any

from runtime.errors import EnvironmentProblem, NotFound, WeirError
from runtime.profiles import Profile
from runtime.topics.producer_settings import ProducerSettings
from runtime.topics.record import ProduceRecord, Record
from runtime.topics.store import ConsumerOffset, PartitionInfo, TopicInfo, TopicSpec

PROVISION_TIMEOUT_S = 30.0
# How long a follow waits for the next record the client already holds before it hands
# over the batch so far: a sink's batch grows to what is waiting, at this cost in latency.
FOLLOW_GATHER_S = 0.001
_STREAM_END = object()  # put by a follow's reader task when the client's stream ends


def reachable(endpoint: str, timeout: float = 1.0) -> bool:
    """Whether something accepts TCP connections at `host:port`."""
    host, _, port = endpoint.rpartition(":")
    try:
        with socket.create_connection((host or "127.0.0.1", int(port)), timeout=timeout):
            return True
    except (OSError, ValueError):
        return False


def _client_module() -> Any:
    try:
        import fluvio
    except ImportError as exc:
        raise EnvironmentProblem(
            "this profile talks to a Fluvio cluster, but the `fluvio` client is not installed",
            hint="pip install 'weir-workbench[fluvio]', or `weir profile switch local`",
        ) from exc
    return fluvio


_COMPRESSION = {"none": "None_", "gzip": "Gzip", "snappy": "Snappy", "lz4": "Lz4",
                "zstd": "Zstd"}
_SEMANTIC = {"at-least-once": "AtLeastOnce", "at-most-once": "AtMostOnce"}


def producer_config(fl: Any, settings: ProducerSettings, partition: int | None) -> Any:
    """The official client's producer config for `settings` (and a pinned partition)."""
    builder = fl.TopicProducerConfigBuilder()
    # (the client's builders mutate in place; some also return themselves)
    if partition is not None:
        builder = builder.set_specific_partitioner(partition) or builder
    if settings.linger_ms is not None:
        builder = builder.linger(settings.linger_ms) or builder
    if settings.batch_size_bytes is not None:
        builder = builder.batch_size(settings.batch_size_bytes) or builder
    builder = builder.compression(getattr(fl.Compression,
                                          _COMPRESSION[settings.compression])) or builder
    builder = builder.delivery_semantic(
        getattr(fl.DeliverySemantic, _SEMANTIC[settings.delivery_semantic])) or builder
    return builder.build()


class FluvioStore:
    """A Fluvio cluster seen through the TopicStore protocol."""

    preserves_timestamps = False
    preserves_headers = False
    commits_need_records = True  # see the module docstring

    def __init__(self, fluvio: Any, client: Any, admin: Any, endpoint: str,
                 producer: ProducerSettings | None = None) -> None:
        self._fl = fluvio
        self.producer_settings = producer or ProducerSettings()
        self._client = client
        self._admin = admin
        self.endpoint = endpoint
        self._producers: dict[tuple[str, int | None], Any] = {}
        self._round_robin: dict[str, int] = {}
        self._specs: dict[str, TopicSpec] = {}

    @classmethod
    def connect(cls, profile: Profile, *,
                producer: ProducerSettings | None = None) -> FluvioStore:
        fl = _client_module()
        endpoint = profile.endpoint or "the fluvio CLI's current profile"
        try:
            config = (fl.FluvioConfig.new(profile.endpoint) if profile.endpoint
                      else fl.FluvioConfig.load())
            client = fl.Fluvio.connect_with_config(config)
            admin = fl.FluvioAdmin.connect_with_config(config)
        except Exception as exc:  # noqa: BLE001 - the client raises one generic error type
            raise EnvironmentProblem(
                f"cannot reach the Fluvio cluster of profile `{profile.name}` at {endpoint}: "
                f"{exc}",
                hint="start the cluster, fix the endpoint (`weir profile add`), or "
                "`weir profile switch local` for the embedded store",
            ) from exc
        return cls(fl, client, admin, profile.endpoint or "", producer)

    def _fail(self, exc: Exception, doing: str) -> WeirError:
        text = str(exc)
        if "not found" in text.lower() or "TopicNotFound" in text:
            return NotFound(f"{doing}: {text}")
        if "connect" in text.lower() or "socket" in text.lower():
            return EnvironmentProblem(f"{doing}: lost the Fluvio cluster at {self.endpoint}: "
                                      f"{text}")
        return WeirError(f"{doing}: {text}")

    # -- topics ---------------------------------------------------------------------

    def _topic_names(self) -> list[str]:
        try:
            return sorted(t.name() for t in self._admin.all_topics())
        except Exception as exc:  # noqa: BLE001
            raise self._fail(exc, "list topics") from exc

    def _partition_count(self, name: str) -> int:
        if name not in self._topic_names():
            raise NotFound(
                f"topic `{name}` not found on the Fluvio cluster",
                hint=f"create it with `weir topic create {name}`",
            )
        try:
            names = [p.name() for p in self._admin.list_partitions([])]
        except Exception as exc:  # noqa: BLE001
            raise self._fail(exc, f"list the partitions of `{name}`") from exc
        prefix = f"{name}-"
        count = sum(1 for n in names if n.startswith(prefix) and n[len(prefix):].isdigit())
        return max(count, 1)

    def create_topic(self, spec: TopicSpec, *, exist_ok: bool = False) -> None:
        from runtime.topics.spec_check import check_spec

        check_spec(spec)
        if spec.name in self._topic_names():
            if exist_ok:
                return
            raise WeirError(f"topic `{spec.name}` already exists")
        fl_spec = self._fl.TopicSpec.create().with_partitions(spec.partitions)
        if spec.retention_ms is not None:
            fl_spec = fl_spec.with_retention_time(max(1, spec.retention_ms // 1000))
        if spec.segment_bytes is not None:
            fl_spec = fl_spec.with_segment_size(spec.segment_bytes)
        try:
            self._admin.create_topic(spec.name, fl_spec.build())
        except Exception as exc:  # noqa: BLE001
            raise self._fail(exc, f"create topic `{spec.name}`") from exc
        self._specs[spec.name] = spec
        deadline = time.monotonic() + PROVISION_TIMEOUT_S
        while self._partition_count_quiet(spec.name) < spec.partitions:
            if time.monotonic() > deadline:
                raise WeirError(f"topic `{spec.name}` was created but its partitions were not "
                                f"provisioned within {PROVISION_TIMEOUT_S:.0f}s")
            time.sleep(0.1)

    def _partition_count_quiet(self, name: str) -> int:
        try:
            names = [p.name() for p in self._admin.list_partitions([])]
        except Exception:  # noqa: BLE001
            return 0
        prefix = f"{name}-"
        return sum(1 for n in names if n.startswith(prefix) and n[len(prefix):].isdigit())

    def add_partitions(self, name: str, count: int = 1) -> TopicInfo:
        """The official Python client has no call for it (Fluvio's CLI does)."""
        self._partition_count(name)  # a missing topic is NotFound first
        raise WeirError(
            "adding partitions is not offered by the Fluvio Python client",
            hint=f"use Fluvio's CLI: `fluvio topic add-partition {name} -c {count}`")

    def list_topics(self) -> list[TopicInfo]:
        return [self.describe_topic(name) for name in self._topic_names()]

    def describe_topic(self, name: str) -> TopicInfo:
        count = self._partition_count(name)
        known = self._specs.get(name)
        spec = TopicSpec(name, count, known.retention_ms if known else None,
                         known.segment_bytes if known else None)
        parts = []
        for p in range(count):
            earliest, latest = self._bounds(name, p)
            parts.append(PartitionInfo(p, earliest, latest, 0))
        return TopicInfo(spec=spec, partitions=tuple(parts))

    def delete_topic(self, name: str) -> None:
        if name not in self._topic_names():
            raise NotFound(f"topic `{name}` not found on the Fluvio cluster")
        try:
            self._admin.delete_topic(name)
        except Exception as exc:  # noqa: BLE001
            raise self._fail(exc, f"delete topic `{name}`") from exc
        self._specs.pop(name, None)
        for key in [k for k in self._producers if k[0] == name]:
            del self._producers[key]

    # -- producing ------------------------------------------------------------------

    def _producer(self, topic: str, partition: int | None) -> Any:
        key = (topic, partition)
        if key not in self._producers:
            try:
                if partition is None and self.producer_settings.is_default:
                    self._producers[key] = self._client.topic_producer(topic)
                else:
                    config = producer_config(self._fl, self.producer_settings, partition)
                    self._producers[key] = self._client.topic_producer_with_config(topic, config)
            except Exception as exc:  # noqa: BLE001
                raise self._fail(exc, f"open a producer for `{topic}`") from exc
        return self._producers[key]

    def append(
        self, topic: str, records: Sequence[ProduceRecord], partition: int | None = None
    ) -> list[tuple[int, int]]:
        if not records:
            return []
        count = self._partition_count(topic)
        if partition is not None and not 0 <= partition < count:
            raise WeirError(f"partition {partition} does not exist: topic `{topic}` has "
                            f"{count} partition{'s' if count != 1 else ''} (0..{count - 1})")
        groups: dict[int | None, list[int]] = {}
        rr = self._round_robin.get(topic, 0)
        for i, record in enumerate(records):
            if partition is not None:
                target: int | None = partition
            elif record.key is None and count > 1:
                target, rr = rr % count, rr + 1
            elif record.key is None:
                target = 0
            else:
                target = None  # the cluster's own key hashing
            groups.setdefault(target, []).append(i)
        self._round_robin[topic] = rr % max(count, 1)
        result: list[tuple[int, int]] = [(0, 0)] * len(records)
        try:
            for target, indexes in groups.items():
                producer = self._producer(topic, target)
                outputs = producer.send_all(
                    [(records[i].key or b"", records[i].value) for i in indexes]
                )
                producer.flush()
                for i, output in zip(indexes, outputs, strict=True):
                    meta = output.wait()
                    result[i] = (meta.partition_id(), meta.offset())
        except Exception as exc:  # noqa: BLE001
            raise self._fail(exc, f"produce to `{topic}`") from exc
        return result

    # -- consuming ------------------------------------------------------------------

    def _to_record(self, raw: Any, partition: int) -> Record:
        key = raw.key()
        key = bytes(key) if key else None
        stamp = raw.timestamp()
        return Record(raw.offset(), stamp if stamp and stamp > 0 else 0, key,
                      bytes(raw.value()), (), partition)

    def _stream(self, topic: str, partition: int, offset: Any, *, continuous: bool,
                consumer: str | None = None) -> Any:
        fl = self._fl
        builder = fl.ConsumerConfigExtBuilder(topic)
        builder.partition(partition)
        builder.offset_start(offset)
        builder.disable_continuous(not continuous)
        if consumer is not None:
            builder.offset_consumer(consumer)
            builder.offset_strategy(fl.OffsetManagementStrategy.MANUAL)
        return self._client.consumer_with_config(builder.build())

    def read(
        self, topic: str, partition: int, offset: int, max_records: int = 1000
    ) -> list[Record]:
        if offset < 0:
            raise WeirError(f"offset must be 0 or more, not {offset}")
        self._check_partition(topic, partition)
        out: list[Record] = []
        try:
            stream = self._stream(topic, partition, self._fl.Offset.absolute(offset),
                                  continuous=False)
            for raw in stream:
                out.append(self._to_record(raw, partition))
                if len(out) >= max_records:
                    break
        except Exception as exc:  # noqa: BLE001
            raise self._fail(exc, f"read `{topic}`") from exc
        return out

    async def follow(
        self, topic: str, partition: int, offset: int, max_records: int = 1000
    ) -> AsyncIterator[list[Record]]:
        """Batches of the records already received, up to `max_records`: a task reads the
        client's stream (which hands records over one at a time) into a bounded queue, so
        a sink gets what arrived together as one batch (one transaction, not one a
        record) and a slow sink holds the stream back instead of buffering a partition."""
        self._check_partition(topic, partition)
        consumer = self._client.partition_consumer(topic, partition)
        stream = await consumer.async_stream(self._fl.Offset.absolute(offset))
        queue: asyncio.Queue[Any] = asyncio.Queue(maxsize=max_records)

        async def receive() -> None:
            try:
                async for raw in stream:
                    await queue.put(raw)
            except Exception as exc:  # noqa: BLE001 - handed to the reader, raised there
                await queue.put(exc)
            else:
                await queue.put(_STREAM_END)

        reader = asyncio.create_task(receive())
        try:
            while True:
                batch = [await queue.get()]
                while len(batch) < max_records and batch[-1] is not _STREAM_END \
                        and not isinstance(batch[-1], Exception):
                    if queue.empty():  # a record the client holds comes a thread hop later
                        await asyncio.sleep(FOLLOW_GATHER_S)
                        if queue.empty():
                            break
                    batch.append(queue.get_nowait())
                last = batch[-1]  # an end or an error is the last thing the task puts
                ended = last is _STREAM_END or isinstance(last, Exception)
                records = [self._to_record(r, partition)
                           for r in (batch[:-1] if ended else batch)]
                if records:
                    yield records
                if isinstance(last, Exception):
                    raise self._fail(last, f"follow `{topic}`") from last
                if ended:
                    return
        finally:
            reader.cancel()

    def _check_partition(self, topic: str, partition: int) -> None:
        count = self._partition_count(topic)
        if not 0 <= partition < count:
            raise NotFound(f"partition {partition} of topic `{topic}` does not exist "
                           f"({count} partition{'s' if count != 1 else ''})")

    def _bounds(self, topic: str, partition: int) -> tuple[int, int]:
        """(earliest, latest) from the first and the last record still stored."""
        fl = self._fl
        try:
            last = next(iter(self._stream(topic, partition, fl.Offset.from_end(1),
                                          continuous=False)), None)
            if last is None:
                return 0, 0
            first = next(iter(self._stream(topic, partition, fl.Offset.beginning(),
                                           continuous=False)), None)
        except Exception as exc:  # noqa: BLE001
            raise self._fail(exc, f"read the offsets of `{topic}`") from exc
        latest = last.offset() + 1
        return (first.offset() if first is not None else latest), latest

    def earliest_offset(self, topic: str, partition: int) -> int:
        self._check_partition(topic, partition)
        return self._bounds(topic, partition)[0]

    def latest_offset(self, topic: str, partition: int) -> int:
        self._check_partition(topic, partition)
        return self._bounds(topic, partition)[1]

    # -- consumer offsets -------------------------------------------------------------

    def commit_offset(self, consumer: str, topic: str, partition: int, offset: int) -> None:
        """Fluvio stores the last record a consumer processed; ours is the next to read,
        so committing N means having consumed N-1 (0 clears the stored offset)."""
        if offset < 0:
            raise WeirError(f"offset must be 0 or more, not {offset}")
        self._check_partition(topic, partition)
        try:
            if offset == 0:
                if self.fetch_offset(consumer, topic, partition) is not None:
                    self._client.delete_consumer_offset(consumer, topic, partition)
                return
            latest = self._bounds(topic, partition)[1]
            stream = None
            if offset <= latest:
                stream = self._stream(topic, partition, self._fl.Offset.absolute(offset - 1),
                                      continuous=False, consumer=consumer)
            if stream is None or next(iter(stream), None) is None:
                raise WeirError(
                    f"cannot commit offset {offset} for `{consumer}` on `{topic}`/{partition}: "
                    "Fluvio commits a consumer offset only through a stream at a stored "
                    f"record, and record {offset - 1} is not stored (the partition ends at "
                    f"{latest})",
                    hint="commit an offset the consumer has read up to, or use an embedded "
                         "profile (`weir profile switch local`)")
            stream.offset_commit()
            stream.offset_flush()
        except WeirError:
            raise
        except Exception as exc:  # noqa: BLE001
            raise self._fail(exc, f"commit the offset of `{consumer}`") from exc

    def fetch_offset(self, consumer: str, topic: str, partition: int) -> int | None:
        try:
            stored = self._client.consumer_offsets()
        except Exception as exc:  # noqa: BLE001
            raise self._fail(exc, "fetch consumer offsets") from exc
        for entry in stored:
            if (entry.consumer_id, entry.topic, entry.partition) == (
                consumer, topic, partition
            ):
                return entry.offset + 1
        return None

    def list_offsets(self) -> list[ConsumerOffset]:
        """Fluvio keeps the last record processed and a modification time in seconds (the
        official client exposes them as attributes)."""
        try:
            stored = self._client.consumer_offsets()
        except Exception as exc:  # noqa: BLE001
            raise self._fail(exc, "list consumer offsets") from exc
        offsets = [ConsumerOffset(e.consumer_id, e.topic, e.partition, e.offset + 1,
                                  int(e.modified_time) * 1000) for e in stored]
        return sorted(offsets, key=lambda o: (o.consumer, o.topic, o.partition))

    def delete_offset(self, consumer: str, topic: str, partition: int) -> bool:
        self._check_partition(topic, partition)
        if self.fetch_offset(consumer, topic, partition) is None:
            return False
        try:
            self._client.delete_consumer_offset(consumer, topic, partition)
        except Exception as exc:  # noqa: BLE001
            raise self._fail(exc, f"delete the offset of `{consumer}`") from exc
        return True

    def close(self) -> None:
        for producer in self._producers.values():
            try:
                producer.flush()
            except Exception:  # noqa: BLE001 - closing: nothing left to tell the user
                pass
        self._producers.clear()
