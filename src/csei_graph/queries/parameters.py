"""Parameter values: typed RDF terms parsed from text, concepts checked in the store, bound by name."""

import re
from collections.abc import Mapping
from datetime import date
from pathlib import Path

import pyoxigraph as ox

from csei_graph.namespaces import PREFIXES
from csei_graph.queries.model import Parameter, QueryError, StoredQuery
from csei_graph.stores.base import Store
from csei_graph.terms import OxTerm

PARAMETER_TYPES = ("IRI", "string", "integer", "date", "concept")
XSD = "http://www.w3.org/2001/XMLSchema#"
SKOS_IN_SCHEME = "http://www.w3.org/2004/02/skos/core#inScheme"
_CODE = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*")
_INTEGER = re.compile(r"[+-]?[0-9]+")


def bind_parameters(
    query: StoredQuery, values: Mapping[str, str], store: Store | None = None
) -> dict[str, OxTerm]:
    """Typed RDF terms for the given parameter values and the defaults; concepts checked in the store.

    A parameter with neither value nor default stays unbound, so the query answers for every value.
    """
    for name in values:
        query.parameter(name)
    bindings: dict[str, OxTerm] = {}
    for parameter in query.parameters:
        raw = values.get(parameter.name, parameter.default)
        if raw is None:
            if parameter.required:
                raise QueryError(
                    query.path,
                    f"parameter {parameter.name} is required",
                    line=parameter.line,
                    hint=f"give it with --param {parameter.name}=VALUE ({parameter.type_label})",
                )
            continue
        term = term_for_value(parameter, raw, query.path)
        if store is not None and parameter.type == "concept":
            _check_concept_exists(query, parameter, term, store)
        bindings[parameter.name] = term
    return bindings


def term_for_value(parameter: Parameter, raw: str, path: Path) -> OxTerm:
    """The RDF term of a parameter value; QueryError at the parameter's declaration if it is ill-typed."""
    try:
        return _typed_term(parameter, raw)
    except ValueError as error:
        raise QueryError(
            path,
            f"parameter {parameter.name} ({parameter.type_label}): {error}",
            line=parameter.line,
            hint=f"give a value of type {parameter.type_label}",
        ) from None


def _typed_term(parameter: Parameter, raw: str) -> OxTerm:
    if parameter.type == "string":
        return ox.Literal(raw)
    if parameter.type == "integer":
        if not _INTEGER.fullmatch(raw.strip()):
            raise ValueError(f"{raw!r} is not a whole number")
        return ox.Literal(str(int(raw)), datatype=ox.NamedNode(f"{XSD}integer"))
    if parameter.type == "date":
        try:
            day = date.fromisoformat(raw.strip())
        except ValueError:
            raise ValueError(f"{raw!r} is not a date written YYYY-MM-DD") from None
        return ox.Literal(day.isoformat(), datatype=ox.NamedNode(f"{XSD}date"))
    if parameter.type == "concept":
        return _concept(parameter, raw.strip())
    return _iri(raw.strip())


def _iri(raw: str) -> ox.NamedNode:
    value = raw[1:-1] if raw.startswith("<") and raw.endswith(">") else raw
    prefix, colon, local = value.partition(":")
    if colon and prefix in PREFIXES and not local.startswith("//"):
        value = PREFIXES[prefix] + local
    if ":" not in value:
        raise ValueError(f"{raw!r} is not an absolute IRI nor a prefixed name such as cseid:cluster/NAME")
    try:
        return ox.NamedNode(value)
    except ValueError as error:
        raise ValueError(f"{raw!r} is not a valid IRI ({error})") from None


def _concept(parameter: Parameter, raw: str) -> ox.NamedNode:
    namespace = f"{parameter.scheme_iri}/"
    if raw.startswith(namespace):
        raw = raw[len(namespace) :]
    elif raw.startswith("country:") and parameter.scheme == "country":
        raw = raw[len("country:") :]
    if not _CODE.fullmatch(raw):
        raise ValueError(f"{raw!r} is not the code of a concept (such as {_example_code(parameter)})")
    return ox.NamedNode(namespace + raw)


def _example_code(parameter: Parameter) -> str:
    return "POL" if parameter.scheme == "country" else "public-authority"


def _check_concept_exists(query: StoredQuery, parameter: Parameter, term: OxTerm, store: Store) -> None:
    scheme = ox.NamedNode(parameter.scheme_iri)
    # One ASK when the concept is known (every call of the query); the whole scheme only for the hint.
    if store.query(f"ASK {{ ?c <{SKOS_IN_SCHEME}> ?scheme }}", {"c": term, "scheme": scheme}):
        return
    listing = f"SELECT DISTINCT ?c ?scheme WHERE {{ ?c <{SKOS_IN_SCHEME}> ?scheme }} ORDER BY ?c"
    known = store.query(listing, {"scheme": scheme})
    codes = [row["c"].value.rsplit("/", 1)[-1] for row in known]  # type: ignore[union-attr]
    code = term.value.rsplit("/", 1)[-1]
    raise QueryError(
        query.path,
        f"parameter {parameter.name}: {code!r} is not a concept of {parameter.scheme_iri}",
        line=parameter.line,
        hint=f"known: {', '.join(codes) or 'none in this graph'}",
    )
