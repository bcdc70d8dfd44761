"""Every choice a learner can make, in one place.

One registry per kind of choice (activations, outputs, losses, optimizers, datasets,
presets). Each entry is a name -> a small record: a label for the page, one line of
explanation, and what Keras needs to build it. The sidebar's options, the spec's
validation, the CLI and the code export all read these tables, so adding an activation is
one entry here and nothing else.

Nothing here imports TensorFlow: building happens in `nncore.model`, which reads the
`keras` fields below.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Iterator, Mapping


@dataclass(frozen=True)
class Choice:
    """One entry of a registry."""

    name: str
    label: str
    help: str
    # What Keras needs: free-form per registry (an activation string, a class name, ...).
    keras: Mapping[str, Any] = field(default_factory=dict)


class Registry(Mapping[str, Choice]):
    """An ordered, read-only map name -> Choice, with the messages a learner needs."""

    def __init__(self, kind: str, choices: list[Choice]):
        self.kind = kind
        self._choices = {c.name: c for c in choices}

    def __getitem__(self, name: str) -> Choice:
        return self._choices[name]

    def __iter__(self) -> Iterator[str]:
        return iter(self._choices)

    def __len__(self) -> int:
        return len(self._choices)

    def names(self) -> list[str]:
        return list(self._choices)

    def label(self, name: str) -> str:
        return self._choices[name].label

    def allowed(self) -> str:
        return ", ".join(self._choices)


ACTIVATIONS = Registry(
    "activation",
    [
        Choice("relu", "ReLU", "max(0, z): flat on one side only, so gradient descent keeps moving. "
               "The default for hidden layers.", {"activation": "relu"}),
        Choice("sigmoid", "Sigmoid", "1 / (1 + e^-z): squashes to (0, 1); flat on both sides, "
               "so deep sigmoid networks learn slowly.", {"activation": "sigmoid"}),
        Choice("tanh", "tanh", "Like sigmoid but centred on 0, range (-1, 1).",
               {"activation": "tanh"}),
        Choice("linear", "Linear", "g(z) = z: no activation. Stacked linear layers are still one "
               "linear layer.", {"activation": "linear"}),
        Choice("leaky_relu", "Leaky ReLU", "Like ReLU with a small slope (0.2) for z < 0, so no "
               "unit is ever completely flat.", {"activation": "leaky_relu"}),
        Choice("swish", "Swish (SiLU)", "z * sigmoid(z): a smooth ReLU.", {"activation": "silu"}),
    ],
)

LAYER_KINDS = Registry(
    "layer kind",
    [
        Choice("dense", "Dense", "Every unit sees every input: a = g(W x + b). The course's layer.",
               {"class": "Dense", "size": "units", "max": 1024}),
        Choice("conv", "Conv2D 3x3", "Each unit (filter) looks at a 3x3 window and slides over the "
               "image: few weights, and it finds a stroke wherever it is. Other layer types, week 2.",
               {"class": "Conv2D", "size": "filters", "max": 256}),
        Choice("pool", "MaxPooling2D 2x2", "Keeps the largest of each 2x2 block: halves the image's "
               "width and height, no weights.", {"class": "MaxPooling2D", "size": None, "max": 0}),
    ],
)

OUTPUTS = Registry(
    "output",
    [
        Choice("logits", "Logits + from_logits=True",
               "Dense(10, linear) outputs logits z; the loss applies softmax inside itself "
               "(from_logits=True), which is numerically more accurate. The course's recommendation.",
               {"activation": "linear", "from_logits": True}),
        Choice("softmax", "Softmax layer",
               "Dense(10, softmax) outputs probabilities a; the loss takes them as they are "
               "(from_logits=False).",
               {"activation": "softmax", "from_logits": False}),
    ],
)

LOSSES = Registry(
    "loss",
    [
        Choice("sparse_categorical_crossentropy", "SparseCategoricalCrossentropy",
               "Cross-entropy -log a_y for labels given as integers.",
               {"class": "SparseCategoricalCrossentropy", "labels": "integer",
                "label_example": "y = [3, 0, 7]"}),
        Choice("categorical_crossentropy", "CategoricalCrossentropy",
               "The same cross-entropy for labels given one-hot.",
               {"class": "CategoricalCrossentropy", "labels": "one-hot",
                "label_example": "y = [[0,0,0,1,0,0,0,0,0,0], ...]"}),
    ],
)

OPTIMIZERS = Registry(
    "optimizer",
    [
        Choice("adam", "Adam", "Adaptive moment estimation: a learning rate per parameter that "
               "grows when steps agree and shrinks when they oscillate.",
               {"class": "Adam", "args": {}}),
        Choice("sgd", "Gradient descent (SGD)", "w = w - alpha * dJ/dw on each mini-batch.",
               {"class": "SGD", "args": {}}),
        Choice("momentum", "SGD with momentum", "Gradient descent that keeps 90% of its last step: "
               "it speeds up along consistent directions.",
               {"class": "SGD", "args": {"momentum": 0.9}}),
        Choice("rmsprop", "RMSprop", "Divides each step by a running average of the gradient's size.",
               {"class": "RMSprop", "args": {}}),
    ],
)

DATASETS = Registry(
    "dataset",
    [
        Choice("digits-5k", "Handwritten digits (5,000, offline)",
               "5,000 real MNIST digits, 500 of each class, 28x28 grey pixels. Ships with the app.",
               {"online": False, "image_shape": (28, 28)}),
        Choice("mnist", "Full MNIST (70,000, needs internet once)",
               "The whole MNIST set through keras.datasets.mnist; downloaded once and cached by Keras.",
               {"online": True, "image_shape": (28, 28)}),
        Choice("blobs", "Four blobs (the course's multiclass lab)",
               "Points around the centres [-5,2], [-2,-2], [1,2], [5,-2] with standard deviation 1: "
               "the course's multiclass and softmax labs.",
               {"points": 100, "noise": 1.0, "classes": 4}),
        Choice("moons", "Two moons", "Two interleaving half circles: no straight line separates them.",
               {"points": 300, "noise": 0.15, "classes": 2}),
        Choice("circles", "Circles", "A ring around a disc: a boundary must close around the centre.",
               {"points": 300, "noise": 0.08, "classes": 2}),
        Choice("xor", "XOR", "Four quadrants, opposite ones alike: the classic problem a single "
               "linear layer cannot solve.", {"points": 300, "noise": 0.1, "classes": 2}),
        Choice("spiral", "Spiral", "Three arms winding around each other: needs a bigger network.",
               {"points": 450, "noise": 0.2, "classes": 3}),
    ],
)

# A preset is a named set of spec fields; anything it leaves out keeps the spec's default.
PRESETS = Registry(
    "preset",
    [
        Choice("practice-lab", "Practice lab: 25 ReLU, 15 ReLU, 10 logits",
               "The course's practice lab: Dense(25, relu), Dense(15, relu), Dense(10, linear) with "
               "SparseCategoricalCrossentropy(from_logits=True), Adam 0.001, 40 epochs.",
               {"fields": {"hidden": "25:relu,15:relu", "output": "logits",
                           "loss": "sparse_categorical_crossentropy", "optimizer": "adam",
                           "learning_rate": 0.001, "batch_size": 32, "epochs": 40}}),
        Choice("softmax-regression", "Softmax regression: no hidden layer",
               "One Dense(10, softmax) layer straight on the pixels: a linear model.",
               {"fields": {"hidden": "", "output": "softmax", "optimizer": "adam",
                           "learning_rate": 0.001, "epochs": 20}}),
        Choice("sigmoid-net", "Sigmoid hidden layers",
               "The practice lab's network with sigmoid instead of ReLU: compare how fast it learns.",
               {"fields": {"hidden": "25:sigmoid,15:sigmoid", "output": "logits",
                           "optimizer": "adam", "learning_rate": 0.001, "epochs": 40}}),
        Choice("draw-cnn", "Small CNN for drawings, with augmentation",
               "Conv2D(32) -> pool -> Conv2D(64) -> pool -> Dense(128) -> 10 logits, trained on "
               "digits randomly shifted, rotated, scaled and thickened so that drawings look familiar. "
               "The Draw page's default model.",
               {"fields": {"hidden": "conv32:relu,pool,conv64:relu,pool,128:relu", "output": "logits",
                           "optimizer": "adam", "learning_rate": 0.001, "batch_size": 64,
                           "epochs": 40, "augment": True, "validation_split": 0.1}}),
        Choice("multiclass-lab", "Multiclass lab: Dense(2, ReLU), 4 logits",
               "The course's multiclass lab: 100 blob points, Dense(2, relu) -> Dense(4, linear) with "
               "from_logits=True, Adam 0.01, 200 epochs. Four clean regions from two ReLU units. "
               "Two units are few: some seeds leave one dead (try them); the course fixes its seeds too.",
               {"fields": {"dataset": "blobs", "points": 100, "hidden": "2:relu", "output": "logits",
                           "optimizer": "adam", "learning_rate": 0.01, "batch_size": 32,
                           "epochs": 200, "seed": 1}}),
        Choice("softmax-lab", "Softmax lab: 25 ReLU, 15 ReLU, 4 outputs",
               "The course's softmax lab: 2,000 blob points, 25 relu -> 15 relu -> 4, Adam 0.001, "
               "10 epochs.",
               {"fields": {"dataset": "blobs", "points": 2000, "hidden": "25:relu,15:relu",
                           "output": "logits", "optimizer": "adam", "learning_rate": 0.001,
                           "batch_size": 32, "epochs": 10}}),
        Choice("linear-moons", "All-linear layers on moons",
               "Three linear hidden layers on the moons: however deep, the boundary stays a straight "
               "line, because linear layers compose into one linear layer.",
               {"fields": {"dataset": "moons", "hidden": "8:linear,8:linear,8:linear",
                           "output": "logits", "optimizer": "adam", "learning_rate": 0.01,
                           "epochs": 100}}),
        Choice("diverging", "Diverging: SGD with learning rate 10",
               "Gradient descent with a step far too large on linear layers: the weights grow "
               "every step until the loss becomes NaN.",
               {"fields": {"hidden": "25:linear,15:linear", "optimizer": "sgd",
                           "learning_rate": 10.0, "epochs": 10}}),
        Choice("dead-relu", "Dead ReLUs: the practice lab with SGD at 10",
               "The practice lab's network with gradient descent at learning rate 10: the first "
               "steps push every ReLU unit to zero and the network stops learning.",
               {"fields": {"hidden": "25:relu,15:relu", "optimizer": "sgd",
                           "learning_rate": 10.0, "epochs": 10}}),
    ],
)


def is_point_set(dataset: str) -> bool:
    """A 2-D point set (x1, x2) rather than images."""
    return dataset in DATASETS and "points" in DATASETS[dataset].keras


def io_shape(dataset: str) -> tuple[int, int]:
    """(inputs, classes) of a dataset's examples: (2, k) for a point set, (784, 10) for digits."""
    return (2, DATASETS[dataset].keras["classes"]) if is_point_set(dataset) else (784, 10)
