"""Benchmarks of the playground, run as `python -m bench` (see bench/__main__.py).

They import nncore (and app/ for the boundary figures), never the reverse: nothing the app
ships imports this package. Figures are printed beside a baseline from the same run; nothing
here is asserted, and no test depends on a timing.

    report.py        the speed and memory report (`python -m bench`)
    app.py           its figures of the app in Chromium: cold start, training from the page
    serve.py         `streamlit run` on a free port and the system's Chromium (tests use it too)
    common.py        helpers they share: rss_mb, train_here, growth
    draw.py          the Draw page: inference and mouse-up-to-prediction latency in Chromium
    boundary.py      live decision boundaries: one frame's cost and size, the training slowdown
    eval_strokes.py  a digit model's accuracy on drawn strokes (tests/strokes.py)
"""
