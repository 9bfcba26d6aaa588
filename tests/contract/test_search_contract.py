"""The search's words on every store, now that an index serves them (issue 15): the rule is still
"each word starts a word of the record's text", accents and case ignored, and every write, load
and clear keeps the index in step, so that a search answers as a scan of every record would."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest

from registry.domain.errors import RegistryError
from registry.domain.records import Kind, Record, Rel, ReviewState
from registry.kinds import DECLARATIONS, PUBLIC_KINDS
from registry.store.codec import words
from registry.store.port import EVERYTHING, PUBLIC, Put, RecordQuery, SortKey, Store, Visibility, WriteBatch
from tests.contract.builders import AT, actor, create, domain, link, territory, text, updated, use_case

HUB_A = Visibility(hub="hub-a")


def found(store: Store, said: str, visibility: Visibility = PUBLIC, **query: Any) -> list[str]:
    """The slugs a search for `said` finds, as the API asks it (every public kind), in order."""
    page = store.query(RecordQuery(kinds=PUBLIC_KINDS, words=words(said), visibility=visibility, **query))
    return [r.slug for r in page.records]


def total(store: Store, said: str, **query: Any) -> int:
    return store.query(RecordQuery(kinds=PUBLIC_KINDS, words=words(said), visibility=PUBLIC, **query)).total


_UNRELATED = (
    "quartz",
    "velvet",
    "yonder",
    "zephyr",
    "kiwi",
    "jade",
    "ivory",
    "umber",
    "onyx",
    "opal",
    "yarrow",
    "zinc",
)


def _fillers() -> list[Record]:
    """Records whose words none of these tests searches for."""
    return [domain(f"filler-{word}", f"Filler {word}") for word in _UNRELATED]


@pytest.fixture
def crowded(store: Store) -> Store:
    """Given other records enough that the words searched for are rare: an index that holds them
    answers (a store may scan instead for words most records hold)."""
    create(store, _fillers())
    return store


# -- the rule ------------------------------------------------------------------------------------


def test_accents_ligatures_and_case_are_ignored_on_both_sides(crowded: Store) -> None:
    store = crowded
    # given names with accents, ligatures and capitals
    create(store, [domain("coeur", "Cœur de ville"), domain("strasse", "Große Straße"), actor("eau", name="ÉAU Pure")])
    # then a search finds them from their plain lower-case words, whatever the caller typed
    assert found(store, "coeur") == found(store, "CŒUR") == found(store, "cœ") == ["coeur"]
    assert found(store, "grosse strasse") == found(store, "GROSSE") == ["strasse"]
    assert found(store, "eau") == found(store, "éa") == found(store, "Éau") == ["eau"]


def test_a_word_is_found_from_its_start_only_whatever_its_length(crowded: Store) -> None:
    store = crowded
    # given records whose words share letters at their start and inside
    create(
        store,
        [
            use_case("a", "Mobilité partagée"),
            use_case("b", "Automobile club"),
            use_case("c", "Mo"),
            use_case("d", "M"),
        ],
    )
    # then one, two and more letters find the words they start (the slug counts as text too)
    assert found(store, "m") == ["a", "c", "d"]
    assert found(store, "mo") == ["a", "c"]
    assert found(store, "mob") == ["a"]
    assert found(store, "mobilite") == ["a"]
    assert found(store, "automobile") == ["b"]
    # and never a word inside another
    assert found(store, "obile") == []
    assert found(store, "tomob") == []
    assert found(store, "mobilites") == []
    # a single-letter word and a longer one together: both must start a word
    assert found(store, "m p") == ["a"]
    assert found(store, "c a") == ["b"]


def test_percent_and_underscore_are_no_wildcards(crowded: Store) -> None:
    store = crowded
    # given records whose words a LIKE wildcard would match
    create(store, [use_case("hundred", "Energy 100 percent"), use_case("under", "Data_sharing"), use_case("x", "Xyz")])
    # then the characters are read as the separators they are in the records' text
    assert found(store, "100%") == ["hundred"]
    assert words("%") == words("_") == ()  # nothing left to search for: the API refuses the search
    assert found(store, "1%0") == []  # "1" and "0": "0" starts no word
    assert found(store, "data_sharing") == found(store, "data sharing") == ["under"]
    assert found(store, "d_ta") == []  # "d" and "ta": "ta" starts no word


def test_words_a_search_engine_reads_as_operators_are_plain_words(crowded: Store) -> None:
    store = crowded
    # given a title with an elided article, digits, and words a query language might read as operators
    create(store, [use_case("odd", text("L'énergie AND or NOT near 3D-printing, 2015 édition"))])
    # then each of its words is found from its start, and only there
    for said in ("l", "energie", "and", "or", "not", "near", "3d", "3", "printing", "2015", "201", "edition", "odd"):
        assert found(store, said) == ["odd"], said
    for said in ("d", "rinting", "015", "nd", "energies", "l and filler"):
        assert found(store, said) == [], said


def test_drafts_are_found_only_by_who_may_see_them(crowded: Store) -> None:
    store = crowded
    # given a published case study and a hub's draft sharing a word
    create(
        store,
        [
            use_case("seen", "Solar cooperative"),
            use_case("draft", "Solar draft", review_state=ReviewState.DRAFT, hub="hub-a"),
        ],
    )
    # then an anonymous search does not see the draft, its hub and staff do
    assert found(store, "solar") == ["seen"]
    assert total(store, "solar") == 1
    assert found(store, "solar", HUB_A) == ["draft", "seen"]
    assert found(store, "solar", Visibility(hub="hub-b")) == ["seen"]
    assert found(store, "solar", EVERYTHING) == ["draft", "seen"]


def test_pages_of_a_search_follow_the_list_order_and_count_every_match(store: Store) -> None:
    # given 25 records sharing a word, of several kinds, and others without it
    sharing = [territory(f"t{n:02d}", f"Common town {25 - n}") for n in range(10)]
    sharing += [actor(f"a{n:02d}", name=f"Common actor {n}") for n in range(15)]
    create(store, [*sharing, *(domain(f"other{n}", "Other") for n in range(5))])
    # when it is read in pages of 10, by slug and by name, both ways
    for sort in (SortKey.SLUG, SortKey.NAME):
        for descending in (False, True):
            whole = found(store, "comm", sort=sort, descending=descending, limit=100)
            pages = [
                found(store, "comm", sort=sort, descending=descending, offset=offset, limit=10)
                for offset in (0, 10, 20)
            ]
            # then the pages are the whole answer cut in order, and each counts all 25
            assert [slug for page in pages for slug in page] == whole
            assert len(whole) == 25 and len(set(whole)) == 25
    assert total(store, "comm", offset=20, limit=10) == 25
    # in the store's order: by slug, kind then slug on ties
    assert found(store, "common", limit=3) == ["a00", "a01", "a02"]


# -- writes keep the index in step ---------------------------------------------------------------


def test_a_renamed_record_is_found_by_its_new_words_only(crowded: Store) -> None:
    store = crowded
    # given a record found by its name
    lyon = territory("lyon", "Lyon")
    create(store, [lyon])
    assert found(store, "lyon") == ["lyon"]
    # when it is renamed
    renamed = updated(lyon, name=text("Métropole de Grand Lyon", "Métropole du Grand Lyon"))
    store.write(WriteBatch(puts=[Put(renamed, 1)], at=AT))
    # then its new words find it, and a word it no longer has does not
    assert found(store, "metropole grand") == ["lyon"]
    again = updated(renamed, name=text("Rhône"), minutes=2)
    store.write(WriteBatch(puts=[Put(again, 2)], at=AT))
    assert found(store, "metropole") == []
    assert found(store, "rhone") == ["lyon"]
    assert found(store, "lyon") == ["lyon"]  # its slug is still a word of its text


def test_a_published_draft_is_found_by_everyone_and_a_rejected_one_by_no_anonymous_caller(crowded: Store) -> None:
    store = crowded
    # given a hub's submitted case study
    draft = use_case("heat", "District heating", review_state=ReviewState.SUBMITTED, hub="hub-a")
    create(store, [draft])
    assert found(store, "heating") == []
    assert found(store, "heating", HUB_A) == found(store, "heating", EVERYTHING) == ["heat"]
    # when it is published
    published = replace(updated(draft), review_state=ReviewState.PUBLISHED)
    store.write(WriteBatch(puts=[Put(published, 1)], at=AT))
    # then an anonymous search finds it
    assert found(store, "heating") == ["heat"]
    # and once rejected it is the hub's alone again
    rejected = replace(updated(published, minutes=2), review_state=ReviewState.REJECTED)
    store.write(WriteBatch(puts=[Put(rejected, 2)], at=AT))
    assert found(store, "heating") == []
    assert found(store, "heating", HUB_A) == found(store, "heating", EVERYTHING) == ["heat"]
    assert found(store, "heating", Visibility(hub="hub-b")) == []


def test_a_failed_write_leaves_no_words_behind(crowded: Store) -> None:
    store = crowded
    # given a record
    create(store, [domain("energy", "Energy")])
    # when a batch creating another fails on a duplicate
    with pytest.raises(RegistryError):
        store.write(WriteBatch(puts=[Put(domain("water", "Water"), None), Put(domain("energy"), None)], at=AT))
    # then the record it would have created is not found
    assert found(store, "water") == []
    assert found(store, "energy") == ["energy"]


def test_loaded_records_are_found_and_cleared_ones_are_not(store: Store) -> None:
    # given records loaded as an import loads them, among others (see `crowded`)
    fillers = _fillers()
    loaded: list[Record] = [use_case("wind", "Wind power"), territory("nantes", "Nantes"), *fillers]
    store.load(loaded, [], [])
    assert found(store, "wind") == ["wind"]
    assert found(store, "nant") == ["nantes"]
    # when the store is cleared
    store.clear()
    # then nothing is found; a new record with the same words is found once
    assert found(store, "wind") == []
    create(store, [use_case("wind", "Wind farm"), *fillers])
    assert found(store, "wind") == ["wind"]
    assert total(store, "wind") == 1
    assert found(store, "power") == []


def test_facets_of_a_search_count_only_the_records_it_finds(crowded: Store) -> None:
    store = crowded
    # given case studies of several statuses, linked to domains, some holding the word searched for
    energy, water = domain("energy", "Energy"), domain("water", "Water")
    cases = [
        use_case("grid-1", "Smart grid one", status="live"),
        use_case("grid-2", "Smart grid two", status="pilot"),
        use_case("grid-3", "Smart grid three", status="pilot"),
        use_case("meter", "Water meter", status="live"),
    ]
    links = [link(cases[0], Rel.IN_DOMAIN, energy), link(cases[1], Rel.IN_DOMAIN, energy)]
    links.append(link(cases[3], Rel.IN_DOMAIN, water))
    create(store, [energy, water, *cases], links)
    # when the case studies' facets are counted for a search
    declared = {facet.name: facet for facet in DECLARATIONS[Kind.USE_CASE].facets}
    query = RecordQuery(kinds=(Kind.USE_CASE,), words=words("grid"), visibility=PUBLIC)
    statuses, domains = store.facet_counts(query, [declared["statuses"], declared["domains"]])
    # then only the three grids count
    assert sorted(statuses) == [("live", 1), ("pilot", 2)]
    assert sorted(domains, key=str) == sorted([("energy", 2), (None, 1)], key=str)


# -- a search right after a write finds it (Neo4j's index is eventually consistent) ---------------


def _word(n: int) -> str:
    """A word no other record holds, one per write: `ewbaj` for 19."""
    return "ew" + "".join(chr(ord("a") + int(digit)) for digit in f"{n:03d}")


def _write_then_search(writer: Store, reader: Store, rounds: int) -> None:
    """Each round a write (a new record, a renamed one, or a published draft) and at once, through
    `reader`, the search for the word it brought: found every time, by anonymous callers."""
    renamed, old = domain("renamed", "First name"), "first"
    create(writer, [renamed])
    for n in range(rounds):
        word = _word(n)
        if n % 3 == 0:  # a new record
            create(writer, [domain(f"new-{n}", f"New {word}")])
            assert found(reader, word) == [f"new-{n}"], f"write {n}: created"
        elif n % 3 == 1:  # a record renamed: its new word finds it, its old one no longer does
            renamed = updated(renamed, name=text(f"Renamed {word}"))
            writer.write(WriteBatch(puts=[Put(renamed, renamed.version - 1)], at=AT))
            assert found(reader, word) == ["renamed"], f"write {n}: renamed"
            assert found(reader, old) == [], f"write {n}: old name"
            old = word
        else:  # a hub's draft, then its publication
            draft = use_case(f"case-{n}", f"Case {word}", review_state=ReviewState.SUBMITTED, hub="hub-a")
            create(writer, [draft])
            assert found(reader, word, HUB_A) == [f"case-{n}"], f"write {n}: submitted"
            writer.write(WriteBatch(puts=[Put(replace(updated(draft), review_state=ReviewState.PUBLISHED), 1)], at=AT))
            assert found(reader, word) == [f"case-{n}"], f"write {n}: published"


def test_a_search_right_after_each_write_finds_it(crowded: Store) -> None:
    # given a store, when 30 writes each bring a new word, then a search right after each finds it
    _write_then_search(crowded, crowded, 30)


def test_a_search_through_another_process_right_after_each_write_finds_it(crowded: Store, same_database: Store) -> None:
    # given a second store object on the same database (another server process, its own driver),
    # when 30 writes go through the first, then a search through the second right after each finds it
    _write_then_search(crowded, same_database, 30)
