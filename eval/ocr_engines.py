"""OCR engines and language strings compared on generated scanned pages (docs/formats.md).

Each page is text drawn with Pillow onto a 300 DPI A4 image (DejaVu Sans, or Noto Sans
CJK for Chinese), the way a flatbed scan of a printed page looks before noise. The text
is prose from the Debian Reference (`make corpus`) in English, French, German and
Spanish, and a few sentences written here in Russian and Chinese. For each engine and
each language string it reports seconds per page and the character error rate (edit
distance over the reference's length, spaces collapsed; spaces removed for Chinese).

    python eval/ocr_engines.py engines     # pytesseract, tesserocr, ocrmypdf; the page's own language
    python eval/ocr_engines.py languages   # tesserocr with each language strategy
    PYTHONPATH=. python eval/ocr_engines.py reader   # qa's PageReader, pages in a row

pytesseract and ocrmypdf are not qa's dependencies: run the `engines` comparison in a
throwaway venv (`python3 -m venv /tmp/ocr && /tmp/ocr/bin/pip install pytesseract
tesserocr ocrmypdf`), or it measures only the engines it can import.
"""

from __future__ import annotations

import gzip
import io
import os
import re
import sys
import tempfile
import time
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

TESSDATA = "/usr/share/tesseract-ocr/5/tessdata/"
LATIN_FONT = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"
CJK_FONT = "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc"
BOOK = "/usr/share/debian-reference/debian-reference.{}.txt.gz"
TESSERACT_CODES = {"en": "eng", "fr": "fra", "de": "deu", "es": "spa", "ru": "rus", "zh": "chi_sim"}

RUSSIAN = (
    "Суточные командированного сотрудника зависят от города назначения. В Токио они составляют сто "
    "двадцать евро в день, в Осло девяносто пять евро, а в Лиссабоне семьдесят евро. Расходы на "
    "гостиницу возмещаются по предъявлении счёта, но не более двухсот евро за ночь. Билеты на поезд "
    "покупаются во втором классе, если поездка длится меньше четырёх часов. Отчёт о командировке "
    "сдаётся в отдел кадров не позднее чем через две недели после возвращения. "
)
CHINESE = (
    "出差员工的每日津贴取决于目的地城市。东京的每日津贴为一百二十欧元，奥斯陆为九十五欧元，里斯本为七十欧元。"
    "酒店费用凭发票报销，但每晚不超过两百欧元。旅程少于四小时的，火车票按二等座购买。"
    "出差报告应在返回后两周内提交给人事部门。"
)


def prose(language: str, characters: int = 1800) -> str:
    """About ``characters`` of running text in ``language``."""
    if language == "ru":
        return (RUSSIAN * 8)[:characters]
    if language == "zh":
        return (CHINESE * 8)[: characters // 3]
    with gzip.open(BOOK.format(language), "rt", encoding="utf-8") as book:
        lines = book.read().splitlines()[2500:]
    # Paragraphs of prose: indented lines made mostly of letters, no tables or commands.
    kept = [
        line.strip()
        for line in lines
        if line.startswith("    ") and len(line.strip()) > 40 and re.fullmatch(r"[\w\s,.;:'’()«»\"-]+", line.strip())
    ]
    return " ".join(kept)[:characters]


def scanned_page(text: str, language: str) -> Image.Image:
    """``text`` drawn in 12 pt type on a white 300 DPI A4 page, wrapped to its width."""
    font = ImageFont.truetype(CJK_FONT if language == "zh" else LATIN_FONT, 50)
    page = Image.new("L", (2480, 3508), 255)
    draw = ImageDraw.Draw(page)
    width, y, line = 2480 - 2 * 200, 200, ""
    units = list(text) if language == "zh" else text.split()
    joiner = "" if language == "zh" else " "
    for unit in units:
        candidate = f"{line}{joiner}{unit}" if line else unit
        if draw.textlength(candidate, font=font) > width:
            draw.text((200, y), line, font=font, fill=0)
            y, line = y + 75, unit
        else:
            line = candidate
    draw.text((200, y), line, font=font, fill=0)
    return page


def error_rate(reference: str, hypothesis: str, language: str) -> float:
    """Character error rate: Levenshtein distance over the reference's length."""
    space = "" if language == "zh" else " "
    a, b = (space.join(s.split()) for s in (reference, hypothesis))
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        current = [i]
        for j, cb in enumerate(b, 1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (ca != cb)))
        previous = current
    return previous[-1] / max(1, len(a))


def with_pytesseract(page: Image.Image, lang: str) -> str:
    import pytesseract

    return pytesseract.image_to_string(page, lang=lang)


_tesserocr_apis: dict = {}


def with_tesserocr(page: Image.Image, lang: str) -> str:
    import tesserocr

    if lang not in _tesserocr_apis:  # one engine per language string, loaded once and reused
        _tesserocr_apis[lang] = tesserocr.PyTessBaseAPI(path=TESSDATA, lang=lang)
    api = _tesserocr_apis[lang]
    api.SetImage(page)
    return api.GetUTF8Text()


def with_ocrmypdf(page: Image.Image, lang: str) -> str:
    import ocrmypdf

    with tempfile.TemporaryDirectory() as tmp:
        scan, sidecar = Path(tmp) / "scan.pdf", Path(tmp) / "text.txt"
        page.save(scan, "PDF", resolution=300)
        ocrmypdf.ocr(scan, Path(tmp) / "out.pdf", language=lang.split("+"), sidecar=sidecar,
                     output_type="pdf", progress_bar=False, jobs=1)
        return sidecar.read_text(encoding="utf-8")


def osd_languages(page: Image.Image) -> str:
    """The languages of the script Tesseract's OSD sees on the page."""
    import tesserocr

    with tesserocr.PyTessBaseAPI(path=TESSDATA, lang="osd", psm=tesserocr.PSM.OSD_ONLY) as api:
        api.SetImage(page)
        script = (api.DetectOrientationScript() or {}).get("script_name")
    return {
        "Latin": "eng+fra+deu+spa+ita+por+nld",
        "Cyrillic": "rus+eng",
        "Han": "chi_sim+eng",
        "Japanese": "jpn+eng",
        "Hangul": "kor+eng",
        "Arabic": "ara+eng",
    }.get(script, "eng")


def measure(name: str, pages: list, recognise, lang_of) -> None:
    total_seconds, rates = 0.0, []
    for language, text, page in pages:
        started = time.perf_counter()
        lang = lang_of(language, page)
        hypothesis = recognise(page, lang)
        total_seconds += time.perf_counter() - started
        rates.append(f"{language} {error_rate(text, hypothesis, language):.3f}")
    print(f"{name:<44} {total_seconds / len(pages):6.2f} s/page   CER {'  '.join(rates)}", flush=True)


def main(what: str) -> None:
    languages = ["en", "fr", "de", "es", "ru", "zh"]
    pages = [(language, text, scanned_page(text, language)) for language in languages for text in [prose(language)]]
    own = lambda language, page: TESSERACT_CODES[language]  # noqa: E731
    print(f"{len(pages)} pages, OMP_THREAD_LIMIT={os.environ.get('OMP_THREAD_LIMIT', '(unset)')}")
    if what == "reader":
        from qa.reading.formats.ocr import PageReader, tessdata_dir

        # One document whose language changes at every page, then one all in French.
        for languages in (["en", "fr", "de", "es", "ru", "zh"], ["fr", "fr", "fr", "fr"]):
            with PageReader(tessdata_dir()) as reader:
                for language in languages:
                    text = prose(language)
                    started = time.perf_counter()
                    read = reader.read(scanned_page(text, language))
                    seconds = time.perf_counter() - started
                    rate = error_rate(text, read, language)
                    print(f"{language}: read in {reader.language} in {seconds:.2f} s, CER {rate:.3f}", flush=True)
    elif what == "engines":
        with_tesserocr(pages[0][2], "eng")  # load outside the timing: a reader keeps its engine
        for name, engine in [("pytesseract", with_pytesseract), ("tesserocr", with_tesserocr), ("ocrmypdf", with_ocrmypdf)]:
            try:
                measure(name, pages, engine, own)
            except ImportError as exc:
                print(f"{name}: not installed ({exc})")
    else:
        latin = "eng+fra+deu+spa+ita+por+nld"
        for name, lang_of in [
            ("the page's own language", own),
            ("eng", lambda language, page: "eng"),
            (latin, lambda language, page: latin),
            (f"{latin}+rus", lambda language, page: f"{latin}+rus"),
            ("OSD script, then its languages", lambda language, page: osd_languages(page)),
        ]:
            measure(name, pages, with_tesserocr, lang_of)


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "engines")
