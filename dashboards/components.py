"""Page building blocks shared by the pages: finding cards, figure cards with their controls,
tables and download, and the section page that strings them together.

Component ids of a figure are pattern-matching dicts keyed by the figure id, so one set of
callbacks (dashboards/callbacks.py) serves every figure on every page.
"""

from __future__ import annotations

from typing import Any

from dash import dash_table, dcc, html

from dashboards import specs
from dashboards.data import FigureData, ReportData
from dashboards.i18n import Translator
from sodai.report_changes import PERCENTAGE_UNITS

# Pages of the report's sections, in reading order: (section key, path).
SECTIONS: tuple[tuple[str, str], ...] = (
    ("ml_in_production", "/ml-in-production"),
    ("ml_applications", "/ml-applications"),
    ("data_ai_stack", "/data-ai-stack"),
    ("vector_databases_rag", "/vector-databases-rag"),
    ("open_models", "/open-models"),
    ("regulated_industries", "/regulated-industries"),
)
PAGES: tuple[tuple[str, str], ...] = (("overview", "/"), *SECTIONS, ("forecasts", "/forecasts"),
                                      ("methodology", "/methodology"), ("status", "/status"))
SECTION_PATHS = dict(SECTIONS)


def ids(kind: str, figure_id: str, indexed: bool = False) -> dict[str, Any]:
    return {"type": f"fig-{kind}", "fig": figure_id, **({"n": 0} if indexed else {})}


def figure_href(report: dict | None, figure_id: str) -> str:
    """Where a figure is shown: its section's page, anchored at the figure."""
    for meta in (report or {}).get("figures", []) + (report or {}).get("beyond", []):
        if meta["id"] == figure_id:
            return f"{SECTION_PATHS.get(meta['section'], '/methodology')}#{figure_id}"
    return f"/#{figure_id}"


def page(t: Translator, key: str, *children: Any) -> html.Main:
    parts = [html.H1(t(f"nav.{key}"), id="page-title"), html.P(t(f"intro.{key}"), className="intro"),
             *(c for c in children if c is not None)]
    return html.Main(parts,
                     className=f"page page-{key.replace('_', '-')}")


def no_report(t: Translator, data: ReportData) -> html.Div:
    return html.Div(t("app.no_report", path=str(data.report_path)), className="notice absent")


# --- key findings ----------------------------------------------------------------------------------

def finding_card(finding: dict[str, Any], t: Translator, k: int, report: dict | None) -> html.Article:
    fid = finding["id"]
    definition = t.report_text(finding, "definition")
    headline = t.suppressed(k) if finding["suppressed"] else t.value(finding["value"], finding["unit"])
    details = [
        html.Li([html.Span(t(f"measure.{m['measure']}") + ": "),
                 html.Strong(t.suppressed(k) if m["is_suppressed"] else t.value(m["value"], m["unit"]))])
        for m in finding["measures"] if not m["is_headline"]
    ]
    return html.Article(
        [
            html.Div(fid, className="finding-id"),
            html.Div(headline, className="finding-value" + (" suppressed" if finding["suppressed"] else ""),
                     id=f"finding-value-{fid}"),
            html.H3(t.report_text(finding, "title"), className="finding-title"),
            html.Ul(details, className="finding-measures") if details else None,
            html.Div(t.window(finding["window"]), className="finding-window"),
            dcc.Link(t("ui.see_figure", figure=finding["figure"]), href=figure_href(report, finding["figure"]),
                     className="finding-link"),
        ],
        className="finding-card", id=f"finding-{fid}", title=definition,
    )


def finding_cards(findings: list[dict[str, Any]], t: Translator, k: int, report: dict | None) -> html.Div:
    return html.Div([finding_card(f, t, k, report) for f in findings], className="finding-grid")


def _difference(change: dict[str, Any], t: Translator) -> str:
    """A change's difference, signed, in the language's digits (+5.1 pts, +5,1 pts)."""
    difference, unit = change["difference"], change["unit"]
    if difference is None:
        return ""
    sign = "+" if difference >= 0 else "−"
    if unit in PERCENTAGE_UNITS:  # their difference is in percentage points
        return t("changes.points", value=sign + t.number(round(abs(difference) * 100, 1), 1))
    if unit == "ratio":  # an N:1 ratio moves by a number, not by a ratio (1.14:1 -> 1:1 is -0.14)
        return sign + t.number(round(abs(difference), 2), 2)
    if unit == "rank":  # a rank moves by places (#4 -> #2 is -2), not to a rank "#-2"
        return sign + t.number(int(round(abs(difference))))
    return sign + t.value(abs(difference), unit)


def changes_section(report: dict[str, Any], t: Translator, k: int) -> html.Section:
    """What changed since the last publication (report.json `changes`), largest move first."""
    previous = report["provenance"].get("previous_publication")
    changes = report.get("changes") or []
    parts: list[Any] = [html.H2(t("changes.title"))]
    if previous is None:
        parts.append(html.P(t("changes.first")))
    else:
        parts.append(html.P(t("changes.since", when=previous["generated_at"], run=previous["pipeline_run_id"] or "–")))
        if not changes:
            parts.append(html.P(t("changes.none")))
        else:
            header = html.Tr([html.Th(t(f"changes.column.{c}")) for c in
                              ("item", "measure", "who", "previous", "current", "difference", "note")])
            rows = []
            for change in changes:
                shown = [t.suppressed(k) if value is None and change["status"] in ("became_suppressed", "published")
                         else "–" if value is None else t.value(value, change["unit"])
                         for value in (change["previous"], change["current"])]
                note = "" if change["status"] == "changed" else t(f"changes.status.{change['status']}")
                rows.append(html.Tr([
                    html.Td(dcc.Link(change["item"], href=figure_href(report, change["item"]))
                            if change["item"].startswith(("F", "B")) else change["item"]),
                    html.Td(t(f"measure.{change['measure']}")),
                    html.Td(", ".join(cell_names(change["industry_key"], change["subject"], t)) or t("changes.all")),
                    *[html.Td(value, className="number") for value in shown],
                    html.Td(_difference(change, t), className="number"),
                    html.Td(note),
                ]))
            parts.append(html.Table([html.Thead(header), html.Tbody(rows)], className="changes-table"))
    return html.Section(parts, className="changes", id="changes")


# --- figures ---------------------------------------------------------------------------------------

def cell_names(industry_key: str | None, subject: str | None, t: Translator) -> list[str]:
    """Whom a highlight is about (an industry, a library category, a product), in the language."""
    who = [part for part in (industry_key, subject) if part and part != "all"]
    return [t.label("industry", w) if t.has(f"industry.{w}") else t.label("llm_category", w)
            if t.has(f"llm_category.{w}") else t.label("serverless_product", w)
            if t.has(f"serverless_product.{w}") else w for w in who]


def highlights(meta: dict[str, Any], t: Translator, k: int) -> html.Details | None:
    items = []
    for h in meta.get("highlights", []):
        names = cell_names(h["industry_key"], h["subject"], t)
        value = t.suppressed(k) if h["is_suppressed"] else t.value(h["value"], h["unit"])
        items.append(html.Li([t(f"measure.{h['measure']}"), f" ({', '.join(names)})" if names else "", ": ",
                              html.Strong(value)]))
    if not items:
        return None
    return html.Details([html.Summary(t("ui.highlights")), html.Ul(items, className="highlights")],
                        className="figure-highlights", open=True)


def definition(meta: dict[str, Any], t: Translator) -> html.Details:
    """What a figure measures, as the dbt project defines it (English unless a translation exists)."""
    translated = t.has(f"figure.{meta['id']}.definition")
    return html.Details([html.Summary(t("ui.definition")),
                         html.P(t.report_text(meta, "definition"), lang=t.language if translated else "en")],
                        className="figure-definition")


def controls(spec: specs.FigureSpec, frame, t: Translator) -> html.Div:
    parts = []
    if spec.industry and "industry_key" in frame:
        keys = specs.industry_keys(frame)
        parts.append(html.Label([
            t("ui.industry_filter"),
            dcc.Dropdown(id=ids("industry", spec.id, True), multi=True, clearable=True,
                         options=[{"label": t.label("industry", key), "value": key} for key in keys],
                         value=specs.default_industries(spec, frame), className="industry-filter"),
        ], className="control"))
    bounds = specs.date_bounds(spec, frame)
    if bounds:
        parts.append(html.Label([
            t("ui.date_range"),
            dcc.DatePickerRange(id=ids("dates", spec.id, True), min_date_allowed=bounds[0], max_date_allowed=bounds[1],
                                start_date=bounds[0], end_date=bounds[1], display_format="YYYY-MM-DD",
                                className="date-range"),
        ], className="control"))
    return html.Div(parts, className="figure-controls no-print") if parts else html.Div(className="figure-controls")


def data_table(figure: FigureData, frame, t: Translator, k: int) -> dash_table.DataTable:
    return dash_table.DataTable(
        id=ids("table", figure.id), columns=specs.table_columns(frame, t),
        data=specs.display_rows(frame, figure.units, t, k), page_size=12,
        style_table={"overflowX": "auto"}, style_cell={"fontFamily": "inherit", "fontSize": "13px", "padding": "4px 8px",
                                                       "textAlign": "left"},
        style_header={"fontWeight": "600", "backgroundColor": "#f3f5f8"},
    )


def figure_card(figure: FigureData, t: Translator, k: int, *, table_open: bool = False) -> html.Section:
    """A figure with its caption, filters, chart, computed highlights, data table and CSV download."""
    spec = specs.SPECS.get(figure.id)
    meta = figure.meta
    frame = specs.filter_frame(spec, figure.frame) if spec else figure.frame
    children: list[Any] = [
        html.H2(f"{figure.id}. {t.report_text(meta, 'title')}", className="figure-title"),
        html.P(t.report_text(meta, "caption"), className="caption"),
        html.P([t("ui.window"), ": ", t.window(meta["window"]), " · ", t("ui.source"), ": ", html.Code(meta["table"])],
               className="figure-meta"),
        definition(meta, t),
    ]
    if figure.frame.empty:
        children.append(html.P(t("ui.no_data"), className="notice absent", id=f"no-data-{figure.id}"))
    elif spec:
        children += [
            controls(spec, figure.frame, t),
            dcc.Graph(id=ids("graph", figure.id), figure=specs.build(spec, frame, t, k, t.report_text(meta, "title")),
                      config={"displaylogo": False, "responsive": True}, className="figure-graph"),
        ]
    children += [
        highlights(meta, t, k),
        html.Details([html.Summary(t("ui.data")), data_table(figure, frame, t, k)], className="figure-data", open=table_open),
        html.Div([
            html.Button(t("ui.download_csv"), id=ids("csv", figure.id), className="csv-button", n_clicks=0),
            dcc.Download(id=ids("download", figure.id)),
        ], className="figure-actions no-print"),
    ]
    return html.Section([c for c in children if c is not None], id=figure.id, className="figure-card")


def section_page(data: ReportData, section: str, t: Translator) -> html.Main:
    """A report section: its key findings, then each of its figures in report order."""
    report = data.report()
    if report is None:
        return page(t, section, no_report(t, data))
    k = data.min_customers()
    metas = [m for m in report["figures"] + report["beyond"] if m["section"] == section]
    own = {m["id"] for m in metas}
    findings = [f for f in report["key_findings"] if f["figure"] in own]
    return page(
        t, section,
        finding_cards(findings, t, k, report) if findings else None,
        *[figure_card(data.figure(m["id"]), t, k) for m in metas],
    )
