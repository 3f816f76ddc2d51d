"""The parts of Docker launch that need no engine: mounts, users, wheels, errors."""

from __future__ import annotations

import importlib.metadata as metadata
import stat
import zipfile
from pathlib import Path

import pytest

from runtime.errors import EnvironmentProblem
from runtime.launch import docker as launch
from runtime.launch.docker_client import docker_client, unreachable
from runtime.launch.wheelhouse import PythonTarget, repack_installed, wheel_set_hash


def test_mounts_put_every_needed_path_at_its_host_path(tmp_path, weir_home):
    config = tmp_path / "cfg" / "gen.yaml"
    config.parent.mkdir()
    config.write_text("name: gen\n")
    secrets = tmp_path / "secrets.env"
    secrets.write_text("TOKEN=x\n")
    wasm = tmp_path / "filter.wasm"
    wasm.write_bytes(b"\0asm")
    (weir_home / "profiles.json").write_text("{}")
    store = weir_home / "data"
    plan = launch.plan_mounts(config=config, secrets=secrets, name="gen", home=weir_home,
                              store=store, files=[wasm, tmp_path / "missing.wasm"])
    by_target = {m.target: m for m in plan}
    assert all(m.source == m.target for m in plan)
    assert by_target[str(config.resolve())].read_only
    assert by_target[str(secrets.resolve())].read_only
    assert by_target[str(wasm.resolve())].read_only
    assert by_target[str((weir_home / "profiles.json").resolve())].read_only
    assert not by_target[str(store.resolve())].read_only
    assert not by_target[str((weir_home / "connectors" / "gen").resolve())].read_only
    assert str((tmp_path / "missing.wasm").resolve()) not in by_target
    # Other connectors' telemetry and the rest of $WEIR_HOME stay out of the container.
    assert str(weir_home.resolve()) not in by_target


def test_container_never_runs_as_root():
    uid, gid = launch.container_user()
    assert uid != 0 and gid != 0


def test_container_names_differ_per_weir_home(tmp_path):
    a = launch.container_name("gen", tmp_path / "a")
    b = launch.container_name("gen", tmp_path / "b")
    assert a != b and a.startswith("weir-gen-")


def test_docker_times_parse_to_epoch_seconds():
    assert launch._epoch("0001-01-01T00:00:00Z") is None
    assert launch._epoch(None) is None
    assert launch._epoch("2026-11-28T16:18:00.123456789Z") == pytest.approx(
        1795882680.123456, abs=1e-6)


def test_platform_tags_follow_the_base_images_libc():
    glibc = PythonTarget("3.12", "x86_64", "glibc", "2.36").pip_platforms()
    assert glibc[0] == "manylinux_2_36_x86_64" and "manylinux_2_17_x86_64" in glibc
    assert "manylinux2014_x86_64" in glibc and "manylinux1_x86_64" in glibc
    old = PythonTarget("3.12", "aarch64", "glibc", "2.12").pip_platforms()
    assert "manylinux2014_aarch64" not in old and "manylinux2010_aarch64" in old
    musl = PythonTarget("3.12", "x86_64", "musl", "1.2").pip_platforms()
    assert musl == ["musllinux_1_2_x86_64", "musllinux_1_1_x86_64", "musllinux_1_0_x86_64"]
    assert PythonTarget.host().matches_host()
    assert not PythonTarget("3.99", PythonTarget.host().machine).matches_host()


def _wheel(path: Path, files: dict[str, bytes], when: tuple) -> Path:
    with zipfile.ZipFile(path, "w") as zf:
        for name, data in files.items():
            zf.writestr(zipfile.ZipInfo(name, when), data)
    return path


def test_wheel_set_hash_ignores_zip_timestamps_but_not_content(tmp_path):
    files = {"pkg/__init__.py": b"x = 1\n", "pkg-1.0.dist-info/RECORD": b"pkg/__init__.py,,\n"}
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    a = _wheel(tmp_path / "a" / "pkg-1.0-py3-none-any.whl", files, (2020, 1, 1, 0, 0, 0))
    b = _wheel(tmp_path / "b" / "pkg-1.0-py3-none-any.whl", files, (2024, 6, 1, 0, 0, 0))
    assert wheel_set_hash([a]) == wheel_set_hash([b])
    changed = {**files, "pkg-1.0.dist-info/RECORD": b"pkg/__init__.py,sha256=zz,6\n"}
    (tmp_path / "c").mkdir()
    c = _wheel(tmp_path / "c" / "pkg-1.0-py3-none-any.whl", changed, (2020, 1, 1, 0, 0, 0))
    assert wheel_set_hash([a]) != wheel_set_hash([c])


def test_an_installed_weir_repacks_into_an_installable_wheel(tmp_path):
    site = tmp_path / "site"
    (site / "runtime").mkdir(parents=True)
    (site / "runtime" / "__init__.py").write_text("__version__ = '9.9'\n")
    (site / "runtime" / "__pycache__").mkdir()
    (site / "runtime" / "__pycache__" / "x.pyc").write_bytes(b"junk")
    info = site / "weir_workbench-9.9.dist-info"
    info.mkdir()
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: weir-workbench\nVersion: 9.9\n")
    (info / "WHEEL").write_text("Wheel-Version: 1.0\nRoot-Is-Purelib: true\nTag: py3-none-any\n")
    (info / "INSTALLER").write_text("pip\n")
    (info / "RECORD").write_text(
        "runtime/__init__.py,,\nruntime/__pycache__/x.pyc,,\n"
        "weir_workbench-9.9.dist-info/METADATA,,\nweir_workbench-9.9.dist-info/WHEEL,,\n"
        "weir_workbench-9.9.dist-info/INSTALLER,,\nweir_workbench-9.9.dist-info/RECORD,,\n"
        "../../../bin/weir,,\n"
    )
    dist = metadata.PathDistribution(info)
    wheel = repack_installed(dist, tmp_path / "out")
    assert wheel.name == "weir_workbench-9.9-py3-none-any.whl"
    with zipfile.ZipFile(wheel) as zf:
        names = set(zf.namelist())
        record = zf.read("weir_workbench-9.9.dist-info/RECORD").decode()
    assert names == {"runtime/__init__.py", "weir_workbench-9.9.dist-info/METADATA",
                     "weir_workbench-9.9.dist-info/WHEEL", "weir_workbench-9.9.dist-info/RECORD"}
    assert "runtime/__init__.py,sha256=" in record


def test_an_unreachable_daemon_is_an_environment_error(monkeypatch, tmp_path):
    monkeypatch.setenv("DOCKER_HOST", f"unix://{tmp_path}/nowhere.sock")
    with pytest.raises(EnvironmentProblem) as err:
        docker_client(timeout=5)
    assert "cannot reach the Docker daemon" in err.value.message
    assert "dockerd" in err.value.hint
    # connector list stays usable without an engine: no Docker connectors, no error.
    assert launch.list_containers() == []


def test_docker_not_installed_says_so(monkeypatch, tmp_path):
    monkeypatch.delenv("DOCKER_HOST", raising=False)
    monkeypatch.setattr("runtime.launch.docker_client.DEFAULT_SOCKET",
                        str(tmp_path / "docker.sock"))
    monkeypatch.setenv("PATH", str(tmp_path))
    problem = unreachable(OSError("No such file or directory"))
    assert "Docker is not installed" in problem.message
    assert "docker.io" in problem.hint


def test_list_does_not_touch_docker_without_an_engine(monkeypatch, tmp_path):
    monkeypatch.delenv("DOCKER_HOST", raising=False)
    monkeypatch.setattr(launch, "DEFAULT_SOCKET", str(tmp_path / "docker.sock"))

    def refuse(*args, **kwargs):
        raise AssertionError("list_containers connected although there is no engine")

    monkeypatch.setattr(launch, "docker_client", refuse)
    assert launch.list_containers() == []


def test_runtime_extras_installed_on_the_host_go_into_the_image(monkeypatch):
    from runtime.launch import wheelhouse
    from runtime.launch.image import dockerfile

    monkeypatch.setattr(wheelhouse, "_installed_on_host", lambda req: False)
    bare = wheelhouse.weir_source()
    assert bare.extras == () and "click" in " ".join(bare.requirements)
    monkeypatch.setattr(wheelhouse, "_installed_on_host", lambda req: True)
    full = wheelhouse.weir_source()
    assert [e.split("=")[0] for e in full.extras] == ["fluvio"]
    recipe = dockerfile("base:1", "pip-24.0-py3-none-any.whl", "0.1.0", full.extras)
    assert '"weir-workbench==0.1.0" "fluvio==' in recipe
    assert "--no-index" in recipe and "USER 10001:10001" in recipe


def test_wasm_transforms_are_found_beside_the_config_or_from_here(tmp_path, monkeypatch):
    config = tmp_path / "cfg" / "c.yaml"
    config.parent.mkdir()
    (config.parent / "beside.wasm").write_bytes(b"\0asm")
    here = tmp_path / "here"
    here.mkdir()
    (here / "local.wasm").write_bytes(b"\0asm")
    monkeypatch.chdir(here)
    found = launch.transform_files(
        ["beside.wasm", "local.wasm", str(here / "local.wasm"), "registered-name",
         "missing.wasm"], config)
    assert found == [(config.parent / "beside.wasm").resolve(), (here / "local.wasm").resolve(),
                     (here / "local.wasm").resolve()]


def test_a_container_of_another_uid_reads_a_copy_of_the_private_profiles(tmp_path, weir_home):
    """profiles.json is 0600; run as root, Weir starts containers as uid 10001, which gets
    its own copy in its connector directory, mounted where profiles.json is."""
    from runtime.profiles import Profile, add_profile

    add_profile(Profile("elsewhere", data_dir=str(tmp_path / "store")))
    conn_dir = weir_home / "connectors" / "gen"
    conn_dir.mkdir(parents=True)
    copy = launch.container_profiles(weir_home, conn_dir)
    assert copy == conn_dir / "profiles.json"
    assert copy.read_bytes() == (weir_home / "profiles.json").read_bytes()
    assert stat.S_IMODE(copy.stat().st_mode) == 0o600
    config = tmp_path / "gen.yaml"
    config.write_text("name: gen\n")
    plan = launch.plan_mounts(config=config, secrets=None, name="gen", home=weir_home,
                              store=None, profiles=copy)
    mount = next(m for m in plan if m.target == str((weir_home / "profiles.json").resolve()))
    assert mount.source == str(copy.resolve()) and mount.read_only
    assert launch.container_profiles(tmp_path / "no-home", conn_dir) is None
