"""What the theme in .streamlit/config.toml cannot reach: a few of Streamlit's own colours, mended
with CSS that works in the light and the dark theme alike.

Streamlit draws code highlighting in fixed colours made for neither theme (a number 2.5:1 on light grey), a selected
segment's or a slider's value in the primary colour (3.6:1 on dark). Each rule below mixes the
*inherited* text colour (`currentColor` inside `color` is the parent's colour: dark in the light
theme, light in the dark one) with a hue, so the result stays readable in both without knowing which
theme is on. axe-core checks every page in both (tests/test_browser_a11y.py).
"""

from __future__ import annotations

import streamlit as st


def _mix(share: int, hue: str) -> str:
    return f"color: color-mix(in srgb, currentColor {share}%, {hue}) !important;"


CSS = f"""<style>
/* a progress bar that glides to each new value repaints at 60 frames a second: jump instead */
[data-testid=stProgress] * {{ transition: none !important; }}
/* code inside a caption: the caption's colour on the page itself (its grey box cost it AA contrast) */
[data-testid=stCaptionContainer] code {{ color: inherit !important; background: transparent !important; padding: 0; }}
/* a selected segment, a slider's value: the text colour tinted with red, not the bare primary */
[data-testid=stButtonGroup] button[data-selected=true],
[data-testid=stButtonGroup] button[aria-checked=true] {{ {_mix(62, "#e0303f")} }}
[data-testid=stSliderThumbValue], [data-testid=stSliderTickBarMin], [data-testid=stSliderTickBarMax] {{ {_mix(70, "#e0303f")} }}
/* code highlighting: each token kind the text colour tinted with its hue; comments in italics */
.stCode .token.keyword, .stCode .token.function, .stCode .token.class-name {{ {_mix(62, "#1c6fd1")} }}
.stCode .token.number, .stCode .token.boolean, .stCode .token.constant {{ {_mix(62, "#13866f")} }}
.stCode .token.string, .stCode .token.char {{ {_mix(62, "#2a8a3a")} }}
.stCode .token.operator, .stCode .token.builtin {{ {_mix(62, "#b0560c")} }}
.stCode .token.comment, .stCode .token.punctuation {{ {_mix(72, "#808495")} }}
/* focus: a ring one can see on every control, in both themes */
:focus-visible {{ outline: 2px solid color-mix(in srgb, currentColor 55%, #1c6fd1) !important; outline-offset: 2px; }}
</style>"""


def apply() -> None:
    """The CSS above, once per page run (main.py, before the page)."""
    st.html(CSS)
