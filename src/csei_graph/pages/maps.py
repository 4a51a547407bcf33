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
