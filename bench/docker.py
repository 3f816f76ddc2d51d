"""A connector in Docker beside the same connector as a local process, in the same run.

    python bench/docker.py [--records N] [--repeat R] [--base-image IMG]

Both go through the CLI (`weir connector run FILE [--docker]`, foreground) into a fresh
embedded store; the Docker one writes it over a bind mount (SQLite WAL shared with the
host). Each figure is the best of R runs (default 3). Needs a running dockerd and the base
image (default weir-test-base:bookworm, which the tests build); the connector image is
built first if weir changed, and that build is timed separately.

Figures:
  start -> exit, 1 record   what launching costs (process: a Python start; Docker: a container)
  records/s, N records      the generator's own rate from its telemetry (start to last flush)

On a shared machine the container runs in its own cgroup, which the kernel gives a CPU
share of its own, so the Docker rate can come out above the process rate; what the figure
shows is that writing the store over a bind mount costs nothing measurable.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
TEMPLATE = '{"n": {{n}}, "level": "{{choice:info|warn|error}}", "value": {{random_int}}}'


def config(directory: Path, name: str, count: int) -> Path:
    path = directory / f"{name}.yaml"
    path.write_text(
        "apiVersion: 0.1.0\n"
        f"meta:\n  version: 0.1.0\n  name: {name}\n  type: generator-source\n  topic: {name}\n"
        "  producer:\n    linger: 50ms\n    batch-size: 64 KB\n"
        f"generator:\n  template: '{TEMPLATE}'\n  rate: 10000000\n  count: {count}\n"
    )
    return path


def run(home: Path, cfg: Path, docker: bool, base_image: str) -> float:
    args = [sys.executable, "-m", "tui.cli.main", "connector", "run", str(cfg)]
    if docker:
        args += ["--docker", "--base-image", base_image]
    env = {**os.environ, "WEIR_HOME": str(home)}
    started = time.perf_counter()
    proc = subprocess.run(args, capture_output=True, text=True, env=env, cwd=REPO)
    elapsed = time.perf_counter() - started
    if proc.returncode != 0:
        sys.exit(f"{' '.join(args[3:])} failed ({proc.returncode}):\n{proc.stderr[-2000:]}")
    return elapsed


def rate(home: Path, name: str) -> float:
    metrics = json.loads((home / "connectors" / name / "metrics.json").read_text())
    return metrics["records_out"] / (metrics["updated_at"] - metrics["started_at"])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--base-image", default="weir-test-base:bookworm")
    opts = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="weir-bench-docker-") as tmp:
        home = Path(tmp) / "home"
        work = Path(tmp)
        first = run(home, config(work, "warm-up", 1), True, opts.base_image)
        print(f"image ready (built now if weir changed): {first:.1f} s")
        rows = []
        for label, docker in (("process", False), ("docker", True)):
            starts, rates = [], []
            for i in range(opts.repeat):
                starts.append(run(home, config(work, f"{label}-one-{i}", 1), docker,
                                  opts.base_image))
                name = f"{label}-many-{i}"
                run(home, config(work, name, opts.records), docker, opts.base_image)
                rates.append(rate(home, name))
            rows.append((label, min(starts), max(rates)))
        base = rows[0]
        print(f"\n{opts.records:,} records, best of {opts.repeat}")
        print(f"{'mode':<8} {'start -> exit, 1 record':>24} {'records/s':>12} {'vs process':>11}")
        for label, start, best in rows:
            print(f"{label:<8} {start:>22.2f} s {best:>12,.0f} {best / base[2]:>10.2f}x")


if __name__ == "__main__":
    main()
