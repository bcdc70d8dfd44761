"""Text a person typed or a link carried, shown as it is."""

from __future__ import annotations

import re

_MARKDOWN = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~$])")


def plain(text: str) -> str:
    """`text` for st.markdown and friends, shown as typed: every character Markdown or HTML would
    read (`*`, `_`, `[`, `<`, `$`, ...) escaped, so `__import__` stays `__import__` and a `<script>`
    stays text."""
    return _MARKDOWN.sub(r"\\\1", str(text))
