"""What the reconciliation service offers: the types of entities it matches and the properties it knows."""

from dataclasses import dataclass

from csei_graph.namespaces import CSEI, PREFIXES

ORG = PREFIXES["org"]
SKOS = PREFIXES["skos"]
FOAF = PREFIXES["foaf"]


@dataclass(frozen=True)
class EntityType:
    """A type entities are reconciled against: the instances of `classes` and of their subclasses."""

    id: str
    name: str
    description: str
    classes: tuple[str, ...]


@dataclass(frozen=True)
class Property:
    """A property a query may give a condition on, and data extension may fetch.

    `kind` is `entity` (values are IRIs of resources, named by their labels) or `web` (web addresses);
    `types` are the types of entities it describes, `value_type` the type of its values, if offered.
    """

    id: str
    name: str
    description: str
    kind: str
    types: tuple[str, ...]
    value_type: str | None = None


CLUSTER = f"{CSEI}Cluster"
ORGANISATION = f"{ORG}Organization"
PROGRAMME = f"{CSEI}Programme"
CONCEPT = f"{SKOS}Concept"

TYPES = (
    EntityType(
        CLUSTER,
        "Cluster",
        "A cluster: a CSEI, a PTCE, a social cluster, a meta cluster or another cluster.",
        (CLUSTER,),
    ),
    EntityType(
        ORGANISATION,
        "Organisation",
        "An organisation: a member of a cluster, a cluster organisation, a public body.",
        (ORGANISATION, f"{ORG}FormalOrganization", f"{CSEI}ClusterOrganisation"),
    ),
    EntityType(
        PROGRAMME, "Programme", "An EU funding programme, such as COSME or Horizon Europe.", (PROGRAMME,)
    ),
    EntityType(
        CONCEPT,
        "Concept",
        "A concept of one of the project's concept schemes (actor kinds, roles...) or a country.",
        (CONCEPT,),
    ),
)
TYPES_BY_ID = {entity_type.id: entity_type for entity_type in TYPES}

COUNTRY = f"{CSEI}country"
ACTOR_KIND = f"{CSEI}actorKind"
MEMBER_OF = f"{ORG}memberOf"
WEBSITE = f"{FOAF}homepage"
IN_SCHEME = f"{SKOS}inScheme"

PROPERTIES = (
    Property(
        COUNTRY,
        "country",
        "Country where it is located: the country's IRI, its three-letter code (FRA) or its name.",
        "entity",
        (CLUSTER, ORGANISATION),
        CONCEPT,
    ),
    Property(
        ACTOR_KIND,
        "actor kind",
        "Kind of actor: social-economy-entity, mainstream-enterprise, civil-society-organisation, "
        "public-authority or education-research-institution (the code, the name or the IRI).",
        "entity",
        (ORGANISATION,),
        CONCEPT,
    ),
    Property(
        MEMBER_OF,
        "member of cluster",
        "A cluster (or organisation) it is a member of: its IRI or its name.",
        "entity",
        (ORGANISATION, CLUSTER),
        CLUSTER,
    ),
    Property(
        WEBSITE,
        "website",
        "Its web address (compared without scheme, www. or final slash).",
        "web",
        (CLUSTER, ORGANISATION),
    ),
    Property(
        IN_SCHEME,
        "concept scheme",
        "The concept scheme a concept belongs to: its IRI, its name or its code (actor-kind).",
        "entity",
        (CONCEPT,),
    ),
)
PROPERTIES_BY_ID = {prop.id: prop for prop in PROPERTIES}
