"""Forecasts published in report.json (`forecasts`), each with its prediction interval."""

import dash
from dash import dcc, html

from dashboards import figures
from dashboards.app import current_data
from dashboards.components import no_report, page
from dashboards.i18n import Translator

dash.register_page(__name__, path="/forecasts", name="Forecasts", order=7)


def forecast_card(index: int, series: dict, t: Translator) -> html.Section:
    interval = round(float(series.get("interval", 0.8)) * 100)
    names = t.group("series") | {"interval": t("series.interval", p=interval)}
    axis = t("axis.week") if series.get("frequency") == "week" else t("axis.month")
    text = figures.FigureText(title=series["title"], x=axis, y=series.get("unit") or "", names=names, value=t.value,
                               separators=t.separators)
    backtest = series.get("backtest") or {}
    facts = [
        t("forecast.model", model=series.get("model", "–"), version=series.get("model_version", "–"),
          uri=series.get("model_uri", "–")),
        t("forecast.unit", unit=series.get("unit") or "–"),
    ]
    if backtest:
        value = backtest.get("value")
        shown = t.share(value, 1) if backtest.get("metric") == "MAPE" and value is not None else t.number(value, 3)
        facts.append(t("forecast.backtest", metric=backtest.get("metric", ""), horizon=backtest.get("horizon", "–"),
                       value=shown))
    if series.get("group"):
        facts.append(t("forecast.group", group=t.label("industry", series["group"])))
    return html.Section(
        [
            html.H2(series["title"], className="figure-title"),
            html.Ul([html.Li(f) for f in facts], className="forecast-facts"),
            dcc.Graph(id=f"forecast-{index}", figure=figures.forecast(series, text), config={"displaylogo": False}),
        ],
        className="figure-card forecast-card", id=f"forecast-{series['series']}",
    )


def layout(language=None, lang=None, **_):
    t = Translator(lang or language)
    data = current_data()
    if data.report() is None:
        return page(t, "forecasts", no_report(t, data))
    forecasts = data.forecasts()
    if not forecasts:
        return page(t, "forecasts", html.Div(t("forecast.none"), className="notice absent", id="no-forecasts"))
    return page(t, "forecasts", *[forecast_card(i, s, t) for i, s in enumerate(forecasts)])
