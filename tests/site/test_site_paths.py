"""The IRI policy in code: which IRIs get documents, where, and that no path leaves the site."""

import pytest

from csei_graph.pages import paths

BASE = "https://w3id.org/csei/"


@pytest.mark.parametrize(
    ("iri", "stem"),
    [
        (f"{BASE}id/cluster/coursive-boutaric", "doc/cluster/coursive-boutaric"),
        (f"{BASE}id/concept/innovation-type", "doc/concept/innovation-type"),
        (f"{BASE}id/concept/innovation-type/social", "doc/concept/innovation-type/social"),
        (f"{BASE}graph/geces-csei-examples", "graph/geces-csei-examples"),
        (f"{BASE}ontology", "ontology"),
        (f"{BASE}ontology#Cluster", "ontology/Cluster"),
    ],
)
def test_resources_under_the_base_have_a_stem_that_maps_back(iri: str, stem: str) -> None:
    assert paths.document_stem(iri, BASE) == stem
    assert paths.iri_for_stem(stem, BASE) == iri


@pytest.mark.parametrize(
    "iri",
    [
        "http://publications.europa.eu/resource/authority/country/FRA",
        "https://w3id.org/csei-other/id/cluster/x",
        f"{BASE}id/../../etc/passwd",
        f"{BASE}id/cluster/..",
        f"{BASE}id/cluster/.hidden",
        f"{BASE}id/cluster/%2e%2e",
        f"{BASE}id/cluster/a\nb",
        f"{BASE}id/cluster/a\x00b",
        f"{BASE}id/cluster//double",
        f"{BASE}id/cluster/",
        f"{BASE}id//etc/passwd",
        f"{BASE}id/cluster/a b",
        f"{BASE}id/cluster/x?y=1",
        f"{BASE}id/cluster/x.html",
        f"{BASE}id/cluster/\u00e9t\u00e9",
        f"{BASE}id/cluster/a\\b",
        f"{BASE}id/cluster/" + "a" * (paths.MAX_SEGMENT + 1),
        f"{BASE}ontology#../x",
        f"{BASE}shapes#ClusterShape",
        f"{BASE}elsewhere/x",
    ],
)
def test_unsafe_or_foreign_iris_get_no_documents(iri: str) -> None:
    assert paths.document_stem(iri, BASE) is None


@pytest.mark.parametrize(
    "stem", ["doc/../x", "doc/.x", "doc//x", "/etc/passwd", "doc/a\x00", "ontology/../../x", "static/site"]
)
def test_stems_that_are_not_documents_map_to_no_iri(stem: str) -> None:
    assert paths.iri_for_stem(stem, BASE) is None


@pytest.mark.parametrize(
    ("path", "safe"),
    [
        ("doc/cluster/x.html", True),
        ("index.html", True),
        ("../x.html", False),
        ("doc/../../x.html", False),
        ("/abs.html", False),
        ("doc\\x.html", False),
        (".htaccess", False),
        ("doc/\x1b.html", False),
        ("", False),
    ],
)
def test_site_paths_stay_inside_the_site(path: str, safe: bool) -> None:
    assert paths.is_safe_path(path) is safe


def test_links_between_pages_are_relative() -> None:
    assert paths.relative_url("doc/organisation/x.html", "doc/cluster/y.html") == "../organisation/x.html"
    assert paths.relative_url("index.html", "doc/cluster/y.html") == "../../index.html"
    assert paths.relative_url("shapes.html#ClusterShape", "index.html") == "shapes.html#ClusterShape"
    assert paths.relative_url("doc/cluster/y.html", "doc/cluster/y.html") == "y.html"


def test_shapes_are_linked_to_their_section_of_the_shapes_page() -> None:
    assert paths.page_path(f"{BASE}shapes#ClusterShape", BASE) == "shapes.html#ClusterShape"
    assert paths.page_path("https://example.org/x", BASE) is None


def test_names_of_foreign_iris_are_file_safe() -> None:
    assert paths.name_segment("http://publications.europa.eu/resource/authority/country/FRA") == "FRA"
    hashed = paths.name_segment("http://example.org/a b/../c d")
    assert paths.SAFE_SEGMENT.fullmatch(hashed)
    assert hashed != paths.name_segment("http://example.org/a b/../c e")
