"""The data the playground makes itself: the 2-D point sets and the lessons' own data.

nncore.data calls these functions; nncore.export copies their source (`inspect.getsource`) into
the Keras script a learner takes home, so that the script makes the very same arrays without
nncore. So each function stands alone: NumPy as `np`, its own arguments and imports (scikit-learn
inside the function, as the script has it), and only the functions named with it in export.py.
"""

from __future__ import annotations

import numpy as np


def blobs(n: int, noise: float, seed: int, centers=((-5, 2), (-2, -2), (1, 2), (5, -2))):
    """n points around the course's four centres (its multiclass and softmax labs), std `noise`."""
    from sklearn import datasets

    x, y = datasets.make_blobs(n_samples=n, centers=centers, cluster_std=noise, random_state=seed)
    return x.astype(np.float32), y.astype(np.int64)


def moons(n: int, noise: float, seed: int):
    """Two interleaving half circles."""
    from sklearn import datasets

    x, y = datasets.make_moons(n_samples=n, noise=noise, random_state=seed)
    return x.astype(np.float32), y.astype(np.int64)


def circles(n: int, noise: float, seed: int):
    """A ring around a disc."""
    from sklearn import datasets

    x, y = datasets.make_circles(n_samples=n, noise=noise, factor=0.5, random_state=seed)
    return x.astype(np.float32), y.astype(np.int64)


def xor(n: int, noise: float, seed: int):
    """Four quadrants of [-1, 1]², opposite ones alike."""
    rng = np.random.default_rng(seed)
    x = rng.uniform(-1, 1, size=(n, 2))
    y = ((x[:, 0] > 0) ^ (x[:, 1] > 0)).astype(np.int64)
    x = x + rng.normal(0, noise, size=x.shape)
    return x.astype(np.float32), y


def spiral(n: int, noise: float, seed: int):
    """Three arms winding around each other."""
    rng = np.random.default_rng(seed)
    arms = 3
    k = np.arange(n) % arms
    t = rng.uniform(0.0, 1.0, n)
    angle = k * 2 * np.pi / arms + t * 1.75 * 2 * np.pi
    x = np.stack([t * np.cos(angle), t * np.sin(angle)], axis=1) * 2
    x = x + rng.normal(0, noise * 0.25, size=x.shape)
    return x.astype(np.float32), k.astype(np.int64)


def band(n: int, noise: float, seed: int):
    """Two classes split by two lines: class 1 in the band between x2 = x1 - 1 and x2 = x1 + 1."""
    rng = np.random.default_rng(seed)
    x = rng.uniform(-3, 3, size=(n, 2))
    y = (np.abs(x[:, 1] - x[:, 0]) < 1).astype(np.int64)
    x = x + rng.normal(0, noise, size=x.shape)
    return x.astype(np.float32), y


POINT_SETS = {f.__name__: f for f in (blobs, moons, circles, xor, spiral, band)}  # the registry's point sets


def relu_lab_target(x):
    """The ReLU lab's target on [0, 3]: slopes -2, 1, 3 on [0, 1], [1, 2], [2, 3], continuous."""
    x = np.asarray(x, np.float64)
    return np.where(x < 1, -2 * x + 2, np.where(x < 2, x - 1, 3 * x - 5))


def relu_lab(n: int = 300):
    """The ReLU lab's data: n points x in [0, 3] (one feature) and the target y (relu_lab_target)."""
    x = np.linspace(0, 3, n).astype(np.float32)[:, None]
    return x, relu_lab_target(x).astype(np.float32)


def traffic_scenes(n: int = 1500, seed: int = 0, with_main: bool = False):
    """A synthetic version of the lecture's street scenes: is there a car, a bus, a pedestrian?

    Each scene has each object or not (independently; never none at all), each at a random
    size. Its 7 features are noisy measurements that the objects add to ("wheels",
    "length", "height", "windows", "legs") and 2 features of pure noise.
    Returns (X (n, 7) float32, Y (n, 3) zeros and ones), and with `with_main=True` also
    the index of the biggest object in each scene (the one label a softmax could give).
    """
    # How much each object, at size 1, adds to each measured feature of a scene.
    mix = np.array([
        # wheels length height windows legs
        [1.0, 1.0, 0.3, 0.5, 0.0],   # car
        [1.0, 2.5, 1.0, 2.0, 0.0],   # bus
        [0.0, 0.1, 0.8, 0.0, 1.5],   # pedestrian
    ])
    rng = np.random.default_rng(seed)
    present = rng.random((n, 3)) < np.array([0.5, 0.35, 0.45])
    empty = ~present.any(axis=1)  # every scene shows at least one object
    present[empty, rng.integers(0, 3, int(empty.sum()))] = True
    size = np.where(present, rng.uniform(0.5, 1.5, (n, 3)), 0.0)  # how big (near) each object looks
    measured = size @ mix + rng.normal(0, 0.15, (n, 5))
    x = np.hstack([measured, rng.normal(0, 1, (n, 2))]).astype(np.float32)
    y, main = present.astype(np.float32), size.argmax(axis=1)
    return (x, y, main) if with_main else (x, y)
