"""Adam vs gradient descent, part 1: race optimizers on one network from identical weights.

    entrants = parse_entrants("gd,adam", "0.001,0.001")   # names as the learner gives them
    race = make_race(spec, entrants)                      # jobs, not started
    race.start(); race.join()
    runs = race.runs()                                    # one RaceRun per optimizer

Every job of a race starts from the same weights (built once from the spec's seed, shown by
a short checksum), trains on the same batches in the same order (the job's shuffle is a
stateless function of the seed and the epoch) and records the loss on the whole training set
before the first step and after each epoch: only the optimizer differs. The jobs are ordinary
TrainingJobs, so the process-wide cap of running trainings applies (the rest wait their turn).

    entrants.py   the field: race names, learning rates, the checks (too few, twice, too big)
    address.py    a race in a page's address (RaceSettings <-> the query string)
    race.py       the race's jobs (make_race, run_race) and each one's curves (RaceRun)
    verdict.py    what the page and the CLI say: progress, the winner, the one-α note, the table

The contour lesson (part 2) lives in nncore.lessons.optimizer_paths.
"""


from .address import (DEFAULT_EPOCHS, DEFAULT_NETWORK, MAX_EPOCHS, RACE_FIELDS, TRAIN_NETWORK, RaceSettings,
                      race_from_query, race_to_query)
from .entrants import (DEFAULT_ENTRANTS, DEFAULT_LEARNING_RATE, MAX_ENTRANTS, MAX_RACE_MACS, MIN_ENTRANTS, RACE_NAMES,
                       RACERS, Entrant, RaceError, check_entrants, check_size, describe, parse_entrants, parse_rate)
from .race import Race, RaceRun, checksum, epochs_to, initial_weights, make_race, race_run, run_race
from .verdict import SUITED_RATES, one_alpha_note, race_report, race_status, race_verdict, suited_rates

__all__ = [
    "DEFAULT_ENTRANTS", "DEFAULT_EPOCHS", "DEFAULT_LEARNING_RATE", "DEFAULT_NETWORK", "MAX_ENTRANTS", "MAX_EPOCHS",
    "MAX_RACE_MACS", "MIN_ENTRANTS", "RACERS", "RACE_FIELDS", "RACE_NAMES", "SUITED_RATES", "TRAIN_NETWORK",
    "Entrant", "Race", "RaceError", "RaceRun", "RaceSettings", "check_entrants", "check_size", "checksum",
    "describe", "epochs_to", "initial_weights", "make_race", "one_alpha_note", "parse_entrants", "parse_rate",
    "race_from_query", "race_report", "race_run", "race_status", "race_to_query", "race_verdict", "run_race",
    "suited_rates",
]
