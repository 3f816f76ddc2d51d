"""`weir smartmodule dev`: the prototyping loop. Watch a crate, rebuild on save, run the
samples through the engine and show what changed since the last run.

Watching is mtime polling of the crate's sources (*.rs, *.toml; not target/ or Cargo.lock,
which the build itself writes)
and the samples file: a few dozen stat calls per tick, cheap enough at 2 per second and
needing no inotify dependency. A failed build or a module error is shown and the loop keeps
waiting for the next save; only Ctrl-C ends it.
"""

from __future__ import annotations

import difflib
import os
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from runtime.errors import WeirError
from runtime.human import human_size, plural
from runtime.topics.record import Record

SOURCE_SUFFIXES = (".rs", ".toml")
IGNORED_DIRS = {"target", ".git", "node_modules", "__pycache__", "build", "dist"}


@dataclass(frozen=True, slots=True)
class RunOutput:
    """The samples' result: one line per output record value, and the error, if any."""

    lines: list[str]
    error: str | None = None


@dataclass(frozen=True, slots=True)
class Change:
    """One difference between two runs: kind is "added", "removed" or "changed"; line
    numbers are 1-based positions in the old and new output."""

    kind: str
    old_line: int | None
    new_line: int | None
    old: str | None
    new: str | None


def read_samples(path: Path, *, raw: bool = False) -> list[bytes]:
    """One record per line (without its line ending), or the whole file as one record."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise WeirError(f"{path}: cannot read the samples file: {exc.strerror or exc}",
                        hint="give one sample record per line with --file") from exc
    if raw:
        return [data]
    lines = data.split(b"\n")
    if lines and lines[-1] == b"":
        lines.pop()
    return [line[:-1] if line.endswith(b"\r") else line for line in lines]


def diff_outputs(old: Sequence[str], new: Sequence[str]) -> list[Change]:
    """What changed between two runs' output lines, as a reader wants it: replaced lines
    paired up as "changed", the rest added or removed."""
    changes: list[Change] = []
    matcher = difflib.SequenceMatcher(a=list(old), b=list(new), autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            continue
        paired = min(i2 - i1, j2 - j1) if tag == "replace" else 0
        for k in range(paired):
            changes.append(Change("changed", i1 + k + 1, j1 + k + 1, old[i1 + k], new[j1 + k]))
        for i in range(i1 + paired, i2):
            changes.append(Change("removed", i + 1, None, old[i], None))
        for j in range(j1 + paired, j2):
            changes.append(Change("added", None, j + 1, None, new[j]))
    return changes


class SourceWatcher:
    """Remembers the mtimes of a crate's sources (and extra files) and says when any
    changed, appeared or disappeared."""

    def __init__(self, crate_dir: Path | None, extra: Sequence[Path] = (),
                 suffixes: tuple[str, ...] = SOURCE_SUFFIXES) -> None:
        self.crate_dir = crate_dir
        self.extra = [Path(p) for p in extra]
        self.suffixes = suffixes
        self._last = self.snapshot()

    def _sources(self) -> list[Path]:
        found: list[Path] = []
        if self.crate_dir is None:  # only the extra files
            return found
        for root, dirs, files in os.walk(self.crate_dir):
            dirs[:] = [d for d in dirs if d not in IGNORED_DIRS and not d.startswith(".")
                       or d == ".cargo"]
            for name in files:
                if name.endswith(self.suffixes):
                    found.append(Path(root) / name)
        return found

    def snapshot(self) -> dict[Path, tuple[int, int]]:
        stamps: dict[Path, tuple[int, int]] = {}
        for path in [*self._sources(), *self.extra]:
            try:
                st = path.stat()
            except OSError:
                continue
            stamps[path] = (st.st_mtime_ns, st.st_size)
        return stamps

    def changed(self) -> list[Path]:
        """The paths that differ since the last call (empty when nothing did)."""
        now = self.snapshot()
        paths = sorted({p for p in now.keys() | self._last.keys()
                        if now.get(p) != self._last.get(p)})
        self._last = now
        return paths


def run_samples(wasm: Path | str, samples: Sequence[bytes], *,
                params: dict[str, str] | None = None,
                aggregate_initial: bytes | None = None) -> RunOutput:
    """Run the samples through a fresh instance of the module (a .wasm path or a registered
    name) in weir's engine."""
    from smartmodules.chain import build_chain
    from smartmodules.spec import TransformSpec

    spec = TransformSpec(uses=str(wasm), params=dict(params or {}),
                         aggregate_initial=aggregate_initial)
    now = int(time.time() * 1000)
    records = [Record(offset=i, timestamp=now, key=None, value=value)
               for i, value in enumerate(samples)]
    try:
        chain = build_chain([spec], use_cache=False)
    except WeirError as exc:
        return RunOutput(lines=[], error=_error_text(exc))
    try:
        result = chain.process(records, base_offset=0, base_timestamp=now)
    except WeirError as exc:
        return RunOutput(lines=[], error=_error_text(exc))
    finally:
        chain.close()
    lines = [r.value.decode("utf-8", errors="replace") for r in result.records]
    return RunOutput(lines=lines, error=_error_text(result.error) if result.error else None)


def _error_text(error: WeirError) -> str:
    return error.message + (f" ({error.hint})" if error.hint else "")


Emit = Callable[[str], None]


@dataclass
class DevLoop:
    """State of one `weir smartmodule dev` session; `step()` does one poll."""

    crate_dir: Path
    samples_path: Path
    emit: Emit
    params: dict[str, str] = field(default_factory=dict)
    aggregate_initial: bytes | None = None
    raw: bool = False
    release: bool = True
    build_output: Callable[[str], None] | None = None
    runner: Callable[..., RunOutput] = run_samples
    previous: RunOutput | None = None
    runs: int = 0

    def __post_init__(self) -> None:
        self.watcher = SourceWatcher(self.crate_dir, extra=[self.samples_path])
        self.artifact: Path | None = None

    def rebuild(self) -> bool:
        from smartmodules.build import build_crate

        try:
            result = build_crate(self.crate_dir, release=self.release, output=self.build_output,
                                 color=False if self.build_output else None)
        except WeirError as exc:
            self.emit(f"build failed: {exc.message}" + (f"\n  hint: {exc.hint}" if exc.hint
                                                          else ""))
            self.emit("waiting for changes...")
            return False
        self.artifact = result.artifact
        self.emit(f"[{time.strftime('%H:%M:%S')}] built {result.artifact.name} "
                  f"({human_size(result.size)}) in {result.seconds:.1f}s")
        return True

    def rerun(self) -> RunOutput | None:
        if self.artifact is None:
            return None
        try:
            samples = read_samples(self.samples_path, raw=self.raw)
        except WeirError as exc:
            self.emit(f"error: {exc.message}")
            return None
        output = self.runner(self.artifact, samples, params=self.params,
                             aggregate_initial=self.aggregate_initial)
        self.runs += 1
        self.report(output, len(samples))
        self.previous = output
        return output

    def report(self, output: RunOutput, sample_count: int) -> None:
        head = (f"run {self.runs}: {plural(sample_count, 'sample')} -> "
                f"{plural(len(output.lines), 'record')}")
        if self.previous is None:
            self.emit(head)
            for n, line in enumerate(output.lines, 1):
                self.emit(f"  {n:>3}  {line}")
        else:
            changes = diff_outputs(self.previous.lines, output.lines)
            counts = {kind: sum(1 for c in changes if c.kind == kind)
                      for kind in ("changed", "added", "removed")}
            if not changes:
                self.emit(f"{head}; output unchanged")
            else:
                self.emit(f"{head}; {counts['changed']} changed, {counts['added']} added, "
                          f"{counts['removed']} removed")
            for change in changes:
                if change.kind == "changed":
                    self.emit(f"~ {change.new_line:>3}  {change.old}  ->  {change.new}")
                elif change.kind == "added":
                    self.emit(f"+ {change.new_line:>3}  {change.new}")
                else:
                    self.emit(f"- {change.old_line:>3}  {change.old}")
        previous_error = self.previous.error if self.previous else None
        if output.error and output.error != previous_error:
            self.emit(f"error: {output.error}")
        elif output.error:
            self.emit(f"error (unchanged): {output.error}")
        elif previous_error:
            self.emit("error fixed")

    def start(self) -> None:
        """The first build and run."""
        if self.rebuild():
            self.rerun()

    def step(self) -> bool:
        """One poll: rebuild and/or rerun if something changed; True if anything ran."""
        changed = self.watcher.changed()
        if not changed:
            return False
        sources = [p for p in changed if p != self.samples_path]
        names = ", ".join(str(p.relative_to(self.crate_dir)) if p.is_relative_to(self.crate_dir)
                          else str(p) for p in changed)
        self.emit(f"changed: {names}")
        if sources or self.artifact is None:
            if not self.rebuild():
                return True
            # Sources edited while cargo ran are picked up by the next poll.
        self.rerun()
        return True

    def run(self, *, interval: float = 0.5, stop: threading.Event | None = None) -> None:
        """Start, then poll until `stop` is set (or Ctrl-C)."""
        stop = stop or threading.Event()
        self.start()
        self.emit("watching for changes (Ctrl-C to stop)")
        while not stop.wait(interval):
            self.step()
