"""The dataset's description for harvesters: a DCAT-AP 3 catalogue, VoID, and schema.org Dataset JSON-LD.

Every value taken from a controlled vocabulary (file types, licence, language, themes, countries)
is an IRI of the EU Publications Office authority tables or IANA, typed and placed in its scheme
so that the catalogue conforms to the DCAT-AP 3.0.1 shapes, the controlled-vocabulary ones included.
"""

import datetime
import importlib.metadata
from dataclasses import dataclass

import pyoxigraph as ox
from rdflib import BNode, Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCAT, DCTERMS, FOAF, RDF, RDFS, SKOS, VOID, XSD

from csei_graph import releases
from csei_graph.export import CONTEXT_NAME, DUMP_FORMATS, FORMATS
from csei_graph.namespaces import BASE, CSEI, ONTOLOGY_IRI, PREFIXES
from csei_graph.pages import paths
from csei_graph.settings import Settings
from csei_graph.stores.base import Store
from csei_graph.terms import to_store
from csei_graph.workspace import Workspace

VERSION = importlib.metadata.version("csei-graph")
CATALOGUE_FILE = "catalog.ttl"
VOID_FILE = "void.ttl"
VCARD = Namespace("http://www.w3.org/2006/vcard/ns#")
ADMS = Namespace("http://www.w3.org/ns/adms#")
# Where a published site (and csei serve) offers each release's dumps.
RELEASES_FOLDER = "releases"
AUTHORITY = "http://publications.europa.eu/resource/authority/"
IANA = "https://www.iana.org/assignments/media-types/"
# The authority table's code and English label of each export format.
FILE_TYPES = {
    "turtle": ("RDF_TURTLE", "RDF Turtle"),
    "jsonld": ("JSON_LD", "JSON-LD"),
    "ntriples": ("RDF_N_TRIPLES", "RDF N-Triples"),
    "nquads": ("RDF_N_QUADS", "RDF N-Quads"),
    "trig": ("RDF_TRIG", "RDF TriG"),
    "rdfxml": ("RDF_XML", "RDF/XML"),
}
LICENCE = f"{AUTHORITY}licence/CC_BY_4_0"
LICENCE_PAGE = "https://creativecommons.org/licenses/by/4.0/"
LANGUAGE = (f"{AUTHORITY}language/ENG", "English")
THEMES = (
    (f"{AUTHORITY}data-theme/SOCI", "Population and society"),
    (f"{AUTHORITY}data-theme/ECON", "Economy and finance"),
)
KEYWORDS = (
    "clusters of social and ecological innovation",
    "social economy",
    "social innovation",
    "industrial clusters",
    "linked open data",
)
TITLE = "CSEI graph: Clusters of Social and Ecological Innovation"
DESCRIPTION = (
    "A knowledge graph of Clusters of Social and Ecological Innovation (CSEI): groups of social-economy "
    "entities, mainstream enterprises, civil-society organisations, public authorities and education "
    "and research institutions that cooperate in one place, with the EU programmes, actions and "
    "partnerships around them. Every fact names its source."
)
PUBLISHER = "csei-graph maintainers"
SPARQL_PROTOCOL = "https://www.w3.org/TR/sparql11-protocol/"
COUNTRIES_USED = f"""
SELECT DISTINCT ?c ?label WHERE {{
    ?s <{CSEI.country}> ?c FILTER(isIRI(?c))
    OPTIONAL {{ ?c <{SKOS.prefLabel}> ?label FILTER(langMatches(lang(?label), "en")) }}
}}"""
SAMPLE_CLUSTERS = f"""
SELECT DISTINCT ?x WHERE {{
    ?x a ?t . ?t <{RDFS.subClassOf}>* <{CSEI.Cluster}> FILTER(isIRI(?x))
}} ORDER BY ?x LIMIT 3"""
VOID_COUNTS = {
    "entities": "SELECT (COUNT(DISTINCT ?s) AS ?n) WHERE { ?s ?p ?o FILTER(isIRI(?s)) }",
    "distinctSubjects": "SELECT (COUNT(DISTINCT ?s) AS ?n) WHERE { ?s ?p ?o }",
    "distinctObjects": "SELECT (COUNT(DISTINCT ?o) AS ?n) WHERE { ?s ?p ?o }",
    "properties": "SELECT (COUNT(DISTINCT ?p) AS ?n) WHERE { ?s ?p ?o }",
    "classes": "SELECT (COUNT(DISTINCT ?c) AS ?n) WHERE { ?s a ?c }",
}
CLASS_PARTITIONS = "SELECT ?c (COUNT(DISTINCT ?s) AS ?n) WHERE { ?s a ?c FILTER(isIRI(?c)) } GROUP BY ?c"
PROPERTY_PARTITIONS = """
SELECT ?p (COUNT(*) AS ?n) WHERE { SELECT DISTINCT ?s ?p ?o WHERE { ?s ?p ?o } } GROUP BY ?p"""
DISTINCT_TRIPLES = "SELECT (COUNT(*) AS ?n) WHERE { SELECT DISTINCT ?s ?p ?o WHERE { ?s ?p ?o } }"
GRAPH_SIZE = "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g"
GRAPH_LABEL = "SELECT ?g ?l WHERE { ?g <http://www.w3.org/2000/01/rdf-schema#label> ?l }"


@dataclass(frozen=True)
class DatasetMetadata:
    """The addresses and words that describe the published dataset."""

    title: str
    description: str
    site_url: str
    catalogue_iri: str
    dataset_iri: str
    service_iri: str
    publisher_iri: str
    void_iri: str
    context_iri: str
    ontology_iri: str
    shapes_iri: str
    sparql_url: str
    release_date: str


def dataset_metadata(settings: Settings | None = None) -> DatasetMetadata:
    """The dataset's addresses under the configured base IRI and site address."""
    settings = settings or Settings()
    base = BASE
    site = settings.site_url or base
    site = site if site.endswith("/") else site + "/"
    release = settings.release_date or datetime.datetime.now(datetime.UTC).date().isoformat()
    try:
        datetime.date.fromisoformat(release)
    except ValueError:
        raise ValueError(f"release date {release!r} is not a date: write it as YYYY-MM-DD") from None
    return DatasetMetadata(
        title=TITLE,
        description=DESCRIPTION,
        site_url=site,
        catalogue_iri=f"{base}catalog",
        dataset_iri=f"{base}dataset",
        service_iri=f"{base}service/sparql",
        publisher_iri=f"{base}catalog#publisher",
        void_iri=f"{base}void",
        context_iri=f"{base}{CONTEXT_NAME}",
        ontology_iri=ONTOLOGY_IRI,
        shapes_iri=f"{base}shapes",
        sparql_url=settings.sparql_url or f"{site}sparql",
        release_date=release,
    )


def _count(store: Store, sparql: str) -> int:
    return int(next(iter(store.query(sparql)))["n"].value)  # type: ignore[call-overload]


def _countries(store: Store) -> dict[str, str]:
    """The countries the data locates anything in, with their English names (else their codes)."""
    found: dict[str, str] = {}
    for row in store.query(COUNTRIES_USED):  # type: ignore[union-attr]
        iri = row["c"].value
        if iri.startswith(f"{AUTHORITY}country/"):
            name = row["label"].value if row["label"] is not None else iri.rsplit("/", 1)[-1]
            found[iri] = min(name, found.get(iri, name))
    return dict(sorted(found.items()))


def _new_graph() -> Graph:
    graph = Graph(bind_namespaces="none")
    for prefix, namespace in (*PREFIXES.items(), ("vcard", str(VCARD)), ("adms", str(ADMS))):
        graph.bind(prefix, namespace)
    return graph


def _concept(graph: Graph, iri: str, label: str, scheme: str, kind: URIRef | None = None) -> URIRef:
    """An authority-table value, typed, named and placed in its scheme as the DCAT-AP shapes expect."""
    node = URIRef(iri)
    graph.add((node, RDF.type, SKOS.Concept))
    graph.add((node, SKOS.prefLabel, Literal(label, lang="en")))
    graph.add((node, SKOS.inScheme, URIRef(scheme)))
    if kind is not None:
        graph.add((node, RDF.type, kind))
    return node


def dcat_catalogue(store: Store, settings: Settings | None = None) -> Graph:
    """The DCAT-AP 3 catalogue: the dataset, a distribution per gzip dump, the SPARQL data service."""
    meta = dataset_metadata(settings)
    graph = _new_graph()
    catalogue, dataset, service = (
        URIRef(meta.catalogue_iri),
        URIRef(meta.dataset_iri),
        URIRef(meta.service_iri),
    )
    publisher = URIRef(meta.publisher_iri)
    released = Literal(meta.release_date, datatype=XSD.date)
    licence = URIRef(LICENCE)
    language = _concept(graph, *LANGUAGE, f"{AUTHORITY}language", DCTERMS.LinguisticSystem)
    homepage, contact = _agents(graph, meta, publisher, licence)

    graph.add((catalogue, RDF.type, DCAT.Catalog))
    graph.add((catalogue, DCTERMS.title, Literal(f"Catalogue of the {TITLE}", lang="en")))
    graph.add((catalogue, DCTERMS.description, Literal(meta.description, lang="en")))
    graph.add((catalogue, DCTERMS.publisher, publisher))
    graph.add((catalogue, FOAF.homepage, homepage))
    graph.add((catalogue, DCTERMS.language, language))
    graph.add((catalogue, DCTERMS.license, licence))
    graph.add((catalogue, DCTERMS.issued, released))
    graph.add((catalogue, DCTERMS.modified, released))
    graph.add((catalogue, DCAT.dataset, dataset))
    graph.add((catalogue, DCAT.service, service))
    taxonomy = URIRef(f"{AUTHORITY}data-theme")
    graph.add((taxonomy, RDF.type, SKOS.ConceptScheme))
    graph.add((taxonomy, DCTERMS.title, Literal("Data theme", lang="en")))
    graph.add((catalogue, DCAT.themeTaxonomy, taxonomy))

    graph.add((dataset, RDF.type, DCAT.Dataset))
    graph.add((dataset, DCTERMS.title, Literal(meta.title, lang="en")))
    graph.add((dataset, DCTERMS.description, Literal(meta.description, lang="en")))
    graph.add((dataset, DCTERMS.publisher, publisher))
    graph.add((dataset, DCTERMS.license, licence))
    graph.add((dataset, DCTERMS.language, language))
    graph.add((dataset, DCTERMS.issued, released))
    graph.add((dataset, DCTERMS.modified, released))
    graph.add((dataset, DCAT.contactPoint, contact))
    graph.add((dataset, DCAT.landingPage, homepage))
    graph.add((dataset, URIRef(f"{DCAT}version"), Literal(VERSION)))
    graph.add((dataset, DCTERMS.identifier, Literal(meta.dataset_iri)))
    graph.add((dataset, DCTERMS.conformsTo, URIRef(ONTOLOGY_IRI)))
    graph.add((URIRef(ONTOLOGY_IRI), RDF.type, DCTERMS.Standard))
    for keyword in KEYWORDS:
        graph.add((dataset, DCAT.keyword, Literal(keyword, lang="en")))
    for theme, label in THEMES:
        graph.add((dataset, DCAT.theme, _concept(graph, theme, label, str(taxonomy))))
    for country, name in _countries(store).items():
        location = _concept(graph, country, name, f"{AUTHORITY}country", DCTERMS.Location)
        graph.add((dataset, DCTERMS.spatial, location))
    for fmt in DUMP_FORMATS:
        _distribution(graph, meta, dataset, fmt.name)
    for frozen in _releases(settings):
        _version(graph, meta, dataset, frozen, agents=(publisher, contact), licence=licence)
    _data_service(
        graph, meta, service=service, dataset=dataset, publisher=publisher, contact=contact, licence=licence
    )
    return graph


def _agents(graph: Graph, meta: DatasetMetadata, publisher: URIRef, licence: URIRef) -> tuple[URIRef, URIRef]:
    """The publisher, licence, home page and contact point, typed as the DCAT-AP range shapes expect."""
    graph.add((licence, RDF.type, DCTERMS.LicenseDocument))
    graph.add((publisher, RDF.type, FOAF.Agent))
    graph.add((publisher, FOAF.name, Literal(PUBLISHER, lang="en")))
    homepage = URIRef(meta.site_url)
    graph.add((homepage, RDF.type, FOAF.Document))
    contact = URIRef(f"{meta.catalogue_iri}#contact")
    graph.add((contact, RDF.type, VCARD.Kind))
    graph.add((contact, RDF.type, VCARD.Organization))
    graph.add((contact, VCARD.fn, Literal(PUBLISHER, lang="en")))
    graph.add((contact, VCARD.hasURL, homepage))
    return homepage, contact


def _releases(settings: Settings | None) -> list[releases.Release]:
    """The releases of the workspace in use (none outside a workspace)."""
    if settings is None or settings.workspace is None:
        return []
    return releases.releases(Workspace(settings.workspace))


def _version(
    graph: Graph,
    meta: DatasetMetadata,
    dataset: URIRef,
    frozen: releases.Release,
    *,
    agents: tuple[URIRef, URIRef],
    licence: URIRef,
) -> None:
    """A release as a version of the dataset (DCAT 3, and the DCAT-AP 3 `dct:hasVersion`), with its dumps."""
    version = URIRef(frozen.iri)
    graph.add((dataset, URIRef(f"{DCAT}hasVersion"), version))
    graph.add((dataset, DCTERMS.hasVersion, version))
    graph.add((version, RDF.type, DCAT.Dataset))
    graph.add((version, URIRef(f"{DCAT}isVersionOf"), dataset))
    graph.add((version, DCTERMS.title, Literal(f"{meta.title}, release {frozen.version}", lang="en")))
    graph.add((version, DCTERMS.description, Literal(f"Release {frozen.version}: {frozen.notes}", lang="en")))
    graph.add((version, URIRef(f"{DCAT}version"), Literal(frozen.version)))
    graph.add((version, ADMS.versionNotes, Literal(frozen.notes, lang="en")))
    graph.add((version, DCTERMS.issued, Literal(frozen.issued, datatype=XSD.date)))
    publisher, contact = agents
    graph.add((version, DCTERMS.publisher, publisher))
    graph.add((version, DCAT.contactPoint, contact))
    graph.add((version, DCTERMS.license, licence))
    for keyword in KEYWORDS:
        graph.add((version, DCAT.keyword, Literal(keyword, lang="en")))
    for theme, _ in THEMES:
        graph.add((version, DCAT.theme, URIRef(theme)))
    if frozen.previous:
        graph.add((version, URIRef(f"{DCAT}previousVersion"), URIRef(releases.version_iri(frozen.previous))))
    site_folder = f"{RELEASES_FOLDER}/{frozen.version}/"
    for fmt in DUMP_FORMATS:
        download = meta.site_url + site_folder + releases.dump_name(fmt)
        _distribution(graph, meta, version, fmt.name, iri=f"{frozen.iri}/dump/{fmt.name}", download=download)


def _distribution(
    graph: Graph,
    meta: DatasetMetadata,
    dataset: URIRef,
    format_name: str,
    *,
    iri: str | None = None,
    download: str | None = None,
) -> None:
    fmt = FORMATS[format_name]
    distribution = URIRef(iri or f"{meta.dataset_iri}/dump/{fmt.name}")
    download_url = URIRef(download or meta.site_url + paths.dump_path(fmt.extension))
    graph.add((dataset, DCAT.distribution, distribution))
    graph.add((distribution, RDF.type, DCAT.Distribution))
    graph.add(
        (distribution, DCTERMS.title, Literal(f"The whole graph in {fmt.label}, gzip-compressed", lang="en"))
    )
    graph.add((distribution, DCTERMS.description, Literal(_dump_description(fmt.holds_graphs), lang="en")))
    graph.add((distribution, DCAT.accessURL, download_url))
    graph.add((distribution, DCAT.downloadURL, download_url))
    graph.add((distribution, DCTERMS.license, URIRef(LICENCE)))
    code, label = FILE_TYPES[fmt.name]
    scheme = f"{AUTHORITY}file-type"
    file_type = _concept(graph, f"{scheme}/{code}", label, scheme, DCTERMS.MediaTypeOrExtent)
    graph.add((distribution, DCTERMS.format, file_type))
    media_type = URIRef(IANA + fmt.media_type)
    graph.add((media_type, RDF.type, DCTERMS.MediaType))
    graph.add((distribution, DCAT.mediaType, media_type))
    gzip_type = URIRef(IANA + "application/gzip")
    graph.add((gzip_type, RDF.type, DCTERMS.MediaType))
    graph.add((distribution, DCAT.compressFormat, gzip_type))


def _dump_description(holds_graphs: bool) -> str:
    if holds_graphs:
        return "Every fact in the named graph of its source; each graph is described by its provenance."
    return "Every fact once, the named graphs merged; the N-Quads and TriG dumps keep the provenance."


def _data_service(
    graph: Graph,
    meta: DatasetMetadata,
    *,
    service: URIRef,
    dataset: URIRef,
    publisher: URIRef,
    contact: URIRef,
    licence: URIRef,
) -> None:
    endpoint = URIRef(meta.sparql_url)
    graph.add((service, RDF.type, DCAT.DataService))
    graph.add((service, DCTERMS.title, Literal(f"SPARQL endpoint of the {TITLE}", lang="en")))
    graph.add(
        (
            service,
            DCTERMS.description,
            Literal("Read-only SPARQL 1.1 Protocol endpoint (csei serve).", lang="en"),
        )
    )
    graph.add((service, DCAT.endpointURL, endpoint))
    graph.add((service, DCAT.endpointDescription, endpoint))
    graph.add((service, DCAT.servesDataset, dataset))
    graph.add((service, DCTERMS.publisher, publisher))
    graph.add((service, DCAT.contactPoint, contact))
    graph.add((service, DCTERMS.license, licence))
    standard = URIRef(SPARQL_PROTOCOL)
    graph.add((standard, RDF.type, DCTERMS.Standard))
    graph.add((service, DCTERMS.conformsTo, standard))
    for keyword in KEYWORDS[:2]:
        graph.add((service, DCAT.keyword, Literal(keyword, lang="en")))
    for theme, _ in THEMES:
        graph.add((service, DCAT.theme, URIRef(theme)))


def void_description(store: Store, settings: Settings | None = None) -> Graph:
    """The VoID description: sizes, partitions by class, property and named graph, dumps, endpoint."""
    meta = dataset_metadata(settings)
    settings = settings or Settings()
    graph = _new_graph()
    dataset = URIRef(meta.dataset_iri)
    graph.add((dataset, RDF.type, VOID.Dataset))
    graph.add((dataset, DCTERMS.title, Literal(meta.title, lang="en")))
    graph.add((dataset, DCTERMS.license, URIRef(LICENCE_PAGE)))
    graph.add((dataset, VOID.triples, Literal(_count(store, DISTINCT_TRIPLES), datatype=XSD.integer)))
    for name, sparql in VOID_COUNTS.items():
        graph.add((dataset, VOID[name], Literal(_count(store, sparql), datatype=XSD.integer)))
    graph.add((dataset, VOID.sparqlEndpoint, URIRef(meta.sparql_url)))
    graph.add((dataset, VOID.uriSpace, Literal(f"{BASE}id/")))
    graph.add((dataset, VOID.vocabulary, URIRef(ONTOLOGY_IRI)))
    for prefix in ("org", "skos", "dct", "prov", "schema", "foaf"):
        graph.add((dataset, VOID.vocabulary, URIRef(PREFIXES[prefix])))
    for fmt in DUMP_FORMATS:
        graph.add((dataset, VOID.dataDump, URIRef(meta.site_url + paths.dump_path(fmt.extension))))
    graph.add((dataset, VOID.rootResource, URIRef(meta.site_url)))
    for row in store.query(SAMPLE_CLUSTERS):  # type: ignore[union-attr]
        graph.add((dataset, VOID.exampleResource, URIRef(row["x"].value)))
    for row in store.query(CLASS_PARTITIONS):  # type: ignore[union-attr]
        partition = BNode()
        graph.add((dataset, VOID.classPartition, partition))
        graph.add((partition, VOID["class"], URIRef(row["c"].value)))
        graph.add((partition, VOID.entities, Literal(int(row["n"].value), datatype=XSD.integer)))
    for row in store.query(PROPERTY_PARTITIONS):  # type: ignore[union-attr]
        partition = BNode()
        graph.add((dataset, VOID.propertyPartition, partition))
        graph.add((partition, VOID.property, URIRef(row["p"].value)))
        graph.add((partition, VOID.triples, Literal(int(row["n"].value), datatype=XSD.integer)))
    labels = {row["g"].value: row["l"] for row in store.query(GRAPH_LABEL)}  # type: ignore[union-attr]
    for row in store.query(GRAPH_SIZE):  # type: ignore[union-attr]
        subset = URIRef(row["g"].value)
        graph.add((dataset, VOID.subset, subset))
        graph.add((subset, RDF.type, VOID.Dataset))
        graph.add((subset, VOID.triples, Literal(int(row["n"].value), datatype=XSD.integer)))
        if subset_label := labels.get(subset):
            graph.add((subset, DCTERMS.title, Literal(subset_label.value, lang=subset_label.language)))
    return graph


# The schema.org terms the home page uses, inline: a Linked Data client reads it offline, without
# fetching https://schema.org/'s context.
SCHEMA_ORG_CONTEXT = {
    "@vocab": "https://schema.org/",
    "url": {"@type": "@id"},
    "license": {"@type": "@id"},
    "contentUrl": {"@type": "@id"},
}


def schema_org_dataset(store: Store, settings: Settings | None = None) -> dict[str, object]:
    """The schema.org Dataset description embedded in the home page for search engines."""
    meta = dataset_metadata(settings)
    return {
        "@context": SCHEMA_ORG_CONTEXT,
        "@type": "Dataset",
        "@id": meta.dataset_iri,
        "name": meta.title,
        "description": meta.description,
        "url": meta.site_url,
        "identifier": meta.dataset_iri,
        "license": LICENCE_PAGE,
        "isAccessibleForFree": True,
        "keywords": list(KEYWORDS),
        "inLanguage": "en",
        "version": VERSION,
        "dateModified": meta.release_date,
        "creator": {"@type": "Organization", "name": PUBLISHER, "url": meta.site_url},
        "spatialCoverage": [
            {"@type": "Place", "@id": country, "name": name} for country, name in _countries(store).items()
        ],
        "distribution": [
            {
                "@type": "DataDownload",
                "name": f"{fmt.label} (gzip)",
                "encodingFormat": fmt.media_type,
                "contentUrl": meta.site_url + paths.dump_path(fmt.extension),
            }
            for fmt in DUMP_FORMATS
        ],
    }


def to_quads(graph: Graph) -> list[ox.Quad]:
    """The statements of an rdflib graph as store quads (for the deterministic serialisers)."""
    return [ox.Quad(to_store(s), to_store(p), to_store(o), ox.DefaultGraph()) for s, p, o in graph]
