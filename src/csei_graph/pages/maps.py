"""Small offline maps: the outlines of Europe's countries, bundled, cropped around a resource's location.

The outlines (`data/countries.json`) are Natural Earth 1:50m countries, projected and simplified
once; the JSON file says where they come from. Pages draw them as inline SVG, so a map needs no
script, no tile server and no request to any other host.
"""

import json
import math
from dataclasses import dataclass, field
from functools import cache, lru_cache
from html import escape
from pathlib import Path

OUTLINES = Path(__file__).resolve().parent / "data" / "countries.json"
COS_PARALLEL = math.cos(math.radians(50))
MARGIN = 0.35
MIN_SPAN = 8.0


@dataclass(frozen=True)
class CountryShape:
    """One country outline in map units; highlighted when the resource is located there."""

    code: str
    name: str
    d: str
    highlighted: bool


@dataclass(frozen=True)
class MapDrawing:
    """What a page draws: the SVG view box, the outlines in it and the points (x, y) to mark.

    `svg` is the drawing as an SVG element, made once: pages of resources in the same country share it.
    """

    view_box: str
    shapes: tuple[CountryShape, ...]
    points: tuple[tuple[float, float], ...]
    stroke: float
    svg: str = field(default="", compare=False)


@cache
def _outlines() -> dict[str, dict]:
    return json.loads(OUTLINES.read_text(encoding="utf-8"))["countries"]


# Europe as the overview maps show it: Iceland to Cyprus, Lisbon to Helsinki, in map units.
EUROPE_VIEW = (-16.0, -71.5, 30.0, -34.0)


def country_centre(code: str) -> tuple[float, float] | None:
    """The centre of a country's bounding box in map units, or None when it is not on the map."""
    outline = _outlines().get(code)
    if outline is None:
        return None
    left, top, right, bottom = outline["bbox"]
    return ((left + right) / 2, (top + bottom) / 2)


def around(centre: tuple[float, float], index: int) -> tuple[float, float]:
    """The index-th place of a spiral around a centre: marks of one country that do not overlap."""
    if index == 0:
        return centre
    angle = index * 2.39996  # the golden angle: the marks spread evenly
    radius = 0.32 * math.sqrt(index)
    return (round(centre[0] + radius * math.cos(angle), 2), round(centre[1] + radius * math.sin(angle), 2))


def europe(
    values: dict[str, float],
    titles: dict[str, str],
    marks: tuple[tuple[float, float, str, str], ...] = (),
    css_class: str = "map europe",
) -> str:
    """Europe as an SVG element: each country (ISO alpha-3) shaded by its value in 0..1 (none: plain
    land) with its title, and marks at (x, y) in map units with their title and link (href, or "")."""
    left, top, right, bottom = EUROPE_VIEW
    view_box = f"{left} {top} {right - left} {bottom - top}"
    stroke = round((right - left) / 600, 3)
    parts = [
        f'<svg class="{escape(css_class)}" viewBox="{view_box}" '
        'xmlns="http://www.w3.org/2000/svg" role="img">'
    ]
    for code, outline in sorted(_outlines().items()):
        if not _overlaps(outline["bbox"], EUROPE_VIEW):
            continue
        title = escape(titles.get(code, outline["name"]))
        shape = f'stroke-width="{stroke}" d="{escape(outline["d"])}"><title>{title}</title></path>'
        if code in values:
            shade = 0.2 + 0.8 * max(0.0, min(1.0, values[code]))
            parts.append(
                f'<path class="shaded" data-country="{escape(code)}" fill-opacity="{shade:.2f}" {shape}'
            )
        else:
            parts.append(f'<path class="land" {shape}')
    for x, y, title, href in marks:
        dot = (
            f'<circle class="point" cx="{x}" cy="{y}" r="{stroke * 3:.3f}">'
            f"<title>{escape(title)}</title></circle>"
        )
        parts.append(f'<a href="{escape(href)}">{dot}</a>' if href else dot)
    parts.append("</svg>")
    return "\n".join(parts)


def project(latitude: float, longitude: float) -> tuple[float, float]:
    """Map units of a point, in the projection of the bundled outlines."""
    return (round(longitude * COS_PARALLEL, 2), round(-latitude, 2))


@lru_cache(maxsize=1024)
def draw(country_codes: tuple[str, ...], points: tuple[tuple[float, float], ...]) -> MapDrawing | None:
    """A map around the given countries (ISO 3166 alpha-3) and (latitude, longitude) points, or None
    when none of them lies on the bundled map."""
    outlines = _outlines()
    known = [code for code in country_codes if code in outlines]
    marks = tuple(project(lat, lon) for lat, lon in points)
    boxes = [outlines[code]["bbox"] for code in known] + [[x, y, x, y] for x, y in marks]
    if not boxes:
        return None
    left, top = min(b[0] for b in boxes), min(b[1] for b in boxes)
    right, bottom = max(b[2] for b in boxes), max(b[3] for b in boxes)
    span = max(right - left, bottom - top, MIN_SPAN) * (1 + 2 * MARGIN)
    centre_x, centre_y = (left + right) / 2, (top + bottom) / 2
    view = (centre_x - span / 2, centre_y - span / 2, centre_x + span / 2, centre_y + span / 2)
    shapes = tuple(
        CountryShape(code, outline["name"], outline["d"], code in known)
        for code, outline in sorted(outlines.items())
        if _overlaps(outline["bbox"], view)
    )
    view_box = f"{view[0]:.2f} {view[1]:.2f} {span:.2f} {span:.2f}"
    stroke = round(span / 400, 3)
    return MapDrawing(view_box, shapes, marks, stroke, _svg(view_box, shapes, marks, stroke))


def _svg(
    view_box: str, shapes: tuple[CountryShape, ...], marks: tuple[tuple[float, float], ...], stroke: float
) -> str:
    parts = [f'<svg class="map" viewBox="{view_box}" xmlns="http://www.w3.org/2000/svg" aria-hidden="true">']
    for shape in shapes:
        kind = "here" if shape.highlighted else "land"
        outline = f'<path class="{kind}" stroke-width="{stroke}" d="{escape(shape.d)}">'
        parts.append(f"{outline}<title>{escape(shape.name)}</title></path>")
    parts += [f'<circle class="point" cx="{x}" cy="{y}" r="{stroke * 5:.3f}"/>' for x, y in marks]
    parts.append("</svg>")
    return "\n".join(parts)


def _overlaps(box: list[float], view: tuple[float, float, float, float]) -> bool:
    return not (box[2] < view[0] or box[0] > view[2] or box[3] < view[1] or box[1] > view[3])
