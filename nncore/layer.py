"""One hidden layer of a spec and its grammar: Dense, Conv2D (filters, kernel, stride) or pooling.

    parse_hidden("conv8k5s2:relu,pool3,16:relu")  # Conv2D(8, 5x5, stride 2), MaxPooling2D(3x3), Dense(16)

`conv8:relu` and `pool` keep their first meaning (3x3 windows at stride 1, 2x2 blocks). A window
is checked against the feature map it slides over before anything trains (`check_window`).
SpecError lives here too, so that both this module and nncore.spec can raise it.
"""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass
from typing import Any, Callable


class SpecError(ValueError):
    """A setting a learner got wrong: names the field and says what is allowed."""

    def __init__(self, field: str, message: str):
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


# A convolution's window is KERNEL x KERNEL pixels and moves STRIDE pixels at a time; a pooling
# layer keeps the largest of each SIZE x SIZE block (its stride is its size, as in Keras).
CONV_KERNEL, CONV_STRIDE, POOL_SIZE = 3, 1, 2
MAX_KERNEL = 28


@dataclass(frozen=True)
class Layer:
    """One hidden layer: Dense(units, activation), Conv2D(units filters, kernel x kernel, stride)
    or MaxPooling2D(kernel x kernel). `kernel` and `stride` are None for a Dense layer; left out
    for the others they are today's defaults (Conv2D 3x3 stride 1, pooling 2x2)."""

    units: int
    activation: str = "relu"
    kind: str = "dense"
    kernel: int | None = None  # conv: the window's width and height; pool: the block's
    stride: int | None = None  # conv: how far the window moves (a pool moves by its size)

    def __post_init__(self) -> None:
        if self.kind == "conv":
            object.__setattr__(self, "kernel", CONV_KERNEL if self.kernel is None else self.kernel)
            object.__setattr__(self, "stride", CONV_STRIDE if self.stride is None else self.stride)
        elif self.kind == "pool":
            object.__setattr__(self, "kernel", POOL_SIZE if self.kernel is None else self.kernel)

    def __str__(self) -> str:
        if self.kind == "pool":
            return "pool" if self.kernel == POOL_SIZE else f"pool{self.kernel}"
        if self.kind == "conv":
            k = "" if self.kernel == CONV_KERNEL else f"k{self.kernel}"
            s = "" if self.stride == CONV_STRIDE else f"s{self.stride}"
            return f"conv{self.units}{k}{s}:{self.activation}"
        prefix = "" if self.kind == "dense" else self.kind
        return f"{prefix}{self.units}:{self.activation}"

    def to_dict(self) -> dict[str, Any]:
        """Plain data; a Dense layer without kernel and stride (as before they existed)."""
        d = dataclasses.asdict(self)
        return {k: v for k, v in d.items() if v is not None or k not in ("kernel", "stride")}


def parse_hidden(text: str) -> tuple[Layer, ...]:
    """`"25:relu,15:relu"` -> (Layer(25, "relu"), Layer(15, "relu")); "" or "none" -> ()."""
    text = text.strip()
    if text.lower() in ("", "none", "[]"):
        return ()
    layers = []
    for i, part in enumerate(text.split(",")):
        part = part.strip().lower()
        pool = _POOL.fullmatch(part)
        if pool:
            layers.append(Layer(0, "linear", "pool", int(pool["size"]) if pool["size"] else None))
            continue
        if part.startswith("conv"):
            size, _, activation = part.partition(":")
            conv = _CONV.fullmatch(size)
            if not conv:
                raise SpecError(f"hidden layer {i + 1}", f"cannot read {size!r}: write a convolution as "
                                "convFILTERS[kKERNEL][sSTRIDE]:ACTIVATION, e.g. conv8:relu (3x3, stride 1) "
                                "or conv8k5s2:relu (5x5 windows, stride 2)")
            layers.append(Layer(int(conv["filters"]), activation.strip() or "relu", "conv",
                                int(conv["k"]) if conv["k"] else None, int(conv["s"]) if conv["s"] else None))
            continue
        units, _, activation = part.partition(":")
        try:
            n = int(units)
        except ValueError:
            raise SpecError(f"hidden layer {i + 1} units", f"must be an integer, got {units.strip()!r} "
                            "(write layers as UNITS:ACTIVATION, convFILTERS[kKERNEL][sSTRIDE]:ACTIVATION or "
                            "pool[SIZE], e.g. 25:relu,15:relu or conv8k5:relu,pool,16:relu)") from None
        layers.append(Layer(n, activation.strip() or "relu", "dense"))
    return tuple(layers)


# conv8, conv8k5, conv8s2, conv8k5s2; pool, pool3 (also maxpool, maxpooling2d)
_CONV = re.compile(r"conv\s*(?P<filters>\d+)(?:k(?P<k>\d+))?(?:s(?P<s>\d+))?")
_POOL = re.compile(r"(?:pool|maxpool|maxpooling2d)(?P<size>\d+)?")


def check_window(errors: list[SpecError], name: str, layer: Layer, size: tuple[int, int],
                  number: Callable[..., None]) -> tuple[int, int] | None:
    """Check a Conv2D's or pooling layer's window against its input of `size` (height, width);
    return the feature map's size after it (None once something is wrong: later layers are not
    checked against a size that does not exist)."""
    h, w = size
    before = len(errors)
    if layer.kind == "conv":
        number(f"{name} kernel", layer.kernel, 1, MAX_KERNEL, int)
        number(f"{name} stride", layer.stride, 1, MAX_KERNEL, int)
        if len(errors) > before:
            return None
        k, s = int(layer.kernel), int(layer.stride)
        if k > h or k > w:
            errors.append(SpecError(f"{name} kernel", f"a {k}x{k} window is larger than its {h}x{w} input "
                                    f"(the feature map there is {h}x{w}); use a kernel of at most {min(h, w)} "
                                    "or fewer pooling layers before it"))
            return None
        return -(-h // s), -(-w // s)  # padding="same": ceil(n / stride) windows per row
    number(f"{name} pool size", layer.kernel, 1, MAX_KERNEL, int)
    if layer.stride is not None:
        errors.append(SpecError(f"{name} stride", "a pooling layer moves by its size; it has no stride of its own"))
    if len(errors) > before:
        return None
    p = int(layer.kernel)
    if p > h or p > w:
        errors.append(SpecError(f"{name} pool size", f"a {p}x{p} pool is larger than its {h}x{w} input: it would "
                                f"shrink the feature map below 1x1 (to {h // p}x{w // p}); remove a pooling layer"
                                + (f" or make it at most {min(h, w)}x{min(h, w)}" if min(h, w) > 1 else "")))
        return None
    return h // p, w // p
