"""Validation of mutation input against the kind's field table.

Every failure is a RegistryError naming the field (by its record name: the API writes it
as the client sent it), with a stable `params.rule` and the values a client needs to word
it in its own language.  Every field is checked, so that one answer lists every problem.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from registry.domain.errors import Collector, ErrorCode, RegistryError, Rule
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


def invalid(field: str, message: str, rule: Rule, **params: Any) -> RegistryError:
    return RegistryError(ErrorCode.INVALID, message, field, {"rule": rule.value, **params})


def missing(field: str, message: str) -> RegistryError:
    return RegistryError(ErrorCode.REQUIRED, message, field, {"rule": Rule.REQUIRED.value})


def words_of(name: str) -> str:
    """A field's name as words, for messages: year_start -> "year start"."""
    return name.replace("_", " ")


def check_slug(slug: str, field: str = "slug") -> str:
    if not SLUG.match(slug) or len(slug) > 80:
        raise invalid(
            field,
            "A slug is 1 to 80 lower-case letters, digits and single hyphens, e.g. 'la-rochelle'.",
            Rule.FORMAT,
            format="slug",
            max=80,
            value=slug,
        )
    return slug


def slug_from(text: str) -> str:
    return "-".join(normalise(text).split())[:80].strip("-")


def _text(field: str, value: Any, limit: int) -> JSON | None:
    if not isinstance(value, dict):
        raise invalid(field, "Expected an object with 'fr' and/or 'en'.", Rule.TYPE, expected="object")
    out: JSON = {}
    for lang, text in value.items():
        if lang not in ("fr", "en"):
            raise invalid(
                field, f"Unknown language {lang!r}: use 'fr' or 'en'.", Rule.ONE_OF, value=lang, allowed=["fr", "en"]
            )
        if text is None:
            continue
        if not isinstance(text, str):
            raise invalid(field, "Texts must be strings.", Rule.TYPE, expected="string")
        text = text.strip()
        if len(text) > limit:
            raise invalid(field, f"At most {limit} characters.", Rule.TOO_LONG, max=limit)
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
                raise invalid(name, "Expected a string.", Rule.TYPE, expected="string")
            value = value.strip()
            if name == "country" and not COUNTRY.match(value):
                raise invalid(
                    name,
                    "A country is an ISO 3166-1 alpha-2 code in capitals, e.g. 'FR'.",
                    Rule.FORMAT,
                    format="country",
                    value=value,
                )
            if name == "website" and not URL.match(value):
                raise invalid(name, "A website is an http(s) URL.", Rule.FORMAT, format="url", value=value)
            if len(value) > SHORT_TEXT:
                raise invalid(name, f"At most {SHORT_TEXT} characters.", Rule.TOO_LONG, max=SHORT_TEXT)
            return value or None
        case "int":
            if isinstance(value, bool) or not isinstance(value, int):
                raise invalid(name, "Expected a whole number.", Rule.TYPE, expected="integer")
            low, high = field_spec.bounds or INT_RANGE
            if not low <= value <= high:
                raise invalid(name, f"Must be between {low} and {high}.", Rule.RANGE, min=low, max=high, value=value)
            return value
        case "bool":
            if not isinstance(value, bool):
                raise invalid(name, "Expected true or false.", Rule.TYPE, expected="boolean")
            return value
        case "date":
            try:
                return date.fromisoformat(str(value)).isoformat()
            except ValueError:
                raise invalid(name, "Expected a date as YYYY-MM-DD.", Rule.FORMAT, format="date") from None
        case "enum":
            if value not in field_spec.values:
                allowed = list(field_spec.values)
                raise invalid(name, f"Must be one of: {', '.join(allowed)}.", Rule.ONE_OF, value=value, allowed=allowed)
            return value
        case "enum_list" | "str_list":
            if not isinstance(value, list):
                raise invalid(name, "Expected a list.", Rule.TYPE, expected="list")
            for item in value:
                if field_spec.type == "enum_list" and item not in field_spec.values:
                    allowed = list(field_spec.values)
                    raise invalid(
                        name, f"{item!r} is not one of: {', '.join(allowed)}.", Rule.ONE_OF, value=item, allowed=allowed
                    )
                if name == "languages" and not (isinstance(item, str) and LANGUAGE.match(item)):
                    raise invalid(
                        name, "Languages are ISO 639-1 codes, e.g. 'fr'.", Rule.FORMAT, format="language", value=item
                    )
            return sorted(set(value))
        case "str_seq":  # the order is part of the fact (a timeline's periods, a phase's steps)
            if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
                raise invalid(name, "Expected a list of strings.", Rule.TYPE, expected="list")
            if any(len(item) > SHORT_TEXT for item in value):
                raise invalid(name, f"At most {SHORT_TEXT} characters each.", Rule.TOO_LONG, max=SHORT_TEXT)
            return [item.strip() for item in value] or None
        case "positions":
            if not isinstance(value, dict):
                raise invalid(name, "Expected an object of positions.", Rule.TYPE, expected="object")
            out: JSON = {}
            for position, note in value.items():
                if position not in POSITIONS:
                    allowed = list(POSITIONS)
                    raise invalid(
                        name,
                        f"{position!r} is not one of: {', '.join(allowed)}.",
                        Rule.ONE_OF,
                        value=position,
                        allowed=allowed,
                    )
                if note is not None:
                    out[position] = str(note).strip()[:LONG_TEXT]
            return out or None
        case "coordinates":
            return _point(name, value)
        case "inferences":
            return _inferences(name, value)
    raise invalid(name, "Unsupported field.", Rule.TYPE, expected=field_spec.type)


def _point(name: str, value: Any) -> JSON:
    """A WGS84 point: latitude and longitude in decimal degrees, both stated."""
    if not isinstance(value, dict) or set(value) != {"latitude", "longitude"}:
        raise invalid(name, "Expected a latitude and a longitude.", Rule.TYPE, expected="coordinates")
    point: JSON = {}
    for part, limit in (("latitude", 90), ("longitude", 180)):
        degrees = value[part]
        if isinstance(degrees, bool) or not isinstance(degrees, int | float) or not -limit <= degrees <= limit:
            raise invalid(
                name,
                f"The {part} is a number of degrees between -{limit} and {limit}.",
                Rule.RANGE,
                min=-limit,
                max=limit,
            )
        point[part] = float(degrees)
    return point


def _inferences(name: str, value: Any) -> list[JSON] | None:
    """Values no source states but worth keeping, each labelled with its reasoning.

    An inference never fills its field: the field stays null (unknown), so a client
    can always tell a sourced fact from the registry's own reading of its sources.
    """
    if not isinstance(value, list):
        raise invalid(name, "Expected a list of {field, value, reasoning}.", Rule.TYPE, expected="list")
    out: list[JSON] = []
    for index, item in enumerate(value):
        where = f"{name}.{index}"
        if not isinstance(item, dict) or set(item) - {"field", "value", "reasoning"}:
            raise invalid(where, "An inference is {field, value, reasoning}.", Rule.TYPE, expected="object")
        field, inferred = item.get("field"), item.get("value")
        if not isinstance(field, str) or not field or not isinstance(inferred, str) or not inferred:
            raise invalid(where, "An inference names a field and the value inferred for it.", Rule.INFERENCE)
        raw = item.get("reasoning")
        reasoning = None if raw is None else _text(f"{where}.reasoning", raw, LONG_TEXT)
        if reasoning is None:
            raise missing(f"{where}.reasoning", "An inference says why (reasoning).")
        out.append({"field": field, "value": inferred, "reasoning": reasoning})
    return out or None


# Pairs of fields whose end may not come before their start, and the word that names them.
_ORDERED = (("year_start", "year_end", "year"), ("start_date", "end_date", "date"))


def check_fields(kind: Kind, raw: JSON, *, base: JSON | None = None) -> JSON:
    """The record's data after applying `raw` (a patch when `base` is given).

    Every field is checked: the error raised (`Problems` when several) lists each problem."""
    found = Collector()
    data: JSON = dict(base or {})
    for name, value in raw.items():
        field_spec = spec(kind, name)
        if field_spec is None:
            found.add(invalid(name, f"{kind.value} has no field {name!r}.", Rule.ONE_OF, value=name))
            continue
        with found.catch():
            cleaned = _value(field_spec, value)
            if cleaned is None:
                data.pop(name, None)
            else:
                data[name] = cleaned
    broken = {error.field for error in found.problems}
    for field_spec in KIND_FIELDS[kind]:
        if field_spec.required and data.get(field_spec.name) is None and field_spec.name not in broken:
            found.add(missing(field_spec.name, f"The {words_of(field_spec.name)} is required."))
    for inference in data.get("inferences") or ():
        target = spec(kind, inference["field"])
        if target is not None and target.type == "enum" and inference["value"] not in target.values:
            found.add(
                invalid(
                    "inferences",
                    f"{inference['value']!r} is not one of: {', '.join(target.values)}.",
                    Rule.ONE_OF,
                    value=inference["value"],
                    allowed=list(target.values),
                )
            )
        if target is not None and data.get(target.name) is not None:
            found.add(
                invalid(
                    "inferences",
                    f"The {words_of(target.name)} holds a sourced value: an inference cannot stand beside it.",
                    Rule.INFERENCE,
                    about=target.name,
                )
            )
    for low, high, word in _ORDERED:
        if low in data and high in data and data[high] < data[low] and not {low, high} & broken:
            found.add(
                RegistryError(
                    ErrorCode.INVALID,
                    f"The end {word} ({data[high]}) comes before the start {word} ({data[low]}).",
                    high,
                    {"rule": Rule.ORDER.value, "start": data[low], "end": data[high]},
                    others=(low,),
                )
            )
    found.check()
    return data


def check_sources(raw: list[JSON], *, required: bool) -> tuple[Source, ...]:
    """The sources, or every problem of every source at once."""
    found = Collector()
    if required and not raw:
        found.add(
            RegistryError(
                ErrorCode.REQUIRED,
                "At least one source (url and title) is required.",
                "sources",
                {"rule": Rule.REQUIRED.value, "min": 1},
            )
        )
    out = []
    for index, item in enumerate(raw):
        where = f"sources.{index}"
        url = str(item.get("url") or "").strip()
        title = str(item.get("title") or "").strip()
        seen = item.get("seen")
        if not URL.match(url):
            found.add(
                invalid(f"{where}.url", "A source's url is an http(s) URL.", Rule.FORMAT, format="url", value=url)
            )
        if not title:
            found.add(missing(f"{where}.title", "A source needs a title."))
        elif len(title) > SHORT_TEXT:
            found.add(
                invalid(
                    f"{where}.title",
                    f"A source's title has at most {SHORT_TEXT} characters.",
                    Rule.TOO_LONG,
                    max=SHORT_TEXT,
                )
            )
        if seen is not None:
            try:
                seen = date.fromisoformat(str(seen)).isoformat()
            except ValueError:
                found.add(invalid(f"{where}.seen", "Expected a date as YYYY-MM-DD.", Rule.FORMAT, format="date"))
        with found.catch():
            page = _note(item.get("page"), f"{where}.page")
            home_page_only = _note(item.get("home_page_only"), f"{where}.home_page_only")
            out.append(Source(url, title, seen, page, home_page_only))
    found.check()
    return tuple(dict.fromkeys(out))


def _note(value: Any, field: str) -> str | None:
    """An optional short text of a source (its page, or why it is a home page only)."""
    if value is None:
        return None
    if not isinstance(value, str) or not value.strip() or len(value) > SHORT_TEXT:
        raise invalid(field, f"Expected a text of 1 to {SHORT_TEXT} characters.", Rule.TOO_LONG, min=1, max=SHORT_TEXT)
    return value.strip()


def check_link(link: Link, field: str) -> Link:
    sources, targets = REL_KINDS[link.rel]
    if link.source.kind not in sources or link.target.kind not in targets:
        raise invalid(
            field,
            f"{link.rel.value} does not join a {link.source.kind.value} to a {link.target.kind.value}.",
            Rule.ONE_OF,
            value=link.target.kind.value,
        )
    if link.role and len(link.role) > 60:
        raise invalid(field, "A role has at most 60 characters.", Rule.TOO_LONG, max=60)
    return link


def links_for(source: Ref, rel: Rel, targets: list[tuple[Ref, str]], field: str) -> list[Link]:
    return [check_link(Link(source, rel, target, role), field) for target, role in dict.fromkeys(targets)]
