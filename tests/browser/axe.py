"""axe-core (installed from npm by ``make test``) run inside a page: every rule axe enables by
default (WCAG 2 A and AA, and best practices)."""

from __future__ import annotations

from pathlib import Path

AXE = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"


def violations(page, where: str) -> list[str]:
    """One line per element that breaks a rule: the rule, the page ``where`` and the node. The page's
    context needs ``bypass_csp=True`` (the script tag is added by the test, not by the app)."""
    assert AXE.exists(), f"{AXE} is missing: run `make install-test` (npm ci) first"
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.add_script_tag(path=str(AXE))      # Playwright injects it past the page's CSP
    found = page.evaluate("""() => axe.run(document, {resultTypes: ['violations']})
        .then(r => r.violations.map(v => v.nodes.map(n =>
            [v.id, n.target.join(' '), n.failureSummary.split('\\n').slice(0, 2).join(' ')])).flat())""")
    return [f"{rule} on {where}: {target} ({summary})" for rule, target, summary in found]
