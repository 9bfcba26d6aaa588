"""Validation of mutation input against the kind's field table.

Every failure is a RegistryError naming the field, so a client can show it
next to the input that caused it.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from registry.domain.errors import ErrorCode, RegistryError
from registry.domain.records import JSON, REL_KINDS, Kind, Link, Ref, Rel, Source
from registry.domain.vocabulary import POSITIONS
from registry.kinds import KIND_FIELDS, FieldSpec, spec
from registry.store.codec import normalise

SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
COUNTRY = re.compile(r"^[A-Z]{2}$")
LANGUAGE = re.compile(r"^[a-z]{2}$")
URL = re.compile(r"^https?://[^\s/$.?#][^\s]*$", re.IGNORECASE)
SHORT_TEXT = 300
LONG_TEXT = 5000
INT_RANGE = (-(2**31), 2**31 - 1)  # an int field without bounds of its own (see `registry.kinds`)


def invalid(field: str, message: str) -> RegistryError:
    return RegistryError(ErrorCode.INVALID, message, field)


def check_slug(slug: str, field: str = "slug") -> str:
    if not SLUG.match(slug) or len(slug) > 80:
        raise invalid(field, "A slug is 1 to 80 lower-case letters, digits and single hyphens, e.g. 'la-rochelle'.")
    return slug


def slug_from(text: str) -> str:
    return "-".join(normalise(text).split())[:80].strip("-")


def _text(field: str, value: Any, limit: int) -> JSON | None:
    if not isinstance(value, dict):
        raise invalid(field, "Expected an object with 'fr' and/or 'en'.")
    out: JSON = {}
    for lang, text in value.items():
        if lang not in ("fr", "en"):
            raise invalid(field, f"Unknown language {lang!r}: use 'fr' or 'en'.")
        if text is None:
            continue
        if not isinstance(text, str):
            raise invalid(field, "Texts must be strings.")
        text = text.strip()
        if len(text) > limit:
            raise invalid(field, f"At most {limit} characters.")
        if text:
            out[lang] = text
    return out or None


def _value(field_spec: FieldSpec, value: Any) -> Any:
    name = field_spec.name
    if value is None:
        return None
    match field_spec.type:
        case "text":
            return _text(name, value, LONG_TEXT if name in ("summary", "outcomes", "text") else SHORT_TEXT)
        case "str":
            if not isinstance(value, str):
                raise invalid(name, "Expected a string.")
            value = value.strip()
            if name == "country" and not COUNTRY.match(value):
                raise invalid(name, "A country is an ISO 3166-1 alpha-2 code in capitals, e.g. 'FR'.")
            if name == "website" and not URL.match(value):
                raise invalid(name, "A website is an http(s) URL.")
            if len(value) > SHORT_TEXT:
                raise invalid(name, f"At most {SHORT_TEXT} characters.")
            return value or None
        case "int":
            if isinstance(value, bool) or not isinstance(value, int):
                raise invalid(name, "Expected a whole number.")
            low, high = field_spec.bounds or INT_RANGE
            if not low <= value <= high:
                raise invalid(name, f"Must be between {low} and {high}.")
            return value
        case "bool":
            if not isinstance(value, bool):
                raise invalid(name, "Expected true or false.")
            return value
        case "date":
            try:
                return date.fromisoformat(str(value)).isoformat()
            except ValueError:
                raise invalid(name, "Expected a date as YYYY-MM-DD.") from None
        case "enum":
            if value not in field_spec.values:
                raise invalid(name, f"Must be one of: {', '.join(field_spec.values)}.")
            return value
        case "enum_list" | "str_list":
            if not isinstance(value, list):
                raise invalid(name, "Expected a list.")
            for item in value:
                if field_spec.type == "enum_list" and item not in field_spec.values:
                    raise invalid(name, f"{item!r} is not one of: {', '.join(field_spec.values)}.")
                if name == "languages" and not (isinstance(item, str) and LANGUAGE.match(item)):
                    raise invalid(name, "Languages are ISO 639-1 codes, e.g. 'fr'.")
            return sorted(set(value))
        case "str_seq":  # the order is part of the fact (a timeline's periods, a phase's steps)
            if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
                raise invalid(name, "Expected a list of strings.")
            if any(len(item) > SHORT_TEXT for item in value):
                raise invalid(name, f"At most {SHORT_TEXT} characters each.")
            return [item.strip() for item in value] or None
        case "positions":
            if not isinstance(value, dict):
                raise invalid(name, "Expected an object of positions.")
            out: JSON = {}
            for position, note in value.items():
                if position not in POSITIONS:
                    raise invalid(name, f"{position!r} is not one of: {', '.join(POSITIONS)}.")
                if note is not None:
                    out[position] = str(note).strip()[:LONG_TEXT]
            return out or None
        case "coordinates":
            return _point(name, value)
        case "inferences":
            return _inferences(name, value)
    raise invalid(name, "Unsupported field.")


def _point(name: str, value: Any) -> JSON:
    """A WGS84 point: latitude and longitude in decimal degrees, both stated."""
    if not isinstance(value, dict) or set(value) != {"latitude", "longitude"}:
        raise invalid(name, "Expected a latitude and a longitude.")
    point: JSON = {}
    for part, limit in (("latitude", 90), ("longitude", 180)):
        degrees = value[part]
        if isinstance(degrees, bool) or not isinstance(degrees, int | float) or not -limit <= degrees <= limit:
            raise invalid(name, f"The {part} is a number of degrees between -{limit} and {limit}.")
        point[part] = float(degrees)
    return point


def _inferences(name: str, value: Any) -> list[JSON] | None:
    """Values no source states but worth keeping, each labelled with its reasoning.

    An inference never fills its field: the field stays null (unknown), so a client
    can always tell a sourced fact from the registry's own reading of its sources.
    """
    if not isinstance(value, list):
        raise invalid(name, "Expected a list of {field, value, reasoning}.")
    out: list[JSON] = []
    for index, item in enumerate(value):
        where = f"{name}.{index}"
        if not isinstance(item, dict) or set(item) - {"field", "value", "reasoning"}:
            raise invalid(where, "An inference is {field, value, reasoning}.")
        field, inferred = item.get("field"), item.get("value")
        if not isinstance(field, str) or not field or not isinstance(inferred, str) or not inferred:
            raise invalid(where, "An inference names a field and the value inferred for it.")
        raw = item.get("reasoning")
        reasoning = None if raw is None else _text(f"{where}.reasoning", raw, LONG_TEXT)
        if reasoning is None:
            raise RegistryError(ErrorCode.REQUIRED, "An inference says why (reasoning).", f"{where}.reasoning")
        out.append({"field": field, "value": inferred, "reasoning": reasoning})
    return out or None


def check_fields(kind: Kind, raw: JSON, *, base: JSON | None = None) -> JSON:
    """The record's data after applying `raw` (a patch when `base` is given)."""
    data: JSON = dict(base or {})
    for name, value in raw.items():
        field_spec = spec(kind, name)
        if field_spec is None:
            raise invalid(name, f"{kind.value} has no field {name!r}.")
        cleaned = _value(field_spec, value)
        if cleaned is None:
            data.pop(name, None)
        else:
            data[name] = cleaned
    for field_spec in KIND_FIELDS[kind]:
        if field_spec.required and data.get(field_spec.name) is None:
            raise RegistryError(ErrorCode.REQUIRED, f"{field_spec.name} is required.", field_spec.name)
    for inference in data.get("inferences") or ():
        target = spec(kind, inference["field"])
        if target is not None and target.type == "enum" and inference["value"] not in target.values:
            raise invalid("inferences", f"{inference['value']!r} is not one of: {', '.join(target.values)}.")
        if target is not None and data.get(target.name) is not None:
            raise invalid("inferences", f"{target.name} holds a sourced value: an inference cannot stand beside it.")
    for low, high in (("year_start", "year_end"), ("start_date", "end_date")):
        if low in data and high in data and data[high] < data[low]:
            raise invalid(high, f"{high} comes before {low}.")
    return data


def check_sources(raw: list[JSON], *, required: bool) -> tuple[Source, ...]:
    if required and not raw:
        raise RegistryError(ErrorCode.REQUIRED, "At least one source (url and title) is required.", "sources")
    out = []
    for index, item in enumerate(raw):
        where = f"sources.{index}"
        url = str(item.get("url") or "").strip()
        title = str(item.get("title") or "").strip()
        seen = item.get("seen")
        if not URL.match(url):
            raise invalid(f"{where}.url", "A source's url is an http(s) URL.")
        if not title or len(title) > SHORT_TEXT:
            raise invalid(f"{where}.title", f"A source needs a title of at most {SHORT_TEXT} characters.")
        if seen is not None:
            try:
                seen = date.fromisoformat(str(seen)).isoformat()
            except ValueError:
                raise invalid(f"{where}.seen", "Expected a date as YYYY-MM-DD.") from None
        page = _note(item.get("page"), f"{where}.page")
        home_page_only = _note(item.get("home_page_only"), f"{where}.home_page_only")
        out.append(Source(url, title, seen, page, home_page_only))
    return tuple(dict.fromkeys(out))


def _note(value: Any, field: str) -> str | None:
    """An optional short text of a source (its page, or why it is a home page only)."""
    if value is None:
        return None
    if not isinstance(value, str) or not value.strip() or len(value) > SHORT_TEXT:
        raise invalid(field, f"Expected a text of 1 to {SHORT_TEXT} characters.")
    return value.strip()


def check_link(link: Link, field: str) -> Link:
    sources, targets = REL_KINDS[link.rel]
    if link.source.kind not in sources or link.target.kind not in targets:
        raise invalid(
            field, f"{link.rel.value} does not join a {link.source.kind.value} to a {link.target.kind.value}."
        )
    if link.role and len(link.role) > 60:
        raise invalid(field, "A role has at most 60 characters.")
    return link


def links_for(source: Ref, rel: Rel, targets: list[tuple[Ref, str]], field: str) -> list[Link]:
    return [check_link(Link(source, rel, target, role), field) for target, role in dict.fromkeys(targets)]
