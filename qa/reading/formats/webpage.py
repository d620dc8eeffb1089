"""Web pages (.html, .htm): the text a reader sees, without tags, scripts or styles."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

from qa.reading.formats.plain import read as read_plain


def read(data: bytes, path: Path) -> str:
    """A web page's visible text, one paragraph per block element.

    Raises:
        DocumentError: the file's encoding is not recognised (`qa.reading.formats.plain`).
    """
    return page_text(read_plain(data, path))


def page_text(markup: str) -> str:
    """The visible text of HTML markup.

    Example:
        >>> page_text("<p>Hello <b>you</b></p><script>x()</script>")
        'Hello you\\n'
    """
    parser = _Text()
    parser.feed(markup)
    parser.close()
    text = "".join(parser.parts)
    lines = (" ".join(line.split()) for line in text.split("\n"))
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip() + "\n"


class _Text(HTMLParser):
    _SKIP = {"script", "style", "noscript", "template", "head"}
    _BLOCKS = {"p", "div", "br", "li", "h1", "h2", "h3", "h4", "h5", "h6", "tr", "section", "article", "title"}

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._skipping = 0

    def handle_starttag(self, tag, attrs):
        if tag in self._SKIP:
            self._skipping += 1
        elif tag in self._BLOCKS:
            self.parts.append("\n\n")

    def handle_endtag(self, tag):
        if tag in self._SKIP and self._skipping:
            self._skipping -= 1
        elif tag in self._BLOCKS:
            self.parts.append("\n\n")

    def handle_data(self, data):
        if not self._skipping:
            self.parts.append(data)
