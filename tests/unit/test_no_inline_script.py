"""Every page runs under a policy with no inline script: the templates carry none."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.inline_code import inline_code

TEMPLATES = sorted((Path(__file__).resolve().parents[2] / "templates").glob("*.html"))


def test_there_are_templates_to_scan():
    assert len(TEMPLATES) > 10


@pytest.mark.parametrize("template", TEMPLATES, ids=lambda path: path.name)
def test_no_template_has_inline_script_handlers_or_styles(template):
    assert inline_code(template.read_text(encoding="utf-8")) == []


@pytest.mark.parametrize("html, kind", [
    ('<select onchange="this.form.submit()"></select>', "event handler"),
    ('<a href="#" onClick="window.print()">Print</a>', "event handler"),
    ('<a href=" javascript:alert(1)">x</a>', "javascript: URL"),
    ("<script>alert(1)</script>", "inline script"),
    ('<script type="module">import "x";</script>', "inline script"),
    ("<style>.a { color: red }</style>", "<style>"),
    ('<p style="color: red">x</p>', "style="),
])
def test_the_scan_catches_each_kind_of_inline_code(html, kind):
    (found,) = inline_code(html)
    assert kind in found


def test_json_data_blocks_and_script_files_are_allowed():
    assert inline_code('<script type="application/json" id="i18n">{"a": 1}</script>'
                       '<script src="/static/js/page.js"></script>') == []
