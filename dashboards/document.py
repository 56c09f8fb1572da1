"""The whole report as one printable HTML document, the source of `sodai export-pdf`.

The document is the site's own pages (the same layouts, components, words and figure builders as
`sodai serve` and `sodai export-site`), one after another behind a cover: the key findings and the
changes since the last publication, the six sections with every figure, the forecasts, and the
methodology with the provenance. Only what a reader of paper needs differs from the site:

- charts are drawn at the printed width as static SVG (vector graphics in the PDF), no toolbar;
  a heatmap, which plotly.js paints as a bitmap, is drawn as shapes (figures.heatmaps_as_shapes);
- a figure's definition and highlights are open, its data table and controls left out (the
  highlights are the figure's quoted numbers; the table is the CSV download's job);
- a section's key-finding cards are left out (the key findings open the document), and the
  key findings' introduction says where a definition is on paper instead of "hover a card";
- links between pages become links inside the document (#F8, #part-methodology);
- each page of the site starts a printed page; document.css keeps a figure on one page.

Each part of the document opens with the one <h1> of its page, so the PDF's outline (bookmarks)
lists the parts and, below them, the figures (<h2>).
"""

from __future__ import annotations

import html as html_escape
from pathlib import Path
from typing import Any

import dash
import plotly.io as pio
from dash import dcc, html
from dash.development.base_component import Component

from dashboards import figures
from dashboards.app import create_app
from dashboards.components import PAGES
from dashboards.export import HtmlRenderer, site_css
from dashboards.i18n import Translator
from sodai.config import Settings

# The site's pages a reader of the report needs, in reading order (the pipeline's status page is
# for the people who run it).
DOCUMENT_PAGES: tuple[tuple[str, str], ...] = tuple((key, path) for key, path in PAGES if key != "status")
DOCUMENT_CSS = Path(__file__).resolve().parent / "document.css"

# A chart's printed size in CSS pixels (96 per inch): the width of an A4 page inside document.css's
# margins (210 mm - 2 x 14 mm = 182 mm = 688 px), a height that leaves room for a figure's
# caption, definition and highlights on the same page.
CHART_WIDTH_PX = 680
CHART_HEIGHT_PX = 450


def part_id(key: str) -> str:
    return f"part-{key.replace('_', '-')}"


class DocumentRenderer(HtmlRenderer):
    """The site's components as one printed document."""

    def __init__(self, pages: dict[str, str], t: Translator):
        super().__init__(csv_for=lambda _figure: None)
        self.pages = pages  # site path -> the document part showing it
        self.t = t
        self.part = "overview"  # the part being rendered

    def link(self, href: str) -> str:
        if not href.startswith("/") or href.startswith("/data-docs"):
            return href
        path, _, fragment = href.partition("#")
        return f"#{fragment}" if fragment else f"#{self.pages.get(path or '/', part_id('overview'))}"

    def render(self, node: Any) -> str:
        kind = (getattr(node, "className", None) or "") if isinstance(node, Component) else ""
        if self.part != "overview" and "finding-grid" in kind:
            return ""
        if self.part == "overview" and isinstance(node, html.P) and kind == "intro":
            return self.element("p", html.P(self.t("document.intro_overview"), className=kind))
        if isinstance(node, html.Details):
            if "figure-data" in kind:
                return ""  # the figure's rows: the CSV download's job, not paper's
            node = html.Details(node.children, className=kind, open=True)
        return super().render(node)

    def element(self, tag: str, node: Component, extra: dict | None = None) -> str:
        if tag == "a" and (extra or {}).get("href", "").startswith("/data-docs"):
            return self.render(getattr(node, "children", None))  # a page of the server, absent on paper
        return super().element(tag, node, extra)

    def graph(self, node: dcc.Graph) -> str:
        include = not self.plotlyjs_written
        self.plotlyjs_written = True
        figure = figures.vertical_titles_wrapped(figures.heatmaps_as_shapes(node.figure))  # copies, for paper
        # The figure's <h2> above the chart already names it: the chart's own title would repeat it.
        figure.update_layout(width=CHART_WIDTH_PX, height=CHART_HEIGHT_PX, autosize=False, title=None,
                             margin={"t": 30})
        chart = pio.to_html(figure, full_html=False, include_plotlyjs=include,
                            config={"staticPlot": True, "displayModeBar": False})
        return f'<div class="document-chart">{chart}</div>'


def _cover(report: dict[str, Any], t: Translator) -> str:
    escape = html_escape.escape
    provenance = report["provenance"]
    contents = "".join(f'<li><a href="#{part_id(key)}">{escape(t(f"nav.{key}"))}</a></li>' for key, _ in DOCUMENT_PAGES)
    return (
        f'<section class="cover" id="{part_id("cover")}">'
        f'<h1 class="cover-title">{escape(t("app.title"))} <span class="cover-year">{report["report_year"]}</span></h1>'
        f'<p class="cover-subtitle">{escape(t("app.subtitle", year=report["report_year"]))}</p>'
        f'<dl class="cover-facts">'
        f'<dt>{escape(t("document.window"))}</dt><dd>{escape(t.window(report["window"]))}</dd>'
        f'<dt>{escape(t("document.telemetry"))}</dt><dd>{escape(t.window(report["telemetry"]))}</dd>'
        f'<dt>{escape(t("document.suppression"))}</dt>'
        f'<dd>{escape(t("document.suppression_rule", k=report["suppression"]["min_customers"]))}</dd>'
        f"</dl>"
        f'<p class="generated">{escape(t("app.generated", when=report["generated_at"], run=provenance.get("pipeline_run_id") or "–"))}</p>'
        f'<nav class="cover-contents"><h2>{escape(t("document.contents"))}</h2><ol>{contents}</ol></nav>'
        f"</section>"
    )


def report_document(settings: Settings, language: str) -> str:
    """The whole report as one HTML document in `language`, ready to print. The report must exist."""
    app = create_app(settings)
    report = app.server.config["SODAI_DATA"].report()
    if report is None:
        raise FileNotFoundError("no report.json to print: run `sodai run` first")
    t = Translator(language)
    layouts = {page["path"]: page["layout"] for page in dash.page_registry.values()}
    renderer = DocumentRenderer({path: part_id(key) for key, path in DOCUMENT_PAGES}, t)
    parts = [_cover(report, t)]
    for key, path in DOCUMENT_PAGES:
        with app.server.test_request_context(path):
            layout = layouts[path](language=t.language)
        renderer.part = key
        parts.append(f'<div class="document-part" id="{part_id(key)}">{renderer.render(layout)}</div>')
    title = f"{t('app.title')} {report['report_year']}"
    return (
        f'<!DOCTYPE html>\n<html lang="{t.language}">\n<head>\n<meta charset="utf-8">\n'
        f"<title>{html_escape.escape(title)}</title>\n"
        f"<style>\n{site_css()}\n{DOCUMENT_CSS.read_text(encoding='utf-8')}\n</style>\n</head>\n"
        f'<body class="document">\n' + "\n".join(parts) + "\n</body>\n</html>\n"
    )
