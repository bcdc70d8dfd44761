"""`python -m bench queue`: the training queue's estimated wait against the actual wait.

N sessions (owners) press Train at once on the server's queue (its slots: NNCORE_MAX_JOBS, 2 by
default), each the practice lab for --epochs epochs, in this process. For each training: its place
when it entered, the wait the queue estimated then, and the wait it had. The queue first sees one
training of the network (its per-epoch timing), as a server has after its first users.
"""

from __future__ import annotations

import argparse
import json


def measure(trainings: int = 6, epochs: int = 5) -> dict:
    from nncore import ExperimentSpec
    from nncore.data import load_dataset
    from nncore.training.job import TrainingJob
    from nncore.training.queue import QUEUE

    spec = ExperimentSpec.from_preset("practice-lab").replace(epochs=epochs)
    data = load_dataset(spec)
    TrainingJob(spec, data=data).run()  # traced, and one per-epoch timing for the estimates
    jobs = [TrainingJob(spec.replace(seed=i), data=data, owner=f"session-{i}") for i in range(trainings)]
    places = []
    for job in jobs:
        job.start()
        place = job.ticket.place()
        places.append(place.ahead if place else 0)
    for job in jobs:
        job.join()
    rows = [{"place": p, "estimate_s": round(j.ticket.first_estimate, 2), "waited_s": round(j.ticket.waited, 2),
             "status": str(j.snapshot().status)} for p, j in zip(places, jobs)]
    waited = [r for r in rows if r["waited_s"] > 0.5]
    error = [abs(r["estimate_s"] - r["waited_s"]) / r["waited_s"] for r in waited]
    return {"trainings": trainings, "epochs": epochs, "slots": QUEUE.slots, "rows": rows,
            "mean_abs_error": round(sum(error) / len(error), 3) if error else None}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench queue", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--trainings", type=int, default=6, help="sessions pressing Train at once (default 6)")
    parser.add_argument("--epochs", type=int, default=5, help="epochs of each (default 5)")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    args = parser.parse_args(argv)
    if not 1 <= args.trainings <= 40:
        parser.error("--trainings must be between 1 and 40")
    r = measure(args.trainings, args.epochs)
    if args.json:
        print(json.dumps(r))
        return 0
    print(f"{r['trainings']} trainings of {r['epochs']} epochs at once, {r['slots']} slots:")
    print(f"  {'ahead':>5}  {'estimated wait':>14}  {'actual wait':>11}  status")
    for row in r["rows"]:
        print(f"  {row['place']:>5}  {row['estimate_s']:>12.2f} s  {row['waited_s']:>9.2f} s  {row['status']}")
    if r["mean_abs_error"] is not None:
        print(f"  estimate off by {r['mean_abs_error']:.0%} on average (trainings that waited > 0.5 s)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
