"""The document viewer's page and text views, and its links to the document's original.

A cited PDF opens at its page, as the page image the REST API renders
(`/api/v1/documents/{name}/pages/{n}.png`, `qa.reading.formats.pdf_pages`), with a box over
each line of the cited text where PDFium finds it on the page. The text the answer quoted
stays a click away ("Page / Text", a toggle made of two radio buttons: it works without a
script), its sections ("Page 2", "Slide 3") marked. Every document has a link to open its
original and one to download it. The links are signed (`qa.serving.links`): the page is
shown to a person logged in, whose browser does not hold the REST API's login.
"""

from __future__ import annotations

import html
import logging
from pathlib import Path

from qa.config import Settings
from qa.errors import QAError
from qa.reading.documents import SECTION_KINDS, location_of
from qa.reading.formats.layout import PAGE_BREAK
from qa.reading.formats.pdf_pages import PageBox, find_boxes
from qa.serving.links import document_link
from qa.storing.collection import document_file

logger = logging.getLogger(__name__)

NOT_FOUND_ON_PAGE = (
    "The cited text could not be found on the page image (the page was read by OCR, or its text layer reads "
    "differently): it is highlighted in the Text view."
)


def sectioned_text(name: str, text: str, start: int, end: int) -> str:
    r"""A document's text as HTML, ``text[start:end]`` highlighted, and where it has sections
    (`SECTION_KINDS`: a PDF's pages, slides, sheets, chapters) a line "Page 2" atop each
    one in place of the break between them.

    Example:
        >>> sectioned_text("report.pdf", "One.\n\f\nTwo <b>.", 7, 10)
        "<div class='qa-section'>Page 1</div>One.<div class='qa-section'>Page 2</div><mark>Two</mark> &lt;b&gt;."
        >>> sectioned_text("notes.txt", "One & two.", 0, 3)
        '<mark>One</mark> &amp; two.'
    """
    kind = SECTION_KINDS.get(Path(name).suffix.lower())
    if kind is None:
        return _highlighted(text, start, end)
    parts, top = [], 0
    for number, section in enumerate(text.split(PAGE_BREAK), start=1):
        low, high = max(start, top) - top, min(end, top + len(section)) - top
        shown = _highlighted(section, low, high) if low < high else html.escape(section)
        parts.append(f"<div class='qa-section'>{kind.capitalize()} {number}</div>{shown}")
        top += len(section) + len(PAGE_BREAK)
    return "".join(parts)


def original_links(name: str) -> str:
    """The viewer's links to a document's original file: open it (in a new tab), download it."""
    shown = html.escape(name)
    return (
        "<div class='qa-original'>"
        f"<a href='{html.escape(document_link(name, 'original'))}' target='_blank' rel='noopener'"
        f" title='Open {shown} as it was added'>Open original</a>"
        f" · <a href='{html.escape(document_link(name, 'original', download=True))}' download='{shown}'"
        f" class='qa-download'>Download</a></div>"
    )


def document_views(name: str, text: str, start: int, end: int, text_view: str) -> str:
    """What the viewer shows under a citation's heading: the links to the original, then for
    a PDF the cited page with the citation boxed and the ``text_view`` behind a "Page / Text"
    toggle, for any other document the ``text_view`` alone."""
    path = _file_of(name, text)
    if path is None:  # no file kept here (Milvus, a file gone, an old conversation's path): no links
        return text_view
    page = _page_view(name, path, text, start, end)
    if page is None:
        return original_links(name) + text_view
    image, found = page
    note = "" if found else f"<p class='qa-page-note'>{html.escape(NOT_FOUND_ON_PAGE)}</p>"
    # The text view first when the page has no box: it is where the citation shows.
    page_checked, text_checked = (" checked", "") if found else ("", " checked")
    return (
        "<div class='qa-views'>"
        f"<input type='radio' name='qa-view' id='qa-view-page' class='qa-view-page'{page_checked}>"
        "<label for='qa-view-page'>Page</label>"
        f"<input type='radio' name='qa-view' id='qa-view-text' class='qa-view-text'{text_checked}>"
        "<label for='qa-view-text'>Text</label>"
        f"{original_links(name)}{note}"
        f"<div class='qa-page-view'>{image}</div>"
        f"<div class='qa-text-view'>{text_view}</div>"
        "</div>"
    )


def _file_of(name: str, text: str) -> Path | None:
    """The file of the document ``name`` whose text is ``text``, or None when none is kept here."""
    try:
        return document_file(name, settings=Settings.from_env(), text=text)
    except QAError:
        return None


def _page_view(name: str, path: Path, text: str, start: int, end: int) -> tuple[str, bool] | None:
    """The cited page of a PDF as HTML (its image, a box over each line of the citation) and
    whether the citation was found on it; None for a document that is not a PDF."""
    if Path(name).suffix.lower() != ".pdf":
        return None
    kind, number = location_of(name, text, start) or ("", 0)
    if kind != "page":
        return None
    previous = text.rfind("\f", 0, start)
    top = previous + 2 if previous >= 0 else 0  # after the break's "\f\n"
    bottom = text.find("\f", start)
    page_end = len(text) if bottom < 0 else bottom - 1  # before the break's "\n\f"
    cited = text[start : min(end, page_end)]
    near = (start - top) / max(1, page_end - top)
    try:
        boxes = find_boxes(path.read_bytes(), number, cited, near=near)
    except Exception as exc:  # noqa: BLE001 - the file changed since it was indexed, or PDFium refused a page:
        # the page view is an extra, and the answer it is shown with must never be lost to it.
        logger.warning("%s: page %d not shown (%s: %s)", name, number, type(exc).__name__, exc)
        return None
    link = html.escape(document_link(name, f"pages/{number}.png"))
    drawn = "".join(_box(box) for box in boxes)
    image = (
        f"<div class='qa-page' data-page='{number}'>"
        f"<img src='{link}' alt='Page {number} of {html.escape(name)}'>{drawn}</div>"
    )
    return image, bool(boxes)


def _box(box: PageBox) -> str:
    return (
        f"<span class='qa-box' style='left:{box.left * 100:.3f}%;top:{box.top * 100:.3f}%;"
        f"width:{(box.right - box.left) * 100:.3f}%;height:{(box.bottom - box.top) * 100:.3f}%'></span>"
    )


def _highlighted(text: str, start: int, end: int) -> str:
    return f"{html.escape(text[:start])}<mark>{html.escape(text[start:end])}</mark>{html.escape(text[end:])}"
