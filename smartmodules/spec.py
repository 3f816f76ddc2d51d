"""What a connector or `smartmodule test` asks of one chain stage, independent of YAML."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True, slots=True)
class TransformSpec:
    """One `transforms[]` entry (or a legacy `map:`/`filter:`... parameter).

    `uses` is a registered name (`name`, `group/name@version`) or a path to a `.wasm` file.
    `params` go to the module's `init`; list and map values arrive already JSON-encoded.
    """

    uses: str
    params: dict[str, str] = field(default_factory=dict)
    lookback_last: int | None = None
    lookback_age_ms: int | None = None
    aggregate_initial: bytes | None = None
