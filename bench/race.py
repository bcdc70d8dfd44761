"""`python -m bench race`: what a race of optimizers costs against the same trainings one by one.

A race (nncore.lessons.optimizers) trains four optimizers on the practice lab side by side as
TrainingJobs (at most two run at once, the process-wide cap), each also measuring the loss on
the whole training set before epoch 1 and after every epoch. The baseline is four ordinary
trainings of the same network, one optimizer each, run one after another in this thread.
Both are timed from start to the last finish, after one untimed race that traces the four
networks; medians of --repeats rounds, race and baseline taken in turn.
"""

from __future__ import annotations

import argparse
import json
import statistics
import time


def measure(epochs: int = 10, repeats: int = 3, preset: str = "practice-lab",
            optimizers: str = "gd,momentum,rmsprop,adam") -> dict:
    from nncore import ExperimentSpec
    from nncore.data import load_dataset
    from nncore.lessons.optimizers import make_race, parse_entrants
    from nncore.training.job import MAX_RUNNING_JOBS, TrainingJob

    spec = ExperimentSpec.from_preset(preset).replace(epochs=epochs)
    entrants = parse_entrants(optimizers)
    data = load_dataset(spec)

    def race() -> float:
        r = make_race(spec, entrants, data=data)
        t0 = time.perf_counter()
        r.start()
        r.join()
        seconds = time.perf_counter() - t0
        r.release()
        assert all(run.status == "done" for run in r.runs()), [run.message for run in r.runs()]
        return seconds

    def one_by_one() -> float:
        t0 = time.perf_counter()
        for e in entrants:
            job = TrainingJob(spec.replace(optimizer=e.optimizer, learning_rate=e.learning_rate), data=data,
                              views=False)
            assert job.run().status == "done"
            job.release()
        return time.perf_counter() - t0

    race()  # traces the four networks; the pool keeps them for both measurements
    one_by_one()
    races, singles = [], []
    for _ in range(repeats):
        races.append(race())
        singles.append(one_by_one())
    r, s = statistics.median(races), statistics.median(singles)
    return {"preset": preset, "optimizers": optimizers, "epochs": epochs, "repeats": repeats,
            "slots": MAX_RUNNING_JOBS, "race_seconds": round(r, 3), "one_by_one_seconds": round(s, 3),
            "ratio": round(r / s, 3), "races": [round(x, 3) for x in races],
            "one_by_one": [round(x, 3) for x in singles]}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench race", description=__doc__.split("\n")[0])
    parser.add_argument("--epochs", type=int, default=10)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--preset", default="practice-lab")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    args = parser.parse_args(argv)
    r = measure(args.epochs, args.repeats, args.preset)
    if args.json:
        print(json.dumps(r))
        return 0
    print(f"race of {r['optimizers']} on {r['preset']}, {r['epochs']} epochs ({r['slots']} training slots): "
          f"{r['race_seconds']:.2f} s; the same four trainings one after another: {r['one_by_one_seconds']:.2f} s; "
          f"ratio {r['ratio']:.2f} (median of {r['repeats']}; races {r['races']}, one by one {r['one_by_one']})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
