"""A report as Markdown or as a self-contained HTML page.

Both list, per framework, every control with its status and then its evidence: each policy
or audit check that supports it, with the resources or results behind it. Passing items are
capped per source to keep the document readable; anything not passing is always shown.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from html import escape

from baseline.report.model import Control, Framework, Item, Report, Source, Status

# Passing items listed per source before the rest is only counted (the tag policy alone
# covers every resource of a stack).
MAX_PASSING_LISTED = 20
LEGEND = {
    Status.PASS: "every piece of evidence passes",
    Status.FAIL: "some evidence fails: the control is not met",
    Status.ERROR: "a check could not run (see its reason); nothing failed",
    Status.NOT_EVALUATED: "no evidence for this control in this report",
    Status.NOT_IMPLEMENTED: "the baseline does nothing for this control of the framework",
}
COVERAGE = "coverage: the framework's controls that the baseline supports, of all of them"


def listed_items(source: Source) -> tuple[list[Item], int]:
    """What to list of a source (everything not passing, then some passing) and how many
    passing items are left out."""
    passing = [item for item in source.items if item.status is Status.PASS]
    others = [item for item in source.items if item.status is not Status.PASS]
    return others + passing[:MAX_PASSING_LISTED], max(0, len(passing) - MAX_PASSING_LISTED)


def _source_summary(source: Source) -> str:
    """What the source verifies and, when it has no evidence, why."""
    return "; ".join(part for part in (source.description, source.note) if part)


# Markdown ---------------------------------------------------------------------------------

_MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]<>|#~&])")


def md_text(text: str) -> str:
    """Free text with every character Markdown would interpret escaped."""
    return _MARKDOWN_SPECIAL.sub(r"\\\1", " ".join(text.split()))


def _md_link(url: str) -> str:
    # An autolink keeps the URL as written (no escapes); anything else stays plain text.
    if url.startswith(("https://", "http://")) and not re.search(r"[\s<>]", url):
        return f"<{url}>"
    return md_text(url)


def render_markdown(report: Report) -> str:
    lines = [
        f"# {md_text(report.title)}",
        "",
        f"Evidence: {md_text(report.basis)}",
        "",
        f"Generated: {md_text(report.generated)}",
        "",
        *(f"- **{status.value}**: {LEGEND[status]}" for status in Status),
        f"- {COVERAGE}",
        "",
        "## Summary",
        "",
        "| Framework | Version | Controls | Coverage | "
        + " | ".join(s.value for s in Status)
        + " |",
        "|---|---|---|---|" + "---|" * len(Status),
    ]
    for framework in report.frameworks:
        counts = framework.counts()
        cells = [md_text(framework.name), md_text(framework.version), str(len(framework.controls))]
        cells += [framework.coverage(), *(str(counts[status]) for status in Status)]
        lines.append("| " + " | ".join(cells) + " |")
    for framework in report.frameworks:
        lines += ["", *_markdown_framework(framework)]
    return "\n".join(lines) + "\n"


def _markdown_framework(framework: Framework) -> list[str]:
    lines = [
        f"## {md_text(framework.name)} {md_text(framework.version)}",
        "",
        f"Specification: {_md_link(framework.specification)}",
    ]
    for control in framework.controls:
        lines += ["", f"### {md_text(control.id)}: {control.status.value}", ""]
        lines += [f"*{md_text(control.title)}*", ""] if control.title else []
        lines += [line for source in control.sources for line in _markdown_source(source)]
    return lines


def _markdown_source(source: Source) -> list[str]:
    summary = _source_summary(source)
    line = f"- {source.kind} **{md_text(source.name)}**: {source.status.value}"
    lines = [f"{line} ({md_text(summary)})" if summary else line]
    items, hidden = listed_items(source)
    lines += [
        f"  - {item.status.value} {md_text(item.subject)}: {md_text(item.detail)}" for item in items
    ]
    if hidden:
        lines.append(f"  - and {hidden} more {Status.PASS.value}")
    return lines


# HTML ---------------------------------------------------------------------------------------

STYLE = """
body { font-family: system-ui, sans-serif; margin: 2rem auto; max-width: 80rem; padding: 0 1rem;
       color: #1b1f24; line-height: 1.4; }
table { border-collapse: collapse; width: 100%; margin: 1rem 0; }
th, td { border: 1px solid #d0d7de; padding: .4rem .6rem; text-align: left; vertical-align: top; }
thead th, .summary th { background: #f6f8fa; }
ul { margin: .2rem 0; padding-left: 1.2rem; }
code { font-size: .9em; }
.status { font-weight: 600; white-space: nowrap; }
.pass { color: #1a7f37; } .fail { color: #cf222e; } .error { color: #9a6700; }
.not-evaluated, .not-implemented { color: #6e7781; }
.note { color: #57606a; }
.control-title { display: block; font-weight: normal; color: #57606a; }
"""


def status_class(status: Status) -> str:
    return status.value.lower().replace(" ", "-")


def _status(status: Status) -> str:
    return f'<span class="status {status_class(status)}">{escape(status.value)}</span>'


def render_html(report: Report) -> str:
    body = [
        f"<h1>{escape(report.title)}</h1>",
        f'<p class="basis">Evidence: {escape(report.basis)}</p>',
        f"<p>Generated: {escape(report.generated)}</p>",
        '<ul class="legend">',
        *(f"<li>{_status(s)}: {escape(LEGEND[s])}</li>" for s in Status),
        f"<li>{escape(COVERAGE)}</li>",
        "</ul>",
        "<h2>Summary</h2>",
        _html_summary(report),
        *(_html_framework(framework) for framework in report.frameworks),
    ]
    return "\n".join(
        [
            "<!DOCTYPE html>",
            '<html lang="en">',
            "<head>",
            '<meta charset="utf-8">',
            f"<title>{escape(report.title)}</title>",
            f"<style>{STYLE}</style>",
            "</head>",
            "<body>",
            *body,
            "</body>",
            "</html>",
            "",
        ]
    )


def _html_summary(report: Report) -> str:
    header = "".join(f"<th>{escape(s.value)}</th>" for s in Status)
    rows = []
    for framework in report.frameworks:
        counts = framework.counts()
        cells = "".join(f"<td>{counts[s]}</td>" for s in Status)
        link = f'<a href="#{escape(_framework_id(framework))}">{escape(framework.name)}</a>'
        rows.append(
            f"<tr><td>{link}</td><td>{escape(framework.version)}</td>"
            f"<td>{len(framework.controls)}</td>"
            f'<td class="coverage">{escape(framework.coverage())}</td>{cells}</tr>'
        )
    return (
        '<table class="summary"><thead><tr><th>Framework</th><th>Version</th>'
        f"<th>Controls</th><th>Coverage</th>{header}</tr></thead>"
        f"<tbody>{''.join(rows)}</tbody></table>"
    )


def _framework_id(framework: Framework) -> str:
    return f"framework-{framework.key}"


def _html_framework(framework: Framework) -> str:
    rows = "\n".join(_html_control(framework, control) for control in framework.controls)
    return "\n".join(
        [
            f'<section id="{escape(_framework_id(framework))}" class="framework"'
            f' data-framework="{escape(framework.key)}">',
            f"<h2>{escape(framework.name)} {escape(framework.version)}</h2>",
            f"<p>Specification: {_link(framework.specification)}</p>",
            '<table class="controls"><thead><tr><th>Control</th><th>Status</th>'
            "<th>Evidence</th></tr></thead><tbody>",
            rows,
            "</tbody></table>",
            "</section>",
        ]
    )


def _link(url: str) -> str:
    # Only web links become links: a mapping file could hold any scheme.
    if url.startswith(("https://", "http://")):
        return f'<a href="{escape(url)}">{escape(url)}</a>'
    return escape(url)


def _html_control(framework: Framework, control: Control) -> str:
    sources = "".join(_html_source(source) for source in control.sources)
    title = f' <span class="control-title">{escape(control.title)}</span>' if control.title else ""
    return (
        f'<tr id="{escape(framework.key)}-{escape(control.id)}" class="control"'
        f' data-control="{escape(control.id)}">'
        f'<th scope="row">{escape(control.id)}{title}</th>'
        f'<td class="control-status">{_status(control.status)}</td>'
        f'<td><span class="title">{escape(control.title)}</span>'
        f'<ul class="sources">{sources}</ul></td></tr>'
    )


def _html_source(source: Source) -> str:
    items, hidden = listed_items(source)
    entries = [
        f'<li class="item">{_status(item.status)} <code>{escape(item.subject)}</code>: '
        f"{escape(item.detail)}</li>"
        for item in items
    ]
    if hidden:
        entries.append(f'<li class="note">and {hidden} more {escape(Status.PASS.value)}</li>')
    listing = f'<ul class="items">{"".join(entries)}</ul>' if entries else ""
    return (
        f'<li class="source" data-source="{escape(source.name)}">{_status(source.status)} '
        f"{escape(source.kind)} <code>{escape(source.name)}</code> "
        f'<span class="note">{escape(_source_summary(source))}</span>{listing}</li>'
    )


RENDERERS: dict[str, Callable[[Report], str]] = {"md": render_markdown, "html": render_html}
