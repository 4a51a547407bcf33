"""The CSV template for people who do not write RDF, and its conversion."""

import csv
import io
import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from csei_graph.cli import main
from csei_graph.settings import Settings
from csei_graph.sources import SourceError
from csei_graph.validation import template, validate_graph
from csei_graph.validation.csvimport import COLUMNS, read_csv, slugify

DOCS = Path(__file__).resolve().parents[2] / "docs" / "commands.md"
CLUSTER = "https://w3id.org/csei/id/cluster/"


def _write(tmp_path: Path, text: str, name: str = "cluster.csv") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_the_template_has_every_column_and_validates(tmp_path: Path) -> None:
    rows = list(csv.DictReader(io.StringIO(template())))
    assert list(rows[0]) == list(COLUMNS)
    assert [row["record"] for row in rows] == ["cluster", "member", "member"]
    report = validate_graph([_write(tmp_path, template())])
    assert report.results == [], [r.message for r in report.results]


def test_every_column_is_documented() -> None:
    section = DOCS.read_text(encoding="utf-8").split("## csei template\n", 1)[1].split("\n## ", 1)[0]
    assert re.findall(r"^\| `([a-z_]+)` \|", section, re.MULTILINE) == list(COLUMNS)


def test_rows_become_a_cluster_its_members_and_their_memberships(tmp_path: Path) -> None:
    converted = read_csv(_write(tmp_path, template()))
    subjects = {t.subject.value for t in converted.triples}
    assert {
        f"{CLUSTER}green-valley-cooperation-cluster",
        "https://w3id.org/csei/id/organisation/valley-food-cooperative",
        "https://w3id.org/csei/id/organisation/city-of-dijon",
        "https://w3id.org/csei/id/membership/green-valley-cooperation-cluster-city-of-dijon",
    } <= subjects
    founded = next(
        t.object for t in converted.triples if t.predicate.value == "http://schema.org/foundingDate"
    )
    assert (founded.value, founded.datatype.value) == ("2015", "http://www.w3.org/2001/XMLSchema#gYear")
    assert str(converted.locations["https://w3id.org/csei/id/organisation/city-of-dijon"]).endswith(
        "cluster.csv:4:1"
    )


def test_names_become_slugs_as_the_iri_policy_asks() -> None:
    assert slugify("Pôle Sud – Łomża's Cluster") == "pole-sud-omza-s-cluster"
    assert slugify("  Green   Valley ") == "green-valley"


@pytest.mark.parametrize(
    ("text", "line", "message"),
    [
        ("name,kind\nA Cluster,CSEI\n", 1, "missing column(s) record in the header"),
        ("record,name\nmember,Only A Member\n", None, "the file has 0 cluster rows"),
        ("record,name\ncluster,A\ncluster,B\n", 3, "the file has 2 cluster rows"),
        ("record,name\ncluster,A\nsponsor,B\n", 3, "record is 'sponsor'"),
        ("record,name\ncluster,\n", 2, "the row has no name"),
        ("record,name\ncluster,A,extra\n", 2, "more cells than columns"),
        ('record,name\ncluster,"unclosed\n', 2, "not valid CSV"),
    ],
)
def test_a_file_that_is_not_the_template_is_refused_with_its_line(
    tmp_path: Path, text: str, line: int | None, message: str
) -> None:
    with pytest.raises(SourceError, match=re.escape(message)) as caught:
        read_csv(_write(tmp_path, text))
    assert caught.value.line == line


def test_a_file_that_is_not_utf8_or_too_large_is_refused(tmp_path: Path) -> None:
    latin = tmp_path / "latin.csv"
    latin.write_bytes("record,name\ncluster,Pôle\n".encode("latin-1"))
    with pytest.raises(SourceError, match="not UTF-8"):
        read_csv(latin)
    with pytest.raises(SourceError, match="over the limit of 10"):
        read_csv(_write(tmp_path, template()), Settings(max_file_bytes=10))


def test_a_value_that_does_not_fit_is_reported_by_the_shapes_on_its_row(tmp_path: Path) -> None:
    text = (
        "record,name,kind,country,founded,website\ncluster,Odd Cluster,CSEI,FRA,last year,odd.example.org\n"
    )
    report = validate_graph([_write(tmp_path, text)])
    by_rule = {r.rule: r for r in report.violations}
    assert set(by_rule) == {"cseish:foundingDate", "cseish:homepage"}
    assert all(str(r.location).endswith("cluster.csv:2:1") for r in report.violations)


def test_csei_template_prints_or_writes_the_template(tmp_path: Path) -> None:
    printed = CliRunner().invoke(main, ["template"])
    assert printed.exit_code == 0 and printed.stdout == template()
    target = tmp_path / "mine.csv"
    written = CliRunner().invoke(main, ["template", "--output", str(target)])
    assert written.exit_code == 0 and target.read_text(encoding="utf-8") == template()
    again = CliRunner().invoke(main, ["template", "-o", str(target)])
    assert again.exit_code == 2 and "exists" in again.output


EXISTING = "https://w3id.org/csei/id/organisation/groupe-archer"
MEMBERS_WITH_IRIS = f"""record,name,kind,country,role,iri
cluster,Archer Valley Cluster,CSEI,FRA,,
member,Groupe Archer (Romans),social-economy-entity,FRA,founder,{EXISTING}
member,Valley Food Cooperative,mainstream-enterprise,FRA,member,
"""


def test_a_member_with_an_iri_reuses_the_existing_organisation(tmp_path: Path) -> None:
    converted = read_csv(_write(tmp_path, MEMBERS_WITH_IRIS))
    about_existing = {
        (t.predicate.value, t.object.value) for t in converted.triples if t.subject.value == EXISTING
    }
    # Its facts are added, its name is not: another name would rename it.
    assert about_existing == {
        (
            "https://w3id.org/csei/ontology#actorKind",
            "https://w3id.org/csei/id/concept/actor-kind/social-economy-entity",
        ),
        (
            "https://w3id.org/csei/ontology#country",
            "http://publications.europa.eu/resource/authority/country/FRA",
        ),
    }
    membership = "https://w3id.org/csei/id/membership/archer-valley-cluster-groupe-archer"
    members = {
        t.object.value for t in converted.triples if t.predicate.value == "http://www.w3.org/ns/org#member"
    }
    assert members == {EXISTING, "https://w3id.org/csei/id/organisation/valley-food-cooperative"}
    assert any(t.subject.value == membership for t in converted.triples)
    assert not any("organisation/groupe-archer-romans" in t.subject.value for t in converted.triples)
    report = validate_graph([_write(tmp_path, MEMBERS_WITH_IRIS)])
    assert report.violations == [], [r.message for r in report.violations]


@pytest.mark.parametrize(
    ("cell", "message"),
    [
        (f"{EXISTING} | https://w3id.org/csei/id/organisation/labo-de-l-ess", "lists several candidates"),
        ("groupe archer", "is not an IRI"),
    ],
)
def test_an_iri_cell_that_is_not_one_iri_is_refused_with_its_line(
    tmp_path: Path, cell: str, message: str
) -> None:
    text = MEMBERS_WITH_IRIS.replace(EXISTING, cell)
    with pytest.raises(SourceError, match=message) as caught:
        read_csv(_write(tmp_path, text))
    assert caught.value.line == 3


def test_an_iri_on_the_cluster_row_is_refused(tmp_path: Path) -> None:
    text = MEMBERS_WITH_IRIS.replace("FRA,,\n", f"FRA,,{EXISTING}\n", 1)
    with pytest.raises(SourceError, match="for member rows only") as caught:
        read_csv(_write(tmp_path, text))
    assert caught.value.line == 2


def test_an_iri_the_graph_does_not_have_is_reported_on_its_row(tmp_path: Path) -> None:
    text = MEMBERS_WITH_IRIS.replace(EXISTING, "https://w3id.org/csei/id/organisation/nowhere-to-be-found")
    report = validate_graph([_write(tmp_path, text)])
    assert {r.rule for r in report.violations} == {"cseish:Membership-member", "cseish:Resource-described"}
    assert all(str(r.location).endswith("cluster.csv:3:1") for r in report.violations)
