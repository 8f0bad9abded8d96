"""A licence certificate as PDF (fpdf2): the parties, the work with its thumbnail, the terms and
the licence id, with where anyone can check it.

Text is set in DejaVu Sans where the system has it (Latin, Greek, Cyrillic and more; no CJK);
without it, in the PDF core font Helvetica, which holds Latin-1 only. A character the font
lacks becomes its closest form the font has (curly quotes as straight ones, accents dropped),
or "?", so that nothing is silently left out.
"""

import io
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from fpdf import FPDF

FONT_CANDIDATES = (
    "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
    "/usr/share/fonts/dejavu/DejaVuSans.ttf",
    "/usr/local/share/fonts/DejaVuSans.ttf",
    "/Library/Fonts/DejaVuSans.ttf",
)
_LATIN_1_STANDINS = {"“": '"', "”": '"', "‘": "'", "’": "'", "–": "-", "—": "-", "…": "...", "•": "-", "×": "x"}


@dataclass(frozen=True)
class CertificateText:
    license_id: str
    title: str
    artwork_id: str | None
    licensor: str
    licensee: str
    status: str
    lines: list  # [(label, value)] of the terms
    verify_url: str
    issued_at: str


def _font_path() -> str | None:
    return next((path for path in FONT_CANDIDATES if Path(path).is_file()), None)


def _within(text: str, has) -> str:
    """`text` with each character the font lacks (has(char) is False) replaced as the module says."""
    shown = []
    for char in text:
        if not has(char):
            char = _LATIN_1_STANDINS.get(char, char)
        if not has(char):
            folded = "".join(part for part in unicodedata.normalize("NFKD", char) if not unicodedata.combining(part))
            char = folded if folded and all(has(part) for part in folded) else "?"
        shown.append(char)
    return "".join(shown)


class _Certificate(FPDF):
    def __init__(self):
        super().__init__(format="A4")
        path = _font_path()
        if path:
            self.add_font("Body", "", path)
            self.family = "Body"
            glyphs = self.fonts["body"].cmap
            self.clean = lambda text: _within(text, lambda char: ord(char) in glyphs)
        else:
            self.family = "Helvetica"
            self.clean = lambda text: _within(text, lambda char: ord(char) < 256)
        self.set_auto_page_break(auto=True, margin=18)
        self.set_margins(18, 18, 18)

    def say(self, text, size=11, height=6, align="L"):
        self.set_font(self.family, size=size)
        self.multi_cell(0, height, self.clean(text), align=align, new_x="LMARGIN", new_y="NEXT")


def render(text: CertificateText, thumbnail: bytes | None = None) -> bytes:
    """The certificate's PDF bytes. thumbnail: a JPEG or PNG of the work, drawn beside the title."""
    pdf = _Certificate()
    pdf.set_title(pdf.clean(f"Licence certificate {text.license_id}"))
    pdf.set_creator("Easel")
    pdf.add_page()
    pdf.say("Licence certificate", size=22, height=11)
    pdf.say(f"Licence {text.license_id}", size=10)
    pdf.ln(4)
    if thumbnail:
        pdf.image(io.BytesIO(thumbnail), x=pdf.l_margin, w=60)
        pdf.ln(3)
    pdf.say(f"Work: {text.title}", size=14, height=8)
    if text.artwork_id:
        pdf.say(f"Artwork id: {text.artwork_id}", size=9)
    pdf.ln(3)
    pdf.say(f"Licensor (the artist): {text.licensor}")
    pdf.say(f"Licensee: {text.licensee}")
    pdf.say(f"Status: {text.status}")
    pdf.ln(3)
    pdf.say("Terms", size=14, height=8)
    for label, value in text.lines:
        pdf.say(f"{label}: {value}")
    pdf.ln(5)
    pdf.say(f"Issued {text.issued_at}. Anyone holding this licence id can check that it is valid, and its "
            f"terms, at {text.verify_url}", size=9, height=5)
    return bytes(pdf.output())
