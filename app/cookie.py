"""A browser keeps the learner's identity in a cookie: a small component of our own.

Why ours: Streamlit reads cookies (`st.context.cookies`, from the request that opened the
session) but has no way to set one. The cookie components on PyPI (streamlit-cookies-manager and
its forks, streamlit-cookies-controller, streamlit-cookie: releases from 2021 to 2025, none kept up
with Streamlit's new component API) are v1 components, an iframe each that answers only after a
round trip; this one is a custom component v2 (`st.components.v2`, Streamlit's public API):
ten lines of JavaScript that run in the page itself and set or delete one cookie on the app's own
origin. A reload, a new tab and a server restart then send it back with the page's connection, so
the server knows the learner before the page's first line is drawn, with no round trip.

The cookie holds a random token (the server stores only its SHA-256), `SameSite=Lax`, `Path=/`,
`Secure` when the page is served over https. It is never put in an address or a link.
"""

from __future__ import annotations

import streamlit as st

NAME = "nnp_learner"
MAX_AGE = 400 * 24 * 3600  # seconds: the longest a browser keeps a cookie (Chrome caps it at 400 days)

_WRITER = st.components.v2.component(
    "nn_playground_learner_cookie",
    html="<span hidden></span>",
    js="""
export default function (component) {
  const { data } = component;
  if (!data || !data.name) return;
  const mine = document.cookie.split("; ").find((c) => c.startsWith(data.name + "="));
  const attributes = "; Path=/; SameSite=Lax" + (data.secure ? "; Secure" : "");
  if (data.value) {
    if (mine !== data.name + "=" + data.value) {
      document.cookie = data.name + "=" + data.value + "; Max-Age=" + data.maxAge + attributes;
    }
  } else if (mine) {
    document.cookie = data.name + "=; Max-Age=0" + attributes;
  }
}
""",
)


def read() -> str | None:
    """The token this browser sent when it opened the session (None: none)."""
    try:
        return st.context.cookies.get(NAME)
    except Exception:  # outside a browser session (a plain script)
        return None


def keep(token: str | None) -> None:
    """Have the browser keep `token` (None: forget it). Drawn as an empty, hidden element."""
    secure = (st.context.url or "").startswith("https:")
    _WRITER(data={"name": NAME, "value": token or "", "maxAge": MAX_AGE, "secure": secure},
            key="learner_cookie", width="content", height="content")
