"""Finds markup the Content-Security-Policy would refuse to run: inline script, inline event
handlers, ``javascript:`` URLs, inline styles. JSON data blocks are data, not script."""

from __future__ import annotations

from html.parser import HTMLParser

DATA_TYPES = {"application/json", "application/ld+json"}


class InlineCode(HTMLParser):
    """Feed it HTML (or a Jinja template); ``found`` lists what a strict policy would block."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[str] = []
        self._script: str | None = None        # the open inline script's opening tag

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        where = f"<{tag} {' '.join(name for name, _ in attrs)}>"
        values = dict(attrs)
        for name, value in attrs:
            if name.startswith("on"):
                self.found.append(f"event handler {name}= in {where}")
            if value and value.strip().lower().startswith("javascript:"):
                self.found.append(f"javascript: URL in {where}")
        if "style" in values:
            self.found.append(f"style= attribute in {where}")
        if tag == "style":
            self.found.append("<style> element")
        if tag == "script" and "src" not in values and (values.get("type") or "") not in DATA_TYPES:
            self._script = where

    def handle_data(self, data: str) -> None:
        if self._script is not None and data.strip():
            self.found.append(f"inline script in {self._script}: {data.strip()[:60]}")

    def handle_endtag(self, tag: str) -> None:
        if tag == "script":
            self._script = None


def inline_code(html: str) -> list[str]:
    parser = InlineCode()
    parser.feed(html)
    parser.close()
    return parser.found
