"""Terms between the store and rdflib: ill-typed literals made quietly, and only where asked."""

import logging
import warnings

import pytest
from rdflib import Literal
from rdflib.namespace import XSD

from csei_graph.terms import ill_typed_literals_quiet


def test_an_ill_typed_literal_is_made_quietly_inside_the_block(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.WARNING, logger="rdflib.term"), warnings.catch_warnings(record=True) as seen:
        warnings.simplefilter("always")
        with ill_typed_literals_quiet():
            Literal("abc", datatype=XSD.integer)
            Literal("maybe", datatype=XSD.boolean)
    assert not caplog.records
    assert not [w for w in seen if "weird boolean" in str(w.message)]


def test_the_block_leaves_logging_and_warnings_as_they_were() -> None:
    logger = logging.getLogger("rdflib.term")
    filters, warning_filters = list(logger.filters), list(warnings.filters)
    with ill_typed_literals_quiet():
        assert len(logger.filters) == len(filters) + 1
    assert logger.filters == filters
    assert warnings.filters == warning_filters


def test_outside_the_block_rdflib_complains(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.WARNING, logger="rdflib.term"):
        Literal("abc", datatype=XSD.integer)
    assert any("Failed to convert Literal lexical form" in r.getMessage() for r in caplog.records)
