"""What csei records about a contribution, as RDF it writes itself: who sent it, from which files, when,
and who accepted or rejected it.

A contribution never writes these statements (`validation.refusals` refuses them): each is made here
from what csei computed or was told on its own command line, and serialised as RDF, so nothing a
contributor chose (a file name with a line break, a content hash) can add a statement of its own.
"""

import getpass
import hashlib
import re
import subprocess
from datetime import UTC, datetime

import pyoxigraph as ox

from csei_graph.namespaces import CSEI, CSEID, PREFIXES
from csei_graph.validation.contribute import Contribution
from csei_graph.validation.csvimport import slugify

CONTRIBUTED = ox.NamedNode(f"{CSEID}concept/provenance-kind/contributed")
RDF_TYPE = ox.NamedNode(f"{PREFIXES['rdf']}type")
PREF_LABEL = ox.NamedNode(f"{PREFIXES['skos']}prefLabel")
LABEL = ox.NamedNode(f"{PREFIXES['rdfs']}label")
COMMENT = ox.NamedNode(f"{PREFIXES['rdfs']}comment")
ATTRIBUTED_TO = ox.NamedNode(f"{PREFIXES['prov']}wasAttributedTo")
GENERATED_AT = ox.NamedNode(f"{PREFIXES['prov']}generatedAtTime")
DERIVED_FROM = ox.NamedNode(f"{PREFIXES['prov']}wasDerivedFrom")
CONTENT_HASH = ox.NamedNode(f"{CSEI}contentHash")
PROVENANCE_KIND = ox.NamedNode(f"{CSEI}provenanceKind")
IDENTIFIER = ox.NamedNode(f"{PREFIXES['dct']}identifier")
# Accepting a contribution makes it available in the graph: the maintainer who did is its publisher,
# and the moment, its issue.
ACCEPTED_BY = ox.NamedNode(f"{PREFIXES['dct']}publisher")
ACCEPTED_AT = ox.NamedNode(f"{PREFIXES['dct']}issued")
INVALIDATED_BY = ox.NamedNode(f"{PREFIXES['prov']}wasInvalidatedBy")
INVALIDATED_AT = ox.NamedNode(f"{PREFIXES['prov']}invalidatedAtTime")
ASSOCIATED_WITH = ox.NamedNode(f"{PREFIXES['prov']}wasAssociatedWith")
_DATE_TIME = ox.NamedNode(f"{PREFIXES['xsd']}dateTime")


def person() -> str:
    """Who runs the command: git's user.name, else the operating-system user."""
    try:
        name = subprocess.run(
            ["git", "config", "user.name"], capture_output=True, text=True, timeout=5, check=False
        ).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        name = ""
    return name or getpass.getuser()


def agent(by: str) -> tuple[ox.NamedNode, str]:
    """The IRI and name of whoever `by` names; an e-mail address in it is never published.

    Two different names always give two IRIs (`alice` and `Alice` are two people to csei): the IRI
    ends with a hash of the exact name. A web address (an ORCID, a home page) is the agent itself.
    """
    name = re.sub(r"\s*<[^>]*>\s*", " ", by).strip() or by.strip()
    if re.fullmatch(r"https?://\S+", name):
        try:
            return ox.NamedNode(name), name
        except ValueError as error:
            raise ValueError(
                f"--by {name!r} is not a valid IRI ({error}): give a name, or a web address (an ORCID, "
                "a home page) as it is written in a browser"
            ) from None
    name = name.split("@")[0] if "@" in name and " " not in name else name
    if not name:
        raise ValueError("give a name: --by cannot be empty")
    digest = hashlib.sha256(name.encode("utf-8")).hexdigest()[:10]
    slug = slugify(name)[:60].strip("-") or "someone"
    return ox.NamedNode(f"{CSEID}contributor/{slug}-{digest}"), name


def source_of(identifier: str) -> ox.NamedNode:
    """The source document standing for the files of the contribution of that id."""
    return ox.NamedNode(f"{CSEID}source/contribution-{identifier}")


def submission(contribution: Contribution, by: str, now: datetime) -> list[ox.Quad]:
    """The description of a contribution's graph when it is sent: who, when, from which files, its hash."""
    graph, identifier, content_hash = contribution.graph, contribution.id, contribution.content_hash
    who, name = agent(by)
    source = source_of(identifier)
    prov, dct = PREFIXES["prov"], PREFIXES["dct"]
    names = sorted({path.name for path in contribution.files})
    triples = [
        (graph, RDF_TYPE, ox.NamedNode(f"{prov}Entity")),
        (graph, LABEL, ox.Literal(f"Facts of contribution {identifier}", language="en")),
        (graph, ATTRIBUTED_TO, who),
        (graph, GENERATED_AT, timestamp(now)),
        (graph, DERIVED_FROM, source),
        (graph, CONTENT_HASH, ox.Literal(content_hash)),
        (graph, PROVENANCE_KIND, CONTRIBUTED),
        (source, RDF_TYPE, ox.NamedNode(f"{dct}BibliographicResource")),
        (source, RDF_TYPE, ox.NamedNode(f"{prov}Entity")),
        (source, PREF_LABEL, ox.Literal(f"The files of contribution {identifier}", language="en")),
        *((source, IDENTIFIER, ox.Literal(file_name)) for file_name in names),
        *_agent_triples(who, name),
    ]
    return [ox.Quad(s, p, o, ox.DefaultGraph()) for s, p, o in triples]


def acceptance(graph: ox.NamedNode, by: str, now: datetime) -> list[ox.Quad]:
    """What accepting a contribution adds to its description: the maintainer who did, and when."""
    who, name = agent(by)
    triples = [(graph, ACCEPTED_BY, who), (graph, ACCEPTED_AT, timestamp(now)), *_agent_triples(who, name)]
    return [ox.Quad(s, p, o, ox.DefaultGraph()) for s, p, o in triples]


def rejection(graph: ox.NamedNode, identifier: str, by: str, reason: str, now: datetime) -> list[ox.Quad]:
    """The record of a rejection: the maintainer, when, and the reason they gave."""
    who, name = agent(by)
    review = ox.NamedNode(f"{CSEID}review/{identifier}")
    triples = [
        (graph, INVALIDATED_BY, review),
        (graph, INVALIDATED_AT, timestamp(now)),
        (review, RDF_TYPE, ox.NamedNode(f"{PREFIXES['prov']}Activity")),
        (review, LABEL, ox.Literal(f"Rejection of contribution {identifier}", language="en")),
        (review, ASSOCIATED_WITH, who),
        (review, COMMENT, ox.Literal(reason)),
        *_agent_triples(who, name),
    ]
    return [ox.Quad(s, p, o, ox.DefaultGraph()) for s, p, o in triples]


def _agent_triples(
    who: ox.NamedNode, name: str
) -> list[tuple[ox.NamedNode, ox.NamedNode, ox.NamedNode | ox.Literal]]:
    if not who.value.startswith(f"{CSEID}contributor/"):
        return [(who, RDF_TYPE, ox.NamedNode(f"{PREFIXES['prov']}Agent"))]
    return [
        (who, RDF_TYPE, ox.NamedNode(f"{PREFIXES['prov']}Agent")),
        (who, PREF_LABEL, ox.Literal(name, language="en")),
    ]


def timestamp(now: datetime) -> ox.Literal:
    """A moment as an xsd:dateTime in UTC, to the second."""
    text = now.astimezone(UTC).replace(microsecond=0).strftime("%Y-%m-%dT%H:%M:%SZ")
    return ox.Literal(text, datatype=_DATE_TIME)
