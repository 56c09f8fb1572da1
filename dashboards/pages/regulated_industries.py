"""Report section: GenAI in regulated industries (F8..F11)."""

import dash

from dashboards.app import current_data
from dashboards.components import section_page
from dashboards.i18n import Translator

dash.register_page(__name__, path="/regulated-industries", name="GenAI in regulated industries (F8..F11)", order=6)


def layout(language=None, lang=None, **_):
    return section_page(current_data(), "regulated_industries", Translator(lang or language))
