"""Library and product names come from customers' telemetry: in the static export they stay text
(escaped HTML, chart data that cannot close its script), and in CSV downloads a cell that would
start a spreadsheet formula is prefixed (dashboards/specs.py, inert_cell)."""

from __future__ import annotations

import csv
import io

import pandas as pd
import plotly.graph_objects as go
import pytest
from dash import dash_table, dcc, html

from dashboards import specs
from dashboards.export import HtmlRenderer

HOSTILE = '</script><img src=x onerror="alert(1)">'


def test_hostile_names_stay_text_in_the_static_export():
    layout = html.Div([
        html.P(HOSTILE),
        dash_table.DataTable(columns=[{"id": "library", "name": "library"}], data=[{"library": HOSTILE}]),
        dcc.Graph(figure=go.Figure(go.Bar(x=[HOSTILE], y=[1], name=HOSTILE))),
    ])
    page = HtmlRenderer(lambda _: None).render(layout)
    assert HOSTILE not in page and "<img" not in page
    assert page.count("&lt;img src=x onerror=&quot;alert(1)&quot;&gt;") == 2  # the paragraph and the cell


@pytest.mark.parametrize(("name", "in_csv"), [
    ("=HYPERLINK(\"http://x\")", "'=HYPERLINK(\"http://x\")"),
    ("+1+2", "'+1+2"),
    ("-2+3", "'-2+3"),
    ("@SUM(A1)", "'@SUM(A1)"),
    ("\t=1", "'\t=1"),
    ("langchain", "langchain"),
    ("a=b", "a=b"),
])
def test_a_csv_cell_that_would_be_a_formula_is_prefixed_and_numbers_are_not(name, in_csv):
    frame = pd.DataFrame({"library": [name], "share": [-0.5], "customers": [-3]})
    out = specs.csv_frame(frame)
    assert out.loc[0, "library"] == in_csv
    assert out.loc[0, "share"] == -0.5 and out.loc[0, "customers"] == -3
    row = next(csv.reader(io.StringIO(out.to_csv(index=False)).readlines()[1:]))
    assert row[0] == in_csv and row[1:] == ["-0.5", "-3"]
