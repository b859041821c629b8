"""The print rules for the PDFs: A4, a running header and page numbers, and a matrix that fits.

These rules are injected into a *copy* of a report page just before Chromium prints it
(:mod:`reports.pdf`); the HTML page a reader opens keeps its screen layout. They live apart from
the pages' own CSS because only the PDF needs a header naming the supplier, product and verdict
on every sheet: a tender file is often read as loose pages, and a page of matrix rows that does
not say whose device it judged is worthless there.
"""

from __future__ import annotations

from dataclasses import dataclass

# Chromium 131+ lays out the CSS Paged Media margin boxes (@top-left ... @bottom-right), so the
# header and "Page N of M" come from CSS instead of Chromium's own date/URL header (turned off
# with --no-pdf-header-footer: it shows the file:// path of a temporary copy).
PAGE_RULES = """
@page{size:A4;margin:16mm 11mm 14mm 11mm;
@top-left{content:%(left)s;font:8pt system-ui,sans-serif;color:#3b4457;vertical-align:bottom;
padding-bottom:2mm}
@top-right{content:%(right)s;font:600 8pt system-ui,sans-serif;color:#1d2330;
vertical-align:bottom;padding-bottom:2mm;white-space:nowrap}
@bottom-left{content:%(footer)s;font:7pt system-ui,sans-serif;color:#566074}
@bottom-right{content:"Page " counter(page) " of " counter(pages);font:8pt system-ui,sans-serif;
color:#3b4457;white-space:nowrap}}
"""

# Rules for every printed report. Requirement IDs are never split (a reader searches the PDF
# for "STREAM-FPS-01"; "STREAM-" at a line end and "FPS-01" on the next defeats that), long
# values (URIs, hashes) may still break anywhere, and no section forces a page of its own: a
# page break before a three-line section is what made today's PDF mostly blank pages.
COMMON = """
@media print{
html{-webkit-print-color-adjust:exact;print-color-adjust:exact}
body{margin:0;font-size:8.5pt;line-height:1.25}
h1{font-size:13pt;margin:0 0 .3em} h2{font-size:11pt;margin:1em 0 .3em}
h3{font-size:9.5pt;margin:.8em 0 .2em}
h1,h2,h3{break-after:avoid;page-break-after:avoid}
.pagebreak{break-before:auto;page-break-before:auto}
table{font-size:7.5pt;margin:.3em 0} th,td{padding:.15em .3em}
thead{display:table-header-group}
tr,figure,svg,.keep{break-inside:avoid;page-break-inside:avoid}
code{word-break:normal;overflow-wrap:anywhere}
code.rid,td.rq code,.matrix tr.req>td:first-child>code,span.rid{white-space:nowrap;
word-break:keep-all;overflow-wrap:normal}
details>summary{list-style:none} details>summary::-webkit-details-marker{display:none}
.thumb{width:70px;max-width:70px}
.verdict{font-size:11pt;padding:.25em .6em}
form,#filters,.noprint,script{display:none}
p{margin:.35em 0} ul{margin:.2em 0 .4em 1.2em;padding:0}
.hash{font-size:6.5pt}
}
"""

# The requirement matrix of the statement: seven columns that used to hold ~3 rows per page.
# Give the ID column room for the longest ID on one line and the outcome column room for a
# reason naming one ("blocked by VMS-EXPORT-EVIDENCE-01": a clipped ID reads as a split one),
# and cut each claimed/measured value to two lines and three values (the HTML page and the
# CSV hold them in full; a PDF reader wants the outcome, not a SOAP reply).
MATRIX = """
@media print{
table.matrix{table-layout:fixed;width:100%}
.matrix th:nth-child(1){width:19%} .matrix th:nth-child(2){width:14%}
.matrix th:nth-child(3){width:8%} .matrix th:nth-child(4){width:17%}
.matrix th:nth-child(5){width:11%} .matrix th:nth-child(6){width:20%}
.matrix th:nth-child(7){width:11%}
.matrix td{overflow-wrap:anywhere}
.matrix td:nth-child(3),.matrix td:nth-child(4)>.o{white-space:nowrap;overflow-wrap:normal}
.matrix td:first-child code{font-size:7pt}
.matrix td .small{font-size:6.5pt}
.matrix td>div,.matrix td>div.small>div{display:-webkit-box;-webkit-box-orient:vertical;
-webkit-line-clamp:2;overflow:hidden}
.matrix td:nth-child(5)>div:nth-child(n+4),.matrix td:nth-child(6)>div:nth-child(n+4){
display:none}
.matrix .thumb{width:56px}
.matrix td:last-child{font-size:6.5pt}
}
"""

# The comparison: requirement IDs down, a column per device across.
COMPARE = """
@media print{
table.cmp,table.compare{table-layout:auto}
td.rq{white-space:nowrap}
}
"""


def css_string(text: str) -> str:
    """``text`` as a CSS string literal that cannot end the string or the <style> element.

    The supplier and product names come from the target file (and may come from a device), so
    quotes, backslashes, newlines and ``<`` are escaped as CSS hex escapes.
    """
    out = []
    for ch in text:
        if ch in '"\\<>' or ord(ch) < 0x20 or ord(ch) == 0x7F:
            out.append(f"\\{ord(ch):x} ")
        else:
            out.append(ch)
    return '"' + "".join(out) + '"'


@dataclass(frozen=True)
class RunningHeader:
    """What every printed page repeats: who (left), the verdict and date (right), a footer."""

    left: str
    right: str
    footer: str = ""

    def css(self) -> str:
        return PAGE_RULES % {
            "left": css_string(_clip(self.left, 72)),
            "right": css_string(_clip(self.right, 48)),
            "footer": css_string(_clip(self.footer, 120)),
        }


def _clip(text: str, limit: int) -> str:
    """A header line must fit one line of the margin box; a long name is cut, not wrapped."""
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def print_css(header: RunningHeader) -> str:
    """The whole print stylesheet for one page."""
    return header.css() + COMMON + MATRIX + COMPARE
