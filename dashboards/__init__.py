"""The report site (Plotly Dash)."""
