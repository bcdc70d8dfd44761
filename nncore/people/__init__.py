"""People: learners, classes, teachers, and the one place that decides who sees what.

A learner is an identity their browser keeps (a cookie token; no password): their runs hang off
it in the run store, from any tab, reload or server, and `forget` removes all of it. A class is
an exercise (a spec and a target) with a join code for its learners and a secret for its
teacher. Pages ask this package what a person may list, open or export, never filter on their own:

    runs_of(store, learner)               a learner's lists: their own runs, nobody else's
    open_run(store, run_id)               a run's address: that one run, read-only, for whoever has it
    class_page_for(store, learner, id)    a learner's class page: what the teacher allows
    class_report(store, teacher)          the teacher's view and CSV: needs the class's secret

Nothing lists every run. Names (learners', classes') are data: kept as typed, or refused with
a message (names.clean_name); a page shows them escaped.
"""

from .classes import (CLOSED, JOIN_LIMITER, REMOVED, TOO_MANY, WRONG_CODE, WRONG_TEACHER, ClassInfo, JoinLimiter,
                      Membership, Refused, TeacherClass, class_for_code, class_for_teacher, classes_of, close_class,
                      create_class, current_class, join, leave, normal_code, remove_member, set_show_names,
                      set_spotlight, tags_for)
from .learners import (Learner, forget, learner_by_id, learner_for_token, new_learner, open_run, runs_of, set_name,
                       touch)
from .names import CLASS_NAME_MAX, NAME_MAX, NameRefused, clean_name
from .reports import (ClassPage, ClassReport, LearnerRow, OwnRun, Standing, changes_from, class_page_for,
                      class_report, report_csv)
from .targets import Target, TargetError

__all__ = [
    "CLASS_NAME_MAX", "CLOSED", "JOIN_LIMITER", "NAME_MAX", "REMOVED", "TOO_MANY", "WRONG_CODE", "WRONG_TEACHER",
    "ClassInfo", "ClassPage", "ClassReport", "JoinLimiter", "Learner", "LearnerRow", "Membership", "NameRefused",
    "OwnRun", "Refused", "Standing", "Target", "TargetError", "TeacherClass", "changes_from", "class_for_code",
    "class_for_teacher", "class_page_for", "class_report", "classes_of", "clean_name", "close_class",
    "create_class", "current_class", "forget", "join", "learner_by_id", "learner_for_token", "leave",
    "new_learner", "normal_code", "open_run", "remove_member", "report_csv", "runs_of", "set_name",
    "set_show_names", "set_spotlight", "tags_for", "touch",
]
