"""Pen strokes traced from a digit image: thresholded, thinned (Zhang-Suen) and walked into polylines.

Used to write training digits as coarse pen trajectories (handwriting.py), by the held-out check
(bench/writers.py) and by tests/strokes.mnist_strokes. NumPy and SciPy only.
"""

from __future__ import annotations

import numpy as np


def _arclength(p: np.ndarray) -> np.ndarray:
    return np.concatenate([[0.0], np.cumsum(np.hypot(*np.diff(p, axis=0).T))])


def _zhang_suen(img: np.ndarray) -> np.ndarray:
    """Zhang-Suen thinning of a boolean image (1-pixel-wide 8-connected skeleton)."""
    sk = np.pad(img.astype(bool), 1)
    while True:
        changed = False
        for step in (0, 1):
            p = sk
            P2, P3, P4 = p[:-2, 1:-1], p[:-2, 2:], p[1:-1, 2:]
            P5, P6, P7 = p[2:, 2:], p[2:, 1:-1], p[2:, :-2]
            P8, P9 = p[1:-1, :-2], p[:-2, :-2]
            nb = [P2, P3, P4, P5, P6, P7, P8, P9]
            B = sum(n.astype(np.int8) for n in nb)
            A = sum((~nb[i] & nb[(i + 1) % 8]).astype(np.int8) for i in range(8))
            if step == 0:
                c = ~(P2 & P4 & P6) & ~(P4 & P6 & P8)
            else:
                c = ~(P2 & P4 & P8) & ~(P2 & P6 & P8)
            remove = p[1:-1, 1:-1] & (B >= 2) & (B <= 6) & (A == 1) & c
            if remove.any():
                sk = sk.copy()
                sk[1:-1, 1:-1] &= ~remove
                changed = True
        if not changed:
            return sk[1:-1, 1:-1]


_NEIGH = [(-1, -1), (-1, 0), (-1, 1), (0, -1), (0, 1), (1, -1), (1, 0), (1, 1)]


def _skeleton_graph(sk: np.ndarray) -> dict[tuple[int, int], set[tuple[int, int]]]:
    """8-connected adjacency of skeleton pixels, without the redundant diagonal edges of
    little staircase triangles (a diagonal whose two ends share a 4-neighbour)."""
    pix = set(zip(*np.nonzero(sk)))
    g: dict[tuple[int, int], set[tuple[int, int]]] = {p: set() for p in pix}
    for (r, c) in pix:
        for dr, dc in _NEIGH:
            q = (r + dr, c + dc)
            if q not in pix:
                continue
            if dr and dc and ((r + dr, c) in pix or (r, c + dc) in pix):
                continue
            g[(r, c)].add(q)
    return g


def _trace(g: dict[tuple[int, int], set[tuple[int, int]]]) -> list[list[tuple[int, int]]]:
    """Greedy walk of all graph edges into polylines: from endpoints first (going on through
    junctions in the straightest direction), then whatever remains (loops)."""
    used: set[frozenset] = set()

    def free(p):
        return [q for q in g[p] if frozenset((p, q)) not in used]

    def walk(start):
        path = [start]
        while True:
            cur = path[-1]
            options = free(cur)
            if not options:
                return path
            if len(path) >= 2:
                back = path[max(0, len(path) - 4)]
                d = np.subtract(cur, back, dtype=float)
                options.sort(key=lambda q: -float(np.dot(np.subtract(q, cur), d))
                             / (np.hypot(*np.subtract(q, cur)) * max(np.hypot(*d), 1e-9)))
            nxt = options[0]
            used.add(frozenset((cur, nxt)))
            path.append(nxt)

    paths = []
    while True:
        ends = sorted(p for p in g if len(free(p)) == 1)
        if ends:
            # start from the top-most free end, as a writer usually does
            paths.append(walk(ends[0]))
            continue
        rest = sorted(p for p in g if free(p))
        if not rest:
            return paths + [[p] for p in sorted(g) if not g[p]]  # lone pixels: dots
        paths.append(walk(rest[0]))


def _smooth(p: np.ndarray, k: int = 2) -> np.ndarray:
    if len(p) < 3:
        return p
    closed = np.hypot(*(p[0] - p[-1])) < 1e-9
    pad = np.vstack([p[-k - 1:-1], p, p[1:k + 1]]) if closed else np.vstack(
        [np.repeat(p[:1], k, 0), p, np.repeat(p[-1:], k, 0)])
    w = np.ones(2 * k + 1) / (2 * k + 1)
    q = np.stack([np.convolve(pad[:, i], w, mode="valid") for i in range(2)], axis=1)
    if not closed:
        q[0], q[-1] = p[0], p[-1]
    return q


def _holes(mask: np.ndarray, min_area: int) -> int:
    """Number of background regions enclosed by ink (the loops of 0, 6, 8, 9...)."""
    from scipy import ndimage

    lab, n = ndimage.label(~np.pad(mask, 1))
    if n <= 1:
        return 0
    areas = np.bincount(lab.ravel())[1:]
    outside = lab[0, 0]
    return int(sum(1 for k, a in enumerate(areas, start=1) if k != outside and a >= min_area))


def image_strokes(image: np.ndarray, upscale: int = 3, min_length: float = 0.06, order: int = 1,
                  levels: tuple[float, ...] = (0.35, 0.5, 0.65), min_loop: float = 1.0,
                  stretch: bool = False) -> list[np.ndarray]:
    """Strokes (unit-box coordinates, the whole image = the unit box) traced from one
    grayscale digit image with ink > 0 (any range; values are scaled to [0, 1]).

    The image is upscaled (spline of `order`: 1 bilinear, 3 smooth), smoothed, `stretch`ed so that
    its darkest pixel is 1 if asked, and thresholded at the lowest of `levels` that keeps the most
    loops open (thick pens fill small loops at a low threshold; a loop counts from `min_loop`
    source pixels), then thinned. A tiny bitmap (8x8) wants order 3, a stretch and higher levels."""
    from scipy import ndimage

    img = np.asarray(image, float)
    if img.max() > 1.0:
        img = img / 255.0
    if img.max() <= 0.0:
        return []
    h, w = img.shape
    big = ndimage.gaussian_filter(ndimage.zoom(img, upscale, order=order), sigma=upscale / 4)
    if stretch:
        big /= big.max()
    best = None
    for thr in levels:
        m = big > thr
        if not m.any():
            break
        n = _holes(m, min_area=int(upscale * upscale * min_loop))
        if best is None or n > best[0]:
            best = (n, m)
    mask = best[1] if best is not None else big >= big.max() / 2  # faint ink only
    paths = _trace(_skeleton_graph(_zhang_suen(mask)))
    if not paths:
        return []
    strokes = []
    for path in paths:
        p = np.array(path, float)[:, ::-1]  # (row, col) -> (x, y)
        p = (p + 0.5) / np.array([w * upscale, h * upscale], float)
        p = _smooth(p)
        if len(paths) > 1 and _arclength(p)[-1] < min_length:
            continue  # a short spur of the thinning
        strokes.append(np.clip(p, 0.0, 1.0))
    if not strokes:  # keep at least the longest path, whatever its length
        best = max(paths, key=len)
        p = (np.array(best, float)[:, ::-1] + 0.5) / np.array([w * upscale, h * upscale])
        strokes = [np.clip(p, 0.0, 1.0)]
    return strokes
