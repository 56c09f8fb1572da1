"""The site's catalogues: every key in every language, words only (no numbers typed in)."""

from __future__ import annotations

import re

import pytest

from dashboards.i18n import LANGUAGES, Translator, catalog


def _report_keys(report_catalog) -> set[str]:
    """The translations of the report's own words, by id (report.json carries the English)."""
    keys = {f"finding.{key}.{field}" for key in report_catalog.key_findings for field in ("title", "definition")}
    return keys | {f"figure.{key}.{field}" for key in report_catalog.marts for field in ("title", "caption")}


def test_every_key_exists_in_every_language(report_catalog):
    keys = {language: set(catalog(language)) for language in LANGUAGES}
    assert not {key for key in keys["en"] if key.startswith(("figure.", "finding."))}, \
        "English report words belong in the dbt yml, not in en.yaml"
    for language, own in keys.items():
        reference = keys["en"] | (_report_keys(report_catalog) if language != "en" else set())
        assert own - reference == set(), f"{language} has keys English lacks"
        assert reference - own == set(), f"{language} lacks keys: {sorted(reference - own)[:20]}"


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_entry_is_a_non_empty_string_with_the_english_placeholders(language):
    english = catalog("en")
    for key, text in catalog(language).items():
        assert isinstance(text, str) and text.strip(), f"{language}:{key} is not a word"
        placeholders = set(re.findall(r"{(\w+)}", english.get(key, "")))
        assert set(re.findall(r"{(\w+)}", text)) == placeholders, f"{language}:{key}"


def test_report_words_come_from_report_json_in_english_and_by_id_in_translation():
    figure = {"id": "F1", "title": "Experiment vs registered models over time", "caption": "From the manifest."}
    assert Translator("en").report_text(figure, "title") == figure["title"]
    assert Translator("en").report_text(figure, "caption") == "From the manifest."
    assert Translator("ko").report_text(figure, "title") == catalog("ko")["figure.F1.title"]
    assert Translator("fr").report_text({"id": "K4", "definition": "x"}, "definition") == catalog("fr")["finding.K4.definition"]
    # a report from before captions were published shows none rather than failing
    assert Translator("en").report_text({"id": "F1", "title": "t"}, "caption") == ""


def test_numbers_are_formatted_per_locale_and_unit():
    en, fr, ko = Translator("en"), Translator("fr"), Translator("ko")
    assert en.value(0.514, "share") == "51%"
    assert fr.value(0.514, "share").replace("\u202f", " ").replace("\xa0", " ") == "51 %"
    assert en.value(4.1236, "growth") == "+412%"
    assert en.value(-0.25, "growth") == "−25%"
    assert en.value(11.25, "multiple") == "11.2×" or en.value(11.25, "multiple") == "11.3×"
    assert fr.value(3.12, "multiple").startswith("3,1")
    assert en.value(16.12, "ratio") == "16:1"
    assert en.value(4.0, "rank") == "#4" and ko.value(4.0, "rank") == "4위"
    assert en.value(1234567, "customers") == "1,234,567"
    assert en.suppressed(10) == "suppressed (< 10 customers)"


def test_unknown_keys_fall_back_to_english_then_to_the_raw_value():
    assert Translator("xx").language == "en"
    assert Translator("ko").label("category", "quantum") == "quantum"
    assert Translator("ko").label("industry", "fs") == "금융 서비스"
