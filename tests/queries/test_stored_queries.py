"""Every stored query gives the rows the data files hold, on the built-in graph and with synthetic data.

The expected rows are worked out in Python from the data files as rdflib reads them (see
conftest.py), walking the triples the way each query's description says, with no SPARQL: an
engine that answers wrongly, or a query that asks the wrong thing, fails here. A few facts read by
eye in data/*.trig (each with the row it comes from) check that the walks themselves find what the
sources say.
"""

from collections import Counter
from collections.abc import Callable, Iterable
from decimal import Decimal

import pyoxigraph as ox
from rdflib import RDF, RDFS, Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCTERMS, FOAF, ORG, PROV, SKOS
from rdflib.term import Node

from csei_graph.queries import QueryResult, list_queries, run_query

CSEI = Namespace("https://w3id.org/csei/ontology#")
CSEID = Namespace("https://w3id.org/csei/id/")
SCHEMA = Namespace("http://schema.org/")
COUNTRY = Namespace("http://publications.europa.eu/resource/authority/country/")
ECCP = CSEID["platform/eccp"]
DEFAULT_GRAPH = URIRef("urn:x-rdflib:default")
Row = tuple[str | None, ...]


# ---------------------------------------------------------------------------- reading the data


def text(term: Node | None) -> str | None:
    return None if term is None else str(term)


def name(g: Graph, x: Node) -> str | None:
    """The query's `MIN(STR(?label))` over a resource's skos:prefLabel values."""
    labels = [str(label) for label in g.objects(x, SKOS.prefLabel)]
    return min(labels) if labels else None


def english(g: Graph, x: Node, predicate: URIRef = SKOS.prefLabel) -> list[str | None]:
    """The English values of a property, or [None] when there is none (an OPTIONAL)."""
    found = [str(v) for v in g.objects(x, predicate) if isinstance(v, Literal) and v.language == "en"]
    return found or [None]


def each(g: Graph, x: Node, predicate: URIRef) -> list[Node | None]:
    """The values of a property, or [None] when there is none (an OPTIONAL)."""
    return list(g.objects(x, predicate)) or [None]


def below(g: Graph, cls: URIRef) -> set[Node]:
    """The class and every class under it."""
    return set(g.transitive_subjects(RDFS.subClassOf, cls))


def instances(g: Graph, cls: URIRef) -> set[Node]:
    return {x for c in below(g, cls) for x in g.subjects(RDF.type, c)}


def most_specific(g: Graph, x: Node, within: set[Node]) -> list[Node]:
    types = set(g.objects(x, RDF.type))
    return [
        t
        for t in types & within
        if not any(n != t and t in set(g.transitive_objects(n, RDFS.subClassOf)) - {n} for n in types)
    ]


def members(g: Graph, collaboration: Node) -> set[Node]:
    """Members stated either way: org:hasMember, or an org:Membership."""
    found = set(g.objects(collaboration, ORG.hasMember))
    for membership in g.subjects(ORG.organization, collaboration):
        found.update(g.objects(membership, ORG.member))
    return found


def cell(term: ox.NamedNode | ox.BlankNode | ox.Literal | None) -> str | None:
    return None if term is None else term.value


def rows(result: QueryResult) -> list[Row]:
    return [tuple(cell(term) for term in row) for row in result.rows]


def assert_ordered(actual: list[Row], key: Callable[[Row], tuple]) -> None:
    assert actual == sorted(actual, key=key), "rows are not in the order the query asks for"


def blank_first(value: str | None) -> str:
    # SPARQL orders an unbound value before any other.
    return "" if value is None else value


# --------------------------------------------------------------------------- the expected rows


def expect_clusters(g: Graph) -> set[Row]:
    within = below(g, CSEI.Cluster)
    expected = set()
    for x in instances(g, CSEI.Cluster):
        if name(g, x) is None:
            continue
        eccp = "true" if (x, CSEI.registeredOn, ECCP) in g else "false"
        for cls in most_specific(g, x, within):
            for country in each(g, x, CSEI.country):
                for label in english(g, country) if country else [None]:
                    expected.add((str(x), name(g, x), str(cls), text(country), label, eccp))
    return expected


def expect_clusters_in_country(scenario, country: URIRef) -> set[Row]:
    g = scenario.union
    within = below(g, CSEI.Cluster)
    clusters = instances(g, CSEI.Cluster)
    expected = set()
    for x, _, _, graph in scenario.dataset.quads((None, CSEI.country, country, None)):
        if x not in clusters or name(g, x) is None or graph == DEFAULT_GRAPH:
            continue
        eccp = "true" if (x, CSEI.registeredOn, ECCP) in g else "false"
        for kind in g.objects(graph, CSEI.provenanceKind):
            for cls in most_specific(g, x, within):
                for place in each(g, x, CSEI.place):
                    provenance = str(kind).split("provenance-kind/")[1]
                    expected.add((str(x), name(g, x), str(cls), text(place), provenance, eccp))
    return expected


def expect_clusters_per_country(g: Graph) -> Counter:
    clusters: dict[str | None, set[Node]] = {}
    registered: dict[str | None, set[Node]] = {}
    for x in instances(g, CSEI.Cluster):
        for country in each(g, x, CSEI.country):
            clusters.setdefault(text(country), set()).add(x)
            if (x, CSEI.registeredOn, ECCP) in g:
                registered.setdefault(text(country), set()).add(x)
    return Counter(
        {
            (country, english(g, URIRef(country))[0] if country else None): (
                len(found),
                len(registered.get(country, ())),
            )
            for country, found in clusters.items()
        }
    )


def expect_registered(g: Graph) -> set[Row]:
    expected = set()
    for x in g.subjects(CSEI.registeredOn, ECCP):
        if name(g, x) is None:
            continue
        for country in each(g, x, CSEI.country):
            for label in english(g, country) if country else [None]:
                expected.add((str(x), name(g, x), text(country), label))
    return expected


def expect_by_concept(g: Graph, predicate: URIRef, with_country: bool) -> set[Row]:
    expected = set()
    for x, concept in g.subject_objects(predicate):
        if name(g, x) is None:
            continue
        for label in english(g, concept):
            countries = each(g, x, CSEI.country) if with_country else [None]
            for country in countries:
                row = (str(concept), label, str(x), name(g, x))
                expected.add((*row, text(country)) if with_country else row)
    return expected


def expect_cluster_members(g: Graph, cluster: URIRef) -> set[Row]:
    stated: list[tuple[Node, Node | None, Node | None, Node | None]] = []
    for membership in g.subjects(ORG.organization, cluster):
        for member in g.objects(membership, ORG.member):
            for role in each(g, membership, ORG.role):
                for start in each(g, membership, SCHEMA.startDate):
                    for end in each(g, membership, SCHEMA.endDate):
                        stated.append((member, role, start, end))
    described = {m for m, *_ in stated}
    stated += [(m, None, None, None) for m in g.objects(cluster, ORG.hasMember) if m not in described]
    expected = set()
    for member, role, start, end in stated:
        for kind in each(g, member, CSEI.actorKind):
            for kind_name in english(g, kind) if kind else [None]:
                expected.add(
                    (str(member), name(g, member), text(kind), kind_name, text(role), text(start), text(end))
                )
    return expected


def expect_mix(g: Graph) -> set[Row]:
    codes = [
        "social-economy-entity",
        "mainstream-enterprise",
        "civil-society-organisation",
        "public-authority",
        "education-research-institution",
    ]
    expected = set()
    for cluster in instances(g, CSEI.Cluster):
        found = members(g, cluster)
        if not found or name(g, cluster) is None:
            continue
        kinds = {m: set(g.objects(m, CSEI.actorKind)) for m in found}
        per_kind = [
            sum(1 for m in found if CSEID[f"concept/actor-kind/{code}"] in kinds[m]) for code in codes
        ]
        distinct_kinds = set().union(*kinds.values())
        counts = [str(n) for n in (*per_kind, len(found), len(distinct_kinds))]
        expected.add((str(cluster), name(g, cluster), *counts))
    return expected


def collaborations_of(g: Graph) -> dict[Node, set[Node]]:
    """Each actor and the clusters and networks it is a member of."""
    of: dict[Node, set[Node]] = {}
    for collaboration in instances(g, ORG.OrganizationalCollaboration):
        for member in members(g, collaboration):
            of.setdefault(member, set()).add(collaboration)
    return of


def expect_shared(g: Graph, least: int) -> set[Row]:
    expected = set()
    for member, found in collaborations_of(g).items():
        if len(found) >= least:
            for kind in each(g, member, CSEI.actorKind):
                expected.add((str(member), name(g, member), text(kind), str(len(found))))
    return expected


def expect_network(g: Graph) -> set[tuple[str, str, str]]:
    expected = set()
    for found in collaborations_of(g).values():
        for one in found:
            for other in found - {one}:
                expected.add((str(one), str(ORG.linkedTo), str(other)))
                for node in (one, other):
                    expected |= {
                        (str(node), str(SKOS.prefLabel), str(v)) for v in g.objects(node, SKOS.prefLabel)
                    }
    return expected


def programmes_funding(g: Graph, funded: Node) -> list[Node | None]:
    funders = set(g.transitive_objects(funded, CSEI.fundedBy)) - {funded}
    return [p for p in funders if (p, RDF.type, CSEI.Programme) in g] or [None]


def expect_participations(g: Graph) -> set[Row]:
    expected = set()
    for cluster in instances(g, CSEI.Cluster):
        if name(g, cluster) is None:
            continue
        partner_in = set(g.objects(cluster, CSEI.participatesIn))
        partner_in |= set(g.subjects(CSEI.partner, cluster)) | set(g.subjects(CSEI.leadPartner, cluster))
        labelled = set(g.subjects(CSEI.awardedTo, cluster))
        for organisation in g.objects(cluster, CSEI.hasClusterOrganisation):
            labelled |= set(g.subjects(CSEI.awardedTo, organisation))
        found = [("partner in", t, p) for t in partner_in for p in programmes_funding(g, t)]
        found += [("label awarded", t, None) for t in labelled]
        found += [("registered on", t, None) for t in g.objects(cluster, CSEI.registeredOn)]
        for relation, target, programme in found:
            expected.add(
                (str(cluster), name(g, cluster), relation, str(target), name(g, target), text(programme))
            )
    return expected


FUNDED_KINDS = (CSEI.Partnership, CSEI.Eurocluster, CSEI.Project)


def expect_figures(g: Graph) -> set[Row]:
    kinds = (CSEI.Programme, CSEI.Action, *FUNDED_KINDS)
    expected = set()
    for statistic in g.subjects(RDF.type, CSEI.Statistic):
        for subject in g.objects(statistic, CSEI.statisticOf):
            if not any((subject, RDF.type, k) in g for k in kinds) or name(g, subject) is None:
                continue
            units = [
                label for u in g.objects(statistic, CSEI.unit) for label in english(g, u) if label is not None
            ] or [None]
            for value in g.objects(statistic, CSEI.value):
                for measure in each(g, statistic, CSEI.measure):
                    for qualifier in each(g, statistic, CSEI.qualifier):
                        for unit in units:
                            for year in each(g, statistic, CSEI.referenceYear):
                                for period in each(g, statistic, CSEI.referencePeriod):
                                    for source in each(g, statistic, DCTERMS.source):
                                        expected.add(
                                            (
                                                str(subject),
                                                name(g, subject),
                                                str(statistic),
                                                text(measure),
                                                text(qualifier),
                                                str(Decimal(str(value))),
                                                unit,
                                                text(year),
                                                text(period),
                                                text(source),
                                            )
                                        )
    return expected


def expect_coverage(g: Graph) -> set[Row]:
    expected = set()
    for funder in set(g.subjects(RDF.type, CSEI.Programme)) | set(g.subjects(RDF.type, CSEI.Action)):
        if name(g, funder) is None:
            continue
        funded = {
            t
            for t in g.transitive_subjects(CSEI.fundedBy, funder)
            if t != funder and any((t, RDF.type, k) in g for k in FUNDED_KINDS)
        }
        partners = set()
        for t in funded:
            partners |= set(g.objects(t, CSEI.partner)) | set(g.objects(t, CSEI.leadPartner))
            partners |= set(g.subjects(CSEI.participatesIn, t))
        countries = {c for p in partners for c in g.objects(p, CSEI.country)}
        ecosystems = {e for p in partners for e in g.objects(p, CSEI.industrialEcosystem)}
        counts = (len(funded), len(partners), len(countries), len(ecosystems))
        expected.add((str(funder), name(g, funder), *map(str, counts)))
    return expected


def expect_definitions(g: Graph, term: URIRef) -> set[Row]:
    expected = set()
    for definition in g.subjects(CSEI.definedTerm, term):
        if (definition, RDF.type, CSEI.Definition) not in g:
            continue
        for wording in g.objects(definition, CSEI.definitionText):
            for author in each(g, definition, CSEI.definedBy):
                for author_name in english(g, author) if author else [None]:
                    for work in each(g, definition, CSEI.statedIn):
                        for source in each(g, definition, DCTERMS.source):
                            expected.add(
                                (
                                    str(definition),
                                    str(wording),
                                    text(author),
                                    author_name,
                                    text(work),
                                    text(source),
                                )
                            )
    return expected


def expect_incomplete(g: Graph) -> set[Row]:
    status = CSEID["concept/activity-status/"]
    expected = set()
    for cluster in instances(g, CSEI.Cluster):
        if name(g, cluster) is None:
            continue
        gaps = []
        if not set(g.objects(cluster, FOAF.homepage)) | set(g.objects(cluster, SCHEMA.url)):
            gaps.append("no website")
        if (cluster, CSEI.country, None) not in g:
            gaps.append("no country")
        if (cluster, CSEI.activityStatus, URIRef(f"{status}unknown")) in g:
            gaps.append("activity unknown")
        if (cluster, CSEI.activityStatus, URIRef(f"{status}in-preparation")) in g:
            gaps.append("in preparation")
        expected |= {(str(cluster), name(g, cluster), gap) for gap in gaps}
    return expected


def graph_descriptions(g: Graph, graph: Node) -> list[tuple[str | None, str | None, str | None]]:
    """(label, provenance kind, derived from) of a graph: what the queries' sub-select finds."""
    found = []
    for kind in g.objects(graph, CSEI.provenanceKind):
        for label in english(g, graph, RDFS.label):
            for origin in each(g, graph, PROV.wasDerivedFrom):
                found.append((label, str(kind), text(origin)))
    return found or [(None, None, None)]


def expect_provenance(scenario, resource: URIRef) -> set[Row]:
    per_graph = Counter(
        graph for *_, graph in scenario.dataset.quads((resource, None, None, None)) if graph != DEFAULT_GRAPH
    )
    return {
        (str(graph), label, kind, origin, str(count))
        for graph, count in per_graph.items()
        for label, kind, origin in graph_descriptions(scenario.union, graph)
    }


def expect_graphs(scenario) -> set[Row]:
    per_graph = Counter(graph for *_, graph in scenario.dataset.quads() if graph != DEFAULT_GRAPH)
    return {
        (str(graph), label, kind, origin, str(count))
        for graph, count in per_graph.items()
        for label, kind, origin in graph_descriptions(scenario.union, graph)
    }


def expect_awards(g: Graph) -> set[Row]:
    expected = set()
    for award in g.subjects(RDF.type, CSEI.LabelAward):
        for organisation in g.objects(award, CSEI.awardedTo):
            for level in g.objects(award, CSEI.labelLevel):
                for cluster in list(g.subjects(CSEI.hasClusterOrganisation, organisation)) or [None]:
                    for by in each(g, award, CSEI.awardedBy):
                        for start in each(g, award, CSEI.validFrom):
                            for end in each(g, award, CSEI.validUntil):
                                expected.add(
                                    (
                                        str(award),
                                        str(organisation),
                                        name(g, organisation),
                                        text(cluster),
                                        str(level),
                                        text(by),
                                        text(start),
                                        text(end),
                                    )
                                )
    return expected


def expect_search(g: Graph, wanted: str) -> set[Row]:
    expected = set()
    for predicate in (SKOS.prefLabel, SKOS.altLabel):
        for resource, label in g.subject_objects(predicate):
            if wanted.lower() in str(label).lower() and name(g, resource) is not None:
                expected |= {(str(resource), name(g, resource), text(c)) for c in each(g, resource, RDF.type)}
    return expected


def expect_memberships(g: Graph, day: str) -> set[Row]:
    expected = set()
    for membership, member in g.subject_objects(ORG.member):
        for start in g.objects(membership, SCHEMA.startDate):
            since = f"{start}-01-01" if len(str(start)) == 4 else str(start)
            for end in each(g, membership, SCHEMA.endDate):
                until = None if end is None else (f"{end}-12-31" if len(str(end)) == 4 else str(end))
                if since > day or (until is not None and until < day):
                    continue
                for organisation in each(g, membership, ORG.organization):
                    for role in each(g, membership, ORG.role):
                        expected.add(
                            (
                                str(member),
                                name(g, member),
                                text(organisation),
                                name(g, organisation) if organisation else None,
                                text(role),
                                str(start),
                                text(end),
                            )
                        )
    return expected


def expect_concepts(g: Graph, scheme: URIRef) -> set[Row]:
    expected = set()
    for concept in g.subjects(SKOS.inScheme, scheme):
        for label in english(g, concept):
            for definition in english(g, concept, SKOS.definition):
                expected.add((str(concept), str(concept).rsplit("/", 1)[1], label, definition))
    return expected


# --------------------------------------------------------------------------------------- tests


def test_there_are_at_least_fifteen_stored_queries_and_each_is_tested() -> None:
    names = {q.name for q in list_queries()}
    assert len(names) >= 15
    tested = {name.removeprefix("test_").replace("_", "-") for name in globals() if name.startswith("test_")}
    assert names <= tested, f"stored queries without a test: {sorted(names - tested)}"


def test_clusters(scenario) -> None:
    actual = rows(run_query("clusters", store=scenario.store))
    assert sorted(actual, key=str) == sorted(expect_clusters(scenario.union), key=str)
    assert_ordered(actual, lambda r: (r[1], r[0], r[2], blank_first(r[3])))
    # data/geces-csei-examples.trig, row "Silicon VilstalGermanyYES": a CSEI in Germany, on the ECCP.
    assert (
        str(CSEID["cluster/silicon-vilstal"]),
        "Silicon Vilstal",
        str(CSEI.CSEI),
        str(COUNTRY.DEU),
        "Germany",
        "true",
    ) in actual
    # Row "Coursive Boutaric (Quartier des Grésilles, Dijon) - PTCE": listed as a PTCE, not as a CSEI.
    classes = {r[2] for r in actual if r[0] == str(CSEID["cluster/coursive-boutaric"])}
    assert classes == {str(CSEI.PTCE)}


def test_clusters_of_a_class_only() -> None:
    ptce = rows(run_query("clusters", {"type": "csei:PTCE"}))
    assert ptce and {r[2] for r in ptce} == {str(CSEI.PTCE)}


def test_clusters_in_country(scenario) -> None:
    for code in ("POL", "FRA"):
        actual = rows(run_query("clusters-in-country", {"country": code}, store=scenario.store))
        assert sorted(actual, key=str) == sorted(expect_clusters_in_country(scenario, COUNTRY[code]), key=str)
        assert_ordered(actual, lambda r: (r[1], r[0], r[2], blank_first(r[3]), r[4]))
    # data/geces-csei-examples.trig: "Łomża Social Economy Cluster (activity unknown)Poland", stated.
    polish = rows(run_query("clusters-in-country", store=scenario.store))
    assert (str(CSEID["cluster/lomza-social-economy-cluster"]), "stated") in {(r[0], r[4]) for r in polish}


def test_clusters_per_country(scenario) -> None:
    actual = rows(run_query("clusters-per-country", store=scenario.store))
    found = Counter({(r[0], r[1]): (int(r[2]), int(r[3])) for r in actual})
    assert found == expect_clusters_per_country(scenario.union)
    assert len(actual) == len(found)
    assert_ordered(actual, lambda r: (-int(r[2]), blank_first(r[1]), blank_first(r[0])))


def test_eccp_registered_clusters(scenario) -> None:
    actual = rows(run_query("eccp-registered-clusters", store=scenario.store))
    assert set(actual) == expect_registered(scenario.union) and len(actual) == len(set(actual))
    assert_ordered(actual, lambda r: (r[1], r[0], blank_first(r[2])))
    # The five rows of the GECES table that say YES (Silicon Vilstal, Smart and Sustainable Arctic
    # Tourism Cluster, Arctic Smartness Rural Community, Torino Social Impact, Impact Noord).
    assert {"Silicon Vilstal", "Torino Social Impact", "Impact Noord"} <= {r[1] for r in actual}


def test_is_eccp_registered() -> None:
    assert run_query("is-eccp-registered").boolean is True
    # Row "Base 202" of the GECES table has no YES.
    assert run_query("is-eccp-registered", {"cluster": "cseid:cluster/base-202"}).boolean is False


def test_clusters_by_innovation_type(scenario) -> None:
    actual = rows(run_query("clusters-by-innovation-type", store=scenario.store))
    assert set(actual) == expect_by_concept(scenario.union, CSEI.fostersInnovation, with_country=False)
    assert_ordered(actual, lambda r: (blank_first(r[1]), r[0], r[3], r[2]))
    social = rows(run_query("clusters-by-innovation-type", {"innovation": "social"}, store=scenario.store))
    assert social == [r for r in actual if r[0].endswith("/innovation-type/social")]


def test_clusters_by_ecosystem(scenario) -> None:
    actual = rows(run_query("clusters-by-ecosystem", store=scenario.store))
    assert set(actual) == expect_by_concept(scenario.union, CSEI.industrialEcosystem, with_country=True)
    assert_ordered(actual, lambda r: (blank_first(r[1]), r[0], r[3], r[2], blank_first(r[4])))
    # data/inferred-seed-facts.trig: AgroBioCluster ("agrifood and bioeconomy cluster") is agri-food.
    agri_food = rows(run_query("clusters-by-ecosystem", {"ecosystem": "agri-food"}, store=scenario.store))
    assert str(CSEID["cluster/agrobiocluster"]) in {r[2] for r in agri_food}
    assert agri_food == [r for r in actual if r[0].endswith("/industrial-ecosystem/agri-food")]


def test_cluster_members(scenario) -> None:
    clusters = [CSEID["cluster/agrobiocluster"]]
    clusters += sorted(
        c for c in instances(scenario.union, CSEI.Cluster) if (c, ORG.hasMember, None) in scenario.union
    )[:2]
    for cluster in clusters:
        actual = rows(run_query("cluster-members", {"cluster": str(cluster)}, store=scenario.store))
        assert set(actual) == expect_cluster_members(scenario.union, cluster) and len(actual) == len(
            set(actual)
        )
        assert_ordered(actual, lambda r: tuple(blank_first(v) for v in (r[3], r[1], r[0], r[4], r[5], r[6])))
    # data/unimos-talk-2024.trig: Katarzyna Rull Quesada, "Manager of AgroBioCluster".
    agrobiocluster = rows(run_query("cluster-members", store=scenario.store))
    assert (str(CSEID["person/katarzyna-rull-quesada"]), str(CSEID["concept/role/manager"])) in {
        (r[0], r[4]) for r in agrobiocluster
    }


def test_cluster_members_of_one_kind(synthetic_scenario) -> None:
    g = synthetic_scenario.union
    cluster = sorted(c for c in instances(g, CSEI.Cluster) if (c, ORG.hasMember, None) in g)[0]
    everyone = rows(run_query("cluster-members", {"cluster": str(cluster)}, store=synthetic_scenario.store))
    public = rows(
        run_query(
            "cluster-members",
            {"cluster": str(cluster), "kind": "public-authority"},
            store=synthetic_scenario.store,
        )
    )
    assert public and public == [
        r for r in everyone if r[2] == str(CSEID["concept/actor-kind/public-authority"])
    ]


def test_multi_actor_mix(scenario) -> None:
    actual = rows(run_query("multi-actor-mix", store=scenario.store))
    assert set(actual) == expect_mix(scenario.union) and len(actual) == len(set(actual))
    assert_ordered(actual, lambda r: (-int(r[8]), -int(r[7]), r[1], r[0]))


def test_shared_members(scenario) -> None:
    for least in (2, 1, 3):
        actual = rows(run_query("shared-members", {"min_clusters": str(least)}, store=scenario.store))
        assert set(actual) == expect_shared(scenario.union, least) and len(actual) == len(set(actual))
        assert_ordered(actual, lambda r: (-int(r[3]), blank_first(r[1]), r[0], blank_first(r[2])))
    # data/unimos-talk-2024.trig: Katarzyna Rull Quesada manages AgroBioCluster, co-founded the Eastern
    # European Food Clusters Network and is a member of the Plant InterCluster Network.
    shared = rows(run_query("shared-members", store=scenario.store))
    assert (str(CSEID["person/katarzyna-rull-quesada"]), "3") in {(r[0], r[3]) for r in shared}


def triples(terms: Iterable[ox.Triple]) -> set[tuple[str, str, str]]:
    return {(t.subject.value, t.predicate.value, t.object.value) for t in terms}


def test_cluster_network(scenario) -> None:
    actual = run_query("cluster-network", store=scenario.store)
    assert triples(actual.triples) == expect_network(scenario.union)
    linked = {(s, o) for s, p, o in triples(actual.triples) if p == str(ORG.linkedTo)}
    assert (
        str(CSEID["cluster/agrobiocluster"]),
        str(CSEID["organisation/plant-intercluster-network"]),
    ) in linked


def test_cluster_participations(scenario) -> None:
    actual = rows(run_query("cluster-participations", store=scenario.store))
    assert set(actual) == expect_participations(scenario.union) and len(actual) == len(set(actual))
    assert_ordered(actual, lambda r: (r[1], r[0], r[2], blank_first(r[4]), r[3], blank_first(r[5])))


def test_programme_figures(scenario) -> None:
    result = run_query("programme-figures", store=scenario.store)
    actual = [(*r[:5], str(Decimal(r[5])), *r[6:]) for r in rows(result)]
    assert set(actual) == expect_figures(scenario.union) and len(actual) == len(set(actual))
    assert_ordered(actual, lambda r: (r[1], r[0], blank_first(r[3]), r[2], blank_first(r[9])))
    # data/unimos-talk-2024.trig, slide "Euroclusters": EUR 42 million from the Single Market Programme.
    assert (str(CSEID["action/euroclusters"]), "42000000", "euro") in {(r[0], r[5], r[6]) for r in actual}


def test_programme_coverage(scenario) -> None:
    actual = rows(run_query("programme-coverage", store=scenario.store))
    assert set(actual) == expect_coverage(scenario.union) and len(actual) == len(set(actual))
    assert_ordered(actual, lambda r: (-int(r[2]), r[1], r[0]))


def test_definitions(scenario) -> None:
    for term in ("cluster", "csei", "social-cluster"):
        actual = rows(run_query("definitions", {"term": term}, store=scenario.store))
        expected = expect_definitions(scenario.union, CSEID[f"concept/defined-term/{term}"])
        assert set(actual) == expected and len(actual) == len(set(actual))
        assert_ordered(
            actual, lambda r: (blank_first(r[3]), r[0], r[1], blank_first(r[4]), blank_first(r[5]))
        )
    # data/unimos-talk-2024.trig: Porter's "geographic concentrations of interconnected companies and
    # institutions in a particular field", and Marshall's industrial districts.
    authors = {r[3] for r in rows(run_query("definitions", store=scenario.store))}
    assert {"Michael E. Porter", "Alfred Marshall"} <= authors


def test_incomplete_clusters(scenario) -> None:
    actual = rows(run_query("incomplete-clusters", store=scenario.store))
    assert set(actual) == expect_incomplete(scenario.union) and len(actual) == len(set(actual))
    assert_ordered(actual, lambda r: (r[2], r[1], r[0]))
    unknown = rows(run_query("incomplete-clusters", {"gap": "activity unknown"}, store=scenario.store))
    assert unknown == [r for r in actual if r[2] == "activity unknown"]
    # data/geces-csei-examples.trig: "Cieszyn Social Cluster (activity unknown)".
    assert str(CSEID["cluster/cieszyn-social-cluster"]) in {r[0] for r in unknown}


def test_describe(scenario) -> None:
    for resource in (CSEID["cluster/agrobiocluster"], CSEID["person/alfred-marshall"]):
        actual = run_query("describe", {"resource": str(resource)}, store=scenario.store)
        expected = {(str(s), str(p), str(o)) for s, p, o in scenario.union.triples((resource, None, None))}
        assert triples(actual.triples) == expected and len(actual.triples) == len(expected)


def test_resource_provenance(scenario) -> None:
    for resource in (
        CSEID["cluster/silicon-vilstal"],
        CSEID["cluster/partnership-social-innovation-orebro-county"],
    ):
        actual = rows(run_query("resource-provenance", {"resource": str(resource)}, store=scenario.store))
        assert set(actual) == expect_provenance(scenario, resource) and len(actual) == len(set(actual))
    # data/inferred-csei-examples.trig infers Sweden for the Örebro partnership from its name.
    graphs = {r[0] for r in actual}
    assert "https://w3id.org/csei/graph/inferred-csei-examples" in graphs


def test_graphs(scenario) -> None:
    actual = rows(run_query("graphs", store=scenario.store))
    assert set(actual) == expect_graphs(scenario) and len(actual) == len(set(actual))
    assert_ordered(actual, lambda r: (r[0], blank_first(r[2]), blank_first(r[3]), blank_first(r[1])))


def test_label_awards(scenario) -> None:
    actual = rows(run_query("label-awards", store=scenario.store))
    assert set(actual) == expect_awards(scenario.union) and len(actual) == len(set(actual))
    assert_ordered(actual, lambda r: (blank_first(r[2]), r[1], blank_first(r[6]), r[0], blank_first(r[3])))
    gold = rows(run_query("label-awards", {"level": "gold"}, store=scenario.store))
    assert gold == [r for r in actual if r[4].endswith("/label-level/gold")]


def test_search(scenario) -> None:
    for wanted in ("social", "CLUSTER", "Łomża"):
        actual = rows(run_query("search", {"text": wanted}, store=scenario.store))
        assert set(actual) == expect_search(scenario.union, wanted) and len(actual) == len(set(actual))
        assert_ordered(actual, lambda r: (r[1], r[0], blank_first(r[2])))


def test_memberships_on_date(scenario) -> None:
    for day in ("2024-06-04", "1995-01-01", "2002-12-31", "2003-01-01"):
        actual = rows(run_query("memberships-on-date", {"on": day}, store=scenario.store))
        assert set(actual) == expect_memberships(scenario.union, day) and len(actual) == len(set(actual))
    # data/unimos-talk-2024.trig: Antoni Subirá was minister from 1989 to 2002.
    in_1995 = rows(run_query("memberships-on-date", {"on": "1995-01-01"}, store=scenario.store))
    assert str(CSEID["person/antoni-subira"]) in {r[0] for r in in_1995}


def test_concepts(scenario) -> None:
    for scheme in ("actor-kind", "label-level", "innovation-type"):
        actual = rows(run_query("concepts", {"scheme": f"cseid:concept/{scheme}"}, store=scenario.store))
        assert set(actual) == expect_concepts(scenario.union, CSEID[f"concept/{scheme}"])
        assert_ordered(actual, lambda r: (r[1], r[0], blank_first(r[2]), blank_first(r[3])))
    # docs/model.md and data/project-vocabularies.trig: the five actor kinds.
    codes = {r[1] for r in rows(run_query("concepts", store=scenario.store))}
    assert codes == {
        "social-economy-entity",
        "mainstream-enterprise",
        "civil-society-organisation",
        "public-authority",
        "education-research-institution",
    }
