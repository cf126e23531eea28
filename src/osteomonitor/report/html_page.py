"""The HTML page every report is: self-contained, printable, and safe with any text in it.

A report page carries its styles and its plots inline (plots are inline SVG) and loads
nothing: the Content-Security-Policy in its head (`CSP`) forbids every fetch, script and
frame, so a page opened from a patient file can neither leak data nor run code, even if
text from a recording or a radio (a pseudonym, a device name, an exercise note) held
markup. Every such text goes through `esc` (HTML-escaped, control characters shown as
escapes by `pseudonym.printable`), never into the page raw.
"""

from __future__ import annotations

import html
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from osteomonitor import __version__
from osteomonitor.pseudonym import printable

#: The page's Content-Security-Policy: nothing may be fetched, run or framed; inline
#: styles (the page's <style> and the SVGs' own) and data: images are all it needs.
CSP = (
    "default-src 'none'; style-src 'unsafe-inline'; img-src data:; "
    "base-uri 'none'; form-action 'none'"
)

#: Page styles: A4 print with 15 mm margins, tables that break between rows, plots that
#: never split across pages. Colours are paired with words and line styles everywhere,
#: so the printout reads in monochrome.
CSS = """
@page { size: A4; margin: 15mm; }
* { box-sizing: border-box; }
body { font-family: "DejaVu Sans", "Liberation Sans", Arial, sans-serif; font-size: 10.5pt;
  color: #1b1b1b; margin: 0 auto; max-width: 190mm; padding: 8mm 0; line-height: 1.35; }
h1 { font-size: 17pt; margin: 0 0 2mm; }
h2 { font-size: 12.5pt; margin: 7mm 0 2mm; border-bottom: 1px solid #999; padding-bottom: 1mm;
  break-after: avoid; }
h3 { font-size: 11pt; margin: 4mm 0 1mm; break-after: avoid; }
p { margin: 1mm 0 2mm; }
.sub { color: #444; margin-bottom: 4mm; }
.note { color: #444; font-size: 9.5pt; }
table { border-collapse: collapse; width: 100%; margin: 1mm 0 3mm; font-size: 9pt; }
th, td { border: 1px solid #bbb; padding: 1mm 1.5mm; text-align: left; vertical-align: top; }
th { background: #eee; }
tr { break-inside: avoid; }
td.num, th.num { text-align: right; white-space: nowrap; }
#week-table { font-size: 8pt; }
#rx-table td:first-child { white-space: nowrap; width: 1%; }
#week-table th { white-space: normal; }
dl.figures { display: grid; grid-template-columns: repeat(4, 1fr); gap: 1.5mm 4mm; margin: 2mm 0; }
dl.figures div { border: 1px solid #ccc; padding: 1.5mm 2mm; break-inside: avoid; }
dl.figures dt { font-size: 8.5pt; color: #444; }
dl.figures dd { margin: 0; font-size: 12.5pt; font-weight: bold; }
figure { margin: 2mm 0 4mm; break-inside: avoid; }
figure svg { width: 100%; height: auto; display: block; }
figcaption { font-size: 9pt; color: #444; }
.status { font-weight: bold; white-space: nowrap; }
.status-met, .status-above-range { color: #1a6b2f; }
.status-below, .status-above { color: #a3290f; }
.sev-stop { color: #a3290f; font-weight: bold; }
.sev-warning { color: #8a5a00; font-weight: bold; }
.bar { border: 1px solid #777; height: 3.5mm; width: 45mm; display: inline-block;
  vertical-align: middle; }
.bar span { display: block; height: 100%; background: #4d7fb3; }
footer { margin-top: 8mm; font-size: 8.5pt; color: #555; border-top: 1px solid #ccc;
  padding-top: 2mm; }
"""


def esc(value: object) -> str:
    """Any value as HTML text: control characters escaped (`printable`), then
    `& < > " '` escaped. None is shown as "–"."""
    if value is None:
        return "–"
    return html.escape(printable(str(value)), quote=True)


@dataclass(frozen=True, slots=True)
class Cell:
    """A table cell: its text (escaped when drawn) and an optional CSS class."""

    text: object
    cls: str = ""


def table(
    header: Sequence[str],
    rows: Iterable[Sequence[object]],
    *,
    numeric: Iterable[int] = (),
    table_id: str = "",
) -> str:
    """An HTML table; every cell's text is escaped. Columns in `numeric` align right.

    A row item may be a `Cell` to carry a CSS class (statuses, severities).
    """
    nums = set(numeric)
    head = "".join(
        f'<th class="num">{esc(h)}</th>' if i in nums else f"<th>{esc(h)}</th>"
        for i, h in enumerate(header)
    )
    body = []
    for row in rows:
        tds = []
        for i, item in enumerate(row):
            cell = item if isinstance(item, Cell) else Cell(item)
            classes = " ".join(c for c in (cell.cls, "num" if i in nums else "") if c)
            attr = f' class="{classes}"' if classes else ""
            tds.append(f"<td{attr}>{esc(cell.text)}</td>")
        body.append("<tr>" + "".join(tds) + "</tr>")
    ident = f' id="{esc(table_id)}"' if table_id else ""
    return (
        f"<table{ident}><thead><tr>{head}</tr></thead><tbody>" + "".join(body) + "</tbody></table>"
    )


def figures(items: Sequence[tuple[str, str, str]]) -> str:
    """Key figures as a grid: (metric key, label, value text). The key becomes the
    item's `data-metric` attribute (tests and scripts read the values by it)."""
    parts = [
        f'<div data-metric="{esc(key)}"><dt>{esc(label)}</dt><dd>{esc(value)}</dd></div>'
        for key, label, value in items
    ]
    return '<dl class="figures">' + "".join(parts) + "</dl>"


def figure(svg: str, caption: str) -> str:
    """A plot (inline SVG made by `report.figures`, trusted markup) with its caption."""
    return f"<figure>{svg}<figcaption>{esc(caption)}</figcaption></figure>"


def section(ident: str, title: str, body: str) -> str:
    """A titled section with an id (the tests look sections up by id)."""
    return f'<section id="{esc(ident)}"><h2>{esc(title)}</h2>{body}</section>'


def paragraph(text: object, cls: str = "") -> str:
    """A paragraph of escaped text."""
    attr = f' class="{esc(cls)}"' if cls else ""
    return f"<p{attr}>{esc(text)}</p>"


def bullet_list(items: Iterable[object]) -> str:
    """An unordered list of escaped items ("" when there are none)."""
    lis = "".join(f"<li>{esc(x)}</li>" for x in items)
    return f"<ul>{lis}</ul>" if lis else ""


def page(title: str, subtitle: str, body: Sequence[str], footer: str = "") -> str:
    """The whole document: head with charset, CSP and styles; h1, subtitle, sections."""
    foot = esc(footer or f"osteomonitor {__version__}")
    return (
        "<!DOCTYPE html>\n"
        '<html lang="en"><head><meta charset="utf-8">\n'
        f'<meta http-equiv="Content-Security-Policy" content="{CSP}">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        '<meta name="referrer" content="no-referrer">\n'
        f"<title>{esc(title)}</title>\n<style>{CSS}</style></head>\n<body>\n"
        f'<h1>{esc(title)}</h1>\n<p class="sub">{esc(subtitle)}</p>\n'
        + "\n".join(body)
        + f"\n<footer>{foot}</footer>\n</body></html>\n"
    )
