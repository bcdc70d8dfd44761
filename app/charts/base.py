"""What every chart shares: the one palette, and the layout every chart has (a title, labelled axes,
the legend on top, the learner's zoom kept while it redraws)."""

from __future__ import annotations

import numpy as np
import pandas  # noqa: F401  (imported whole here, before any figure: see below)
import plotly.graph_objects as go

# Plotly checks each value against pandas with `sys.modules.get("pandas")`, never importing it: while
# another thread of the server (a second session, Streamlit itself) is still importing pandas, that
# is a half-made module without `Series`, and the chart failed with an AttributeError (seen on a busy
# server's first pages). The import statement above waits for pandas to be whole.

# The one palette: whatever is drawn in a colour of its own (a class, a run, a layer kind) takes it
# from here. Okabe and Ito's eight colours (told apart with the common colour-vision deficiencies:
# deuteranopia, protanopia), black last, then Paul Tol's wine and dark brown: ten for the ten digits,
# each at least 14 CAM02-UCS units from every other in normal, deuteranopic and protanopic vision
# (`python -m bench palette`; tests/test_palette.py). Then ten of Tol's muted colours for a learner's
# own points (up to 20 classes), less distinct: there the marker shapes (SYMBOLS) tell classes apart.
PALETTE = ("#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#56B4E9", "#F0E442", "#000000", "#882255",
           "#661100",
           "#332288", "#117733", "#44AA99", "#88CCEE", "#DDCC77", "#CC6677", "#AA4499", "#999933", "#999999",
           "#6699CC")
# Each class its marker shape as well as its colour (a filled shape; "-open" for a second set of points).
SYMBOLS = ("circle", "square", "diamond", "triangle-up", "cross", "x", "triangle-down", "star", "pentagon", "hexagram",
           "triangle-left", "triangle-right", "hourglass", "bowtie", "star-diamond", "diamond-tall", "hexagon",
           "octagon", "star-square", "diamond-wide")
BLUE, ORANGE, GREEN, RED, PURPLE = PALETTE[:5]  # RED: Okabe-Ito's vermillion; PURPLE: its reddish purple
TRAIN_COLOR, VAL_COLOR = BLUE, ORANGE
WRONG_COLOR, RIGHT_COLOR = RED, GREEN


def _layout(title: str, x: str, y: str, height: int, xaxis=None, yaxis=None) -> dict:
    """Every chart's layout: a title, labelled axes, the legend on top."""
    return dict(
        title=dict(text=title, x=0.0, xanchor="left"), height=height,
        xaxis=dict(title=dict(text=x), **(xaxis or {})), yaxis=dict(title=dict(text=y), **(yaxis or {})),
        margin=dict(l=60, r=20, t=50, b=50),
        legend=dict(orientation="h", yanchor="bottom", y=1.0, xanchor="right", x=1.0),
        uirevision="keep",  # keep the learner's zoom while the chart redraws live
    )


def layout(fig: go.Figure, title: str, x: str, y: str, height: int = 320) -> go.Figure:
    fig.update_layout(_layout(title, x, y, height))
    return fig


def _figure(traces: list, title: str, x: str, y: str, height: int = 320, xaxis=None, yaxis=None) -> go.Figure:
    """What layout() gives, built in one go: five times faster (1 ms, not 7), which counts for
    the charts redrawn every second while a network trains."""
    return go.Figure(traces, layout=_layout(title, x, y, height, xaxis, yaxis))


def _series(history: dict, name: str) -> tuple[np.ndarray, np.ndarray]:
    """(epochs 1..n, values) as arrays: Plotly checks a list item by item (~50 ms for a long
    training's curves, on every live redraw), an array at once."""
    values = np.asarray(history.get(name, ()), dtype=np.float64)
    return np.arange(1, len(values) + 1), values
