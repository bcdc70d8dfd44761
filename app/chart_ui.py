"""A chart and its words: every chart the pages draw goes through `plot`, which puts a caption
under it saying what it shows now (app/charts/describe.py), redrawn with it, so a screen reader
(or anyone who cannot read the picture) hears it. The caption's container has the key
`<chart key>_text`."""

from __future__ import annotations

import plotly.graph_objects as go
import streamlit as st

from app.charts import describe


def plot(fig: go.Figure, key: str, text: str | None = None, where=None, **options) -> None:
    """`st.plotly_chart(fig, key=key)` in `where` (a column, a container; default the page), and
    under it `text` (default: describe.figure(fig), from the chart's own traces)."""
    where = where if where is not None else st
    where.plotly_chart(fig, key=key, **options)
    box = where.container(key=f"{key}_text")
    box.caption(text if text is not None else describe.figure(fig))
