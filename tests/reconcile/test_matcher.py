"""Scores rank exact names, alternative names and fuzzy ones; a match is certain or not made."""

import pytest

from csei_graph.reconcile import Condition, Index, Query, QueryError, reconcile
from csei_graph.reconcile.matcher import ALTERNATIVE_NAME, FUZZY_WEIGHT, MATCH_LEAD, PREFERRED_NAME

from .conftest import ACTOR_KIND, CLUSTER, COUNTRY, ID, MEMBER_OF, ORGANISATION, WEBSITE

LYON = f"{ID}organisation/maison-de-l-economie-solidaire-lyon"
LIEGE = f"{ID}organisation/maison-de-l-economie-solidaire-liege"
MES = "Maison de l'Économie Solidaire"


def _best(index: Index, query: Query) -> tuple[str, float, bool]:
    first = reconcile(index, query)[0]
    return first.entity.iri, first.score, first.match


@pytest.mark.parametrize("text", ["groupe Archer", "GROUPE ARCHER", "Groupe-Archer", "  groupe   archer "])
def test_an_exact_name_matches_whatever_its_case_and_punctuation(index: Index, text: str) -> None:
    assert _best(index, Query(text)) == (f"{ID}organisation/groupe-archer", PREFERRED_NAME, True)


def test_accents_are_set_aside(index: Index) -> None:
    assert _best(index, Query("cress rhone-alpes")) == (f"{ID}organisation/cress-rhone-alpes", 100.0, True)


def test_an_alternative_name_scores_below_the_preferred_one_and_matches(index: Index) -> None:
    assert _best(index, Query("ESCA")) == (f"{ID}organisation/esca", ALTERNATIVE_NAME, True)


def test_a_fuzzy_name_is_proposed_but_never_a_match(index: Index) -> None:
    iri, score, match = _best(index, Query("Europan Comission", (ORGANISATION,)))
    assert iri == f"{ID}organisation/european-commission"
    assert 70 < score <= 100 * FUZZY_WEIGHT and not match


def test_namesakes_are_no_match_and_come_in_iri_order(index: Index) -> None:
    candidates = reconcile(index, Query(MES))
    assert [c.entity.iri for c in candidates[:2]] == [LIEGE, LYON]
    assert [c.score for c in candidates[:2]] == [PREFERRED_NAME, PREFERRED_NAME]
    assert not any(c.match for c in candidates)


def test_a_condition_tells_namesakes_apart(index: Index) -> None:
    in_france = Query(MES, conditions=(Condition(COUNTRY, ("France",)),))
    candidates = reconcile(index, in_france)
    assert candidates[0].entity.iri == LYON and candidates[0].match
    assert candidates[0].score - candidates[1].score >= MATCH_LEAD
    assert dict(candidates[0].conditions) == {COUNTRY: 100.0}
    liege = next(c for c in candidates if c.entity.iri == LIEGE)
    assert dict(liege.conditions) == {COUNTRY: 0.0}
    by_kind = Query(MES, conditions=(Condition(ACTOR_KIND, ("civil-society-organisation",)),))
    assert _best(index, by_kind)[0::2] == (LIEGE, True)
    by_cluster = Query(MES, conditions=(Condition(MEMBER_OF, ("Rhône Solidarity Cluster",)),))
    assert _best(index, by_cluster)[0] == LYON
    by_website = Query(MES, conditions=(Condition(WEBSITE, ("http://mes-lyon.example.org",)),))
    assert _best(index, by_website)[0] == LYON


def test_a_contradicted_condition_prevents_a_match(index: Index) -> None:
    candidates = reconcile(index, Query("groupe archer", conditions=(Condition(COUNTRY, ("DEU",)),)))
    # The graph states no country for it: not a contradiction.
    assert candidates[0].match
    candidates = reconcile(index, Query("Labo de l'ESS", conditions=(Condition(COUNTRY, ("DEU",)),)))
    assert candidates[0].entity.iri == f"{ID}organisation/labo-de-l-ess"
    assert not candidates[0].match and dict(candidates[0].conditions) == {COUNTRY: 0.0}


def test_types_filter(index: Index) -> None:
    assert {c.entity.iri for c in reconcile(index, Query(MES, (CLUSTER,)))}.isdisjoint({LYON, LIEGE})
    typed = reconcile(index, Query("Rhone Solidarity Cluster", (ORGANISATION, CLUSTER), "all"))
    assert typed == []
    assert _best(index, Query("Rhone Solidarity Cluster", (ORGANISATION, CLUSTER)))[0].endswith(
        "rhone-solidarity-cluster"
    )


def test_a_query_by_properties_alone_finds_the_holders(index: Index) -> None:
    candidates = reconcile(
        index, Query("", (ORGANISATION,), conditions=(Condition(COUNTRY, ("BEL",)),), limit=100)
    )
    assert LIEGE in {c.entity.iri for c in candidates}
    assert all(c.name_score is None and not c.match for c in candidates)


def test_the_same_query_gives_the_same_answer(index: Index) -> None:
    query = Query("maison economie", limit=20)
    assert reconcile(index, query) == reconcile(index, query)
    scores = [(-c.score, c.entity.iri) for c in reconcile(index, query)]
    assert scores == sorted(scores)


def test_limit_cuts_after_the_match_is_decided(index: Index) -> None:
    both = reconcile(index, Query(MES, limit=1))
    assert len(both) == 1 and not both[0].match


@pytest.mark.parametrize(
    ("query", "message"),
    [
        (lambda: Query("x", ("http://example.org/Thing",)), "unknown type"),
        (lambda: Query("x", conditions=(Condition("http://example.org/p", ("v",)),)), "unknown property"),
        (lambda: Query("x", type_strict="some"), "type_strict"),
        (lambda: Query("  "), "neither a name"),
        (lambda: Query("x", limit=0), "limit is 0"),
    ],
)
def test_a_query_that_cannot_be_answered_says_why(query, message: str) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(QueryError, match=message):
        query()
