"""The one owner of session state (app/state/slots.py says how): the session's trainings here
(app/state/training.py), its stored runs and its address's run (app/state/stored.py); each page's
own remembered values in its module (draw, points, ...).
Views call these functions; none of them names a session-state key of another page."""

from app.state.stored import (drop_session_runs, follow_address, get_run, put_run_in_address,  # noqa: F401
                              run_weights, runs, saving_problem)
from app.state.training import (DIGITS, ONE_AT_A_TIME, POINTS, SCOPES, Training, caught_up, current_job,  # noqa: F401
                                current_live, current_run_id, drawn_as_training, is_training, lesson_jobs,
                                lesson_training, live_run, load_into_builder, polls, reattach, running, scope_of,
                                session_id, start_lesson, start_step, start_training, stop_lesson, stop_training,
                                take_spec_to_load, training, was_polling, watch)
from app.state.store import reset_store, store  # noqa: F401
