"""Methodology: definitions of every figure and finding, the windows, the suppression rule and
the provenance of the published data."""

import dash
from dash import html

from dashboards.app import current_data
from dashboards.components import figure_card, no_report, page
from dashboards.i18n import Translator

dash.register_page(__name__, path="/methodology", name="Methodology", order=8)


def _title(t: Translator, item: dict) -> str:
    return f"{item['id']}. {t.report_text(item, 'title')}"


def _table(header: list[str], rows: list[list]) -> html.Table:
    return html.Table([html.Thead(html.Tr([html.Th(h) for h in header])),
                       html.Tbody([html.Tr([html.Td(c) for c in row]) for row in rows])], className="plain-table")


def layout(language=None, lang=None, **_):
    t = Translator(lang or language)
    data = current_data()
    report = data.report()
    if report is None:
        return page(t, "methodology", no_report(t, data))
    k = data.min_customers()
    provenance = report["provenance"]
    generator = provenance.get("generator")
    figures = report["figures"] + report["beyond"]
    return page(
        t, "methodology",
        html.H2(t("methodology.how")),
        html.P(t("methodology.how_text")),
        html.H2(t("methodology.suppression")),
        html.P(t("methodology.suppression_text", k=k), id="suppression-rule"),
        html.Ul([html.Li(t("methodology.suppressed_rows", figure=_title(t, m),
                           n=t.number(m["suppressed_rows"]))) for m in figures]),
        html.H2(t("methodology.windows")),
        _table([t("methodology.parameter"), t("methodology.value")],
               [[name, str(value)] for name, value in report["parameters"].items()]),
        html.H2(t("methodology.findings")),
        html.Dl([part for f in report["key_findings"] for part in (
            html.Dt(_title(t, f)),
            html.Dd([t.report_text(f, "definition"), html.Br(), html.Small(t.window(f["window"]))]),
        )]),
        html.H2(t("methodology.definitions")),
        html.P(t("methodology.definitions_note"), className="note"),
        html.Dl([part for m in figures for part in (
            html.Dt(_title(t, m)),
            html.Dd([html.P(m["definition"], lang="en"), html.Small([t.window(m["window"]), " · ", html.Code(m["table"])])]),
        )], id="figure-definitions"),
        html.H2(t("methodology.provenance")),
        _table([t("methodology.parameter"), t("methodology.value")], [
            [t("methodology.run"), provenance.get("pipeline_run_id") or "–"],
            [t("methodology.dbt"), provenance.get("dbt_invocation_id") or "–"],
            [t("methodology.engine"), provenance.get("engine")],
            [t("methodology.mlflow"), provenance.get("mlflow_run_id") or t("ui.absent", what="provenance.mlflow_run_id")],
            [t("methodology.generator"), t("methodology.generator_value", seed=generator["seed"],
                                           customers=t.number(generator["customers"]), digest=generator["params_digest"][:12])
             if generator else t("methodology.real_telemetry")],
        ]),
        html.H3(t("methodology.tables")),
        _table([t("methodology.table"), t("methodology.version"), t("methodology.path")],
               [[name, str(v["version"]), html.Code(v["path"])] for name, v in sorted(provenance["tables"].items())]),
        html.H2(t("methodology.unclassified")),
        figure_card(data.figure("B3"), t, k) if data.figure("B3") else None,
    )
