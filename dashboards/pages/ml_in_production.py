"""Report section: ML in production (F1, F2)."""

import dash

from dashboards.app import current_data
from dashboards.components import section_page
from dashboards.i18n import Translator

dash.register_page(__name__, path="/ml-in-production", name="ML in production (F1, F2)", order=1)


def layout(language=None, lang=None, **_):
    return section_page(current_data(), "ml_in_production", Translator(lang or language))
