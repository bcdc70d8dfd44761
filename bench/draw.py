"""Benchmark of the Draw page: server inference and stroke-to-prediction latency in Chromium.

    .venv/bin/python -m bench draw [--drawings 20]

Prints, for one digit: the Predictor's time against Keras' model.predict (the baseline) and
their ratio; a photo's reading (nncore.inference.photo) on the server; then, in real headless
Chromium, the time from the mouse-up of the last stroke to the new prediction on screen (the
canvas and its answer are one fragment: a stroke reruns that alone) and from a photo's upload
to its prediction on screen, median and 90th percentile, each as a fraction of its goal
(0.3 s for a stroke, 1 s for a photo).
Figures, not assertions: timing never decides a test.
"""

from __future__ import annotations

import argparse
import statistics
import time

import numpy as np


def server_inference(repeats: int = 200) -> dict:
    from nncore.inference import preprocess
    from nncore.inference.predictor import ASSETS, load_predictor
    from tests.strokes import stroke_digits, to_canvas

    p = load_predictor(ASSETS / "digits-logits")
    digit = stroke_digits(1, seed=3)[7]
    t0 = time.perf_counter()
    for _ in range(repeats):
        steps = preprocess.from_strokes(to_canvas(digit, preprocess.CANVAS, preprocess.CANVAS))
    prep = (time.perf_counter() - t0) / repeats
    times = []
    for _ in range(repeats):
        t = time.perf_counter()
        p.probabilities(steps.input)
        times.append(time.perf_counter() - t)
    base = []
    for _ in range(20):
        t = time.perf_counter()
        p.model.predict(steps.input, verbose=0)
        base.append(time.perf_counter() - t)
    ours, theirs = statistics.median(times), statistics.median(base)
    return {"preprocess_ms": prep * 1000, "predictor_ms": ours * 1000, "model_predict_ms": theirs * 1000,
            "speedup": theirs / ours}


def photo_samples(n: int) -> list[tuple[int, bytes]]:
    from tests.photos import photo
    from tests.strokes import stroke_digits

    digits = [d for d in stroke_digits(max(1, n // 10 + 1), seed=9) if "tiny" not in d.style]
    return [(d.label, photo(d, seed=i, dark_ink=i % 3 != 2)) for i, d in enumerate(digits[:n])]


def server_photo(n: int = 20) -> dict:
    from nncore.inference import photo

    times = []
    for _, data in photo_samples(n):
        t = time.perf_counter()
        photo.read(data)
        times.append(time.perf_counter() - t)
    return {"photo_read_ms": statistics.median(times) * 1000, "photo_read_max_ms": max(times) * 1000}


def photo_latency(page, photos: list[tuple[int, bytes]]) -> list[float]:
    """Seconds from handing Chromium's file input a photo to its prediction on screen."""
    latencies = []
    for i, (label, data) in enumerate(photos):
        before = page.evaluate("() => document.querySelector('.st-key-raw_output')?.innerText || ''")
        t0 = page.evaluate("() => performance.now()")
        page.locator(".st-key-upload_digit input[type=file]").set_input_files(
            files=[{"name": f"photo-{i}.jpg", "mimeType": "image/jpeg", "buffer": data}])
        # the new photo's raw output on screen (every photo gives other numbers)
        page.wait_for_function(
            "([before, name]) => { const raw = document.querySelector('.st-key-raw_output');"
            " return raw && raw.innerText !== before && document.querySelector('.st-key-prediction')"
            " && document.querySelector('.st-key-upload_digit').innerText.includes(name); }",
            arg=[before, f"photo-{i}.jpg"], timeout=30_000)
        latencies.append((page.evaluate("() => performance.now()") - t0) / 1000)
    return latencies


def browser_latency(drawings: int, photos: int = 0) -> tuple[list[float], list[float]]:
    from tests.strokes import replay, stroke_digits

    from .serve import app_page

    latencies = []
    with app_page("/draw") as page:
        canvas = page.locator(".st-key-canvas canvas").last
        digits = stroke_digits(3, seed=5)[:: max(1, 30 // drawings)][:drawings + 1]
        for i, digit in enumerate(digits):
            page.locator(".st-key-clear button").first.click()
            page.wait_for_function("() => !document.querySelector('.st-key-prediction')", timeout=30_000)
            # draw all but the last stroke, then time the last one's mouse-up
            *first, last = digit.strokes
            from tests.strokes import StrokeDigit

            if first:
                replay(page, canvas, StrokeDigit(digit.label, first, digit.style))
                page.wait_for_timeout(600)
            # the raw output's numbers change with every stroke, even when the digit does not
            watched = ".st-key-raw_output"
            before = page.evaluate(f"() => document.querySelector('{watched}')?.innerText || ''")
            page.evaluate("() => { window.__seen = null; const target = document.body;"
                          " window.__obs = new MutationObserver(() => { const el = document.querySelector("
                          "'.st-key-raw_output'); if (el && el.innerText !== window.__before && !window.__seen)"
                          " window.__seen = performance.now(); });"
                          " window.__obs.observe(target, {subtree: true, childList: true, characterData: true});"
                          " window.__up = null; document.addEventListener('mouseup',"
                          " () => { window.__up = performance.now(); }, {capture: true}); }")
            page.evaluate(f"() => {{ window.__before = {before!r}; }}")
            replay_last_until_up(page, canvas, digit, last)
            page.wait_for_function("() => window.__seen !== null", timeout=30_000)
            t_up = page.evaluate("() => window.__up")
            if i == 0:
                continue  # the first one pays for loading the model
            latencies.append((page.evaluate("() => window.__seen") - t_up) / 1000)
        photo_times = photo_latency(page, photo_samples(photos))[1:] if photos else []
    return latencies, photo_times


def replay_last_until_up(page, canvas, digit, stroke) -> None:
    from tests.strokes import StrokeDigit, replay

    replay(page, canvas, StrokeDigit(digit.label, [stroke], digit.style), speed="fast")


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(prog="python -m bench draw", description=__doc__.split("\n")[0])
    ap.add_argument("--drawings", type=int, default=15)
    ap.add_argument("--photos", type=int, default=8)
    args = ap.parse_args(argv)
    s = server_inference()
    print(f"server, one digit: preprocessing {s['preprocess_ms']:.2f} ms; inference {s['predictor_ms']:.2f} ms "
          f"(Predictor) vs {s['model_predict_ms']:.1f} ms (model.predict): {s['speedup']:.0f}x faster")
    p = server_photo()
    print(f"server, one photo (640x480 JPEG): read, evened, ink found, redrawn in {p['photo_read_ms']:.0f} ms "
          f"(median of 20; max {p['photo_read_max_ms']:.0f} ms)")
    lat, photos = browser_latency(args.drawings, args.photos + 1)
    median = statistics.median(lat)
    print(f"browser, last stroke's mouse-up to new prediction on screen over {len(lat)} drawings: "
          f"median {median:.3f} s ({median / 0.3:.2f} of the 0.3 s goal), p90 {np.percentile(lat, 90):.3f} s, "
          f"max {max(lat):.3f} s")
    if photos:
        median = statistics.median(photos)
        print(f"browser, photo upload to its prediction on screen over {len(photos)} photos: median {median:.3f} s "
              f"({median / 1.0:.2f} of the 1 s goal), p90 {np.percentile(photos, 90):.3f} s, max {max(photos):.3f} s")


if __name__ == "__main__":
    main()
