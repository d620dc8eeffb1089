"""E-mail messages (.eml): Subject, From, To and Date, then the body; attachments not read."""

import pytest

from qa.errors import DocumentError
from qa.reading.documents import read_document


def meeting_message(path):
    """An .eml written by the standard library: a French subject (encoded on the way
    out), a text/plain body with an HTML alternative, and an attachment."""
    from email.message import EmailMessage

    message = EmailMessage()
    message["Subject"] = "Réunion du comité de quartier"
    message["From"] = "Claire Martin <claire@example.org>"
    message["To"] = "voisins@example.org, mairie@example.org"
    message["Date"] = "Mon, 01 Dec 2025 09:30:00 +0100"
    message.set_content(
        "Bonjour à tous,\n\n"
        "La prochaine réunion du comité aura lieu le jeudi 11 décembre à 19 heures à la salle des fêtes.\n"
        "Merci de confirmer votre présence.\n"
    )
    message.add_alternative("<p>Version HTML : <b>ne pas lire</b></p>", subtype="html")
    message.add_attachment(b"Budget: 1200 EUR", maintype="text", subtype="plain", filename="budget.txt")
    path.write_bytes(bytes(message))
    return path


def test_headers_then_the_plain_body_are_read_and_attachments_are_not(tmp_path):
    path = meeting_message(tmp_path / "reunion.eml")
    assert b"=?utf-8?" in path.read_bytes()  # the subject is encoded in the file
    assert read_document(path) == (
        "Subject: Réunion du comité de quartier\n"
        "From: Claire Martin <claire@example.org>\n"
        "To: voisins@example.org, mairie@example.org\n"
        "Date: Mon, 01 Dec 2025 09:30:00 +0100\n\n"
        "Bonjour à tous,\n\n"
        "La prochaine réunion du comité aura lieu le jeudi 11 décembre à 19 heures à la salle des fêtes.\n"
        "Merci de confirmer votre présence."
    )


def test_an_html_only_message_gives_the_visible_text(tmp_path):
    from email.message import EmailMessage

    message = EmailMessage()
    message["Subject"] = "Opening hours"
    message.set_content("<p>The library opens at <b>nine</b>.</p><p>It closes at six.</p>", subtype="html")
    path = tmp_path / "hours.eml"
    path.write_bytes(bytes(message))
    assert read_document(path) == "Subject: Opening hours\n\nThe library opens at nine.\n\nIt closes at six."


def test_a_question_is_answered_from_the_body(tmp_path, first_citation):
    path = meeting_message(tmp_path / "reunion.eml")
    citation = first_citation(path, "When is the next committee meeting?")
    assert "jeudi 11 décembre à 19 heures" in citation.text


def test_a_file_without_mail_headers_is_a_document_error_naming_it(tmp_path):
    path = tmp_path / "photo.eml"
    path.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)))
    with pytest.raises(DocumentError, match="photo.eml: not an e-mail message"):
        read_document(path)


def message_in_charset(charset: str, body: bytes) -> bytes:
    """An .eml as a mail program may write it: an 8-bit text/plain body under a declared charset."""
    return (
        b"Subject: Tarifs\nFrom: a@example.org\nMIME-Version: 1.0\n"
        b'Content-Type: text/plain; charset="' + charset.encode() + b'"\nContent-Transfer-Encoding: 8bit\n\n' + body
    )


@pytest.mark.parametrize("encoding", ["utf-8", "cp1252"])
def test_a_body_in_an_unknown_charset_is_read_as_a_text_files_would_be(tmp_path, encoding):
    path = tmp_path / "tarifs.eml"
    path.write_bytes(message_in_charset("x-unknown-42", "Le café coûte 2,50 €.\n".encode(encoding)))
    assert read_document(path) == "Subject: Tarifs\nFrom: a@example.org\n\nLe café coûte 2,50 €."


def test_a_body_in_an_unknown_charset_that_is_no_text_is_a_document_error_naming_it_and_the_charset(tmp_path):
    path = tmp_path / "tarifs.eml"
    path.write_bytes(message_in_charset("x-unknown-42", bytes(range(256))))
    with pytest.raises(DocumentError, match=r"tarifs.eml: the message's text is in a character set qa does not know \('x-unknown-42'\)") as error:
        read_document(path)
    assert "LookupError" not in str(error.value)
