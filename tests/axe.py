"""axe-core in the page: the accessibility violations of what a page shows now.

axe-core comes from PyPI's axe-playwright-python (it bundles axe.min.js, axe-core 4.12): one more
pip package, no npm and no Node on the machine, and it drives the Playwright the tests already use.
Only its bundled script is used here (injected once, then `axe.run` with our options), so a
violation Streamlit itself causes can be excluded by rule *and* selector (KNOWN), never by
switching a rule off for the whole page. docs/accessibility.md says why each is there.
"""

from __future__ import annotations

import json
from functools import lru_cache

# Every page of the app, as the top navigation reaches them (the hidden /train only switches to "/").
PAGES = ["/", "/draw", "/boundaries", "/runs", "/class", "/activations", "/softmax", "/losses", "/derivatives",
         "/backprop", "/fit", "/optimizers", "/layers"]

SERIOUS = ("critical", "serious")

# (rule, CSS selector of the nodes it may name): violations inside Streamlit or a component that
# the app cannot fix. docs/accessibility.md names each and says why.
KNOWN: list[tuple[str, str]] = [
    # streamlit-drawable-canvas' toolbar (undo, redo, edit, ...) inside the component's shadow root: its
    # icon buttons are smaller than 24x24 px, and the page's CSS cannot reach into a shadow root.
    ("target-size", ".st-key-canvas [data-testid=stBidiComponentIsolated]"),
]


@lru_cache(maxsize=1)
def axe_script() -> str:
    from importlib.resources import files

    return files("axe_playwright_python").joinpath("axe.min.js").read_text(encoding="utf-8")


TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"]

# Of those rules, the ones whose outcome depends on colours (axe's "cat.color" rules: contrast, links
# told apart by colour alone): all that a change of theme can change, since the two themes differ only
# in colours (.streamlit/config.toml's [theme.light] and [theme.dark]).
COLOUR_RULES = """(tags) => { const ours = new Set(axe.getRules(tags).map(r => r.ruleId));
  return axe.getRules(['cat.color']).map(r => r.ruleId).filter(id => ours.has(id)); }"""


def run_axe(page, known=None, colours_only: bool = False) -> list[dict]:
    """The page's critical and serious violations (WCAG 2.x A and AA rules and axe's best practices),
    each {rule, impact, nodes: [selector, ...], help}, less the nodes `known` (default KNOWN) excuses;
    `colours_only`: of those rules, only the ones about colours (COLOUR_RULES)."""
    known = KNOWN if known is None else known
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.evaluate(axe_script())
    run_only = {"type": "tag", "values": TAGS}
    if colours_only:
        rules = page.evaluate(COLOUR_RULES, TAGS)
        assert "color-contrast" in rules, rules
        run_only = {"type": "rule", "values": rules}
    options = {"resultTypes": ["violations"], "runOnly": run_only}
    result = page.evaluate(f"() => axe.run(document, {json.dumps(options)})")
    found = []
    for v in result["violations"]:
        if v["impact"] not in SERIOUS:
            continue
        excused = [sel for rule, sel in known if rule == v["id"]]
        nodes = []
        for node in v["nodes"]:
            # a node inside a shadow root is named [host selector, selector inside it]: the host decides
            first = node["target"][0]
            host = first[0] if isinstance(first, list) else first
            if excused and page.evaluate(
                    "([t, sels]) => { const el = document.querySelector(t);"
                    " return !!el && sels.some(s => el.matches(s) || !!el.closest(s)); }", [host, excused]):
                continue
            nodes.append(" >> ".join(map(str, first)) if isinstance(first, list) else str(first))
        if nodes:
            found.append(dict(rule=v["id"], impact=v["impact"], nodes=nodes, help=v["help"]))
    return found


def describe(found: list[dict]) -> str:
    return "\n".join(f"{v['rule']} ({v['impact']}): {v['help']}: " + ", ".join(v["nodes"][:5]) for v in found)
