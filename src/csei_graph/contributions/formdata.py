"""What is filled in the contribution form, as statements, checked by the code `csei contribute` runs.

The form's entries become a Turtle file, `web-form.ttl`, read and checked exactly as a file given to
`csei validate` or `csei contribute` is (`validation.contribute`): the messages next to the fields
are that report's, placed at the field of their resource and path. IRIs follow the policy of the CSV
template: a cluster and each new organisation named after their name, a membership after both; a
member picked from the graph keeps its IRI, and gains only its membership.
"""

import re
import tempfile
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox

from csei_graph.contributions.form import CLUSTER, MEMBER, MEMBERSHIP, Field, FormSpec
from csei_graph.export import export_format, to_bytes
from csei_graph.namespaces import CSEID, PREFIXES, shorten
from csei_graph.settings import Settings
from csei_graph.validation.contribute import Contribution, check, read_contribution
from csei_graph.validation.csvimport import slugify
from csei_graph.validation.report import Report, Result

FORM_FILE = "web-form.ttl"
MOST_MEMBERS = 200
GENERAL = "general"
RDF_TYPE = ox.NamedNode(f"{PREFIXES['rdf']}type")
PREF_LABEL = ox.NamedNode(f"{PREFIXES['skos']}prefLabel")
_ORG = PREFIXES["org"]
_XSD = PREFIXES["xsd"]
_DATE_FORMS = ((r"\d{4}", "gYear"), (r"\d{4}-\d{2}", "gYearMonth"), (r"\d{4}-\d{2}-\d{2}", "date"))
_LANGUAGE = re.compile(r"[A-Za-z]{2,3}(-[A-Za-z0-9]{1,8})*")
_ABSOLUTE_IRI = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*:[^\s<>\"{}|\\^`]+")
_FIELD = re.compile(r"(cluster|member|membership)(?:\.(\d{1,3}))?\.(.+)")


@dataclass
class Member:
    """One member row: an organisation of the graph (`iri`) or a new one described by `values`."""

    iri: str = ""
    # The name of the organisation picked, as the page showed it: it names the membership only.
    name: str = ""
    values: dict[str, list[str]] = field(default_factory=dict)
    membership: dict[str, list[str]] = field(default_factory=dict)


@dataclass
class Entries:
    """What the form holds: the cluster's values, its kind, the language of its texts, the members."""

    cluster: dict[str, list[str]] = field(default_factory=dict)
    kind: str = ""
    language: str = "en"
    members: list[Member] = field(default_factory=list)

    @classmethod
    def parse(cls, items: Sequence[tuple[str, str]]) -> "Entries":
        """The entries of a submitted form: `cluster.KEY`, `member.N.KEY`, `member.N.iri`,
        `member.N.name`, `membership.N.KEY`, `kind` and `language`; empty values and other names
        are left out."""
        entries = cls()
        rows: dict[int, Member] = {}
        for name, raw in items:
            value = raw.strip()
            if name == "kind":
                entries.kind = value
            elif name == "language":
                entries.language = value or "en"
            elif (match := _FIELD.fullmatch(name)) and value:
                role, number, key = match.groups()
                if role == CLUSTER:
                    entries.cluster.setdefault(key, []).append(value)
                    continue
                if number is None or int(number) >= MOST_MEMBERS:
                    continue
                row = rows.setdefault(int(number), Member())
                if role == MEMBER and key == "iri":
                    row.iri = value
                elif role == MEMBER and key == "name":
                    row.name = value
                else:
                    target = row.values if role == MEMBER else row.membership
                    target.setdefault(key, []).append(value)
        entries.members = [rows[n] for n in sorted(rows)]
        return entries


@dataclass(frozen=True)
class Statements:
    """The statements of the entries and, for each resource, the form field prefix it was filled in."""

    triples: tuple[ox.Triple, ...]
    fields: dict[str, str]
    cluster: ox.NamedNode


def statements(spec: FormSpec, entries: Entries) -> Statements:
    """The statements the entries make, by the IRI policy of the CSV template."""
    triples: list[ox.Triple] = []
    fields: dict[str, str] = {}
    name = _first(entries.cluster, "skos:prefLabel")
    cluster = ox.NamedNode(f"{CSEID}cluster/{slugify(name) or 'new-cluster'}")
    fields[cluster.value] = CLUSTER
    kind = (
        entries.kind
        if entries.kind in {k.value for k in spec.kinds}
        else (spec.kinds[0].value if spec.kinds else "")
    )
    if kind:
        triples.append(ox.Triple(cluster, RDF_TYPE, ox.NamedNode(kind)))
    triples += _described(cluster, spec.cluster.fields, entries.cluster, entries.language)
    for number, member in enumerate(entries.members):
        member_name = _first(member.values, "skos:prefLabel") or member.name
        if member.iri and _ABSOLUTE_IRI.fullmatch(member.iri):
            organisation = ox.NamedNode(member.iri)
            slug = slugify(member.iri.rstrip("/").rsplit("/", 1)[-1]) or f"member-{number + 1}"
            values = {k: v for k, v in member.values.items() if k != "skos:prefLabel"}
        else:
            slug = slugify(member_name) or f"member-{number + 1}"
            organisation = ox.NamedNode(f"{CSEID}organisation/{slug}")
            triples.append(ox.Triple(organisation, RDF_TYPE, ox.NamedNode(f"{_ORG}Organization")))
            values = member.values
        fields.setdefault(organisation.value, f"{MEMBER}.{number}")
        triples += _described(organisation, spec.member.fields, values, entries.language)
        membership = ox.NamedNode(f"{CSEID}membership/{cluster.value.rsplit('/', 1)[1]}-{slug}")
        fields.setdefault(membership.value, f"{MEMBERSHIP}.{number}")
        shown = member_name or slug
        triples += [
            ox.Triple(membership, RDF_TYPE, ox.NamedNode(f"{_ORG}Membership")),
            ox.Triple(membership, PREF_LABEL, _text(f"{shown} in {name or 'the cluster'}", entries.language)),
            ox.Triple(membership, ox.NamedNode(f"{_ORG}organization"), cluster),
            ox.Triple(membership, ox.NamedNode(f"{_ORG}member"), organisation),
        ]
        triples += _described(membership, spec.membership.fields, member.membership, entries.language)
    return Statements(tuple(dict.fromkeys(triples)), fields, cluster)


def _described(
    subject: ox.NamedNode, fields: Sequence[Field], values: Mapping[str, list[str]], language: str
) -> Iterator[ox.Triple]:
    for item in fields:
        for value in values.get(item.key, [])[: None if item.multiple else 1]:
            yield ox.Triple(subject, ox.NamedNode(item.path), _term(item, value, language))


def _term(item: Field, value: str, language: str) -> ox.NamedNode | ox.Literal:
    """A value as the field's shape wants it; a value of the wrong form stays text, which the
    shapes then refuse with their own message."""
    if item.input == "langtext":
        return _text(value, language)
    if item.input == "date":
        datatype = next((d for pattern, d in _DATE_FORMS if re.fullmatch(pattern, value)), None)
        return (
            ox.Literal(value, datatype=ox.NamedNode(f"{_XSD}{datatype}")) if datatype else ox.Literal(value)
        )
    if item.input in ("url", "iri") or (item.input == "select" and item.datatype is None):
        return _resource(value)
    if item.datatype and item.datatype != f"{_XSD}string":
        return ox.Literal(value, datatype=ox.NamedNode(item.datatype))
    return ox.Literal(value)


def _resource(value: str) -> ox.NamedNode | ox.Literal:
    """An IRI when the value is one; else text, which the shapes refuse."""
    if _ABSOLUTE_IRI.fullmatch(value):
        try:
            return ox.NamedNode(value)
        except ValueError:
            pass
    return ox.Literal(value)


def _text(value: str, language: str) -> ox.Literal:
    return (
        ox.Literal(value, language=language.lower()) if _LANGUAGE.fullmatch(language) else ox.Literal(value)
    )


def _first(values: Mapping[str, list[str]], key: str) -> str:
    return next(iter(values.get(key, [])), "")


def turtle(found: Statements, settings: Settings) -> bytes:
    """The statements as Turtle, in the project's canonical form."""
    return to_bytes(
        [ox.Quad(t.subject, t.predicate, t.object) for t in found.triples], export_format("turtle"), settings
    )


@contextmanager
def form_file(found: Statements, settings: Settings) -> Iterator[Path]:
    """The statements written to a temporary `web-form.ttl`, removed afterwards."""
    with tempfile.TemporaryDirectory(prefix="csei-form-") as folder:
        path = Path(folder) / FORM_FILE
        path.write_bytes(turtle(found, settings))
        yield path


def checked(found: Statements, settings: Settings) -> tuple[Contribution, Report]:
    """The entries read and checked as `csei validate web-form.ttl` reads and checks them."""
    with form_file(found, settings) as path:
        contribution = read_contribution([path], settings)
        return contribution, check(contribution, settings)


def field_messages(report: Report, found: Statements, spec: FormSpec) -> dict[str, list[dict[str, str]]]:
    """The report's results by form field (`cluster.KEY`, `member.N.KEY`...), the others as `general`."""
    placed: dict[str, list[dict[str, str]]] = {}
    for result in report.results:
        placed.setdefault(_field_of(result, found, spec), []).append(
            {"severity": result.severity, "message": result.message}
        )
    return placed


def _field_of(result: Result, found: Statements, spec: FormSpec) -> str:
    prefix = found.fields.get(result.focus)
    if prefix is None or result.path is None:
        return GENERAL
    section = spec.section(prefix.split(".", 1)[0])
    item = section.by_key(result.path) or next(
        (f for f in section.fields if shorten(f.path) == result.path), None
    )
    return f"{prefix}.{item.key}" if item is not None else GENERAL
