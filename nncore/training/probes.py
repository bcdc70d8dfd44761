"""Decision boundaries: what the network answers everywhere on a plane, while it learns.

For a 2-D point set the plane is the input itself: a grid of (x1, x2) points goes through
the network in one batched call, giving each point's predicted class and confidence, and
every unit's value there (each hidden unit's activation, each output unit's logit): the
course's "Layer 1 Unit 0" plots.

For digits the plane is a 2-D PCA projection of the images: each grid point is mapped back
to a 784-pixel image through the projection and classified, so the digit model's regions
can be drawn where the validation digits fall.
"""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import numpy as np

from ..outputs import to_probabilities
from .pool import as_network

GRID = 100  # grid points per side
MAX_UNITS_SHOWN = 8  # per layer (the page shows each as a small map)


@dataclass(frozen=True)
class UnitView:
    layer: str  # "L1", ...
    unit: int
    kind: str  # "activation" of a hidden unit, or "logit"/"probability" of an output unit
    values: np.ndarray  # (GRID, GRID), rows along x2, columns along x1


@dataclass(frozen=True)
class Boundary:
    x1: np.ndarray  # (GRID,) grid coordinates
    x2: np.ndarray
    predicted: np.ndarray  # (GRID, GRID) uint8 class at each grid point
    confidence: np.ndarray  # (GRID, GRID) float32 the winning class's probability
    units: tuple[UnitView, ...] = ()
    epoch: int = 0


def grid(bounds, size: int = GRID) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    (a0, a1), (b0, b1) = bounds
    x1 = np.linspace(a0, a1, size, dtype=np.float32)
    x2 = np.linspace(b0, b1, size, dtype=np.float32)
    g1, g2 = np.meshgrid(x1, x2)  # rows: x2, columns: x1
    return x1, x2, np.stack([g1.ravel(), g2.ravel()], axis=1)


class BoundaryProbe:
    """Computes a Boundary from a model on a fixed grid; build once per training."""

    def __init__(self, net, bounds, from_logits: bool, size: int = GRID):
        """`net`: a Keras model, or an nncore.pool.Network (whose traced functions are reused)."""
        self.net = as_network(net)
        import tensorflow as tf

        self.x1, self.x2, self.points = grid(bounds, size)
        self._points = tf.constant(self.points)
        self.size = size
        self.from_logits = from_logits
        layers = [layer for layer in self.net.model.layers if hasattr(layer, "units")]
        self.names = [layer.name for layer in layers]
        # the last layer's weights, to recompute a softmax layer's logits from its input
        self._last_kernel, self._last_bias = layers[-1].kernel, layers[-1].bias

    def __call__(self, epoch: int = 0) -> Boundary:
        outs = self.net.layer_outputs(self._points)
        final = outs[-1]
        probs = to_probabilities(final, self.from_logits)
        shape = (self.size, self.size)
        units: list[UnitView] = []
        for name, values in zip(self.names[:-1], outs[:-1]):
            for u in range(min(values.shape[1], MAX_UNITS_SHOWN)):
                units.append(UnitView(name, u, "activation", values[:, u].reshape(shape)))
        # output units: logits z = a W + b (for a softmax layer, recomputed before the softmax)
        hidden = outs[-2] if len(outs) > 1 else self.points
        logits = final if self.from_logits else hidden @ np.asarray(self._last_kernel) + np.asarray(self._last_bias)
        for u in range(min(logits.shape[1], MAX_UNITS_SHOWN)):
            units.append(UnitView(self.names[-1], u, "logit", logits[:, u].reshape(shape)))
        return Boundary(self.x1, self.x2, probs.argmax(1).astype(np.uint8).reshape(shape),
                        probs.max(1).astype(np.float32).reshape(shape), tuple(units), epoch)


def boundary_of(spec, weights, data, epoch: int = 0) -> Boundary:
    """The Boundary of a stored network (`spec` with `weights`) on its 2-D data's plane: what a
    training's probe drew at its end, drawn again from the run store after a reload or a restart."""
    from ..model import build_model

    model = build_model(spec, data.shape, compile=False, weights=list(weights))
    return BoundaryProbe(model, data.bounds(), spec.from_logits)(epoch)


@dataclass(frozen=True)
class Plane:
    """The digits in a plane: PCA coordinates of the validation digits and the model's regions."""

    points: np.ndarray  # (n_val, 2) PCA coordinates of the validation digits
    labels: np.ndarray
    boundary: Boundary
    explained: float  # share of the pixels' variance the two components keep


class PlaneProbe:
    """PCA (scikit-learn) of the training images; classifies the plane's grid mapped back."""

    def __init__(self, net, x_train: np.ndarray, x_val: np.ndarray, y_val: np.ndarray,
                 from_logits: bool, size: int = 60):
        """`net`: a Keras model, or an nncore.pool.Network (whose traced functions are reused)."""
        self.net = as_network(net)
        self.labels = y_val
        self.size = size
        self.from_logits = from_logits
        self._data = (x_train, x_val)
        self._plane = None
        self.images = None

    def start(self) -> None:
        """Begin the PCA (a fraction of a second, once per data set) beside the training: the
        training does not wait for it, and the plane appears when it is ready. Called after the
        training's first call: begun beside the network's first trace, its Python (sklearn's
        import, its checks) took turns with the trace's and made the first training 0.1-0.3 s slower."""
        if self._plane is None:
            self._plane = _PCA_THREAD.submit(_plane, *self._data, self.size)

    def wait(self) -> None:
        self.start()
        self._plane.result()

    def __call__(self, epoch: int = 0) -> Plane | None:
        """The plane as the network classifies it now (None until start() and while the PCA is computed)."""
        if self.images is None:
            if self._plane is None or not self._plane.done():
                return None
            import tensorflow as tf

            self.pca, self.val, self.x1, self.x2, images = self._plane.result()
            self.images = tf.constant(images)
        probs = to_probabilities(self.net.forward(self.images), self.from_logits)
        shape = (self.size, self.size)
        boundary = Boundary(self.x1, self.x2, probs.argmax(1).astype(np.uint8).reshape(shape),
                            probs.max(1).astype(np.float32).reshape(shape), (), epoch)
        return Plane(self.val, self.labels, boundary, float(self.pca.explained_variance_ratio_.sum()))


_PLANES: dict[tuple, tuple] = {}
_PLANES_LOCK = threading.Lock()
_PCA_THREAD = ThreadPoolExecutor(1, thread_name_prefix="nncore-pca")
PCA_ROWS = 1000


def _plane(x_train: np.ndarray, x_val: np.ndarray, size: int) -> tuple:
    """PCA of the training images and the plane's grid as images: the same for every training
    on the same data, so kept (a PCA of 4,000 digits takes a tenth of a second)."""
    key = (id(x_train), id(x_val), size)
    with _PLANES_LOCK:
        hit = _PLANES.get(key)
    if hit is not None and hit[0] is x_train and hit[1] is x_val:
        return hit[2]
    from sklearn.decomposition import PCA
    from threadpoolctl import threadpool_limits

    # fitted on at most PCA_ROWS of the digits (a fixed sample): the same plane to the eye, a
    # quarter of the time on the first training of a fresh server
    sample = x_train
    if len(x_train) > PCA_ROWS:
        sample = x_train[np.sort(np.random.default_rng(0).choice(len(x_train), PCA_ROWS, replace=False))]
    # On one thread of the BLAS library (threadpoolctl, scikit-learn's own dependency): on two, it
    # took the core of the training that this PCA runs beside (some epochs 33-47 ms against 21 ms; a
    # first training of the practice lab 0.64 s against 0.58 s, medians of 6 fresh processes each,
    # alternated).
    with threadpool_limits(limits=1, user_api="blas"):
        pca = PCA(n_components=2, random_state=0).fit(sample)
        val = pca.transform(x_val).astype(np.float32)
        lo, hi = val.min(axis=0), val.max(axis=0)
        pad = (hi - lo) * 0.05
        x1, x2, points = grid(((lo[0] - pad[0], hi[0] + pad[0]), (lo[1] - pad[1], hi[1] + pad[1])), size)
        images = np.clip(pca.inverse_transform(points), 0, 1).astype(np.float32)
    value = (pca, val, x1, x2, images)
    with _PLANES_LOCK:
        if len(_PLANES) >= 8:
            _PLANES.clear()
        _PLANES[key] = (x_train, x_val, value)
    return value


def equivalent_linear_layer(weights: list[np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
    """For a network of linear layers only: the single layer it equals, W and b.

    Keras stores a Dense layer as x @ W + b, so two layers give (x W1 + b1) W2 + b2 =
    x (W1 W2) + (b1 W2 + b2); in the course's column notation that is W = W2 W1 and
    b = W2 b1 + b2.
    """
    w, b = weights[0], weights[1]
    for w_next, b_next in zip(weights[2::2], weights[3::2]):
        w, b = w @ w_next, b @ w_next + b_next
    return w, b
