"""The recommenders' reasons in French: `lang: FR` words the same facts, English stays the default."""

from __future__ import annotations

from tests.api.conftest import Api

PARTNERS = """
query Partners($lang: Language) {
  partnerCities(territory: "lyon", first: 10, lang: $lang) { score territory { slug } reasons { kind label weight actors values } }
}
"""
CANDIDATES = """
query Candidates($lang: Language) {
  candidateExperiments(priority: "la-rochelle-sustainable-mobility", first: 5, lang: $lang) {
    score useCase { slug } reasons { kind label weight territories values }
  }
}
"""


def _reason(matches: list[dict], slug: str, kind: str, key: str = "territory") -> dict:  # type: ignore[type-arg]
    match = next(m for m in matches if m[key]["slug"] == slug)
    return next(r for r in match["reasons"] if r["kind"] == kind)


def test_partner_reasons_in_french_say_the_same_facts(api: Api) -> None:
    # given Lyon's partner cities asked in English (the default) and in French
    default = api.data(PARTNERS)["partnerCities"]
    english = api.data(PARTNERS, {"lang": "EN"})["partnerCities"]
    french = api.data(PARTNERS, {"lang": "FR"})["partnerCities"]
    # then English is the default, and French changes the words only: same order, scores and data
    assert default == english
    assert [(m["territory"], m["score"]) for m in french] == [(m["territory"], m["score"]) for m in english]
    for fr, en in zip(french, english, strict=True):
        assert [(r["kind"], r["weight"], r["actors"], r["values"]) for r in fr["reasons"]] == [
            (r["kind"], r["weight"], r["actors"], r["values"]) for r in en["reasons"]
        ]
    # and the sentences are French ones, naming the same organisations
    platform = _reason(french, "la-rochelle", "SHARED_PLATFORM")
    assert platform["label"] == "La même plateforme fonctionne déjà sur les deux territoires : Cozy Cloud."
    assert _reason(french, "la-rochelle", "SAME_COUNTRY")["label"] == "Même pays (FR)."
    assert _reason(english, "la-rochelle", "SAME_COUNTRY")["label"] == "Same country (FR)."


def test_candidate_reasons_in_french_name_statuses_in_french(api: Api) -> None:
    english = api.data(CANDIDATES, {"lang": "EN"})["candidateExperiments"]
    french = api.data(CANDIDATES, {"lang": "FR"})["candidateExperiments"]
    assert [(m["useCase"], m["score"]) for m in french] == [(m["useCase"], m["score"]) for m in english]
    for match in french:
        status = next(r for r in match["reasons"] if r["kind"] == "STATUS")
        assert status["label"].startswith(("Statut à ", "Son statut à ")), status
        assert all(not r["label"].startswith(("It ", "Its ", "Status ")) for r in match["reasons"]), match
    status_en = next(r for r in english[0]["reasons"] if r["kind"] == "STATUS")
    assert status_en["label"].startswith(("Status in ", "Its status in "))


def test_an_unknown_language_is_refused(api: Api) -> None:
    # an unknown language gets an error and no reasons in any language
    body = api.post(PARTNERS, {"lang": "DE"}).json()
    assert body["errors"]
    assert body.get("data") is None
