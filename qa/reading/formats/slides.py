"""PowerPoint presentations (.pptx), read with python-pptx: each slide one section.

A slide reads as its title, then its other shapes from top to bottom and left to right
(the shapes of a group in their place), each paragraph of a text box one line and each
table through `table_text`; then its speaker notes' paragraphs, the first after
"Notes: " (a label on a line of its own would be a sentence to quote, saying nothing).
Each line is a sentence or more of its own, quoted whole. Pictures and
charts give no text. An empty slide is an empty section, so slide numbers stay those the
presentation shows.
"""

from __future__ import annotations

import io
from pathlib import Path

from qa.errors import DocumentError
from qa.reading.formats.layout import PAGE_BREAK, table_text

NOTES_LABEL = "Notes: "


def read(data: bytes, path: Path) -> str:
    """A presentation's slides, `PAGE_BREAK` between them.

    Raises:
        DocumentError: the file is not a presentation python-pptx can read.

    Example:
        >>> from pptx import Presentation
        >>> deck = Presentation()
        >>> slide = deck.slides.add_slide(deck.slide_layouts[1])
        >>> slide.shapes.title.text = "Travel allowances"
        >>> slide.placeholders[1].text = "Tokyo: 120 EUR a day."
        >>> slide.notes_slide.notes_text_frame.text = "Rates of June 2024."
        >>> buffer = io.BytesIO()
        >>> deck.save(buffer)
        >>> print(read(buffer.getvalue(), Path("deck.pptx")))
        Travel allowances
        Tokyo: 120 EUR a day.
        Notes: Rates of June 2024.
    """
    from pptx import Presentation

    try:
        presentation = Presentation(io.BytesIO(data))
        return PAGE_BREAK.join(_slide_text(slide) for slide in presentation.slides)
    except MemoryError:
        raise
    except Exception as exc:  # zip, XML and schema errors alike: a hostile file can raise anything
        raise DocumentError(
            f"{path}: not a readable PowerPoint presentation (.pptx) ({type(exc).__name__}: {exc}); "
            "save it again from a presentation program as .pptx."
        ) from None


def _slide_text(slide) -> str:
    title = slide.shapes.title
    lines = _shape_lines(title) if title is not None else []
    lines += _lines_of([shape for shape in slide.shapes if title is None or shape.shape_id != title.shape_id])
    if slide.has_notes_slide and slide.notes_slide.notes_text_frame is not None:
        notes = _paragraphs(slide.notes_slide.notes_text_frame)
        if notes:
            lines += [NOTES_LABEL + notes[0], *notes[1:]]
    return "\n".join(lines)


def _lines_of(shapes) -> list[str]:
    """The lines of shapes in reading order: top to bottom, then left to right."""
    ordered = sorted(shapes, key=lambda shape: (shape.top or 0, shape.left or 0))
    return [line for shape in ordered for line in _shape_lines(shape)]


def _shape_lines(shape) -> list[str]:
    from pptx.enum.shapes import MSO_SHAPE_TYPE

    if shape.shape_type == MSO_SHAPE_TYPE.GROUP:
        return _lines_of(shape.shapes)
    if getattr(shape, "has_table", False):  # only graphic frames have tables
        rows = [[cell.text for cell in row.cells] for row in shape.table.rows]
        text = table_text(rows)
        return text.split("\n") if text else []
    if shape.has_text_frame:
        return _paragraphs(shape.text_frame)
    return []


def _paragraphs(text_frame) -> list[str]:
    """A text frame's non-empty paragraphs, each on one line (a line break inside one is a space)."""
    return [line for line in (" ".join(p.text.split()) for p in text_frame.paragraphs) if line]
