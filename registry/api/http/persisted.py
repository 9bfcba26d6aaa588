"""Persisted operations: Apollo's automatic persisted queries, and an optional trusted-documents list.

- A client sends `extensions.persistedQuery = {version: 1, sha256Hash}` (the hash of the document's
  exact text). Without `query`, the hash is looked up: unknown gives PERSISTED_QUERY_NOT_FOUND,
  which Apollo clients answer by sending the hash again with the query; with `query`, the hash is
  checked against the text, kept, and the query runs. Kept hashes live in this process (an LRU):
  a miss only costs the client one more round trip.
- Trusted documents (`registry serve --trusted-documents FILE`): callers without a key may run
  only the documents listed in the manifest, the JSON map sha256 -> document that graphql-codegen's
  client preset writes as `persisted-documents.json`. Callers with a key may send any document.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections import OrderedDict
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from graphql import GraphQLError, Node, OperationDefinitionNode, parse, print_ast

NOT_FOUND = "PERSISTED_QUERY_NOT_FOUND"  # the code and message Apollo clients look for
NOT_FOUND_MESSAGE = "PersistedQueryNotFound"
NOT_IN_LIST = "PERSISTED_QUERY_NOT_IN_LIST"


def sha256(document: str) -> str:
    return hashlib.sha256(document.encode("utf-8")).hexdigest()


@dataclass
class PersistedQueryError(Exception):
    """A refusal before execution: its own HTTP status and code."""

    status: int
    code: str
    message: str
    field: str | None = None


class KnownDocuments:
    """Documents registered by hash in this process, least recently used dropped first."""

    MAX_ENTRIES = 2048
    MAX_LENGTH = 20_000  # the same bound as the validated documents' cache

    def __init__(self) -> None:
        self._documents: OrderedDict[str, str] = OrderedDict()

    def get(self, digest: str) -> str | None:
        document = self._documents.get(digest)
        if document is not None:
            self._documents.move_to_end(digest)
        return document

    def put(self, digest: str, document: str) -> None:
        if len(document) > self.MAX_LENGTH:
            return
        self._documents[digest] = document
        self._documents.move_to_end(digest)
        while len(self._documents) > self.MAX_ENTRIES:
            self._documents.popitem(last=False)


def canonical(document: str) -> str | None:
    """The document with every list of siblings sorted and whitespace normalised (None: it does not parse).

    graphql-codegen writes the manifest's documents sorted and on one line, not as the client's
    source has them; two documents with the same canonical form ask the same thing.
    """
    try:
        tree = parse(document, no_location=True)
    except GraphQLError:
        return None
    return " ".join(print_ast(_sorted(tree)).split())


SORTED = ("definitions", "selections", "arguments", "variable_definitions", "directives")


def _sorted(node: Node) -> Node:
    """A copy of the tree with each of those lists in one order: by the child's own (sorted) text."""
    fields: dict[str, Any] = {}
    for key in node.keys:
        value = getattr(node, key)
        if isinstance(value, Node):
            value = _sorted(value)
        elif isinstance(value, tuple | list) and value and isinstance(value[0], Node):
            children = [_sorted(child) for child in value]
            if key in SORTED:
                children.sort(key=print_ast)
            value = tuple(children)
        fields[key] = value
    return type(node)(**fields)


class TrustedDocuments:
    """The manifest's documents by hash, and their canonical forms (a client may send its source text)."""

    def __init__(self, by_hash: dict[str, str]) -> None:
        self.by_hash = by_hash
        self._canonical = {canonical(document) for document in by_hash.values()} - {None}
        self._checked: OrderedDict[str, bool] = OrderedDict()  # recent answers of allows()

    def __len__(self) -> int:
        return len(self.by_hash)

    def allows(self, document: str) -> bool:
        if sha256(document) in self.by_hash:
            return True
        allowed = self._checked.get(document)
        if allowed is None:
            allowed = canonical(document) in self._canonical
            if len(document) <= KnownDocuments.MAX_LENGTH:
                self._checked[document] = allowed
                while len(self._checked) > KnownDocuments.MAX_ENTRIES:
                    self._checked.popitem(last=False)
        return allowed


@lru_cache(maxsize=4)
def load_manifest(path: str) -> TrustedDocuments:
    """The trusted documents of a manifest file, checked: every key must be its document's hash."""
    try:
        manifest = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        raise ValueError(f"cannot read the trusted documents {path}: {error}") from error
    if not isinstance(manifest, dict) or not all(
        isinstance(k, str) and isinstance(v, str) for k, v in manifest.items()
    ):
        raise ValueError(f"{path}: expected a JSON object mapping sha256 hashes to documents")
    # graphql-codegen writes the keys as "sha256:<hex>"; Apollo clients send the bare hex
    by_hash = {key.removeprefix("sha256:").lower(): document for key, document in manifest.items()}
    wrong = [digest for digest, document in by_hash.items() if sha256(document) != digest]
    if wrong:
        raise ValueError(f"{path}: {len(wrong)} hash(es) do not match their document, e.g. {wrong[0]}")
    return TrustedDocuments(by_hash)


def _hash_asked(params: dict[str, Any]) -> str | None:
    extensions = params.get("extensions")
    if extensions is None:
        return None
    if not isinstance(extensions, dict):
        raise PersistedQueryError(400, "BAD_REQUEST", "`extensions` must be a JSON object.", "extensions")
    persisted = extensions.get("persistedQuery")
    if persisted is None:
        return None
    if not isinstance(persisted, dict) or persisted.get("version") != 1:
        raise PersistedQueryError(
            400, "PERSISTED_QUERY_NOT_SUPPORTED", "Only persistedQuery version 1 is supported.", "extensions"
        )
    digest = persisted.get("sha256Hash")
    if not isinstance(digest, str) or len(digest) != 64:
        raise PersistedQueryError(
            400, "INVALID", "`sha256Hash` must be 64 hexadecimal digits.", "extensions.persistedQuery.sha256Hash"
        )
    return digest.lower()


def resolve_document(
    params: dict[str, Any], known: KnownDocuments, trusted: TrustedDocuments | None, has_key: bool
) -> str | None:
    """The document to run for these request parameters (None: the request sent none, nor a hash).

    Raises PersistedQueryError for an unknown hash, a hash that does not match its query, or (in
    trusted-documents mode, for a caller without a key) a document that is not in the list.
    """
    query = params.get("query")
    if query is not None and not isinstance(query, str):
        raise PersistedQueryError(400, "BAD_REQUEST", "`query` must be a string.", "query")
    checked = trusted if trusted is not None and not has_key else None
    digest = _hash_asked(params)
    if digest is None:
        if query and checked is not None and not checked.allows(query):
            raise PersistedQueryError(
                403, NOT_IN_LIST, "Only the trusted documents run without a key; send a key for others.", "query"
            )
        return query
    if not query:
        document = (trusted.by_hash.get(digest) if trusted is not None else None) or known.get(digest)
        if document is None:
            raise PersistedQueryError(404, NOT_FOUND, NOT_FOUND_MESSAGE, "extensions.persistedQuery.sha256Hash")
    else:
        if sha256(query) != digest:
            raise PersistedQueryError(
                400, "INVALID", "`sha256Hash` is not the SHA-256 of `query`.", "extensions.persistedQuery.sha256Hash"
            )
        document = query
    if checked is not None and not checked.allows(document):
        raise PersistedQueryError(403, NOT_IN_LIST, "This document is not among the trusted documents.", "query")
    if query:
        known.put(digest, query)
    return document


EXPLORER_DOCUMENT = re.compile(r"/\* GraphQL \*/ `([^`]*)`")  # how operations.js marks its documents


def operation_names(documents: Iterable[str]) -> frozenset[str]:
    """The names of the operations these documents define (a document that does not parse adds none)."""
    names: set[str] = set()
    for document in documents:
        try:
            tree = parse(document, no_location=True)
        except GraphQLError:
            continue
        names.update(d.name.value for d in tree.definitions if isinstance(d, OperationDefinitionNode) and d.name)
    return frozenset(names)


def known_operation_names(trusted_file: str | None, explorer_operations: Path) -> frozenset[str]:
    """The operation names the metrics may label by name whoever sends them: the trusted documents'
    and the explorer's (its operations.js, the source of the trusted-documents manifest)."""
    documents = list(load_manifest(trusted_file).by_hash.values()) if trusted_file else []
    if explorer_operations.is_file():
        documents += EXPLORER_DOCUMENT.findall(explorer_operations.read_text(encoding="utf-8"))
    return operation_names(documents)
