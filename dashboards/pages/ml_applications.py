"""Report section: ML applications (F3, F4)."""

import dash

from dashboards.app import current_data
from dashboards.components import section_page
from dashboards.i18n import Translator

dash.register_page(__name__, path="/ml-applications", name="ML applications (F3, F4)", order=2)


def layout(language=None, lang=None, **_):
    return section_page(current_data(), "ml_applications", Translator(lang or language))
