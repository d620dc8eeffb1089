import pytest

from qa.reading.documents import read_document
from qa.errors import DocumentError

TEXT = "L’été à Pyongyang : « déjà vu », 1961 — naïveté, cœur.\n"


def test_utf8_document_reads_like_read_text(tmp_path):
    path = tmp_path / "a.txt"
    path.write_bytes("ligne un\r\nligne deux é\n".encode("utf-8"))
    assert read_document(path) == path.read_text(encoding="utf-8")


@pytest.mark.parametrize("encoding", ["cp1252", "latin-1", "utf-16"])
def test_legacy_encodings_are_decoded_not_mangled(tmp_path, encoding):
    text = TEXT if encoding != "latin-1" else TEXT.replace("’", "'").replace("—", "-").replace("œ", "oe")
    path = tmp_path / "legacy.txt"
    path.write_bytes((text * 5).encode(encoding))
    assert read_document(path) == text * 5


def test_binary_file_is_refused_by_name(tmp_path):
    path = tmp_path / "image.txt"
    path.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)))
    with pytest.raises(DocumentError, match="image.txt"):
        read_document(path)


def test_empty_and_unsupported_files_are_refused(tmp_path):
    empty = tmp_path / "empty.md"
    empty.write_text("  \n", encoding="utf-8")
    with pytest.raises(DocumentError, match="empty"):
        read_document(empty)
    with pytest.raises(DocumentError, match="unsupported"):
        read_document(tmp_path / "song.mp3")
    with pytest.raises(DocumentError, match="no such file"):
        read_document(tmp_path / "missing.txt")


def test_cyrillic_legacy_encoding_is_detected(tmp_path):
    text = "Москва и Пхеньян подписали договор о дружбе и сотрудничестве.\n" * 3
    path = tmp_path / "ru.txt"
    path.write_bytes(text.encode("cp1251"))
    assert read_document(path) == text


def test_word_document_with_broken_xml_is_a_document_error_naming_it(tmp_path):
    from tests.files import W, word_document

    broken = tmp_path / "broken.docx"
    broken.write_bytes(word_document(f"<w:document {W}><w:body><w:p><w:r><w:t>cut here"))
    with pytest.raises(DocumentError, match="broken.docx.*Word document"):
        read_document(broken)
