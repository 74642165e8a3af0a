"""The report's PDF, laid out part by part in a child process while the report is built.

WeasyPrint lays out and draws in Python: for the 40-patient replica its work (about 2.5 s)
exceeds the time to compute the whole report. So it runs in a second process, started before
the analyses, and gets the report in parts: each run of sections from one that starts a new
page (:attr:`irtrial.report.sections.Section.new_page`) to the next. A part is laid out while
the next sections are computed; the title and contents come last (they list the sections
actually built) and go first; then the pages are numbered and drawn into one PDF. The child
is ``irtrial/report/_pdf_worker.py`` (its docstring has the protocol and how the pages are
numbered).

Same content as ``report.html``: the same stylesheet (its ``@media print`` rules: A4, page
numbers, rows and figures never split, each part on a new page) and the same section HTML.

Examples
--------
>>> import tempfile
>>> from pathlib import Path
>>> out = Path(tempfile.mkdtemp()) / "x.pdf"
>>> job = PdfJob(out, "body { font-family: 'DejaVu Sans' }")
>>> job.part("<!DOCTYPE html><html><body><main><p>A part</p></main></body></html>")
>>> job.end("<!DOCTYPE html><html><head><title>T</title></head><body><main>"
...         "<h1>T</h1></main></body></html>")
>>> job.result().read_bytes()[:5]
b'%PDF-'
"""

from __future__ import annotations

import json
import queue
import subprocess
import sys
import threading
from pathlib import Path

__all__ = ["PDF_FILE", "STYLE", "PdfJob"]

#: the PDF's name in the report folder
PDF_FILE = "report.pdf"

_WORKER = Path(__file__).with_name("_pdf_worker.py")
#: the report's stylesheet (included as is in report.html)
STYLE = Path(__file__).with_name("templates") / "style.css"


class PdfJob:
    """A WeasyPrint child process writing ``path`` from parts sent as they are built.

    Parameters
    ----------
    path : path
        The PDF to write.
    style : str, optional
        The stylesheet, sent once (default: the report's, :data:`STYLE`).

    Messages are written by a thread, so sending a large part never waits for the child to
    finish laying out the previous one.
    """

    def __init__(self, path: str | Path, style: str | None = None) -> None:
        self.path = Path(path)
        self._proc = subprocess.Popen(
            [sys.executable, str(_WORKER), str(self.path)], stdin=subprocess.PIPE,
            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        self._queue: queue.Queue[bytes | None] = queue.Queue()
        self._writer = threading.Thread(target=self._write, daemon=True)
        self._writer.start()
        self._send({"style": STYLE.read_text(encoding="utf-8") if style is None else style})
        self.notes: tuple[str, ...] = ()
        self._done = False

    def _write(self) -> None:
        stdin = self._proc.stdin
        try:
            while (data := self._queue.get()) is not None:
                stdin.write(data)
                stdin.flush()
        except (BrokenPipeError, OSError):
            pass  # the child died: finish() reports its error
        finally:
            try:
                stdin.close()
            except OSError:
                pass

    def _send(self, message: dict) -> None:
        self._queue.put(json.dumps(message, ensure_ascii=False).encode("utf-8") + b"\n")

    def part(self, html: str) -> None:
        """Send a part: a whole HTML document, laid out from a new page."""
        self._send({"part": html})

    def end(self, cover: str) -> None:
        """Send the title page (a whole HTML document, placed first): the child numbers the
        pages and writes the PDF while this process goes on."""
        self._send({"end": True, "cover": cover})
        self._queue.put(None)

    def result(self) -> Path:
        """Wait for the PDF and return its path. Raises ``RuntimeError`` with WeasyPrint's
        message if it failed; :attr:`notes` says if the pages had to be laid out as one
        document."""
        err = self._proc.stderr.read().decode(errors="replace")
        self._proc.wait()
        self._writer.join()
        self._done = True
        if self._proc.returncode != 0:
            raise RuntimeError("the PDF could not be written: " + err[-2000:])
        self.notes = tuple(line for line in err.splitlines() if line.startswith("fallback:"))
        return self.path

    def cancel(self) -> None:
        """Stop the child (the report failed); nothing is written. No-op once finished."""
        if self._done:
            return
        self._done = True
        self._queue.put(None)
        self._proc.kill()
        self._proc.wait()
        self._writer.join(timeout=5)
