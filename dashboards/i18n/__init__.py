"""The site's words in English, Korean and French, and locale-aware number formatting.

Words live in the YAML catalogues beside this file (one per language, the same keys in each, checked
by a unit test). The report's own words (each key finding's and figure's title, caption and
definition) are not among them: report.json carries them in English as the dbt project defines
them, and the Korean and French catalogues hold only their translations, keyed by id
(`figure.F1.title`, `finding.K1.definition`). Numbers are always computed and formatted here with Babel, so a value reads
"51%" in English and "51 %" in French without any catalogue holding a number.
"""

from __future__ import annotations

import math
from datetime import date, datetime
from functools import lru_cache
from pathlib import Path
from typing import Any, Mapping

import yaml
from babel.dates import format_date
from babel.numbers import format_percent, get_decimal_symbol, get_group_symbol

LANGUAGES: dict[str, str] = {"en": "English", "ko": "한국어", "fr": "Français"}
DEFAULT_LANGUAGE = "en"
_LOCALES = {"en": "en_US", "ko": "ko_KR", "fr": "fr_FR"}
CATALOG_DIR = Path(__file__).resolve().parent


def _flatten(tree: Mapping[Any, Any], prefix: str = "") -> dict[str, str]:
    flat: dict[str, str] = {}
    for key, value in tree.items():
        name = f"{prefix}{key}"
        if isinstance(value, Mapping):
            flat.update(_flatten(value, name + "."))
        else:
            flat[name] = value
    return flat


@lru_cache(maxsize=None)
def catalog(language: str) -> dict[str, str]:
    """Every key of one language's catalogue, flattened to dotted names (e.g. ``nav.overview``)."""
    return _flatten(yaml.safe_load((CATALOG_DIR / f"{language}.yaml").read_text(encoding="utf-8")))


def report_text_group(item_id: str) -> str:
    """The catalogue group translating a report item's words: `finding` for K, else `figure`."""
    return "finding" if item_id.startswith("K") else "figure"


def language_of(value: Any) -> str:
    """A supported language code, the default for anything else (a stale stored value, a bad URL)."""
    return value if isinstance(value, str) and value in LANGUAGES else DEFAULT_LANGUAGE


class Translator:
    """Words and numbers in one language. Unknown keys fall back to English, then to the key's
    last part (a new category from next year's seeds shows its raw name rather than breaking)."""

    def __init__(self, language: str = DEFAULT_LANGUAGE):
        self.language = language_of(language)
        self.locale = _LOCALES[self.language]
        self._words = catalog(self.language)
        self._fallback = catalog(DEFAULT_LANGUAGE)
        self._symbols = str.maketrans({",": get_group_symbol(self.locale), ".": get_decimal_symbol(self.locale)})
        self._percent = format_percent(0, locale=self.locale).replace("0", "{}")

    def __call__(self, key: str, **values: Any) -> str:
        text = self._words.get(key, self._fallback.get(key))
        if text is None:
            return key.rsplit(".", 1)[-1]
        return str(text).format(**values) if values else str(text)

    @property
    def separators(self) -> str:
        """Decimal and thousands separators (Plotly's layout.separators) of the language."""
        return get_decimal_symbol(self.locale) + get_group_symbol(self.locale)

    def group(self, group: str) -> dict[str, str]:
        """Every word of a catalogue group by its last key part, e.g. group("industry")["fs"]."""
        prefix = group + "."
        return {key[len(prefix):]: self(key) for key in self._fallback if key.startswith(prefix)}

    def report_text(self, item: Mapping[str, Any], field: str) -> str:
        """A report item's words (its title, caption or definition, as report.json publishes them)
        in this language: the catalogue's translation by id, else report.json's English."""
        key = f"{report_text_group(item['id'])}.{item['id']}.{field}"
        return str(self._words[key]) if key in self._words else str(item.get(field) or "")

    def has(self, key: str) -> bool:
        return key in self._words

    def label(self, group: str, value: Any) -> str:
        """The word for a data value of a group (industry, category, ...), else the value itself."""
        key = f"{group}.{value}"
        return self(key) if key in self._words or key in self._fallback else str(value)

    # --- numbers -------------------------------------------------------------------------------

    def _digits(self, value: float, decimals: int, trim: bool) -> str:
        """Python's fast fixed-point formatting with the locale's separators (Babel's patterns cost
        ~40 us a value; a table of a few hundred rows is formatted on every filter change)."""
        text = f"{value:,.{decimals}f}"
        if trim and "." in text:
            text = text.rstrip("0").rstrip(".")
        return text.translate(self._symbols)

    def number(self, value: Any, digits: int = 1) -> str:
        if value is None or (isinstance(value, float) and math.isnan(value)):
            return self("ui.not_available")
        if isinstance(value, bool):
            return self("status.answer_yes") if value else self("status.answer_no")
        if isinstance(value, int) or float(value).is_integer():
            return self._digits(int(value), 0, False)
        return self._digits(float(value), digits, True)

    def share(self, value: float, digits: int = 0) -> str:
        """A share in the locale's percent pattern ("51%", "51 %", with `digits` decimals)."""
        return self._percent.format(self._digits(value * 100, digits, False))

    def growth(self, value: float) -> str:
        text = self.share(abs(value))
        return ("+" if value >= 0 else "−") + text

    def value(self, value: Any, unit: str | None) -> str:
        """A published value in its unit: share 0.51 -> 51%, growth 3.77 -> +377%, multiple 11.2 ->
        11.2x, ratio 16.1 -> 16:1, rank 4 -> #4; counts with grouping."""
        if value is None or (isinstance(value, float) and math.isnan(value)):
            return self("ui.not_available")
        if unit == "share":
            return self.share(value)
        if unit == "growth":
            return self.growth(value)
        if unit == "multiple":
            return self("fmt.multiple", x=self.number(value, 1))
        if unit == "ratio":
            return self("fmt.ratio", x=self.number(round(value)))
        if unit == "rank":
            return self("fmt.rank", n=self.number(int(value)))
        if unit in ("per customer", "hours"):
            return self.number(value, 1)
        return self.number(value, 3)

    def date(self, value: Any, month_only: bool = False) -> str:
        if value is None:
            return self("ui.not_available")
        if isinstance(value, str):
            value = date.fromisoformat(value[:10])
        if isinstance(value, datetime):
            value = value.date()
        return format_date(value, format="yyyy-MM" if month_only else "yyyy-MM-dd", locale=self.locale)

    def window(self, window: Mapping[str, str]) -> str:
        return self("fmt.date_range", start=window["start"], end=window["end"])

    def suppressed(self, k: int) -> str:
        return self("ui.suppressed", k=k)
