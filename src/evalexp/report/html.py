"""Render a :class:`~evalexp.report.document.Document` as one self-contained HTML file.

The page needs nothing from the network: the CSS is inline, the figures are
SVG (text drawn as paths, no font) embedded as ``data:`` URIs, and the fonts are
the reader's system fonts. The layout is a single column of at most 56em that
reflows on a phone: below 600 px each table row becomes a small card whose cells are
labelled by their column header (``data-label``), so no table is wider than the screen; above,
a table wider than the column scrolls inside its own box, never the page. Tables and figures
carry the document's numbers (Tableau 1, Figure 1) and anchors; the table of contents links to
the sections. The print stylesheet starts each section on a new page, shows tables whole and
drops the navigation.
"""
from __future__ import annotations

import base64
from html import escape

from .document import Document, Figure, Paragraph, Section, Table

CSS = """
:root { --ink: #1d2733; --muted: #5a6675; --rule: #d5dbe3; --accent: #0072B2; }
* { box-sizing: border-box; }
html { -webkit-text-size-adjust: 100%; }
body { margin: 0; color: var(--ink); background: #fff;
       font: 16px/1.55 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif; }
main { max-width: 56em; margin: 0 auto; padding: 1.2em 1em 3em; }
header.cover { border-bottom: 3px solid var(--accent); padding: 2em 0 1.2em; margin-bottom: 1.5em; }
header.cover .kind { text-transform: uppercase; letter-spacing: .08em; color: var(--muted); font-size: .85em; }
h1 { font-size: 1.9em; line-height: 1.2; margin: .2em 0 .3em; }
.subtitle { font-size: 1.1em; color: var(--muted); margin: 0 0 1em; }
dl.cover { display: grid; grid-template-columns: max-content 1fr; gap: .2em 1em; margin: 0; }
dl.cover dt { color: var(--muted); }
dl.cover dd { margin: 0; }
aside.disclaimer { background: #f4f6fa; border-left: 4px solid var(--muted); padding: .6em 1em;
                   font-size: .9em; margin: 1em 0; }
nav.contents ol { padding-left: 1.4em; }
section { margin-top: 2.2em; }
h2 { font-size: 1.35em; border-bottom: 1px solid var(--rule); padding-bottom: .2em; }
p.lead { font-size: 1.08em; }
p.note { font-size: .85em; color: var(--muted); }
p.placeholder { background: #fff6df; border: 1px dashed #c99a2e; padding: .6em .8em; }
.table-wrap { overflow-x: auto; margin: 1em 0; max-width: 100%; }
table { border-collapse: collapse; width: 100%; font-size: .88em; font-variant-numeric: tabular-nums; }
caption { text-align: left; font-weight: 600; padding-bottom: .3em; }
th, td { padding: .35em .6em; border-bottom: 1px solid var(--rule); vertical-align: top; }
th { text-align: left; background: #f4f6fa; }
tbody th { min-width: 8em; }
td { text-align: right; }
thead th + th { text-align: right; }
figure { margin: 1.2em 0; }
figure img { display: block; width: 100%; height: auto; }
figcaption { font-size: .9em; color: var(--muted); margin-top: .3em; }
.banner { position: sticky; top: 0; z-index: 1; background: #b2182b; color: #fff; font-weight: 700;
          text-align: center; padding: .4em 1em; letter-spacing: .05em; }
footer { margin-top: 3em; font-size: .8em; color: var(--muted); }
@media (max-width: 600px) {
  body { font-size: 15px; } h1 { font-size: 1.5em; }
  dl.cover { grid-template-columns: 1fr; } dl.cover dd { margin-bottom: .4em; }
  .table-wrap table, .table-wrap tbody, .table-wrap tr, .table-wrap th, .table-wrap td { display: block; width: 100%; }
  .table-wrap caption { display: block; }
  .table-wrap thead { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); }
  .table-wrap tr { border: 1px solid var(--rule); border-radius: 4px; margin-bottom: .6em; }
  .table-wrap tbody th { border-bottom: 1px solid var(--rule); }
  .table-wrap td { display: flex; justify-content: space-between; gap: 1em; text-align: right;
                   border-bottom: 0; overflow-wrap: anywhere; }
  .table-wrap td::before { content: attr(data-label); text-align: left; color: var(--muted); flex: 1 1 50%; }
}
@media print {
  @page { size: A4; margin: 18mm 16mm; }
  body { font-size: 10.5pt; }
  main { max-width: none; padding: 0; }
  nav.contents { display: none; }
  section { break-before: page; margin-top: 0; }
  .table-wrap { overflow: visible; }
  thead { display: table-header-group; }
  figure, tr { break-inside: avoid; }
  h2, caption { break-after: avoid; }
  a { color: inherit; text-decoration: none; }
  .banner { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
}
"""


def _table(doc: Document, block: Table) -> str:
    head = "".join(f'<th scope="col">{escape(h)}</th>' for h in block.header)
    body = "".join(
        "<tr>" + "".join((f'<th scope="row">{escape(c)}</th>' if i == 0 else
                          f'<td data-label="{escape(block.header[i]) if i < len(block.header) else ""}">'
                          f"{escape(c)}</td>")
                         for i, c in enumerate(row)) + "</tr>"
        for row in block.rows)
    note = f'<p class="note">{escape(block.note)}</p>' if block.note else ""
    return (f'<div class="table-wrap" id="table-{block.number}"><table><caption>{escape(doc.caption(block))}'
            f"</caption><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table></div>{note}")


def _block(doc: Document, block: Paragraph | Table | Figure) -> str:
    if isinstance(block, Paragraph):
        return f'<p class="{block.kind}">{escape(block.text)}</p>'
    if isinstance(block, Table):
        return _table(doc, block)
    data = base64.b64encode(block.svg).decode("ascii")
    caption = escape(doc.caption(block))
    return (f'<figure id="fig-{escape(block.name)}"><img src="data:image/svg+xml;base64,{data}" '
            f'alt="{caption}" width="{round(96 * block.width_in)}" height="{round(96 * block.height_in)}">'
            f"<figcaption>{caption}</figcaption></figure>")


def _section(doc: Document, number: int, section: Section) -> str:
    blocks = "\n".join(_block(doc, b) for b in section.blocks)
    return (f'<section id="{escape(section.key)}">\n<h2>{number}. {escape(section.title)}</h2>\n'
            f"{blocks}\n</section>")


def render_html(doc: Document) -> str:
    """The whole report as a standalone HTML5 page (``lang`` from the document)."""
    cover = "".join(f"<dt>{escape(k)}</dt><dd>{escape(v)}</dd>" for k, v in doc.cover)
    toc = "".join(f'<li><a href="#{escape(s.key)}">{escape(s.title)}</a></li>' for s in doc.sections)
    sections = "\n".join(_section(doc, i, s) for i, s in enumerate(doc.sections, start=1))
    banner = f'<div class="banner" role="note">{escape(doc.banner)}</div>\n' if doc.banner else ""
    return f"""<!DOCTYPE html>
<html lang="{escape(doc.language)}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{escape(doc.title)}</title>
<style>{CSS}</style>
</head>
<body>
{banner}<main>
<header class="cover">
<div class="kind">{escape(doc.subtitle)}</div>
<h1>{escape(doc.title)}</h1>
<dl class="cover">{cover}</dl>
</header>
<aside class="disclaimer"><strong>{escape(doc.disclaimer_title)}.</strong> {escape(doc.disclaimer)}</aside>
<nav class="contents"><h2>{escape(doc.contents_title)}</h2><ol>{toc}</ol></nav>
{sections}
<footer>{escape(doc.footer)}</footer>
</main>
</body>
</html>
"""
