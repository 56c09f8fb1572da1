"""`sodai export-pdf`: the report document (dashboards/document.py) printed to PDF by headless
Chromium.

Chromium, because the document is the site's own HTML with its Plotly charts, and a browser is
what draws those: the charts come out as the SVG plotly.js draws (vector graphics, text that can be
searched and copied), the fonts are the system's (Noto CJK for Korean), CSS paged media (@page,
break-inside) keeps a figure on one page, and --generate-pdf-document-outline turns the headings
into the PDF's bookmarks. The browser is the one the site's tests already drive. A PDF library
would need every chart redrawn by another renderer.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

from dashboards.document import report_document
from jobs import storage
from sodai.config import Settings

CHROMIUM_NAMES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")


class PrintError(RuntimeError):
    """The document could not be printed (no browser, or the browser failed)."""


def chromium_executable(configured: str | None) -> str:
    """The browser to print with: document.chromium, else the first of CHROMIUM_NAMES on PATH."""
    candidates = (configured,) if configured else CHROMIUM_NAMES
    for name in candidates:
        found = shutil.which(name) if name else None
        if found:
            return found
    where = f"document.chromium = {configured!r} is not an executable" if configured else \
        f"none of {', '.join(CHROMIUM_NAMES)} is on PATH"
    raise PrintError(f"No browser to print the report with: {where}. Install Chromium (Debian/Ubuntu: "
                     "apt-get install chromium fonts-noto-cjk) or set document.chromium in conf/pipeline.yaml.")


def print_to_pdf(document: Path, pdf: Path, chromium: str, timeout_s: int) -> None:
    """Print an HTML file to a PDF file with headless Chromium, bookmarks from its headings."""
    with tempfile.TemporaryDirectory(prefix="sodai-chromium-") as profile:
        command = [chromium, "--headless", "--disable-gpu", "--no-pdf-header-footer",
                   "--generate-pdf-document-outline", f"--user-data-dir={profile}",
                   f"--print-to-pdf={pdf}", document.resolve().as_uri()]
        if hasattr(os, "geteuid") and os.geteuid() == 0:
            command.insert(1, "--no-sandbox")  # Chromium's sandbox refuses to start as root (containers)
        try:
            done = subprocess.run(command, capture_output=True, text=True, timeout=timeout_s)
        except subprocess.TimeoutExpired as error:
            raise PrintError(f"{chromium} did not finish printing {document.name} in {timeout_s} s "
                             "(document.timeout_s)") from error
    if done.returncode != 0 or not pdf.is_file() or pdf.stat().st_size == 0:
        detail = "\n".join(done.stderr.strip().splitlines()[-5:])
        raise PrintError(f"{chromium} failed to print {document.name} (exit {done.returncode}):\n{detail}")


def export_pdf(settings: Settings, language: str, out: Path | None = None) -> Path:
    """The whole report in `language` as a PDF at `out` (default <output>/report-<language>.pdf)."""
    chromium = chromium_executable(settings.document.chromium)
    target = Path(out) if out else storage.report_pdf_path(settings.output, language)
    with tempfile.TemporaryDirectory(prefix="sodai-pdf-") as work:
        document = Path(work) / f"report-{language}.html"
        document.write_text(report_document(settings, language), encoding="utf-8")
        printed = Path(work) / target.name
        print_to_pdf(document, printed, chromium, settings.document.timeout_s)
        storage.put_file(printed, target)  # whole or not at all: a reader never opens half a PDF
    return target
