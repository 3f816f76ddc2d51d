"""`weir connector generate NAME --kind source|sink`: a ready connector plugin package.

It works as written: its test passes, `weir connector test connector.yaml` prints records
(or delivers the samples), and `weir connector install DIR` makes its type known to every
part of Weir. The author then replaces the body of `run` or `write` with the real thing.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from runtime.errors import EnvironmentProblem, WeirError

_NAME = re.compile(r"^[a-z][a-z0-9-]{0,50}[a-z0-9]$")


@dataclass(frozen=True, slots=True)
class Generated:
    path: Path
    type: str
    module: str
    files: tuple[str, ...]


def names(name: str, kind: str) -> tuple[str, str, str]:
    """(type, module, class) for a package NAME: `acme-orders` -> acme-orders-source,
    acme_orders, AcmeOrdersSource."""
    if not _NAME.match(name) or "--" in name:
        raise WeirError(f"`{name}` is not a usable connector name",
                        hint="lowercase letters, digits and '-', starting with a letter, "
                        "e.g. acme-orders")
    base = name.removesuffix(f"-{kind}")
    type_name = f"{base}-{kind}"
    module = base.replace("-", "_") + f"_{kind}"
    cls = "".join(part.capitalize() for part in type_name.split("-"))
    return type_name, module, cls


def generate(name: str, kind: str, directory: Path | None = None) -> Generated:
    type_name, module, cls = names(name, kind)
    root = (directory or Path(name)).resolve()
    if root.exists() and any(root.iterdir()):
        raise EnvironmentProblem(f"{root} already exists and is not empty",
                                 hint="choose another NAME or -o DIR")
    section = type_name.removesuffix(f"-{kind}")
    values = {"name": name, "type": type_name, "module": module, "cls": cls,
              "section": section, "topic": f"{section}-records"}
    files = {
        "pyproject.toml": _PYPROJECT,
        "README.md": _README_SOURCE if kind == "source" else _README_SINK,
        f"{module}/__init__.py": _SOURCE if kind == "source" else _SINK,
        "connector.yaml": _CONFIG_SOURCE if kind == "source" else _CONFIG_SINK,
        f"tests/test_{module}.py": _TEST_SOURCE if kind == "source" else _TEST_SINK,
    }
    if kind == "sink":
        files["samples.txt"] = '{"id": 1, "item": "tea"}\n{"id": 2, "item": "cake"}\n'
    for rel, template in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(_fill(template, values), encoding="utf-8")
    return Generated(root, type_name, module, tuple(files))


def _fill(template: str, values: dict[str, str]) -> str:
    """`<<key>>` placeholders: the templates are full of Python and YAML braces."""
    return re.sub(r"<<(\w+)>>", lambda m: values[m.group(1)], template)


_PYPROJECT = """\
[build-system]
requires = ["setuptools>=64"]
build-backend = "setuptools.build_meta"

[project]
name = "<<name>>"
version = "0.1.0"
description = "<<type>>: a Weir connector"
requires-python = ">=3.11"
dependencies = []  # the libraries your connector needs (Weir itself is already there)

[project.optional-dependencies]
test = ["pytest"]

# This line makes `<<type>>` a connector type of Weir once the package is installed.
[project.entry-points."weir.connectors"]
<<type>> = "<<module>>:<<cls>>"

[tool.setuptools]
packages = ["<<module>>"]
"""

_SOURCE = '''\
"""`<<type>>`: a Weir source connector.

Replace the body of `run` with what reads your system (an API with paging, a queue, a
file); keep emitting batches of `ProduceRecord`s. Weir does the rest: transforms,
batching and linger, metrics, masked logs, and a graceful stop (cancellation of `run`).
"""

from __future__ import annotations

import asyncio
import json

from runtime.connectors.kit import (
    Duration,
    Field,
    Parameters,
    ProduceRecord,
    Secret,
    Source,
    seconds,
)


class <<cls>>Params(Parameters):
    """The `<<section>>:` section of a `<<type>>` config."""

    message: str = Field("hello", description="text of each record")
    interval: Duration = Field("1s", description="time between records: 500ms, 10s, 1m")
    batch: int = Field(1, ge=1, le=10_000, description="records per interval")
    api_key: Secret | None = Field(None, description="a credential: write "
                                   "${{ secrets.API_KEY }}, never the value itself")


class <<cls>>(Source):
    type = "<<type>>"
    Params = <<cls>>Params
    summary = "emit `message` records at `interval`"

    async def run(self, emit) -> None:
        p = self.params
        self.log.info(f"<<type>>: batches of {p.batch} records every {p.interval}")
        n = 0
        while True:
            records = []
            for _ in range(p.batch):
                value = json.dumps({"n": n, "message": p.message})
                records.append(ProduceRecord(value.encode()))
                n += 1
            await emit(records)
            await asyncio.sleep(seconds(p.interval))
'''

_SINK = '''\
"""`<<type>>`: a Weir sink connector.

Replace the body of `write` with what delivers a record to your system. Raise `Retry`
when the destination is down or busy (Weir retries with backoff and never commits the
record before it is delivered) and `RecordError` for a record that can never be
delivered (logged with its offset; skipped or stopping by `on-error`). Override
`deliver(records)` instead to send a whole batch at once.
"""

from __future__ import annotations

import json

from runtime.connectors.kit import Field, Parameters, RecordError, Retry, Sink


class <<cls>>Params(Parameters):
    """The `<<section>>:` section of a `<<type>>` config."""

    path: str = Field(description="file the records are appended to, one JSON line each",
                      examples=["<<section>>-out.jsonl"])
    require_json: bool = Field(True, description="refuse records that are not JSON")


class <<cls>>(Sink):
    type = "<<type>>"
    Params = <<cls>>Params
    summary = "append records to a file as JSON lines"

    async def open(self) -> None:
        try:
            self.out = open(self.params.path, "a", encoding="utf-8")
        except OSError as exc:
            raise Retry(f"cannot open {self.params.path}: {exc.strerror}") from None

    async def close(self) -> None:
        self.out.close()

    async def write(self, record) -> None:
        text = record.value.decode("utf-8", errors="replace")
        if self.params.require_json:
            try:
                json.loads(text)
            except ValueError:
                raise RecordError(f"not JSON: {text[:60]!r}") from None
        try:
            self.out.write(text + "\\n")
            self.out.flush()
        except OSError as exc:
            raise Retry(f"cannot write {self.params.path}: {exc.strerror}") from None
'''

_CONFIG_SOURCE = """\
# A `<<type>>` connector. Check it: weir validate connector.yaml
# Try it:  weir connector test connector.yaml -n 5
apiVersion: 0.1.0
meta:
  version: 0.1.0
  name: my-<<name>>
  type: <<type>>
  topic: <<topic>>
<<section>>:
  message: hello
  interval: 200ms
  batch: 2
"""

_CONFIG_SINK = """\
# A `<<type>>` connector. Check it: weir validate connector.yaml
# Try it:  weir connector test connector.yaml --file samples.txt
apiVersion: 0.1.0
meta:
  version: 0.1.0
  name: my-<<name>>
  type: <<type>>
  topic: <<topic>>
  consumer:
    offset: {strategy: auto, start: beginning}
<<section>>:
  path: <<section>>-out.jsonl
"""

_TEST_SOURCE = '''\
"""Runs the connector through Weir's own harness (`weir connector test` is the same)."""

from pathlib import Path

from runtime.config.load import load_connector
from runtime.connectors.harness import run_test

from <<module>> import <<cls>>

CONFIG = Path(__file__).resolve().parent.parent / "connector.yaml"


def test_it_emits_records():
    outcome = run_test(load_connector(CONFIG), max_records=4, connector=<<cls>>)
    assert outcome.errors == []
    assert outcome.ended == "records"
    assert [r.value for r in outcome.records[:2]] == [
        b'{"n": 0, "message": "hello"}', b'{"n": 1, "message": "hello"}']
'''

_TEST_SINK = '''\
"""Runs the connector through Weir's own harness (`weir connector test` is the same)."""

import dataclasses
from pathlib import Path

from runtime.config.load import load_connector
from runtime.connectors.harness import run_test
from runtime.topics.record import ProduceRecord

from <<module>> import <<cls>>

CONFIG = Path(__file__).resolve().parent.parent / "connector.yaml"


def test_it_delivers_json_and_refuses_the_rest(tmp_path):
    spec = load_connector(CONFIG)
    out = tmp_path / "out.jsonl"
    spec = dataclasses.replace(spec, parameters={**spec.parameters, "path": str(out)})
    samples = [ProduceRecord(b'{"id": 1}'), ProduceRecord(b"oops"), ProduceRecord(b'{"id": 2}')]
    outcome = run_test(spec, samples=samples, connector=<<cls>>)
    assert [r.value for r in outcome.records] == [b'{"id": 1}', b'{"id": 2}']
    assert [r.value for r, _ in outcome.failed] == [b"oops"]
    assert out.read_text() == '{"id": 1}\\n{"id": 2}\\n'
'''

_README_COMMON = """\
## Develop

```bash
weir connector install .                 # pip install -e . into Weir's environment
weir validate connector.yaml             # the config, checked against <<cls>>Params
weir connector test connector.yaml <<test_args>>
weir connector dev connector.yaml <<test_args>>  # again on every save
python -m pytest tests                   # the same harness, in your tests
```

Then run it like any connector: `weir connector run connector.yaml`, managed by the
local cluster (`weir connector create --config connector.yaml`), in Docker (`--docker`), or from
the workbench (`weir`, F2, `n`, pick `<<type>>`).

## Parameters

`<<cls>>Params` in `<<module>>/__init__.py` is the schema of the `<<section>>:` section: its
fields' types, defaults and `description`s are what `weir validate`, `weir config new
<<type>>` and the editor's completion use. A `Secret` field is masked in logs and
`validate` warns when a config writes it in plain text.
"""

_README_SOURCE = """\
# <<name>>: a Weir source connector (`<<type>>`)

`<<module>>/__init__.py` holds `<<cls>>`: its `run(emit)` produces records until Weir stops
it. `emit([...])` hands a batch to Weir's producer (transforms, linger, batch-size).

""" + _README_COMMON.replace("<<test_args>>", "-n 5")

_README_SINK = """\
# <<name>>: a Weir sink connector (`<<type>>`)

`<<module>>/__init__.py` holds `<<cls>>`: its `write(record)` delivers one record; raise
`Retry` for a passing failure, `RecordError` for a record that can never go.
Offsets are committed only after delivery (at-least-once).

""" + _README_COMMON.replace("<<test_args>>", "--file samples.txt")
