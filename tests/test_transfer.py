"""Moving a registry between stores: the export round trip is byte-identical."""

from __future__ import annotations

import hashlib
import io
import json
from typing import IO, Any

import pytest

from registry.domain.errors import RegistryError
from registry.domain.records import Kind, Role
from registry.services.access import authenticate, create_key
from registry.services.editing import Change, Editing
from registry.services.importing import import_file, import_lines
from registry.services.seeding import seed
from registry.services.transfer import SECTIONS, export
from registry.store.codec import dump_json, now
from registry.store.port import Store
from tests.conftest import MakeStore


def _exported(store: Store) -> str:
    out = io.StringIO()
    export(store, out)
    return out.getvalue()


def _populate(store: Store) -> None:
    """The seeds, plus what only a live registry has: a draft, keys, a revoked key, audit entries."""
    seed(store)
    _, token = create_key(store, Role.HUB, "hub-mydata-france", "Paris hub")
    hub = authenticate(store, f"Bearer {token}")
    change = Change(
        fields={"title": {"en": "A hub's draft", "fr": "Un brouillon"}, "status": "idea"},
        sources=[{"url": "https://example.org/draft", "title": "Draft"}],
        slug="hub-draft",
    )
    Editing(store).submit_case_study(hub, change, "draft-1", draft=True)
    key, _ = create_key(store, Role.COORDINATOR)
    store.revoke_api_key(key.key_id, now())


@pytest.mark.neo4j
def test_sqlite_to_neo4j_to_sqlite_gives_back_the_same_export(make_store: MakeStore) -> None:
    source = make_store("sqlite")
    _populate(source)
    first = _exported(source)
    assert '"review_state":"draft"' in first and '"type":"api_key"' in first and '"type":"audit"' in first
    graph = make_store("neo4j")
    import_lines(graph, io.StringIO(first))
    through_graph = _exported(graph)
    back = make_store("sqlite")
    import_lines(back, io.StringIO(through_graph))
    assert through_graph == first
    assert _exported(back) == first


def test_import_refuses_a_store_that_is_not_empty_and_bad_files(make_store: MakeStore) -> None:
    store = make_store("sqlite")
    seed(store)
    with pytest.raises(RegistryError) as not_empty:
        import_lines(store, io.StringIO(_exported(store)))
    assert not_empty.value.code.value == "INVALID_STATE"
    empty = make_store("sqlite")
    with pytest.raises(RegistryError) as bad:
        import_lines(empty, io.StringIO('{"type":"header","format":"something-else","version":1}\n'))
    assert bad.value.field == "file"
    assert empty.is_empty()
    assert Kind.USE_CASE.value in _exported(store)


# -- the trailer: a file is imported whole and unaltered, or not at all ------------------------------


def _lines(text: str) -> list[str]:
    return text.splitlines(keepends=True)


def _with_trailer(body: list[str]) -> str:
    """`body` (header and sections) closed by a trailer that vouches for it, as export writes it."""
    digest = hashlib.sha256("".join(body).encode()).hexdigest()
    counts = dict.fromkeys(SECTIONS, 0)
    for line in body[1:]:
        counts[json.loads(line)["type"]] += 1
    return "".join(body) + dump_json({"type": "trailer", "counts": counts, "sha256": digest}) + "\n"


def test_an_export_ends_with_its_counts_and_checksum(make_store: MakeStore) -> None:
    source = make_store("sqlite")
    _populate(source)
    lines = _lines(_exported(source))
    trailer = json.loads(lines[-1])
    assert trailer["type"] == "trailer"
    assert trailer["sha256"] == hashlib.sha256("".join(lines[:-1]).encode()).hexdigest()
    types = [json.loads(line)["type"] for line in lines[1:-1]]
    assert trailer["counts"] == {section: types.count(section) for section in SECTIONS}
    assert all(trailer["counts"][s] > 0 for s in SECTIONS)


def _damaged(export: str) -> dict[str, str]:
    """Ways a file goes wrong in transit or by hand, each with a word its error must say."""
    lines = _lines(export)
    record = next(n for n, line in enumerate(lines) if '"type":"record"' in line)
    altered = lines.copy()
    altered[record] = altered[record].replace('"version":1', '"version":9', 1)
    assert altered != lines
    return {
        "truncated": "".join(lines[: len(lines) // 2]),
        "cut mid-line": export[: len(export) - 40],
        "without its trailer": "".join(lines[:-1]),
        "altered": "".join(altered),
        "a line dropped": "".join(lines[:record] + lines[record + 1 :]),
        "a line added after the trailer": export + lines[record],
        "empty": "",
        "counts that lie": export[: export.rindex('"record":')]
        + '"record":1'
        + export[export.rindex('"record":') + 9 :],
    }


@pytest.mark.parametrize(
    "damage",
    [
        "truncated",
        "cut mid-line",
        "without its trailer",
        "altered",
        "a line dropped",
        "a line added after the trailer",
        "empty",
        "counts that lie",
    ],
)
def test_a_damaged_file_is_refused_before_anything_is_written(store: Store, make_store: MakeStore, damage: str) -> None:
    # given a live registry's export, damaged
    source = make_store("sqlite")
    _populate(source)
    bad = _damaged(_exported(source))[damage]
    # when it is imported
    with pytest.raises(RegistryError) as refused:
        import_lines(store, io.StringIO(bad))
    # then a one-line INVALID on the file, and the store is as it was: empty
    assert (refused.value.code.value, refused.value.field) == ("INVALID", "file")
    assert "\n" not in refused.value.message and refused.value.message.startswith("Not imported: ")
    assert store.is_empty()


def test_counts_that_disagree_with_a_file_are_refused_even_with_a_matching_checksum(
    store: Store, make_store: MakeStore
) -> None:
    source = make_store("sqlite")
    _populate(source)
    lines = _lines(_exported(source))
    trailer = json.loads(lines[-1])
    trailer["counts"]["link"] += 1
    with pytest.raises(RegistryError) as refused:
        import_lines(store, io.StringIO("".join(lines[:-1]) + dump_json(trailer) + "\n"))
    assert "counts" in refused.value.message and "link" in refused.value.message
    assert store.is_empty()


def test_a_link_to_a_record_not_in_the_file_is_refused_before_anything_is_written(
    store: Store, make_store: MakeStore
) -> None:
    source = make_store("sqlite")
    _populate(source)
    lines = _lines(_exported(source))[:-1]
    kind, slug = json.loads(next(line for line in lines if '"type":"link"' in line))["target"].split(":", 1)
    rows = [json.loads(line) for line in lines]
    lines = [line for line, row in zip(lines, rows, strict=True) if (row.get("kind"), row.get("slug")) != (kind, slug)]
    assert len(lines) == len(rows) - 1
    with pytest.raises(RegistryError) as refused:
        import_lines(store, io.StringIO(_with_trailer(lines)))
    assert "a link to a record that is not in the file" in refused.value.message
    assert store.is_empty()


@pytest.mark.parametrize("fault", ["a record twice", "a hub twice", "an API key twice"])
def test_an_import_that_fails_while_loading_leaves_the_store_empty(
    store: Store, make_store: MakeStore, fault: str
) -> None:
    # given a sound-looking file (its trailer vouches for it) that the store cannot load whole
    source = make_store("sqlite")
    _populate(source)
    lines = _lines(_exported(source))[:-1]
    section = {"a record twice": "record", "a hub twice": "hub", "an API key twice": "api_key"}[fault]
    first = next(n for n, line in enumerate(lines) if f'"type":"{section}"' in line)
    lines.insert(first, lines[first])  # hubs and keys come after every record and link
    # when it is imported
    with pytest.raises(RegistryError):
        import_lines(store, io.StringIO(_with_trailer(lines)))
    # then nothing of it is left: no record, link, hub, key or audit entry
    assert store.is_empty()
    assert list(store.iter_records()) == [] and list(store.iter_links()) == []


# -- streaming: the file is read twice, a line at a time, never held -------------------------------


class _Pipe(io.RawIOBase):
    """A byte stream that cannot seek, as standard input through a pipe."""

    def __init__(self, data: bytes) -> None:
        self._data = io.BytesIO(data)

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        chunk = self._data.read(len(buffer))
        buffer[: len(chunk)] = chunk
        return len(chunk)


@pytest.mark.parametrize("seekable", [True, False], ids=["file", "pipe"])
def test_an_import_from_a_file_or_a_pipe_gives_back_the_same_export(make_store: MakeStore, seekable: bool) -> None:
    # given a live registry's export, as a file or through a pipe
    source = make_store("sqlite")
    _populate(source)
    exported = _exported(source).encode()
    stream: IO[bytes] = io.BytesIO(exported) if seekable else io.BufferedReader(_Pipe(exported))
    assert stream.seekable() is seekable
    # when it is imported
    target = make_store("sqlite")
    count = import_file(target, stream)
    # then every line is in the store, as it was
    assert count == exported.count(b"\n")
    assert _exported(target).encode() == exported


def test_sections_out_of_order_are_refused_before_anything_is_written(store: Store, make_store: MakeStore) -> None:
    # given a file whose trailer vouches for it, with a hub line moved to line 3, among the records
    source = make_store("sqlite")
    _populate(source)
    lines = _lines(_exported(source))[:-1]
    hub = next(n for n, line in enumerate(lines) if '"type":"hub"' in line)
    lines.insert(2, lines.pop(hub))
    # when it is imported
    with pytest.raises(RegistryError) as refused:
        import_lines(store, io.StringIO(_with_trailer(lines)))
    # then it says which line and why, and nothing is written
    assert refused.value.message.startswith("Not imported: line 4: a record line after the hub lines")
    assert store.is_empty()
