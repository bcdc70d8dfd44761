"""The playground: `streamlit run app/main.py`.

Page config and navigation only; each page is a short script in app/views/.
"""

import os
import sys
import threading
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import streamlit as st  # noqa: E402

from app import theme  # noqa: E402
from app.streamlit_private import keep_keras_between_runs  # noqa: E402

# After every script run Streamlit calls keras.backend.clear_session() (and closes
# matplotlib figures, which this app does not use). clear_session throws away Keras' global
# graph state and forces a full garbage collection; our models live in training jobs that
# run beside the script across reruns, and clearing under them stalls their tracing for
# many seconds. So that clean-up is switched off for this app.
keep_keras_between_runs()

st.set_page_config(page_title="Neural network playground", page_icon="🧠",
                   layout="wide")
# Contrast mends for both themes, a visible focus ring, and a progress bar that jumps to each new
# value instead of gliding (a glide repaints at 60 frames a second while a training updates it).
theme.apply()


WARM_UP_SETTING = "NNCORE_WARM_UP"  # presets to warm up, comma-separated ("": none, TensorFlow only); unset: the pages' presets


def _warm_up() -> None:
    """Once per server, in a thread of its own (nncore.training.warmup says what, in what order, and
    how it yields to a learner's training): import TensorFlow, then build and trace the networks of
    the Train and Boundaries pages' presets, the default first. Runs that a dead server left
    "running" in the run store are marked interrupted first. Its own imports are made in its thread
    too, so that the first page goes on to its title meanwhile."""
    from nncore.registry import PRESETS
    from nncore.training.warmup import WarmUp

    from app import state
    from app.builder import preset_scope

    class Server(WarmUp):
        def run(self) -> None:
            state.store()  # opening the store marks runs cut off by the last stop as interrupted
            # not the CNN: one epoch of it takes many seconds of both cores, while learners arrive
            pages = [p for p in PRESETS if preset_scope(p) in (state.DIGITS, state.POINTS) and p != "draw-cnn"]
            self.presets = list(dict.fromkeys(["practice-lab", "multiclass-lab", *pages]))
            chosen = os.environ.get(WARM_UP_SETTING)
            if chosen is not None:  # e.g. the tests' short-lived servers: none (TensorFlow only)
                self.presets = [p for p in (name.strip() for name in chosen.split(",")) if p in PRESETS]
            super().run()

    Server().run()


@st.cache_resource(show_spinner=False)
def _warm_up_tensorflow() -> threading.Thread:
    """Starts _warm_up, once per server, from the first page's first line."""
    thread = threading.Thread(target=_warm_up, name="nncore-warm-up", daemon=True)
    thread.start()
    return thread


# The first thing a newcomer does is press Train, and nothing trains before TensorFlow is imported
# (2.5-4 s): that starts now, beside this first page (measured: python -m bench first-click).
_warm_up_tensorflow()

views = Path(__file__).parent / "views"
# The default page is served at the root ("/") only; /train, the address people share for it,
# is a hidden page that switches to it (otherwise Streamlit says "Page not found" there).
train = st.Page(views / "train.py", title="Train", icon=":material/model_training:", url_path="home",
                default=True)
page = st.navigation({"Play": [
    train,
    st.Page(lambda: st.switch_page(train, query_params=st.query_params.to_dict()), title="Train", url_path="train",
            visibility="hidden"),
    st.Page(views / "draw.py", title="Draw", icon=":material/draw:", url_path="draw"),
    st.Page(views / "boundaries.py", title="Boundaries", icon=":material/scatter_plot:",
            url_path="boundaries"),
    st.Page(views / "runs.py", title="Runs", icon=":material/compare_arrows:", url_path="runs"),
    st.Page(views / "classroom.py", title="Class", icon=":material/school:", url_path="class"),
], "Lessons": [
    st.Page(views / "activations.py", title="Activations", icon=":material/show_chart:",
            url_path="activations"),
    st.Page(views / "softmax.py", title="Softmax", icon=":material/percent:", url_path="softmax"),
    st.Page(views / "losses.py", title="Losses and labels", icon=":material/label:", url_path="losses"),
    st.Page(views / "derivatives.py", title="Derivatives", icon=":material/functions:", url_path="derivatives"),
    st.Page(views / "backprop.py", title="Backpropagation", icon=":material/account_tree:", url_path="backprop"),
    st.Page(views / "fit.py", title="What fit does", icon=":material/stairs:", url_path="fit"),
    st.Page(views / "optimizers.py", title="Optimizers", icon=":material/speed:", url_path="optimizers"),
    st.Page(views / "layers.py", title="Other layer types", icon=":material/grid_on:", url_path="layers"),
]}, position="top")
page.run()
from app.state import learner  # noqa: E402 (after the page: its title is drawn before these imports)

learner.keep_in_browser()  # who this browser is: kept in a cookie (a hidden element at the page's end)
