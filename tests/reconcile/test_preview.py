"""The preview is a small HTML page whose every value is escaped, with links to web addresses only."""

from html.parser import HTMLParser

from csei_graph.reconcile import Index
from csei_graph.reconcile.preview import preview

from .conftest import HOSTILE_NAME, ID


class _Elements(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[str] = []
        self.links: list[str] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        self.links += [value or "" for name, value in attrs if name == "href"]

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def _parsed(html: str) -> _Elements:
    elements = _Elements()
    elements.feed(html)
    return elements


def test_a_preview_names_the_entity_and_what_tells_it_apart(index: Index) -> None:
    html = preview(index, f"{ID}organisation/maison-de-l-economie-solidaire-lyon")
    assert html is not None
    page = _parsed(html)
    text = " ".join(page.text)
    assert "Maison de l'Économie Solidaire" in text
    assert "France" in text and "social economy enterprise" in text
    assert "Member of Rhône Solidarity Cluster" in text
    assert page.links == ["https://www.mes-lyon.example.org/"]
    assert "script" not in page.tags


def test_every_value_is_escaped_and_no_other_scheme_is_a_link(index: Index) -> None:
    html = preview(index, f"{ID}organisation/hostile-name")
    assert html is not None
    page = _parsed(html)
    assert HOSTILE_NAME in "".join(page.text)
    assert not {"script", "img"} & set(page.tags)
    assert page.links == []


def test_an_iri_the_graph_does_not_have_has_no_preview(index: Index) -> None:
    assert preview(index, f"{ID}organisation/nowhere") is None
