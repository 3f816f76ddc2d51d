"""The registry lives in the active profile's store and keeps names exact."""

from __future__ import annotations

import pytest

from runtime.errors import NotFound
from runtime.profiles import Profile, add_profile
from smartmodules import registry
from tests.smartmodules import wat


def test_group_names_and_profile_store(tmp_path, monkeypatch):
    path = wat.write(tmp_path, "filter")
    entry = registry.create("acme/keep@1.2.0", path)
    assert entry.kind == "filter" and registry.get("acme/keep@1.2.0").sha256 == entry.sha256
    assert "acme%2Fkeep@1.2.0" in entry.path
    other = tmp_path / "other-store"
    add_profile(Profile(name="other", data_dir=str(other)))
    monkeypatch.setenv("WEIR_PROFILE", "other")
    assert registry.list_modules() == []
    registry.create("keep", path)
    assert (other / "smartmodules" / "keep" / "module.wasm").is_file()
    monkeypatch.delenv("WEIR_PROFILE")
    assert [e.name for e in registry.list_modules()] == ["acme/keep@1.2.0"]


def test_replace_needs_force_and_delete(tmp_path):
    registry.create("m", wat.write(tmp_path, "filter"))
    with pytest.raises(Exception, match="already exists"):
        registry.create("m", wat.write(tmp_path, "map"))
    assert registry.create("m", wat.write(tmp_path, "map"), force=True).kind == "map"
    registry.delete("m")
    with pytest.raises(NotFound):
        registry.get("m")


def test_damaged_entry_is_named_and_can_be_deleted(tmp_path):
    from pathlib import Path

    from runtime.errors import WeirError

    entry = registry.create("m", wat.write(tmp_path, "filter"))
    (Path(entry.path).parent / "meta.json").write_text("{{{ not json")
    with pytest.raises(WeirError, match="damaged") as info:
        registry.get("m")
    assert not isinstance(info.value, NotFound) and "--force" in info.value.hint
    registry.delete("m")
    with pytest.raises(NotFound):
        registry.get("m")


def test_invalid_name_suggests_a_valid_one():
    with pytest.raises(registry.InvalidName) as info:
        registry.validate_name("Acme/Cat_Map@0.1.0")
    assert info.value.hint == "did you mean `acme/Cat_Map@0.1.0`?"
    with pytest.raises(registry.InvalidName) as info:
        registry.validate_name("acme/Cat_Map@0.1.0")
    assert info.value.hint == "did you mean `acme/cat-map@0.1.0`?"
