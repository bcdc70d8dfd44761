"""Draw: draw a digit, see how it becomes the network's input, and what the network thinks."""

import numpy as np
import streamlit as st
from streamlit_drawable_canvas import st_canvas

from app import charts, models, state
from app.builder import plain
from nncore.inference import preprocess
from nncore.inference.multilabel import PROPERTIES
from nncore.registry import LOSSES, OUTPUTS

CANVAS = 280  # pixels; the digit is scaled to MNIST's 20x20 box whatever its size
BRUSH = 18

st.title("Draw a digit")
st.caption("Draw with the mouse or a finger. The drawing goes through the same steps as "
           "MNIST's digits did, then the network answers.")

ss = st.session_state
ss.setdefault("canvas_version", 0)


def clear_canvas() -> None:
    ss.canvas_version += 1


left, right = st.columns([1, 1.4], gap="large")
with left:
    output = st.segmented_control(
        "Output layer", list(OUTPUTS), key="output_mode", default="logits",
        format_func=OUTPUTS.label, required=True,
        help="Which default network answers: one whose last layer is linear (logits, trained with "
             "from_logits=True), or one whose last layer is a softmax.")
    st.space("medium")  # room for the canvas's own toolbar, which floats above it
    drawing = st_canvas(stroke_width=BRUSH, stroke_color="#000000", background_color="#ffffff",
                        width=CANVAS, height=CANVAS, drawing_mode="freedraw", key="canvas",
                        initial_drawing={"objects": [], "version": ss.canvas_version})
    st.button("Clear", key="clear", icon=":material/delete:", on_click=clear_canvas)

strokes = preprocess.strokes_from_fabric(drawing.json_data)
steps = preprocess.from_strokes(strokes, (CANVAS, CANVAS), BRUSH)

job = state.current_job()
mine = models.job_answerer(job)
linked = st.query_params.get("run")  # ?run=<id>: a stored run's network answers
if linked is not None:
    run, message = state.get_run(linked)
    weights = state.run_weights(run.id) if run is not None and run.has_weights else None
    if run is not None and weights is None:
        message = f"Run {run.id}'s trained weights are no longer kept (only the newest runs keep theirs)."
    elif run is not None and (mine := models.run_answerer(run, weights)) is None:
        message = f"Run {run.id} was not trained on 28x28 digits ({run.spec.dataset}), so it cannot read a drawing."
    if message:
        st.error(plain(message) + " The default network answers instead.", icon=":material/link_off:")
    use_mine = mine is not None and message is None and not st.toggle(
        "Answer with the default CNN instead of the linked run", key="use_default")
else:
    use_mine = mine is not None and mine.spec.output == output and not st.toggle(
        "Answer with the default CNN instead of my network", key="use_default")


def answer_view() -> None:
    answerer = mine if use_mine else models.default_answerer(output)
    if steps.empty:
        st.info("Draw a digit in the box: the prediction appears as soon as you lift the pen.",
                icon=":material/draw:")
        return
    x = steps.input
    raw, probs = (a[0] for a in answerer.answer(x))
    digit = int(probs.argmax())
    with st.container(key="prediction"):
        st.markdown(f"## Prediction: {digit}")
    st.caption(f"Answered by {answerer.title}; {probs[digit]:.0%} sure.")
    st.plotly_chart(charts.probability_bars(probs, title="Softmax probabilities (they sum to 1)"),
                    key="draw_probabilities")

    from_logits = answerer.spec.from_logits
    loss = LOSSES[answerer.spec.loss].code(from_logits).removeprefix("keras.losses.")
    with st.container(border=True, key="raw_output"):
        if from_logits:
            st.markdown("**The output layer gives logits z**: any real numbers, not probabilities.")
        else:
            st.markdown("**The output layer gives probabilities a**: the softmax is inside the model.")
        st.plotly_chart(charts.raw_output_bars(raw, from_logits), key="draw_raw_output")
        st.caption("Raw output: " + "  ".join(f"{d}: {v:.3f}" for d, v in enumerate(raw)))
        if from_logits:
            st.code("logits = model(x)\nprobabilities = keras.ops.softmax(logits)  # or tf.nn.softmax",
                    language="python")
        else:
            st.code("probabilities = model(x)  # the last layer is Dense(10, activation='softmax')",
                    language="python")
        st.caption(f"Trained with `{loss}`.")

    questions = models.properties_predictor()
    answers = questions.probabilities(x)[0]
    st.plotly_chart(charts.question_bars(list(PROPERTIES), answers, probs.sum()),
                    key="draw_properties")


with right:
    st.fragment(answer_view, run_every=1.0 if (use_mine and mine.live) else None)()

st.subheader("From your drawing to the network's input")
if steps.empty:
    st.caption("Each step of the preprocessing appears here once you draw.")
    st.stop()
cols = st.columns(4)
shown = [(steps.raw, "1. Your drawing (280x280)"),
         (steps.cropped, "2. Cropped to its bounding box, pen redrawn at MNIST's thickness"),
         (steps.scaled, "3. Scaled to fit 20x20, aspect kept (grey edges from anti-aliasing)"),
         (steps.centered, "4. In 28x28, centre of mass at the centre: the 784 inputs")]
for col, (image, caption) in zip(cols, shown):
    k = max(1, 140 // max(image.shape))  # enlarge small images with sharp pixels
    big = np.repeat(np.repeat(image, k, axis=0), k, axis=1)
    col.image(1.0 - np.clip(big, 0, 1), caption=caption, clamp=True, width=140)
