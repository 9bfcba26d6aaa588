"""The open-data addresses, for the app to mount (see the package's docstring)."""

from __future__ import annotations

from starlette.routing import Route

from registry.opendata.catalog import catalog
from registry.opendata.csv_export import export_csv
from registry.opendata.feeds import feed
from registry.opendata.records import negotiate, records_jsonl, records_jsonld

__all__ = ["negotiate", "routes"]


def routes() -> list[Route]:
    return [
        Route("/records.jsonld", records_jsonld, methods=["GET", "HEAD"]),
        Route("/records.jsonl", records_jsonl, methods=["GET", "HEAD"]),
        Route("/catalog", catalog, methods=["GET", "HEAD"]),
        Route("/export/{plural}.csv", export_csv, methods=["GET", "HEAD"]),
        Route("/feeds/use-cases.atom", feed, methods=["GET", "HEAD"]),
        Route("/feeds/{scope}/{slug}.atom", feed, methods=["GET", "HEAD"]),
    ]
