"""The local cluster's costs beside baselines measured in the same run.

    python bench/cluster.py [--rounds N] [--requests N]

Figures:
  cold start        spawn `python -m runtime.connectors.run_main` by hand until its first
                    record is in the topic (the baseline for any restart)
  crash recovery    SIGKILL a managed connector until its successor's first record
                    (backoff 0.5s included, as configured by default)
  GET /health       the API round trip with nothing to do (the baseline for requests)
  GET /connectors   what `connector list` asks the daemon for, with one connector
"""

from __future__ import annotations

import argparse
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

CONFIG = """\
apiVersion: 0.1.0
meta:
  version: 0.1.0
  name: bench-gen
  type: generator-source
  topic: bench
generator:
  template: '{"n": {{n}}}'
  rate: 50
"""


def latest(topic: str) -> int:
    from runtime.errors import NotFound
    from runtime.topics import open_store

    store = open_store()
    try:
        return store.latest_offset(topic, 0)
    except NotFound:
        return 0
    finally:
        store.close()


def wait_beyond(offset: int, timeout: float = 60.0) -> float:
    deadline = time.perf_counter() + timeout
    while time.perf_counter() < deadline:
        if latest("bench") > offset:
            return time.perf_counter()
        time.sleep(0.005)
    raise SystemExit("no record arrived in time")


def cold_start(config: Path, rounds: int) -> list[float]:
    times = []
    for _ in range(rounds):
        before = latest("bench")
        began = time.perf_counter()
        proc = subprocess.Popen([sys.executable, "-m", "runtime.connectors.run_main",
                                 "--config", str(config)], cwd=REPO,
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        times.append(wait_beyond(before) - began)
        proc.terminate()
        proc.wait()
    return times


def crash_recovery(rounds: int) -> list[float]:
    from runtime.launch.client import ClusterClient

    times = []
    with ClusterClient.connect() as client:
        for _ in range(rounds):
            view = next(v for v in client.list_connectors() if v["name"] == "bench-gen")
            while view["status"] != "Running" or latest("bench") == 0:
                time.sleep(0.05)
                view = next(v for v in client.list_connectors() if v["name"] == "bench-gen")
            time.sleep(0.5)
            began = time.perf_counter()
            os.kill(view["pid"], signal.SIGKILL)
            at_kill = latest("bench")
            times.append(wait_beyond(at_kill) - began)
    return times


def request_ms(call, count: int) -> float:
    call()
    began = time.perf_counter()
    for _ in range(count):
        call()
    return (time.perf_counter() - began) / count * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3, help="starts and kills to time")
    parser.add_argument("--requests", type=int, default=200, help="API requests to time")
    args = parser.parse_args()

    home = Path(tempfile.mkdtemp(prefix="weir-bench-cluster-"))
    os.environ["WEIR_HOME"] = str(home)
    os.environ.pop("WEIR_PROFILE", None)
    config = home / "gen.yaml"
    config.write_text(CONFIG)

    from runtime.launch.client import ClusterClient
    from runtime.launch.cluster import start_cluster, stop_cluster
    from runtime.launch.manage import create_managed

    cold = cold_start(config, args.rounds)
    start_cluster()
    try:
        create_managed(config)
        crash = crash_recovery(args.rounds)
        with ClusterClient.connect() as client:
            health = request_ms(client.health, args.requests)
            listing = request_ms(client.list_connectors, args.requests)
    finally:
        stop_cluster()

    cold_s, crash_s = statistics.median(cold), statistics.median(crash)
    print(f"{'cold start (baseline)':<28}{cold_s * 1000:8.0f} ms  (median of {args.rounds})")
    print(f"{'crash recovery':<28}{crash_s * 1000:8.0f} ms  x{crash_s / cold_s:.2f}")
    print(f"{'GET /health (baseline)':<28}{health:8.2f} ms")
    print(f"{'GET /connectors':<28}{listing:8.2f} ms  x{listing / health:.2f}")


if __name__ == "__main__":
    main()
