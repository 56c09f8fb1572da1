"""Report section: Open-model adoption (F7; K7..K9)."""

import dash

from dashboards.app import current_data
from dashboards.components import section_page
from dashboards.i18n import Translator

dash.register_page(__name__, path="/open-models", name="Open-model adoption (F7; K7..K9)", order=5)


def layout(language=None, lang=None, **_):
    return section_page(current_data(), "open_models", Translator(lang or language))
