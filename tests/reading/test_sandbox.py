"""Uploads are read in a child process under limits: a crafted file cannot exhaust or hang the server."""

from dataclasses import replace

import pytest

from qa.storing.collection import add_documents
from qa.errors import DocumentError
from qa.storing.collection import default_index
from qa.storing.storage import CURRENT_FILE
from qa.reading.sandbox import read_document_isolated
from tests.files import W, paragraphs_bomb, word_document

# 560 KB that unpack to 200 MB of XML: read in-process it took 3.9 GB and 9 minutes here.
BOMB_MB = 200


@pytest.fixture(scope="module")
def bomb(tmp_path_factory):
    path = tmp_path_factory.mktemp("bomb") / "upload.bin"
    path.write_bytes(paragraphs_bomb(BOMB_MB))
    return path


def test_a_word_document_is_read_in_the_child_as_in_process(tmp_path):
    path = tmp_path / "ok.docx"
    path.write_bytes(word_document(f"<w:document {W}><w:body><w:p><w:r><w:t>Le phare date de 1888.</w:t></w:r></w:p></w:body></w:document>"))
    assert read_document_isolated(path, name="ok.docx", timeout_s=60, memory_mb=1024) == "Le phare date de 1888."


def test_an_upload_over_the_memory_limit_is_refused_and_changes_nothing(bomb, local):
    default_index(local)
    pointer = (local.index_dir / CURRENT_FILE).read_text()
    with pytest.raises(DocumentError, match="report.docx"):
        add_documents([bomb], settings=replace(local, parse_memory_mb=512), names=["report.docx"])
    assert (local.index_dir / CURRENT_FILE).read_text() == pointer
    assert not local.upload_dir.exists() or not [p for p in local.upload_dir.iterdir() if not p.name.startswith(".")]


def test_an_upload_over_the_time_limit_is_stopped_and_refused(bomb, local):
    with pytest.raises(DocumentError, match="report.docx: reading it took longer than 1 s"):
        add_documents([bomb], settings=replace(local, parse_memory_mb=16_000, parse_timeout_s=1.0), names=["report.docx"])


def test_the_child_signals_each_page_it_reads_by_ocr(tmp_path):
    import subprocess
    import sys

    from tests.files import image_only_pdf, scanned_page

    path = tmp_path / "scan.pdf"
    path.write_bytes(image_only_pdf([scanned_page(["First page."]), scanned_page(["Second page."])]))
    child = subprocess.run([sys.executable, "-m", "qa.reading.sandbox", str(path), "2048"], capture_output=True)
    assert child.stderr.splitlines() == [b"ocr page", b"ocr page"]


def test_a_scan_is_read_in_the_child_as_in_process(tmp_path):
    from qa.reading.documents import read_document
    from tests.files import image_only_pdf, scanned_page

    path = tmp_path / "scan.pdf"
    path.write_bytes(image_only_pdf([scanned_page(["The lighthouse was built in 1888."])]))
    isolated = read_document_isolated(path, name="scan.pdf", timeout_s=60, memory_mb=2048, ocr_page_timeout_s=30)
    assert isolated == read_document(path) == "The lighthouse was built in 1888."
