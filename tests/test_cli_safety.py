"""A safe command line: hubs are created on purpose, keys are audited, a bad import changes nothing."""

from __future__ import annotations

from pathlib import Path

from registry.store.sql.store import SqlStore
from tests.test_cli import registry


def _audit(db: Path) -> list[tuple[str, str, str, dict[str, object]]]:
    store = SqlStore(f"sqlite:///{db}")
    try:
        entries, _ = store.audit_page(0, 1000)
        return [
            (e.who, e.action, e.ref, e.detail) for e in entries if e.action in {"createHub", "createKey", "revokeKey"}
        ]
    finally:
        store.close()


def test_hubs_are_created_on_purpose_and_a_key_for_an_unknown_hub_is_refused(tmp_path: Path) -> None:
    # given a seeded registry
    assert registry("seed", cwd=tmp_path).returncode == 0
    listed = registry("hubs", "list", cwd=tmp_path)
    assert listed.returncode == 0 and listed.stdout.startswith("hub-mydata-france\tHub MyData France\t")
    # when a key is asked for a hub that does not exist (a typo)
    typo = registry("keys", "create", "--role", "hub", "--hub", "hub-mydata-frnace", cwd=tmp_path)
    # then it is refused in one line, and neither a hub nor a key appears
    assert typo.returncode == 2 and typo.stdout == ""
    assert typo.stderr.count("\n") == 1 and "No hub 'hub-mydata-frnace'" in typo.stderr
    assert registry("hubs", "list", cwd=tmp_path).stdout == listed.stdout
    assert registry("keys", "list", cwd=tmp_path).stdout == ""
    # when the hub is created on purpose, then its key is
    created = registry("hubs", "create", "hub-nordic", "--name", "MyData Nordic", cwd=tmp_path)
    assert created.returncode == 0, created.stderr
    assert "hub-nordic\tMyData Nordic\t" in registry("hubs", "list", cwd=tmp_path).stdout
    key = registry("keys", "create", "--role", "hub", "--hub", "hub-nordic", cwd=tmp_path)
    assert key.returncode == 0 and key.stdout.startswith("sdr_")
    # and a hub is created once, with a valid slug and a name
    again = registry("hubs", "create", "hub-nordic", "--name", "Other", cwd=tmp_path)
    assert again.returncode == 2 and "already exists" in again.stderr
    assert registry("hubs", "create", "Bad Slug", "--name", "X", cwd=tmp_path).returncode == 2
    assert registry("hubs", "create", "no-name", "--name", "  ", cwd=tmp_path).returncode == 2
    assert "no-name" not in registry("hubs", "list", cwd=tmp_path).stdout


def test_key_creation_and_revocation_are_in_the_audit_trail_without_the_secret(tmp_path: Path) -> None:
    # given a seeded registry, a hub created, a hub key and a coordinator key created, and one revoked
    assert registry("seed", cwd=tmp_path).returncode == 0
    assert registry("hubs", "create", "hub-nordic", "--name", "MyData Nordic", cwd=tmp_path).returncode == 0
    hub_token = registry("keys", "create", "--role", "hub", "--hub", "hub-nordic", cwd=tmp_path).stdout.strip()
    staff = registry("keys", "create", "--role", "coordinator", "--label", "Lyon", cwd=tmp_path).stdout.strip()
    staff_id = staff.split("_")[1]
    assert registry("keys", "revoke", staff_id, cwd=tmp_path).returncode == 0
    assert registry("keys", "revoke", staff_id, cwd=tmp_path).returncode == 1  # already revoked: not audited again
    # then the audit trail says who did what, when, with which role and hub
    entries = _audit(tmp_path / "registry.db")
    hub_id = hub_token.split("_")[1]
    assert [(action, ref, detail) for _, action, ref, detail in entries] == [
        ("createHub", "Hub:hub-nordic", {"slug": "hub-nordic", "name": "MyData Nordic"}),
        ("createKey", f"ApiKey:{hub_id}", {"role": "hub", "hub": "hub-nordic", "label": ""}),
        ("createKey", f"ApiKey:{staff_id}", {"role": "coordinator", "hub": None, "label": "Lyon"}),
        ("revokeKey", f"ApiKey:{staff_id}", {"role": "coordinator", "hub": None}),
    ]
    assert all(who.startswith("cli") for who, _, _, _ in entries)
    # and never the secret, nor its hash
    text = repr(entries)
    for token in (hub_token, staff):
        assert token.split("_", 2)[2] not in text
    store = SqlStore(f"sqlite:///{tmp_path / 'registry.db'}")
    hashes = [key.secret_hash for key in store.api_keys()]
    store.close()
    assert hashes and not any(h in text for h in hashes)


def test_a_bad_import_says_why_in_one_line_and_changes_nothing(tmp_path: Path) -> None:
    # given an export of the seeded registry, and an empty target store
    assert registry("seed", cwd=tmp_path).returncode == 0
    exported = registry("export", cwd=tmp_path).stdout
    target = f"sqlite:///{tmp_path / 'target.db'}"
    empty = registry("export", "--store", target, cwd=tmp_path).stdout
    cases = {
        "missing": ("no-such-file.jsonl", None, "cannot read no-such-file.jsonl"),
        "truncated": ("-", exported[: len(exported) // 2], "truncated"),
        "altered": ("-", exported.replace("La Rochelle", "La Rochele", 1), "altered"),
        "not an export": ("-", "hello\n", "truncated"),
    }
    for name, (file, text, says) in cases.items():
        # when it is imported
        result = registry("import", "--store", target, file, cwd=tmp_path, input_=text)
        # then one line on standard error, no traceback, a failing exit status, and the store as it was
        assert result.returncode == 1, name
        assert result.stderr.count("\n") == 1 and says in result.stderr, (name, result.stderr)
        assert "Traceback" not in result.stderr
        assert registry("export", "--store", target, cwd=tmp_path).stdout == empty, name
    # and the whole file imports
    assert registry("import", "--store", target, cwd=tmp_path, input_=exported).returncode == 0
