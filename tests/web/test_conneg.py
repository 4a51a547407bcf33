"""Content negotiation and conditional requests, rule by rule, without a server."""

import pytest

from csei_graph.web import conneg
from csei_graph.web.conneg import HTML, JSONLD, NTRIPLES, RDFXML, TURTLE

DOCUMENTS = conneg.DOCUMENT_REPRESENTATIONS
BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8"


@pytest.mark.parametrize(
    ("accept", "expected"),
    [
        (None, HTML),
        ("", HTML),
        ("*/*", HTML),
        (BROWSER, HTML),
        ("text/turtle", TURTLE),
        ("application/ld+json", JSONLD),
        ("application/n-triples", NTRIPLES),
        ("application/rdf+xml", RDFXML),
        ("application/json", JSONLD),
        ("text/*", HTML),
        ("text/html;q=0.5, text/turtle", TURTLE),
        ("application/rdf+xml;q=0.9, text/turtle;q=0.8, */*;q=0.1", RDFXML),
        # A type named outright beats the same quality reached through a wildcard.
        ("*/*, application/n-triples", NTRIPLES),
        # application/json only picks JSON-LD when nothing the client names more exactly is there.
        ("application/json, text/turtle", TURTLE),
        ("TEXT/TURTLE", TURTLE),
        ("text/turtle; charset=utf-8; q=1", TURTLE),
    ],
)
def test_negotiation_picks_what_the_client_prefers(
    accept: str | None, expected: conneg.Representation
) -> None:
    assert conneg.negotiate(accept, DOCUMENTS) is expected


@pytest.mark.parametrize("accept", ["image/png", "text/html;q=0, */*;q=0", "application/pdf, image/*"])
def test_nothing_acceptable_names_what_there_is(accept: str) -> None:
    with pytest.raises(conneg.NotAcceptable) as refused:
        conneg.negotiate(accept, DOCUMENTS)
    assert refused.value.offered == DOCUMENTS
    assert "text/turtle (?format=turtle)" in str(refused.value)


def test_a_zero_quality_excludes_only_what_it_names() -> None:
    assert conneg.negotiate("text/html;q=0, */*", DOCUMENTS) is TURTLE


def test_malformed_media_ranges_are_skipped() -> None:
    assert conneg.negotiate("nonsense, text/turtle;q=abc, /, */json", DOCUMENTS) is TURTLE


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("ttl", TURTLE),
        ("turtle", TURTLE),
        ("text/turtle", TURTLE),
        ("JSON-LD", JSONLD),
        ("nt", NTRIPLES),
        ("rdf", RDFXML),
    ],
)
def test_format_parameter_overrides_accept(value: str, expected: conneg.Representation) -> None:
    assert conneg.choose(BROWSER, value, DOCUMENTS) is expected


def test_unknown_format_parameter_says_which_there_are() -> None:
    with pytest.raises(conneg.UnknownFormat, match="use one of html, turtle, jsonld, ntriples, rdfxml"):
        conneg.choose(None, "pdf", DOCUMENTS)


def test_link_header_names_each_alternate_with_its_type() -> None:
    header = conneg.link_header([("/doc/x.ttl", TURTLE), ("/doc/x.nt", NTRIPLES)], canonical="/doc/x")
    assert header == (
        '</doc/x>; rel="canonical", </doc/x.ttl>; rel="alternate"; type="text/turtle", '
        '</doc/x.nt>; rel="alternate"; type="application/n-triples"'
    )


def test_entity_tags_depend_only_on_the_bytes() -> None:
    assert conneg.etag_for(b"same") == conneg.etag_for(b"same")
    assert conneg.etag_for(b"same") != conneg.etag_for(b"other")
    assert conneg.etag_for(b"x").startswith('"') and conneg.etag_for(b"x").endswith('"')


@pytest.mark.parametrize(
    ("headers", "expected"),
    [
        ({"if-none-match": '"abc"'}, True),
        ({"if-none-match": 'W/"abc"'}, True),
        ({"if-none-match": '"zzz", "abc"'}, True),
        ({"if-none-match": "*"}, True),
        ({"if-none-match": '"zzz"'}, False),
        # If-None-Match decides when both are sent.
        ({"if-none-match": '"zzz"', "if-modified-since": "Sun, 01 Jan 2090 00:00:00 GMT"}, False),
        ({"if-modified-since": "Sun, 01 Jan 2090 00:00:00 GMT"}, True),
        ({"if-modified-since": conneg.http_date(1_700_000_000)}, True),
        ({"if-modified-since": conneg.http_date(1_699_999_999)}, False),
        ({"if-modified-since": "not a date"}, False),
        ({}, False),
    ],
)
def test_conditional_requests(headers: dict[str, str], expected: bool) -> None:
    assert conneg.is_not_modified(headers, '"abc"', 1_700_000_000.5) is expected


def test_without_a_modification_time_only_the_entity_tag_counts() -> None:
    assert not conneg.is_not_modified({"if-modified-since": "Sun, 01 Jan 2090 00:00:00 GMT"}, '"a"', None)


def test_text_types_say_their_encoding() -> None:
    assert TURTLE.content_type == "text/turtle; charset=utf-8"
    assert JSONLD.content_type == "application/ld+json; charset=utf-8"
    assert NTRIPLES.content_type == "application/n-triples"
