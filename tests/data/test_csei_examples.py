"""Every row of the table "CSEI examples" of the GECES page is in the graph, as transcribed by hand.

The transcription (csei_examples_rows.csv, one line per row, in table order) is checked twice: against
the source document, so that it cannot drift from the table, and against the built-in graph, so that
the graph holds each row, and nothing else, as the transcription reads it.
"""

import csv
from dataclasses import dataclass
from pathlib import Path

import pytest
from rdflib import Dataset, Graph, URIRef
from rdflib.namespace import DCTERMS, PROV, RDF, SKOS

from csei_graph.namespaces import COUNTRY, CSEI, CSEID, CSEIG

ROWS_CSV = Path(__file__).with_name("csei_examples_rows.csv")
SEED_FILE = "002_2a37eb5cdbbde63d.txt"
# The table runs from its header line to the next heading of the page.
TABLE_HEADER = "ClusterCountryECCP registeredWebsite link"
TABLE_END = "Thematic approaches"
# Counted by hand in the source: the row of the 56 PTCE in France, then 60 clusters.
ROW_COUNT = 61
ECCP_ROW_COUNT = 5

STATED = CSEIG["geces-csei-examples"]
INFERRED = CSEIG["inferred-csei-examples"]
COUNTRIES = CSEIG["eu-country-authority"]
SOURCE = CSEID["source/geces-csei-page"]
ECCP = CSEID["platform/eccp"]
ACTIVITY_UNKNOWN = CSEID["concept/activity-status/unknown"]
COUNTRY_NOT_STATED = CSEID["concept/data-gap/country-not-stated"]
WEBSITE_NOT_STATED = CSEID["concept/data-gap/website-not-stated"]
PROVENANCE_KIND = CSEID["concept/provenance-kind/"]
CLUSTER_TYPES = {CSEI.Cluster, CSEI.CSEI, CSEI.PTCE}
STATISTIC_PREFIX = "statistic:"
YES_NO = {"yes": True, "no": False}


@dataclass(frozen=True)
class Row:
    """One row of the table as transcribed."""

    name: str
    slug: str
    country: str
    country_provenance: str
    eccp: bool
    ptce: bool
    activity_unknown: bool
    place: str
    raw_text: str

    @property
    def is_statistic(self) -> bool:
        return self.slug.startswith(STATISTIC_PREFIX)

    @property
    def iri(self) -> URIRef:
        if self.is_statistic:
            return CSEID[f"statistic/{self.slug.removeprefix(STATISTIC_PREFIX)}"]
        return CSEID[f"cluster/{self.slug}"]

    @property
    def lines(self) -> list[str]:
        """The lines of the source the row is spread over."""
        return self.raw_text.split(" | ")


def _row(record: dict[str, str]) -> Row:
    flags = {key: YES_NO[record[key]] for key in ("eccp", "ptce", "activity_unknown")}
    return Row(**{**record, **flags})


def _read_rows() -> list[Row]:
    with ROWS_CSV.open(encoding="utf-8", newline="") as file:
        return [_row(record) for record in csv.DictReader(file)]


ROWS = _read_rows()
CLUSTER_ROWS = [row for row in ROWS if not row.is_statistic]
each_row = pytest.mark.parametrize("row", ROWS, ids=[row.slug for row in ROWS])
each_cluster = pytest.mark.parametrize("row", CLUSTER_ROWS, ids=[row.slug for row in CLUSTER_ROWS])


@pytest.fixture(scope="module")
def table_lines(seeds_dir: Path) -> list[str]:
    """The non-blank lines of the table in the source document, header excluded."""
    lines = (seeds_dir / SEED_FILE).read_text(encoding="utf-8").split("\n")
    start, end = lines.index(TABLE_HEADER) + 1, lines.index(TABLE_END)
    return [line for line in lines[start:end] if line.strip()]


@pytest.fixture(scope="module")
def stated(dataset: Dataset) -> Graph:
    return dataset.graph(STATED)


@pytest.fixture(scope="module")
def inferred(dataset: Dataset) -> Graph:
    return dataset.graph(INFERRED)


# --- the transcription against the source document ---


def test_row_count() -> None:
    assert len(ROWS) == ROW_COUNT
    assert len({row.slug for row in ROWS}) == ROW_COUNT, "two rows share a slug"
    assert [row.slug for row in ROWS if row.is_statistic] == ["statistic:ptce-count-france-2020"]


@each_row
def test_raw_text_is_in_the_table(row: Row, table_lines: list[str]) -> None:
    for line in row.lines:
        assert line in table_lines


def test_the_rows_cover_the_table_line_by_line(table_lines: list[str]) -> None:
    # In table order and with no line left out, so that no row of the table can be missed.
    assert [line for row in ROWS for line in row.lines] == table_lines


# --- each row in the graph ---


def _expected_types(row: Row) -> set[URIRef]:
    if row.is_statistic:
        return {CSEI.Statistic}
    return {CSEI.CSEI, CSEI.PTCE} if row.ptce else {CSEI.CSEI}


@each_row
def test_type(row: Row, stated: Graph) -> None:
    assert set(stated.objects(row.iri, RDF.type)) == _expected_types(row)


@each_row
def test_name(row: Row, stated: Graph) -> None:
    assert [str(label) for label in stated.objects(row.iri, SKOS.prefLabel)] == [row.name]


@each_row
def test_country_and_its_provenance(row: Row, stated: Graph, inferred: Graph) -> None:
    # A statistic is of a country; a cluster is in one.
    predicate = CSEI.statisticOf if row.is_statistic else CSEI.country
    found = {
        "stated": set(stated.objects(row.iri, predicate)),
        "inferred": set(inferred.objects(row.iri, predicate)),
    }
    expected: dict[str, set[URIRef]] = {"stated": set(), "inferred": set()}
    if row.country:
        expected[row.country_provenance] = {COUNTRY[row.country]}
    assert found == expected


@each_cluster
def test_data_gaps(row: Row, stated: Graph) -> None:
    # The converted text lost every website link; a country is missing only where none was found.
    expected = {WEBSITE_NOT_STATED} if row.country else {WEBSITE_NOT_STATED, COUNTRY_NOT_STATED}
    assert set(stated.objects(row.iri, CSEI.dataGap)) == expected


@each_row
def test_eccp_registration(row: Row, union_graph: Graph) -> None:
    assert ((row.iri, CSEI.registeredOn, ECCP) in union_graph) == row.eccp


@each_row
def test_activity_status(row: Row, union_graph: Graph) -> None:
    assert ((row.iri, CSEI.activityStatus, ACTIVITY_UNKNOWN) in union_graph) == row.activity_unknown


@each_row
def test_place(row: Row, union_graph: Graph) -> None:
    expected = {row.place} if row.place else set()
    assert {str(place) for place in union_graph.objects(row.iri, CSEI.place)} == expected


@each_row
def test_source(row: Row, stated: Graph) -> None:
    assert (row.iri, DCTERMS.source, SOURCE) in stated


# --- the graphs as a whole ---


def test_exactly_the_yes_rows_are_registered_on_the_eccp(union_graph: Graph) -> None:
    registered = set(union_graph.subjects(CSEI.registeredOn, ECCP))
    assert registered == {row.iri for row in ROWS if row.eccp}
    assert len(registered) == ECCP_ROW_COUNT


def test_no_invented_clusters(stated: Graph) -> None:
    clusters = {s for t in CLUSTER_TYPES for s in stated.subjects(RDF.type, t)}
    assert clusters == {row.iri for row in CLUSTER_ROWS}
    assert set(stated.subjects(RDF.type, None)) == {row.iri for row in ROWS}


def test_inferred_graph_only_adds_countries_with_their_reason(inferred: Graph) -> None:
    # Every inferred country says which word of the row it comes from.
    inferred_rows = {row.iri for row in ROWS if row.country_provenance == "inferred"}
    assert set(inferred.subjects(CSEI.country, None)) == inferred_rows
    assert set(inferred.subjects(SKOS.note, None)) == inferred_rows
    assert set(inferred.predicates()) == {CSEI.country, SKOS.note}


@pytest.mark.parametrize(("graph", "kind"), [(STATED, "stated"), (INFERRED, "inferred")])
def test_graph_description(graph: URIRef, kind: str, dataset: Dataset) -> None:
    described = dataset.default_graph
    assert (graph, RDF.type, PROV.Entity) in described
    assert (graph, PROV.wasDerivedFrom, SOURCE) in described
    assert (graph, CSEI.provenanceKind, URIRef(f"{PROVENANCE_KIND}{kind}")) in described
    assert described.value(graph, DCTERMS.description) is not None


def test_every_country_has_an_english_label(dataset: Dataset) -> None:
    labels = dataset.graph(COUNTRIES)
    for code in sorted({row.country for row in ROWS if row.country}):
        english = [label for label in labels.objects(COUNTRY[code], SKOS.prefLabel) if label.language == "en"]
        assert len(english) == 1, code
