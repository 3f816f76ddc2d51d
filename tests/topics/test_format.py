"""The -F template: placeholders, and mistakes named with their column."""

from __future__ import annotations

import pytest

from runtime.errors import WeirError
from runtime.topics.format import template_renderer
from runtime.topics.record import Record


def test_placeholders_render():
    render = template_renderer("{{offset}}:{{ key }} {{value}}", "t")
    record = Record(value=b"v", key=b"k", offset=3, partition=0, timestamp=0)
    assert render(record) == b"3:k v\n"


@pytest.mark.parametrize("template, column", [("{{value", 1), ("x {{value}} {{key", 13),
                                              ("{{ value }", 1)])
def test_unclosed_placeholder_is_an_error(template, column):
    with pytest.raises(WeirError, match=f"unclosed `{{{{` in the format at column {column}"):
        template_renderer(template, "t")
