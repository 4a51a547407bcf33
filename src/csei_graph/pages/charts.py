"""Charts of stored-query results drawn as inline SVG on the server: bars, a map of countries, years.

No script and no request: a chart is part of the page, readable on the static site and on `csei
serve` alike. Which chart suits a result is read from its columns (`chart_for`).
"""

from collections import Counter
from dataclasses import dataclass
from html import escape

from csei_graph.namespaces import COUNTRY
from csei_graph.pages import maps
from csei_graph.pages.model import Value

BAR_LIMIT = 30
BAR_HEIGHT = 18
LABEL_WIDTH = 260
BAR_WIDTH = 420


@dataclass(frozen=True)
class Chart:
    """A chart of a result: its kind (bars, choropleth, years), caption and the SVG that draws it."""

    kind: str
    caption: str
    svg: str


XSD = "http://www.w3.org/2001/XMLSchema#"
# Numbers a chart adds up: counts and amounts, not years or codes that look like numbers.
NUMERIC = {
    f"{XSD}{name}"
    for name in (
        "integer",
        "decimal",
        "double",
        "float",
        "int",
        "long",
        "nonNegativeInteger",
        "positiveInteger",
    )
}


def _number(value: Value | None) -> float | None:
    if value is None or value.link is not None or value.datatype is None or value.datatype.iri not in NUMERIC:
        return None
    try:
        return float(value.text)
    except ValueError:
        return None


DATES = {f"{XSD}{name}" for name in ("date", "dateTime", "gYear", "gYearMonth")}


def _year(value: Value | None) -> int | None:
    dated = value is not None and value.datatype is not None and value.datatype.iri in DATES
    text = value.text if dated else ""  # type: ignore[union-attr]
    return (
        int(text[:4])
        if len(text) >= 4 and text[:4].isdigit() and (len(text) == 4 or text[4] == "-")
        else None
    )


def bars(pairs: list[tuple[str, float]], caption: str, css_class: str = "chart bars") -> str:
    """Horizontal bars, one per (label, value), largest first, at most BAR_LIMIT."""
    shown = sorted(pairs, key=lambda pair: (-pair[1], pair[0]))[:BAR_LIMIT]
    top = max((value for _, value in shown), default=0) or 1
    height = BAR_HEIGHT * len(shown) + 4
    width = LABEL_WIDTH + BAR_WIDTH + 60
    parts = [
        f'<svg class="{css_class}" viewBox="0 0 {width} {height}" width="{width}" height="{height}" '
        f'xmlns="http://www.w3.org/2000/svg" role="img" aria-label="{escape(caption)}">'
    ]
    for index, (label, value) in enumerate(shown):
        y = index * BAR_HEIGHT + 2
        length = max(1.0, BAR_WIDTH * value / top)
        shown_label = label if len(label) <= 40 else label[:39] + "…"
        number = f"{value:g}"
        parts.append(
            f'<g class="bar"><title>{escape(label)}: {number}</title>'
            f'<text x="{LABEL_WIDTH - 6}" y="{y + 13}" text-anchor="end">{escape(shown_label)}</text>'
            f'<rect x="{LABEL_WIDTH}" y="{y + 2}" width="{length:.1f}" height="{BAR_HEIGHT - 5}"/>'
            f'<text class="value" x="{LABEL_WIDTH + length + 4:.1f}" y="{y + 13}">{number}</text></g>'
        )
    parts.append("</svg>")
    return "".join(parts)


def columns_chart(counts: dict[int, int], caption: str) -> str:
    """Vertical columns, one per year, in order: how many rows each year has."""
    years = list(range(min(counts), max(counts) + 1)) if counts else []
    step = max(8, min(40, 640 // max(1, len(years))))
    top = max(counts.values(), default=0) or 1
    width, height = step * len(years) + 40, 180
    parts = [
        f'<svg class="chart years" viewBox="0 0 {width} {height}" width="{width}" height="{height}" '
        f'xmlns="http://www.w3.org/2000/svg" role="img" aria-label="{escape(caption)}">'
    ]
    for index, year in enumerate(years):
        count = counts.get(year, 0)
        length = 140 * count / top
        x = 20 + index * step
        parts.append(
            f'<g class="bar"><title>{year}: {count}</title>'
            f'<rect x="{x}" y="{150 - length:.1f}" width="{step - 2}" height="{length:.1f}"/></g>'
        )
        if index % max(1, len(years) // 8) == 0:
            parts.append(f'<text x="{x}" y="168">{year}</text>')
    parts.append("</svg>")
    return "".join(parts)


def _one_row_each(rows: tuple[tuple[Value | None, ...], ...], index: int) -> bool:
    """Whether no resource of a column has two rows: a count per resource, not several figures each."""
    seen = [row[index].link.iri for row in rows if row[index] is not None and row[index].link]  # type: ignore[union-attr]
    return len(seen) == len(set(seen))


def chart_for(columns: tuple[str, ...], rows: tuple[tuple[Value | None, ...], ...]) -> tuple[Chart, ...]:
    """The charts that read better than the table: a map and bars for counts per country, bars for
    counts per resource, columns for dates by year (memberships over time)."""
    if not rows or not columns:
        return ()
    numeric = [
        i for i in range(len(columns)) if all(_number(r[i]) is not None for r in rows if r[i] is not None)
    ]
    numeric = [i for i in numeric if any(r[i] is not None for r in rows)]
    linked = [i for i in range(len(columns)) if any(r[i] is not None and r[i].link for r in rows)]  # type: ignore[union-attr]
    charts: list[Chart] = []
    keys = [i for i in linked if _one_row_each(rows, i)]
    if numeric and keys:
        key, measure = keys[0], numeric[0]
        totals: Counter[str] = Counter()
        by_country: Counter[str] = Counter()
        titles: dict[str, str] = {}
        for row in rows:
            cell, number = row[key], _number(row[measure])
            if cell is None or cell.link is None or number is None:
                continue
            totals[cell.link.label] += number  # type: ignore[assignment]
            if cell.link.iri.startswith(str(COUNTRY)):
                code = cell.link.iri.removeprefix(str(COUNTRY))
                by_country[code] += number  # type: ignore[assignment]
                titles[code] = f"{cell.link.label}: {by_country[code]:g}"
        caption = f"{columns[measure]} by {columns[key]}"
        if by_country:
            top = max(by_country.values()) or 1
            shades = {code: value / top for code, value in by_country.items()}
            charts.append(
                Chart("choropleth", caption, maps.europe(shades, titles, css_class="map europe choropleth"))
            )
        charts.append(Chart("bars", caption, bars(list(totals.items()), caption)))
        return tuple(charts)
    dated = [i for i in range(len(columns)) if any(_year(r[i]) for r in rows)]
    if dated:
        years = Counter(year for row in rows if (year := _year(row[dated[0]])) is not None)
        caption = f"rows by year of {columns[dated[0]]}"
        charts.append(Chart("years", caption, columns_chart(dict(years), caption)))
    return tuple(charts)
