"""Figure builders without a browser: a tiny frame in, the right traces and values out, and a
suppressed cell drawn as "suppressed", never as a zero."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from dashboards import figures, specs
from dashboards.i18n import Translator

LABEL = "suppressed (< 10 customers)"
TEXT = figures.FigureText(title="T", x="X", y="Y", suppressed=LABEL)


def _suppressed_traces(fig):
    return [trace for trace in fig.data if trace.meta == figures.SUPPRESSED_TRACE]


def test_industry_bars_leave_a_suppressed_industry_without_a_bar_and_label_it():
    frame = pd.DataFrame({
        "industry": ["Financial Services", "Retail & Consumer Goods", "Other"],
        "industry_key": ["fs", "retail", "other"],
        "request_count": [5000, None, 300],
        "customers": [20, None, 12],
        "requests_per_customer": [250.0, None, 25.0],
        "is_suppressed": [False, True, False],
    })
    fig = figures.fm_usage_by_industry(frame, TEXT)
    bars = [trace for trace in fig.data if trace.type == "bar"]
    assert len(bars) == 1
    values = dict(zip(bars[0].x, bars[0].y))
    assert values["fs"] == 250.0 and values["other"] == 25.0
    assert math.isnan(values["retail"])  # no bar (serialised as null), not a zero bar
    assert 0 not in list(bars[0].y)
    (marks,) = _suppressed_traces(fig)
    assert list(marks.x) == ["retail"] and list(marks.text) == [LABEL]
    assert fig.layout.title.text == "T" and fig.layout.xaxis.title.text == "X" and fig.layout.yaxis.title.text == "Y"


def test_time_series_have_gaps_not_zeros_where_cells_are_suppressed():
    frame = pd.DataFrame({
        "activity_week": pd.to_datetime(["2024-01-01", "2024-01-08", "2024-01-01", "2024-01-08"]),
        "llm_category": ["vector_db", "vector_db", "saas_llm", "saas_llm"],
        "customers": [12, None, 30, 33],
        "smoothed_customers": [12.0, None, 30.0, 33.0],
        "is_holiday_week": [False] * 4,
        "is_suppressed": [False, True, False, False],
    })
    fig = figures.llm_library_usage(frame, TEXT)
    lines = {trace.name: list(trace.y) for trace in fig.data if trace.meta != figures.SUPPRESSED_TRACE}
    assert set(lines) == {"saas_llm", "vector_db"}
    assert lines["saas_llm"] == [30.0, 33.0]
    assert lines["vector_db"][0] == 12.0 and math.isnan(lines["vector_db"][1])  # a gap, never 0
    (marks,) = _suppressed_traces(fig)
    assert list(marks.x) == [pd.Timestamp("2024-01-08")]
    assert marks.name == LABEL and marks.yaxis == "y9"  # an axis of its own: no value scale


def test_models_over_time_has_both_series_and_the_ratio_on_a_second_axis():
    frame = pd.DataFrame({
        "activity_month": pd.to_datetime(["2023-02-01", "2023-03-01"]),
        "experiment_models": [160, 150], "registered_models": [10, 30],
        "experiment_to_registered_ratio": [16.0, 5.0], "is_suppressed": [False, False],
    })
    fig = figures.models_over_time(frame, figures.FigureText(title="F1", x="Month", y="Models", y2="Ratio"))
    by_name = {trace.name: trace for trace in fig.data}
    assert list(by_name["experiment_models"].y) == [160, 150]
    assert list(by_name["registered_models"].y) == [10, 30]
    assert list(by_name["ratio"].y) == [16.0, 5.0] and by_name["ratio"].yaxis == "y2"
    assert fig.layout.yaxis2.title.text == "Ratio"
    assert not _suppressed_traces(fig)


def test_heatmap_cell_of_a_suppressed_share_is_blank_and_labelled():
    frame = pd.DataFrame({
        "industry": ["All industries", "All industries", "Financial Services", "Financial Services"],
        "industry_key": ["all", "all", "fs", "fs"],
        "application_category": ["nlp", "graph", "nlp", "graph"],
        "notebooks": [50, 50, None, None], "notebook_share": [0.5, 0.5, None, None],
        "is_suppressed": [False, False, True, True],
    })
    fig = figures.application_share(frame, TEXT)
    (heatmap,) = fig.data
    assert list(heatmap.y) == ["all", "fs"] and list(heatmap.x) == ["graph", "nlp"]
    assert [list(row) for row in heatmap.z] == [[0.5, 0.5], [None, None]]
    assert list(heatmap.text[1]) == [LABEL, LABEL]


def test_top_products_shows_last_years_rank_and_the_movement():
    frame = pd.DataFrame({
        "product": ["Plotly Dash", "LangChain", "dbt", "Tableau"],
        "customers": [900, 600, 500, 400], "customer_rank": [1, 4, 6, 11],
        "last_year_rank": [1.0, None, 8.0, 7.0], "rank_change": [0.0, None, 2.0, -4.0],
        "is_top_10": [True, True, True, False], "is_suppressed": [False] * 4,
        "is_last_year_suppressed": [False] * 4,
    })
    t = Translator("en")
    fig = specs.build(specs.SPECS["F5"], frame, t, 10, "Top data & AI products")
    (bar,) = fig.data
    assert list(bar.y) == ["dbt", "LangChain", "Plotly Dash"]  # top 10 only, first at the top
    assert list(bar.x) == [500, 600, 900]
    assert bar.text[0] == "#6 · Last year's rank #8 ▲ 2"
    assert bar.text[1] == "#4 · new"
    frame.loc[frame["product"] == "dbt", ["last_year_rank", "rank_change", "is_last_year_suppressed"]] = [None, None, True]
    (bar,) = specs.build(specs.SPECS["F5"], frame, t, 10, "Top data & AI products").data
    assert bar.text[0] == "#6 · Last year's rank suppressed (< 10 customers)"  # not "new"


def test_forecast_draws_history_forecast_and_its_interval():
    series = {"series": "s", "title": "S", "unit": "customers", "frequency": "month", "interval": 0.8,
              "history": [{"period": "2024-01-01", "value": 10.0}, {"period": "2024-02-01", "value": 12.0}],
              "points": [{"period": "2024-03-01", "value": 13.0, "lower": 11.0, "upper": 15.0}]}
    fig = figures.forecast(series, figures.FigureText(title="S", x="Month", y="customers"))
    names = [trace.name for trace in fig.data]
    assert names[-2:] == ["history", "forecast"]
    assert list(fig.data[0].y) == [15.0] and list(fig.data[1].y) == [11.0] and fig.data[1].fill == "tonexty"


@pytest.mark.parametrize("industries, expected", [(None, {"fs", "retail"}), (["fs"], {"fs"})])
def test_filter_selects_industries_and_period(industries, expected):
    frame = pd.DataFrame({
        "activity_month": pd.to_datetime(["2023-02-01", "2023-03-01", "2023-03-01", "2023-03-01"]),
        "industry_key": ["fs", "fs", "retail", "all"], "customers": [1, 2, 3, 6],
    })
    spec = specs.SPECS["F10"]
    out = specs.filter_frame(spec, frame, industries, start="2023-03-01", end=None)
    assert set(out["industry_key"]) == expected and set(out["activity_month"]) == {pd.Timestamp("2023-03-01")}


def test_table_rows_show_suppressed_cells_as_suppressed_and_csv_keeps_them_empty():
    frame = pd.DataFrame({"industry": ["Financial Services"], "industry_key": ["fs"], "customers": [None],
                          "is_suppressed": [True]})
    rows = specs.display_rows(frame, {"customers": "customers"}, Translator("fr"), 10)
    assert rows[0]["customers"] == "masqué (< 10 clients)"
    csv = specs.csv_frame(frame).to_csv(index=False).splitlines()
    assert csv[1] == "Financial Services,fs,,True"


def test_a_heatmap_drawn_for_paper_is_a_shape_per_published_cell_and_the_figure_given_is_kept():
    frame = pd.DataFrame({"industry_key": ["all", "all", "fs", "fs"], "application_category": ["graph", "nlp"] * 2,
                          "notebook_share": [0.2, 0.8, None, None], "is_suppressed": [False, False, True, True]})
    fig = figures.application_share(frame, TEXT)
    drawn = figures.heatmaps_as_shapes(fig)
    assert [type(trace).__name__ for trace in fig.data] == ["Heatmap"]  # the site's figure is untouched
    assert [type(trace).__name__ for trace in drawn.data] == ["Scatter"] and drawn.data[0].marker.showscale
    assert len(drawn.layout.shapes) == 2  # the two published cells; the suppressed ones get no colour
    assert [a.text for a in drawn.layout.annotations] == [*fig.data[0].text[0], LABEL, LABEL]  # every cell's label
