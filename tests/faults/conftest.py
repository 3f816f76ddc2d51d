"""Fault tests run weir as a user would, against real files, disks and processes; the
cluster fixtures (quick restart policy, a teardown that always stops the daemon) are the
launch tests' own."""

from tests.launch.conftest import cluster, quick_supervision, stop_daemons  # noqa: F401
