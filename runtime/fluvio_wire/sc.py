"""The SC (control plane): ApiVersions, then Create / Delete / List / Watch of topics,
partitions, the SPU and SmartModules, over the served store.

Metadata reaches clients through watches (`watch_hub.py`). The SC republishes the store's
topics whenever one is created or deleted, here or by any other process (the store pokes
its catalog channel; a slow poll is the safety net), so a topic made by `weir topic
create` or a connector appears in every client's cache at once.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging

from runtime.config.names import name_problem
from runtime.errors import NotFound, WeirError
from runtime.fluvio_wire import admin, api_keys, api_versions, error_code
from runtime.fluvio_wire.admin import TopicRequest
from runtime.fluvio_wire.backend import Backend
from runtime.fluvio_wire.codec import Reader
from runtime.fluvio_wire.connection import Api, Connection
from runtime.fluvio_wire.error_code import ErrorCode
from runtime.fluvio_wire.header import RequestHeader
from runtime.fluvio_wire.objects import (
    PARTITION,
    SMARTMODULE,
    SPU,
    SPU_ID,
    TOPIC,
    MetadataObject,
    PartitionObject,
    SpuObject,
    TopicObject,
)
from runtime.fluvio_wire.watch_hub import WatchHub
from runtime.topics.notify import CATALOG
from runtime.topics.store import TopicInfo, TopicSpec

log = logging.getLogger("weir.fluvio")

# Fluvio's system topic for consumer offsets (`crates/fluvio-types/src/defaults.rs`); the
# client looks its partition up before any consumer-offset call.
CONSUMER_OFFSET_TOPIC = "consumer-offset"
SYSTEM_TOPICS = (TopicObject(CONSUMER_OFFSET_TOPIC, 1, system=True),)
POLL_S = 2.0  # the safety net when no catalog poke comes
MAX_PARTITIONS = 10_000


def topic_objects(infos: list[TopicInfo]) -> tuple[list[TopicObject], list[PartitionObject]]:
    """The store's topics as Fluvio objects, the system topic included."""
    topics = list(SYSTEM_TOPICS)
    partitions = [PartitionObject(t.name, p, system=True)
                  for t in SYSTEM_TOPICS for p in range(t.partitions)]
    for info in infos:
        spec = info.spec
        if spec.name in (t.name for t in SYSTEM_TOPICS):
            continue
        topics.append(TopicObject(spec.name, spec.partitions, spec.retention_ms,
                                  spec.segment_bytes))
        partitions += [PartitionObject(spec.name, p.partition, spec.retention_ms,
                                       spec.segment_bytes, hw=p.latest, earliest=p.earliest,
                                       size=p.size_bytes)
                       for p in info.partitions]
    return topics, partitions


def _module_matches(wanted: str, name: str) -> bool:
    """A List filter for SmartModules, as Fluvio's SC reads one (SmartModulePackageKey):
    the name itself, or the name part of `group/name@version`."""
    return wanted == name or wanted.rpartition("/")[2].partition("@")[0] == name


class ScService:
    def __init__(self, backend: Backend, spu: SpuObject) -> None:
        self.backend = backend
        self.hub = WatchHub()
        self.spu = spu
        self._refresh_lock = asyncio.Lock()
        self._poller: asyncio.Task | None = None

    def apis(self) -> dict[int, Api]:
        return {
            api_keys.API_VERSIONS: Api(self._api_versions),
            api_keys.CREATE: Api(self._create, self._create_error, ordered=True),
            api_keys.DELETE: Api(self._delete, self._delete_error, ordered=True),
            api_keys.LIST: Api(self._list),
            api_keys.WATCH: Api(self._watch),
        }

    # -- the catalog ------------------------------------------------------------------

    async def start(self) -> None:
        self.hub.publish(SPU, [self.spu])
        await self.refresh()
        self._poller = asyncio.ensure_future(self._follow_catalog())

    async def stop(self) -> None:
        if self._poller is not None:
            self._poller.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._poller

    async def refresh(self) -> None:
        """Publish the store's topics (and the registry's SmartModules) as they are now."""
        async with self._refresh_lock:
            topics, partitions = topic_objects(await self.backend.topics())
            self.hub.publish(TOPIC, topics)
            self.hub.publish(PARTITION, partitions)
            self.hub.publish(SMARTMODULE, await self.backend.smartmodules())

    async def _follow_catalog(self) -> None:
        listener = self.backend.listener(CATALOG)
        try:
            while True:
                await listener.wait(POLL_S)
                try:
                    await self.refresh()
                except WeirError as exc:
                    log.warning("fluvio sc: cannot read the topic store: %s", exc.message)
                except Exception:  # noqa: BLE001 - watches must keep hearing of changes
                    log.exception("fluvio sc: refreshing the metadata failed")
        finally:
            listener.close()

    # -- requests ---------------------------------------------------------------------

    async def _api_versions(self, conn: Connection, header: RequestHeader, r: Reader
                            ) -> bytes:
        api_versions.decode_request(r, header.api_version)
        return api_versions.encode_response(api_keys.SC_VERSIONS, api_keys.PLATFORM_VERSION)

    def _create_error(self, header: RequestHeader, message: str) -> bytes:
        return admin.encode_status("", ErrorCode(error_code.INVALID_CREATE_REQUEST), message)

    def _delete_error(self, header: RequestHeader, message: str) -> bytes:
        return admin.encode_status("", ErrorCode(error_code.INVALID_DELETE_REQUEST), message)

    async def _create(self, conn: Connection, header: RequestHeader, r: Reader) -> bytes:
        req = admin.decode_create(r, header.api_version)
        if req.smartmodule is not None:
            name, code, message = await self.backend.create_smartmodule(
                req.name, req.smartmodule, req.dry_run)
            if code.ok and not req.dry_run:
                await self.refresh()
            return admin.encode_status(name, code, message)
        if req.label != TOPIC or req.topic is None:
            return admin.encode_status(
                req.name, ErrorCode(error_code.INVALID_CREATE_REQUEST),
                f"weir's cluster does not create {req.label} objects through Fluvio's API")
        code, message = self._check_topic(req.name, req.topic)
        if code == error_code.NONE and not req.dry_run:
            code, message = await self._create_topic(req.name, req.topic)
        return admin.encode_status(req.name, ErrorCode(code), message)

    def _check_topic(self, name: str, spec: TopicRequest) -> tuple[int, str | None]:
        """Fluvio's validation of a new topic, for a single-SPU cluster."""
        problem = name_problem("topic", name)
        if problem:
            return error_code.TOPIC_INVALID_NAME, f"Invalid topic name: '{name}'. {problem}"
        if any(t.name == name for t in self.hub.objects(TOPIC)):
            return error_code.TOPIC_ALREADY_EXISTS, f"Topic '{name}' already exists"
        if spec.mirror:
            return (error_code.TOPIC_INVALID_REPLICA_TYPE,
                    "mirror topics are not supported by weir's cluster")
        if spec.deduplication:
            return (error_code.TOPIC_INVALID_CONFIGURATION,
                    "topic deduplication is not supported by weir's cluster")
        if spec.system:
            return (error_code.TOPIC_INVALID_CONFIGURATION,
                    "weir's cluster does not create system topics")
        if spec.assigned is not None:
            ids = sorted(p for p, _ in spec.assigned)
            if ids != list(range(len(ids))):
                return error_code.TOPIC_ERROR, ("assigned partitions must be numbered "
                                                f"0..n-1, not {ids}")
            for p, replicas in spec.assigned:
                unknown = [s for s in replicas if s != SPU_ID]
                if unknown or not replicas:
                    return error_code.TOPIC_ERROR, (
                        f"partition {p}: replicas {list(replicas)} must be [{SPU_ID}], "
                        "the cluster's only SPU")
        elif spec.replication_factor > 1:
            return error_code.TOPIC_ERROR, (
                f"replication factor {spec.replication_factor} needs as many SPUs; weir's "
                "cluster has one (use 1)")
        if not 1 <= spec.partitions <= MAX_PARTITIONS:
            return error_code.TOPIC_ERROR, (f"a topic needs between 1 and {MAX_PARTITIONS} "
                                            f"partitions, not {spec.partitions}")
        if spec.retention_s == 0:
            return (error_code.TOPIC_INVALID_CONFIGURATION,
                    "the retention time must be positive")
        if spec.max_partition_size == 0:
            return (error_code.TOPIC_INVALID_CONFIGURATION,
                    "the maximum partition size must be positive")
        return error_code.NONE, None

    async def _create_topic(self, name: str, spec: TopicRequest) -> tuple[int, str | None]:
        store_spec = TopicSpec(
            name, spec.partitions,
            retention_ms=spec.retention_s * 1000 if spec.retention_s else None,
            segment_bytes=spec.max_partition_size)
        try:
            await self.backend.create_topic(store_spec)
        except WeirError as exc:
            code = (error_code.TOPIC_ALREADY_EXISTS if "already exists" in exc.message
                    else error_code.TOPIC_ERROR)
            return code, exc.message
        await self.refresh()  # every watch hears of it before the client gets its answer
        return error_code.NONE, None

    async def _delete(self, conn: Connection, header: RequestHeader, r: Reader) -> bytes:
        req = admin.decode_delete(r, header.api_version)
        if req.label == SMARTMODULE:
            code, message = await self.backend.delete_smartmodule(req.key)
            if code.ok:
                await self.refresh()
            return admin.encode_status(req.key, code, message)
        if req.label != TOPIC:
            return admin.encode_status(
                req.key, ErrorCode(error_code.INVALID_DELETE_REQUEST),
                f"weir's cluster does not delete {req.label} objects through Fluvio's API")
        if any(t.name == req.key for t in SYSTEM_TOPICS):
            return admin.encode_status(req.key, ErrorCode(
                error_code.SYSTEM_SPEC_DELETION_ATTEMPT, message="topic", name=req.key))
        try:
            await self.backend.delete_topic(req.key)
        except NotFound:
            return admin.encode_status(req.key, ErrorCode(error_code.TOPIC_NOT_FOUND),
                                       "not found")
        except WeirError as exc:
            return admin.encode_status(req.key, ErrorCode(error_code.TOPIC_ERROR),
                                       exc.message)
        await self.refresh()
        return admin.encode_status(req.key, error_code.OK)

    async def _list(self, conn: Connection, header: RequestHeader, r: Reader) -> bytes:
        req = admin.decode_list(r, header.api_version)
        objects: list[MetadataObject]
        if req.label in (TOPIC, PARTITION):
            topics, partitions = topic_objects(await self.backend.topics())
            chosen = topics if req.label == TOPIC else partitions
            objects = [o for o in chosen if o.system == req.system]
        elif req.label == SPU:
            objects = [self.spu]
        elif req.label == SMARTMODULE:
            objects = list(await self.backend.smartmodules(full=not req.summary))
        else:
            objects = []  # CustomSpu, SpuGroup, TableFormat, ...: none in weir's cluster
        if req.names and req.label == SMARTMODULE:  # Fluvio matches a module's name
            objects = [o for o in objects if any(_module_matches(n, o.name)
                                                 for n in req.names)]
        elif req.names:  # and any object whose name contains a filter
            objects = [o for o in objects if any(n in o.name for n in req.names)]
        return admin.encode_list(req.label, objects, header.api_version)

    async def _watch(self, conn: Connection, header: RequestHeader, r: Reader) -> None:
        req = admin.decode_watch(r, header.api_version)
        self.hub.watch(req.label, conn, header.correlation_id, header.api_version)
        return None
