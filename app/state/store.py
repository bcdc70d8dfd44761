"""The process's run store: where runs, learners and classes are kept (nncore.stores)."""

from __future__ import annotations

import functools
import os

from nncore.runs import DB_SETTING, RunStore, StoreError
from nncore.stores import open_store
from nncore.training.live import Sweeper, interrupt_cut_off


@functools.lru_cache(maxsize=4)
def _store_at(setting: str) -> RunStore:
    store = open_store(setting or None)
    if store.problem is None:
        try:  # runs a server that has gone left "running" (a restart, a crash): shown as interrupted
            interrupt_cut_off(store)
        except StoreError:
            pass
    if store.shared:  # N replicas: one may die (no exit hook) while nobody opens its runs
        Sweeper(store).start()
    return store


def reset_store() -> None:
    """Open the store again on the next call (the setting may have changed: tests)."""
    _store_at.cache_clear()


def store() -> RunStore:
    """The process's run store (the place is the NNCORE_RUNS_DB setting, read when first asked)."""
    return _store_at(os.environ.get(DB_SETTING, ""))
