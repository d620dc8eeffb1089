"""Text of page images by OCR: Tesseract through tesserocr, in the page's language.

Tesseract reads a page well only in the right language (its French model keeps the
accents its English one drops) and reads several languages at once slowly (a Latin set
of seven languages: 3 times slower, and no more accurate than English alone), so a
`PageReader` chooses one language per page (docs/formats.md has the figures):

1. the first page's script, from Tesseract's orientation and script detection (OSD):
   Latin is read in English first, Cyrillic in Russian, Han in Chinese, ...;
2. the language of the text read (`qa.text.language.document_language`): when another
   installed language, the page is read again in it;
3. the next page starts in the language the last one was read in; when the text read
   has low confidence or is not in that language (or too short to tell), OSD checks the
   page's script, and a page of another script goes back to step 1.

The language data are Debian's `tesseract-ocr-<lang>` packages (`make install` installs
them), found in ``TESSDATA_PREFIX`` when set, as Tesseract itself does, or where the
distributions put them.
"""

from __future__ import annotations

import glob
import logging
import os
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from PIL import Image

logger = logging.getLogger(__name__)

# Tesseract's language of each ISO 639-1 code qa detects (qa.text.language.DETECTED_LANGUAGES).
TESSERACT_LANGUAGES = {
    "en": "eng", "fr": "fra", "de": "deu", "es": "spa", "it": "ita", "pt": "por", "nl": "nld",
    "ru": "rus", "ar": "ara", "zh": "chi_sim", "ja": "jpn", "ko": "kor", "pl": "pol", "sv": "swe",
    "da": "dan", "nb": "nor", "fi": "fin", "tr": "tur", "uk": "ukr", "cs": "ces", "ro": "ron",
    "el": "ell", "he": "heb", "hi": "hin", "id": "ind", "vi": "vie", "hu": "hun", "ca": "cat",
}  # fmt: skip
# The language a page of each script OSD names is read in first.
SCRIPT_LANGUAGES = {
    "Latin": "eng", "Cyrillic": "rus", "Han": "chi_sim", "Japanese": "jpn", "Hangul": "kor",
    "Arabic": "ara", "Greek": "ell", "Hebrew": "heb", "Devanagari": "hin",
}  # fmt: skip
# The script of each language not written in Latin letters.
LANGUAGE_SCRIPTS = {
    "rus": "Cyrillic", "ukr": "Cyrillic", "ara": "Arabic", "chi_sim": "Han", "jpn": "Japanese",
    "kor": "Hangul", "ell": "Greek", "heb": "Hebrew", "hin": "Devanagari",
}  # fmt: skip
# Mean word confidence (0-100) under which a page's script is checked again: a clean page
# read in its own language scores 85-95.
LOW_CONFIDENCE = 60
# Where Debian, Fedora, Alpine, Homebrew and source builds put Tesseract's language data.
TESSDATA_DIRS = (
    "/usr/share/tesseract-ocr/*/tessdata",
    "/usr/share/tessdata",
    "/usr/local/share/tessdata",
    "/opt/homebrew/share/tessdata",
)
HOW_TO_INSTALL = (
    "install Tesseract and its languages (Debian: apt-get install tesseract-ocr tesseract-ocr-eng "
    "tesseract-ocr-fra ...; `make install` does)"
)


def tessdata_dir() -> Path | None:
    """The folder of Tesseract's language data, or None when OCR is not installed.

    Example:
        >>> tessdata_dir()  # on Debian with tesseract-ocr-eng
        PosixPath('/usr/share/tesseract-ocr/5/tessdata')
    """
    try:
        import tesserocr  # noqa: F401
    except ImportError:
        return None
    prefix = os.environ.get("TESSDATA_PREFIX")
    candidates = [prefix] if prefix else [path for pattern in TESSDATA_DIRS for path in sorted(glob.glob(pattern))]
    for candidate in candidates:
        if (Path(candidate) / "eng.traineddata").is_file():
            return Path(candidate)
    return None


class PageReader:
    """Reads page images one after another, each in its language, carrying the language
    of a page to the next (see the module's docstring).

    Args:
        tessdata: the language data (`tessdata_dir()`).

    Example:
        >>> from PIL import Image, ImageDraw, ImageFont
        >>> page = Image.new("L", (1400, 200), 255)
        >>> font = ImageFont.truetype("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc", 48)
        >>> ImageDraw.Draw(page).text((40, 60), "Le phare date de 1888.", font=font, fill=0)
        >>> with PageReader(tessdata_dir()) as reader:
        ...     reader.read(page)
        'Le phare date de 1888.'
    """

    def __init__(self, tessdata: Path) -> None:
        self.tessdata = tessdata
        self.installed = frozenset(path.stem for path in Path(tessdata).glob("*.traineddata"))
        self.language: str | None = None  # the language the last page was read in
        self.pages = 0
        self._engines: dict[str, object] = {}

    def read(self, image: Image.Image) -> str:
        """The text of one page image (lines as Tesseract lays them out, stripped)."""
        self.pages += 1
        logger.info("OCR of page %d", self.pages)
        image = _plain(image)
        checked = self.language is None
        language = self.language or self._script_language(image)
        text, confidence = self._recognise(image, language)
        told = self._told_language(text)
        if not checked and (confidence < LOW_CONFIDENCE or told != language):
            # In doubt (Russian read in English comes out as confident Latin nonsense):
            # this page's own script, from OSD.
            script_language = self._script_language(image)
            if _script(script_language) != _script(language):
                language = script_language
                text, confidence = self._recognise(image, language)
                told = self._told_language(text)
        if told and told != language and _script(told) == _script(language):
            other, other_confidence = self._recognise(image, told)
            if other_confidence >= confidence:
                text, language = other, told
        self.language = language
        return text

    def close(self) -> None:
        """Frees the loaded models."""
        for engine in self._engines.values():
            engine.End()
        self._engines.clear()

    def __enter__(self) -> PageReader:
        return self

    def __exit__(self, *exc_info) -> None:
        self.close()

    def _engine(self, language: str, *, osd: bool = False):
        import tesserocr

        key = "osd" if osd else language
        if key not in self._engines:
            if osd:
                self._engines[key] = tesserocr.PyTessBaseAPI(
                    path=str(self.tessdata), lang="osd", psm=tesserocr.PSM.OSD_ONLY
                )
            else:
                self._engines[key] = tesserocr.PyTessBaseAPI(path=str(self.tessdata), lang=language)
        return self._engines[key]

    def _recognise(self, image: Image.Image, language: str) -> tuple[str, int]:
        engine = self._engine(language)
        engine.SetImage(image)
        text = engine.GetUTF8Text().strip()
        return text, (engine.MeanTextConf() if text else 0)

    def _script_language(self, image: Image.Image) -> str:
        if "osd" not in self.installed:
            return "eng"
        engine = self._engine("osd", osd=True)
        engine.SetImage(image)
        script = (engine.DetectOrientationScript() or {}).get("script_name")
        language = SCRIPT_LANGUAGES.get(script, "eng")
        return language if language in self.installed else "eng"

    def _told_language(self, text: str) -> str | None:
        """The installed Tesseract language of ``text``, when it has words enough to tell."""
        from qa.text.language import document_language

        if len(text.split()) < 3 and len(text) < 20:
            return None
        language = TESSERACT_LANGUAGES.get(document_language(text))
        return language if language in self.installed else None


def _script(language: str) -> str:
    return LANGUAGE_SCRIPTS.get(language, "Latin")


def _plain(image: Image.Image) -> Image.Image:
    """``image`` upright (as a camera's EXIF says) in a mode Tesseract takes, transparency on white."""
    from PIL import Image, ImageOps

    image = ImageOps.exif_transpose(image)
    if image.mode in ("1", "L", "RGB"):
        return image
    if "A" in image.getbands() or image.info.get("transparency") is not None:
        rgba = image.convert("RGBA")
        white = Image.new("RGB", rgba.size, (255, 255, 255))
        white.paste(rgba, mask=rgba.getchannel("A"))
        return white
    if image.mode.startswith(("I", "F")):  # 16-bit and float greyscale scans: stretched to 8 bits
        import numpy as np

        values = np.asarray(image.convert("F"), dtype=np.float32)
        low, high = float(values.min()), float(values.max())
        scaled = (values - low) * (255 / (high - low)) if high > low else np.full_like(values, 255)
        return Image.fromarray(scaled.astype(np.uint8))
    return image.convert("RGB")
