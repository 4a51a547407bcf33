"""The form of a stored query's page: one field per parameter, pick lists with labels for concepts.

A concept parameter offers the concepts of its scheme that something in the graph uses (and its
default), by label; the static site writes a page for each of them (`query/NAME/PARAM/CODE.html`),
`csei serve` answers any value live (`query/NAME.html?PARAM=VALUE`).
"""

from collections.abc import Mapping
from dataclasses import dataclass
from urllib.parse import urlencode

import pyoxigraph as ox

from csei_graph import queries
from csei_graph.pages import paths
from csei_graph.pages.reader import Reader

# The concepts of a scheme that the graph uses, with how often: the values worth offering.
USED_CONCEPTS = """
SELECT ?scheme ?c (COUNT(DISTINCT ?s) AS ?n) WHERE {
    ?c skos:inScheme ?scheme . ?s ?p ?c
    FILTER(?p != skos:inScheme && ?p != skos:broader && ?p != skos:narrower)
} GROUP BY ?scheme ?c"""


@dataclass(frozen=True)
class Option:
    """One value of a pick list: the code the query takes and the label shown."""

    value: str
    label: str
    selected: bool


@dataclass(frozen=True)
class Field:
    """A parameter of a stored query as a form field."""

    name: str
    label: str
    kind: str
    value: str
    default: str
    required: bool
    options: tuple[Option, ...]


def concept_code(parameter: queries.Parameter, iri: str) -> str:
    """The code a concept parameter takes for a concept IRI."""
    return iri.removeprefix(parameter.scheme_iri + "/")


def concept_options(reader: Reader, parameter: queries.Parameter) -> list[tuple[str, str]]:
    """(code, label) of the concepts of the parameter's scheme the graph uses, by label; the default too."""
    found = {
        concept_code(parameter, row["c"].value): reader.label(row["c"])
        for row in reader.kept_solutions(USED_CONCEPTS, scheme=ox.NamedNode(parameter.scheme_iri))
        if isinstance(row["c"], ox.NamedNode)
        and paths.SAFE_SEGMENT.fullmatch(concept_code(parameter, row["c"].value))
    }
    if parameter.default and parameter.default not in found:
        found[parameter.default] = reader.label(ox.NamedNode(f"{parameter.scheme_iri}/{parameter.default}"))
    return sorted(found.items(), key=lambda item: (item[1].casefold(), item[0]))


def form_fields(reader: Reader, stored: queries.StoredQuery, values: Mapping[str, str]) -> tuple[Field, ...]:
    """The fields of a stored query's form, filled with the values asked for (else the defaults)."""
    fields = []
    for parameter in stored.parameters:
        value = values.get(parameter.name, parameter.default or "")
        options: tuple[Option, ...] = ()
        if parameter.type == "concept":
            choices = concept_options(reader, parameter)
            if not parameter.required and parameter.default is None:
                choices = [("", "(all)"), *choices]
            options = tuple(Option(code, label, code == value) for code, label in choices)
        fields.append(
            Field(
                name=parameter.name,
                label=parameter.description or parameter.name,
                kind={"integer": "number", "date": "date"}.get(parameter.type, "text"),
                value=value,
                default=parameter.default or "",
                required=parameter.required,
                options=options,
            )
        )
    return tuple(fields)


def chosen_values(stored: queries.StoredQuery, asked: Mapping[str, str]) -> dict[str, str]:
    """The values of the query's parameters a request names (empty ones left out)."""
    known = {p.name for p in stored.parameters}
    return {name: value for name, value in asked.items() if name in known and value.strip()}


def variant(stored: queries.StoredQuery, values: Mapping[str, str]) -> tuple[str, str] | None:
    """(parameter, code) when the values differ from the defaults in one concept parameter alone (a
    page the static site writes), ("", "") when they are the defaults, else None."""
    changed = [p for p in stored.parameters if p.name in values and values[p.name] != (p.default or "")]
    if not changed:
        return "", ""
    if (
        len(changed) == 1
        and changed[0].type == "concept"
        and paths.SAFE_SEGMENT.fullmatch(values[changed[0].name])
    ):
        return changed[0].name, values[changed[0].name]
    return None


def result_stem(folder: str, stored: queries.StoredQuery, values: Mapping[str, str]) -> tuple[str, str]:
    """(stem, query string) of the page of these values: its own page when the static site writes one,
    else the query's page with the values in its query string (answered live by `csei serve`)."""
    chosen = variant(stored, values)
    if chosen == ("", ""):
        return f"{folder}/{stored.name}", ""
    if chosen is not None:
        return f"{folder}/{stored.name}/{chosen[0]}/{chosen[1]}", ""
    return f"{folder}/{stored.name}", urlencode(sorted(values.items()))
