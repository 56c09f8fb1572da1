"""The report site. For now a status page: the lakehouse's tables and their row counts.

Production: ``gunicorn 'dashboards.app:server'`` (settings from conf/pipeline.yaml and the
environment, as for the CLI).
"""

from __future__ import annotations

import dash
from dash import dash_table, dcc, html

from sodai.config import Settings, load_settings
from sodai.status import latest_ingest_runs, table_status


def status_layout(settings: Settings) -> html.Div:
    """Tables, Delta versions and row counts, read from the Delta logs at page load."""
    tables = table_status(settings.lakehouse)
    rows = [
        {"table": t.name, "version": t.version, "rows": t.rows, "files": t.files,
         "last operation": t.last_operation,
         "last modified (UTC)": t.last_modified.strftime("%Y-%m-%d %H:%M:%S") if t.last_modified is not None else ""}
        for t in tables
    ]
    runs = latest_ingest_runs(settings.lakehouse, limit=10)
    return html.Main(
        [
            html.H1("State of Data + AI: pipeline status"),
            html.P(f"Lakehouse: {settings.lakehouse}" if rows else f"No tables yet under {settings.lakehouse}."),
            dash_table.DataTable(
                id="tables",
                data=rows,
                columns=[{"name": c, "id": c} for c in (rows[0] if rows else {"table": 0, "rows": 0})],
                sort_action="native",
                style_cell={"fontFamily": "system-ui, sans-serif", "padding": "4px 8px"},
            ),
            html.H2("Latest ingest batches"),
            html.Ul([html.Li(f"{r.ingest_run_id}: {r.state}, {r.files} files, {r.lines:,} lines") for r in runs.itertuples()])
            if not runs.empty
            else html.P("No ingest runs yet."),
        ],
        style={"maxWidth": "1100px", "margin": "2rem auto", "fontFamily": "system-ui, sans-serif"},
    )


def create_app(settings: Settings | None = None) -> dash.Dash:
    settings = settings or load_settings()
    app = dash.Dash(__name__, title="State of Data + AI")
    # A function layout is rebuilt on every page load, so the counts are always current.
    app.layout = lambda: html.Div([dcc.Location(id="url"), status_layout(settings)])
    return app


def __getattr__(name: str):
    """`server` for WSGI servers, built on first access so importing this module stays cheap."""
    if name == "server":
        return create_app().server
    raise AttributeError(name)
