"""Other layer types, parts 1 and 2: the windows a convolutional unit reads, and the lecture's EKG.

    field = receptive_field(spec, "L3", row=5, col=7)  # the input pixels unit (5, 7) of L3 reads
    view = unit_view(model, spec, "L1", unit=0, x=digit, row=10, col=12)  # filter, feature map, field
    ekg = ekg_network()                                   # the lecture's 100 -> 9 -> 3 -> 1 network
    signal = one_d_signal()                               # a real labelled 1-D signal set (UCR's GunPoint)

A Conv2D layer's unit at (row, col) of its feature map reads a window of the layer before it;
through the stack that is a window of input pixels, its receptive field. The windows follow
Keras' own arithmetic (padding "same": the window is centred, zeros beyond the border; a
pooling layer's block of size p at stride p). A Dense unit reads every input.

Part 3, the measured claims, lives in nncore.lessons.layers_experiment.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ..model import PlannedLayer, plan
from ..spec import ExperimentSpec


# ---- 1. windows on a digit ---------------------------------------------------------------------

@dataclass(frozen=True)
class Field:
    """The input pixels a unit reads: rows top..bottom, columns left..right (inclusive, clipped to
    the image), and how many of them there are beside how many the image has."""

    top: int
    bottom: int
    left: int
    right: int
    image: tuple[int, int]
    every_pixel: bool = False  # a Dense unit: it reads the whole input

    @property
    def pixels(self) -> int:
        return (self.bottom - self.top + 1) * (self.right - self.left + 1)

    @property
    def share(self) -> float:
        return self.pixels / (self.image[0] * self.image[1])


def image_layers(spec: ExperimentSpec) -> list[PlannedLayer]:
    """The planned layers that a unit view can show: every Conv2D, and the first Dense layer."""
    out = []
    for p in plan(spec):
        if p.cls == "Conv2D":
            out.append(p)
        elif p.cls == "Dense":
            out.append(p)
            break
    return out


def _steps(spec: ExperimentSpec, layer: str) -> list[tuple[int, int, int]]:
    """(kernel, stride, padding before) of each windowed layer from the input up to `layer`."""
    steps = []
    h = spec.shape.image[0]
    for p in plan(spec):
        if p.cls == "Conv2D":
            k, s = p.kwargs["kernel_size"], p.kwargs.get("strides", 1)
            out = -(-h // s)
            steps.append((k, s, max((out - 1) * s + k - h, 0) // 2))  # Keras' "same": the extra zero on the bottom
            h = out
        elif p.cls == "MaxPooling2D":
            k = p.kwargs["pool_size"]
            steps.append((k, k, 0))
            h = h // k
        if p.name == layer:
            return steps
    raise KeyError(layer)


def receptive_field(spec: ExperimentSpec, layer: str, row: int, col: int) -> Field:
    """The input pixels that unit (row, col) of the Conv2D layer `layer` reads, through every layer
    below it. (Keras pads "same" layers with zeros on the bottom and right first; pixels beyond
    the image are clipped off.)"""
    image = spec.shape.image
    top, bottom, left, right = row, row, col, col
    for k, s, pad in reversed(_steps(spec, layer)):
        top, bottom = top * s - pad, bottom * s - pad + k - 1
        left, right = left * s - pad, right * s - pad + k - 1
    return Field(max(top, 0), min(bottom, image[0] - 1), max(left, 0), min(right, image[1] - 1), image)


@dataclass(frozen=True)
class UnitView:
    """What one unit of one layer does with one digit."""

    layer: str
    kind: str  # "Conv2D" or "Dense"
    unit: int  # which filter (Conv2D) or which unit (Dense)
    row: int
    col: int
    field: Field
    weights: np.ndarray  # Conv2D: (k, k, channels in) of the filter; Dense reading pixels: (28, 28)
    feature_map: np.ndarray | None  # Conv2D: (h, w) of this filter over the digit; Dense: None
    value: float  # the unit's activation at (row, col)
    fan_in: int  # how many numbers the unit reads
    reads_pixels: bool  # a Dense unit straight on the pixels (its weights are an image)


def unit_view(model, spec: ExperimentSpec, layer: str, unit: int, x: np.ndarray, row: int = 0,
              col: int = 0) -> UnitView:
    """Filter (or weights), feature map and receptive field of unit `unit` of `layer` for the digit
    `x` (784 pixels in [0, 1]), read from the Keras `model` of `spec`."""
    import keras

    planned = {p.name: p for p in plan(spec)}[layer]
    x = np.asarray(x, np.float32).reshape(1, -1)
    keras_layer = model.get_layer(layer)
    out = np.asarray(keras.Model(model.inputs[0], keras_layer.output)(x, training=False))[0]
    kernel = keras_layer.get_weights()[0]
    image = spec.shape.image
    if planned.cls == "Conv2D":
        h, w, _ = out.shape
        row, col = min(max(row, 0), h - 1), min(max(col, 0), w - 1)
        k = planned.kwargs["kernel_size"]
        return UnitView(layer, "Conv2D", unit, row, col, receptive_field(spec, layer, row, col),
                        kernel[:, :, :, unit], out[:, :, unit], float(out[row, col, unit]),
                        k * k * kernel.shape[2], False)
    fan_in = kernel.shape[0]
    reads_pixels = fan_in == image[0] * image[1]
    weights = kernel[:, unit].reshape(image) if reads_pixels else kernel[:, unit]
    return UnitView(layer, "Dense", unit, 0, 0, Field(0, image[0] - 1, 0, image[1] - 1, image, every_pixel=True),
                    weights, None, float(out[unit]), fan_in, reads_pixels)


# ---- 2. the lecture's EKG network --------------------------------------------------------------

EKG_INPUTS = 100
EKG_LAYERS = ((20, 10), (5, 2))  # (window, stride): x1-x20, x11-x30, ...; a1-a5, a3-a7, a5-a9


@dataclass(frozen=True)
class EkgLayer:
    name: str
    windows: tuple[tuple[int, int], ...]  # (first, last) input of each unit, 1-based as the lecture writes
    window: int
    stride: int
    lecture_params: int  # every unit its own weights and bias
    keras_params: int  # Keras' Conv1D(1 filter): one set of weights shared by every position


@dataclass(frozen=True)
class EkgNetwork:
    layers: tuple[EkgLayer, ...]
    output_params: int  # Dense(1, sigmoid) on the last layer's units
    keras_summary: tuple[tuple[str, str, int], ...]  # (layer, output shape, params) as Keras counts them
    keras_code: str

    @property
    def lecture_total(self) -> int:
        return sum(layer.lecture_params for layer in self.layers) + self.output_params

    @property
    def keras_total(self) -> int:
        return sum(p for _, _, p in self.keras_summary)


def windows(n: int, window: int, stride: int) -> tuple[tuple[int, int], ...]:
    """The windows of `window` inputs every `stride` over n inputs (no padding), 1-based and inclusive."""
    return tuple((start + 1, start + window) for start in range(0, n - window + 1, stride))


EKG_CODE = """model = keras.Sequential([
    keras.Input(shape=(100, 1)),                                    # 100 samples of the EKG
    Conv1D(1, kernel_size=20, strides=10, activation='sigmoid'),    # 9 windows: x1-x20, ..., x81-x100
    Conv1D(1, kernel_size=5, strides=2, activation='sigmoid'),      # 3 windows: a1-a5, a3-a7, a5-a9
    Flatten(),
    Dense(1, activation='sigmoid'),                                 # is there a heart problem?
])"""


def ekg_network() -> EkgNetwork:
    """The lecture's EKG network: its windows, its parameters as the lecture draws it (each unit its
    own weights), and as Keras counts them (the Conv1D layers built here, `count_params`)."""
    from .. import import_keras

    keras = import_keras()
    from keras.layers import Conv1D, Dense, Flatten

    model = keras.Sequential([keras.Input(shape=(EKG_INPUTS, 1)),
                              Conv1D(1, kernel_size=20, strides=10, activation="sigmoid", name="conv1"),
                              Conv1D(1, kernel_size=5, strides=2, activation="sigmoid", name="conv2"),
                              Flatten(name="flatten"), Dense(1, activation="sigmoid", name="output")])
    summary = tuple((layer.name, str(tuple(layer.output.shape)), int(layer.count_params())) for layer in model.layers)
    layers, n = [], EKG_INPUTS
    for i, (window, stride) in enumerate(EKG_LAYERS):
        w = windows(n, window, stride)
        keras_layer = model.layers[i]
        if keras_layer.output.shape[1] != len(w):  # Keras agrees on how many windows there are
            raise RuntimeError(f"Keras sees {keras_layer.output.shape[1]} windows, not {len(w)}")
        layers.append(EkgLayer(f"layer {i + 1}", w, window, stride, len(w) * (window + 1),
                               int(keras_layer.count_params())))
        n = len(w)
    return EkgNetwork(tuple(layers), n + 1, summary, EKG_CODE)


# ---- a 1-D signal to show the windows on -------------------------------------------------------

@dataclass(frozen=True)
class Signal:
    name: str
    source: str  # where it comes from, for the page
    x: np.ndarray  # (n, 100): each row resampled to the lecture's 100 inputs
    y: np.ndarray  # (n,) labels 0/1
    classes: tuple[str, str]
    x_test: np.ndarray | None = None
    y_test: np.ndarray | None = None


def _resample(rows: np.ndarray, n: int = EKG_INPUTS) -> np.ndarray:
    old = np.linspace(0, 1, rows.shape[1])
    new = np.linspace(0, 1, n)
    return np.stack([np.interp(new, old, r) for r in rows]).astype(np.float32)


GUNPOINT = Path(__file__).resolve().parent / "gunpoint"  # the archive's two text files, gzipped (README.md there)


def one_d_signal() -> Signal:
    """GunPoint, a real labelled 1-D signal set of the UCR time-series archive, shipped in
    nncore/lessons/gunpoint/: a hand's horizontal position over 150 frames while an actor draws a
    gun or points a finger; 50 training and 150 test series. Resampled here to the lecture's 100
    inputs."""
    train = np.loadtxt(GUNPOINT / "GunPoint_TRAIN.txt.gz")
    test = np.loadtxt(GUNPOINT / "GunPoint_TEST.txt.gz")
    return Signal("GunPoint", "the UCR time-series archive's GunPoint set (shipped in nncore/lessons/gunpoint/; "
                  "Ratanamahatana and Keogh 2005): the x-position of an actor's hand over 150 frames (5 s), "
                  "resampled to 100", _resample(train[:, 1:]), (train[:, 0] == 2).astype(np.int64),
                  ("gun-draw", "point"), _resample(test[:, 1:]), (test[:, 0] == 2).astype(np.int64))
