"""E-mail messages (.eml, RFC 5322 / MIME), read with the standard library's `email`."""

from __future__ import annotations

from pathlib import Path

from qa.errors import DocumentError
from qa.reading.formats import plain
from qa.reading.formats.webpage import page_text

# The headers a reader looks at, one line each at the top, in this order.
HEADERS = ("Subject", "From", "To", "Date")


def read(data: bytes, path: Path) -> str:
    """A message's Subject, From, To and Date, one line each ("Subject: ..."), then a blank
    line and its body: the text/plain part when there is one, else the text/html part's
    visible text (`qa.reading.formats.webpage.page_text`).

    Attachments are not read (neither are the other parts of a multipart/alternative
    body), nor messages forwarded as attachments. Encoded headers (RFC 2047) and bodies
    (quoted-printable, base64, any charset) are decoded. A body whose declared charset
    Python has no codec for (``charset="x-unknown-42"``, a mail program's private name)
    is decoded as a text file's would be (`qa.reading.formats.plain.read`: UTF-8, else
    Windows-1252, else what charset-normalizer recognises); `email` itself reads such a
    header's encoded words as UTF-8, other bytes replaced by "\\ufffd" (measured).

    Raises:
        DocumentError: the file has none of those headers, so is no e-mail message, or
            its body cannot be decoded (an unknown charset and bytes that are no text).

    Example:
        >>> print(read(b"Subject: Hello\\nFrom: a@example.org\\n\\nSee you at 5.\\n", Path("m.eml")))
        Subject: Hello
        From: a@example.org
        <BLANKLINE>
        See you at 5.
    """
    import email
    from email import policy

    try:
        message = email.message_from_bytes(data, policy=policy.default)
        lines = [f"{name}: {' '.join(str(message[name]).split())}" for name in HEADERS if message[name] is not None]
        body = _body_text(message, path)
    except (DocumentError, MemoryError):
        raise
    except Exception as exc:  # a malformed header or an unknown charset: anything
        raise DocumentError(f"{path}: not a readable e-mail message ({type(exc).__name__}: {exc}).") from None
    if not lines:
        raise DocumentError(
            f"{path}: not an e-mail message (no Subject, From, To or Date header); "
            "save the message from your mail program as .eml and try again."
        )
    return "\n".join(lines) + ("\n\n" + body if body else "")


def _body_text(message, path: Path) -> str:
    part = message.get_body(preferencelist=("plain",))
    if part is not None:
        return _part_text(part, path).strip()
    part = message.get_body(preferencelist=("html",))
    if part is not None:
        return page_text(_part_text(part, path)).strip()
    return ""


def _part_text(part, path: Path) -> str:
    try:
        return part.get_content()
    except LookupError:  # a charset Python has no codec for: the bytes may well be text all the same
        pass
    charset = part.get_content_charset()
    try:
        return plain.read(part.get_payload(decode=True) or b"", path)
    except DocumentError:
        raise DocumentError(
            f"{path}: the message's text is in a character set qa does not know ({charset!r}) "
            "and does not read as text in any other; save the message again from your mail program "
            "(as UTF-8 if it asks) and try again."
        ) from None
