"""Background failures become notifications, never a crash (Harlequin's pattern).

Worker state messages do not bubble, so every widget that starts workers mixes this in.
"""

from __future__ import annotations

from textual.worker import Worker, WorkerState

from runtime.errors import WeirError


def describe_error(error: BaseException | None) -> str:
    if isinstance(error, WeirError):
        return error.message + (f"\nhint: {error.hint}" if error.hint else "")
    return f"{type(error).__name__}: {error}"


class ReportsWorkerErrors:
    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        if event.state != WorkerState.ERROR:
            return
        worker = event.worker
        title = (worker.name or worker.group or "background job").replace("_", " ").strip()
        self.notify(describe_error(worker.error), title=title.capitalize(),  # type: ignore[attr-defined]
                    severity="error", timeout=10)
