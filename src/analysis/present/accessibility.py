"""Check published pages for accessibility in headless Chromium: axe-core, plus reflow.

Each page is opened as in :mod:`analysis.present.browser` (closed network, scripts run), Deque's
axe-core (``config.AXE_CORE_VERSION``, installed from the npm registry by ``make axe`` and
verified against ``config.AXE_CORE_SHA256`` before use) is added with playwright's
``page.add_script_tag`` and run with the WCAG 2.0/2.1 A and AA rules
(``config.ACCESSIBILITY_TAGS``). What axe-core cannot decide (for example the colour contrast
of text that runs out of its own box, such as a table heading kept on one line) is reported as
"needs review", and counts against the page as a failure does: a page passes when there is
neither. One criterion axe-core does not test is added, **reflow** (WCAG 2.1 SC 1.4.10): with the
window ``config.REFLOW_WIDTH_PX`` CSS pixels wide, no element may run off the right of the page
unless it sits in a box that scrolls or clips sideways (a wide table in its own scrolling box is
allowed by the criterion).

Sources: axe-core API documentation (``axe.run``, options ``runOnly`` and ``resultTypes``, the
result object), https://github.com/dequelabs/axe-core/blob/develop/doc/API.md; W3C,
"Understanding Success Criterion 1.4.10: Reflow", https://www.w3.org/WAI/WCAG21/Understanding/reflow.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from analysis import config
from analysis.errors import AnalysisError, ParameterError
from analysis.present import browser

#: Columns of a check's findings: one row per element and rule.
FINDING_COLUMNS = ("page", "status", "rule", "impact", "target", "help", "help_url", "summary")
VIOLATION = "violation"
NEEDS_REVIEW = "needs review"
REFLOW_RULE = "reflow"
REFLOW_HELP = (
    "Content must fit a 320 CSS pixel wide window without scrolling sideways; "
    "a wide table or map scrolls inside its own box"
)
REFLOW_URL = "https://www.w3.org/WAI/WCAG21/Understanding/reflow.html"

# axe.run on the whole page; rows are plain objects (one per element and rule) for pandas.
_AXE_RUN = """
async ({tags}) => {
  const rows = (rules, status) => rules.flatMap(rule => rule.nodes.map(node => ({
    status, rule: rule.id, impact: node.impact || rule.impact || '', target: node.target.join(' '),
    help: rule.help, help_url: rule.helpUrl, summary: node.failureSummary || ''})));
  const result = await axe.run(document, {
    runOnly: {type: 'tag', values: tags}, resultTypes: ['violations', 'incomplete']});
  return {version: axe.version, passed: result.passes.map(rule => rule.id),
          rows: [...rows(result.violations, 'violation'), ...rows(result.incomplete, 'needs review')]};
}
"""

# The outermost elements whose right edge lies beyond the window, outside any box that scrolls or
# clips sideways (a scrolling table box, a visually hidden label), each with a CSS path.
_REFLOW = """
() => {
  const width = document.documentElement.clientWidth;
  const inBox = element => {
    for (let up = element.parentElement; up && up !== document.body; up = up.parentElement) {
      if (getComputedStyle(up).overflowX !== 'visible') return true;
    }
    return false;
  };
  const path = element => {
    const parts = [];
    for (let at = element; at && at !== document.documentElement; at = at.parentElement) {
      if (at.id) { parts.unshift('#' + CSS.escape(at.id)); break; }
      const same = Array.from(at.parentElement.children).filter(e => e.tagName === at.tagName);
      const tag = at.tagName.toLowerCase();
      parts.unshift(same.length > 1 ? `${tag}:nth-of-type(${same.indexOf(at) + 1})` : tag);
    }
    return parts.join(' > ');
  };
  const over = element => element.getBoundingClientRect().right > width + 1 && !inBox(element);
  const wide = Array.from(document.body.querySelectorAll('*')).filter(over);
  return wide.filter(e => !wide.includes(e.parentElement)).map(e => ({
    target: path(e), summary: `${Math.round(e.getBoundingClientRect().right)} px wide in a ${width} px window`}));
}
"""


@dataclass
class AccessibilityCheck:
    """What the accessibility check found on one page.

    ``findings`` has :data:`FINDING_COLUMNS`: ``status`` is ``"violation"`` (fails a rule) or
    ``"needs review"`` (axe-core could not decide); ``target`` is the element's CSS selector.
    ``rules_passed`` are the ids of the axe-core rules the page passes.
    """

    page: Path
    axe_version: str
    rules_passed: tuple[str, ...]
    findings: pd.DataFrame

    @property
    def violations(self) -> pd.DataFrame:
        """The rows that fail a rule."""
        return self.findings[self.findings["status"] == VIOLATION]

    @property
    def ok(self) -> bool:
        """True when nothing failed and nothing is left to review."""
        return self.findings.empty


def axe_script(path: str | Path | None = None) -> Path:
    """The verified ``axe.min.js``: present, and with the sha256 recorded in ``config``.

    Parameters
    ----------
    path : path, optional
        The script; default ``config.AXE_CORE_SCRIPT`` (``.venv/node``, written by ``make axe``).

    Raises
    ------
    AnalysisError
        The file is missing or is not axe-core ``config.AXE_CORE_VERSION`` (its checksum differs).
    """
    script = Path(path) if path is not None else config.AXE_CORE_SCRIPT
    hint = "Run 'make axe' (it installs axe-core from the npm registry, as pinned in package-lock.json)."
    if not script.is_file():
        raise AnalysisError(f"axe-core {config.AXE_CORE_VERSION} is not installed at {script}.", hint)
    digest = hashlib.sha256(script.read_bytes()).hexdigest()
    if digest != config.AXE_CORE_SHA256:
        raise AnalysisError(
            f"{script} is not axe-core {config.AXE_CORE_VERSION}: its sha256 is {digest}, "
            f"expected {config.AXE_CORE_SHA256} (config.AXE_CORE_SHA256).",
            hint + " Delete the file first if it was edited.",
        )
    return script


def _frame(page: Path, rows: Iterable[dict[str, Any]]) -> pd.DataFrame:
    frame = pd.DataFrame([{**row, "page": str(page)} for row in rows], columns=list(FINDING_COLUMNS))
    return frame.astype(str)


def check_page(
    browser_: Any,
    path: str | Path,
    *,
    tags: Sequence[str] = config.ACCESSIBILITY_TAGS,
    width: int = 1000,
    script: str | Path | None = None,
) -> AccessibilityCheck:
    """Check one page with axe-core at ``width`` pixels, then its reflow at 320 pixels.

    Parameters
    ----------
    browser_ : playwright Browser
        From :func:`analysis.present.browser.chromium`.
    path : path
        A local HTML file.
    tags : sequence of str
        axe-core rule tags to run (default ``config.ACCESSIBILITY_TAGS``, WCAG 2.1 A and AA).
    width : int
        Window width in CSS pixels for the axe-core run.
    script : path, optional
        ``axe.min.js`` (default: the verified ``config.AXE_CORE_SCRIPT``).

    Returns
    -------
    AccessibilityCheck
    """
    path = Path(path)
    if not path.is_file():
        raise AnalysisError(f"Cannot check {path}: no such file.", "Publish the reports first ('analysis publish').")
    if isinstance(tags, str) or not tags or not all(isinstance(tag, str) and tag for tag in tags):
        raise ParameterError(
            f"Accessibility tags must be non-empty strings, got {list(tags)!r}.",
            f"Use axe-core rule tags, e.g. {list(config.ACCESSIBILITY_TAGS)}.",
        )
    axe = axe_script(script)
    with browser.open_page(browser_, path, width) as (page, _):
        page.add_script_tag(path=str(axe))
        result = page.evaluate(_AXE_RUN, {"tags": list(tags)})
        page.set_viewport_size({"width": config.REFLOW_WIDTH_PX, "height": 900})
        wide = page.evaluate(_REFLOW)
    reflow = [
        {"status": VIOLATION, "rule": REFLOW_RULE, "impact": "serious", "help": REFLOW_HELP, "help_url": REFLOW_URL}
        | item
        for item in wide
    ]
    findings = _frame(path, [*result["rows"], *reflow]).drop_duplicates(ignore_index=True)
    return AccessibilityCheck(path, result["version"], tuple(result["passed"]), findings)


def check_pages(paths: Iterable[str | Path], **options: Any) -> list[AccessibilityCheck]:
    """Check several pages in one Chromium (options as for :func:`check_page`)."""
    paths = list(paths)
    axe_script(options.get("script"))  # before Chromium starts
    with browser.chromium() as chromium:
        return [check_page(chromium, path, **options) for path in paths]


def published_pages(reports_dir: str | Path) -> list[Path]:
    """Every published HTML page of a reports folder: ``index.html`` and each area folder's pages."""
    reports_dir = Path(reports_dir)
    index = reports_dir / "index.html"
    pages = sorted(p for p in reports_dir.glob("*/*.html") if p.is_file())
    return [index, *pages] if index.is_file() else pages


def findings_frame(checks: Iterable[AccessibilityCheck]) -> pd.DataFrame:
    """All findings of several checks in one frame (:data:`FINDING_COLUMNS`)."""
    frames = [check.findings for check in checks]
    return pd.concat(frames, ignore_index=True) if frames else _frame(Path(), [])


def describe(checks: Sequence[AccessibilityCheck], root: str | Path | None = None) -> list[str]:
    """Lines for the command line: one per page, then one per finding, paths relative to ``root``."""

    def shown(page: str | Path) -> str:
        page = Path(page)
        return str(page.relative_to(root)) if root is not None and page.is_relative_to(root) else str(page)

    lines = []
    for check in checks:
        state = "ok" if check.ok else f"{len(check.violations)} violation(s), {len(check.findings)} finding(s)"
        lines.append(f"  {shown(check.page)}: {state} ({len(check.rules_passed)} axe-core rules passed)")
        for row in check.findings.itertuples():
            lines.append(f"    {row.status}: {row.rule} ({row.impact}) at {row.target}: {row.help} [{row.help_url}]")
    return lines
