"""``slim_svg``: the same drawing with fewer nodes (checked on hand-made SVG and on a real
matplotlib scatter)."""

from __future__ import annotations

import re
from xml.etree import ElementTree as ET

import numpy as np

from irtrial.report import figures
from irtrial.report.svg import slim_svg

SVG = "http://www.w3.org/2000/svg"
HEAD = ('<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" '
        'width="100pt" height="50pt">')


def _tags(svg: str) -> list[str]:
    return [el.tag.split("}")[1] for el in ET.fromstring(svg).iter()]


def _subpaths(d: str) -> list[list[float]]:
    return [[float(v) for v in re.findall(r"-?\d+(?:\.\d+)?", part)]
            for part in re.split(r"(?=M)", d) if part.strip()]


def test_marker_runs_become_one_path_at_the_same_places():
    svg = (HEAD + '<defs><path id="m" d="M 0 -1.5 L 1.5 1.5 L -1.5 1.5 z"/></defs>'
           '<g id="PathCollection_1"><g clip-path="url(#c)">'
           '<use xlink:href="#m" x="10.123456" y="20" style="fill: #0072b2"/>'
           '<use xlink:href="#m" x="30" y="40.004" style="fill: #0072b2"/>'
           '<use xlink:href="#m" x="50" y="5" style="fill: #d55e00"/>'
           '</g></g><clipPath id="c"><rect width="100" height="50"/></clipPath></svg>')
    out = slim_svg(svg)
    tags = _tags(out)
    assert "use" not in tags and "metadata" not in tags
    paths = [el for el in ET.fromstring(out).iter(f"{{{SVG}}}path") if not el.get("id")]
    # one path per run of equal style: blue (2 markers), orange (1)
    assert [p.get("style") for p in paths] == ["fill: #0072b2", "fill: #d55e00"]
    blue = _subpaths(paths[0].get("d"))
    np.testing.assert_allclose(blue[0], [10.12, 18.5, 11.62, 21.5, 8.62, 21.5], atol=0.006)
    np.testing.assert_allclose(blue[1], [30, 38.5, 31.5, 41.5, 28.5, 41.5], atol=0.006)
    # the clip group keeps its clip (not an id-only group); the id-only wrapper is gone
    assert 'clip-path="url(#c)"' in out and 'id="PathCollection_1"' not in out


def test_referenced_ids_and_untranslatable_markers_are_kept():
    svg = (HEAD + '<defs><path id="r" d="m 0 0 l 1 1"/><g id="keep"><path d="M 0 0 L 1 1"/>'
           '</g></defs><g id="used"><path d="M 1 1 L 2 2"/></g>'
           '<use xlink:href="#used" x="3" y="3"/><use xlink:href="#r" x="1" y="1"/>'
           '<use xlink:href="#r" x="2" y="2"/></svg>')
    out = slim_svg(svg)
    root = ET.fromstring(out)
    ids = {el.get("id") for el in root.iter() if el.get("id")}
    targets = set(re.findall(r'href="#([^"]+)"', out)) | set(re.findall(r"url\(#([^)]+)\)",
                                                                        out))
    assert targets <= ids  # nothing refers to a removed element
    assert {"used", "keep", "r"} <= ids
    assert out.count("<use") == 3  # a relative path ("m", "l") is not translated


def test_real_scatter_keeps_every_point_and_fewer_nodes():
    rng = np.random.default_rng(1)
    x, y = rng.normal(size=200), rng.normal(size=200)
    ax = figures.new_axes()
    ax.scatter(x, y, s=9, marker=figures._DOT)
    import io

    import matplotlib

    buf = io.StringIO()
    with matplotlib.rc_context({"svg.hashsalt": "t", "svg.fonttype": "none"}):
        ax.figure.savefig(buf, format="svg")
    raw = buf.getvalue()
    raw = raw[raw.index("<svg"):]
    slim = slim_svg(raw)
    assert len(_tags(slim)) < len(_tags(raw)) / 3
    # every marker's position (x, y of its <use>) is the centre of one subpath of the merged path
    uses = re.findall(r'<use xlink:href="#([^"]+)" x="([^"]+)" y="([^"]+)"', raw)
    marker = max(set(u[0] for u in uses), key=[u[0] for u in uses].count)
    uses = [u[1:] for u in uses if u[0] == marker]
    assert len(uses) == 200
    merged = max((el.get("d") for el in ET.fromstring(slim).iter(f"{{{SVG}}}path")), key=len)
    centres = []
    for sub in _subpaths(merged):
        pts = np.reshape(sub, (-1, 2))
        centres.append((pts[:, 0].min() + pts[:, 0].max()) / 2)
    np.testing.assert_allclose(sorted(centres), sorted(float(u[0]) for u in uses), atol=0.011)
    assert figures.to_svg(ax.figure, close=True).count("<use") == 0
