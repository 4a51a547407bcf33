"""The CSV template for a cluster and its members, and its conversion to RDF for non-RDF writers."""

import csv
import io
import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

import pyoxigraph as ox

from csei_graph.namespaces import CSEI, CSEID, PREFIXES, SCHEMA
from csei_graph.settings import Settings
from csei_graph.sources import SourceError, read_limited, resource_dir
from csei_graph.validation.report import Location, Result

# Each column and what it holds; docs/commands.md documents the same (a test keeps them in step).
COLUMNS: dict[str, str] = {
    "record": "cluster (the first row, exactly one) or member (one row per member organisation)",
    "name": "the name as the organisation writes it",
    "language": "language of the name, such as en or fr (default en)",
    "kind": "cluster: CSEI, PTCE, SocialCluster, MetaCluster or Cluster (default CSEI); member: its "
    "actor kind, social-economy-entity, mainstream-enterprise, civil-society-organisation, "
    "public-authority or education-research-institution",
    "country": "three-letter code of the country in the EU country authority table (ISO 3166), such as FRA",
    "place": "city or region, as written",
    "nuts_region": "cluster: code of its NUTS 2024 region, such as FRK21",
    "website": "web address, starting with https:// or http://",
    "founded": "cluster: year (2007) or day (2007-03-15) it was founded",
    "role": "member: its role in the cluster, such as member, founder or coordinator (default member)",
    "member_since": "member: year or day it joined",
    "member_until": "member: year or day it left, if it has",
    "description": "a sentence on what it is, in the language of the name",
    "iri": "member: the IRI of the organisation when the graph already has it (`csei reconcile` fills it "
    "in): the row then adds its membership and facts, not its name. Empty: a new organisation",
}
TEMPLATE_ROWS = (
    {
        "record": "cluster",
        "name": "Green Valley Cooperation Cluster",
        "kind": "CSEI",
        "country": "FRA",
        "place": "Dijon",
        "nuts_region": "FRC11",
        "website": "https://green-valley.example.org/",
        "founded": "2015",
        "description": "Replace these example rows with your cluster and its members.",
    },
    {
        "record": "member",
        "name": "Valley Food Cooperative",
        "kind": "social-economy-entity",
        "country": "FRA",
        "place": "Dijon",
        "role": "founder",
        "member_since": "2015",
    },
    {
        "record": "member",
        "name": "City of Dijon",
        "kind": "public-authority",
        "country": "FRA",
        "place": "Dijon",
        "role": "member",
        "member_since": "2016-01-01",
    },
)
CLUSTER_KINDS = {
    "CSEI": ("CSEI",),
    "PTCE": ("CSEI", "PTCE"),
    "SocialCluster": ("SocialCluster",),
    "MetaCluster": ("MetaCluster",),
    "Cluster": ("Cluster",),
}
_RDF_TYPE = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
_XSD = PREFIXES["xsd"]
# What `csei reconcile` puts between the IRIs of a member's candidates when it cannot choose.
CANDIDATE_SEPARATOR = " | "
_IRI = re.compile(r"https?://[^\s<>\"{}|\\^`]+")
_DATE_FORMS = ((r"\d{4}", "gYear"), (r"\d{4}-\d{2}", "gYearMonth"), (r"\d{4}-\d{2}-\d{2}", "date"))
_NOTATION = ox.NamedNode(f"{PREFIXES['skos']}notation")
# The reference lists a cell's code must be in: the column, the list's file, what it is, an example.
_LISTS = {
    "country": (
        "eu-country-authority.trig",
        "a country of the EU country authority table (Publications Office, version 20260617-0, "
        "shipped in reference/eu-country-authority.trig)",
        "use its three-letter code, such as FRA for France",
    ),
    "nuts_region": (
        "nuts-2024.trig",
        "a region of NUTS 2024 (Eurostat, shipped in reference/nuts-2024.trig)",
        "use the code of a region of levels 0 to 3 of an EU country, such as FRC11 for Côte-d'Or, or "
        "leave the cell empty",
    ),
}


def template() -> str:
    """The CSV template: the header and example rows for a cluster and two members."""
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(COLUMNS), lineterminator="\n")
    writer.writeheader()
    writer.writerows(TEMPLATE_ROWS)
    return out.getvalue()


def slugify(name: str) -> str:
    """Lower-case ASCII words joined by `-`, accents dropped, as the IRI policy asks."""
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_name.lower()).strip("-")


@dataclass
class Converted:
    """The triples a CSV file gives, and the row each resource comes from."""

    triples: list[ox.Triple] = field(default_factory=list)
    locations: dict[str, Location] = field(default_factory=dict)
    # Cells whose code is in no reference list: validation problems (the file is read all the same).
    problems: list[Result] = field(default_factory=list)


def read_csv(path: Path, settings: Settings | None = None) -> Converted:
    """Convert a filled-in template to RDF; a malformed file raises SourceError with its line."""
    settings = settings or Settings()
    text = read_text(path, settings)
    rows = list(_rows(path, text))
    clusters = [(line, row) for line, row in rows if row["record"] == "cluster"]
    if len(clusters) != 1:
        where = clusters[1][0] if clusters else None
        raise SourceError(
            path,
            f"the file has {len(clusters)} cluster rows; it describes exactly one cluster",
            line=where,
            hint="put the cluster on one row with record=cluster, and its members on record=member rows",
        )
    converted = Converted()
    cluster_line, cluster_row = clusters[0]
    cluster = _cluster(path, cluster_line, cluster_row, converted)
    for line, row in rows:
        if row["record"] == "member":
            _member(path, line, row, cluster=cluster, cluster_name=cluster_row["name"], out=converted)
    header = next(csv.reader(io.StringIO(text, newline="")), [])
    for line, row in rows:
        _check_codes(path, line, row, header, converted)
    return converted


def _check_codes(path: Path, line: int, row: dict[str, str], header: list[str], out: Converted) -> None:
    """A problem for each cell whose code is not in its reference list, placed at its row and column."""
    for column, (file_name, what, fix) in _LISTS.items():
        code = row[column]
        if not code or code.upper() in _codes(file_name):
            continue
        node = f"{CSEID}{'cluster' if row['record'] == 'cluster' else 'organisation'}/{slugify(row['name'])}"
        out.problems.append(
            Result(
                severity="Violation",
                focus=node,
                message=f"row {line}, column {column}: {code} is not {what}; {fix}.",
                path=f"csei:{'country' if column == 'country' else 'nutsRegion'}",
                value=code,
                rule=f"csv-{column.replace('_', '-')}",
                label=row["name"],
                location=Location(str(path), line, header.index(column) + 1),
            )
        )


@cache
def _codes(file_name: str) -> frozenset[str]:
    """The codes (skos:notation) of a reference list shipped with the graph."""
    triples = ox.parse(path=str(resource_dir("reference") / file_name), format=ox.RdfFormat.TRIG)
    return frozenset(t.object.value for t in triples if t.predicate == _NOTATION)


def read_text(path: Path, settings: Settings) -> str:
    """The text of a CSV file, refused with a clear error if it is too large or not UTF-8."""
    try:
        return read_limited(path, settings.max_file_bytes).decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise SourceError(
            path, f"not UTF-8 text (byte {error.start})", hint="save the file as UTF-8"
        ) from None


def _rows(path: Path, text: str) -> Iterator[tuple[int, dict[str, str]]]:
    reader = csv.DictReader(io.StringIO(text, newline=""), strict=True)
    header = reader.fieldnames or []
    missing = [c for c in ("record", "name") if c not in header]
    unknown = [c for c in header if c not in COLUMNS]
    if missing or unknown:
        problem = (
            f"missing column(s) {', '.join(missing)}"
            if missing
            else f"unknown column(s) {', '.join(unknown)}"
        )
        raise SourceError(path, f"{problem} in the header", line=1, hint="start from `csei template`")
    for line, row in csv_rows(path, reader):
        values = {column: (row.get(column) or "").strip() for column in COLUMNS}
        if any(values.values()):
            _check_row(path, line, values)
            yield line, values


def csv_rows(path: Path, reader: "csv.DictReader[str]") -> Iterator[tuple[int, dict[str, str]]]:
    """Each row with the line it starts on; a malformed row raises SourceError with its line."""
    while True:
        line = reader.line_num + 1  # where the next row starts; a quoted cell may span lines
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error as error:
            raise SourceError(path, f"not valid CSV: {error}", line=line, hint="check the quotes") from None
        if None in row:
            raise SourceError(path, "more cells than columns", line=line, hint="quote cells that hold commas")
        yield line, row


def _check_row(path: Path, line: int, values: dict[str, str]) -> None:
    if values["record"] not in ("cluster", "member"):
        raise SourceError(
            path,
            f"record is {values['record']!r}; it must be cluster or member",
            line=line,
            hint="the first column says what the row describes",
        )
    if not slugify(values["name"]):
        raise SourceError(
            path, "the row has no name (in Latin letters)", line=line, hint="fill in the name column"
        )
    if values["iri"]:
        _check_iri(path, line, values)


def _check_iri(path: Path, line: int, values: dict[str, str]) -> None:
    if values["record"] != "member":
        raise SourceError(
            path,
            "the iri column is for member rows only",
            line=line,
            hint="empty the iri cell of the cluster row",
        )
    if CANDIDATE_SEPARATOR.strip() in values["iri"]:
        raise SourceError(
            path,
            f"the iri cell lists several candidates for {values['name']!r}: {values['iri']}",
            line=line,
            hint="keep the one IRI that is this member, or empty the cell to add it as a new organisation",
        )
    if not _IRI.fullmatch(values["iri"]):
        raise SourceError(
            path,
            f"the iri cell holds {values['iri']!r}, which is not an IRI",
            line=line,
            hint="give the organisation's IRI (https://w3id.org/csei/id/organisation/...), or empty the cell",
        )


def _cluster(path: Path, line: int, row: dict[str, str], out: Converted) -> ox.NamedNode:
    node = ox.NamedNode(f"{CSEID}cluster/{slugify(row['name'])}")
    kinds = CLUSTER_KINDS.get(row["kind"] or "CSEI", (row["kind"],))
    for kind in kinds:
        _add(out, node, _RDF_TYPE, ox.NamedNode(f"{CSEI}{_iri_part(kind)}"))
    _describe(node, row, out)
    _add_optional(out, node, f"{CSEI}nutsRegion", row["nuts_region"], _nuts)
    _add_optional(out, node, f"{SCHEMA}foundingDate", row["founded"], _date)
    out.locations[node.value] = Location(str(path), line, 1)
    return node


def _member(
    path: Path, line: int, row: dict[str, str], *, cluster: ox.NamedNode, cluster_name: str, out: Converted
) -> None:
    if row["iri"]:
        # An organisation the graph already has: the row adds facts about it but keeps its name (a
        # different one would rename it); a fact that contradicts the graph is reported by validation.
        organisation = ox.NamedNode(row["iri"])
        slug = slugify(row["iri"].rstrip("/").rsplit("/", 1)[-1]) or slugify(row["name"])
    else:
        organisation = ox.NamedNode(f"{CSEID}organisation/{slugify(row['name'])}")
        slug = slugify(row["name"])
        _add(out, organisation, _RDF_TYPE, ox.NamedNode(f"{PREFIXES['org']}Organization"))
    _describe(organisation, row, out, named=not row["iri"])
    _add_optional(out, organisation, f"{CSEI}actorKind", row["kind"], _concept("actor-kind"))
    membership = ox.NamedNode(f"{CSEID}membership/{cluster.value.rsplit('/', 1)[1]}-{slug}")
    _add(out, membership, _RDF_TYPE, ox.NamedNode(f"{PREFIXES['org']}Membership"))
    label = f"{row['name']} in {cluster_name}"
    _add(
        out,
        membership,
        ox.NamedNode(f"{PREFIXES['skos']}prefLabel"),
        _text_in(label, row["language"] or "en"),
    )
    _add(out, membership, ox.NamedNode(f"{PREFIXES['org']}organization"), cluster)
    _add(out, membership, ox.NamedNode(f"{PREFIXES['org']}member"), organisation)
    _add(out, membership, ox.NamedNode(f"{PREFIXES['org']}role"), _concept("role")(row["role"] or "member"))
    _add_optional(out, membership, f"{SCHEMA}startDate", row["member_since"], _date)
    _add_optional(out, membership, f"{SCHEMA}endDate", row["member_until"], _date)
    for node in (organisation, membership):
        out.locations.setdefault(node.value, Location(str(path), line, 1))


def _describe(node: ox.NamedNode, row: dict[str, str], out: Converted, *, named: bool = True) -> None:
    language = row["language"] or "en"
    if named:
        _add(out, node, ox.NamedNode(f"{PREFIXES['skos']}prefLabel"), _text_in(row["name"], language))
    _add_optional(out, node, f"{CSEI}country", row["country"], _country)
    _add_optional(out, node, f"{CSEI}place", row["place"], ox.Literal)
    _add_optional(out, node, f"{PREFIXES['foaf']}homepage", row["website"], _web_address)
    if row["description"]:
        _add(out, node, ox.NamedNode(f"{PREFIXES['dct']}description"), _text_in(row["description"], language))


def _add(
    out: Converted, subject: ox.NamedNode, predicate: ox.NamedNode, value: ox.NamedNode | ox.Literal
) -> None:
    out.triples.append(ox.Triple(subject, predicate, value))


def _add_optional(out: Converted, subject: ox.NamedNode, predicate: str, cell: str, convert) -> None:  # type: ignore[no-untyped-def]
    if cell:
        _add(out, subject, ox.NamedNode(predicate), convert(cell))


def _text_in(text: str, language: str) -> ox.Literal:
    # A malformed language tag is kept as plain text: the name check then reports the row.
    try:
        return ox.Literal(text, language=language)
    except ValueError:
        return ox.Literal(text)


def _iri_part(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9_-]", "-", text) or "-"


def _country(code: str) -> ox.NamedNode | ox.Literal:
    # Anything but a three-letter code stays text, which the country check reports with this row.
    if re.fullmatch(r"[A-Za-z]{3}", code):
        return ox.NamedNode(f"{PREFIXES['country']}{code.upper()}")
    return ox.Literal(code)


def _nuts(code: str) -> ox.NamedNode | ox.Literal:
    if re.fullmatch(r"[A-Za-z]{2}[A-Za-z0-9]{0,3}", code):
        return ox.NamedNode(f"http://data.europa.eu/nuts/code/{code.upper()}")
    return ox.Literal(code)


def _web_address(address: str) -> ox.NamedNode | ox.Literal:
    if re.fullmatch(r"https?://\S+", address):
        try:
            return ox.NamedNode(address)
        except ValueError:
            pass
    return ox.Literal(address)


def _date(text: str) -> ox.Literal:
    for pattern, datatype in _DATE_FORMS:
        if re.fullmatch(pattern, text):
            return ox.Literal(text, datatype=ox.NamedNode(f"{_XSD}{datatype}"))
    return ox.Literal(text)


def _concept(scheme: str):  # type: ignore[no-untyped-def]
    def convert(code: str) -> ox.NamedNode:
        return ox.NamedNode(f"{CSEID}concept/{scheme}/{slugify(code) or '-'}")

    return convert
