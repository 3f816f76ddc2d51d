"""Connector plugins go into the Docker image: each installed plugin becomes a wheel (built
from its source when installed editable), cached until its files change."""

from __future__ import annotations

import json
import zipfile

from runtime.launch import image
from runtime.launch.plugin_wheels import installed_plugins, plugin_wheel
from tests.conftest import REPO
from tests.connectors import plugin_dist

EXAMPLE = REPO / "examples" / "connectors" / "plugins" / "file-source"


def test_an_editable_plugin_is_built_into_a_wheel(tmp_path, monkeypatch):
    site = plugin_dist.install(tmp_path / "site", "weir-file-source", {},
                               {"file-source": "weir_file_source:FileSource"})
    info = next(site.glob("*.dist-info"))
    (info / "direct_url.json").write_text(json.dumps(
        {"url": EXAMPLE.as_uri(), "dir_info": {"editable": True}}))
    monkeypatch.syspath_prepend(str(site))
    plugins = [p for p in installed_plugins() if p.name == "weir-file-source"]
    assert len(plugins) == 1 and plugins[0].source == EXAMPLE
    wheel = plugin_wheel(plugins[0])
    with zipfile.ZipFile(wheel) as zf:
        names = zf.namelist()
        assert "weir_file_source/__init__.py" in names
        entry_points = next(n for n in names if n.endswith("entry_points.txt"))
        assert "file-source = weir_file_source:FileSource" in zf.read(entry_points).decode()
    assert plugin_wheel(plugins[0]) == wheel  # cached: same fingerprint, same wheel
    assert "weir-file-source==0.1.0" in image.dockerfile("base", "pip.whl", "0.1.0",
                                                         (plugins[0].pin,))


def test_weir_itself_is_not_a_plugin():
    assert all(p.name != "weir-workbench" for p in installed_plugins())
