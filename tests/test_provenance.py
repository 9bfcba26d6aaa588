"""Every seeded fact checkable at its source; inferences kept apart and labelled (issue 9)."""

from __future__ import annotations

import tomllib
from collections import Counter
from pathlib import Path

import pytest

from registry.cli.commands import main
from registry.domain.errors import ErrorCode, RegistryError
from registry.domain.provenance import check, is_bare_host
from registry.domain.records import Kind, Ref, Rel, Source
from registry.kinds import KIND_FIELDS
from registry.services.seeding import DEFAULT_SEEDS, read_seeds
from registry.services.validation import check_fields, check_sources


def test_a_bare_host_is_told_apart_from_a_page() -> None:
    assert is_bare_host("https://fing.org/") and is_bare_host("https://journaldunet.com")
    assert not is_bare_host("https://fing.org/publications/kit-self-data-territorial.html")
    assert not is_bare_host("https://cities-today.com/?p=41437")  # a page named by its query


def test_every_seeded_record_cites_a_page_or_says_why_it_cannot() -> None:
    records, _, _ = read_seeds()
    report = check(records)
    # no bare host without its reason, no record without a page or a marked home page,
    # no inference written into the field it is about
    assert report.unmarked_bare_hosts == []
    assert report.without_deep_source == []
    assert report.inferred_in_field == []
    assert report.unsourced == [] and report.clean
    # and most citations are deep links: home pages are the exception, each with its reason
    assert report.deep_links > 4 * len(report.marked_home_pages)
    assert all(reason.strip() for _, _, reason in report.marked_home_pages)


def test_the_method_slides_sources_are_marked_too() -> None:
    method = tomllib.loads((DEFAULT_SEEDS / "method.toml").read_text(encoding="utf-8"))
    sources = [s for table in method.values() for item in table for s in item.get("sources", [])]
    assert sources
    for source in check_sources(sources, required=True):
        assert not is_bare_host(source.url) or source.home_page_only, source


def test_no_required_field_carries_a_value_without_a_source() -> None:
    records, _, _ = read_seeds()
    for record in records:
        required = [s.name for s in KIND_FIELDS[record.kind] if s.required]
        given = [name for name in required if record.data.get(name) is not None]
        # every seeded record carries a required field's value, so each must name its sources
        assert given, record.ref
        assert record.sources, record.ref


def test_the_network_is_large_real_and_bilingual() -> None:
    records, _, _ = read_seeds()
    kinds = Counter(record.kind for record in records)
    assert kinds[Kind.USE_CASE] >= 60
    assert kinds[Kind.TERRITORY] >= 25
    without_page = set()
    for record in records:
        if record.kind in (Kind.USE_CASE, Kind.TERRITORY):
            name = record.data["title" if record.kind is Kind.USE_CASE else "name"]
            assert name.get("fr") and name.get("en"), record.ref
            assert record.data["summary"].get("fr") and record.data["summary"].get("en"), record.ref
            if not any(not is_bare_host(s.url) for s in record.sources):
                without_page.add(record.ref)
    # none rests on a marked home page alone: Greater Paris and Geneva, whose status only the 2020
    # presentation states (it has no address of its own), cite the page of their coordinates too
    assert without_page == set()


def _record(kind: Kind, slug: str) -> dict[str, object]:
    records, _, _ = read_seeds()
    return next(r for r in records if r.ref == Ref(kind, slug)).data


def _inferred(data: dict[str, object], field: str) -> str | None:
    items = data.get("inferences") or []
    assert isinstance(items, list)
    return next((i["value"] for i in items if i["field"] == field), None)


def test_the_known_inferences_are_labelled_and_their_fields_left_unknown() -> None:
    _, links, _ = read_seeds()
    # Fing is not stated to have led the MesInfos pilot: the link's role is unknown, the guess labelled
    pilot = _record(Kind.USE_CASE, "mesinfos-pilot")
    fing = next(
        link for link in links if link.source == Ref(Kind.USE_CASE, "mesinfos-pilot") and link.target.slug == "fing"
    )
    assert fing.role == "unknown" and _inferred(pilot, "role:fing") == "lead"
    # the DECODE cooperatives' governance is inferred from what the organisations are
    for slug in ("decode-amsterdam-fairbnb", "decode-amsterdam-gebiedonline"):
        case = _record(Kind.USE_CASE, slug)
        assert "governance" not in case and _inferred(case, "governance") == "data_cooperative"
    # whether La Rochelle had defined its priorities is not stated
    rochelle = _record(Kind.TERRITORY, "la-rochelle")
    assert "priorities_defined" not in rochelle and _inferred(rochelle, "priorities_defined") == "true"
    # the experiment is not recorded as serving the priority: that is an inference
    experiment = _record(Kind.EXPERIMENT, "la-rochelle-coach-co2-tracemob")
    assert not [link for link in links if link.rel is Rel.SERVES]
    assert _inferred(experiment, "serves") == "la-rochelle-sustainable-mobility"
    # the Helsinki workshop's kind is unknown, the method's usual kind labelled as a guess
    workshop = _record(Kind.WORKSHOP, "helsinki-workshop-mydata")
    assert "workshop_kind" not in workshop and _inferred(workshop, "workshop_kind") == "swot"


def test_an_inference_never_sits_beside_a_sourced_value() -> None:
    reasoning = {"en": "The organisation is a cooperative."}
    inference = {"field": "governance", "value": "data_cooperative", "reasoning": reasoning}
    base = {"title": {"en": "A case"}, "status": "pilot"}
    assert check_fields(Kind.USE_CASE, {**base, "inferences": [inference]})["inferences"][0]["value"] == (
        "data_cooperative"
    )
    with pytest.raises(RegistryError) as beside:
        check_fields(Kind.USE_CASE, {**base, "governance": "personal_cloud", "inferences": [inference]})
    assert (beside.value.code, beside.value.field) == (ErrorCode.INVALID, "inferences")
    with pytest.raises(RegistryError) as unknown_value:
        check_fields(Kind.USE_CASE, {**base, "inferences": [{**inference, "value": "guesswork"}]})
    assert unknown_value.value.code is ErrorCode.INVALID
    with pytest.raises(RegistryError) as no_reason:
        check_fields(Kind.USE_CASE, {**base, "inferences": [{"field": "governance", "value": "data_cooperative"}]})
    assert (no_reason.value.code, no_reason.value.field) == (ErrorCode.REQUIRED, "inferences.0.reasoning")


def test_check_sources_lists_home_pages_and_fails_on_an_unmarked_bare_host(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # on the repository's seeds it is clean, and lists the marked home pages with their reasons
    assert main(["check-sources"]) == 0
    out = capsys.readouterr().out
    assert out.rstrip().endswith("clean") and "home page only  Territory:la-rochelle  https://fing.org/" in out
    # given a seed that cites only a site's home page, without a reason
    folder = tmp_path / "seeds"
    folder.mkdir()
    (folder / "domains.toml").write_text(
        '[[domain]]\nslug = "energy"\nname = { en = "Energy" }\n'
        'sources = [{ url = "https://example.org/", title = "A site" }]\n',
        encoding="utf-8",
    )
    # then the check fails and names the record and the address
    assert main(["check-sources", "--seeds", str(folder)]) == 1
    out = capsys.readouterr().out
    assert "UNMARKED BARE HOST  Domain:energy  https://example.org/" in out and "NO DEEP SOURCE  Domain:energy" in out


def test_a_source_keeps_its_page_and_its_reason() -> None:
    sources = check_sources(
        [{"url": "https://fing.org/", "title": "Presentation", "page": "slide 3", "home_page_only": "No address."}],
        required=True,
    )
    assert sources == (Source("https://fing.org/", "Presentation", None, "slide 3", "No address."),)
    with pytest.raises(RegistryError) as empty:
        check_sources([{"url": "https://fing.org/", "title": "T", "home_page_only": " "}], required=True)
    assert (empty.value.code, empty.value.field) == (ErrorCode.INVALID, "sources.0.home_page_only")
