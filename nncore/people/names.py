"""Names people type: a learner's display name, a class's name. Data, never markup.

A name is kept as typed (stripped, NFC): HTML, Markdown and a <script> tag stay the characters
they are, and a page shows them escaped, as text. What could change the page around a name is
refused, with a message saying why: control characters (line breaks, tabs), invisible format
characters (the bidi overrides U+202A-U+202E and isolates U+2066-U+2069, zero-width spaces, ...),
and a name too long or with nothing visible in it. Emoji are welcome, joined ones too (U+200D).
"""

from __future__ import annotations

import unicodedata

NAME_MAX = 40  # characters of a learner's display name
CLASS_NAME_MAX = 80  # characters of a class's name
JOINER = "\u200d"  # the zero-width joiner inside emoji such as 👩‍💻: the one format character kept
REFUSED = {"Cc": "a control character such as a line break or a tab",
           "Cs": "half of a character (a lone surrogate)",
           "Co": "a private-use character",
           "Cn": "a character Unicode does not define",
           "Zl": "a line separator",
           "Zp": "a paragraph separator"}


class NameRefused(ValueError):
    """A name that cannot be used; the message says why, in words for the page."""


def clean_name(text: object, limit: int = NAME_MAX, what: str = "name") -> str:
    """The name to keep (stripped, NFC), or NameRefused saying what is wrong with it."""
    if not isinstance(text, str):
        raise NameRefused(f"The {what} must be text.")
    name = unicodedata.normalize("NFC", text.strip())
    if not name:
        raise NameRefused(f"The {what} is empty: type at least one letter.")
    if len(name) > limit:
        raise NameRefused(f"The {what} is {len(name):,} characters long: at most {limit}, please.")
    for ch in name:
        category = unicodedata.category(ch)
        if category == "Cf" and ch != JOINER:
            label = " ".join(filter(None, [f"U+{ord(ch):04X}", unicodedata.name(ch, "")]))
            raise NameRefused(f"The {what} contains an invisible character that changes how the text around it "
                              f"is shown ({label}): please type it without.")
        if category in REFUSED:
            raise NameRefused(f"The {what} contains {REFUSED[category]} (U+{ord(ch):04X}): please type it on one "
                              "line, without it.")
    if not any(unicodedata.category(ch)[0] in "LNPS" for ch in name):
        raise NameRefused(f"The {what} has no visible character: type at least one letter.")
    return name
