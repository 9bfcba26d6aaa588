"""Searches are bounded: a long text gets a typed error at once, not seconds of store work."""

from __future__ import annotations

from registry.api.graphql.filters import MAX_TEXT_CHARACTERS, MAX_TEXT_WORDS
from tests.api.conftest import Api

SEARCH = "query ($text: String!) { search(text: $text) { totalCount } }"
FILTERED = "query ($text: String!) { useCases(filter: {text: $text}) { totalCount } }"


def errors_of(api: Api, query: str, text: str) -> list[dict[str, object]]:
    response = api.post(query, {"text": text})
    assert response.status_code == 200
    return list(response.json().get("errors", []))


def test_a_search_of_too_many_words_or_characters_is_refused_with_a_typed_error(api: Api) -> None:
    # Given texts just within and just over the limits, and one of 1,200 words
    within = " ".join(["energie"] * MAX_TEXT_WORDS)
    too_many_words = " ".join(f"w{n}" for n in range(MAX_TEXT_WORDS + 1))
    too_long = "e" * (MAX_TEXT_CHARACTERS + 1)
    flood = " ".join(f"word{n}" for n in range(1200))
    for query in (SEARCH, FILTERED):
        # When they are searched, then the one within answers and the others get INVALID on `text`
        assert errors_of(api, query, within) == []
        for text in (too_many_words, too_long, flood):
            [error] = errors_of(api, query, text)
            assert error["extensions"] == {"code": "INVALID", "field": "text"}, error
