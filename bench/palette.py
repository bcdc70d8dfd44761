"""`python -m bench palette`: how far apart the ten class colours are, for normal colour vision and
simulated deuteranopia and protanopia, against the palette they replaced (the baseline).

The distance is Euclidean in CAM02-UCS (colorspacious), a colour space where equal distances look
about equally different; the simulation is colorspacious' Machado et al. (2009) at full severity.
A pair less than ~10 apart starts to be hard to tell in a small marker; less than ~5, one colour.
"""

from __future__ import annotations

import argparse
import itertools
import json

import numpy as np

# The class palette before issue 27: Plotly's and D3's ten category colours.
OLD_PALETTE = ("#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22",
               "#17becf")
VISIONS = {"normal": None, "deutan": "deuteranomaly", "protan": "protanomaly"}


def _rgb(hex_color: str) -> np.ndarray:
    return np.array([int(hex_color[i:i + 2], 16) for i in (1, 3, 5)], dtype=np.float64) / 255


def seen(colors, vision: str) -> np.ndarray:
    """The colours (hex) in CAM02-UCS as someone with `vision` (VISIONS' keys) sees them."""
    from colorspacious import cspace_convert

    rgb = np.stack([_rgb(c) for c in colors])
    cvd = VISIONS[vision]
    if cvd is not None:
        rgb = np.clip(cspace_convert(rgb, {"name": "sRGB1+CVD", "cvd_type": cvd, "severity": 100}, "sRGB1"), 0, 1)
    return cspace_convert(rgb, "sRGB1", "CAM02-UCS")


def closest_pair(colors, vision: str) -> tuple[float, str, str]:
    """The smallest CAM02-UCS distance between two of `colors` for `vision`, and that pair."""
    ucs = seen(colors, vision)
    return min((float(np.linalg.norm(ucs[i] - ucs[j])), colors[i], colors[j])
               for i, j in itertools.combinations(range(len(colors)), 2))


def report(n: int = 10) -> dict:
    from app.charts import PALETTE

    return {name: {vision: closest_pair(list(colors[:n]), vision) for vision in VISIONS}
            for name, colors in (("new", PALETTE), ("old", OLD_PALETTE))}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench palette", description=__doc__.splitlines()[0])
    parser.add_argument("--classes", type=int, default=10, help="the first N class colours (default 10, the digits)")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    result = report(args.classes)
    if args.json:
        print(json.dumps({k: {v: round(d, 2) for v, (d, *_) in r.items()} for k, r in result.items()}))
        return 0
    print(f"Closest pair of the first {args.classes} class colours, CAM02-UCS distance (larger is better)")
    print(f"{'vision':<8} {'old palette':>28} {'new palette':>28} {'new / old':>10}")
    for vision in VISIONS:
        (od, o1, o2), (nd, n1, n2) = result["old"][vision], result["new"][vision]
        print(f"{vision:<8} {od:>8.1f} ({o1} {o2}) {nd:>8.1f} ({n1} {n2}) {nd / od:>9.1f}x")
    return 0
