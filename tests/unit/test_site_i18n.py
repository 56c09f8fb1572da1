"""The site's catalogues: every key in every language, words only (no numbers typed in)."""

from __future__ import annotations

import re

import pytest

from dashboards.i18n import LANGUAGES, Translator, catalog


def test_every_key_exists_in_every_language():
    keys = {language: set(catalog(language)) for language in LANGUAGES}
    reference = keys["en"]
    for language, own in keys.items():
        assert own - reference == set(), f"{language} has keys English lacks"
        assert reference - own == set(), f"{language} lacks keys: {sorted(reference - own)[:20]}"


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_entry_is_a_non_empty_string_with_the_english_placeholders(language):
    english = catalog("en")
    for key, text in catalog(language).items():
        assert isinstance(text, str) and text.strip(), f"{language}:{key} is not a word"
        assert set(re.findall(r"{(\w+)}", text)) == set(re.findall(r"{(\w+)}", english[key])), f"{language}:{key}"


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
