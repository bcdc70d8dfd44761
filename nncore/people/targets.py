"""A class's target: what "best" means for its runs, in a tiny grammar read without eval.

    val_accuracy>=0.95        a run meets it when its final validation accuracy is at least 0.95
    val_loss<=0.1             ... its final validation loss at most 0.1
    min val_loss@10           the lowest validation loss after 10 epochs (runs with fewer: no value)
    max val_accuracy          the highest final validation accuracy (the default)

The metrics are the curves every run records: accuracy, val_accuracy, loss, val_loss. Accuracy
goes up (>=, max), a loss down (<=, min): "max val_loss" is refused. A run still training has no
value yet; a run that stopped, diverged or was interrupted counts with what it recorded (a
value that is not a finite number does not).
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

from ..runs import RUNNING, Run
from ..spec import LIMITS

METRICS = {"accuracy": "training accuracy", "val_accuracy": "validation accuracy",
           "loss": "training loss", "val_loss": "validation loss"}
MAX_EPOCH = LIMITS["epochs"].high  # the spec's own limit
MAX_TEXT = 100
DEFAULT = "max val_accuracy"
_NUMBER = r"([0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:e([-+]?[0-9]{1,3}))?"
_THRESHOLD = re.compile(rf"([a-z_][a-z0-9_]*)\s*(>=|<=|≥|≤)\s*{_NUMBER}")
_RANKING = re.compile(r"(min|max)\s+([a-z_][a-z0-9_]*)(?:\s*@\s*([0-9]{1,4}))?")
EXAMPLES = "val_accuracy>=0.95, val_loss<=0.1, min val_loss@10 or max val_accuracy"


class TargetError(ValueError):
    """A target text that is not one of the grammar's forms; the message shows the forms."""


def _goes_up(metric: str) -> bool:
    return metric.endswith("accuracy")


@dataclass(frozen=True)
class Target:
    metric: str  # a key of METRICS
    kind: str  # ">=", "<=" (a threshold) or "max", "min" (a ranking)
    threshold: float | None = None  # for >= and <=
    epoch: int | None = None  # for max and min: the value after this many epochs (None: the final one)

    @classmethod
    def parse(cls, text: object) -> "Target":
        if text is None or (isinstance(text, str) and not text.strip()):
            text = DEFAULT
        if not isinstance(text, str) or len(text) > MAX_TEXT:
            raise TargetError(f"A target is a short text such as {EXAMPLES}.")
        line = text.strip().lower()
        if m := _THRESHOLD.fullmatch(line):
            metric, op, digits, exponent = m.groups()
            op = {"≥": ">=", "≤": "<="}.get(op, op)
            cls._check_metric(metric, text)
            value = float(digits + (f"e{exponent}" if exponent else ""))
            if _goes_up(metric) != (op == ">="):
                raise TargetError(f"{text!r}: {METRICS[metric]} should go "
                                  f"{'up: write >=' if _goes_up(metric) else 'down: write <='}.")
            if _goes_up(metric) and not 0 <= value <= 1:
                raise TargetError(f"{text!r}: an accuracy is between 0 and 1 (0.95 is 95 %).")
            if not math.isfinite(value):
                raise TargetError(f"{text!r}: the number must be finite.")
            return cls(metric, op, threshold=value)
        if m := _RANKING.fullmatch(line):
            kind, metric, epoch = m.groups()
            cls._check_metric(metric, text)
            if _goes_up(metric) != (kind == "max"):
                raise TargetError(f"{text!r}: {METRICS[metric]} should go "
                                  f"{'up: write max' if _goes_up(metric) else 'down: write min'}.")
            if epoch is not None and not 1 <= int(epoch) <= MAX_EPOCH:
                raise TargetError(f"{text!r}: the epoch after @ is between 1 and {MAX_EPOCH}.")
            return cls(metric, kind, epoch=int(epoch) if epoch is not None else None)
        raise TargetError(f"{text[:40]!r} is not a target: write one such as {EXAMPLES}.")

    @staticmethod
    def _check_metric(metric: str, text: str) -> None:
        if metric not in METRICS:
            raise TargetError(f"{text[:40]!r}: {metric[:20]!r} is not a metric; the metrics are "
                              f"{', '.join(METRICS)}.")

    @property
    def text(self) -> str:
        """The target in the grammar (parse(t.text) == t)."""
        if self.kind in (">=", "<="):
            return f"{self.metric}{self.kind}{self.threshold!r}"
        return f"{self.kind} {self.metric}" + (f"@{self.epoch}" if self.epoch is not None else "")

    def describe(self) -> str:
        """In words for the page: "validation accuracy ≥ 0.95", "lowest validation loss after 10 epochs"."""
        label = METRICS[self.metric]
        if self.kind in (">=", "<="):
            return f"{label} {'≥' if self.kind == '>=' else '≤'} {self.threshold:g}"
        best = "highest" if self.kind == "max" else "lowest"
        return f"{best} {label} " + (f"after {self.epoch} epochs" if self.epoch else "at the end of a run")

    @property
    def higher_is_better(self) -> bool:
        return _goes_up(self.metric)

    def value(self, run: Run) -> float | None:
        """The run's value for this target: its metric after `epoch` epochs, else its final one.
        None when the run does not qualify: still training, fewer epochs, no such curve, not finite."""
        if run.status == RUNNING:
            return None
        values = run.history.get(self.metric, ())
        if self.epoch is not None:
            value = values[self.epoch - 1] if len(values) >= self.epoch else None
        else:
            value = values[-1] if values else None
        return float(value) if value is not None and math.isfinite(value) else None

    def met(self, run: Run) -> bool:
        """Does the run meet the target? A ranking is met by every run that has a value."""
        value = self.value(run)
        if value is None:
            return False
        if self.kind == ">=":
            return value >= self.threshold
        if self.kind == "<=":
            return value <= self.threshold
        return True

    def better(self, a: float | None, b: float | None) -> bool:
        """Is value `a` strictly better than value `b`? Any value beats None."""
        if a is None:
            return False
        if b is None:
            return True
        return a > b if self.higher_is_better else a < b

    def sort_key(self, value: float | None) -> tuple:
        """Best first when sorted by this; None last."""
        if value is None:
            return (1, 0.0)
        return (0, -value if self.higher_is_better else value)
