"""Lay a built report (build.py) out as DOCX (A4, 公文-like: 小标宋 title, 黑体 headings, 仿宋
body — the fonts offices have), HTML (one self-contained file) or PDF (A4, Noto CJK embedded).
Renderers only lay out: every number and sentence comes from the report's data.

Refs become links when `base_url` (the dashboard's address) is known, else their ids in brackets.
"""

from __future__ import annotations

import base64
import io
import re
import unicodedata
from datetime import datetime, timezone
from functools import lru_cache
from typing import Any

from .charts import render_chart
from .fonts import SANS, SERIF, font_path
from .linebreak import break_lines

FORMATS = {"docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
           "html": "text/html; charset=utf-8", "pdf": "application/pdf"}
TITLE_FONT, HEADING_FONT, BODY_FONT = "方正小标宋简体", "黑体", "仿宋_GB2312"


def render_kept(report: dict[str, Any], fmt: str, base_url: str = "") -> bytes:
    """A stored report (Store.get_report) as a file, with its 签发 line once it is issued."""
    data = dict(report["data"])
    if report.get("issued_ts"):
        data["issued"] = {"by": report["issued_by"], "ts": report["issued_ts"]}
    return render(data, fmt, base_url)


def file_stem(data: dict[str, Any], report_id: int) -> str:
    """A file name people recognise: 廊坊市广阳区网络舆情日报-2026年11月28日-12."""
    import re

    stem = f"{data['title']}-{report_id}" if data["kind"] == "special" else f"{data['title']}-{data['subtitle']}-{report_id}"
    return re.sub(r"[\\/:*?\"<>|\s]+", "_", stem)[:120]


def ref_url(ref: dict[str, str], base_url: str) -> str:
    from urllib.parse import quote

    return f"{base_url.rstrip('/')}/{'events' if ref['type'] == 'event' else 'items'}/{quote(ref['id'], safe='')}"


def ref_text(ref: dict[str, str]) -> str:
    return f"〔{'事件 ' if ref['type'] == 'event' else ''}{ref['id']}〕" if ref["type"] == "event" else f"〔{ref['label']} {ref['id']}〕"


def fixed_time(report: dict[str, Any]) -> datetime:
    """The documents' own dates: the period's end, never the clock (the same data, the same file)."""
    return datetime.fromtimestamp(report["period"]["end_ts"], timezone.utc).replace(tzinfo=None)


# What XML 1.0 (and so DOCX) cannot hold: control characters, lone surrogates, U+FFFE/FFFF
_NOT_XML = re.compile("[^\t\n\r\u0020-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def xml_safe(value: Any) -> Any:
    """The report data with every string holdable by XML: a control character typed into an
    edit (or scraped) must not make the report's DOCX fail every time it is downloaded."""
    if isinstance(value, str):
        return _NOT_XML.sub("", value) if not value.isprintable() else value
    if isinstance(value, dict):
        return {k: xml_safe(v) for k, v in value.items()}
    if isinstance(value, list):
        return [xml_safe(v) for v in value]
    return value


@lru_cache(maxsize=1)
def _pdf_glyphs() -> frozenset[int]:
    """The code points the PDF's embedded fonts can draw (both have the same CJK coverage)."""
    from fontTools.ttLib import TTFont

    return frozenset(TTFont(str(font_path(SERIF)), lazy=True).getBestCmap())


def without_emoji(value: Any) -> Any:
    """The report data with the emoji (and their joiners and variation selectors) the PDF's
    fonts cannot draw taken out: a box in a leader's briefing reads as a fault. Other characters
    stay, drawable or not (a rare 汉字 is information)."""
    if isinstance(value, str):
        glyphs = _pdf_glyphs()
        if all(ord(c) in glyphs or c.isspace() for c in value):
            return value
        return "".join(c for c in value if ord(c) in glyphs or c.isspace() or not (
            unicodedata.category(c) in ("So", "Sk", "Cf", "Mn") or 0xFE00 <= ord(c) <= 0xFE0F or ord(c) >= 0x1F000))
    if isinstance(value, dict):
        return {k: without_emoji(v) for k, v in value.items()}
    if isinstance(value, list):
        return [without_emoji(v) for v in value]
    return value


def render(report: dict[str, Any], fmt: str, base_url: str = "") -> bytes:
    report = xml_safe(report)
    if fmt == "docx":
        return to_docx(report, base_url)
    if fmt == "html":
        return to_html(report, base_url).encode("utf-8")
    if fmt == "pdf":
        return to_pdf(without_emoji(report), base_url)
    raise ValueError(f"report formats: {', '.join(FORMATS)}")


# --- HTML ----------------------------------------------------------------------------------------

def to_html(report: dict[str, Any], base_url: str = "") -> str:
    from jinja2 import Environment, PackageLoader, select_autoescape

    env = Environment(loader=PackageLoader("yuqing", "reports/templates"), autoescape=select_autoescape(["html"]))
    return env.get_template("report.html").render(
        r=report, chart_png=lambda c: base64.b64encode(render_chart(c)).decode(),
        link=lambda ref: ref_url(ref, base_url) if base_url else None, ref_text=ref_text)


# --- DOCX ----------------------------------------------------------------------------------------

def _font(run, name: str, size_pt: float, bold: bool = False) -> None:
    from docx.oxml.ns import qn
    from docx.shared import Pt

    run.font.name = name
    run.font.size = Pt(size_pt)
    run.font.bold = bold
    rpr = run._element.get_or_add_rPr()
    rpr.get_or_add_rFonts().set(qn("w:eastAsia"), name)


def _hyperlink(paragraph, url: str, text: str) -> None:
    """python-docx has no hyperlink call: the relationship and the w:hyperlink element by hand."""
    from docx.opc.constants import RELATIONSHIP_TYPE
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    r_id = paragraph.part.relate_to(url, RELATIONSHIP_TYPE.HYPERLINK, is_external=True)
    link = OxmlElement("w:hyperlink")
    link.set(qn("r:id"), r_id)
    run = OxmlElement("w:r")
    rpr = OxmlElement("w:rPr")
    colour = OxmlElement("w:color")
    colour.set(qn("w:val"), "1F4E79")
    rpr.append(colour)
    size = OxmlElement("w:sz")
    size.set(qn("w:val"), "24")
    rpr.append(size)
    run.append(rpr)
    t = OxmlElement("w:t")
    t.text = text
    run.append(t)
    link.append(run)
    paragraph._p.append(link)


def _page_numbers(section) -> None:
    """公文 page numbers, "— 1 —" centred in the footer: a PAGE field (python-docx has no call)."""
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    p = section.footer.paragraphs[0]
    p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _font(p.add_run("— "), BODY_FONT, 14)
    run = p.add_run()
    _font(run, BODY_FONT, 14)
    for kind, text in (("begin", None), (None, "PAGE"), ("end", None)):
        if kind:
            el = OxmlElement("w:fldChar")
            el.set(qn("w:fldCharType"), kind)
        else:
            el = OxmlElement("w:instrText")
            el.set(qn("xml:space"), "preserve")
            el.text = text
        run._r.append(el)
    _font(p.add_run(" —"), BODY_FONT, 14)


def to_docx(report: dict[str, Any], base_url: str = "") -> bytes:
    from docx import Document
    from docx.enum.table import WD_TABLE_ALIGNMENT
    from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
    from docx.shared import Cm, Mm, Pt

    doc = Document()
    sec = doc.sections[0]
    sec.page_width, sec.page_height = Mm(210), Mm(297)
    sec.top_margin, sec.bottom_margin, sec.left_margin, sec.right_margin = Mm(37), Mm(35), Mm(28), Mm(26)
    _page_numbers(sec)
    props = doc.core_properties
    props.title, props.author, props.comments = report["title"], "yuqing", report["subtitle"]
    props.created = props.modified = fixed_time(report)
    props.revision = 1

    def para(text: str = "", font=BODY_FONT, size=16.0, align=None, indent=True, bold=False):
        p = doc.add_paragraph()
        fmt = p.paragraph_format
        fmt.line_spacing_rule, fmt.line_spacing = WD_LINE_SPACING.EXACTLY, Pt(28 if size >= 16 else 20)
        if indent:
            fmt.first_line_indent = Pt(size * 2)
        if align is not None:
            p.alignment = align
        if text:
            _font(p.add_run(text), font, size, bold)
        return p

    from docx.enum.text import WD_TAB_ALIGNMENT
    from docx.shared import RGBColor

    office = report.get("office")
    text_width = sec.page_width - sec.left_margin - sec.right_margin
    if office:                                   # 红头: masthead, 期号, 编发单位 and date, the red rule
        p = para("", TITLE_FONT, 36, WD_ALIGN_PARAGRAPH.CENTER, indent=False)
        run = p.add_run(office["masthead"])
        _font(run, TITLE_FONT, 36)
        run.font.color.rgb = RGBColor(0xC0, 0x00, 0x00)
        p.paragraph_format.line_spacing = Pt(48)
        para(f"{office['year']}年第{office['number']}期", BODY_FONT, 16, WD_ALIGN_PARAGRAPH.CENTER, indent=False)
        p = para(f"{office.get('office') or ''}\t{office['date']}", BODY_FONT, 14, indent=False)
        p.paragraph_format.tab_stops.add_tab_stop(text_width, WD_TAB_ALIGNMENT.RIGHT)
        _border(p, "bottom", "C00000", 18)
        para("", BODY_FONT, 10, indent=False)
    para(report["title"], TITLE_FONT, 22, WD_ALIGN_PARAGRAPH.CENTER, indent=False)
    para(report["subtitle"], BODY_FONT, 16, WD_ALIGN_PARAGRAPH.CENTER, indent=False)
    if report.get("issued") and not office:
        para(f"签发：{report['issued']['by']}", BODY_FONT, 14, WD_ALIGN_PARAGRAPH.RIGHT, indent=False)
    for section in report["sections"]:
        # a heading or a caption never ends a page: it keeps with what follows (Word's own rule)
        para(section["heading"], HEADING_FONT, 16, indent=False).paragraph_format.keep_with_next = True
        for st in section["statements"]:
            p = para(st["text"])
            for ref in st["refs"]:
                if base_url:
                    _hyperlink(p, ref_url(ref, base_url), ref_text(ref))
                else:
                    _font(p.add_run(ref_text(ref)), BODY_FONT, 12)
        for chart in section["charts"]:
            doc.add_picture(io.BytesIO(render_chart(chart)), width=Cm(15))
            doc.paragraphs[-1].alignment = WD_ALIGN_PARAGRAPH.CENTER
        for tab in section["tables"]:
            para(tab["title"], HEADING_FONT, 12, WD_ALIGN_PARAGRAPH.CENTER, indent=False).paragraph_format.keep_with_next = True
            table = doc.add_table(rows=1, cols=len(tab["columns"]))
            table.style = "Table Grid"
            table.alignment = WD_TABLE_ALIGNMENT.CENTER
            for cell, name in zip(table.rows[0].cells, tab["columns"]):
                cell.text = ""
                _font(cell.paragraphs[0].add_run(str(name)), HEADING_FONT, 10.5)
            for row in tab["rows"]:
                cells = table.add_row().cells
                for cell, value in zip(cells, row):
                    cell.text = ""
                    _font(cell.paragraphs[0].add_run("" if value is None else str(value)), BODY_FONT, 10.5)
    if office:                                   # the foot: 签发 and 抄送 between rules
        signer = (report.get("issued") or {}).get("by") or office.get("signer")
        first = para("", BODY_FONT, 10, indent=False)
        _border(first, "bottom", "000000", 6)
        first.paragraph_format.keep_with_next = True
        if signer:
            para(f"签发：{signer}", BODY_FONT, 14, indent=False).paragraph_format.keep_with_next = True
        if office.get("cc"):
            para(f"抄送：{office['cc']}", BODY_FONT, 14, indent=False).paragraph_format.keep_with_next = True
        p = para(f"{office.get('office') or ''}\t{office['date']}印发", BODY_FONT, 14, indent=False)
        p.paragraph_format.tab_stops.add_tab_stop(text_width, WD_TAB_ALIGNMENT.RIGHT)
        _border(p, "bottom", "000000", 6)
    buf = io.BytesIO()
    doc.save(buf)
    return buf.getvalue()


def _border(paragraph, side: str, colour: str, eighths_pt: int) -> None:
    """A rule under (or over) a paragraph — the 红头's red line (python-docx has no call)."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    ppr = paragraph._p.get_or_add_pPr()
    borders = ppr.find(qn("w:pBdr"))
    if borders is None:
        borders = OxmlElement("w:pBdr")
        ppr.append(borders)
    line = OxmlElement(f"w:{side}")
    for k, v in (("w:val", "single"), ("w:sz", str(eighths_pt)), ("w:space", "1"), ("w:color", colour)):
        line.set(qn(k), v)
    borders.append(line)


# --- PDF -----------------------------------------------------------------------------------------

def to_pdf(report: dict[str, Any], base_url: str = "") -> bytes:
    import logging

    from fpdf import FPDF
    from fpdf.fonts import FontFace

    logging.getLogger("fontTools").setLevel(logging.WARNING)     # it logs every glyph it keeps

    class Pages(FPDF):
        def footer(self):                      # 公文 page numbers: — 1 —
            self.set_y(-18)
            self.set_font("serif", size=11)
            self.cell(0, 8, f"— {self.page_no()} —", align="C")

    pdf = Pages(format="A4", unit="mm")
    pdf.set_margins(26, 30, 24)
    pdf.set_auto_page_break(True, 28)
    pdf.set_creation_date(fixed_time(report).replace(tzinfo=timezone.utc))
    pdf.set_title(report["title"])
    pdf.set_author("yuqing")
    pdf.set_creator("yuqing")
    pdf.set_producer("yuqing")
    pdf.add_font("serif", "", str(font_path(SERIF)))
    pdf.add_font("sans", "", str(font_path(SANS)))
    pdf.add_page()
    width = pdf.w - pdf.l_margin - pdf.r_margin

    def lines(text: str, w: float = width, hang: bool = True) -> str:
        """The text broken by 避头尾 for the current font (fpdf2 would break anywhere)."""
        return "\n".join(break_lines(text, w, pdf.get_string_width, hang))

    def room(mm: float) -> None:
        """A new page unless `mm` more fit on this one: a heading or a caption never ends a page."""
        if pdf.get_y() + mm > pdf.page_break_trigger:
            pdf.add_page()

    office = report.get("office")
    if office:                                   # 红头: masthead, 期号, 编发单位 and date, the red rule
        pdf.set_text_color(200, 0, 0)
        pdf.set_font("serif", size=30)
        pdf.multi_cell(0, 16, lines(office["masthead"]), align="C", new_x="LMARGIN", new_y="NEXT")
        pdf.set_text_color(0, 0, 0)
        pdf.set_font("serif", size=13)
        pdf.cell(0, 9, f"{office['year']}年第{office['number']}期", align="C", new_x="LMARGIN", new_y="NEXT")
        pdf.set_font("serif", size=11)
        pdf.cell(width / 2, 8, office.get("office") or "", new_x="RIGHT", new_y="TOP")
        pdf.cell(width / 2, 8, office["date"], align="R", new_x="LMARGIN", new_y="NEXT")
        pdf.set_draw_color(200, 0, 0)
        pdf.set_line_width(0.8)
        pdf.line(pdf.l_margin, pdf.get_y() + 1, pdf.l_margin + width, pdf.get_y() + 1)
        pdf.set_draw_color(0, 0, 0)
        pdf.set_line_width(0.2)
        pdf.ln(6)
    pdf.set_font("serif", size=20)
    pdf.multi_cell(0, 12, lines(report["title"]), align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("serif", size=13)
    pdf.multi_cell(0, 9, lines(report["subtitle"]), align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(4)
    for section in report["sections"]:
        room(10 + 2 * 7.5)
        pdf.set_font("sans", size=14)
        pdf.multi_cell(0, 10, lines(section["heading"]), new_x="LMARGIN", new_y="NEXT")
        for st in section["statements"]:
            pdf.set_font("serif", size=12)
            body = break_lines("　　" + st["text"], width, pdf.get_string_width)
            for line in body[:-1]:
                pdf.cell(0, 7.5, line, new_x="LMARGIN", new_y="NEXT")
            pdf.cell(pdf.get_string_width(body[-1]), 7.5, body[-1], new_x="RIGHT", new_y="TOP")
            for ref in st["refs"]:
                pdf.set_font("serif", size=9)
                # a ref goes whole onto the next line when it does not fit (it starts with 〔)
                pdf.write(7.5, ref_text(ref).replace(" ", "\u00a0"), link=ref_url(ref, base_url) if base_url else "",
                          wrapmode="WORD")
            pdf.ln(9)
        for chart in section["charts"]:
            png = render_chart(chart)
            pdf.image(io.BytesIO(png), w=width * 0.9, x=pdf.l_margin + width * 0.05)
            pdf.ln(2)
        for tab in section["tables"]:
            room(8 + 3 * 5.5 + 4)                 # the caption with the header and two rows
            pdf.set_font("sans", size=11)
            pdf.multi_cell(0, 8, lines(tab["title"]), align="C", new_x="LMARGIN", new_y="NEXT")
            pdf.set_font("serif", size=9)
            longest = [max([len(str(c))] + [len(str(r[i])) for r in tab["rows"] if i < len(r)])
                       for i, c in enumerate(tab["columns"])]
            weights = [min(max(n, 3), 30) for n in longest]
            # each cell broken by 避头尾 at its column's width (less the cell's padding)
            cols = [width * w / sum(weights) - 2.5 for w in weights]
            with pdf.table(headings_style=FontFace(family="sans", size_pt=9), line_height=5.5,
                           col_widths=tuple(weights), wrapmode="CHAR",
                           text_align="LEFT", first_row_as_headings=True) as table:
                table.row([str(c) for c in tab["columns"]])
                for row in tab["rows"]:
                    table.row(["" if v is None else lines(str(v), cols[i], hang=False) if i < len(cols) else str(v)
                               for i, v in enumerate(row)])
            pdf.ln(4)
    if office:                                   # the foot: 签发 and 抄送 between rules
        signer = (report.get("issued") or {}).get("by") or office.get("signer")
        room(30)
        pdf.ln(4)
        pdf.line(pdf.l_margin, pdf.get_y(), pdf.l_margin + width, pdf.get_y())
        pdf.set_font("serif", size=11)
        pdf.ln(1)
        if signer:
            pdf.cell(0, 8, f"签发：{signer}", new_x="LMARGIN", new_y="NEXT")
        if office.get("cc"):
            pdf.multi_cell(0, 8, lines(f"抄送：{office['cc']}"), new_x="LMARGIN", new_y="NEXT")
        pdf.cell(width / 2, 8, office.get("office") or "", new_x="RIGHT", new_y="TOP")
        pdf.cell(width / 2, 8, f"{office['date']}印发", align="R", new_x="LMARGIN", new_y="NEXT")
        pdf.line(pdf.l_margin, pdf.get_y(), pdf.l_margin + width, pdf.get_y())
    return bytes(pdf.output())
