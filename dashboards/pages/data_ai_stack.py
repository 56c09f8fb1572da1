"""Report section: Modern data & AI stack (F5)."""

import dash

from dashboards.app import current_data
from dashboards.components import section_page
from dashboards.i18n import Translator

dash.register_page(__name__, path="/data-ai-stack", name="Modern data & AI stack (F5)", order=3)


def layout(language=None, lang=None, **_):
    return section_page(current_data(), "data_ai_stack", Translator(lang or language))
