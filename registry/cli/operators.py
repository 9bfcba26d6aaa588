"""Operator commands of the command line (hubs), and who the operator is in the audit trail."""

from __future__ import annotations

import argparse
import getpass
import sys

from registry.domain.errors import RegistryError
from registry.services.hubs import create_hub
from registry.store.codec import format_time
from registry.store.port import Store


def operator() -> str:
    """The audit trail's `who` for a command run by hand: the system user, when it has a name."""
    try:
        return f"cli:{getpass.getuser()}"
    except (KeyError, OSError):  # no user name (some containers)
        return "cli"


def cmd_hubs(store: Store, args: argparse.Namespace) -> int:
    try:
        if args.action == "create":
            hub = create_hub(store, args.slug, args.name, operator())
            print(f"created hub {hub.slug} ({hub.name})")
        else:
            for hub in store.hubs():
                print(f"{hub.slug}\t{hub.name}\t{format_time(hub.created_at) or '-'}")
    except RegistryError as error:
        print(f"registry: {error.message}", file=sys.stderr)
        return 2
    finally:
        store.close()
    return 0
