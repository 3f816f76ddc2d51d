"""Install a connector plugin for a test the way pip leaves it: a package beside a
`*.dist-info` with its `weir.connectors` entry points, on PYTHONPATH (no network, no
change to the test environment)."""

from __future__ import annotations

import os
import textwrap
from pathlib import Path

COUNTER_SOURCE = '''
from runtime.connectors.kit import Field, Parameters, ProduceRecord, Secret, Source, seconds


class CounterParams(Parameters):
    """Counts up from `start`."""

    prefix: str = Field("n", description="text before each number")
    start: int = Field(0, ge=0, description="the first number")
    every: str = Field("10ms", description="time between records")
    token: Secret | None = Field(None, description="an API token, to test secrets")


class CounterSource(Source):
    type = "counter-source"
    Params = CounterParams
    summary = "count up, one record each `every`"

    async def run(self, emit):
        import asyncio

        n = self.params.start
        while True:
            await emit([ProduceRecord(f"{self.params.prefix}{n}".encode())])
            n += 1
            await asyncio.sleep(seconds(self.params.every))
'''

UPPER_SINK = '''
import json

from runtime.connectors.kit import Field, Parameters, RecordError, Sink


class CollectParams(Parameters):
    path: str = Field(description="file the records are appended to", examples=["out.txt"])


class CollectSink(Sink):
    """Append each record's value, upper-cased, to a file; `bad` records are refused."""

    type = "collect-sink"
    Params = CollectParams

    async def open(self):
        self.file = open(self.params.path, "ab")

    async def close(self):
        self.file.close()

    async def write(self, record):
        if record.value == b"bad":
            raise RecordError("the value `bad` is refused")
        self.file.write(record.value.upper() + b"\\n")
        self.file.flush()
'''

BROKEN = '''
import no_such_module_anywhere  # noqa: F401
'''


def install(root: Path, dist: str, modules: dict[str, str], entry_points: dict[str, str]
            ) -> Path:
    """Write `modules` (name -> source) and a dist-info declaring `entry_points` (type ->
    `module:Class`) under `root`; return `root` for PYTHONPATH."""
    root.mkdir(parents=True, exist_ok=True)
    for name, source in modules.items():
        (root / f"{name}.py").write_text(textwrap.dedent(source))
    info = root / f"{dist.replace('-', '_')}-0.1.0.dist-info"
    info.mkdir(exist_ok=True)
    (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {dist}\nVersion: 0.1.0\n")
    lines = "".join(f"{k} = {v}\n" for k, v in entry_points.items())
    (info / "entry_points.txt").write_text(f"[weir.connectors]\n{lines}")
    return root


def env_with(*paths: Path) -> dict[str, str]:
    parts = [str(p) for p in paths]
    if os.environ.get("PYTHONPATH"):
        parts.append(os.environ["PYTHONPATH"])
    return {"PYTHONPATH": os.pathsep.join(parts)}


def standard(tmp: Path) -> Path:
    return install(tmp / "plugins", "acme-connectors",
                   {"acme_counter": COUNTER_SOURCE, "acme_collect": UPPER_SINK,
                    "acme_broken": BROKEN},
                   {"counter-source": "acme_counter:CounterSource",
                    "collect-sink": "acme_collect:CollectSink",
                    "broken-source": "acme_broken:BrokenSource"})
