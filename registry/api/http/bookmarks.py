"""The `Registry-Bookmark` header: a client's writes, readable through any server process.

A request that writes (on Neo4j) is answered with `Registry-Bookmark`: the bookmarks of the
transaction it committed, opaque (base64url), at most `MOST_CHARACTERS` long.  A request that
sends it back is read after that transaction, whichever process serves it and whichever cluster
member that process reads from (registry/store/causal.py).  Without the header, nothing changes.
A header that is not one this registry could have given gets a typed 400 before anything runs.
"""

from __future__ import annotations

import base64
import binascii
import re

from starlette.responses import Response

from registry.domain.errors import ErrorCode, RegistryError
from registry.store.causal import Causal

HEADER = "Registry-Bookmark"
MOST_CHARACTERS = 1024  # a Neo4j bookmark is ~60 characters; a few of them fit
MOST_BOOKMARKS = 8
_BOOKMARK = re.compile(r"[\x21-\x7e]{1,256}")  # printable ASCII without spaces or commas (checked apart)


def encode(bookmarks: list[str]) -> str:
    return base64.urlsafe_b64encode(",".join(bookmarks).encode()).decode().rstrip("=")


def read(header: str | None) -> tuple[str, ...]:
    """The bookmarks a request sent back; RegistryError (BAD_REQUEST, field `bookmark`) when the
    header is too long or not one `encode` makes."""
    if header is None:
        return ()
    if len(header) > MOST_CHARACTERS:
        raise _refused(f"{HEADER} is longer than {MOST_CHARACTERS} characters.")
    try:
        text = base64.urlsafe_b64decode(header + "=" * (-len(header) % 4)).decode("ascii")
    except (binascii.Error, ValueError):
        raise _refused(f"{HEADER} is not one this registry gave.") from None
    found = tuple(text.split(","))
    if len(found) > MOST_BOOKMARKS or not all(_BOOKMARK.fullmatch(b) and "," not in b for b in found):
        raise _refused(f"{HEADER} is not one this registry gave.")
    return found


def give(response: Response, causal: Causal) -> Response:
    """`response` with the bookmarks of what its request wrote, if it wrote on a store that has
    them.  A public answer varies with the header: a shared cache keeps the answers read after a
    client's write apart from the others."""
    if causal.written:
        response.headers[HEADER] = encode(causal.written)
        response.headers["Access-Control-Expose-Headers"] = HEADER  # a browser client may read it
    if "public" in response.headers.get("cache-control", ""):
        vary = response.headers.get("vary")
        response.headers["Vary"] = HEADER if not vary else f"{vary}, {HEADER}"
    return response


def _refused(message: str) -> RegistryError:
    return RegistryError(ErrorCode.BAD_REQUEST, message, "bookmark")
