"""The site's callbacks: one pair for every figure (filters -> chart and table; CSV download),
matched by the figure id in the component ids, plus the language and navigation of the shell."""

from __future__ import annotations

from urllib.parse import parse_qs

import dash
from dash import ALL, MATCH, Input, Output, State, dcc

from dashboards import specs
from dashboards.components import PAGES, ids
from dashboards.data import ReportData
from dashboards.i18n import LANGUAGES, Translator, language_of


def _first(values: list):
    return values[0] if values else None


def _key(values: list | None) -> tuple:
    """A filter's values as part of a cache key (lists are not hashable)."""
    return tuple(tuple(v) if isinstance(v, list) else v for v in values or ())


def draw(data: ReportData, figure_id: str, industries: list | None, starts: list, ends: list, language: str):
    """The figure and its table's rows for these filters, in this language."""
    spec, figure, frame = filtered(data, figure_id, industries, starts, ends)
    t, k = Translator(language), data.min_customers()
    title = t.report_text(figure.meta, "title")
    return specs.build(spec, frame, t, k, title), specs.display_rows(frame, figure.units, t, k)


def filtered(data: ReportData, figure_id: str, industries: list | None, starts: list, ends: list):
    """The figure's spec, data and the rows its current filters select (None: no such figure)."""
    figure = data.figure(figure_id)
    spec = specs.SPECS.get(figure_id)
    if figure is None or spec is None:
        return None
    chosen = _first(industries)  # the dropdown's list of keys; empty or absent: the default set
    return spec, figure, specs.filter_frame(spec, figure.frame, chosen or None, _first(starts), _first(ends))


# A figure's filter controls (absent ones give empty lists): industries, first day, last day.
_FILTERS = (("fig-industry", "value"), ("fig-dates", "start_date"), ("fig-dates", "end_date"))


def _filters(dependency):
    return [dependency({"type": kind, "fig": MATCH, "n": ALL}, prop) for kind, prop in _FILTERS]


def register(app: dash.Dash, data: ReportData) -> None:
    @app.callback(
        Output(ids("graph", MATCH), "figure"),
        Output(ids("table", MATCH), "data"),
        *_filters(Input),
        State("language", "value"),
        prevent_initial_call=True,
    )
    def update_figure(industries, starts, ends, language):
        figure_id = dash.ctx.outputs_list[0]["id"]["fig"]
        if data.figure(figure_id) is None or figure_id not in specs.SPECS:
            raise dash.exceptions.PreventUpdate
        key = (figure_id, _key(industries), _key(starts), _key(ends), language_of(language))
        return data.view(key, lambda: draw(data, figure_id, industries, starts, ends, language))

    @app.callback(
        Output(ids("download", MATCH), "data"),
        Input(ids("csv", MATCH), "n_clicks"),
        *_filters(State),
        prevent_initial_call=True,
    )
    def download_csv(n_clicks, industries, starts, ends):
        figure_id = dash.ctx.outputs_list["id"]["fig"]
        figure = data.figure(figure_id)
        if not n_clicks or figure is None:
            raise dash.exceptions.PreventUpdate
        found = filtered(data, figure_id, industries, starts, ends)
        frame = found[2] if found else figure.frame
        return dcc.send_data_frame(specs.csv_frame(frame).to_csv, f"{figure_id}.csv", index=False)

    @app.callback(Output("language", "value"), Input("url", "search"))
    def language_from_url(search):
        """?lang=ko selects Korean (links can carry the language); otherwise the stored choice stays."""
        wanted = parse_qs((search or "").lstrip("?")).get("lang", [None])[0]
        if wanted not in LANGUAGES:
            raise dash.exceptions.PreventUpdate
        return wanted

    @app.callback(
        Output("nav", "children"), Output("site-title", "children"), Output("language-label", "children"),
        Input("language", "value"), Input("url", "pathname"),
    )
    def navigation(language, pathname):
        t = Translator(language_of(language))
        links = [
            dcc.Link(t(f"nav.{key}"), href=path, id=f"nav-{key}",
                     className="nav-link active" if path == (pathname or "/") else "nav-link")
            for key, path in PAGES
        ]
        return links, t("app.title"), t("app.language")
