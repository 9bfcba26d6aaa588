"""Caches kept from the writes themselves equal a fresh read, after any sequence of writes from any process.

Two server processes (two store objects on one database) each keep the recommenders' facts
and anonymous answers.  Hubs draft, submit and edit case studies, coordinators publish,
reject and edit territories, organisations and priorities, and some writes are not audited
at all; each through either process, in an order hypothesis chooses.  After every step both
processes' rankings and kept answers equal what a fresh read gives.
"""

from __future__ import annotations

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule, run_state_machine_as_test

from registry.domain.records import Hub, Kind, Link, Principal, Record, Ref, Rel, ReviewState, Role
from registry.services.editing import Change, Editing
from registry.services.public_answers import PublicAnswers
from registry.services.ranking import recommenders as ranking
from registry.services.ranking.facts import FactsCache
from registry.store.port import EVERYTHING, PUBLIC, ChangeMark, RecordQuery, Store
from tests.contract.builders import AT, actor, create, domain, link, priority, record, territory, text

TERRITORIES = ("lyon", "rennes", "berlin", "france")
ACTORS = ("cozy", "enedis", "fing")
DOMAINS = ("energy", "mobility", "health")
PRIORITIES = ("lyon-energy", "rennes-mobility")
SERVICE = "data-connect"
HUB = "hub-a"
STAFF = Principal(Role.COORDINATOR, None, "coordinator-key")
HUB_CALLER = Principal(Role.HUB, HUB, "hub-key")
SOURCES = [{"url": "https://example.org/case", "title": "The case"}]

pick_links = st.lists(
    st.sampled_from(
        [(Rel.IN_TERRITORY, Ref(Kind.TERRITORY, t)) for t in TERRITORIES]
        + [(Rel.IN_DOMAIN, Ref(Kind.DOMAIN, d)) for d in DOMAINS]
        + [(Rel.INVOLVES, Ref(Kind.ACTOR, a)) for a in ACTORS]
        + [(Rel.RELIES_ON, Ref(Kind.DATA_SERVICE, SERVICE))]
    ),
    max_size=4,
    unique=True,
)


def _given(store: Store) -> None:
    """Territories (one a country), organisations, domains, two priorities and a data service."""
    places = [
        territory("lyon"),
        territory("rennes"),
        territory("berlin", country="DE", languages=["de"]),
        territory("france", territory_kind="country"),
    ]
    actors = [actor("cozy", "personal_cloud_operator"), actor("enedis", "energy_grid_operator"), actor("fing")]
    domains = [domain(d) for d in DOMAINS]
    plans = [priority(p) for p in PRIORITIES]
    service = record(Kind.DATA_SERVICE, SERVICE, {"name": text("Data Connect")})
    by_slug = {r.slug: r for r in [*places, *actors, *domains]}
    links = [
        link(plans[0], Rel.IN_TERRITORY, by_slug["lyon"]),
        link(plans[0], Rel.IN_DOMAIN, by_slug["energy"]),
        link(plans[1], Rel.IN_TERRITORY, by_slug["rennes"]),
        link(plans[1], Rel.IN_DOMAIN, by_slug["mobility"]),
        link(actors[0], Rel.PRESENT_IN, by_slug["lyon"], "platform"),
        link(service, Rel.AVAILABLE_IN, by_slug["france"]),
    ]
    create(store, [*places, *actors, *domains, *plans, service], links)


def _everything(store: Store) -> list[Record]:
    """What an anonymous caller reads of every kind: the answer kept by `PublicAnswers`."""
    kinds = (Kind.TERRITORY, Kind.ACTOR, Kind.USE_CASE, Kind.PRIORITY)
    return store.query(RecordQuery(kinds=kinds, visibility=PUBLIC, limit=100)).records


class Registry(RuleBasedStateMachine):
    def __init__(self, here: Store, there: Store) -> None:
        super().__init__()
        here.clear()
        _given(here)
        self.stores = (here, there)
        self.caches = (FactsCache(), FactsCache())
        self.answers = (PublicAnswers(), PublicAnswers())
        self.kept: list[dict[str, tuple[int, list[Record]]]] = [{}, {}]
        hints = SharedHints()  # as in Redis: the processes agree on one version where the trail allows
        self.readers = (PublicAnswers(hints), PublicAnswers(hints))  # read only when an anonymous caller reads
        self.turn = 0
        self.shared: dict[int, list[Record]] = {}  # as in Redis: by version, whichever process read it
        self.cases: dict[str, ReviewState] = {}
        self.serial = 0

    def _editing(self, process: int) -> Editing:
        return Editing(self.stores[process])

    def _version(self, ref: Ref) -> int:
        return self.stores[0].get([ref], EVERYTHING)[ref].version

    @rule(process=st.integers(0, 1), draft=st.booleans(), links=pick_links, status=st.sampled_from(["pilot", "live"]))
    def hub_submits(self, process: int, draft: bool, links: list[tuple[Rel, Ref]], status: str) -> None:
        self.serial += 1
        slug = f"case-{self.serial}"
        change = Change(fields={"title": text(slug), "status": status}, sources=SOURCES, links=_specs(links), slug=slug)
        self._editing(process).submit_case_study(HUB_CALLER, change, None, draft=draft)
        self.cases[slug] = ReviewState.DRAFT if draft else ReviewState.SUBMITTED

    @rule(
        process=st.integers(0, 1),
        place=st.sampled_from(TERRITORIES),
        about=st.sampled_from(DOMAINS),
        who=st.sampled_from(ACTORS),
    )
    def coordinator_adds_and_publishes(self, process: int, place: str, about: str, who: str) -> None:
        self.serial += 1
        slug = f"case-{self.serial}"
        links = [
            (Rel.IN_TERRITORY, Ref(Kind.TERRITORY, place)),
            (Rel.IN_DOMAIN, Ref(Kind.DOMAIN, about)),
            (Rel.INVOLVES, Ref(Kind.ACTOR, who)),
        ]
        change = Change(fields={"title": text(slug), "status": "live"}, sources=SOURCES, links=_specs(links), slug=slug)
        editing = self._editing(process)
        editing.submit_case_study(STAFF, change, None, draft=False)
        editing.review_case_study(STAFF, slug, 1, None, publish=True)
        self.cases[slug] = ReviewState.PUBLISHED

    @precondition(lambda self: any(s is not ReviewState.PUBLISHED for s in self.cases.values()))
    @rule(data=st.data(), process=st.integers(0, 1), links=pick_links, submit=st.booleans())
    def hub_edits(self, data: st.DataObject, process: int, links: list[tuple[Rel, Ref]], submit: bool) -> None:
        slug = data.draw(
            st.sampled_from(sorted(s for s, state in self.cases.items() if state is not ReviewState.PUBLISHED))
        )
        ref = Ref(Kind.USE_CASE, slug)
        change = Change(fields={"status": "prototype"}, sources=SOURCES, links=_specs(links))
        self._editing(process).update_case_study(HUB_CALLER, slug, self._version(ref), change, None, submit=submit)
        if submit:
            self.cases[slug] = ReviewState.SUBMITTED

    @precondition(lambda self: ReviewState.SUBMITTED in self.cases.values())
    @rule(data=st.data(), process=st.integers(0, 1), publish=st.booleans())
    def coordinator_reviews(self, data: st.DataObject, process: int, publish: bool) -> None:
        slug = data.draw(
            st.sampled_from(sorted(s for s, state in self.cases.items() if state is ReviewState.SUBMITTED))
        )
        version = self._version(Ref(Kind.USE_CASE, slug))
        self._editing(process).review_case_study(STAFF, slug, version, None, publish=publish, reason="Not yet.")
        self.cases[slug] = ReviewState.PUBLISHED if publish else ReviewState.REJECTED

    @precondition(lambda self: ReviewState.PUBLISHED in self.cases.values())
    @rule(data=st.data(), process=st.integers(0, 1), links=pick_links)
    def coordinator_edits_a_published_case(
        self, data: st.DataObject, process: int, links: list[tuple[Rel, Ref]]
    ) -> None:
        slug = data.draw(
            st.sampled_from(sorted(s for s, state in self.cases.items() if state is ReviewState.PUBLISHED))
        )
        version = self._version(Ref(Kind.USE_CASE, slug))
        change = Change(fields={"governance": "personal_cloud"}, links=_specs(links))
        self._editing(process).update_case_study(STAFF, slug, version, change, None, submit=False)

    @precondition(lambda self: ReviewState.PUBLISHED in self.cases.values())
    @rule(data=st.data(), process=st.integers(0, 1), place=st.sampled_from(TERRITORIES))
    def coordinator_moves_a_published_case(self, data: st.DataObject, process: int, place: str) -> None:
        slug = data.draw(
            st.sampled_from(sorted(s for s, state in self.cases.items() if state is ReviewState.PUBLISHED))
        )
        version = self._version(Ref(Kind.USE_CASE, slug))
        change = Change(links=[(Rel.IN_TERRITORY, [(Ref(Kind.TERRITORY, place), "")])])
        self._editing(process).update_case_study(STAFF, slug, version, change, None, submit=False)

    @rule(
        process=st.integers(0, 1),
        slug=st.sampled_from(ACTORS),
        kind=st.sampled_from(["company", "personal_cloud_operator"]),
    )
    def coordinator_edits_an_organisation(self, process: int, slug: str, kind: str) -> None:
        ref = Ref(Kind.ACTOR, slug)
        self._editing(process).update(STAFF, ref, self._version(ref), Change(fields={"actor_kind": kind}), None)

    @rule(process=st.integers(0, 1), slug=st.sampled_from(TERRITORIES), country=st.sampled_from(["FR", "DE"]))
    def coordinator_edits_a_territory(self, process: int, slug: str, country: str) -> None:
        ref = Ref(Kind.TERRITORY, slug)
        self._editing(process).update(STAFF, ref, self._version(ref), Change(fields={"country": country}), None)

    @rule(
        process=st.integers(0, 1),
        slug=st.sampled_from(PRIORITIES),
        place=st.sampled_from(TERRITORIES[:3]),
        to=st.sampled_from(DOMAINS),
    )
    def coordinator_moves_a_priority(self, process: int, slug: str, place: str, to: str) -> None:
        ref = Ref(Kind.PRIORITY, slug)
        links = [(Rel.IN_TERRITORY, [(Ref(Kind.TERRITORY, place), "")]), (Rel.IN_DOMAIN, [(Ref(Kind.DOMAIN, to), "")])]
        self._editing(process).update(STAFF, ref, self._version(ref), Change(links=links), None)

    @rule(
        process=st.integers(0, 1),
        who=st.sampled_from(ACTORS),
        where=st.sampled_from(TERRITORIES),
        remove=st.booleans(),
        role=st.sampled_from(["", "platform"]),
    )
    def coordinator_links_an_organisation(self, process: int, who: str, where: str, remove: bool, role: str) -> None:
        present = Link(Ref(Kind.ACTOR, who), Rel.PRESENT_IN, Ref(Kind.TERRITORY, where), role)
        self._editing(process).link(STAFF, present, None, remove=remove)

    @rule(process=st.integers(0, 1), where=st.sampled_from(TERRITORIES), remove=st.booleans())
    def coordinator_links_the_service(self, process: int, where: str, remove: bool) -> None:
        available = Link(Ref(Kind.DATA_SERVICE, SERVICE), Rel.AVAILABLE_IN, Ref(Kind.TERRITORY, where))
        self._editing(process).link(STAFF, available, None, remove=remove)

    @rule(process=st.integers(0, 1))
    def a_change_the_trail_does_not_describe(self, process: int) -> None:
        self.serial += 1
        self.stores[process].put_hub(Hub(f"hub-{self.serial}", "Another hub", AT))

    @invariant()
    def every_cache_equals_a_fresh_read(self) -> None:
        for process in (0, 1):
            store, cache = self.stores[process], self.caches[process]
            snapshot = cache.snapshot(store)
            fresh = FactsCache()  # a new cache gathers everything afresh
            assert snapshot.territories == fresh.territories(store)
            assert snapshot.use_cases == {c.slug: c for c in store.use_case_facts()}
            for slug in TERRITORIES:
                assert ranking.partner_cities(store, slug, 10, cache) == ranking.partner_cities(store, slug, 10, fresh)
            for slug in PRIORITIES:
                cached = ranking.candidate_experiments(store, slug, 10, cache)
                assert cached == ranking.candidate_experiments(store, slug, 10, fresh)

    @invariant()
    def every_kept_answer_equals_a_fresh_read(self) -> None:
        for process in (0, 1):
            store, answers, kept = self.stores[process], self.answers[process], self.kept[process]
            version = answers.version(store)
            previous = kept.get("all")
            fresh = _everything(store)
            if previous is not None and previous[0] == version:
                assert previous[1] == fresh  # still valid by the tracker: it must still be right
            kept["all"] = (version, fresh)

    @invariant()
    def an_answer_kept_by_either_process_is_right_for_both_at_its_version(self) -> None:
        # The versions are shared between processes (api/http/response_cache.py keeps answers in
        # Redis by version), and each process reads at its own moments (here in turn, one after
        # each step): an answer read by one is served to the other when its version reads the same.
        self.turn += 1
        process = self.turn % 2
        store = self.stores[process]
        version = self.readers[process].version(store)
        fresh = _everything(store)
        kept = self.shared.get(version)
        if kept is not None:
            assert kept == fresh
        self.shared[version] = fresh


class SharedHints:
    """The hints two processes share (Redis in a deployment: api/http/response_cache.RedisHints)."""

    def __init__(self) -> None:
        self.kept: tuple[ChangeMark, int] | None = None

    def get(self) -> tuple[ChangeMark, int] | None:
        return self.kept

    def put(self, mark: ChangeMark, version: int) -> None:
        self.kept = (mark, version)


def _draft(editing: Editing, slug: str) -> None:
    change = Change(fields={"title": text(slug), "status": "pilot"}, sources=SOURCES, slug=slug)
    editing.submit_case_study(HUB_CALLER, change, None, draft=True)


def test_processes_agree_on_the_public_version_across_a_hubs_drafts(store: Store, same_database: Store) -> None:
    # Given one process that has read the public version, and left it as a hint
    store.clear()
    _given(store)
    hints = SharedHints()
    first = PublicAnswers(hints)
    version = first.version(store)
    # When a hub saves a draft, and then another process reads the version for the first time
    _draft(Editing(store), "drafted-1")
    second = PublicAnswers(hints)
    # Then it takes the first one's version (nothing public changed), where on its own it would not
    assert second.version(same_database) == version
    assert PublicAnswers().version(same_database) != version
    # And when a case study is published, one process reads it, a hub drafts, and the other reads it
    editing = Editing(same_database)
    change = Change(fields={"title": text("published-1"), "status": "live"}, sources=SOURCES, slug="published-1")
    editing.submit_case_study(STAFF, change, None, draft=False)
    editing.review_case_study(STAFF, "published-1", 1, None, publish=True)
    moved = first.version(store)
    _draft(Editing(store), "drafted-2")
    # Then both moved to one new version
    assert moved != version
    assert second.version(same_database) == moved == first.version(store)


def _specs(links: list[tuple[Rel, Ref]]) -> list[tuple[Rel, list[tuple[Ref, str]]]]:
    by_rel: dict[Rel, list[tuple[Ref, str]]] = {}
    for rel, target in links:
        by_rel.setdefault(rel, []).append((target, "platform" if rel is Rel.INVOLVES else ""))
    return sorted(by_rel.items())


def test_caches_kept_from_the_writes_equal_a_fresh_read(store: Store, same_database: Store) -> None:
    run_state_machine_as_test(
        lambda: Registry(store, same_database),  # type: ignore[arg-type]  # any factory of machines will do
        settings=settings(
            max_examples=5,
            stateful_step_count=12,
            deadline=None,
            derandomize=True,
            suppress_health_check=list(HealthCheck),
        ),
    )
