"""A class: an exercise, a join code for its learners and a secret for its teacher.

    klass, secret = create_class(store, "Week 3", spec, "val_accuracy>=0.95")
    klass.code                                  # the join code: ?join=CODE, for the learners
    secret                                      # ?teacher=SECRET, for the teacher only (stored hashed)
    join(store, learner, code, "Ada", JOIN_LIMITER, session_id)
    tags_for(store, learner)                    # (learner id, class id or None) for a new run

The join code is 20 characters of Crockford's base 32 (100 random bits), grouped by four, read
forgivingly (case, dashes, O for 0, I and L for 1); the teacher secret is 192 random bits.
Both are looked up by their SHA-256 and confirmed with a constant-time comparison; any wrong
value gets None (and one message, WRONG_CODE or WRONG_TEACHER, the same for every wrong value).
Wrong join codes are limited per browser session (JoinLimiter).

A learner is in one class at a time: joining another leaves the one before; every run they
start is tagged with it while it is open. The teacher may remove a learner's entry (they cannot
join again with this identity), close the class (runs are no longer tagged), show names on the
leaderboard or not, and put one run of the class in the spotlight.

Functions that only the teacher may call take a TeacherClass, which only create_class and
class_for_teacher (that is: the secret) give.
"""

from __future__ import annotations

import hmac
import json
import re
import secrets
import threading
import time
from collections import deque
from dataclasses import dataclass

from ..runs import RunStore, Sql, valid_run_id
from ..spec import ExperimentSpec
from .learners import Learner, digest
from .names import CLASS_NAME_MAX, clean_name
from .targets import Target

CODE_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"  # Crockford's base 32: no I, L, O, U
CODE_LENGTH = 20  # 100 random bits
SECRET = re.compile(r"^[A-Za-z0-9_-]{32}$")  # secrets.token_urlsafe(24): 192 random bits

WRONG_CODE = "This class code is not valid: check it with your teacher."
WRONG_TEACHER = "This teacher link is not valid."
CLOSED = "This class is closed: it takes no new learners."
REMOVED = "The teacher has removed you from this class."
TOO_MANY = "Too many wrong class codes from this browser: try again in {minutes} minutes."


class Refused(ValueError):
    """What a person asked cannot be done; the message says why, in words for the page."""


def new_code() -> str:
    chars = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
    return "-".join(chars[i:i + 4] for i in range(0, CODE_LENGTH, 4))


def new_secret() -> str:
    """A teacher secret: 32 URL-safe characters (~192 random bits) that never begin with "-", which a
    command line would read as an option (`python -m nncore class report --teacher SECRET`)."""
    while True:
        secret = secrets.token_urlsafe(24)
        if not secret.startswith("-"):
            return secret


def normal_code(text: object) -> str | None:
    """A typed or linked code in its one spelling (XXXX-XXXX-...), or None when it cannot be one."""
    if not isinstance(text, str) or len(text) > 4 * CODE_LENGTH:
        return None
    chars = re.sub(r"[\s-]", "", text).upper().translate(str.maketrans("OIL", "011"))
    if len(chars) != CODE_LENGTH or any(c not in CODE_ALPHABET for c in chars):
        return None
    return "-".join(chars[i:i + 4] for i in range(0, CODE_LENGTH, 4))


# ---- records ------------------------------------------------------------------------------

@dataclass(frozen=True)
class ClassInfo:
    """What a learner may know of a class: no code, no secret."""

    id: str
    name: str
    exercise: ExperimentSpec
    target: Target
    created: float = 0.0
    closed: bool = False
    show_names: bool = False  # the leaderboard learners see: names, or "Learner 1", "Learner 2"...
    spotlight: str | None = None  # a run of the class the teacher shows everyone


@dataclass(frozen=True)
class TeacherClass(ClassInfo):
    """The class as its teacher has it (from the secret): with its join code."""

    code: str = ""


@dataclass(frozen=True)
class Membership:
    """A learner's place in a class."""

    class_id: str
    class_name: str
    learner: str
    name: str  # their name in this class
    joined: float
    left: float | None = None  # when they left (None: they are in it)
    removed: bool = False  # by the teacher
    closed: bool = False  # the class is closed

    @property
    def active(self) -> bool:
        return self.left is None and not self.removed


CLASS_COLUMNS = "id, name, exercise, target, created, closed, show_names, spotlight, code"


def class_from_row(row, teacher: bool) -> ClassInfo:
    class_id, name, exercise, target, created, closed, show_names, spotlight, code = row
    fields = (class_id, name, ExperimentSpec.from_dict(json.loads(exercise)), Target.parse(target), created,
              bool(closed), bool(show_names), spotlight)
    return TeacherClass(*fields, code=code) if teacher else ClassInfo(*fields)


def require_teacher(klass: object) -> TeacherClass:
    if not isinstance(klass, TeacherClass):
        raise PermissionError("only the class's teacher (with its secret) may do this")
    return klass


# ---- the teacher --------------------------------------------------------------------------

def create_class(store: RunStore, name: str, exercise: ExperimentSpec, target: str | Target | None = None,
                 now: float | None = None) -> tuple[TeacherClass, str]:
    """A new class and its teacher secret (shown once: the store keeps its hash only). NameRefused
    or TargetError (both ValueError) for a bad name or target."""
    name = clean_name(name, CLASS_NAME_MAX, "class name")
    target = target if isinstance(target, Target) else Target.parse(target)
    exercise = exercise.validate()
    now = now or time.time()
    klass = TeacherClass(secrets.token_hex(8), name, exercise, target, now, code=new_code())
    secret = new_secret()
    store.transaction(lambda sql: sql.change(
        "INSERT INTO classes (id, code, code_hash, teacher_hash, name, exercise, target, created) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?)", klass.id, klass.code, digest(klass.code), digest(secret), name,
        json.dumps(exercise.to_dict()), target.text, now), write=True)
    return klass, secret


def class_for_teacher(store: RunStore, secret: object) -> TeacherClass | None:
    """The class whose teacher secret this is; None for every other value."""
    if not isinstance(secret, str) or not SECRET.fullmatch(secret):
        return None
    return _class_by_hash(store, "teacher_hash", secret, teacher=True)


def _class_by_hash(store: RunStore, column: str, text: str, teacher: bool) -> ClassInfo | None:
    """The class whose `column` (code_hash or teacher_hash) is the hash of `text`: looked up by the
    hash, confirmed in constant time; None for every other value."""
    assert column in ("code_hash", "teacher_hash")  # a column name, never a value
    wanted = digest(text)
    row = store.transaction(lambda sql: sql.one(
        f"SELECT {CLASS_COLUMNS}, {column} FROM classes WHERE {column} = ?", wanted))
    if row is None or not hmac.compare_digest(row[-1], wanted):
        return None
    return class_from_row(row[:-1], teacher=teacher)


def close_class(store: RunStore, teacher: TeacherClass, closed: bool = True) -> None:
    """Close the class (no new runs are tagged with it, no one joins), or open it again."""
    _set(store, require_teacher(teacher), "closed", int(closed))


def set_show_names(store: RunStore, teacher: TeacherClass, show: bool) -> None:
    """Learners see the leaderboard with names (True) or as "Learner 1", "Learner 2"... (False)."""
    _set(store, require_teacher(teacher), "show_names", int(show))


def _set(store: RunStore, klass: TeacherClass, column: str, value) -> None:
    assert column in ("closed", "show_names")  # a column name, never a value
    store.transaction(lambda sql: sql.change(f"UPDATE classes SET {column} = ? WHERE id = ?", value, klass.id),
                      write=True)


def set_spotlight(store: RunStore, teacher: TeacherClass, run_id: str | None) -> bool:
    """Show one run of the class to the class (None: no run). Only a run trained for this class by
    a learner still in its list may be shown: False, and nothing changes, for any other."""
    teacher = require_teacher(teacher)

    def work(sql: Sql) -> bool:
        if run_id is not None:
            if not valid_run_id(run_id) or sql.one(
                    "SELECT 1 FROM runs r JOIN memberships m ON m.learner = r.learner AND m.class_id = r.class_id "
                    "WHERE r.id = ? AND r.class_id = ? AND m.removed = 0", run_id, teacher.id) is None:
                return False
        sql.change("UPDATE classes SET spotlight = ? WHERE id = ?", run_id, teacher.id)
        return True

    return store.transaction(work, write=True)


def remove_member(store: RunStore, teacher: TeacherClass, learner_id: str) -> bool:
    """Take a learner's entry off the class: their runs leave its report and leaderboard, a
    spotlight on one of them goes out, and they cannot join again. False: no such learner here."""
    teacher = require_teacher(teacher)

    def work(sql: Sql) -> bool:
        changed = sql.change("UPDATE memberships SET removed = 1 WHERE class_id = ? AND learner = ?",
                             teacher.id, learner_id)
        sql.change("UPDATE classes SET spotlight = NULL WHERE id = ? AND spotlight IN "
                   "(SELECT id FROM runs WHERE learner = ? AND class_id = ?)", teacher.id, learner_id, teacher.id)
        return changed > 0

    return store.transaction(work, write=True)


# ---- the learner --------------------------------------------------------------------------

def class_for_code(store: RunStore, code: object) -> ClassInfo | None:
    """The class this join code opens; None for every other value."""
    code = normal_code(code)
    return None if code is None else _class_by_hash(store, "code_hash", code, teacher=False)


class JoinLimiter:
    """Wrong join codes per key (a browser session): at most `attempts` in `window` seconds. In
    memory, for one server process; thread-safe; forgets quiet keys (at most `max_keys`)."""

    def __init__(self, attempts: int = 10, window: float = 600.0, max_keys: int = 10_000, clock=time.monotonic):
        self.attempts, self.window, self.max_keys, self.clock = attempts, window, max_keys, clock
        self._failures: dict[str, deque] = {}
        self._lock = threading.Lock()

    def wait(self, key: str) -> float:
        """Seconds until `key` may try again (0: now)."""
        with self._lock:
            times = self._recent(key)
            return max(0.0, times[0] + self.window - self.clock()) if len(times) >= self.attempts else 0.0

    def failed(self, key: str) -> None:
        with self._lock:
            self._recent(key)
            self._failures.setdefault(key, deque()).append(self.clock())
            if len(self._failures) > self.max_keys:  # the quietest go first
                for old in sorted(self._failures, key=lambda k: self._failures[k][-1])[:len(self._failures) // 2]:
                    del self._failures[old]

    def _recent(self, key: str) -> deque:
        """The key's wrong attempts within the window (a key with none left is forgotten)."""
        times = self._failures.get(key, deque())
        while times and times[0] <= self.clock() - self.window:
            times.popleft()
        if not times:
            self._failures.pop(key, None)
        return times


JOIN_LIMITER = JoinLimiter()  # the server's own, for every session


def join(store: RunStore, learner: Learner, code: str, name: str, limiter: JoinLimiter | None = None,
         key: str = "") -> Membership:
    """Put the learner in the class of `code` under `name` (leaving any other class they are in);
    a learner with no display name yet takes this one. Refused (wrong code, too many wrong codes,
    closed, removed) or NameRefused, both ValueError with the message to show."""
    if limiter is not None and (wait := limiter.wait(key)):
        raise Refused(TOO_MANY.format(minutes=max(1, round(wait / 60))))
    name = clean_name(name)
    klass = class_for_code(store, code)
    if klass is None:
        if limiter is not None:
            limiter.failed(key)
        raise Refused(WRONG_CODE)
    now = time.time()

    def work(sql: Sql) -> Membership:
        closed, = sql.one("SELECT closed FROM classes WHERE id = ?", klass.id)
        before = sql.one("SELECT removed FROM memberships WHERE class_id = ? AND learner = ?", klass.id, learner.id)
        if before is not None and before[0]:
            raise Refused(REMOVED)
        if closed:
            raise Refused(CLOSED)
        sql.change("UPDATE memberships SET left_at = ? WHERE learner = ? AND class_id <> ? AND left_at IS NULL",
                   now, learner.id, klass.id)
        sql.change("INSERT INTO memberships (class_id, learner, name, joined) VALUES (?, ?, ?, ?) "
                   "ON CONFLICT (class_id, learner) DO UPDATE SET name = excluded.name, joined = excluded.joined, "
                   "left_at = NULL",
                   klass.id, learner.id, name, now)
        sql.change("UPDATE learners SET name = ? WHERE id = ? AND name = ''", name, learner.id)
        return Membership(klass.id, klass.name, learner.id, name, now)

    return store.transaction(work, write=True)


def leave(store: RunStore, learner: Learner) -> bool:
    """The learner leaves their class (their runs for it stay in its report). False: in none."""
    return store.transaction(lambda sql: sql.change(
        "UPDATE memberships SET left_at = ? WHERE learner = ? AND left_at IS NULL", time.time(), learner.id) > 0,
        write=True)


def classes_of(store: RunStore, learner: Learner) -> list[Membership]:
    """The classes the learner is or was in (not those they were removed from), newest first."""
    rows = store.transaction(lambda sql: sql.rows(
        "SELECT m.class_id, c.name, m.learner, m.name, m.joined, m.left_at, m.removed, c.closed "
        "FROM memberships m JOIN classes c ON c.id = m.class_id WHERE m.learner = ? AND m.removed = 0 "
        "ORDER BY m.joined DESC", learner.id))
    return [Membership(c, n, lr, nm, j, left, bool(rm), bool(cl)) for c, n, lr, nm, j, left, rm, cl in rows]


def current_class(store: RunStore, learner: Learner) -> Membership | None:
    """The class the learner is in now (open or closed), or None."""
    return next((m for m in classes_of(store, learner) if m.active), None)


def tags_for(store: RunStore, learner: Learner | None) -> tuple[str | None, str | None]:
    """What a run starting now is tagged with: (the learner's id, their class's id while it is open)."""
    if learner is None:
        return None, None
    now = current_class(store, learner)
    return learner.id, (now.class_id if now is not None and not now.closed else None)
