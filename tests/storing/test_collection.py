"""Adding and removing documents of the default index, incrementally."""

import re
from dataclasses import replace
from pathlib import Path

import pytest

from qa import answer
from qa.storing.collection import add_documents, list_documents, reindex_all, remove_document
from qa.errors import DocumentError, DocumentExistsError, QAError
from qa.storing.collection import default_index
from qa.storing.storage import CURRENT_FILE, load_index
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
        ("broken.docx", b"PK\x03\x04 not a zip", "broken.docx: not a readable Word document"),
        ("broken.odt", b"PK\x03\x04 not a zip", "broken.odt: not a readable OpenDocument text"),
        ("broken.epub", b"PK\x03\x04 not a zip", "broken.epub: not a readable EPUB e-book"),
        ("notes.eml", b"Notes taken at the meeting, no headers at all.\n", "notes.eml: not an e-mail message"),
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


BORDEAUX = "La bibliothèque de Bordeaux a ouvert ses portes en 1891 sous la direction de Jules Delpit.\n"
BORDEAUX_QUESTION = "Quand la bibliothèque de Bordeaux a-t-elle ouvert ?"


def test_add_then_remove_leaves_the_index_a_fresh_build_gives(tmp_path, local):
    import numpy as np

    from qa.storing.collection import Collection

    fresh = default_index(local)
    assert answer(BORDEAUX_QUESTION, settings=local).abstained
    note = tmp_path / "bordeaux.txt"
    note.write_text(BORDEAUX, encoding="utf-8")
    add_documents([note], settings=local)
    assert not answer(BORDEAUX_QUESTION, settings=local).abstained
    after = remove_document(str(local.upload_dir / "bordeaux.txt"), settings=local)
    assert after.sources == fresh.sources
    assert after.vocabulary == fresh.vocabulary
    np.testing.assert_allclose(after.word_vectors, fresh.word_vectors, atol=1e-5)
    np.testing.assert_allclose(after.sentence_vectors(), fresh.sentence_vectors(), atol=1e-5)
    assert (after.chunks == fresh.chunks).all() and (after.sentences == fresh.sentences).all()
    assert (after.chunk_sparse != fresh.chunk_sparse).nnz == 0
    assert answer(BORDEAUX_QUESTION, settings=local).abstained
    restarted = Collection(local).index()  # as a new process finds it
    assert answer(BORDEAUX_QUESTION, index=restarted, settings=local).abstained


def test_a_long_file_name_is_shortened_and_keeps_its_extension(tmp_path, local):
    path = tmp_path / "upload.bin"
    path.write_text("Epsilon est un phare construit en 1888 sur un îlot rocheux.\n", encoding="utf-8")
    name = "rapport-" + "annuel-" * 40 + "final.md"
    add_documents([path], settings=local, names=[name])
    [stored] = [p for p in local.upload_dir.iterdir() if not p.name.startswith(".")]
    assert stored.suffix == ".md" and len(stored.name) <= 150 and stored.name.startswith("rapport-annuel-")


def test_unreadable_files_in_the_folders_are_skipped_and_reported(tmp_path, local):
    (local.corpus_dir / "empty.txt").write_text("", encoding="utf-8")
    local.upload_dir.mkdir()
    (local.upload_dir / "broken.docx").write_bytes(b"PK\x03\x04 not a zip")
    from qa.storing.collection import default_collection

    result = answer("When was the friendship treaty signed?", settings=local)
    assert "1961" in result.citations[0].text
    assert [d.name for d in list_documents(settings=local)] == [SEED.name]
    reasons = {Path(s.path).name: s.reason for s in default_collection(local).skipped}
    assert set(reasons) == {"empty.txt", "broken.docx"}
    assert "empty" in reasons["empty.txt"] and "Word document" in reasons["broken.docx"]


def test_a_file_that_vanishes_while_the_folder_is_read_is_not_an_error(tmp_path, local, monkeypatch):
    import qa.storing.collection

    default_index(local)
    gone = local.corpus_dir / "gone.txt"
    real = qa.storing.collection.corpus_paths
    # the folder was listed while gone.txt existed; it is deleted before it is read
    monkeypatch.setattr(qa.storing.collection, "corpus_paths", lambda settings: real(settings) + [gone])
    result = answer("When was the friendship treaty signed?", settings=local)
    assert "1961" in result.citations[0].text


def test_a_name_that_would_hide_the_file_is_made_visible(tmp_path, local):
    path = tmp_path / "upload.bin"
    path.write_text("Omega est un col de montagne ouvert de juin à octobre.\n", encoding="utf-8")
    add_documents([path], settings=local, names=[" .hidden.txt"])
    assert (local.upload_dir / "hidden.txt").is_file()
    assert "hidden.txt" in [d.name for d in list_documents(settings=local)]


def test_a_missing_file_is_a_document_error(tmp_path, local):
    with pytest.raises(DocumentError, match="missing.txt: no such file"):
        add_documents([tmp_path / "missing.txt"], settings=local)


def test_an_upload_folder_inside_the_corpus_folder_is_indexed_once(tmp_path, local):
    # Named through a link, as a deployment may mount it: the two walks spell its files differently.
    (local.corpus_dir / "uploads").mkdir()
    (tmp_path / "uploads-link").symlink_to(local.corpus_dir / "uploads")
    local = replace(local, upload_dir=tmp_path / "uploads-link")
    doc = tmp_path / "phare.txt"
    doc.write_text("Le phare de Quorvalde fut allumé en 1887 par la gardienne Ysolde Brannik.\n", encoding="utf-8")
    add_documents([doc], settings=local)
    reindex_all(settings=local)  # as after a restart: both folders walked again
    listed = [(d.name, d.uploaded) for d in list_documents(settings=local)]
    assert listed == [(SEED.name, False), ("phare.txt", True)]
    remove_document(str(local.upload_dir / "phare.txt"), settings=local)
    assert [d.name for d in list_documents(settings=local)] == [SEED.name]


def test_what_a_crashed_upload_left_in_the_staging_folder_is_cleared(tmp_path, local):
    import subprocess

    gone = subprocess.Popen(["true"])
    gone.wait()  # its process id names a process that is no longer running
    incoming = local.upload_dir / ".incoming"
    incoming.mkdir(parents=True)
    leftover = incoming / f"{gone.pid}-half-copied.pdf"
    leftover.write_bytes(b"%PDF-1.4 half")
    doc = tmp_path / "note.txt"
    doc.write_text("Epsilon est une étoile visible en hiver.\n", encoding="utf-8")
    add_documents([doc], settings=local)
    assert not leftover.exists()
    assert list(incoming.iterdir()) == []


def test_files_added_changed_or_removed_in_the_folders_are_embedded_alone(tmp_path, local, caplog):
    import os
    import time

    import numpy as np

    from qa import build_index

    corpus = local.corpus_dir
    rome, nice, lyon = corpus / "rome.md", corpus / "nice.md", corpus / "lyon.md"
    rome.write_text("Le traité de Rome fut signé en 1957. Il fonda la Communauté économique européenne.\n", encoding="utf-8")
    nice.write_text("Le traité de Nice fut signé en 2001.\n", encoding="utf-8")
    for name in ("maastricht.md", "lisbonne.md", "paris.md"):  # unchanged: most documents stay
        (corpus / name).write_text(f"Le traité de {name[:-3].title()} est un traité européen.\n", encoding="utf-8")
    first = default_index(local)
    seed = str(corpus / SEED.name)

    def rows(index, source):
        return np.flatnonzero(index.sentences[:, 0] == index.sources.index(source))

    seed_vectors = first.sentence_store.vectors_of(rows(first, seed))
    later = time.time_ns() + 10**9
    rome.write_text("Le traité de Rome fut signé le 25 mars 1957.\n", encoding="utf-8")
    os.utime(rome, ns=(later, later))
    nice.unlink()
    lyon.write_text("Lyon est la troisième ville de France.\n", encoding="utf-8")
    with caplog.at_level("INFO", logger="qa.storing.collection"):
        second = default_index(local)
    assert "2 document(s) to drop, 2 to embed" in caplog.text  # not a full rebuild

    kept = [seed] + [str(corpus / n) for n in ("maastricht.md", "lisbonne.md", "paris.md")]
    assert sorted(second.sources) == sorted(kept + [str(rome), str(lyon)])
    # The unchanged document keeps its vectors bit for bit: it was not embedded again.
    assert np.array_equal(second.sentence_store.vectors_of(rows(second, seed)), seed_vectors)
    assert "25 mars" in second.document_text(str(rome)) and "nice" not in second.vocabulary
    # The index is the one a fresh build of the same files gives, document by document.
    fresh = build_index(kept + [str(rome), str(lyon)], tmp_path / "fresh", settings=local)
    for source in fresh.sources:
        ours, theirs = rows(second, source), rows(fresh, source)
        assert second.sentences[ours, 1:].tolist() == fresh.sentences[theirs, 1:].tolist()
        cosines = (second.sentence_store.vectors_of(ours) * fresh.sentence_store.vectors_of(theirs)).sum(axis=1)
        assert cosines.min() > 0.999
    assert sorted(second.vocabulary) == sorted(fresh.vocabulary)
    assert sorted(load_index(local.index_dir).sources) == sorted(second.sources)  # saved
    assert "25 mars 1957" in answer("Quand le traité de Rome fut-il signé ?", settings=local).citations[0].text


def test_a_change_of_chunking_embeds_every_document_again(tmp_path, local):
    first = default_index(local)
    wider = replace(local, chunk_size=local.chunk_size + 200)
    second = default_index(wider)
    assert second.chunk_size == wider.chunk_size and first.chunk_size == local.chunk_size
    assert len(second.chunks) < len(first.chunks)  # chunked again, not kept
    assert load_index(local.index_dir).chunk_size == wider.chunk_size


# --- names: Linux allows 255 bytes per file name, and qa derives names from each ---------------

CJK_100 = "長" * 96 + ".txt"  # 100 characters, 292 bytes: over what a file name may hold with a prefix
CJK_84 = "長" * 80 + ".txt"  # 84 characters, 244 bytes: fits, but not with "{pid}-removed-" before it
FAMILY = "👨‍👩‍👧‍👦"  # one emoji as a reader sees it: seven code points, 25 bytes


def _graphemes(text: str) -> list[str]:
    import regex

    return regex.findall(r"\X", text)


def _uploaded(local) -> list[str]:
    return [d.name for d in list_documents(settings=local) if d.uploaded]


@pytest.mark.parametrize(
    "name",
    [
        CJK_100,
        CJK_84,
        FAMILY * 12 + ".md",  # 303 bytes
        "تقرير-سنوي-" * 12 + ".txt",  # Arabic, 244 bytes
        "Ελληνικά-" * 20 + ".txt",  # Greek, 344 bytes
        "e\u0301" * 120 + ".txt",  # letters with a combining accent (NFC makes them é)
    ],
    ids=["cjk-100", "cjk-84", "emoji", "arabic", "greek", "combining"],
)
def test_a_name_too_long_in_bytes_is_shortened_and_the_document_can_be_removed(tmp_path, local, name):
    import unicodedata

    from qa.storing.collection import MAX_NAME_BYTES

    path = tmp_path / "upload.bin"
    path.write_text("Le phare de Brennvik fut allumé en 1893 par Ingrid Solheim.\n", encoding="utf-8")
    add_documents([path], settings=local, names=[name])
    [stored] = _uploaded(local)
    wanted = unicodedata.normalize("NFC", name)
    assert len(stored.encode()) <= MAX_NAME_BYTES < len(wanted.encode())
    assert Path(stored).suffix == Path(name).suffix
    # cut between two characters as a reader sees them, never inside one
    kept = _graphemes(Path(stored).stem)
    assert kept and kept == _graphemes(wanted)[: len(kept)]
    assert (local.upload_dir / stored).is_file()
    remove_document(str(local.upload_dir / stored), settings=local)
    assert _uploaded(local) == []
    assert not (local.upload_dir / stored).exists()
    assert "Brennvik" not in default_index(local).vocabulary


@pytest.mark.parametrize(
    "name",
    ["長い名前の報告書.txt", FAMILY + "🎉 fête.md", "تقرير سنوي.txt", "Отчёт за год.md", "रिपोर्ट.txt"],
    ids=["cjk", "emoji", "arabic", "cyrillic", "devanagari"],
)
def test_names_of_any_script_within_the_limits_are_kept_whole_and_removable(tmp_path, local, name):
    path = tmp_path / "upload.bin"
    path.write_text("La tour de Valgrise fut bâtie en 1602 sur la colline.\n", encoding="utf-8")
    add_documents([path], settings=local, names=[name])
    assert _uploaded(local) == [name]
    remove_document(str(local.upload_dir / name), settings=local)
    assert _uploaded(local) == [] and not (local.upload_dir / name).exists()


def test_a_long_name_already_taken_is_refused_and_replaced_under_its_shortened_name(tmp_path, local):
    first, second = tmp_path / "a.bin", tmp_path / "b.bin"
    first.write_text("Le moulin de Ferrac tourne depuis 1740.\n", encoding="utf-8")
    second.write_text("Le pont de Ferrac fut reconstruit en 1951.\n", encoding="utf-8")
    add_documents([first], settings=local, names=[CJK_100])
    [stored] = _uploaded(local)
    with pytest.raises(DocumentExistsError, match=re.escape(f"{stored} exists")):
        add_documents([second], settings=local, names=[CJK_100])
    add_documents([second], settings=local, names=[CJK_100], replace=True)
    assert _uploaded(local) == [stored]
    assert "1951" in (local.upload_dir / stored).read_text(encoding="utf-8")
    remove_document(str(local.upload_dir / stored), settings=local)
    assert _uploaded(local) == []


def test_a_file_put_in_the_upload_folder_under_the_longest_name_can_be_removed(local):
    # Not added through qa: copied there by hand, under a name of the full 255 bytes.
    local.upload_dir.mkdir()
    name = "長" * 84 + ".md"
    assert len(name.encode()) == 255
    (local.upload_dir / name).write_text("Le canal de Morvenne fut creusé en 1822.\n", encoding="utf-8")
    assert _uploaded(local) == [name]
    remove_document(str(local.upload_dir / name), settings=local)
    assert _uploaded(local) == [] and not (local.upload_dir / name).exists()


def test_a_name_whose_first_character_alone_is_too_long_is_refused_with_a_message(tmp_path, local):
    default_index(local)
    pointer = (local.index_dir / CURRENT_FILE).read_text()
    path = tmp_path / "upload.bin"
    path.write_text("Le col de Sarrant est ouvert de mai à octobre.\n", encoding="utf-8")
    name = "a" + "\u0301\u0302" * 150 + ".txt"  # one letter under 300 accents: no place to cut it
    with pytest.raises(DocumentError, match="too long.*shorter name"):
        add_documents([path], settings=local, names=[name])
    assert (local.index_dir / CURRENT_FILE).read_text() == pointer
    assert not local.upload_dir.exists() or not any(local.upload_dir.iterdir())


# --- names and paths --------------------------------------------------------------------------


@pytest.mark.parametrize("names", [["first.txt"], ["first.txt", "second.txt", "third.txt"], []])
def test_names_that_do_not_match_the_files_one_to_one_are_refused_before_anything_is_written(
    tmp_path, local, names
):
    default_index(local)
    pointer = (local.index_dir / CURRENT_FILE).read_text()
    one, two = tmp_path / "one.txt", tmp_path / "two.txt"
    one.write_text("Le lac de Verdal gèle chaque hiver.\n", encoding="utf-8")
    two.write_text("La forêt de Verdal couvre trois communes.\n", encoding="utf-8")
    with pytest.raises(DocumentError, match=re.escape(f"2 file(s) but {len(names)} name(s)")):
        add_documents([one, two], settings=local, names=names)
    assert (local.index_dir / CURRENT_FILE).read_text() == pointer
    assert not local.upload_dir.exists() or not any(local.upload_dir.iterdir())


# --- a name uploaded again -----------------------------------------------------------------------

CAKE_40 = "Lemon cake. Mix the flour, the sugar and the zest of two lemons. Bake for 40 minutes.\n"
CAKE_55 = "Lemon cake. Mix the flour, the sugar and the zest of two lemons. Bake for 55 minutes.\n"
CAKE_QUESTION = "How long do I bake the cake?"


def _cake(tmp_path, text: str, folder: str = "first") -> Path:
    path = tmp_path / folder / "lemon-cake.txt"
    path.parent.mkdir(exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def _quoted(settings) -> str:
    return " ".join(c.text for c in answer(CAKE_QUESTION, settings=settings).citations)


def test_a_name_uploaded_again_is_refused_without_replace_and_nothing_changes(tmp_path, local):
    add_documents([_cake(tmp_path, CAKE_40)], settings=local)
    pointer = (local.index_dir / CURRENT_FILE).read_text()
    with pytest.raises(DocumentExistsError) as refused:
        add_documents([_cake(tmp_path, CAKE_55, "edited")], settings=local)
    assert str(refused.value) == "lemon-cake.txt exists; pass replace=True to replace it, or rename the file."
    assert refused.value.names == ("lemon-cake.txt",)
    assert (local.index_dir / CURRENT_FILE).read_text() == pointer
    assert (local.upload_dir / "lemon-cake.txt").read_text(encoding="utf-8") == CAKE_40
    assert _uploaded(local) == ["lemon-cake.txt"]


def test_replace_swaps_the_document_for_its_new_version(tmp_path, local):
    add_documents([_cake(tmp_path, CAKE_40)], settings=local)
    assert "40 minutes" in _quoted(local)
    index = add_documents([_cake(tmp_path, CAKE_55, "edited")], settings=local, replace=True)
    assert [Path(s).name for s in index.sources] == [SEED.name, "lemon-cake.txt"]
    quoted = _quoted(local)
    assert "55 minutes" in quoted and "40" not in quoted
    assert (local.upload_dir / "lemon-cake.txt").read_text(encoding="utf-8") == CAKE_55
    assert list((local.upload_dir / ".incoming").iterdir()) == []  # the old file kept aside is gone
    from qa.storing.collection import Collection

    restarted = Collection(local).index()  # as a new process finds it: the swap was saved
    assert restarted.sources == index.sources
    assert "55 minutes" in restarted.document_text(str(local.upload_dir / "lemon-cake.txt"))


def test_the_old_version_answers_until_the_new_one_is_saved(tmp_path, local):
    add_documents([_cake(tmp_path, CAKE_40)], settings=local)
    while_embedding = []

    def ask_meanwhile(step, done, total):
        if step == "sentences" and not while_embedding:  # the new version is being embedded
            while_embedding.append(_quoted(local))

    add_documents([_cake(tmp_path, CAKE_55, "edited")], settings=local, replace=True, progress=ask_meanwhile)
    assert len(while_embedding) == 1 and "40 minutes" in while_embedding[0]
    assert "55 minutes" in _quoted(local)


def test_a_replacement_that_cannot_be_read_leaves_the_old_version(tmp_path, local):
    add_documents([_cake(tmp_path, CAKE_40)], settings=local)
    pointer = (local.index_dir / CURRENT_FILE).read_text()
    broken = tmp_path / "broken.bin"
    broken.write_bytes(b"\x89PNG\x00\x00\x00 not a recipe")
    with pytest.raises(DocumentError, match="lemon-cake.txt.*binary"):
        add_documents([broken], settings=local, names=["lemon-cake.txt"], replace=True)
    assert (local.index_dir / CURRENT_FILE).read_text() == pointer
    assert (local.upload_dir / "lemon-cake.txt").read_text(encoding="utf-8") == CAKE_40
    assert "40 minutes" in _quoted(local)


def test_replace_adds_a_name_not_uploaded_yet(tmp_path, local):
    add_documents([_cake(tmp_path, CAKE_40)], settings=local, replace=True)
    assert _uploaded(local) == ["lemon-cake.txt"]


def test_one_name_given_to_two_files_is_refused(tmp_path, local):
    one, two = tmp_path / "one.txt", tmp_path / "two.txt"
    one.write_text(CAKE_40, encoding="utf-8")
    two.write_text(CAKE_55, encoding="utf-8")
    with pytest.raises(DocumentError, match="cake.txt: given to more than one file"):
        add_documents([one, two], settings=local, names=["cake.txt", "cake.txt"], replace=True)
    assert _uploaded(local) == []


def test_a_free_name_keeps_both_versions(tmp_path, local):
    from qa.storing.collection import default_collection

    add_documents([_cake(tmp_path, CAKE_40)], settings=local)
    name = default_collection(local).free_name("lemon-cake.txt")
    assert name == "lemon-cake-1.txt"
    add_documents([_cake(tmp_path, CAKE_55, "edited")], settings=local, names=[name])
    assert _uploaded(local) == ["lemon-cake.txt", "lemon-cake-1.txt"]


# --- what the list says of each document ------------------------------------------------------


def test_a_two_page_pdf_is_listed_with_its_two_pages(tmp_path, local):
    from tests.files import text_pdf_pages

    report = tmp_path / "rapport.pdf"
    report.write_bytes(text_pdf_pages(["Le phare de Quorvalde fut allumé en 1887.", "Il fut électrifié en 1921."]))
    add_documents([report], settings=local)
    [listed] = [d for d in list_documents(settings=local) if d.name == "rapport.pdf"]
    assert (listed.section_kind, listed.sections) == ("page", 2)


def test_a_text_file_is_listed_without_sections(local):
    [seed] = list_documents(settings=local)
    assert (seed.name, seed.section_kind, seed.sections) == (SEED.name, None, None)


def test_an_upload_is_listed_with_its_files_size_and_the_time_it_was_added(tmp_path, local):
    from datetime import datetime, timedelta, timezone

    note = tmp_path / "phare.txt"
    note.write_bytes("Le phare de Quorvalde fut allumé en 1887 par la gardienne Ysolde Brannik.\n".encode())
    before = datetime.now(timezone.utc) - timedelta(seconds=1)  # a file's time may lag the clock by a tick
    add_documents([note], settings=local)
    after = datetime.now(timezone.utc)
    [listed] = [d for d in list_documents(settings=local) if d.uploaded]
    assert listed.size == len(note.read_bytes()) == 75  # bytes, not characters ("é" is two)
    assert listed.characters == 74
    assert listed.added.tzinfo is not None and before <= listed.added <= after


def test_a_corpus_document_is_listed_with_its_files_time(local):
    import os
    from datetime import datetime, timezone

    written = datetime(2024, 3, 9, 14, 5, 0, tzinfo=timezone.utc)
    os.utime(local.corpus_dir / SEED.name, (written.timestamp(), written.timestamp()))
    [seed] = list_documents(settings=local)
    assert (seed.uploaded, seed.added, seed.size) == (False, written, (local.corpus_dir / SEED.name).stat().st_size)

# --- indexing told to others, and cancelled ------------------------------------------------------


def _files_of(folder: Path) -> list[str]:
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*") if p.is_file()) if folder.exists() else []


def _cancel_once_embedding(cancel):
    """A progress callback that cancels the add once its first batch of sentences is embedded."""

    def progress(step, done, total):
        if step == "sentences" and done > 0:
            cancel()

    return progress


def test_an_add_cancelled_while_embedding_leaves_the_index_and_the_uploads_as_they_were(tmp_path, local):
    import threading

    from qa.errors import IndexingCancelled
    from qa.storing.collection import Collection

    before = default_index(local)
    pointer = (local.index_dir / CURRENT_FILE).read_text()
    stop = threading.Event()
    with pytest.raises(IndexingCancelled):
        add_documents([_cake(tmp_path, CAKE_40)], settings=local, progress=_cancel_once_embedding(stop.set), cancel=stop)
    assert (local.index_dir / CURRENT_FILE).read_text() == pointer  # nothing saved
    assert _files_of(local.upload_dir) == []  # nothing kept, not even in .incoming
    assert default_index(local).sources == before.sources
    assert Collection(local).index().sources == before.sources  # as a new process finds it
    assert default_index(local) is not None and _uploaded(local) == []


def test_cancel_indexing_stops_the_add_under_way_and_a_replaced_upload_stays(tmp_path, local):
    from qa.errors import IndexingCancelled
    from qa.storing.collection import default_collection

    add_documents([_cake(tmp_path, CAKE_40)], settings=local)
    pointer = (local.index_dir / CURRENT_FILE).read_text()
    collection = default_collection(local)
    with pytest.raises(IndexingCancelled):
        collection.add(
            [_cake(tmp_path, CAKE_55, "edited")], replace=True, progress=_cancel_once_embedding(collection.cancel_indexing)
        )
    assert (local.index_dir / CURRENT_FILE).read_text() == pointer
    assert _files_of(local.upload_dir) == ["lemon-cake.txt"]
    assert (local.upload_dir / "lemon-cake.txt").read_text(encoding="utf-8") == CAKE_40
    assert "40 minutes" in _quoted(local)
    assert collection.indexing is None and collection.cancel_indexing() is None  # nothing runs now


def test_a_cancelled_reindex_leaves_the_index_as_it_was(tmp_path, local):
    from qa.errors import IndexingCancelled
    from qa.storing.collection import default_collection

    default_index(local)
    pointer = (local.index_dir / CURRENT_FILE).read_text()
    collection = default_collection(local)
    with pytest.raises(IndexingCancelled):
        reindex_all(settings=local, progress=_cancel_once_embedding(collection.cancel_indexing))
    assert (local.index_dir / CURRENT_FILE).read_text() == pointer


def test_another_thread_is_told_which_add_runs_and_how_far_it_is(tmp_path, local):
    """The add waits inside its progress report while another thread looks: no timing."""
    import threading

    from qa.storing.collection import default_collection

    collection = default_collection(local)
    default_index(local)
    embedding, looked = threading.Event(), threading.Event()
    seen = []

    def progress(step, done, total):
        if step == "sentences" and done > 0 and not embedding.is_set():
            embedding.set()
            assert looked.wait(timeout=120)

    adding = threading.Thread(
        target=lambda: add_documents([_cake(tmp_path, CAKE_40)], settings=local, progress=progress)
    )
    adding.start()
    try:
        assert embedding.wait(timeout=300)
        seen.append(collection.indexing)
        seen.append(collection.documents())  # answered at once, from the index as it was
    finally:
        looked.set()
        adding.join(timeout=300)
    status, documents = seen
    assert status.name == "lemon-cake.txt" and status.step == "embedding"
    assert 0 < status.done < 1
    assert [d.name for d in documents] == [SEED.name]
    assert collection.indexing is None
    assert _uploaded(local) == ["lemon-cake.txt"]


# --- a name a corpus document has ------------------------------------------------------------


def _seed_named(tmp_path) -> Path:
    """Another text under the seed article's name (a file of the corpus folder)."""
    path = tmp_path / "other" / SEED.name
    path.parent.mkdir()
    path.write_text(CAKE_40, encoding="utf-8")
    return path


def test_an_upload_named_as_a_corpus_document_is_refused_as_taken(tmp_path, local):
    before = default_index(local).sources
    with pytest.raises(DocumentExistsError) as raised:
        add_documents([_seed_named(tmp_path)], settings=local)
    assert raised.value.names == (SEED.name,)
    assert default_index(local).sources == before and _uploaded(local) == []


def test_replacing_a_corpus_document_by_an_upload_is_refused_with_where_to_change_it(tmp_path, local):
    before = default_index(local).sources
    with pytest.raises(DocumentError, match=rf"{re.escape(SEED.name)}: a document of that name is in the corpus folder") as raised:
        add_documents([_seed_named(tmp_path)], settings=local, replace=True)
    assert not isinstance(raised.value, DocumentExistsError)
    assert "change it there, or add yours under another name" in str(raised.value)
    assert default_index(local).sources == before and _uploaded(local) == []
    assert (local.corpus_dir / SEED.name).read_text(encoding="utf-8") == SEED.read_text(encoding="utf-8")


def test_a_free_name_skips_the_names_of_corpus_documents(tmp_path, local):
    from qa.storing.collection import default_collection

    name = default_collection(local).free_name(SEED.name)
    assert name == "poutine-coree-du-nord-1.txt"
    add_documents([_seed_named(tmp_path)], settings=local, names=[name])
    assert [d.name for d in list_documents(settings=local)] == [SEED.name, name]


def test_a_corpus_file_not_indexed_yet_takes_its_name_too(tmp_path, local):
    default_index(local)
    (local.corpus_dir / "lemon-cake.txt").write_text(CAKE_55, encoding="utf-8")  # seen at the next look
    with pytest.raises(DocumentExistsError):
        add_documents([_cake(tmp_path, CAKE_40)], settings=local)
    assert _uploaded(local) == []


# --- two documents of one name, in two corpus subfolders -------------------------------------


def _two_cakes(local) -> None:
    for folder, text in (("first", CAKE_40), ("second", CAKE_55)):
        (local.corpus_dir / folder).mkdir()
        (local.corpus_dir / folder / "lemon-cake.txt").write_text(text, encoding="utf-8")


def test_a_name_two_corpus_documents_have_finds_no_file_by_name_alone(local):
    from qa.storing.collection import document_file

    _two_cakes(local)
    with pytest.raises(DocumentError) as raised:
        document_file("lemon-cake.txt", settings=local)
    assert str(raised.value) == (
        "2 documents are named lemon-cake.txt: first/lemon-cake.txt (QA_CORPUS_DIR), second/lemon-cake.txt "
        "(QA_CORPUS_DIR). Rename one of them in its folder to open it by name."
    )


def test_a_name_two_corpus_documents_have_finds_each_file_by_its_text(local):
    from qa.storing.collection import document_file

    _two_cakes(local)
    assert document_file("lemon-cake.txt", settings=local, text=CAKE_55) == (local.corpus_dir / "second" / "lemon-cake.txt").resolve()
    assert document_file("lemon-cake.txt", settings=local, text=CAKE_40) == (local.corpus_dir / "first" / "lemon-cake.txt").resolve()


# --- two adds at once --------------------------------------------------------------------------


def test_two_adds_at_once_are_told_together_and_cancel_stops_both(tmp_path, local):
    """One add held inside its first report of embedded sentences (it holds the lock), a
    second one read and waiting for the lock: no timing."""
    import threading

    from qa.errors import IndexingCancelled
    from qa.storing.collection import default_collection

    collection = default_collection(local)
    before = default_index(local).sources
    first_embedding, second_read, release = threading.Event(), threading.Event(), threading.Event()
    outcomes = {}

    def hold_first(step, done, total):
        if step == "sentences" and done > 0 and not first_embedding.is_set():
            first_embedding.set()
            assert release.wait(timeout=300)

    def tell_second(step, done, total):
        if step == "documents" and done == total:
            second_read.set()

    def add(key, text, name, progress):
        path = tmp_path / key / name
        path.parent.mkdir()
        path.write_text(text, encoding="utf-8")
        try:
            outcomes[key] = collection.add([path], progress=progress)
        except Exception as exc:  # noqa: BLE001 (handed to the test)
            outcomes[key] = exc

    first = threading.Thread(target=add, args=("first", CAKE_40, "cake-40.txt", hold_first))
    second = threading.Thread(target=add, args=("second", CAKE_55, "cake-55.txt", tell_second))
    first.start()
    try:
        assert first_embedding.wait(timeout=300)
        second.start()
        assert second_read.wait(timeout=300)
        told = collection.indexing
        cancelled = collection.cancel_indexing()
    finally:
        release.set()
        first.join(timeout=300)
        second.join(timeout=300)
    assert (told.name, told.step) == ("cake-40.txt, cake-55.txt", "embedding")
    assert (cancelled.name, cancelled.step) == ("cake-40.txt, cake-55.txt", "cancelling")
    assert isinstance(outcomes["first"], IndexingCancelled) and isinstance(outcomes["second"], IndexingCancelled)
    assert default_index(local).sources == before and _uploaded(local) == []
    assert collection.indexing is None
