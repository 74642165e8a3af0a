"""The PDF child process of :mod:`irtrial.report.pdf` (run as a script: it imports WeasyPrint
and the standard library only, not irtrial).

Reads one JSON message per line on stdin:

``{"style": css}``
    first: the report's stylesheet (parsed once);
``{"part": html}``
    a part of the report (a document of its own, starting a new page), laid out at once;
``{"end": true, "cover": html}``
    the title and contents, laid out last (they list the sections that were built) and put
    first. Then the pages are numbered and the PDF written to the path given as argument.

Page numbers: each part is laid out on its own, so its margin boxes (``counter(page)``,
``counter(pages)``) count its own pages. A "frame" document of as many empty pages as the
whole report is laid out with the same stylesheet, and each page's margin boxes are replaced
by the frame page's, then the pages are drawn into one PDF (``Document.copy``, as WeasyPrint
documents for combining documents). Links between parts resolve, as the anchors of every page
are known at drawing time. This uses WeasyPrint's page boxes (``Page._page_box``), pinned in
pyproject.toml; if they are not as expected, the report is laid out again as one document
(same content and page breaks) and ``fallback:`` is written on stderr.
"""

from __future__ import annotations

import json
import logging
import os
import sys


def _document(html: str, sheets, fonts):
    import weasyprint

    return weasyprint.HTML(string=html).render(stylesheets=sheets, font_config=fonts)


#: laid out and drawn while the first part is computed: loads the fonts, text shaping and the
#: C types that WeasyPrint's drawing needs, so the report's own parts do not pay for them
_WARM_UP = """<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"></head><body><main>
<h2>Warm-up</h2><p>Text <strong>bold</strong> <em>italic</em> [1.0, 2.0] &lt; 0.001</p>
<table><thead><tr><th>a</th></tr></thead><tbody><tr><td class="num">1.0</td></tr></tbody></table>
<pre class="code">x &lt;- 1</pre><figure><svg xmlns="http://www.w3.org/2000/svg" width="40pt"
height="20pt" viewBox="0 0 40 20"><path d="M 0 0 L 10 10 C 1 2 3 4 5 6 z" clip-path="url(#c)"
style="fill: #0072b2; stroke: #000; stroke-width: 0.8; fill-opacity: 0.6"/><clipPath id="c">
<rect x="0" y="0" width="40" height="20"/></clipPath><text x="1" y="10"
style="font: 10px 'DejaVu Sans'; text-anchor: middle" transform="rotate(-90 1 10)">Ay</text>
</svg><figcaption>Figure</figcaption></figure></main></body></html>"""


def _frame_html(n: int) -> str:
    empty = '<div style="break-after: page"></div>' * (n - 1) + "<div></div>"
    return ('<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"></head>'
            f"<body>{empty}</body></html>")



def _number_pages(pages, frame) -> None:
    from weasyprint.formatting_structure.boxes import MarginBox

    if len(frame.pages) != len(pages):
        raise AssertionError(f"frame has {len(frame.pages)} pages for {len(pages)}")
    for page, numbered in zip(pages, frame.pages, strict=True):
        box, source = page._page_box, numbered._page_box
        if box.width != source.width or box.height != source.height:
            raise AssertionError("a part's page size differs from the frame's")
        margins = tuple(c for c in source.children if isinstance(c, MarginBox))
        box.children = tuple(c for c in box.children if not isinstance(c, MarginBox)) + margins


def main(path: str) -> int:
    import weasyprint
    from weasyprint.text.fonts import FontConfiguration

    logging.getLogger("weasyprint").setLevel(logging.ERROR)
    logging.getLogger("fontTools").setLevel(logging.ERROR)
    fonts = FontConfiguration()
    head = json.loads(sys.stdin.readline() or "null")
    if not head:
        return 0  # the report failed before its first part: nothing to write
    sheets = [weasyprint.CSS(string=head["style"], font_config=fonts)]
    _document(_WARM_UP, sheets, fonts).write_pdf()
    parts: list[str] = []
    docs = []
    for line in sys.stdin:
        message = json.loads(line)
        if "part" in message:
            parts.append(message["part"])
            docs.append(_document(message["part"], sheets, fonts))
            continue
        cover_html = message["cover"]
        try:
            cover = _document(cover_html, sheets, fonts)
            pages = [p for d in (cover, *docs) for p in d.pages]
            frame = _document(_frame_html(len(pages)), sheets, fonts)
            _number_pages(pages, frame)
            cover.copy(pages).write_pdf(path)
        except (AttributeError, AssertionError, TypeError, ValueError) as exc:
            print(f"fallback: {type(exc).__name__}: {exc}", file=sys.stderr)
            whole = cover_html.replace("</main>", "".join(_body(p) for p in parts) + "</main>")
            _document(whole, sheets, fonts).write_pdf(path)
        return 0
    return 0  # stdin closed without "end": the report was abandoned


def _body(html: str) -> str:
    return html.split("<main>", 1)[1].rsplit("</main>", 1)[0]


if __name__ == "__main__":
    code = main(sys.argv[1])
    sys.stderr.flush()
    os._exit(code)  # the PDF is written and closed: skip freeing every laid-out box
