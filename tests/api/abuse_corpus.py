"""A corpus of hostile and mistaken requests, each with the typed answer it must get (issue 6).

A case is one HTTP request (a JSON body, raw bytes, or a GET), the caller's role, and what the
answer must be: the status and the set of error codes, and where it matters the error's
`field`. tests/api/test_abuse_corpus.py sends every case to every store through a real server.
"""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass, field
from typing import Any

TOTAL = "{ territories(first: 1) { totalCount } }"
WORDS_1200 = " ".join(f"w{i}" for i in range(1200))


def _nested(depth: int, inner: str = "1") -> str:
    return "[" * depth + inner + "]" * depth


def _cursor(text: str) -> str:
    return base64.b64encode(text.encode()).decode()


@dataclass(frozen=True)
class Case:
    name: str
    status: int
    codes: frozenset[str]  # the codes of the answer's errors (empty: no error)
    body: Any = None  # sent as JSON (unless raw is given)
    raw: bytes | None = None  # sent as it is, with content-type application/json
    method: str = "POST"
    params: dict[str, str] | None = None  # for GET
    headers: dict[str, str] = field(default_factory=dict)
    as_: str | None = None  # a role of tests.api.conftest.Api's keys; None: anonymous
    field: str | None = None  # the `field` the first error must name
    no_suggestion: bool = False  # the message must not hold "Did you mean"


def q(query: str, variables: dict[str, Any] | None = None, **more: Any) -> dict[str, Any]:
    body: dict[str, Any] = {"query": query}
    if variables is not None:
        body["variables"] = variables
    body.update(more)
    return body


BAD_REQUEST = frozenset({"BAD_REQUEST"})
PARSE = frozenset({"GRAPHQL_PARSE_FAILED"})
VALIDATION = frozenset({"GRAPHQL_VALIDATION_FAILED"})
INVALID = frozenset({"INVALID"})
REQUIRED = frozenset({"REQUIRED"})
NONE: frozenset[str] = frozenset()

CASES: list[Case] = [
    # -- the HTTP request itself ------------------------------------------------------------
    Case("body is not JSON", 400, BAD_REQUEST, raw=b"{nope"),
    Case("body is invalid UTF-8", 400, BAD_REQUEST, raw=b'{"query":"{ __typename }\xff\xfe"}'),
    Case("body is Latin-1 text", 400, BAD_REQUEST, raw=b'{"query":"{ search(text: \\"\xe9t\xe9\\") { totalCount } }"}'),
    Case(
        "lone surrogate in a variable",
        400,
        BAD_REQUEST,
        raw=b'{"query":"query($t: String!) { search(text: $t) { totalCount } }","variables":{"t":"x\\ud800y"}}',
    ),
    Case(
        "lone low surrogate in the query",
        400,
        BAD_REQUEST,
        raw=b'{"query":"{ search(text: \\"\\udc00\\") { totalCount } }"}',
    ),
    Case(
        "variables nested 5,000 deep",
        400,
        BAD_REQUEST,
        raw=('{"query":"' + TOTAL + '","variables":{"v":' + _nested(5000) + "}}").encode(),
    ),
    Case("body nested 100,000 deep", 400, BAD_REQUEST, raw=_nested(100_000).encode()),
    Case("query is a number", 400, BAD_REQUEST, body={"query": 42}),
    Case("query is missing", 400, BAD_REQUEST, body={"variables": {}}),
    Case("query is blank", 400, BAD_REQUEST, body={"query": "   "}),
    Case("variables is a string", 400, BAD_REQUEST, body={"query": TOTAL, "variables": "{}"}),
    Case("variables is a list", 400, BAD_REQUEST, body={"query": TOTAL, "variables": [1]}),
    Case("operationName is a number", 400, BAD_REQUEST, body=q(TOTAL, operationName=3)),
    Case("extensions is a string", 400, BAD_REQUEST, body=q(TOTAL, extensions="x")),
    Case("a batch of two operations", 400, BAD_REQUEST, body=[q(TOTAL), q(TOTAL)]),
    Case("body is a JSON string", 400, BAD_REQUEST, body="{ __typename }"),
    Case("body is null", 400, BAD_REQUEST, raw=b"null"),
    Case("body over 200 KB", 400, BAD_REQUEST, body=q("{ __typename }", {"pad": "x" * 210_000})),
    Case("content-type text/plain", 415, BAD_REQUEST, raw=TOTAL.encode(), headers={"content-type": "text/plain"}),
    Case(
        "content-type form",
        415,
        BAD_REQUEST,
        raw=b"query=x",
        headers={"content-type": "application/x-www-form-urlencoded"},
    ),
    Case("accept text/csv only", 406, BAD_REQUEST, body=q(TOTAL), headers={"accept": "text/csv"}),
    Case(
        "GET with variables that are not JSON",
        400,
        BAD_REQUEST,
        method="GET",
        params={"query": TOTAL, "variables": "{nope"},
    ),
    Case(
        "GET with a lone surrogate in variables",
        400,
        BAD_REQUEST,
        method="GET",
        params={"query": "query($t: String!) { search(text: $t) { totalCount } }", "variables": '{"t":"\\ud800"}'},
    ),
    Case("GET without a query", 400, BAD_REQUEST, method="GET", params={}),
    Case(
        "a mutation over GET",
        405,
        INVALID,
        method="GET",
        params={"query": 'mutation { publishCaseStudy(id: "x", version: 1) { errors { code } } }'},
    ),
    Case("a subscription", 400, INVALID, body=q("subscription { territories { totalCount } }")),
    Case(
        "an unknown key",
        401,
        frozenset({"UNAUTHENTICATED"}),
        body=q(TOTAL),
        headers={"authorization": "Bearer sdr_000000000000_nope"},
    ),
    Case(
        "a Basic authorization",
        401,
        frozenset({"UNAUTHENTICATED"}),
        body=q(TOTAL),
        headers={"authorization": "Basic YTpi"},
    ),
    # -- documents that do not parse ------------------------------------------------------
    Case("unclosed selection", 400, PARSE, body=q("{ territories {")),
    Case("a comment only", 400, PARSE, body=q("# nothing here")),
    Case(
        "a list literal nested 3,000 deep",
        400,
        PARSE,
        body=q("{ search(text: " + _nested(3000, '"x"') + ") { totalCount } }"),
    ),
    Case(
        "a selection nested 2,000 deep",
        400,
        PARSE,
        body=q("{ " + "territories { nodes { " * 2000 + "slug" + " } }" * 2000 + " }"),
    ),
    Case("4,000 tokens", 400, PARSE, body=q("{ " + " ".join("__typename" for _ in range(4000)) + " }")),
    Case(
        "a lone surrogate escape in a GraphQL string",
        400,
        PARSE,
        body=q('{ search(text: "x\\uD800y") { totalCount } }'),
    ),
    Case("an unterminated string", 400, PARSE, body=q('{ search(text: "abc) { totalCount } }')),
    # -- documents that do not validate -----------------------------------------------------
    Case(
        "an unknown field (anonymous: no suggestion)",
        400,
        VALIDATION,
        body=q("{ territories { nodez { slug } } }"),
        no_suggestion=True,
    ),
    Case(
        "an unknown root field (anonymous: no suggestion)",
        400,
        VALIDATION,
        body=q("{ territorie { totalCount } }"),
        no_suggestion=True,
    ),
    Case(
        "an unknown argument (anonymous: no suggestion)",
        400,
        VALIDATION,
        body=q("{ territories(frist: 1) { totalCount } }"),
        no_suggestion=True,
    ),
    Case(
        "an unknown type in a fragment",
        400,
        VALIDATION,
        body=q('{ node(id: "x") { ... on Territorie { slug } } }'),
        no_suggestion=True,
    ),
    Case("a missing required argument", 400, VALIDATION, body=q("{ territory { slug } }")),
    Case(
        "16 levels deep",
        400,
        VALIDATION,
        body=q("{ " + "useCases { nodes { territories { nodes { " * 4 + "slug" + " } } } }" * 4 + " }"),
    ),
    Case(
        "40 aliases",
        400,
        VALIDATION,
        body=q("{ " + " ".join(f"a{i}: territories {{ totalCount }}" for i in range(40)) + " }"),
    ),
    Case(
        "a fragment cycle",
        400,
        VALIDATION,
        body=q(
            "{ territories { ...A } } fragment A on TerritoryConnection { ...B } fragment B on TerritoryConnection { ...A }"
        ),
    ),
    Case("an undefined variable", 400, VALIDATION, body=q("{ territories(first: $n) { totalCount } }")),
    Case("an unused variable", 400, VALIDATION, body=q("query($n: Int) { territories { totalCount } }")),
    Case(
        "a String variable where an Int goes",
        400,
        VALIDATION,
        body=q("query($n: String) { territories(first: $n) { totalCount } }", {"n": "1"}),
    ),
    Case(
        "two operations of one name",
        400,
        VALIDATION,
        body=q("query A { __typename } query A { __typename }", operationName="A"),
    ),
    Case("a field on a scalar", 400, VALIDATION, body=q("{ territories { totalCount { x } } }")),
    # -- which operation to run -----------------------------------------------------------
    Case(
        "two operations and no operationName",
        400,
        BAD_REQUEST,
        body=q("query A { __typename } query B { __typename }"),
        field="operationName",
    ),
    Case(
        "a query and a mutation and no operationName",
        400,
        BAD_REQUEST,
        body=q('query A { __typename } mutation B { publishCaseStudy(id: "x", version: 1) { errors { code } } }'),
        as_="coordinator",
        field="operationName",
    ),
    Case("an unknown operationName", 400, BAD_REQUEST, body=q("query A { __typename }", operationName="B")),
    # -- values that do not fit their argument ------------------------------------------------
    Case(
        "an Int over 2^31 literal",
        400,
        INVALID,
        body=q("{ territories(first: 2147483648) { totalCount } }"),
        field="first",
    ),
    Case(
        "an Int over 2^31 in a variable",
        400,
        INVALID,
        body=q("query($n: Int) { territories(first: $n) { totalCount } }", {"n": 2**40}),
        field="first",
    ),
    Case(
        "an Int over 2^63 in a variable",
        400,
        INVALID,
        body=q("query($n: Int) { territories(first: $n) { totalCount } }", {"n": 2**70}),
        field="first",
    ),
    Case(
        "a string for an Int variable",
        400,
        INVALID,
        body=q("query($n: Int) { territories(first: $n) { totalCount } }", {"n": "x"}),
        field="first",
    ),
    Case(
        "a float for an Int literal", 400, INVALID, body=q("{ territories(first: 1.5) { totalCount } }"), field="first"
    ),
    Case(
        "a missing required variable",
        400,
        REQUIRED,
        body=q("query($n: Int!) { territories(first: $n) { totalCount } }", {}),
        field="first",
    ),
    Case(
        "null for a non-null variable",
        400,
        REQUIRED,
        body=q("query($n: Int!) { territories(first: $n) { totalCount } }", {"n": None}),
        field="first",
    ),
    Case(
        "a bad enum literal (no suggestion)",
        400,
        INVALID,
        body=q("{ useCases(sort: {by: NAM}) { totalCount } }"),
        field="sort.by",
        no_suggestion=True,
    ),
    Case(
        "a bad enum in a variable (no suggestion)",
        400,
        INVALID,
        body=q("query($s: Sort) { useCases(sort: $s) { totalCount } }", {"s": {"by": "NAM"}}),
        field="sort.by",
        no_suggestion=True,
    ),
    Case(
        "an unknown input field literal",
        400,
        INVALID,
        body=q('{ territories(filter: {txt: "x"}) { totalCount } }'),
        field="filter.txt",
        no_suggestion=True,
    ),
    Case(
        "an unknown input field in a variable",
        400,
        INVALID,
        body=q("query($f: TerritoryFilter) { territories(filter: $f) { totalCount } }", {"f": {"txt": "x"}}),
        field="filter",
        no_suggestion=True,
    ),
    Case(
        "a list where an object goes",
        400,
        INVALID,
        body=q('{ territories(filter: ["x"]) { totalCount } }'),
        field="filter",
    ),
    Case(
        "an impossible date literal",
        400,
        INVALID,
        body=q('mutation { createWorkshop(input: {slug: "w-abuse", date: "2020-02-30"}) { errors { code } } }'),
        as_="coordinator",
        field="input.date",
    ),
    Case(
        "an impossible date in a variable",
        400,
        INVALID,
        body=q(
            "mutation($i: WorkshopInput!) { createWorkshop(input: $i) { errors { code } } }",
            {"i": {"slug": "w-abuse", "date": "2020-02-30"}},
        ),
        as_="coordinator",
        field="input.date",
    ),
    Case(
        "a date that is not a date",
        400,
        INVALID,
        body=q('mutation { createWorkshop(input: {slug: "w-abuse", date: "tomorrow"}) { errors { code } } }'),
        as_="coordinator",
        field="input.date",
    ),
    Case(
        "an Int over 2^31 in an input",
        400,
        INVALID,
        body=q(
            'mutation { createWorkshop(input: {slug: "w-abuse", participantsCount: 9999999999}) { errors { code } } }'
        ),
        as_="coordinator",
        field="input.participantsCount",
    ),
    # -- executed, refused by a resolver with a typed error -------------------------------------
    Case(
        "a cursor with a huge offset",
        200,
        INVALID,
        body=q(
            "query($a: String) { territories(after: $a) { totalCount } }",
            {"a": _cursor("offset:99999999999999999999999")},
        ),
        field="after",
    ),
    Case(
        "a cursor at 2^63",
        200,
        INVALID,
        body=q(
            "query($a: String) { useCases(after: $a) { totalCount } }", {"a": _cursor("offset:9223372036854775806")}
        ),
        field="after",
    ),
    Case(
        "a cursor with a negative offset",
        200,
        INVALID,
        body=q("query($a: String) { actors(after: $a) { totalCount } }", {"a": _cursor("offset:-5")}),
        field="after",
    ),
    Case(
        "a cursor that is not base64",
        200,
        INVALID,
        body=q('{ territories(after: "@@@") { totalCount } }'),
        field="after",
    ),
    Case("a negative first", 200, INVALID, body=q("{ territories(first: -1) { totalCount } }"), field="first"),
    Case(
        "a first over the page cap", 200, INVALID, body=q("{ territories(first: 101) { totalCount } }"), field="first"
    ),
    Case(
        "a nested first of 1,000 beside shared reads (was a CancelledError)",
        200,
        INVALID,
        body=q(
            '{ t1: territory(slug: "lyon") { useCases { nodes { actors { nodes { slug } } territories(first: 1000) { totalCount } } } } t2: territory(slug: "lyon") { useCases { nodes { actors { nodes { slug } } } } } }'
        ),
        field="first",
    ),
    Case(
        "a search of 1,200 words",
        200,
        INVALID,
        body=q("query($t: String!) { search(text: $t) { totalCount } }", {"t": WORDS_1200}),
        field="text",
    ),
    Case(
        "a text filter of 1,200 words",
        200,
        INVALID,
        body=q("query($t: String) { useCases(filter: {text: $t}) { totalCount } }", {"t": WORDS_1200}),
        field="text",
    ),
    Case(
        "a search of 5,000 characters",
        200,
        INVALID,
        body=q("query($t: String!) { search(text: $t) { totalCount } }", {"t": "é" * 5000}),
        field="text",
    ),
    Case("path between ids that are not ids", 200, INVALID, body=q('{ path(from: "@@", to: "##") { length } }')),
    Case(
        "path with maxHops 1,000",
        200,
        INVALID,
        body=q('{ path(from: "VGVycml0b3J5Omx5b24=", to: "VGVycml0b3J5OnJlbm5lcw==", maxHops: 1000) { length } }'),
        field="maxHops",
    ),
    Case(
        "nodes with 500 ids",
        200,
        INVALID,
        body=q("query($ids: [ID!]!) { nodes(ids: $ids) { id } }", {"ids": ["x"] * 500}),
        field="ids",
    ),
    Case(
        "a mutation by an anonymous caller",
        200,
        frozenset({"UNAUTHENTICATED"}),
        body=q('mutation { publishCaseStudy(id: "x", version: 1) { errors { code } } }'),
    ),
    # -- odd but valid: answered, no error --------------------------------------------------------
    Case(
        "a NUL character in a search",
        400,
        BAD_REQUEST,
        body=q("query($t: String!) { search(text: $t) { totalCount } }", {"t": "a\u0000b"}),
    ),
    Case(
        "a NUL character in a slug",
        400,
        BAD_REQUEST,
        body=q("query($s: String!) { territory(slug: $s) { slug } }", {"s": "ly\u0000on"}),
    ),
    Case(
        "a 10,000-character slug",
        200,
        NONE,
        body=q("query($s: String!) { territory(slug: $s) { slug } }", {"s": "a" * 10_000}),
    ),
    Case(
        "emoji and right-to-left text in a search",
        200,
        NONE,
        body=q("query($t: String!) { search(text: $t) { totalCount } }", {"t": "\U0001f600 \u202eabc"}),
    ),
    Case("a node id of an unknown kind", 200, NONE, body=q('{ node(id: "Tm9wZTp4") { id } }')),
    Case("a node id that is not base64", 200, NONE, body=q('{ node(id: "%%%") { id } }')),
    Case(
        "a cursor at the largest offset",
        200,
        NONE,
        body=q(
            "query($a: String) { territories(after: $a) { totalCount nodes { slug } } }",
            {"a": _cursor("offset:999999999")},
        ),
    ),
    Case(
        "a cursor past the largest offset",
        200,
        INVALID,
        body=q(
            "query($a: String) { territories(after: $a) { totalCount nodes { slug } } }",
            {"a": _cursor("offset:1000000000")},
        ),
        field="after",
    ),
    Case(
        "a NUL character in the document",
        400,
        INVALID,
        body=q('{ territory(slug: "ly\\u0000on") { slug } }'),
        field="slug",
    ),
    Case("Accept */*", 200, NONE, body=q(TOTAL), headers={"accept": "*/*"}),
    Case("a GET query", 200, NONE, method="GET", params={"query": TOTAL}),
]


def raw_body(case: Case) -> bytes:
    if case.raw is not None:
        return case.raw
    return json.dumps(case.body).encode()
