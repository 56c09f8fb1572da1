"""The report site: a multi-page Dash app over the published report.json.

    create_app(settings) -> dash.Dash      (`sodai serve`, tests)
    server                                 (production: gunicorn 'dashboards.app:server')

Pages live in dashboards/pages (one per report section, plus forecasts, methodology and pipeline
status); figures are drawn by the pure builders of dashboards/figures.py from data read by
dashboards/data.py. The language (English, Korean, French) is chosen in the page, kept in the
browser's local storage or given as ?lang=xx, and passed to every page layout.
"""

from __future__ import annotations

from pathlib import Path

import dash
import flask
from dash import Input, dcc, html

from dashboards import callbacks
from dashboards.data import ReportData
from dashboards.i18n import DEFAULT_LANGUAGE, LANGUAGES
from sodai.config import Settings, load_settings

PAGES_FOLDER = Path(__file__).resolve().parent / "pages"
ASSETS_FOLDER = Path(__file__).resolve().parent / "assets"


def current_data() -> ReportData:
    """The data source of the app serving the current request (pages have no app import)."""
    return flask.current_app.config["SODAI_DATA"]


def shell() -> html.Div:
    return html.Div(
        [
            dcc.Location(id="url"),
            html.Header(
                [
                    html.Div([dcc.Link(html.Span(id="site-title"), href="/", className="brand")], className="brand-box"),
                    html.Nav(id="nav", className="nav no-print"),
                    html.Div(
                        [
                            html.Span(id="language-label", className="language-label"),
                            dcc.RadioItems(
                                id="language", options=[{"label": name, "value": code} for code, name in LANGUAGES.items()],
                                value=DEFAULT_LANGUAGE, inline=True, persistence=True, persistence_type="local",
                                className="language-select",
                            ),
                        ],
                        className="language no-print",
                    ),
                ],
                className="site-header",
            ),
            dash.page_container,
        ],
        className="site",
    )


def _data_docs_routes(server: flask.Flask, data: ReportData) -> None:
    """Great Expectations Data Docs of the latest run, served from <output>/gx/data_docs."""

    @server.route("/data-docs/", defaults={"filename": "index.html"})
    @server.route("/data-docs/<path:filename>")
    def data_docs(filename: str):
        folder = data.data_docs_dir()
        if folder is None:
            return flask.Response("No Data Docs yet: the quality gates have not run.", status=404, mimetype="text/plain")
        return flask.send_from_directory(folder, filename)


def create_app(settings: Settings | None = None) -> dash.Dash:
    settings = settings or load_settings()
    data = ReportData(settings)
    app = dash.Dash(
        __name__,
        title="State of Data + AI",
        use_pages=True,
        pages_folder=str(PAGES_FOLDER),
        assets_folder=str(ASSETS_FOLDER),
        routing_callback_inputs={"language": Input("language", "value")},
        suppress_callback_exceptions=True,
        # The callbacks are plain functions. Dash would serve them through async endpoints whenever
        # asgiref is importable (another package's dependency here), running every request's event
        # loop in a new thread: a thread start and two handoffs per callback for nothing.
        use_async=False,
    )
    app.server.config["SODAI_DATA"] = data
    app.layout = shell
    callbacks.register(app, data)
    _data_docs_routes(app.server, data)
    return app


def __getattr__(name: str):
    """`server` for WSGI servers, built on first access so importing this module stays cheap."""
    if name == "server":
        return create_app().server
    raise AttributeError(name)
