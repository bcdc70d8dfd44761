"""Draw: draw a digit or upload a photo of one, see how it becomes the network's input, and
what the network thinks. The canvas, the uploader and the answer live in one fragment: a stroke
reruns that fragment only, not the whole page."""

import numpy as np
import streamlit as st
from streamlit_drawable_canvas import st_canvas

from app import chart_ui
from app import charts, finetune_ui, models, state
from app.text import plain
from nncore.inference import photo, preprocess
from nncore.inference.handwriting import TAUGHT, TAUGHT_NOTE
from nncore.inference.predictor import DEFAULT_MODELS
from nncore.inference.multilabel import PROPERTIES
from nncore.registry import LOSSES, OUTPUTS

from app.state.draw import BRUSH, CANVAS, CANVAS_KEY, canvas_opening, draw_state, remember
from app.state.draw import clear as clear_canvas
from app.state import finetune

st.title("Draw a digit")
st.caption("Draw with the mouse or a finger, or upload a photo of a digit written on paper. It goes "
           "through the same steps as MNIST's digits did, then the network answers.")

ss = st.session_state  # this page's widgets' values
kept = draw_state()  # this page's own state: the drawing, the last input answered, the photo read

output = st.segmented_control(
    "Output layer", list(DEFAULT_MODELS), key="output_mode", default="logits", persist_state="session",
    format_func=OUTPUTS.label, required=True,
    help="Which default network answers: one whose last layer is linear (logits, trained with "
         "from_logits=True), or one whose last layer is a softmax.")

job = state.current_job()
mine = models.job_answerer(job)
if mine is not None and finetune.is_finetune(job):
    mine.title = "your network fine-tuned on your writing" + mine.title.split(" from the Train page", 1)[-1]
linked = st.query_params.get("run")  # ?run=<id>: a stored run's network answers
message = None
if linked is not None:
    run, message = state.get_run(linked)
    weights = state.run_weights(run.id) if run is not None and run.has_weights else None
    if run is not None and weights is None:
        message = f"Run {run.id}'s trained weights are no longer kept (only the newest runs keep theirs)."
    elif run is not None and (mine := models.run_answerer(run, weights)) is None:
        message = f"Run {run.id} was not trained on 28x28 digits ({run.spec.dataset}), so it cannot read a drawing."
    if message:
        st.error(plain(message) + " The default network answers instead.", icon=":material/link_off:")
        mine = None
use_mine = False
with st.container(key="who_answers"):  # the same place whether or not the learner's network answers
    if mine is not None:
        whose = "the linked run" if linked is not None else "my network"
        use_default = st.toggle(f"Answer with the default CNN instead of {whose}", key="use_default",
                                persist_state="session",
                                help="Your choice is kept while you visit other pages.")
        use_mine = not use_default
        if mine.unreliable:
            verdict = (f"{'This run' if linked is not None else 'Your network'} scored "
                       f"**{mine.val_accuracy:.0%}** on its validation digits (a guess scores 10 %): ")
            if use_mine:
                st.warning(verdict + "its answers here mean little. Switch on the toggle above to have the "
                           "default CNN answer.", icon=":material/warning:")
            else:
                st.caption(verdict + "the default CNN answers instead.")
        elif use_mine and mine.spec.output != output:
            st.caption(f"{'This run' if linked is not None else 'Your network'} has a "
                       f"{OUTPUTS.label(mine.spec.output).lower()} output: the Output layer choice above picks "
                       "the default CNN.")


def answer(answerer: models.Answerer, x: np.ndarray) -> None:
    """The prediction, the raw output layer and the three yes/no questions for one input."""
    raw, probs = (a[0] for a in answerer.answer(x))
    digit = int(probs.argmax())
    with st.container(key="prediction"):
        st.markdown(f"## Prediction: {digit}")
    st.caption(f"Answered by {answerer.title}; {probs[digit]:.0%} sure.")
    chart_ui.plot(charts.probability_bars(probs, title="Softmax probabilities (they sum to 1)"), "draw_probabilities",
                  text=charts.describe.probabilities_text(probs))

    from_logits = answerer.spec.from_logits
    loss = LOSSES[answerer.spec.loss].code(from_logits).removeprefix("keras.losses.")
    with st.container(border=True, key="raw_output"):
        if from_logits:
            st.markdown("**The output layer gives logits z**: any real numbers, not probabilities.")
        else:
            st.markdown("**The output layer gives probabilities a**: the softmax is inside the model.")
        chart_ui.plot(charts.raw_output_bars(raw, from_logits), "draw_raw_output",
                      text=charts.describe.raw_output_text(raw, from_logits))
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
    chart_ui.plot(charts.question_bars(list(PROPERTIES), answers, probs.sum()), "draw_properties",
                  text=charts.describe.questions_text(list(PROPERTIES), answers))


def read_photo(upload) -> photo.PhotoSteps | str:
    """The photo's steps, or the message saying why it cannot be read; kept per file, so a rerun
    of the fragment does not read the same photo again."""
    cached = kept.photo
    if cached is not None and cached[0] == upload.file_id:
        return cached[1]
    try:
        result = photo.read(upload.getvalue())
    except photo.PhotoError as e:
        result = str(e)
    kept.photo = (upload.file_id, result)
    return result


def show_images(shown: list[tuple[np.ndarray, str]], invert: tuple[bool, ...]) -> None:
    for col, (image, caption), dark in zip(st.columns(len(shown)), shown, invert):
        k = max(1, 140 // max(image.shape))  # enlarge small images with sharp pixels
        big = np.repeat(np.repeat(image, k, axis=0), k, axis=1)
        col.image(1.0 - np.clip(big, 0, 1) if dark else np.clip(big, 0, 1), caption=caption, alt=caption,
                  clamp=True, width=140)


def draw_and_answer() -> None:
    left, right = st.columns([1, 1.4], gap="large")
    with left:
        # The canvas is a picture drawn with a pointer: said here, before it, where a keyboard or a
        # screen reader reaches it, with the way that needs no pointer (the photo upload below it).
        st.container(key="pointer_note").caption(
            "Drawing needs a mouse, a pen or a finger. With a keyboard or a screen reader, upload a photo of a "
            "digit instead: the **Upload** button below the drawing box.")  # Streamlit's own label
        st.space("small")  # room for the canvas's own toolbar, which floats above it
        opening = canvas_opening(CANVAS_KEY in ss)  # back on the page: the drawing is there again
        drawing = st_canvas(stroke_width=BRUSH, stroke_color="#000000", background_color="#ffffff",
                            width=CANVAS, height=CANVAS, drawing_mode="freedraw", key=CANVAS_KEY,
                            initial_drawing=opening)
        st.button("Clear", key="clear", icon=":material/delete:", on_click=clear_canvas)
        upload = st.file_uploader(
            "Or a photo of one digit written on paper (PNG, JPEG or WebP, up to 20 MB)",
            type=["png", "jpg", "jpeg", "webp"],
            key="upload_digit", max_upload_size=photo.MAX_BYTES // 2**20,
            help="PNG, JPEG or WebP, up to 20 MB: dark ink on light paper or light on dark, one digit.")
        camera = None
        if st.toggle("Take the photo with the camera", persist_state="session", key="use_camera",
                     help="Where the browser allows it (https or this computer), with your permission."):
            camera = st.camera_input("Hold one digit up to the camera", key="camera_digit")
        with st.container(key="taught_habits"):
            st.caption(TAUGHT_NOTE)
            st.image([1.0 - preprocess.from_strokes(strokes).centered for strokes in TAUGHT.values()],
                     caption=list(TAUGHT), alt=[f"A drawing of {name}" for name in TAUGHT],
                     width=76, clamp=True)

    strokes = preprocess.strokes_from_fabric(drawing.json_data)
    steps = preprocess.from_strokes(strokes, (CANVAS, CANVAS), BRUSH)
    remember((drawing.json_data or {}).get("objects") or [], None if steps.empty else steps.input)
    # whichever changed last is answered: a new stroke, a new upload or a new camera picture
    for source, now in (("canvas", repr(strokes) if strokes else None),
                        ("photo", upload.file_id if upload is not None else None),
                        ("camera", camera.file_id if camera is not None else None)):
        if now != kept.seen.get(source):
            kept.seen[source] = now
            if now is not None:
                kept.source = source
    source = kept.source
    picture = {"photo": upload, "camera": camera}.get(source)
    if picture is None:
        source = "canvas"
    answerer = mine if use_mine else models.default_answerer(output)

    if source == "canvas":
        with right:
            # first, at the same place in every run: the run between a keep and the canvas's own report that
            # it is clear still answers the old drawing below it, and a note placed after that answer
            # stood twice on the page for a moment (the old run's copy, stale, beside the new one)
            finetune_ui.kept_note(strokes)
            if steps.empty:
                st.info("Draw a digit in the box: the prediction appears as soon as you lift the pen.",
                        icon=":material/draw:")
            else:
                answer(answerer, steps.input)
                finetune_ui.correct_digit()
        st.subheader("From your drawing to the network's input")
        if steps.empty:
            st.caption("Each step of the preprocessing appears here once you draw.")
            return
        show_images([(steps.raw, f"1. Your drawing ({CANVAS}x{CANVAS})"),
                     (steps.cropped, "2. Cropped to its bounding box, pen redrawn at MNIST's thickness"),
                     (steps.scaled, "3. Scaled to fit 20x20, aspect kept (grey edges from anti-aliasing)"),
                     (steps.centered, "4. In 28x28, centre of mass at the centre: the 784 inputs")],
                    (True,) * 4)
        return

    result = read_photo(picture)
    what = "photo" if source == "photo" else "camera's photo"
    with right:
        if isinstance(result, str):
            st.error(f"Your {what} cannot be read. {result} The canvas still works.",
                     icon=":material/broken_image:")
            return
        if result.problem:
            st.warning(result.problem, icon=":material/image_search:")
        else:
            answer(answerer, result.input)
            if strokes:
                st.caption("Answering your photo; draw a stroke on the canvas to have the drawing read.")
    st.subheader(f"From your {what} to the network's input")
    ink = "dark ink on light paper" if result.dark_ink else "light ink on a dark background"
    shown = [(result.gray, f"1. Your photo in grey ({result.gray.shape[1]}x{result.gray.shape[0]})"),
             (result.evened, f"2. Lighting evened out: the ink's contrast ({ink})"),
             (result.found, "3. The ink found (threshold, connected pieces); grey: ignored")]
    if result.steps is not None:
        shown += [(result.steps.cropped, "4. Cropped, pen redrawn at MNIST's thickness"),
                  (result.steps.scaled, "5. Scaled to fit 20x20, aspect kept"),
                  (result.steps.centered, "6. In 28x28, centre of mass at the centre: the 784 inputs")]
    show_images(shown, (False,) + (True,) * (len(shown) - 1))


st.fragment(draw_and_answer, run_every=1.0 if (use_mine and mine.live) else None)()
st.divider()
finetune_ui.section()
