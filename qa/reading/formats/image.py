"""Images (PNG, JPEG, TIFF): a scanned or photographed page read by OCR; a multi-page
TIFF's pages separated by `PAGE_BREAK`."""

from __future__ import annotations

import io
from pathlib import Path

from qa.errors import DocumentError
from qa.reading.formats.layout import PAGE_BREAK
from qa.reading.formats.ocr import HOW_TO_INSTALL, PageReader, tessdata_dir


def read(data: bytes, path: Path) -> str:
    """An image's text by OCR (`qa.reading.formats.ocr`), frame by frame.

    Raises:
        DocumentError: the file is not an image Pillow can decode, or OCR is not installed.
    """
    from PIL import Image, ImageSequence

    tessdata = tessdata_dir()
    if tessdata is None:
        raise DocumentError(f"{path}: an image is read by OCR, and OCR (Tesseract) is not installed: {HOW_TO_INSTALL}.")
    try:
        with Image.open(io.BytesIO(data)) as image, PageReader(tessdata) as reader:
            pages = [reader.read(frame.copy()) for frame in ImageSequence.Iterator(image)]
    except MemoryError:
        raise
    except Image.DecompressionBombError:
        raise DocumentError(
            f"{path}: the image is too large to read ({Image.MAX_IMAGE_PIXELS * 2:,} pixels at most); "
            "scan it at 300 DPI and try again."
        ) from None
    except Exception as exc:  # a decoder fed a hostile file can raise anything
        raise DocumentError(
            f"{path}: not a readable image ({type(exc).__name__}: {exc}); qa reads PNG, JPEG and TIFF scans."
        ) from None
    if not any(pages):
        raise DocumentError(f"{path}: OCR found no text in the image; qa reads scanned or photographed pages of text.")
    return PAGE_BREAK.join(pages)
