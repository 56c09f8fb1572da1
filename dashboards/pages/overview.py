"""Overview: the ten key findings as cards (definition on hover, link to the figure), then what
changed since the last publication."""

import dash
from dash import html

from dashboards.app import current_data
from dashboards.components import changes_section, finding_cards, no_report, page
from dashboards.i18n import Translator

dash.register_page(__name__, path="/", name="Key findings", order=0)


def layout(language=None, lang=None, **_):
    t = Translator(lang or language)
    data = current_data()
    report = data.report()
    if report is None:
        return page(t, "overview", no_report(t, data))
    provenance = report["provenance"]
    return page(
        t, "overview",
        html.P(t("app.subtitle", year=report["report_year"]), className="subtitle"),
        finding_cards(report["key_findings"], t, data.min_customers(), report),
        changes_section(report, t, data.min_customers()),
        html.P(t("app.generated", when=report["generated_at"], run=provenance.get("pipeline_run_id") or "–"),
               className="generated"),
    )
