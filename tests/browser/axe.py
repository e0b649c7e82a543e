"""Checks run inside a page: axe-core (installed from npm by ``make test``) with every rule it
enables by default (WCAG 2 A and AA, and best practices), and what scrolls sideways on a phone."""

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


def sideways(page) -> list[str]:
    """What scrolls sideways: the page itself, or a box inside it (a table in a scrolling frame)."""
    return page.evaluate("""() => {
        const found = [];
        const name = el => `${el.tagName.toLowerCase()}${el.id ? '#' + el.id : ''}.${el.className}`;
        if (document.documentElement.scrollWidth > window.innerWidth) {
            const past = [...document.body.querySelectorAll('*')].filter(
                el => el.getBoundingClientRect().right > window.innerWidth).slice(-3).map(name);
            found.push(`the page is ${document.documentElement.scrollWidth} px wide (${past})`);
        }
        for (const el of document.querySelectorAll('main *')) {
            const overflow = getComputedStyle(el).overflowX;
            if ((overflow === 'auto' || overflow === 'scroll') && el.scrollWidth > el.clientWidth + 1)
                found.push(`${name(el)} is ${el.scrollWidth} px wide`);
        }
        return found;
    }""")
