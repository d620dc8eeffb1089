"""The README and docs/ pages: relative links and anchors resolve, and the README stays a front page.

Plain text checks, no model and no network: run alone with
`python3 -m pytest tests/test_docs.py -q -p no:cacheprovider --noconftest`.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path
from urllib.parse import unquote

import pytest

ROOT = Path(__file__).resolve().parents[1]
README = ROOT / "README.md"
DOCS = ROOT / "docs"
PAGES = [README, *sorted(DOCS.glob("*.md"))]
MAX_README_LINES = 150

# Targets linked before they exist (none today): test_pending_targets_are_still_missing
# says when one has come to exist and should leave this set.
PENDING_TARGETS: set[str] = set()

_FENCE = re.compile(r"^ {0,3}(```|~~~).*?^ {0,3}\1[^\n]*$", re.MULTILINE | re.DOTALL)
_CODE_SPAN = re.compile(r"`[^`\n]*(?:\n(?!\s*\n)[^`\n]*)*`")
# [text](target) or ![alt](target), with one level of brackets allowed in the text and an
# optional "title" after the target.
_LINK = re.compile(r"!?\[((?:[^\[\]]|\[[^\[\]]*\])*)\]\(\s*<?([^)\s>]*)>?(?:\s+\"[^\"]*\")?\s*\)")
_HEADING = re.compile(r"^ {0,3}#{1,6}\s+(.*?)\s*#*\s*$", re.MULTILINE)
_EXTERNAL = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.-]*:")  # http:, https:, mailto:...


def _prose(path: Path) -> str:
    """The page without its code blocks and code spans, where brackets are not links."""
    text = _FENCE.sub("", path.read_text(encoding="utf-8"))
    return _CODE_SPAN.sub("", text)


def _links(path: Path) -> list[str]:
    return [target for _, target in _LINK.findall(_prose(path))]


def _slug(heading: str) -> str:
    """GitHub's anchor for a heading: lower case, punctuation dropped, spaces to hyphens."""
    text = _LINK.sub(r"\1", heading).lower()
    return re.sub(r"[^\w\- ]", "", text).replace(" ", "-")


def _anchors(path: Path) -> set[str]:
    anchors: set[str] = set()
    seen: dict[str, int] = {}
    text = _FENCE.sub("", path.read_text(encoding="utf-8"))
    for heading in _HEADING.findall(text):
        slug = _slug(heading)
        count = seen.get(slug, 0)
        seen[slug] = count + 1
        anchors.add(slug if count == 0 else f"{slug}-{count}")
    return anchors


def _resolve(page: Path, target: str) -> tuple[Path, str]:
    """The file a relative link points to (from the repository root when it starts with /), and its anchor."""
    path, _, anchor = target.partition("#")
    path = unquote(path)
    if not path:
        return page, anchor
    base = ROOT if path.startswith("/") else page.parent
    return (base / path.lstrip("/")).resolve(), anchor


def _relative(path: Path) -> str:
    return path.relative_to(ROOT).as_posix() if path.is_relative_to(ROOT) else str(path)


def _broken_links(page: Path) -> list[str]:
    broken = []
    for target in _links(page):
        if not target or _EXTERNAL.match(target):
            continue
        path, anchor = _resolve(page, target)
        if _relative(path) in PENDING_TARGETS:
            continue
        if not path.exists():
            broken.append(f"{target}: no file {_relative(path)}")
        elif anchor and path.suffix == ".md" and anchor not in _anchors(path):
            broken.append(f"{target}: no heading #{anchor} in {_relative(path)}")
    return broken


@pytest.mark.parametrize("page", PAGES, ids=_relative)
def test_relative_links_and_anchors_resolve(page):
    broken = _broken_links(page)
    assert not broken, "broken links:\n" + "\n".join(broken)


def test_a_missing_file_or_heading_counts_as_a_broken_link(tmp_path, monkeypatch):
    monkeypatch.setattr(sys.modules[__name__], "ROOT", tmp_path)
    (tmp_path / "there.md").write_text("# A page\n\n## Index build speed\n", encoding="utf-8")
    page = tmp_path / "page.md"
    page.write_text(
        "[ok](there.md#index-build-speed) [web](https://example.org/x.md) `[code](nowhere.md)`\n"
        "[gone](missing.md) ![image](missing.png) [bad anchor](there.md#no-such-heading)\n"
        "```\n[in a code block](nowhere.md)\n```\n",
        encoding="utf-8",
    )
    assert _broken_links(page) == [
        "missing.md: no file missing.md",
        "missing.png: no file missing.png",
        "there.md#no-such-heading: no heading #no-such-heading in there.md",
    ]


def test_heading_slugs_follow_github():
    assert _slug("The answer step is fitted: `python -m qa.tools.fit`") == "the-answer-step-is-fitted-python--m-qatoolsfit"
    assert _slug("Retrieval fusion settings (measured 2026-11-30, shipped 2026-12-01)") == (
        "retrieval-fusion-settings-measured-2026-11-30-shipped-2026-12-01"
    )


def test_readme_stays_under_150_lines():
    lines = README.read_text(encoding="utf-8").splitlines()
    assert len(lines) < MAX_README_LINES, f"README.md has {len(lines)} lines: move detail into docs/"


def test_every_docs_page_can_be_reached_from_the_readme():
    reached, todo = {README}, [README]
    while todo:
        page = todo.pop()
        for target in _links(page):
            if _EXTERNAL.match(target):
                continue
            path, _ = _resolve(page, target)
            if path.suffix == ".md" and path.exists() and path not in reached:
                reached.add(path)
                todo.append(path)
    assert [_relative(p) for p in PAGES if p not in reached] == []


@pytest.mark.parametrize("page", PAGES[1:], ids=_relative)
def test_every_docs_page_links_back_to_the_readme(page):
    assert any(_resolve(page, target)[0] == README for target in _links(page))


def test_pending_targets_are_still_missing():
    """A pending target that now exists is checked like any other: remove it from PENDING_TARGETS."""
    assert [target for target in sorted(PENDING_TARGETS) if (ROOT / target).exists()] == []
