"""HTTP caching of public reads: what a CDN, a proxy or a browser may keep, and for how long.

- A public read is an anonymous GET of a persisted document: by its hash (automatic persisted
  queries) or, in trusted-documents mode, any document an anonymous caller may run. Its URL
  names the document, so a shared cache can key on it. A successful answer (no `errors`) carries
  an `ETag` derived from the public version it was read at, `Cache-Control: public, max-age=N`
  and `Vary`. The public version (services/public_answers.py) moves only with changes an anonymous
  caller can see, so a hub's draft does not make proxies fetch again, and it is the same number in
  every server process.
- `If-None-Match` with the current tag is answered 304 after one cheap read (the change mark,
  which also gives the response cache its version), without running the query.
- Every other answer of the endpoint says `no-store` (`private, no-store` to a caller with a
  credential): a proxy told to cache by default (nginx's `proxy_cache_valid`) still keeps none of
  them. POST answers, errors and keyed callers' answers are never kept by a shared cache.
"""

from __future__ import annotations

import hashlib
from typing import Any

import orjson
from starlette.requests import Request
from starlette.responses import Response

from registry.settings import Settings

CREDENTIALS = ("authorization",)  # the headers that carry a caller's key: present at all, never public
VARY = "Accept, Authorization"  # the answer's media type follows Accept; a key changes what is visible
NOT_STORED = "no-store"
PRIVATE = "private, no-store"


def has_credentials(request: Request) -> bool:
    """A credential header is present, even empty or wrong (its 401 is not for sharing either)."""
    return any(name in request.headers for name in CREDENTIALS)


def public_read(request: Request, params: dict[str, Any], settings: Settings, trusted: bool) -> bool:
    """Whether this request's successful answer may be kept by shared caches."""
    if request.method != "GET" or settings.http_cache_max_age <= 0 or settings.stats:
        return False  # per-request stats make every answer different
    if has_credentials(request):
        return False
    extensions = params.get("extensions")
    by_hash = isinstance(extensions, dict) and isinstance(extensions.get("persistedQuery"), dict)
    return by_hash or trusted


def etag(
    generation: int | str, query: str, operation_name: str | None, variables: dict[str, Any] | None, media: str
) -> str:
    """The tag of an answer: the public version it was read at, and what was asked, in which media type.

    The one place that says what an answer depends on: a finer version (per kind, per record) plugs
    in as `generation`. Weak: the same data, not promised the same bytes (lean and full executors)."""
    asked = orjson.dumps([query, operation_name, variables or {}, media], option=orjson.OPT_SORT_KEYS)
    digest = hashlib.blake2b(asked, digest_size=8).hexdigest()
    return f'W/"{generation}-{digest}"'


def matches(if_none_match: str | None, tag: str) -> bool:
    """RFC 9110's weak comparison of `If-None-Match` with our tag (a list of tags, `W/` ignored)."""
    if not if_none_match:
        return False
    ours = tag.removeprefix("W/")
    return any(part.strip().removeprefix("W/") == ours for part in if_none_match.split(","))


def public_headers(tag: str, max_age: int) -> dict[str, str]:
    return {"ETag": tag, "Cache-Control": f"public, max-age={max_age}", "Vary": VARY}


def make_public(response: Response, tag: str, max_age: int) -> Response:
    response.headers.update(public_headers(tag, max_age))
    return response


def not_modified(tag: str, max_age: int, request_id: str) -> Response:
    """304: the client's copy is current (the same caching headers as the full answer, RFC 9110 15.4.5)."""
    return Response(status_code=304, headers={**public_headers(tag, max_age), "X-Request-Id": request_id})


def not_shared(request: Request, response: Response) -> Response:
    """Any answer without caching headers of its own: kept by no shared cache."""
    if "cache-control" not in response.headers:
        response.headers["Cache-Control"] = PRIVATE if has_credentials(request) else NOT_STORED
    return response
