"""Session state with one owner: each page's or feature's state is one small dataclass kept under
one key of `st.session_state`, read and written through the functions of its module in app/state/.

Widgets keep their own keys (Streamlit needs them); a value a page must remember that is not a
widget's lives in that page's dataclass. A view never names another view's keys: it asks the
module that owns them (the Layers page asks `state.draw.last_input()`, not the canvas's key).
"""

from __future__ import annotations

from typing import TypeVar

import streamlit as st

T = TypeVar("T")

PREFIX = "_state_"


def slot(cls: type[T], name: str = "") -> T:
    """The session's one `cls` object (made with `cls()` on first use), under `_state_<Cls>[_name]`."""
    key = f"{PREFIX}{cls.__name__}" + (f"_{name}" if name else "")
    obj = st.session_state.get(key)
    if not isinstance(obj, cls):
        obj = cls()
        st.session_state[key] = obj
    return obj


def key_of(cls: type, name: str = "") -> str:
    """The session-state key of a slot (for tests that look inside a session)."""
    return f"{PREFIX}{cls.__name__}" + (f"_{name}" if name else "")
