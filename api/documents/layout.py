"""The GB/T 9704 frame every official document is drawn in, and its seal.

A4, a 156 × 225 mm text area (margins 37 mm top, 28 left, 26 right, 35 bottom), the
issuing organisation's mark (发文机关标志) in red, the document number (发文字号)
above a red rule, the title (标题) centred in 2号 (22 pt), the body in 3号 (16 pt)
with two-character indents, the date (成文日期) right-aligned four characters in,
and page numbers (页码) in 4号 as ``— 1 —``, right on odd pages and left on even
ones. One CJK face stands in for 小标宋 and 仿宋 (docs/documents.md says why).

The seal, small at the foot of the last page: the tenant, the log position the
document reflects, the chain hash at that position, and a QR code (with a link
annotation over it) to the verification URL.
"""

from __future__ import annotations

from dataclasses import dataclass
from xml.sax.saxutils import escape

import segno
from fpdf import FPDF
from fpdf.enums import Align, WrapMode, XPos, YPos
from fpdf.fonts import FontFace

from api.documents.contents import Content
from api.documents.fonts import CjkFont

RED = (230, 0, 0)
FACE = "cjk"
LEFT, TOP, RIGHT, BOTTOM = 28.0, 37.0, 26.0, 35.0
WIDTH = 210.0 - LEFT - RIGHT  # 156 mm
LINE = 225.0 / 22  # 22 lines to the page, as the standard counts them
INDENT = "\u3000\u3000"
CHAR = 16 * 25.4 / 72  # one 3号 character, in mm
QR_SIZE = 22.0
NO_LINE_START = frozenset("，。、；：？！）》」』〕”’%,.;:?!)")
COLOPHON = QR_SIZE + 10  # the 版记's height


@dataclass(frozen=True)
class Seal:
    """What ties a printed document to the log."""

    tenant_id: str
    position: int
    head_hash: str
    verify_url: str
    digest: str


class _Document(FPDF):
    def __init__(self, seal: Seal) -> None:
        super().__init__(orientation="P", unit="mm", format="A4")
        self.seal = seal

    def footer(self) -> None:
        self.set_text_color(0)
        self.set_font(FACE, size=14)
        number = f"— {self.page_no()} —"
        self.set_xy(LEFT + 7, 297.0 - BOTTOM + 7)
        align = Align.R if self.page_no() % 2 else Align.L
        self.cell(WIDTH - 14, 7, number, align=align)

    def colophon(self, content: Content) -> None:
        """版记 at the foot of the last page's text area, between full-width rules: who
        issued it and when, then the seal (a new page if the body left no room)."""
        bottom = 297.0 - BOTTOM
        if self.get_y() + COLOPHON > bottom:
            self.add_page()
        top = bottom - COLOPHON
        self.set_draw_color(0)
        self.set_line_width(0.35)
        self.line(LEFT, top, LEFT + WIDTH, top)
        self.line(LEFT, bottom, LEFT + WIDTH, bottom)
        self.set_line_width(0.25)
        self.line(LEFT, top + 7, LEFT + WIDTH, top + 7)
        self.set_font(FACE, size=14)
        self.set_xy(LEFT + CHAR, top + 0.5)
        self.cell(WIDTH / 2, 6, content.issuer, align=Align.L)
        self.set_xy(LEFT + WIDTH / 2, top + 0.5)
        self.cell(WIDTH / 2 - CHAR, 6, f"{content.dated}印发", align=Align.R)
        self._draw_seal(top + 8.5)

    def _draw_seal(self, top: float) -> None:
        _qr(self, self.seal.verify_url, LEFT, top, QR_SIZE)
        self.link(LEFT, top, QR_SIZE, QR_SIZE, self.seal.verify_url)
        self.set_font(FACE, size=6.5)
        self.set_xy(LEFT + QR_SIZE + 3, top)
        lines = [
            f"租户：{self.seal.tenant_id}　日志位置：{self.seal.position}",
            f"链哈希：{self.seal.head_hash}",
            f"内容摘要：{self.seal.digest}",
            f"核验：{self.seal.verify_url}",
        ]
        _lines(self, WIDTH - QR_SIZE - 3, 3, "\n".join(lines), align=Align.L)


def _lines(pdf: FPDF, width: float, height: float, text: str, align: Align) -> None:
    """Text wrapped at any character (Chinese has no spaces to wrap at), the cursor
    left at the start of the next line."""
    x = pdf.get_x()
    for line in wrap(pdf, text, width):
        # A hanging mark may run past the width: cells, unlike multi_cell, let it.
        pdf.set_x(x)
        pdf.cell(width, height, line, align=align, new_x=XPos.LMARGIN, new_y=YPos.NEXT)


def wrap(pdf: FPDF, text: str, width: float) -> list[str]:
    """Break ``text`` into lines of at most ``width`` in the current font, except that a
    closing punctuation mark never starts a line (避头点): it hangs at the end of
    the line before, as Chinese typesetting does."""
    lines: list[str] = []
    for paragraph in text.split("\n"):
        line = ""
        for ch in paragraph:
            if line and pdf.get_string_width(line + ch) > width and ch not in NO_LINE_START:
                lines.append(line)
                line = ""
            line += ch
        lines.append(line)
    return lines


def _qr(pdf: FPDF, url: str, x: float, y: float, size: float) -> None:
    """Draw the QR code as vector squares: sharp at any zoom, no image to embed."""
    code = segno.make(url, error="m", micro=False)
    matrix = [list(row) for row in code.matrix_iter(scale=1, border=0)]
    module = size / len(matrix)
    pdf.set_fill_color(0)
    for r, row in enumerate(matrix):
        for c, dark in enumerate(row):
            if dark:
                pdf.rect(x + c * module, y + r * module, module, module, style="F")


def _xmp(content: Content, seal: Seal) -> str:
    fields = {
        "tenant": seal.tenant_id,
        "position": str(seal.position),
        "headHash": seal.head_hash,
        "digest": seal.digest,
        "verify": seal.verify_url,
        "kind": content.kind,
        "record": content.record_id,
    }
    inner = "".join(f"<gj:{k}>{escape(v)}</gj:{k}>" for k, v in fields.items())
    return (
        '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">'
        '<rdf:Description rdf:about="" xmlns:gj="https://gongjian.example/ns/document/1.0/">'
        f"{inner}</rdf:Description></rdf:RDF>"
    )


def render(content: Content, seal: Seal, font: CjkFont) -> bytes:
    """The document as PDF bytes, its CJK font embedded (subset)."""
    pdf = _Document(seal)
    pdf.add_font(FACE, "", font.path, collection_font_number=font.face)
    pdf.set_margins(LEFT, TOP, RIGHT)
    pdf.c_margin = 0  # text runs to the text area's edges, as the standard counts them
    pdf.set_auto_page_break(True, BOTTOM)
    pdf.set_title(content.title)
    pdf.set_author(content.issuer)
    pdf.set_subject(f"{content.number} {content.kind} {content.record_id}")
    pdf.set_keywords(
        f"tenant={seal.tenant_id} position={seal.position} headHash={seal.head_hash} "
        f"digest={seal.digest} verify={seal.verify_url}"
    )
    pdf.set_creator("Gongjian")
    pdf.set_xmp_metadata(_xmp(content, seal))
    pdf.add_page()
    _head(pdf, content)
    _body(pdf, content)
    pdf.colophon(content)
    return bytes(pdf.output())


def _head(pdf: FPDF, content: Content) -> None:
    """发文机关标志 in red, 发文字号, the red rule, then the title."""
    pdf.set_text_color(*RED)
    pdf.set_font(FACE, size=30)
    _lines(pdf, WIDTH, 14, f"{content.issuer}文件", align=Align.C)
    pdf.ln(LINE)
    pdf.set_text_color(0)
    pdf.set_font(FACE, size=16)
    pdf.cell(WIDTH, LINE, content.number, align=Align.C, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    rule = pdf.get_y() + 4
    pdf.set_draw_color(*RED)
    pdf.set_line_width(0.7)
    pdf.line(LEFT, rule, LEFT + WIDTH, rule)
    pdf.set_y(rule + LINE)
    pdf.set_font(FACE, size=22)
    _lines(pdf, WIDTH, 12, content.title, align=Align.C)
    pdf.ln(LINE / 2)


def _body(pdf: FPDF, content: Content) -> None:
    pdf.set_font(FACE, size=16)
    if content.recipients:
        _lines(pdf, WIDTH, LINE, content.recipients, align=Align.L)
    for paragraph in content.paragraphs:
        _lines(pdf, WIDTH, LINE, INDENT + paragraph, align=Align.L)
    if content.table:
        _table(pdf, content)
    pdf.ln(LINE)
    # 成文日期 (and the issuer above it) end four characters in from the right, both on
    # one page.
    if pdf.get_y() + 2 * LINE > 297.0 - BOTTOM:
        pdf.add_page()
    for line in (content.issuer, content.dated):
        _lines(pdf, WIDTH - 4 * CHAR, LINE, line, align=Align.R)


def _table(pdf: FPDF, content: Content) -> None:
    pdf.ln(LINE / 3)
    pdf.set_font(FACE, size=14)
    pdf.set_draw_color(0)
    pdf.set_line_width(0.3)
    with pdf.table(
        col_widths=(60, 50, 46),
        line_height=LINE,
        text_align=(Align.L, Align.C, Align.C),
        wrapmode=WrapMode.CHAR,
        padding=(0, 1.5),
        first_row_as_headings=True,
        # One face, no bold: the heading row is told apart by its shading.
        headings_style=FontFace(emphasis="", fill_color=(235, 235, 235)),
    ) as table:
        for cells in [content.table_head, *content.table]:
            row = table.row()
            for value in cells:
                row.cell(value)
    pdf.set_font(FACE, size=16)
