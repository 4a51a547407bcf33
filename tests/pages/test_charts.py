"""Which chart a stored query's result gets: counts per country as a map and bars, counts per
resource as bars, dates as columns by year, and nothing for figures that do not add up."""

from csei_graph.pages.charts import chart_for
from csei_graph.pages.model import Link, Value

XSD = "http://www.w3.org/2001/XMLSchema#"
COUNTRY = "http://publications.europa.eu/resource/authority/country/"


def _count(n: int) -> Value:
    return Value(str(n), datatype=Link(f"{XSD}integer", "integer"))


def _resource(iri: str, label: str) -> Value:
    return Value(label, link=Link(iri, label))


def test_counts_per_country_are_a_map_and_bars() -> None:
    rows = (
        (_resource(f"{COUNTRY}FRA", "France"), _count(12)),
        (_resource(f"{COUNTRY}POL", "Poland"), _count(9)),
    )
    charts = chart_for(("country", "clusters"), rows)
    assert [c.kind for c in charts] == ["choropleth", "bars"]
    assert 'data-country="FRA"' in charts[0].svg and 'data-country="POL"' in charts[0].svg
    assert "France: 12" in charts[1].svg


def test_dates_are_columns_by_year_and_years_are_not_numbers() -> None:
    year = Link(f"{XSD}gYear", "gYear")
    rows = tuple(
        (_resource(f"https://w3id.org/csei/id/organisation/o{i}", f"O{i}"), Value(y, datatype=year))
        for i, y in enumerate(("2010", "2012", "2012"))
    )
    (chart,) = chart_for(("member", "start"), rows)
    assert chart.kind == "years" and "2012: 2" in chart.svg and "2011: 0" in chart.svg


def test_several_figures_of_one_resource_are_not_added_up() -> None:
    programme = _resource("https://w3id.org/csei/id/programme/cosme", "COSME")
    assert chart_for(("subject", "value"), ((programme, _count(3)), (programme, _count(400)))) == ()
