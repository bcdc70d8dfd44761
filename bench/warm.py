"""`python -m bench warm`: the first training of a network nobody has trained yet, from a fresh
process, against a plain `model.fit` of the same network from a fresh process.

Each side runs in its own new Python process that imports TensorFlow and loads the digits first
(not timed: a server has done both before anyone clicks), then times one training from nothing:
ours is the app's TrainingJob with its live views (network built, traced, trained, validated
each epoch), the baseline builds the same Keras model and calls `fit(x, y, batch_size=32)`.
The two take turns, `--rounds` times; medians are printed with their ratio (fit / ours).
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

OURS = """
import json, time
from nncore import ExperimentSpec, import_keras
from nncore.data import load_dataset
from nncore.training.job import TrainingJob
import_keras()
spec = ExperimentSpec.from_dict({spec!r})
data = load_dataset(spec)
t = time.perf_counter()
s = TrainingJob(spec, data=data).run()
print(json.dumps({{"seconds": time.perf_counter() - t, "status": str(s.status)}}))
"""

PLAIN = """
import json, time
from nncore import ExperimentSpec, import_keras
from nncore.data import load_dataset
from nncore.model import build_model
import_keras()
spec = ExperimentSpec.from_dict({spec!r})
data = load_dataset(spec)
t = time.perf_counter()
model = build_model(spec)
model.fit(data.x_train, data.y_train, batch_size=spec.batch_size, epochs=spec.epochs, verbose=0)
print(json.dumps({{"seconds": time.perf_counter() - t, "status": "done"}}))
"""


def _fresh(code: str) -> float:
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    result = json.loads(done.stdout.strip().splitlines()[-1])
    if result["status"] != "done":
        raise RuntimeError(f"training ended {result['status']}")
    return result["seconds"]


def measure(epochs: int = 10, rounds: int = 3, hidden: str = "25:relu,15:relu") -> dict:
    spec = {"hidden": hidden, "epochs": epochs}
    ours, plain = [], []
    for _ in range(rounds):
        plain.append(_fresh(PLAIN.format(spec=spec)))
        ours.append(_fresh(OURS.format(spec=spec)))
    a, b = statistics.median(ours), statistics.median(plain)
    return {"hidden": hidden, "epochs": epochs, "rounds": rounds, "first_ours_s": round(a, 3),
            "first_plain_s": round(b, 3), "first_speedup": round(b / a, 2),
            "ours_runs": [round(x, 3) for x in ours], "plain_runs": [round(x, 3) for x in plain]}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench warm", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--epochs", type=int, default=10, help="epochs of each training (default 10)")
    parser.add_argument("--rounds", type=int, default=3, help="fresh processes per side (default 3)")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    args = parser.parse_args(argv)
    r = measure(args.epochs, args.rounds)
    if args.json:
        print(json.dumps(r))
    else:
        print(f"first training of 784-{r['hidden']}-10, {r['epochs']} epochs, each from a fresh process "
              f"(median of {r['rounds']}):")
        print(f"  ours (TrainingJob, live views)  {r['first_ours_s']:.2f} s")
        print(f"  plain model.fit                 {r['first_plain_s']:.2f} s")
        print(f"  ratio                           {r['first_speedup']:.2f}x")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
