"""A client's mistakes get a typed 400 and nothing runs (issue 6); the abuse corpus
(test_abuse_corpus.py) holds the many cases, these tests what a case cannot say."""

from __future__ import annotations

from tests.api.conftest import Api

CREATE = """mutation Create { createTerritory(input: {slug: "ghent-test", name: {en: "Test Ghent"}, kind: CITY,
  country: "BE", programmeStatus: PEER, languages: ["nl"]}) { territory { slug } errors { code } } }"""
READ = '{ territory(slug: "ghent-test") { slug } }'


def test_two_operations_without_operation_name_run_nothing(api: Api) -> None:
    # Given a document holding a mutation and a query, sent by a coordinator without operationName
    response = api.post(CREATE + " query Read { __typename }", as_="coordinator")
    # Then it is refused, and the mutation did not run
    assert response.status_code == 400
    [error] = response.json()["errors"]
    assert error["extensions"] == {"code": "BAD_REQUEST", "field": "operationName"}
    assert api.data(READ, as_="coordinator")["territory"] is None
    # And naming the operation runs that one
    named = api.client.post(
        "/graphql",
        json={"query": CREATE + " query Read { __typename }", "operationName": "Create"},
        headers={"Authorization": f"Bearer {api.keys['coordinator']}"},
    )
    assert named.json()["data"]["createTerritory"]["territory"] == {"slug": "ghent-test"}


def test_suggestions_are_for_callers_with_a_key_only(api: Api) -> None:
    # Given a misspelt field, asked anonymously and with a key
    anonymous = api.post("{ territories { nodez { slug } } }")
    coordinator = api.post("{ territories { nodez { slug } } }", as_="coordinator")
    # Then both are refused alike, and only the caller with a key is told what was meant
    assert anonymous.status_code == coordinator.status_code == 400
    assert anonymous.json()["errors"][0]["message"] == "Cannot query field 'nodez' on type 'TerritoryConnection'."
    assert "Did you mean 'nodes'?" in coordinator.json()["errors"][0]["message"]


def test_a_value_that_does_not_fit_names_its_argument_in_a_literal_and_in_a_variable(api: Api) -> None:
    literal = api.post('mutation { createWorkshop(input: {slug: "w", date: "2020-02-30"}) { errors { code } } }')
    variable = api.post(
        "mutation ($i: WorkshopInput!) { createWorkshop(input: $i) { errors { code } } }",
        {"i": {"slug": "w", "date": "2020-02-30"}},
    )
    for response in (literal, variable):
        assert response.status_code == 400 and "data" not in response.json()
        [error] = response.json()["errors"]
        assert error["extensions"] == {"code": "INVALID", "field": "input.date"}
        assert "2020-02-30" in error["message"]


def test_legacy_json_clients_get_200_with_the_same_typed_error(api: Api) -> None:
    # The GraphQL-over-HTTP specification answers clients that accept only application/json with 200
    response = api.post(
        "query ($n: Int) { territories(first: $n) { totalCount } }", {"n": "x"}, Accept="application/json"
    )
    assert response.status_code == 200 and response.headers["content-type"].startswith("application/json")
    assert response.json()["errors"][0]["extensions"] == {"code": "INVALID", "field": "first"}
