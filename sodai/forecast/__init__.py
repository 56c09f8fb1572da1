"""Trend forecasts of the report's series: extraction from the gold marts (series), candidate
methods (model), rolling-origin backtests (backtest), the model registry's champion (registry),
gold.forecasts (table) and the stage that ties them together (runner)."""
