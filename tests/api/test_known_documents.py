"""The full executor, which answers every mutation, takes a text it validated before as it is:
not parsed, not validated again.  Anything that depends on the request and not on the text
is still checked on every request."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

import pytest
import strawberry.schema.schema as strawberry_schema

from tests.api.conftest import Api
from tests.api.test_case_studies import CASE

SUBMIT = """mutation Submit{tag}($input: CaseStudyInput!) {{
  submitCaseStudy(input: $input, draft: true) {{ useCase {{ slug version reviewState }} errors {{ code field message }} }}
}}"""


@pytest.fixture
def checked(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """What strawberry parses and validates from now on, by step (the server runs in this process)."""
    steps: list[str] = []

    def counting(name: str, real: Callable[..., Any]) -> Callable[..., Any]:
        def step(*args: Any, **kwargs: Any) -> Any:
            steps.append(name)
            return real(*args, **kwargs)

        return step

    monkeypatch.setattr(strawberry_schema, "parse", counting("parse", vars(strawberry_schema)["parse"]))
    monkeypatch.setattr(
        strawberry_schema, "validate_document", counting("validate", strawberry_schema.validate_document)
    )
    return steps


def test_a_mutation_sent_again_is_neither_parsed_nor_validated_again(api: Api, checked: list[str]) -> None:
    # given a mutation this worker has not seen
    document = SUBMIT.format(tag=uuid.uuid4().hex)
    # when a hub sends it twice, with different variables
    answers = [
        api.data(document, {"input": {**CASE, "slug": slug}}, as_="hub")["submitCaseStudy"]
        for slug in ("first-case", "second-case")
    ]
    # then each write is made, with its own variables
    assert [(a["useCase"]["slug"], a["errors"]) for a in answers] == [("first-case", []), ("second-case", [])]
    # and only the first request parsed and validated the text
    assert checked == ["parse", "validate"]


def test_an_invalid_document_is_refused_on_every_request(api: Api, checked: list[str]) -> None:
    # given a mutation that names a field the schema does not have
    document = SUBMIT.format(tag=uuid.uuid4().hex).replace("reviewState", "reviewStat")
    # when it is sent twice, then it is refused twice, each time after validation
    for _ in range(2):
        body = api.post(document, {"input": CASE}, as_="hub").json()
        assert "data" not in body and "reviewStat" in body["errors"][0]["message"]
    assert checked.count("validate") == 2
    # and nothing was written
    assert api.data(
        "query ($slug: String!) { useCase(slug: $slug) { slug } }", {"slug": CASE["slug"]}, as_="admin"
    ) == {"useCase": None}
    # and nothing was written


def test_a_known_document_of_two_operations_still_needs_the_name_of_one(api: Api) -> None:
    # given a document of two operations, run once by name (so kept as validated)
    tag = uuid.uuid4().hex
    document = f"query A{tag} {{ territories(first: 1) {{ totalCount }} }}\n" + SUBMIT.format(tag=tag)
    first = api.client.post(
        "/graphql",
        json={"query": document, "variables": {"input": {**CASE, "slug": "named"}}, "operationName": f"Submit{tag}"},
        headers={"Authorization": f"Bearer {api.keys['hub']}"},
    ).json()
    assert first["data"]["submitCaseStudy"]["errors"] == []
    # when it is sent again without `operationName`
    again = api.post(document, {"input": {**CASE, "slug": "unnamed"}}, as_="hub").json()
    # then it is refused, as a document never seen would be, and nothing is written
    assert "data" not in again and "operationName" in again["errors"][0]["message"]
    assert api.data('{ useCase(slug: "unnamed") { slug } }', as_="admin") == {"useCase": None}
