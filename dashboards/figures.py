"""Figure builders: a figure's rows (a pandas frame as published in report.json) -> a Plotly figure.

Pure functions: no I/O, no language state. The words (title, axis labels with units, names of
categories, the "suppressed" label) come in a `FigureText`; the numbers come from the frame.
A suppressed cell is never drawn as a value: its bar or point is left out (None, not zero) and a
separate, labelled "suppressed" trace marks where it is.
"""

from __future__ import annotations

import textwrap
from dataclasses import dataclass, field
from typing import Any, Callable, Mapping

import numpy as np
import pandas as pd
import plotly.graph_objects as go
from plotly.colors import sample_colorscale

SUPPRESSED_TRACE = "suppressed"  # `meta` of every trace that marks suppressed cells
_COLORS = ("#1f5fa8", "#d9622b", "#2f9e6b", "#8c4fb8", "#c2a01e", "#d1477a", "#4f8f9e", "#7a7a7a")
_SUPPRESSED_COLOR = "#9a9a9a"


# A slim light theme: the built-in plotly_white template carries defaults for every trace type and
# costs a deep copy per figure; these few settings are all the site's figures use.
LIGHT = go.layout.Template(layout={
    "paper_bgcolor": "#ffffff", "plot_bgcolor": "#ffffff", "colorway": list(_COLORS),
    "font": {"color": "#1d2433"},
    "xaxis": {"gridcolor": "#e8ecf2", "linecolor": "#c5ccd6", "zerolinecolor": "#c5ccd6", "automargin": True},
    "yaxis": {"gridcolor": "#e8ecf2", "linecolor": "#c5ccd6", "zerolinecolor": "#c5ccd6", "automargin": True,
              "rangemode": "tozero"},
    "hoverlabel": {"bgcolor": "#ffffff"},
})


def _plain(value: Any, unit: str | None) -> str:
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return "–"
    return f"{value:,.4g}" if isinstance(value, float) else str(value)


@dataclass(frozen=True)
class FigureText:
    """The words of one figure in one language."""

    title: str
    x: str
    y: str
    suppressed: str = "suppressed (< 10 customers)"
    names: Mapping[str, str] = field(default_factory=dict)  # data value -> display name
    y2: str = ""
    separators: str = ".,"  # decimal and thousands separators of the language
    value: Callable[[Any, str | None], str] = _plain  # formats a number in its unit

    def name(self, value: Any) -> str:
        return self.names.get(str(value), str(value))


def _layout(fig: go.Figure, text: FigureText, **extra: Any) -> go.Figure:
    fig.update_layout(
        template=LIGHT,
        title={"text": text.title, "x": 0, "xanchor": "left", "y": 0.98, "yanchor": "top", "yref": "container"},
        xaxis_title=text.x,
        yaxis_title=text.y,
        legend={"orientation": "h", "yanchor": "bottom", "y": 1.02, "x": 0},
        margin={"l": 60, "r": 20, "t": 100, "b": 40},
        hovermode="closest",
        separators=text.separators,
        font={"family": "system-ui, -apple-system, 'Segoe UI', 'Noto Sans KR', sans-serif", "size": 13},
        **extra,
    )
    return fig


def _is_suppressed(frame: pd.DataFrame) -> pd.Series:
    if "is_suppressed" in frame:
        return frame["is_suppressed"].fillna(False).astype(bool)
    return pd.Series(False, index=frame.index)


def _values(series: pd.Series) -> np.ndarray:
    """Plotly-ready values, gaps as NaN (drawn as gaps, serialised as null; never 0). Arrays, not
    lists: plotly copies an array at once but validates a list element by element."""
    return pd.to_numeric(series, errors="coerce").to_numpy(dtype=float, na_value=np.nan)


# d3 formats of hover values in long series (formatted in the browser with the layout's locale
# separators: no per-point formatting on the server).
_D3 = {"share": ".0%", "growth": "+.0%", "ratio": ",.0f", "per customer": ",.1f"}


def _hover_value(unit: str | None) -> str:
    return f"%{{y:{_D3.get(unit or '', ',.0f')}}}" + (":1" if unit == "ratio" else "")


def _suppressed_points(xs: Any, hover: Any, text: FigureText) -> go.Scatter:
    """Markers for suppressed cells of a time series, on an overlay axis of its own so they never
    sit on a value scale (a suppressed point has no value, not a zero one)."""
    return go.Scatter(
        x=xs, y=np.full(len(xs), 0.03), yaxis="y9", mode="markers", name=text.suppressed, meta=SUPPRESSED_TRACE,
        marker={"symbol": "x-thin-open", "size": 9, "color": _SUPPRESSED_COLOR, "line": {"width": 2}},
        hovertext=hover, hoverinfo="text+x",
    )


def _suppressed_overlay(fig: go.Figure) -> None:
    fig.update_layout(yaxis9={"overlaying": "y", "range": [0, 1], "visible": False, "fixedrange": True})


def _suppressed_labels(categories: list[str], text: FigureText, horizontal: bool) -> go.Scatter:
    """Text where the bar of a suppressed category would be."""
    base = [0] * len(categories)
    return go.Scatter(
        x=base if horizontal else categories, y=categories if horizontal else base,
        mode="text", text=[text.suppressed] * len(categories), name=text.suppressed, meta=SUPPRESSED_TRACE,
        textposition="middle right" if horizontal else "top center",
        textfont={"color": _SUPPRESSED_COLOR, "size": 11}, hoverinfo="skip", showlegend=True,
    )


def _lines(frame: pd.DataFrame, x: str, y: str, group: str, text: FigureText, unit: str | None,
           order: list[str] | None = None, stack: bool = False) -> go.Figure:
    """One line per group over time; suppressed points left out and marked."""
    fig = go.Figure()
    groups = order or sorted(frame[group].dropna().unique().tolist(), key=lambda g: text.name(g))
    hidden_x: list[np.ndarray] = []
    hidden_hover: list[str] = []
    for i, key in enumerate(groups):
        part = frame[frame[group] == key].sort_values(x)
        if part.empty:
            continue
        hidden = _is_suppressed(part)
        values = _values(part[y].where(~hidden))
        fig.add_trace(go.Scatter(
            x=part[x].to_numpy(), y=values, name=text.name(key), mode="lines+markers", connectgaps=False,
            line={"color": _COLORS[i % len(_COLORS)], "width": 2}, marker={"size": 4},
            stackgroup="one" if stack else None,
            hovertemplate=f"{text.name(key)}<br>%{{x|%Y-%m-%d}}: {_hover_value(unit)}<extra></extra>",
        ))
        hidden_x.append(part.loc[hidden, x].to_numpy())
        hidden_hover += [f"{text.name(key)}: {text.suppressed}"] * int(hidden.sum())
    if hidden_hover:
        fig.add_trace(_suppressed_points(np.concatenate(hidden_x), np.array(hidden_hover), text))
        _suppressed_overlay(fig)
    return fig


# --- the report's figures --------------------------------------------------------------------------

def models_over_time(frame: pd.DataFrame, text: FigureText) -> go.Figure:
    """F1: experiment and registered models per month, and their ratio on a second axis."""
    frame = frame.sort_values("activity_month")
    hidden = _is_suppressed(frame)
    x = frame["activity_month"].to_numpy()
    fig = go.Figure()
    for i, column in enumerate(("experiment_models", "registered_models")):
        values = _values(frame[column].where(~hidden))
        fig.add_trace(go.Bar(x=x, y=values, name=text.name(column), marker_color=_COLORS[i],
                             hovertemplate=f"{text.name(column)}<br>%{{x|%Y-%m}}: {_hover_value('models')}<extra></extra>"))
    ratio = _values(frame["experiment_to_registered_ratio"].where(~hidden))
    fig.add_trace(go.Scatter(x=x, y=ratio, name=text.name("ratio"), yaxis="y2", mode="lines+markers",
                             line={"color": _COLORS[2], "width": 3},
                             hovertemplate=f"{text.name('ratio')}<br>%{{x|%Y-%m}}: {_hover_value('ratio')}<extra></extra>"))
    if hidden.any():
        fig.add_trace(_suppressed_points(frame.loc[hidden, "activity_month"].to_numpy(), text.suppressed, text))
        _suppressed_overlay(fig)
    return _layout(fig, text, barmode="group",
                   yaxis2={"title": text.y2, "overlaying": "y", "side": "right", "rangemode": "tozero", "showgrid": False,
                           "tickformat": ",.0f", "ticksuffix": ":1"})


def ratio_by_industry(frame: pd.DataFrame, text: FigureText) -> go.Figure:
    """F2: experiment-to-registered ratio per industry and month."""
    return _layout(_lines(frame, "activity_month", "experiment_to_registered_ratio", "industry_key", text, "ratio"), text)


def _heatmap(frame: pd.DataFrame, value: str, unit: str, text: FigureText) -> go.Figure:
    """Industries x application categories; a suppressed cell is blank and labelled."""
    categories = sorted(frame["application_category"].unique().tolist(), key=lambda c: text.name(c))
    industries = [k for k in dict.fromkeys(frame["industry_key"].tolist())]
    industries.sort(key=lambda k: (k != "all", text.name(k)))
    cells = frame.set_index(["industry_key", "application_category"])
    z, labels = [], []
    for industry in industries:
        row_z, row_text = [], []
        for category in categories:
            if (industry, category) not in cells.index:
                row_z.append(None)
                row_text.append("")
                continue
            cell = cells.loc[(industry, category)]
            if bool(cell.get("is_suppressed", False)) or pd.isna(cell[value]):
                row_z.append(None)
                row_text.append(text.suppressed if bool(cell.get("is_suppressed", False)) else "–")
            else:
                row_z.append(float(cell[value]))
                row_text.append(text.value(float(cell[value]), unit))
        z.append(row_z)
        labels.append(row_text)
    fig = go.Figure(go.Heatmap(
        z=z, x=[text.name(c) for c in categories], y=[text.name(i) for i in industries], text=labels,
        texttemplate="%{text}", hovertemplate="%{y}<br>%{x}: %{text}<extra></extra>",
        colorscale="Blues", colorbar={"title": {"text": wrapped(text.y), "side": "right"}, "tickformat": ".0%"},
        xgap=2, ygap=2,
    ))
    # The rows name the industries; the value's name is the colour bar's title (wrapped: rotated
    # along a bar shorter than the plot, one long line would be cut).
    fig = _layout(fig, text, yaxis={"autorange": "reversed"}, xaxis={"side": "bottom"})
    return fig.update_layout(yaxis_title=None)


def wrapped(title: str, width: int = 28) -> str:
    """A title in lines of at most about `width` characters, for Plotly (<br> breaks)."""
    return "<br>".join(textwrap.wrap(title, width)) or title


def vertical_titles_wrapped(fig: go.Figure, width: int = 30) -> go.Figure:
    """A copy of the figure with its y axes' titles in lines of about `width` characters: on a
    plot less tall than its title (paper, rotated tick labels below) one long line would be cut."""
    fig = go.Figure(fig)
    for name in [key for key in fig.layout.to_plotly_json() if key.startswith("yaxis")]:
        axis = fig.layout[name]
        if axis.title and axis.title.text and "<br>" not in axis.title.text:
            axis.title.text = wrapped(axis.title.text, width)
    return fig


def heatmaps_as_shapes(fig: go.Figure) -> go.Figure:
    """The figure with each heatmap drawn as vector shapes: a rectangle and a label per cell.

    plotly.js paints a heatmap's cells into a bitmap, which prints as an image; paper wants
    vectors. The colour of a cell is the heatmap's colour scale at the cell's value, the labels are
    the heatmap's texts, and an invisible trace over every cell keeps the axes' categories and
    carries the colour bar. Returns a copy; the figure given is left as it is."""
    fig = go.Figure(fig)
    traces = []
    for trace in fig.data:
        if not isinstance(trace, go.Heatmap):
            traces.append(trace)
            continue
        z = np.array([[np.nan if v is None else v for v in row] for row in trace.z], dtype=float)
        low, high = (float(np.nanmin(z)), float(np.nanmax(z))) if np.isfinite(z).any() else (0.0, 1.0)
        scale = [[position, color] for position, color in trace.colorscale]
        xs, ys = [], []
        for row, y in enumerate(trace.y):
            for column, x in enumerate(trace.x):
                xs.append(x)
                ys.append(y)
                value = z[row, column]
                label = trace.text[row][column] if trace.text is not None else ""
                if not np.isnan(value):
                    share = 0.0 if high == low else (value - low) / (high - low)
                    fig.add_shape(type="rect", xref="x", yref="y", x0=column - 0.48, x1=column + 0.48, y0=row - 0.47,
                                  y1=row + 0.47, line={"width": 0}, layer="below",
                                  fillcolor=sample_colorscale(scale, [share])[0])
                    color = "#ffffff" if share > 0.55 else "#1d2433"
                else:
                    color = _SUPPRESSED_COLOR
                if label:
                    fig.add_annotation(x=column, y=row, xref="x", yref="y", text=label, showarrow=False,
                                       font={"color": color, "size": 11})
        traces.append(go.Scatter(
            x=xs, y=ys, mode="markers", hoverinfo="skip", showlegend=False,
            marker={"color": [low] * len(xs), "colorscale": scale, "cmin": low, "cmax": high, "opacity": 0, "size": 1,
                    "showscale": True, "colorbar": trace.colorbar.to_plotly_json()},
        ))
    fig.data = []
    for trace in traces:
        fig.add_trace(trace)
    return fig.update_layout(xaxis_showgrid=False, yaxis_showgrid=False)


def application_share(frame: pd.DataFrame, text: FigureText) -> go.Figure:
    """F3: share of notebooks with a specialized library, per industry and application category."""
    return _heatmap(frame, "notebook_share", "share", text)


def application_growth(frame: pd.DataFrame, text: FigureText) -> go.Figure:
    """F4: YoY growth of notebooks per industry and application category."""
    return _heatmap(frame, "yoy_growth", "growth", text)


def top_products(frame: pd.DataFrame, text: FigureText) -> go.Figure:
    """F5: the top 10 products by customers, with last year's rank and the movement since."""
    top = frame[frame["is_top_10"].fillna(False).astype(bool)] if "is_top_10" in frame else frame
    top = top.sort_values("customer_rank", ascending=False)  # first at the top of a horizontal bar chart
    hidden = _is_suppressed(top)
    names = top["product"].tolist()
    values = _values(top["customers"].where(~hidden))
    notes = []
    for row in top.itertuples():
        last = getattr(row, "last_year_rank", None)
        change = getattr(row, "rank_change", None)
        if bool(getattr(row, "is_last_year_suppressed", False)):
            previous = f"{text.name('last_year_rank')} {text.suppressed}"
        elif last is None or pd.isna(last):
            previous = text.name("rank_new")  # not ranked last year: no movement to show
        else:
            movement = text.name("rank_same") if change == 0 else (
                text.name("rank_up").format(n=int(change)) if change > 0 else text.name("rank_down").format(n=int(-change)))
            previous = f"{text.name('last_year_rank')} {text.value(last, 'rank')} {movement}"
        notes.append(f"{text.value(row.customer_rank, 'rank')} · {previous}")
    fig = go.Figure(go.Bar(
        x=values, y=names, orientation="h", marker_color=_COLORS[0], text=notes, textposition="auto",
        customdata=[text.value(v, "customers") for v in values],
        hovertemplate="%{y}: %{customdata}<br>%{text}<extra></extra>", name=text.x,
    ))
    if hidden.any():
        fig.add_trace(_suppressed_labels(top.loc[hidden, "product"].tolist(), text, horizontal=True))
    return _layout(fig, text, showlegend=False)


def llm_library_usage(frame: pd.DataFrame, text: FigureText) -> go.Figure:
    """F6: weekly customers per LLM library category (holiday weeks smoothed, and shaded)."""
    fig = _lines(frame, "activity_week", "smoothed_customers", "llm_category", text, "customers")
    if "is_holiday_week" in frame and frame["is_holiday_week"].fillna(False).any():
        weeks = frame.loc[frame["is_holiday_week"].fillna(False).astype(bool), "activity_week"]
        fig.add_vrect(x0=weeks.min(), x1=weeks.max() + pd.Timedelta(days=6), fillcolor="#f2e6c9", opacity=0.5,
                      line_width=0, annotation_text=text.name("holiday"), annotation_position="top left")
    return _layout(fig, text)


def open_model_usage(frame: pd.DataFrame, text: FigureText) -> go.Figure:
    """F7: each open model's share of the week's open-model requests."""
    order = sorted(frame["model"].dropna().unique().tolist())
    fig = _lines(frame, "activity_week", "open_request_share", "model", text, "share", order=order, stack=True)
    return _layout(fig, text, yaxis={"tickformat": ".0%", "range": [0, 1]})


def _industry_bars(frame: pd.DataFrame, value: str, unit: str, text: FigureText, group: str | None = None) -> go.Figure:
    frame = frame.copy()
    frame["_order"] = frame["industry_key"].map(lambda k: (k == "other", text.name(k)))
    frame = frame.sort_values("_order")
    fig = go.Figure()
    hidden_all: list[str] = []
    groups = sorted(frame[group].unique().tolist()) if group else [None]
    for i, key in enumerate(groups):
        part = frame if key is None else frame[frame[group] == key]
        hidden = _is_suppressed(part)
        values = _values(part[value].where(~hidden))
        fig.add_trace(go.Bar(
            x=[text.name(k) for k in part["industry_key"]], y=values, name=text.name(key) if key else text.y,
            marker_color=_COLORS[i], customdata=[text.value(v, unit) for v in values],
            hovertemplate="%{x}: %{customdata}<extra>" + (text.name(key) if key else "") + "</extra>",
        ))
        hidden_all += [text.name(k) for k in part.loc[hidden, "industry_key"]]
    if hidden_all:
        fig.add_trace(_suppressed_labels(list(dict.fromkeys(hidden_all)), text, horizontal=False))
    return _layout(fig, text, barmode="group", showlegend=group is not None or bool(hidden_all))


def fm_usage_by_industry(frame: pd.DataFrame, text: FigureText) -> go.Figure:
    """F8: average foundation-model API requests per customer, per industry."""
    return _industry_bars(frame, "requests_per_customer", "per customer", text)


def serving_by_industry(frame: pd.DataFrame, text: FigureText) -> go.Figure:
    """F9: average serving hours per customer, CPU and GPU, per industry."""
    return _industry_bars(frame, "usage_hours_per_customer", "per customer", text, group="compute_type")


def uc_adoption(frame: pd.DataFrame, text: FigureText) -> go.Figure:
    """F10: customers with unified-governance activity per month and industry."""
    return _layout(_lines(frame, "activity_month", "customers", "industry_key", text, "customers"), text)


def serverless_adoption(frame: pd.DataFrame, text: FigureText) -> go.Figure:
    """F11: customers of any serverless product per month and industry."""
    if "serverless_product" in frame:
        frame = frame[frame["serverless_product"] == "any"]
    return _layout(_lines(frame, "activity_month", "customers", "industry_key", text, "customers"), text)


def vector_search_products(frame: pd.DataFrame, text: FigureText) -> go.Figure:
    """B1: weekly customers per vector-search product or library."""
    return _layout(_lines(frame, "activity_week", "customers", "product", text, "customers"), text)


def vector_search_embeddings(frame: pd.DataFrame, text: FigureText) -> go.Figure:
    """B2: customers by embedding dimension, one bar colour per modality."""
    frame = frame.sort_values(["embedding_dimension", "embedding_modality"])
    fig = go.Figure()
    hidden_labels: list[str] = []

    def dimension(value: Any) -> str:
        return text.name("dimension_unknown") if not value else str(int(value))

    categories = list(dict.fromkeys(dimension(v) for v in frame["embedding_dimension"]))
    for i, modality in enumerate(sorted(frame["embedding_modality"].unique().tolist())):
        part = frame[frame["embedding_modality"] == modality]
        hidden = _is_suppressed(part)
        values = _values(part["customers"].where(~hidden))
        fig.add_trace(go.Bar(
            x=[dimension(v) for v in part["embedding_dimension"]], y=values, name=text.name(modality),
            marker_color=_COLORS[i], customdata=[text.value(v, "customers") for v in values],
            hovertemplate=f"{text.name(modality)} %{{x}}: %{{customdata}}<extra></extra>",
        ))
        hidden_labels += [dimension(v) for v in part.loc[hidden, "embedding_dimension"]]
    if hidden_labels:
        fig.add_trace(_suppressed_labels(list(dict.fromkeys(hidden_labels)), text, horizontal=False))
    return _layout(fig, text, barmode="stack", xaxis={"type": "category", "categoryorder": "array", "categoryarray": categories})


def forecast(series: Mapping[str, Any], text: FigureText) -> go.Figure:
    """A published forecast: the history, the forecast and its prediction interval as a band."""
    history = pd.DataFrame(series.get("history", []), columns=["period", "value"])
    points = pd.DataFrame(series.get("points", []), columns=["period", "value", "lower", "upper"])
    unit = series.get("unit")
    fig = go.Figure()
    if len(points):
        fig.add_trace(go.Scatter(x=points["period"], y=points["upper"], mode="lines", line={"width": 0},
                                 showlegend=False, hoverinfo="skip"))
        fig.add_trace(go.Scatter(
            x=points["period"], y=points["lower"], mode="lines", line={"width": 0}, fill="tonexty",
            fillcolor="rgba(217,98,43,0.2)", name=text.name("interval"), hoverinfo="skip"))
    fig.add_trace(go.Scatter(x=history["period"], y=history["value"], mode="lines+markers", name=text.name("history"),
                             line={"color": _COLORS[0], "width": 2},
                             customdata=[text.value(v, unit) for v in history["value"]],
                             hovertemplate="%{x}: %{customdata}<extra></extra>"))
    fig.add_trace(go.Scatter(
        x=points["period"], y=points["value"], mode="lines+markers", name=text.name("forecast"),
        line={"color": _COLORS[1], "width": 2, "dash": "dash"},
        customdata=[f"{text.value(v, unit)} [{text.value(lo, unit)} – {text.value(hi, unit)}]"
                    for v, lo, hi in zip(points["value"], points["lower"], points["upper"])],
        hovertemplate="%{x}: %{customdata}<extra></extra>"))
    return _layout(fig, text)
