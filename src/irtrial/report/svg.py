"""Make matplotlib's SVG light for the page and for WeasyPrint, without changing the drawing.

matplotlib writes every marker as a ``<use>`` of a shared path, wraps every artist in an
``<g id=...>``, adds RDF metadata and six-decimal coordinates. A browser does not mind, but
WeasyPrint draws SVG in Python, node by node and number by number: the 8 figures of the
replica's report (about 3,000 nodes) cost as much PDF time as its 14 pages of tables.
:func:`slim_svg` rewrites the element tree:

* the ``<metadata>`` block is dropped;
* a ``<g>`` whose only attribute is an ``id`` that nothing refers to is replaced by its
  children (it carries no style, transform or clip);
* a run of sibling ``<use>`` elements with the same target path and the same attributes but
  ``x``/``y`` becomes one ``<path>`` holding a translated copy of the target per element (the
  same shapes, filled and stroked with the same style);
* path coordinates are written with 2 decimals (1/100 pt = 3.5 micrometres).

References (``href="#id"``, ``url(#id)``) are kept: an element that is referred to is never
removed. The result is an ``<svg>`` element string without XML prolog.

Examples
--------
>>> svg = ('<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink">'
...        '<defs><path id="m" d="M 0 -1 L 1 1 L -1 1 z"/></defs><g id="markers">'
...        '<use xlink:href="#m" x="10.123456" y="5" style="fill: red"/>'
...        '<use xlink:href="#m" x="20" y="5" style="fill: red"/></g></svg>')
>>> print(slim_svg(svg).split("</defs>")[1])
<path d="M 10.12 4 L 11.12 6 L 9.12 6 z M 20 4 L 21 6 L 19 6 z" style="fill: red" /></svg>
"""

from __future__ import annotations

import re
from xml.etree import ElementTree as ET

__all__ = ["slim_svg"]

_SVG = "http://www.w3.org/2000/svg"
_XLINK = "http://www.w3.org/1999/xlink"
ET.register_namespace("", _SVG)
ET.register_namespace("xlink", _XLINK)

_G, _USE, _PATH, _META, _DEFS = (f"{{{_SVG}}}{t}" for t in ("g", "use", "path", "metadata",
                                                           "defs"))
_HREF = f"{{{_XLINK}}}href"
_REF = re.compile(r"url\(#([^)]+)\)")
_NUMBER = re.compile(r"-?\d+\.\d+(?:[eE]-?\d+)?")
_TOKEN = re.compile(r"[A-Za-z]|-?\d*\.?\d+(?:[eE][-+]?\d+)?")
#: path commands whose arguments are absolute (x, y) pairs (and the close): such a path can
#: be translated
_ABSOLUTE_XY = set("MLCQSTZz")


def _num(value: float) -> str:
    text = f"{value:.2f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "", "-") else text


def _round(match: re.Match) -> str:
    return _num(float(match.group(0)))


def _translatable(d: str) -> list[str] | None:
    """The tokens of an absolute M/L/C/Q/S/T/Z path (else None: it cannot be shifted)."""
    tokens = _TOKEN.findall(d)
    if not tokens or any(t.isalpha() and t not in _ABSOLUTE_XY for t in tokens):
        return None  # relative commands, arcs or H/V would need more than a shift
    return tokens


def _shift(tokens: list[str], x: float, y: float) -> str:
    out, k = [], 0
    for t in tokens:
        if t.isalpha():
            out.append(t)
            k = 0
        else:
            out.append(_num(float(t) + (x if k % 2 == 0 else y)))
            k += 1
    return " ".join(out)


def _use_key(el: ET.Element) -> tuple | None:
    if el.tag != _USE or el.get(_HREF, "")[:1] != "#":
        return None
    rest = tuple(sorted((k, v) for k, v in el.attrib.items() if k not in ("x", "y", _HREF)))
    return el.get(_HREF)[1:], rest


def _rewrite(parent: ET.Element, referenced: set[str], shapes: dict[str, list[str]]) -> None:
    children = list(parent)
    for child in children:
        if child.tag != _DEFS:
            _rewrite(child, referenced, shapes)
    flat: list[ET.Element] = []
    for child in children:
        if (child.tag == _G and set(child.attrib) == {"id"}
                and child.get("id") not in referenced):
            flat.extend(child)
        elif child.tag != _META:
            flat.append(child)
    merged: list[ET.Element] = []
    run_key, run_parts = None, []
    for child in [*flat, None]:
        key = _use_key(child) if child is not None else None
        if key is not None and key[0] in shapes and child.get("id") is None:
            if key == run_key:
                run_parts.append(_shift(shapes[key[0]], float(child.get("x", 0)),
                                        float(child.get("y", 0))))
                continue
        if run_key is not None:
            path = ET.Element(_PATH, {"d": " ".join(run_parts), **dict(run_key[1])})
            merged.append(path)
            run_key, run_parts = None, []
        if key is not None and key[0] in shapes and child.get("id") is None:
            run_key = key
            run_parts = [_shift(shapes[key[0]], float(child.get("x", 0)),
                                float(child.get("y", 0)))]
            continue
        if child is not None:
            merged.append(child)
    parent[:] = merged


def slim_svg(svg: str) -> str:
    """The same drawing with fewer nodes and shorter numbers (see the module docstring)."""
    root = ET.fromstring(svg)
    referenced: set[str] = set()
    for el in root.iter():
        href = el.get(_HREF) or el.get("href")
        if href and href.startswith("#"):
            referenced.add(href[1:])
        for value in el.attrib.values():
            referenced.update(_REF.findall(value))
    shapes = {}
    for el in root.iter(_PATH):
        if el.get("id") and not el.get("transform") and el.get("d"):
            tokens = _translatable(el.get("d"))
            if tokens is not None:
                shapes[el.get("id")] = tokens
    _rewrite(root, referenced, shapes)
    for el in root.iter(_PATH):
        d = el.get("d")
        if d:
            el.set("d", _NUMBER.sub(_round, " ".join(d.split())))
    return ET.tostring(root, encoding="unicode")
