"""Run axe-core (npm, ``node_modules/axe-core``) on a page open in Playwright, offline.

The WCAG 2.1 A and AA rules are the ones lagen (2018:1937) om tillgänglighet till digital
offentlig service asks for (through EN 301 549). axe-core is read from the checkout's
``node_modules`` and injected into the page: nothing is fetched.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from tests._browser import wait_until

ROOT = Path(__file__).resolve().parent.parent
AXE_JS = ROOT / "node_modules" / "axe-core" / "axe.min.js"
#: axe's tags for WCAG 2.0 and 2.1, levels A and AA.
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
#: axe's "best-practice" rules run as well: the page's structure that WCAG 1.3.1 and 2.4.1
#: rest on (one main landmark, all content in landmarks, a level-one heading, headings in
#: order, no empty column heading), which axe does not tag as WCAG.
STRUCTURE_RULES = [
    "region",
    "landmark-one-main",
    "landmark-unique",
    "landmark-no-duplicate-main",
    "page-has-heading-one",
    "heading-order",
    "empty-heading",
    "empty-table-header",
]

#: Run axe on the document with the WCAG tags and the extra rules, leaving out the selectors
#: given (``exclude``).
_RUN_JS = """async ([tags, extra, exclude]) => {
  const context = exclude.length ? { include: [document], exclude: exclude.map((s) => [s]) }
                                 : document;
  const rules = Object.fromEntries(extra.map((r) => [r, { enabled: true }]));
  const result = await axe.run(context, { runOnly: { type: "tag", values: tags }, rules,
                                          resultTypes: ["violations"] });
  return result.violations.map((v) => ({
    id: v.id, impact: v.impact, help: v.help,
    nodes: v.nodes.map((n) => ({ target: n.target.join(" "), summary: n.failureSummary })),
  }));
}"""


def axe_violations(page: Any, exclude: tuple[str, ...] = ()) -> list[dict[str, Any]]:
    """Return axe-core's WCAG 2.1 A/AA (and :data:`STRUCTURE_RULES`) violations on ``page``.

    ``exclude`` names CSS selectors left out of the check: each must be a third-party
    control's exact selector, with the upstream cause said where it is given.
    """
    if not AXE_JS.is_file():
        msg = f"{AXE_JS} is missing; run `npm ci` (make does this)"
        raise AssertionError(msg)
    # colours are judged as drawn: a popup fading in is lighter than it will be (its link
    # read 4.17:1 mid-fade on a phone, under load), so every transition ends first
    wait_until(
        page, "() => document.getAnimations().every(a => a.playState !== 'running')", timeout=10000
    )
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        # evaluated by the test's driver, not added as a <script>: the marking app's
        # Content-Security-Policy runs no inline script, which a script tag's text is
        page.evaluate(AXE_JS.read_text(encoding="utf-8"))
    violations: list[dict[str, Any]] = page.evaluate(
        _RUN_JS, [WCAG_TAGS, STRUCTURE_RULES, list(exclude)]
    )
    return violations


def describe(violations: list[dict[str, Any]]) -> str:
    """Return the violations one node a line: rule, impact, target and what is wrong."""
    lines = []
    for v in violations:
        for n in v["nodes"]:
            summary = " ".join(str(n["summary"]).split())
            lines.append(f"{v['id']} [{v['impact']}] {n['target']}: {v['help']} – {summary}")
    return "\n".join(lines)
