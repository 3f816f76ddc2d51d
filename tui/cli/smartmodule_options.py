"""SmartModule options shared by `weir consume` and `weir produce` (as fluvio's), and the
chain they build. wasmtime is imported only when one of the options is given."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace

import click

from tui.cli.completion import complete_smartmodules


def smartmodule_options(func):
    """--smartmodule, --smartmodule-path, --transforms-file, --transforms-line, -e/--params,
    --aggregate-initial."""
    options = [
        click.option("--smartmodule", "sm_name", metavar="NAME",
                     shell_complete=complete_smartmodules,
                     help="Apply a registered SmartModule (or a path to a .wasm)."),
        click.option("--smartmodule-path", "sm_path", type=click.Path(dir_okay=False),
                     help="Apply the SmartModule in this .wasm file."),
        click.option("--transforms-file", "sm_transforms", type=click.Path(dir_okay=False),
                     help="Apply a chain: YAML with a `transforms:` list."),
        click.option("--transforms-line", "sm_lines", multiple=True, metavar="JSON|YAML",
                     help="Apply one transform given inline, as an entry of a `transforms:` "
                     "list, e.g. '{\"uses\": \"my-map\", \"with\": {\"k\": \"v\"}}' "
                     "(repeat for a chain)."),
        click.option("-e", "--params", "sm_params", multiple=True, metavar="KEY=VALUE",
                     help="A param for the SmartModule's init (repeatable)."),
        click.option("--aggregate-initial", "sm_initial", metavar="VALUE",
                     help="Initial accumulator of an aggregate SmartModule."),
    ]
    for option in reversed(options):
        func = option(func)
    return func


@dataclass
class ChainChoice:
    name: str | None
    path: str | None
    transforms_file: str | None
    params: tuple[str, ...]
    initial: str | None
    lines: tuple[str, ...] = ()

    @property
    def wanted(self) -> bool:
        return bool(self.name or self.path or self.transforms_file or self.lines)

    def check(self) -> None:
        """Usage mistakes (exit 2) before any input is read."""
        given = [o for o, v in (("--smartmodule", self.name), ("--smartmodule-path", self.path),
                                ("--transforms-file", self.transforms_file),
                                ("--transforms-line", self.lines)) if v]
        if len(given) > 1:
            raise click.UsageError(f"{' and '.join(given)} cannot be used together")
        if not given and (self.params or self.initial is not None):
            raise click.UsageError("-e/--params and --aggregate-initial need --smartmodule, "
                                   "--smartmodule-path or --transforms-file")
        if (self.transforms_file or self.lines) and self.params:
            raise click.UsageError("-e applies to one module; with --transforms-file or "
                                   "--transforms-line give params with `with:`")
        for item in self.params:
            if "=" not in item or item.startswith("="):
                raise click.UsageError(f"-e expects KEY=VALUE, got `{item}`")

    def build(self, *, lookback: Callable | None = None, log: Callable | None = None):
        """The chain (imports wasmtime), or None when no SmartModule option was given."""
        if not self.wanted:
            return None
        from pathlib import Path

        from smartmodules.chain import build_chain
        from smartmodules.spec import TransformSpec

        initial = self.initial.encode() if self.initial is not None else None
        base_dir = None
        if self.transforms_file or self.lines:
            from smartmodules.transforms_file import load_transforms_file, parse_transform_line

            if self.transforms_file:
                specs = load_transforms_file(self.transforms_file)
                base_dir = Path(self.transforms_file).parent
            else:
                specs = [parse_transform_line(t, i) for i, t in enumerate(self.lines, 1)]
            if initial is not None:
                specs = [replace(s, aggregate_initial=initial) for s in specs]
        else:
            uses = self.name or str(Path(self.path).absolute())
            params = dict(item.split("=", 1) for item in self.params)
            specs = [TransformSpec(uses=uses, params=params, aggregate_initial=initial)]
        return build_chain(specs, lookback=lookback, log=log or _log, base_dir=base_dir)


def _log(module: str, line: str) -> None:
    from tui.cli.output import info

    info(f"[{module}] {line}")


def chain_choice(sm_name, sm_path, sm_transforms, sm_params, sm_initial,
                 sm_lines=()) -> ChainChoice:
    choice = ChainChoice(sm_name, sm_path, sm_transforms, tuple(sm_params), sm_initial,
                         tuple(sm_lines))
    choice.check()
    return choice


def topic_lookback(topic: str, partition: int | None = None,
                   all_partitions: bool = False) -> Callable:
    """look_back records from the topic: the last `last` records (and those younger than
    `age`) of the partition read (or all of them), oldest first."""

    def lookback(spec) -> list:
        import time

        from runtime.topics import open_store
        from runtime.topics.consume import resolve_partitions

        last = spec.lookback_last
        store = open_store()
        try:
            partitions = resolve_partitions(store, topic, partition, all_partitions)
            found = []
            for p in partitions:
                end = store.latest_offset(topic, p)
                begin = store.earliest_offset(topic, p)
                start = begin if last is None else max(begin, end - last)
                offset = start
                while offset < end:
                    batch = store.read(topic, p, offset, 1000)
                    if not batch:
                        break
                    found.extend(batch)
                    offset = batch[-1].offset + 1
        finally:
            store.close()
        found.sort(key=lambda r: (r.timestamp, r.partition, r.offset))
        if spec.lookback_age_ms is not None:
            now = int(time.time() * 1000)
            found = [r for r in found if now - r.timestamp <= spec.lookback_age_ms]
        if last is not None:
            found = found[-last:] if last else []
        return found

    return lookback
