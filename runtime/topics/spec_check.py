"""What makes a topic spec valid, checked before anything is written: shared by every
backend's `create_topic`, `weir topic create --dry-run` and `topic add-partition`."""

from __future__ import annotations

from runtime.errors import WeirError
from runtime.topics.limits import MAX_INT64, MAX_PARTITIONS
from runtime.topics.store import TopicSpec


def check_spec(spec: TopicSpec) -> None:
    """Raise WeirError naming what is wrong with `spec` (its name, partitions, limits)."""
    from runtime.config.names import validate_name

    validate_name("topic", spec.name)
    check_partitions(spec.partitions)
    for label, value in (("retention time", spec.retention_ms),
                         ("segment size", spec.segment_bytes)):
        if value is not None and not 0 < value <= MAX_INT64:
            raise WeirError(f"the {label} must be from 1 to {MAX_INT64}, not {value}")


def check_partitions(total: object) -> None:
    if not isinstance(total, int) or not 1 <= total <= MAX_PARTITIONS:
        raise WeirError(
            f"a topic needs between 1 and {MAX_PARTITIONS} partitions, not {total}")
