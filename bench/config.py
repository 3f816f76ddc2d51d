"""Config validation speed beside the raw YAML parse of the same file, in the same run.

    python bench/config.py [FILE] [--seconds S]

Figures (files per second, and the ratio to the baseline):
  yaml.safe_load    pyyaml's own parse of the text (the baseline: no positions, no rules)
  validate_text     positioned load + every rule (what `weir validate` does per file)
  load_connector    validation + building the ConnectorSpec (what `connector run` does)
  weir validate     the whole command in a fresh process (startup included), once
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))


def rate(fn, seconds: float) -> float:
    fn()  # warm up (model building, caches)
    count = 0
    started = time.perf_counter()
    deadline = started + seconds
    while True:
        fn()
        count += 1
        now = time.perf_counter()
        if now >= deadline:
            return count / (now - started)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("file", nargs="?", default=str(REPO / "examples/connectors/cat-facts.yaml"))
    parser.add_argument("--seconds", type=float, default=2.0, help="time per measurement")
    args = parser.parse_args()

    import yaml

    from runtime.config.load import load_connector_text
    from runtime.config.validate import validate_text

    text = Path(args.file).read_text()
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    base = rate(lambda: yaml.load(text, Loader=loader), args.seconds)
    rows = [("yaml.safe_load (baseline)", base)]
    rows.append(("validate_text", rate(lambda: validate_text(text, args.file), args.seconds)))
    rows.append(("load_connector", rate(lambda: load_connector_text(text, args.file, env={}),
                                        args.seconds)))
    import resource

    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    subprocess.run([sys.executable, "-m", "tui.cli.main", "validate", args.file], cwd=REPO,
                   capture_output=True, check=False)
    command = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)

    print(f"{args.file} ({len(text)} bytes)")
    print(f"{'path':<28}{'files/s':>10}{'vs yaml.safe_load':>20}")
    for name, value in rows:
        print(f"{name:<28}{value:>10,.0f}{value / base:>19.2f}x")
    print(f"{'weir validate (process)':<28}{command * 1000:>8.0f}ms wall, {cpu * 1000:.0f}ms CPU "
          "(startup included)")


if __name__ == "__main__":
    main()
