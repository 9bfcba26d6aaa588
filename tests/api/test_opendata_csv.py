"""CSV of any filtered list: the GraphQL list's filters, one row a record, unknowns empty (issue 17, item 3)."""

from __future__ import annotations

import csv
import io
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from registry.services.seeding import seed
from registry.store.port import Page, RecordQuery
from registry.store.sql.store import SqlStore
from registry.synthetic.loading import generate_into
from tests import needs
from tests.api.conftest import Api, Server, serve
from tests.api.test_opendata_feeds import publish_case
from tests.conftest import MakeStore

USE_CASES = """query ($after: String) {
  useCases(filter: {domains: ["energy"], countries: ["FR"]}, first: 100, after: $after) {
    nodes { slug yearEnd sources { url } } pageInfo { hasNextPage endCursor }
  }
}"""


def rows(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text, newline="")))


def test_the_csv_holds_the_records_the_graphql_list_selects_with_their_sources(api: Api) -> None:
    # given the energy use cases in France, as the GraphQL list gives them
    listed: list[dict[str, Any]] = []
    after = None
    while True:
        page = api.data(USE_CASES, {"after": after})["useCases"]
        listed += page["nodes"]
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]
    # when a client asks the CSV with the same filter
    answer = api.client.get("/export/use-cases.csv?domains=energy&countries=FR")
    assert answer.status_code == 200 and answer.headers["content-type"].startswith("text/csv")
    got = rows(answer.text)
    # then it has one row a record, the same records, with the same sources
    assert [r["slug"] for r in got] == [n["slug"] for n in listed]
    for row, node in zip(got, listed, strict=True):
        assert row["sources"].split("; ") == [s["url"] for s in node["sources"]]
        # and a value no source states is empty, under a header that says so
        assert row["year_end (empty = unknown)"] == ("" if node["yearEnd"] is None else str(node["yearEnd"]))
    assert any(n["yearEnd"] is None for n in listed)  # the case above is exercised


@pytest.mark.parametrize(
    "kind",
    ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres), pytest.param("neo4j", marks=pytest.mark.neo4j)],
)
def test_the_csv_equals_the_graphql_list_on_every_store(server: Server, make_store: MakeStore, kind: str) -> None:
    # given the seeded programme in a store
    store = make_store(kind)
    seed(store)
    for api in serve(server, store):
        # when the same filters are asked of the GraphQL list and of the CSV
        for graphql, params in (
            ('useCases(filter: {domains: ["energy"], countries: ["FR"]}, first: 100)', "domains=energy&countries=FR"),
            ("useCases(filter: {dataCategories: [HEALTH]}, first: 100)", "dataCategories=HEALTH"),
            ('actors(filter: {territories: ["lyon"]}, first: 100)', "territories=lyon"),
        ):
            listed = api.data(f"{{ list: {graphql} {{ nodes {{ slug }} }} }}")["list"]["nodes"]
            path = "/export/use-cases.csv" if graphql.startswith("useCases") else "/export/actors.csv"
            got = rows(api.client.get(f"{path}?{params}").text)
            # then they hold the same records, in the same order
            assert [r["slug"] for r in got] == [n["slug"] for n in listed], (kind, params)
            assert got, params


def test_an_unknown_filter_value_is_a_typed_error_and_no_csv(api: Api) -> None:
    answer = api.client.get("/export/use-cases.csv?domains=energie")
    assert answer.status_code == 400
    error = answer.json()["errors"][0]
    assert error["extensions"]["code"] == "INVALID" and error["extensions"]["field"] == "filter.domains"
    assert error["extensions"]["params"]["unknown"] == [{"field": "filter.domains", "value": "energie"}]
    # as are a vocabulary value, a filter the list does not have, and a restricted filter asked anonymously
    assert api.client.get("/export/use-cases.csv?statuses=ONGOING").status_code == 400
    assert api.client.get("/export/territories.csv?domains=energy").status_code == 400
    assert api.client.get("/export/use-cases.csv?reviewStates=DRAFT").status_code == 403


def test_a_cell_a_spreadsheet_would_run_as_a_formula_is_kept_as_text(api: Api) -> None:
    # given a hub's published case study whose title starts like a formula
    title = {"en": '=HYPERLINK("https://example.org")', "fr": "+1 données"}
    slug = publish_case(api, title=title)
    # then the CSV writes it as text (a leading apostrophe, as spreadsheets mark text)
    got = {r["slug"]: r for r in rows(api.client.get("/export/use-cases.csv?territories=helsinki").text)}
    assert got[slug]["title (en)"] == "'" + title["en"]
    assert got[slug]["title (fr)"] == "'+1 données"


def number(cell: str) -> str | float:
    try:
        return float(cell)
    except ValueError:
        return cell


def libreoffice_csv(source: Path, out: Path) -> list[list[str]]:
    """The file as LibreOffice reads it (UTF-8, comma, quote), saved back as CSV with cells as stored."""
    office = needs.libreoffice()
    subprocess.run(
        [
            office,
            f"-env:UserInstallation=file://{out / 'profile'}",
            "--headless",
            "--infilter=CSV:44,34,76,1,,0,false,false",
            "--convert-to",
            "csv:Text - txt - csv (StarCalc):44,34,76,1,,0,false,true,false,false",
            "--outdir",
            str(out),
            str(source),
        ],
        check=True,
        capture_output=True,
        timeout=120,
    )
    with (out / source.name).open(encoding="utf-8", newline="") as read:
        return list(csv.reader(read))


def test_libreoffice_opens_the_csv_cell_for_cell(api: Api, tmp_path: Path) -> None:
    # given the territories' CSV (accents, semicolons, quotes, decimals, empty cells)
    text = api.client.get("/export/territories.csv").text
    source = tmp_path / "territories.csv"
    source.write_text(text, encoding="utf-8", newline="")
    # when LibreOffice opens it and saves it again
    (tmp_path / "out").mkdir()
    reread = libreoffice_csv(source, tmp_path / "out")
    # then every cell is what Python's csv module reads (a number as a number: 4.0 is shown 4)
    assert [[number(c) for c in row] for row in reread] == [
        [number(c) for c in row] for row in csv.reader(io.StringIO(text, newline=""))
    ]
    assert any("é" in cell for row in reread for cell in row)


@pytest.fixture(scope="module")
def large_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("large") / "registry.db"
    store = SqlStore(f"sqlite:///{path}")
    generate_into(store, scale=100, seed=0)  # 5,400 organisations
    store.close()
    return path


@pytest.fixture
def large(server: Server, large_file: Path) -> Iterator[Api]:
    store = SqlStore(f"sqlite:///{large_file}")  # read only
    yield from serve(server, store)
    store.close()


def test_a_large_list_streams_rows_before_its_end(large: Api, monkeypatch: pytest.MonkeyPatch) -> None:
    # given thousands of organisations
    total = large.data("{ actors { totalCount } }")["actors"]["totalCount"]
    assert total >= 5000
    # and a note of when the server starts reading each page of them (its store is this process's)
    read = large.store.query
    pages_read_at: list[float] = []

    def noted(query: RecordQuery) -> Page:
        pages_read_at.append(time.monotonic())
        return read(query)

    monkeypatch.setattr(large.store, "query", noted)
    # when a client reads their CSV as it comes
    first_row_at = None
    chunks = 0
    body = b""
    with large.client.stream("GET", "/export/actors.csv") as answer:
        assert "content-length" not in answer.headers  # not built whole before sending
        for chunk in answer.iter_raw():
            chunks += 1
            body += chunk
            if first_row_at is None and body.count(b"\r\n") >= 2:
                first_row_at = time.monotonic()
    # then the first rows reached the client before the server even began to read the last page
    # (an order of events, not a share of the time: a pause anywhere in the process, such as a
    # garbage collection, cannot make it fail), in many pieces, and every record is there
    assert len(pages_read_at) > 5
    assert first_row_at is not None and first_row_at < pages_read_at[-1]
    assert chunks > 5
    assert len(rows(body.decode("utf-8"))) == total
