"""Which builder draws each figure, which words it uses, and which filters apply to it.

The glue between report.json's figures, the pure builders in `figures.py` and the catalogues in
`i18n/`; also the pure filtering and the table/CSV rows the site derives from a figure's frame.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Callable

import pandas as pd
import plotly.graph_objects as go

from dashboards import figures
from dashboards.i18n import Translator


@dataclass(frozen=True)
class FigureSpec:
    id: str
    build: Callable[[pd.DataFrame, figures.FigureText], go.Figure]
    x: str  # axis keys (axis.<key>)
    y: str
    names: tuple[str, ...] = ()  # catalogue groups naming the data values
    y2: str = ""
    date_column: str | None = None  # a date-range control when set
    industry: bool = False  # an industry filter when True
    include_all: bool = False  # the all-industries row is selected by default


SPECS: dict[str, FigureSpec] = {s.id: s for s in (
    FigureSpec("F1", figures.models_over_time, "month", "models", y2="ratio", date_column="activity_month"),
    FigureSpec("F2", figures.ratio_by_industry, "month", "ratio", ("industry",), date_column="activity_month", industry=True),
    FigureSpec("F3", figures.application_share, "application", "share_notebooks", ("industry", "category"),
               industry=True, include_all=True),
    FigureSpec("F4", figures.application_growth, "application", "yoy_growth", ("industry", "category"),
               industry=True, include_all=True),
    FigureSpec("F5", figures.top_products, "customers", "product"),
    FigureSpec("F6", figures.llm_library_usage, "week", "customers", ("llm_category",), date_column="activity_week"),
    FigureSpec("F7", figures.open_model_usage, "week", "open_share", date_column="activity_week"),
    FigureSpec("F8", figures.fm_usage_by_industry, "industry", "requests_per_customer", ("industry",), industry=True),
    FigureSpec("F9", figures.serving_by_industry, "industry", "hours_per_customer", ("industry", "compute_type"),
               industry=True),
    FigureSpec("F10", figures.uc_adoption, "month", "customers", ("industry",), date_column="activity_month", industry=True),
    FigureSpec("F11", figures.serverless_adoption, "month", "customers", ("industry", "serverless_product"),
               date_column="activity_month", industry=True),
    FigureSpec("B1", figures.vector_search_products, "week", "customers", date_column="activity_week"),
    FigureSpec("B2", figures.vector_search_embeddings, "embedding_dimension", "customers", ("modality",)),
)}


def figure_text(spec: FigureSpec, title: str, t: Translator, k: int) -> figures.FigureText:
    """The words of a figure in the translator's language (values named from the catalogue)."""
    names: dict[str, str] = {}
    for group in spec.names:
        names.update(t.group(group))
    names.update(t.group("series"))
    names.update({
        "rank_new": t("fmt.rank_new"), "rank_same": t("fmt.rank_change_same"),
        "rank_up": t("fmt.rank_change_up"), "rank_down": t("fmt.rank_change_down"),
        "dimension_unknown": t("modality.unknown"), "interval": t("series.interval", p=80),
    })
    return figures.FigureText(
        title=f"{spec.id}. {title}", x=t(f"axis.{spec.x}"), y=t(f"axis.{spec.y}"),
        y2=t(f"axis.{spec.y2}") if spec.y2 else "", suppressed=t.suppressed(k), names=names, value=t.value,
        separators=t.separators,
    )


def default_industries(spec: FigureSpec, frame: pd.DataFrame) -> list[str]:
    keys = industry_keys(frame)
    return keys if spec.include_all else [k for k in keys if k != "all"]


def industry_keys(frame: pd.DataFrame) -> list[str]:
    if "industry_key" not in frame:
        return []
    keys = list(dict.fromkeys(frame["industry_key"].dropna().tolist()))
    return sorted(keys, key=lambda k: (k != "all", k == "other", k))


def date_bounds(spec: FigureSpec, frame: pd.DataFrame) -> tuple[date, date] | None:
    if not spec.date_column or spec.date_column not in frame or frame.empty:
        return None
    column = frame[spec.date_column]
    return column.min().date(), column.max().date()


def filter_frame(spec: FigureSpec, frame: pd.DataFrame, industries: list[str] | None = None,
                 start: str | date | None = None, end: str | date | None = None) -> pd.DataFrame:
    """The rows a figure shows for the chosen industries (None: the default set) and period."""
    mask = pd.Series(True, index=frame.index)
    if spec.industry and "industry_key" in frame:
        chosen = default_industries(spec, frame) if industries is None else industries
        mask &= frame["industry_key"].isin(chosen)
    if spec.date_column and spec.date_column in frame:
        if start:
            mask &= frame[spec.date_column] >= pd.Timestamp(start)
        if end:
            mask &= frame[spec.date_column] <= pd.Timestamp(end)
    return frame[mask]


def build(spec: FigureSpec, frame: pd.DataFrame, t: Translator, k: int, title: str) -> go.Figure:
    """The chart of a figure; `title` is its title in the translator's language (Translator.report_text)."""
    return spec.build(frame, figure_text(spec, title, t, k))


# --- tables and CSV ----------------------------------------------------------------------------------

# A spreadsheet reads a cell that starts with one of these as a formula (OWASP, "CSV Injection")
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def inert_cell(value):
    """A text cell a spreadsheet shows as text: one that would start a formula is prefixed with
    a single quote, as OWASP advises. Library and product names come from customers' telemetry."""
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


def csv_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """A figure's rows as published: suppressed measures stay empty (never 0), flagged by
    is_suppressed; dates as ISO days; text that a spreadsheet would run as a formula made inert."""
    out = frame.copy()
    for column in out.columns:
        if pd.api.types.is_datetime64_any_dtype(out[column]):
            out[column] = out[column].dt.strftime("%Y-%m-%d")
        elif pd.api.types.is_object_dtype(out[column]) or pd.api.types.is_string_dtype(out[column]):
            out[column] = out[column].map(inert_cell)
    return out


def display_rows(frame: pd.DataFrame, units: dict[str, str | None], t: Translator, k: int) -> list[dict[str, str]]:
    """Rows for an on-page table: values formatted in their unit and language; a suppressed
    row's empty measures read "suppressed (< k customers)"."""
    label = t.suppressed(k)
    measures = [c for c in frame.columns if units.get(c) is not None]
    last_year = [c for c in frame.columns if c.startswith("last_year_")]
    rows = []
    for record in frame.to_dict("records"):
        row: dict[str, str] = {}
        for column, value in record.items():
            empty = value is None or (not isinstance(value, str) and pd.isna(value))
            if empty and (column in measures and record.get("is_suppressed")
                          or column in last_year and record.get("is_last_year_suppressed")):
                row[column] = label
            elif isinstance(value, pd.Timestamp):
                row[column] = value.strftime("%Y-%m-%d")
            elif column == "industry_key":
                row[column] = str(value)
            elif column in ("industry",) and record.get("industry_key"):
                row[column] = t.label("industry", record["industry_key"])
            elif isinstance(value, (bool,)) or (not empty and column.startswith("is_")):
                row[column] = t("status.answer_yes") if value else t("status.answer_no")
            elif empty:
                row[column] = t("ui.not_available")
            elif isinstance(value, (int, float)):
                row[column] = t.value(value, units.get(column))
            else:
                row[column] = str(value)
        rows.append(row)
    return rows


def table_columns(frame: pd.DataFrame, t: Translator) -> list[dict[str, str]]:
    return [{"id": c, "name": t(f"column.{c}") if t.has(f"column.{c}") else c} for c in frame.columns]
