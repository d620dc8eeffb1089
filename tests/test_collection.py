"""Adding and removing documents of the default index, incrementally."""

from dataclasses import replace

import pytest

from qa import answer
from qa.collection import add_documents, list_documents, remove_document
from qa.errors import DocumentError, QAError
from qa.index import CURRENT_FILE, default_index, load_index
from tests.conftest import SEED


def test_added_document_is_searchable_at_once_and_after_reload(tmp_path, local):
    before = default_index(local)
    note = tmp_path / "lisbonne.md"
    note.write_text("Le traité de Lisbonne a été signé le 13 décembre 2007.\n", encoding="utf-8")
    updated = add_documents([note], settings=local)
    assert len(updated.documents) == len(before.documents) + 1
    assert (local.upload_dir / "lisbonne.md").is_file()
    result = answer("Quand le traité de Lisbonne a-t-il été signé ?", settings=local)
    assert "13 décembre 2007" in result.citations[0].text
    assert result.citations[0].source == str(local.upload_dir / "lisbonne.md")
    assert load_index(local.index_dir).sources == updated.sources  # survives a restart
    assert [d.uploaded for d in list_documents(settings=local)] == [False, True]


def test_removed_upload_leaves_the_others_exact(tmp_path, local):
    first, second = tmp_path / "a.txt", tmp_path / "b.txt"
    first.write_text("Alpha est une ville fondée en 1850 au bord du lac.\n", encoding="utf-8")
    second.write_text("Beta est un village de montagne connu pour son fromage.\n", encoding="utf-8")
    index = add_documents([first, second], settings=local)
    index = remove_document(str(local.upload_dir / "a.txt"), settings=local)
    assert [s.rsplit("/", 1)[-1] for s in index.sources] == [SEED.name, "b.txt"]
    assert not (local.upload_dir / "a.txt").exists()
    for chunk in range(len(index.chunks)):
        doc, start, end, first_sentence, last_sentence = (int(v) for v in index.chunks[chunk])
        for sentence in range(first_sentence, last_sentence):
            assert index.sentences[sentence, 0] == doc
    result = answer("Quel village est connu pour son fromage ?", settings=local)
    assert "Beta" in result.citations[0].text


@pytest.mark.parametrize(
    "name, content, message",
    [
        ("notes.exe", b"MZ\x00\x00", "unsupported"),
        ("empty.txt", b"   ", "empty"),
        ("image.txt", b"\x89PNG\x00\x00\x00", "binary"),
        ("broken.pdf", b"%PDF-1.4 not really", "PDF"),
    ],
)
def test_bad_upload_changes_nothing(tmp_path, local, name, content, message):
    default_index(local)
    pointer = (local.index_dir / CURRENT_FILE).read_text()
    path = tmp_path / "upload.bin"
    path.write_bytes(content)
    with pytest.raises(DocumentError, match=message):
        add_documents([path], settings=local, names=[name])
    assert (local.index_dir / CURRENT_FILE).read_text() == pointer
    assert not local.upload_dir.exists() or not any(local.upload_dir.iterdir())


@pytest.mark.parametrize("name", ["../../etc/evil.txt", "/etc/evil.txt", "..\\..\\evil.txt"])
def test_upload_names_cannot_escape_the_upload_folder(tmp_path, local, name):
    path = tmp_path / "x.txt"
    path.write_text("Gamma est une rivière qui traverse trois pays.\n", encoding="utf-8")
    add_documents([path], settings=local, names=[name])
    assert (local.upload_dir / "evil.txt").is_file()
    assert sorted(p.name for p in local.upload_dir.iterdir() if not p.name.startswith(".")) == ["evil.txt"]


def test_oversized_upload_is_refused_with_the_cap(tmp_path, local):
    big = tmp_path / "big.txt"
    big.write_text("Zêta " * 300_000, encoding="utf-8")  # 1.8 MB
    with pytest.raises(DocumentError, match="over the 1 MB limit"):
        add_documents([big], settings=replace(local, max_upload_mb=1))


def test_corpus_documents_are_not_removed_from_the_app(local):
    default_index(local)
    with pytest.raises(QAError, match="QA_CORPUS_DIR"):
        remove_document(str(local.corpus_dir / SEED.name), settings=local)


def test_html_document_is_indexed_as_text(tmp_path, local):
    page = tmp_path / "page.html"
    page.write_text(
        "<html><head><script>alert(1)</script></head><body><p>Delta est un port "
        "<b>actif</b> depuis 1700.</p><img src=x onerror=alert(2)></body></html>",
        encoding="utf-8",
    )
    index = add_documents([page], settings=local)
    text = index.document_text(str(local.upload_dir / "page.html"))
    assert "Delta est un port actif depuis 1700." in text and "alert" not in text
