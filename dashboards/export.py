"""Static export of the report site: every page as one self-contained HTML file.

The pages are the site's own layouts (the same components, words and figures), rendered to HTML:
charts with Plotly's `to_html` (plotly.js embedded once per file, so a file opens offline), data
tables as plain tables, the CSV download as a link holding the figure's rows. Interactive controls
(filters, language switch) have no server behind them here and are left out; each language is
its own export (`--lang`).
"""

from __future__ import annotations

import html as html_escape
import io
from pathlib import Path
from typing import Any, Callable
from urllib.parse import quote

import dash
import plotly.io as pio
from dash import dash_table, dcc
from dash.development.base_component import Component

from dashboards import specs
from dashboards.app import ASSETS_FOLDER, create_app
from dashboards.components import PAGES
from dashboards.i18n import Translator
from jobs import storage
from sodai.config import Settings

_VOID = {"br", "hr", "img", "input", "meta"}
_SKIPPED = (dcc.Dropdown, dcc.DatePickerRange, dcc.Download, dcc.RadioItems, dcc.Store, dcc.Location)


def page_file(path: str) -> str:
    """The file a site path is exported to: / -> index.html, /open-models -> open-models.html."""
    return "index.html" if path.strip("/") == "" else f"{path.strip('/')}.html"


def _href(href: str) -> str:
    if not href.startswith("/") or href.startswith("/data-docs"):
        return href
    path, _, fragment = href.partition("#")
    return page_file(path) + (f"#{fragment}" if fragment else "")


class HtmlRenderer:
    """Dash components -> HTML text."""

    def __init__(self, csv_for: Callable[[str], str | None]):
        self.csv_for = csv_for
        self.plotlyjs_written = False

    def link(self, href: str) -> str:
        """Where a link of the site points in the export."""
        return _href(href)

    def render(self, node: Any) -> str:
        if node is None or isinstance(node, bool):
            return ""
        if isinstance(node, (str, int, float)):
            return html_escape.escape(str(node))
        if isinstance(node, (list, tuple)):
            return "".join(self.render(child) for child in node)
        if isinstance(node, _SKIPPED):
            return ""
        if isinstance(node, dcc.Graph):
            return self.graph(node)
        if isinstance(node, dash_table.DataTable):
            return self.table(node)
        if isinstance(node, dcc.Link):
            return self.element("a", node, extra={"href": self.link(node.href)})
        if isinstance(node, Component) and type(node).__name__ == "Button" and isinstance(getattr(node, "id", None), dict):
            return self.csv_link(node)
        if isinstance(node, Component) and "figure-controls" in (getattr(node, "className", None) or ""):
            return ""  # filters need the server
        if isinstance(node, Component):
            extra = {"href": self.link(node.href)} if getattr(node, "href", None) else {}
            return self.element(type(node).__name__.lower(), node, extra=extra)
        return html_escape.escape(str(node))

    def element(self, tag: str, node: Component, extra: dict | None = None) -> str:
        attributes = {}
        element_id = getattr(node, "id", None)
        if isinstance(element_id, str):
            attributes["id"] = element_id
        for prop, name in (("className", "class"), ("title", "title"), ("lang", "lang"), ("target", "target")):
            value = getattr(node, prop, None)
            if isinstance(value, str):
                attributes[name] = value
        attributes.update(extra or {})
        if getattr(node, "open", None) is True:
            attributes["open"] = ""
        text = "".join(f' {k}="{html_escape.escape(v, quote=True)}"' if v != "" else f" {k}" for k, v in attributes.items())
        if tag in _VOID:
            return f"<{tag}{text}>"
        return f"<{tag}{text}>{self.render(getattr(node, 'children', None))}</{tag}>"

    def graph(self, node: dcc.Graph) -> str:
        include = not self.plotlyjs_written
        self.plotlyjs_written = True
        return pio.to_html(node.figure, full_html=False, include_plotlyjs=include,
                           config={"displaylogo": False, "responsive": True}, default_height="460px")

    def table(self, node: dash_table.DataTable) -> str:
        columns = node.columns or []
        head = "".join(f"<th>{html_escape.escape(str(c['name']))}</th>" for c in columns)
        body = "".join("<tr>" + "".join(f"<td>{html_escape.escape(str(row.get(c['id'], '')))}</td>" for c in columns) + "</tr>"
                       for row in node.data or [])
        return f'<table class="plain-table"><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>'

    def csv_link(self, node: Component) -> str:
        figure_id = node.id.get("fig")
        csv = self.csv_for(figure_id) if figure_id else None
        if csv is None:
            return ""
        href = "data:text/csv;charset=utf-8," + quote(csv)
        return (f'<a class="csv-button" download="{html_escape.escape(figure_id)}.csv" href="{href}">'
                f"{self.render(node.children)}</a>")


def site_css() -> str:
    """The site's stylesheets (screen and print), inlined into exported files."""
    return "\n".join(path.read_text(encoding="utf-8") for path in sorted(ASSETS_FOLDER.glob("*.css")))


def _document(t: Translator, title: str, body: str, nav: str) -> str:
    return (
        f'<!DOCTYPE html>\n<html lang="{t.language}">\n<head>\n<meta charset="utf-8">\n'
        f'<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{html_escape.escape(title)}</title>\n<style>\n{site_css()}\n</style>\n</head>\n<body>\n"
        f'<header class="site-header"><a class="brand" href="index.html">{html_escape.escape(t("app.title"))}</a>'
        f'<nav class="nav">{nav}</nav></header>\n{body}\n</body>\n</html>\n'
    )


def export_site(settings: Settings, out: Path | None = None, language: str = "en") -> list[Path]:
    """Write every page of the site as a self-contained HTML file into `out` (default <output>/site)."""
    out = Path(out) if out else storage.site_export_dir(settings.output)
    out.mkdir(parents=True, exist_ok=True)
    app = create_app(settings)
    data = app.server.config["SODAI_DATA"]
    t = Translator(language)
    modules = {page["path"]: page for page in dash.page_registry.values()}

    def csv_for(figure_id: str) -> str | None:
        figure = data.figure(figure_id)
        if figure is None:
            return None
        spec = specs.SPECS.get(figure_id)
        frame = specs.filter_frame(spec, figure.frame) if spec else figure.frame
        buffer = io.StringIO()
        specs.csv_frame(frame).to_csv(buffer, index=False)
        return buffer.getvalue()

    written = []
    for key, path in PAGES:
        nav = "".join(
            f'<a class="nav-link{" active" if other == path else ""}" href="{page_file(other)}">'
            f"{html_escape.escape(t(f'nav.{name}'))}</a>"
            for name, other in PAGES
        )
        with app.server.test_request_context(path):
            layout = modules[path]["layout"](language=language)
        body = HtmlRenderer(csv_for).render(layout)
        target = out / page_file(path)
        target.write_text(_document(t, f"{t('app.title')}: {t(f'nav.{key}')}", body, nav), encoding="utf-8")
        written.append(target)
    return written
