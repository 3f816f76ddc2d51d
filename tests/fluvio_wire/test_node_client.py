"""The official Node client (`@fluvio/client`, the same Rust crates through node-bindgen)
against a real `weir cluster start`: admin, produce, live consume, both ways with weir.

npm installs it here with `--ignore-scripts`: its postinstall compiles its TypeScript
wrapper with a `tsc` it does not depend on (plain `npm install` fails on a machine without
TypeScript), so the fixture installs typescript beside it and compiles the wrapper itself.
The native module ships in the package (dist/linux/index.node); nothing is downloaded at
run time."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

NODE_CLIENT = "@fluvio/client@0.14.9"
NODE_TIMEOUT_S = 90


@pytest.fixture(scope="module")
def node_client(tmp_path_factory) -> Path:
    """A directory whose node_modules holds the built Node client."""
    if shutil.which("node") is None or shutil.which("npm") is None:
        pytest.skip("node and npm are not installed")
    where = tmp_path_factory.mktemp("node-client")
    installed = subprocess.run(
        ["npm", "install", "--ignore-scripts", "--no-audit", "--no-fund", NODE_CLIENT,
         "typescript@5", "@types/node@20"],
        cwd=where, capture_output=True, text=True, timeout=300)
    if installed.returncode != 0:  # no registry reachable: not something weir can fix
        pytest.skip(f"npm cannot install {NODE_CLIENT}: "
                    f"{installed.stderr.strip().splitlines()[-1:]}")
    package = where / "node_modules" / "@fluvio" / "client"
    built = subprocess.run([str(where / "node_modules" / ".bin" / "tsc"), "-p", str(package)],
                           capture_output=True, text=True, timeout=120)
    assert built.returncode == 0, built.stdout + built.stderr
    return where


def run_node(node_client: Path, cluster, code: str) -> object:
    """Run `code` (inside an async function; `fluvio` is connected to the cluster's SC,
    `Offset` imported) and return the JSON it prints on its last line."""
    host, port = cluster.sc.rsplit(":", 1)
    script = f"""
const Fluvio = require('@fluvio/client').default
const {{ Offset }} = require('@fluvio/client')
async function main() {{
  const fluvio = await Fluvio.connect({{ host: {json.dumps(host)}, port: {int(port)} }})
{code}
}}
main().then(() => process.exit(0), e => {{ console.error(e); process.exit(1) }})
"""
    try:
        done = subprocess.run(["node", "-e", script], cwd=node_client, capture_output=True,
                              text=True, timeout=NODE_TIMEOUT_S,
                              env={**os.environ, **cluster.env})
    except subprocess.TimeoutExpired as exc:
        pytest.fail(f"the Node client hung for {NODE_TIMEOUT_S}s:\n{exc.stdout}\n{exc.stderr}")
    assert done.returncode == 0, f"node failed:\n{done.stdout}\n{done.stderr}"
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_the_node_client_creates_produces_and_consumes(node_client, cluster):
    out = run_node(node_client, cluster, """
  const admin = await fluvio.admin()
  await admin.createTopic('from-node')
  const producer = await fluvio.topicProducer('from-node')
  for (let i = 0; i < 100; i++) await producer.send(`k${i}`, `node-${i}`)
  await producer.flush()
  const stream = await (await fluvio.partitionConsumer('from-node', 0))
    .createStream(Offset.FromBeginning())
  const seen = []
  for await (const record of stream) {
    seen.push([record.keyString(), record.valueString()])
    if (seen.length === 100) break
  }
  console.log(JSON.stringify(seen))
""")
    assert out == [[f"k{i}", f"node-{i}"] for i in range(100)]
    consumed = cluster.weir("consume", "from-node", "-B", "-d", "-k")
    assert consumed.returncode == 0, consumed.stderr
    assert consumed.stdout.splitlines() == [f"[k{i}] node-{i}" for i in range(100)]


def test_a_record_weir_produces_later_streams_to_a_waiting_node_consumer(node_client,
                                                                         cluster):
    assert cluster.weir("topic", "create", "to-node").returncode == 0
    host, port = cluster.sc.rsplit(":", 1)
    script = f"""
const Fluvio = require('@fluvio/client').default
const {{ Offset }} = require('@fluvio/client')
async function main() {{
  const fluvio = await Fluvio.connect({{ host: {json.dumps(host)}, port: {int(port)} }})
  const stream = await (await fluvio.partitionConsumer('to-node', 0))
    .createStream(Offset.FromEnd())
  console.log('ready')
  for await (const record of stream) {{
    console.log(JSON.stringify(record.valueString()))
    break
  }}
}}
main().then(() => process.exit(0), e => {{ console.error(e); process.exit(1) }})
"""
    consumer = subprocess.Popen(["node", "-e", script], cwd=node_client, text=True,
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                env={**os.environ, **cluster.env})
    try:
        assert consumer.stdout.readline().strip() == "ready", consumer.stderr.read()
        produced = cluster.weir("produce", "to-node", input="produced-later\n")
        assert produced.returncode == 0, produced.stderr
        out, err = consumer.communicate(timeout=NODE_TIMEOUT_S)
    finally:
        consumer.kill()
    assert consumer.returncode == 0, err
    assert out.strip() == '"produced-later"'
