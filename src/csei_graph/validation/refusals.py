"""What a contribution may never say, whatever the shapes allow: the project's terms, provenance, sources."""

import json
from collections.abc import Callable, Sequence

import pyoxigraph as ox

from csei_graph.namespaces import BASE, CSEI, CSEID, CSEIG, ONTOLOGY_IRI, PREFIXES, compact, shorten
from csei_graph.stores.embedded import GraphStore
from csei_graph.validation.report import Location, Result

# What a contribution may not describe: the vocabulary the maintainers keep, and what csei writes.
PROTECTED = (
    (ONTOLOGY_IRI, "a term of the CSEI ontology"),
    (f"{CSEID}concept/", "a concept or concept scheme of the project"),
    (str(CSEIG), "a named graph (its provenance is written by csei contribute)"),
    ("http://publications.europa.eu/resource/authority/", "an entry of an EU authority table"),
    ("http://data.europa.eu/nuts/", "a region of the NUTS classification"),
    (f"{BASE}shapes", "a shape"),
    (f"{CSEID}contributor/", "a contributor, whom csei names from who sends or accepts a contribution"),
    (f"{CSEID}source/contribution-", "the source of a contribution, which csei describes"),
    (f"{CSEID}review/", "the review of a contribution, which csei records"),
)
# Statements about named graphs that only csei writes: what a contribution was made from, and how.
PROVENANCE_PREDICATES = (ox.NamedNode(f"{CSEI}contentHash"), ox.NamedNode(f"{CSEI}provenanceKind"))
# Statements that say where facts come from: a contribution may cite its own documents, not the graph's.
CITING_PREDICATES = tuple(
    ox.NamedNode(iri)
    for iri in (
        f"{PREFIXES['dct']}source",
        f"{PREFIXES['prov']}wasDerivedFrom",
        f"{PREFIXES['prov']}hadPrimarySource",
    )
)
_SOURCE_DOCUMENTS = f"""
    SELECT DISTINCT ?document WHERE {{
        ?document a <{PREFIXES["dct"]}BibliographicResource>
    }}"""
_XSD = PREFIXES["xsd"]
_TEXT, _DATATYPE = ox.NamedNode("urn:csei:text"), ox.NamedNode("urn:csei:datatype")
# Datatypes whose lexical form the store's casts check, and the condition a cast value must meet.
_CHECKED_DATATYPES = {
    **{
        name: ("", name)
        for name in (
            "boolean",
            "integer",
            "decimal",
            "double",
            "float",
            "date",
            "dateTime",
            "time",
            "gYear",
            "gYearMonth",
            "gMonth",
            "gMonthDay",
            "gDay",
            "duration",
            "yearMonthDuration",
            "dayTimeDuration",
        )
    },
    "nonNegativeInteger": ("?value >= 0", "integer"),
    "positiveInteger": ("?value > 0", "integer"),
    "nonPositiveInteger": ("?value <= 0", "integer"),
    "negativeInteger": ("?value < 0", "integer"),
}


def refusals(
    store: GraphStore, quads: Sequence[ox.Quad], locations: Callable[[str], Location | None]
) -> list[Result]:
    """Every statement of a contribution (not yet in the store) that is refused, whatever the shapes say."""
    documents = {row["document"] for row in store.query(_SOURCE_DOCUMENTS)}  # type: ignore[index,union-attr]
    results: list[Result] = []
    described: set[str] = set()
    for quad in sorted(set(quads), key=str):
        subject = quad.subject
        if isinstance(subject, ox.NamedNode) and subject.value not in described:
            refusal = _protected(subject, documents, locations)
            if refusal is not None:
                described.add(subject.value)
                results.append(refusal)
                continue
        if quad.predicate in PROVENANCE_PREDICATES:
            results.append(_provenance(quad, locations))
        elif quad.predicate in CITING_PREDICATES and quad.object in documents:
            results.append(_claimed_source(quad, locations))
    return results + ill_typed(quads, locations)


def _refused(quad_subject: str, message: str, rule: str, location: Location | None, **found: str) -> Result:
    return Result(
        severity="Violation", focus=quad_subject, message=message, rule=rule, location=location, **found
    )


def _protected(
    subject: ox.NamedNode, documents: set[ox.NamedNode], locations: Callable[[str], Location | None]
) -> Result | None:
    for prefix, what in PROTECTED:
        if subject.value.startswith(prefix):
            return _refused(
                subject.value,
                f"<{subject.value}> is {what}, which the maintainers keep in the repository: a contribution "
                "can refer to it but not describe it. Remove the statements about it, or ask the "
                "maintainers for the change.",
                "protected-vocabulary",
                locations(subject.value),
            )
    if subject in documents:
        return _refused(
            subject.value,
            f"<{subject.value}> is a source document the graph already cites: a contribution may not "
            "describe it (a new title, date or publisher changes what other facts rest on). Describe a "
            "document of your own, or ask the maintainers for the change.",
            "protected-source",
            locations(subject.value),
        )
    return None


def _provenance(quad: ox.Quad, locations: Callable[[str], Location | None]) -> Result:
    return _refused(
        str(quad.subject.value),
        f"{shorten(quad.predicate.value)} describes how a named graph was made, which csei records itself "
        "(the content hash it computes, the kind of provenance): a contribution may not state it. "
        "Remove the statement.",
        "provenance-by-csei",
        locations(str(quad.subject.value)),
        path=shorten(quad.predicate.value),
    )


def _claimed_source(quad: ox.Quad, locations: Callable[[str], Location | None]) -> Result:
    return _refused(
        str(quad.subject.value),
        f"<{quad.object.value}> is a source document of the graph: a contribution may not give it as "  # type: ignore[union-attr]
        "the source of its own facts (they would pass for the document's). Cite a document of your "
        "own: describe it as a dct:BibliographicResource and point to it.",
        "claimed-source",
        locations(str(quad.subject.value)),
        path=shorten(quad.predicate.value),
        value=f"<{quad.object.value}>",  # type: ignore[union-attr]
    )


def ill_typed(quads: Sequence[ox.Quad], locations: Callable[[str], Location | None]) -> list[Result]:
    """Literals whose text is not a value of their datatype ("yesterday"^^xsd:gYear), which the SHACL
    engines let through; the store's own XSD casts tell which are not.

    Each literal goes into a scratch store as its text and its datatype, two plain terms: a typed
    literal stored as it is would be normalised on the way in (-3 as an xsd:nonNegativeInteger is
    kept as an xsd:integer), and its fault lost.
    """
    literals = [
        q
        for q in quads
        if isinstance(q.object, ox.Literal) and q.object.datatype.value[len(_XSD) :] in _CHECKED_DATATYPES
    ]
    if not literals:
        return []
    scratch = ox.Store()
    for number, quad in enumerate(literals):
        node = ox.NamedNode(f"urn:csei:literal:{number}")
        scratch.add(ox.Quad(node, _TEXT, ox.Literal(quad.object.value)))  # type: ignore[union-attr]
        scratch.add(ox.Quad(node, _DATATYPE, quad.object.datatype))  # type: ignore[union-attr]
    blocks = []
    for name, (condition, cast) in _CHECKED_DATATYPES.items():
        keep = f"!BOUND(?value) || !({condition})" if condition else "!BOUND(?value)"
        blocks.append(
            f"{{ ?n <{_DATATYPE.value}> <{_XSD}{name}> ; <{_TEXT.value}> ?text "
            f"BIND(<{_XSD}{cast}>(?text) AS ?value) FILTER({keep}) }}"
        )
    query = "SELECT ?n WHERE { " + " UNION ".join(blocks) + " }"
    faulty = [literals[int(row["n"].value.rsplit(":", 1)[1])] for row in scratch.query(query)]  # type: ignore[union-attr,index]
    return sorted(
        (_ill_typed(quad, locations) for quad in faulty), key=lambda r: (r.focus, r.path or "", r.value or "")
    )


def _ill_typed(quad: ox.Quad, locations: Callable[[str], Location | None]) -> Result:
    literal, subject = quad.object, str(quad.subject.value)
    return _refused(
        subject,
        f"{_quoted(literal.value)} is not a value of {shorten(literal.datatype.value)}: write it "  # type: ignore[union-attr]
        "as that type asks (a year as 2015, a day as 2015-03-31, a number in digits), or omit it.",
        "ill-typed-literal",
        locations(subject),
        path=shorten(quad.predicate.value),
        value=compact(literal),  # type: ignore[arg-type]
    )


def _quoted(text: str) -> str:
    """Text as a quoted string with every control character escaped, cut short when long."""
    return json.dumps(text if len(text) <= 80 else f"{text[:80]}…", ensure_ascii=False)
