"""Where each seeded fact comes from: deep links, marked home pages, labelled inferences.

A coordinator acts on what the registry says, so every record must name the page or
document stating its facts.  A source that is only a site's home page must say why
(`home_page_only`); a value no source states is either left null or kept apart as a
labelled inference (`inferences`), never written into the field itself.
`registry check-sources` prints this report; the seed tests assert it is clean.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from registry.domain.records import JSON, Record, Source


def is_bare_host(url: str) -> bool:
    """True when the URL names a site, not a page: no path, query or fragment."""
    parts = urlsplit(url)
    return parts.path.strip("/") == "" and not parts.query and not parts.fragment


def is_deep(source: Source) -> bool:
    return not is_bare_host(source.url)


@dataclass
class SourceReport:
    records: int = 0
    sources: int = 0  # source citations, over all records
    distinct_urls: int = 0
    deep_links: int = 0  # citations naming a page
    inferences: int = 0
    marked_home_pages: list[tuple[str, str, str]] = field(default_factory=list)  # (record, url, reason)
    unmarked_bare_hosts: list[tuple[str, str]] = field(default_factory=list)  # (record, url)
    without_deep_source: list[str] = field(default_factory=list)  # records citing home pages only, unmarked
    unsourced: list[str] = field(default_factory=list)  # records holding values with no source at all
    inferred_in_field: list[tuple[str, str]] = field(default_factory=list)  # (record, field) filled by inference

    @property
    def clean(self) -> bool:
        return not (self.unmarked_bare_hosts or self.without_deep_source or self.unsourced or self.inferred_in_field)


def check(records: Iterable[Record]) -> SourceReport:
    report = SourceReport()
    urls: set[str] = set()
    for record in records:
        ref = str(record.ref)
        report.records += 1
        for source in record.sources:
            report.sources += 1
            urls.add(source.url)
            if is_deep(source):
                report.deep_links += 1
            elif source.home_page_only:
                report.marked_home_pages.append((ref, source.url, source.home_page_only))
            else:
                report.unmarked_bare_hosts.append((ref, source.url))
        if not record.sources and any(value is not None for value in record.data.values()):
            report.unsourced.append(ref)
        elif record.sources and not any(is_deep(s) or s.home_page_only for s in record.sources):
            report.without_deep_source.append(ref)
        for inference in record.data.get("inferences") or ():
            report.inferences += 1
            if record.data.get(inference["field"]) is not None:
                report.inferred_in_field.append((ref, inference["field"]))
    report.distinct_urls = len(urls)
    return report


def lines(report: SourceReport) -> list[str]:
    """The report in words, for the command line."""
    out = [
        f"records: {report.records}",
        f"sources cited: {report.sources} ({report.distinct_urls} distinct addresses)",
        f"deep links: {report.deep_links}",
        f"home pages, marked with their reason: {len(report.marked_home_pages)}",
        f"inferences, labelled apart from facts: {report.inferences}",
    ]
    for ref, url, reason in report.marked_home_pages:
        out.append(f"  home page only  {ref}  {url}  ({reason})")
    for ref, url in report.unmarked_bare_hosts:
        out.append(f"  UNMARKED BARE HOST  {ref}  {url}")
    for ref in report.without_deep_source:
        out.append(f"  NO DEEP SOURCE  {ref}")
    for ref in report.unsourced:
        out.append(f"  VALUES WITHOUT A SOURCE  {ref}")
    for ref, name in report.inferred_in_field:
        out.append(f"  INFERENCE WRITTEN AS FACT  {ref}.{name}")
    out.append("clean" if report.clean else "NOT CLEAN")
    return out


def inferred(data: JSON, name: str) -> str | None:
    """The labelled inference for field `name` of a record's data, when there is one."""
    for item in data.get("inferences") or ():
        if isinstance(item, dict) and item.get("field") == name:
            return str(item["value"])
    return None
