"""The facts of the source documents (besides the table of CSEI examples), the concept schemes and the
rows of the compiled fact tables: each is in the graph, in a named graph that says where it comes from.

A stated graph holds only what its document writes; what the maintainers derived is in an inferred graph
and what the compiled tables give is in a secondary graph, each fact with the page of its row.
"""

import re
from collections import Counter
from decimal import Decimal
from pathlib import Path

import pyoxigraph as ox
import pytest
from rdflib import Dataset, Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCTERMS, FOAF, ORG, PROV, RDF, RDFS, SKOS
from rdflib.term import Node

from csei_graph.namespaces import COUNTRY, CSEI, CSEID, CSEIG, SCHEMA
from csei_graph.sources import Source, builtin_sources, parse, resource_dir

# A plain namespace: rdflib's own XSD warns whenever pytest looks over this module's names.
XSD = Namespace("http://www.w3.org/2001/XMLSchema#")

STATED = CSEID["concept/provenance-kind/stated"]
INFERRED = CSEID["concept/provenance-kind/inferred"]
SECONDARY = CSEID["concept/provenance-kind/secondary"]
PROVENANCE_KINDS = {STATED, INFERRED, SECONDARY}
SECONDARY_SOURCE_NOTE = Literal("secondary source, compiled in the project's research notes", lang="en")
SEED_SOURCES = {CSEID["source/unimos-talk-2024"], CSEID["source/geces-csei-page"]}

# The IRI policy of docs/model.md.
KINDS = (
    "cluster|organisation|person|programme|action|partnership|project|platform|membership|statistic|"
    "definition|event|work|source|award"
)
SLUG = r"[a-z0-9]+(?:-[a-z0-9]+)*"
RESOURCE_IRI = re.compile(rf"https://w3id\.org/csei/id/(?:(?:{KINDS})/{SLUG}|concept/{SLUG}(?:/{SLUG})?)")

# Every figure of the seeds, and the compiled tables' figures on the same subjects:
# (statistic slug, value, unit, graph).
FIGURES = [
    ("clusters-in-the-eu-2020", "3000", "count", "unimos-talk-2024"),
    ("cluster-members-employment-eu", "50000000", "person", "unimos-talk-2024"),
    ("cluster-jobs-europe", "61800000", "job", "unimos-talk-2024"),
    ("cluster-share-of-total-employment-europe", "23.4", "percent", "unimos-talk-2024"),
    ("cluster-share-of-jobs-in-exporting-industries-europe", "50.3", "percent", "unimos-talk-2024"),
    ("katarzyna-rull-quesada-clustering-experience-2024", "20", "year", "unimos-talk-2024"),
    ("ecei-project-partners", "13", "count", "unimos-talk-2024"),
    ("escp-s3-partnerships", "9", "count", "unimos-talk-2024"),
    ("escp-s3-partners", "57", "count", "unimos-talk-2024"),
    ("escp-s3-countries", "19", "count", "unimos-talk-2024"),
    ("escp-4i-partnerships-2016-2024", "80", "count", "unimos-talk-2024"),
    ("escp-4i-funding-cycles-2016-2024", "4", "count", "unimos-talk-2024"),
    ("escp-4i-clusters-2020-2022", "78", "count", "unimos-talk-2024"),
    ("escp-4i-countries-2020-2022", "20", "count", "unimos-talk-2024"),
    ("escp-4i-targeted-countries", "19", "count", "unimos-talk-2024"),
    ("escp-4x-fourth-generation-partnerships", "15", "count", "unimos-talk-2024"),
    ("escp-4x-fourth-generation-cluster-organisations", "78", "count", "unimos-talk-2024"),
    ("escp-4x-fourth-generation-countries", "23", "count", "unimos-talk-2024"),
    ("escp-4x-fourth-generation-industrial-ecosystems", "9", "count", "unimos-talk-2024"),
    ("euroclusters-first-wave-euroclusters", "30", "count", "unimos-talk-2024"),
    ("euroclusters-first-wave-budget", "42000000", "euro", "unimos-talk-2024"),
    ("euroclusters-first-wave-partners", "171", "count", "unimos-talk-2024"),
    ("euroclusters-first-wave-countries", "23", "count", "unimos-talk-2024"),
    ("euroclusters-first-wave-eu-member-states", "22", "count", "unimos-talk-2024"),
    ("euroclusters-first-wave-industrial-ecosystems", "14", "count", "unimos-talk-2024"),
    ("euroclusters-first-wave-ecosystem-specific", "20", "count", "unimos-talk-2024"),
    ("euroclusters-first-wave-cross-ecosystem", "10", "count", "unimos-talk-2024"),
    ("industrial-ecosystems-eu-industrial-strategy", "14", "count", "unimos-talk-2024"),
    ("scale-up-platforms", "6", "count", "unimos-talk-2024"),
    ("ptce-count-france-2020", "56", "count", "geces-csei-examples"),
    ("euroclusters-first-wave-euroclusters-eccp-website", "30", "count", "notes-eu-cluster-facts"),
    ("euroclusters-first-wave-budget-eccp-website", "42000000", "euro", "notes-eu-cluster-facts"),
    ("euroclusters-first-wave-partners-eccp-website", "171", "count", "notes-eu-cluster-facts"),
    ("euroclusters-first-wave-countries-eccp-website", "23", "count", "notes-eu-cluster-facts"),
    ("euroclusters-first-wave-eu-member-states-eccp-website", "22", "count", "notes-eu-cluster-facts"),
    ("euroclusters-first-wave-industrial-ecosystems-eccp-website", "14", "count", "notes-eu-cluster-facts"),
    ("euroclusters-first-wave-ecosystem-specific-eccp-website", "20", "count", "notes-eu-cluster-facts"),
    ("euroclusters-first-wave-cross-ecosystem-eccp-website", "10", "count", "notes-eu-cluster-facts"),
    ("escp-s3-partnerships-launched", "9", "count", "notes-eu-cluster-facts"),
    ("escp-4x-partnerships-2022", "15", "count", "notes-eu-cluster-facts"),
    ("geces-csei-report-case-study-clusters", "30", "count", "notes-eu-cluster-facts"),
    ("geces-csei-report-member-states", "13", "count", "notes-eu-cluster-facts"),
    ("geces-csei-report-illustrated-cases", "19", "count", "notes-eu-cluster-facts"),
    ("ptce-call-2013-laureates", "23", "count", "notes-eu-cluster-facts"),
    ("ptce-count-france-2021", "56", "count", "notes-eu-cluster-facts"),
    ("socialtech4eu-total-value", "3995887", "euro", "notes-euroclusters"),
    ("bronze-label-benchmarking-indicators", "36", "count", "notes-esca-labels"),
    ("gold-label-fee-new", "8250", "euro", "notes-esca-labels"),
    ("coursive-boutaric-member-structures-2013", "15", "count", "notes-ptce-examples"),
]

# Everyone and everything the two documents name (the table of CSEI examples aside), with the name
# they give and what it is: (IRI path, name, language, type).
NAMED = [
    ("person/katarzyna-rull-quesada", "Katarzyna Rull Quesada", "en", FOAF.Person),
    ("person/alfred-marshall", "Alfred Marshall", "en", FOAF.Person),
    ("person/michael-e-porter", "Michael E. Porter", "en", FOAF.Person),
    ("person/antoni-subira", "Antoni Subirá", "en", FOAF.Person),
    ("person/jon-azua", "Jon Azua", "en", FOAF.Person),
    ("person/esteban-garcia-de-motiloa", "Esteban Garcia de Motiloa", "en", FOAF.Person),
    ("person/reves", "Reves", "en", FOAF.Person),
    ("person/gerd-de-wilde", "Gerd De Wilde", "en", FOAF.Person),
    ("person/giovanni-ginocchini", "Giovanni Ginocchini", "en", FOAF.Person),
    ("person/hugues-sibille", "Hugues Sibille", "en", FOAF.Person),
    ("person/ana-umbelino", "Ana Umbelino", "en", FOAF.Person),
    ("person/antonio-novo", "Antonio Novo", "en", FOAF.Person),
    ("person/peter-czaga", "Peter Czaga", "en", FOAF.Person),
    ("organisation/unimos-foundation", "UNIMOS Foundation", "en", ORG.Organization),
    ("organisation/unimos-alliance", "UNIMOS alliance", "en", ORG.Organization),
    ("organisation/catalan-government", "Catalan Government", "en", ORG.Organization),
    ("organisation/basque-government", "Basque Government", "en", ORG.Organization),
    ("organisation/european-union", "European Union", "en", ORG.Organization),
    ("organisation/european-commission", "European Commission", "en", ORG.Organization),
    ("organisation/dg-enterprise-and-industry", "DG Enterprise and Industry", "en", ORG.Organization),
    ("organisation/dg-grow", "DG GROW", "en", ORG.Organization),
    ("organisation/esca", "European Secretariat for Cluster Analysis", "en", ORG.Organization),
    ("organisation/eucles", "EUCLES", "en", ORG.Organization),
    ("organisation/geces", "GECES", "en", ORG.Organization),
    (
        "organisation/geces-working-group-on-social-economy-clusters",
        "GECES Working group on social economy clusters and other forms of collaboration",
        "en",
        ORG.Organization,
    ),
    ("organisation/labo-de-l-ess", "Labo de l'ESS", "fr", ORG.Organization),
    ("organisation/warsaw-school-of-economics", "Warsaw School of Economics", "en", ORG.Organization),
    ("organisation/european-cluster-alliance", "European Cluster Alliance", "en", ORG.Organization),
    (
        "organisation/eastern-european-food-clusters-network",
        "Eastern European Food Clusters Network",
        "en",
        CSEI.ClusterNetwork,
    ),
    ("organisation/plant-intercluster-network", "Plant InterCluster Network", "en", CSEI.ClusterNetwork),
    ("cluster/agrobiocluster", "AgroBioCluster", "en", CSEI.Cluster),
    ("cluster/financial-services-new-york", "Financial services in New York", "en", CSEI.Cluster),
    ("cluster/silicon-valley", "Silicon Valley", "en", CSEI.Cluster),
    ("cluster/circularium", "Circularium", "en", CSEI.CSEI),
    (
        "cluster/metacsei",
        "Meta Cluster on Social and Ecological Innovation in the Bioeconomy",
        "en",
        CSEI.MetaCluster,
    ),
    ("platform/eccp", "European Cluster Collaboration Platform", "en", CSEI.CollaborationPlatform),
    ("project/scale-up", "SCALE-UP", "en", CSEI.Project),
    ("programme/cosme", "COSME", "en", CSEI.Programme),
    ("programme/horizon-2020", "Horizon 2020", "en", CSEI.Programme),
    ("programme/horizon-europe", "Horizon Europe", "en", CSEI.Programme),
    ("programme/single-market-programme", "Single Market Programme", "en", CSEI.Programme),
    ("action/ecei", "European Cluster Excellence Initiative", "en", CSEI.Action),
    ("action/european-cluster-partnerships", "European Cluster Partnerships", "en", CSEI.Action),
    ("action/innosup", "European Strategic Cluster Partnerships for Innovations", "en", CSEI.Action),
    (
        "action/escp-s3",
        "European Strategic Cluster Partnerships for Smart Specializations",
        "en",
        CSEI.Action,
    ),
    ("action/escp-4i", "European Strategic Cluster Partnerships for Going International", "en", CSEI.Action),
    ("action/escp-4x", "European Strategic Cluster Partnerships for Excellence", "en", CSEI.Action),
    ("action/euroclusters", "Euroclusters", "en", CSEI.Action),
    ("action/clusterxchange", "ClusterXchange", "en", CSEI.Action),
    (
        "work/the-competitive-advantage-of-nations",
        "The Competitive Advantage of Nations",
        "en",
        SCHEMA.CreativeWork,
    ),
    ("work/reves-2018", "Reves (2018)", "en", SCHEMA.CreativeWork),
    (
        "work/geces-csei-report",
        "Report of the GECES Working Group on Clusters of Social and Ecological Innovation",
        "en",
        SCHEMA.CreativeWork,
    ),
    (
        "event/unimos-csei-talk-2024",
        'Talk "Clusters of Social and Ecological Innovation (CSEI)" (4 June 2024)',
        "en",
        SCHEMA.Event,
    ),
    ("event/european-social-economy-summit-mannheim", "European Social Economy Summit", "en", SCHEMA.Event),
    ("event/csei-workshop-euses-mannheim", "CSEI @EUSES Mannheim", "en", SCHEMA.Event),
]

# The schemes stated by a document or by the compiled tables: (scheme, number of concepts, graph of
# its declaration).
SCHEMES = [
    ("innovation-type", 10, "unimos-talk-2024"),
    ("csei-aim", 13, "unimos-talk-2024"),
    ("cluster-activity", 9, "unimos-talk-2024"),
    ("agglomeration-factor", 5, "unimos-talk-2024"),
    ("label-level", 3, "unimos-talk-2024"),
    ("label-criteria-area", 5, "unimos-talk-2024"),
    ("transition", 2, "unimos-talk-2024"),
    ("sustainability-dimension", 6, "unimos-talk-2024"),
    ("actor-kind", 5, "geces-csei-page"),
    ("activity-field", 8, "geces-csei-page"),
    ("thematic-area", 7, "geces-csei-page"),
    ("industrial-ecosystem", 14, "notes-industrial-ecosystems"),
    ("role", 18, "project-vocabularies"),
    ("activity-status", 3, "project-vocabularies"),
    ("data-gap", 3, "project-vocabularies"),
    ("unit", 9, "project-vocabularies"),
    ("provenance-kind", 4, "project-vocabularies"),
    ("defined-term", 14, "project-vocabularies"),
]

# Facts only the compiled tables give: (subject, predicate, object, secondary graph). None of them may be
# in a stated graph.
NOTES_ONLY_FACTS = [
    (
        CSEID["partnership/socialtech4eu"],
        DCTERMS.identifier,
        Literal("101074518"),
        "notes-euroclusters",
    ),
    (
        CSEID["organisation/esca"],
        CSEI.place,
        Literal("Berlin"),
        "notes-eu-cluster-facts",
    ),
    (
        CSEID["organisation/eucles"],
        SKOS.altLabel,
        Literal("European Clusters Labelling Excellence Structure", lang="en"),
        "notes-eu-cluster-facts",
    ),
    (CSEID["action/escp-4x"], CSEI.fundedBy, CSEID["programme/cosme"], "notes-eu-cluster-facts"),
    (CSEID["action/innosup"], CSEI.fundedBy, CSEID["programme/horizon-2020"], "notes-eu-cluster-facts"),
    (
        CSEID["concept/industrial-ecosystem/proximity-social-economy"],
        SKOS.prefLabel,
        Literal("Proximity, social economy and civil society", lang="en"),
        "notes-industrial-ecosystems",
    ),
    (
        CSEID["concept/label-level/gold"],
        SKOS.altLabel,
        Literal("Cluster Management Excellence Label GOLD", lang="en"),
        "notes-esca-labels",
    ),
    (CSEID["cluster/pole-sud"], CSEI.country, COUNTRY.FRA, "notes-ptce-examples"),
    (CSEID["cluster/coursive-boutaric"], CSEI.country, COUNTRY.FRA, "notes-ptce-examples"),
]


def _data_sources() -> list[Source]:
    data_dir = resource_dir("data")
    return [source for source in builtin_sources() if data_dir in source.path.parents]


DATA_SOURCES = _data_sources()
each_data_file = pytest.mark.parametrize("source", DATA_SOURCES, ids=[s.path.name for s in DATA_SOURCES])


def _named_graphs(source: Source) -> set[URIRef]:
    return {
        URIRef(quad.graph_name.value) for quad in parse(source) if isinstance(quad.graph_name, ox.NamedNode)
    }


def _data_graphs() -> list[URIRef]:
    return sorted({graph for source in DATA_SOURCES for graph in _named_graphs(source)})


DATA_GRAPHS = _data_graphs()
each_data_graph = pytest.mark.parametrize(
    "graph", DATA_GRAPHS, ids=[str(g).rsplit("/", 1)[-1] for g in DATA_GRAPHS]
)


def _graphs_of_kind(dataset: Dataset, kind: URIRef) -> list[URIRef]:
    return [g for g in DATA_GRAPHS if (g, CSEI.provenanceKind, kind) in dataset.default_graph]


def _secondary_sources(union_graph: Graph) -> set[Node]:
    return set(union_graph.subjects(SKOS.note, SECONDARY_SOURCE_NOTE))


# --- every data file: one named graph, described with its provenance ---


@each_data_file
def test_a_data_file_holds_one_named_graph_and_its_description(source: Source) -> None:
    quads = parse(source)
    graphs = _named_graphs(source)
    assert len(graphs) == 1, f"{source.path.name} holds {len(graphs)} named graphs"
    # The default-graph part describes that graph and nothing else.
    described = {URIRef(q.subject.value) for q in quads if isinstance(q.graph_name, ox.DefaultGraph)}
    assert described == graphs


@each_data_graph
def test_a_data_graph_declares_its_provenance(graph: URIRef, dataset: Dataset) -> None:
    description = dataset.default_graph
    assert (graph, RDF.type, PROV.Entity) in description
    assert set(description.objects(graph, RDFS.label)), "no rdfs:label"
    kinds = set(description.objects(graph, CSEI.provenanceKind))
    assert len(kinds) == 1
    assert kinds <= PROVENANCE_KINDS
    origins = set(description.objects(graph, PROV.wasDerivedFrom)) | set(
        description.objects(graph, PROV.wasAttributedTo)
    )
    assert origins, "neither prov:wasDerivedFrom nor prov:wasAttributedTo"


def test_inferred_and_secondary_graphs_say_how_and_from_what(dataset: Dataset) -> None:
    description = dataset.default_graph
    for graph in _graphs_of_kind(dataset, INFERRED) + _graphs_of_kind(dataset, SECONDARY):
        assert set(description.objects(graph, PROV.wasDerivedFrom)), graph
        assert set(description.objects(graph, DCTERMS.description)), graph


# --- the figures ---


def _provenance_kind(dataset: Dataset, graph: URIRef) -> Node | None:
    return dataset.default_graph.value(graph, CSEI.provenanceKind)


@pytest.mark.parametrize(("slug", "value", "unit", "graph"), FIGURES, ids=[f[0] for f in FIGURES])
def test_figure(slug: str, value: str, unit: str, graph: str, dataset: Dataset) -> None:
    statistic, named_graph = CSEID[f"statistic/{slug}"], dataset.graph(CSEIG[graph])
    assert (statistic, RDF.type, CSEI.Statistic) in named_graph
    values = [Decimal(str(v)) for v in named_graph.objects(statistic, CSEI.value)]
    assert values == [Decimal(value)]
    assert set(named_graph.objects(statistic, CSEI.unit)) == {CSEID[f"concept/unit/{unit}"]}
    assert set(named_graph.objects(statistic, DCTERMS.source)), "no dct:source"
    assert _provenance_kind(dataset, CSEIG[graph]) in PROVENANCE_KINDS


def test_every_statistic_has_a_decimal_value_a_unit_a_measure_and_a_source(union_graph: Graph) -> None:
    units = set(union_graph.subjects(SKOS.inScheme, CSEID["concept/unit"]))
    for statistic in union_graph.subjects(RDF.type, CSEI.Statistic):
        values = list(union_graph.objects(statistic, CSEI.value))
        assert len(values) == 1, statistic
        assert isinstance(values[0], Literal), statistic
        assert values[0].datatype == XSD.decimal, statistic
        assert set(union_graph.objects(statistic, CSEI.unit)) <= units, statistic
        assert len(set(union_graph.objects(statistic, CSEI.unit))) == 1, statistic
        assert union_graph.value(statistic, CSEI.measure) is not None, statistic
        assert union_graph.value(statistic, DCTERMS.source) is not None, statistic


# --- the people, organisations and other things the documents name ---


@pytest.mark.parametrize(("path", "name", "language", "kind"), NAMED, ids=[n[0] for n in NAMED])
def test_named_in_the_documents(
    path: str, name: str, language: str, kind: URIRef, union_graph: Graph
) -> None:
    resource = CSEID[path]
    assert Literal(name, lang=language) in set(union_graph.objects(resource, SKOS.prefLabel))
    assert kind in set(union_graph.objects(resource, RDF.type))


def test_no_link_leads_nowhere(union_graph: Graph) -> None:
    # A resource linked to from anywhere is described somewhere, with a type and a name.
    linked = {o for o in union_graph.objects() if isinstance(o, URIRef) and o.startswith(str(CSEID))}
    nameless = {o for o in linked if union_graph.value(o, SKOS.prefLabel) is None}
    untyped = {o for o in linked if union_graph.value(o, RDF.type) is None}
    assert not nameless, sorted(nameless)
    assert not untyped, sorted(untyped)


# --- the rules every data file keeps ---


def test_every_resource_iri_follows_the_iri_policy(dataset: Dataset) -> None:
    iris = {t for quad in dataset.quads() for t in quad[:3] if isinstance(t, URIRef)}
    ours = {iri for iri in iris if iri.startswith(str(CSEID))}
    assert ours
    assert not {iri for iri in ours if not RESOURCE_IRI.fullmatch(iri)}


def test_every_resource_has_one_name_per_language_and_a_type(union_graph: Graph) -> None:
    resources = {s for s in union_graph.subjects() if isinstance(s, URIRef) and s.startswith(str(CSEID))}
    for resource in resources:
        languages = Counter(label.language for label in union_graph.objects(resource, SKOS.prefLabel))
        assert languages, f"{resource} has no skos:prefLabel"
        assert max(languages.values()) == 1, f"{resource} has two names in one language: {languages}"
        assert union_graph.value(resource, RDF.type) is not None, f"{resource} has no rdf:type"


@pytest.mark.parametrize(("scheme", "size", "graph"), SCHEMES, ids=[s[0] for s in SCHEMES])
def test_concept_scheme(scheme: str, size: int, graph: str, dataset: Dataset, union_graph: Graph) -> None:
    iri = CSEID[f"concept/{scheme}"]
    declaration = dataset.graph(CSEIG[graph])
    assert (iri, RDF.type, SKOS.ConceptScheme) in declaration
    for predicate in (SKOS.prefLabel, DCTERMS.title, SKOS.definition):
        assert declaration.value(iri, predicate) is not None, predicate
    concepts = set(union_graph.subjects(SKOS.inScheme, iri))
    assert len(concepts) == size
    assert all(c.startswith(f"{iri}/") for c in concepts)


def test_every_concept_has_an_english_name_and_a_place_in_its_scheme(union_graph: Graph) -> None:
    ours = {c for c in union_graph.subjects(RDF.type, SKOS.Concept) if c.startswith(str(CSEID))}
    for concept in ours:
        languages = {label.language for label in union_graph.objects(concept, SKOS.prefLabel)}
        assert "en" in languages, concept
        assert union_graph.value(concept, SKOS.inScheme) is not None, concept
        placed = union_graph.value(concept, SKOS.topConceptOf) or union_graph.value(concept, SKOS.broader)
        assert placed is not None, concept


# --- provenance: stated, inferred and secondary facts stay apart ---


def test_no_stated_graph_cites_a_compiled_table(dataset: Dataset, union_graph: Graph) -> None:
    secondary_sources = _secondary_sources(union_graph)
    assert secondary_sources
    for graph in _graphs_of_kind(dataset, STATED):
        cited = set(dataset.graph(graph).objects()) & secondary_sources
        assert not cited, f"{graph} cites {sorted(cited)}"


@pytest.mark.parametrize(("subject", "predicate", "obj", "graph"), NOTES_ONLY_FACTS)
def test_a_compiled_fact_is_in_its_secondary_graph_only(
    subject: URIRef, predicate: URIRef, obj: Node, graph: str, dataset: Dataset
) -> None:
    assert (subject, predicate, obj) in dataset.graph(CSEIG[graph])
    for stated in _graphs_of_kind(dataset, STATED):
        assert (subject, predicate, obj) not in dataset.graph(stated), stated


def test_each_fact_of_a_several_source_table_names_its_page(dataset: Dataset) -> None:
    for graph in _graphs_of_kind(dataset, SECONDARY):
        if len(set(dataset.default_graph.objects(graph, PROV.wasDerivedFrom))) < 2:
            continue  # the graph's one source is the source of each of its facts
        facts = dataset.graph(graph)
        unsourced = {s for s in facts.subjects() if facts.value(s, DCTERMS.source) is None}
        assert not unsourced, f"{graph}: {sorted(unsourced)}"


def test_every_inferred_fact_says_what_it_was_derived_from(dataset: Dataset) -> None:
    inferred = dataset.graph(CSEIG["inferred-seed-facts"])
    subjects = set(inferred.subjects())
    assert subjects
    assert not {s for s in subjects if inferred.value(s, SKOS.note) is None}


def test_the_workshop_year_is_inferred_not_stated(dataset: Dataset) -> None:
    # The page gives the day, 27/5, and no year: the date belongs to the inferred graph only.
    fact = (
        CSEID["event/csei-workshop-euses-mannheim"],
        SCHEMA.startDate,
        Literal("2021-05-27", datatype=XSD.date),
    )
    assert fact in dataset.graph(CSEIG["inferred-seed-facts"])
    assert fact not in dataset.graph(CSEIG["geces-csei-page"])


# --- definitions quoted from the documents ---


def _normalised(text: str) -> str:
    # The converted documents mark emphasis with * and headings with #; the words are what counts.
    return " ".join(re.sub(r"[*#]", "", text).split())


def _seed_texts(union_graph: Graph, seeds_dir: Path) -> dict[Node, str]:
    return {
        source: _normalised(
            (seeds_dir / str(union_graph.value(source, DCTERMS.identifier))).read_text("utf-8")
        )
        for source in SEED_SOURCES
    }


def test_definitions_are_verbatim(union_graph: Graph, seeds_dir: Path) -> None:
    texts = _seed_texts(union_graph, seeds_dir)
    checked = 0
    for definition in union_graph.subjects(RDF.type, CSEI.Definition):
        sources = set(union_graph.objects(definition, DCTERMS.source)) & SEED_SOURCES
        # A definition the slides give in parts is joined from them, as its editorial note says.
        if not sources or union_graph.value(definition, SKOS.editorialNote) is not None:
            continue
        wording = _normalised(str(union_graph.value(definition, CSEI.definitionText)))
        assert any(wording in texts[source] for source in sources), definition
        checked += 1
    assert checked >= 10
