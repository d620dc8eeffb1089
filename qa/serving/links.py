"""Links to a document's files (its original, its page images) that a logged-in page may hand
to the browser.

With a login (`QA_AUTH`) every route of the REST API needs it, but a browser logged in to
the web page holds Gradio's session, not an `Authorization` header: an `<img>` or a
download link would get 401. So the page, rendered for a logged-in person only, writes
these links signed (an HMAC of the path and an expiry, with a key made when the server
starts), and the REST API takes a valid signature for the login, for that one path, for
`GET` only, until it expires. The key never leaves the server; a restart voids every link.

- `document_link("report.pdf", "original")` -> `api/v1/documents/report.pdf/original?expires=...&signature=...`
- `link_allowed(path, query)`: the REST API's check.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import time
from urllib.parse import parse_qs, quote

API_PREFIX = "/api/v1"
# How long a link handed to a page works: a page left open a working day still opens its
# document; reopening a citation writes new links.
LINK_LIFETIME_S = 12 * 3600

_KEY = secrets.token_bytes(32)


def document_path(name: str, what: str) -> str:
    """A document's file route under the API (`/documents/{name}/{what}`), not yet quoted.

    Example:
        >>> document_path("report.pdf", "pages/2.png")
        '/documents/report.pdf/pages/2.png'
    """
    return f"/documents/{name}/{what}"


def document_link(name: str, what: str, *, now: float | None = None, download: bool = False) -> str:
    """The signed link, relative to the web page (`api/v1/...`), to ``what`` of document
    ``name``: "original" or "pages/{n}.png".

    Example:
        >>> link = document_link("my report.pdf", "original", now=0)
        >>> link.startswith("api/v1/documents/my%20report.pdf/original?expires=43200&signature=")
        True
        >>> link_allowed("/documents/my report.pdf/original", link.split("?")[1], now=1)
        True
    """
    path = document_path(name, what)
    expires = int((time.time() if now is None else now) + LINK_LIFETIME_S)
    query = f"expires={expires}&signature={_signature(path, expires)}"
    return f"{API_PREFIX.lstrip('/')}{quote(path)}?{query}{'&download=1' if download else ''}"


def link_allowed(path: str, query: str, *, now: float | None = None) -> bool:
    """Whether ``query`` (a request's query string) signs ``path`` (under the API, unquoted)
    and has not expired."""
    fields = parse_qs(query)
    try:
        expires = int(fields["expires"][0])
        signature = fields["signature"][0]
    except (KeyError, IndexError, ValueError):
        return False
    if expires < (time.time() if now is None else now):
        return False
    # Compared as bytes: `compare_digest` refuses a str holding other than ASCII (a TypeError, so a 500).
    return hmac.compare_digest(signature.encode(), _signature(path, expires).encode())


def _signature(path: str, expires: int) -> str:
    return hmac.new(_KEY, f"GET {path} {expires}".encode(), hashlib.sha256).hexdigest()
