"""Files built for tests: Word documents with chosen XML, well-formed or not."""

import io
import zipfile

_CONTENT_TYPES = (
    '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Override PartName="/word/document.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>'
)
_RELS = (
    '<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" '
    'Target="word/document.xml"/></Relationships>'
)
W = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'


def word_document(document_xml) -> bytes:
    """A .docx whose word/document.xml is ``document_xml`` (str, bytes, or an iterable of bytes blocks)."""
    data = io.BytesIO()
    with zipfile.ZipFile(data, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", _CONTENT_TYPES)
        archive.writestr("_rels/.rels", _RELS)
        if isinstance(document_xml, (str, bytes)):
            archive.writestr("word/document.xml", document_xml)
        else:
            with archive.open("word/document.xml", "w", force_zip64=True) as part:
                for block in document_xml:
                    part.write(block)
    return data.getvalue()


def paragraphs_bomb(megabytes: int) -> bytes:
    """A small .docx whose XML unpacks to ``megabytes`` MB of paragraphs."""
    paragraph = b"<w:p><w:r><w:t>Zanthe</w:t></w:r></w:p>" * 25_000  # 1 MB
    blocks = [f"<w:document {W}><w:body>".encode(), *[paragraph] * megabytes, b"</w:body></w:document>"]
    return word_document(blocks)


# Noto Sans CJK (Debian's fonts-noto-cjk, which `make test` and CI install) draws Latin,
# Cyrillic and CJK text alike.
SCAN_FONT = "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc"


def scanned_page(lines: list[str]):
    """A page image as a 300 DPI scanner makes it: ``lines`` in 12 pt black type on white."""
    from PIL import Image, ImageDraw, ImageFont

    font = ImageFont.truetype(SCAN_FONT, 50)
    page = Image.new("L", (2480, 300 + 80 * len(lines)), 255)
    draw = ImageDraw.Draw(page)
    for number, line in enumerate(lines):
        draw.text((200, 150 + 80 * number), line, font=font, fill=0)
    return page


def image_only_pdf(pages) -> bytes:
    """A PDF of page images and no text layer, as a scanner saves it (Pillow)."""
    data = io.BytesIO()
    pages[0].save(data, "PDF", resolution=300, save_all=True, append_images=pages[1:])
    return data.getvalue()
