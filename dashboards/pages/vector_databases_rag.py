"""Report section: Vector databases and RAG (F6, B1, B2)."""

import dash

from dashboards.app import current_data
from dashboards.components import section_page
from dashboards.i18n import Translator

dash.register_page(__name__, path="/vector-databases-rag", name="Vector databases and RAG (F6, B1, B2)", order=4)


def layout(language=None, lang=None, **_):
    return section_page(current_data(), "vector_databases_rag", Translator(lang or language))
