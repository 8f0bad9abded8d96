"""Print-on-demand products: the catalogue (products, sizes, bleed, production costs), and which
sizes an original's pixels can print.

A size is named short edge x long edge in centimetres ("30x40") and turns to the work's
orientation. A print is cut from the image's largest centred box of the product's proportions
(trim plus bleed on every side), so a work of other proportions loses its edges: `crop` says
which pixels stay. A size is offered only where that box gives at least MIN_DPI pixels per
inch; RECOMMENDED_DPI and up prints as sharp as paper shows. The print-ready file is made at
FILE_DPI, or at the box's own resolution where that is lower: the printer is never sent pixels
invented by upsampling.

Production costs are the fulfilment provider's prices in CATALOGUE_CURRENCY minor units; a
product priced in another currency is compared at the conversion table's rate.
"""

from dataclasses import dataclass

MIN_DPI = 150
RECOMMENDED_DPI = 300
FILE_DPI = 300
CM_PER_INCH = 2.54
CATALOGUE_CURRENCY = "USD"


@dataclass(frozen=True)
class Product:
    name: str
    label: str
    bleed_mm: float  # on every side; a canvas's wraps round its stretcher bars
    sizes: dict  # "30x40" -> production cost in CATALOGUE_CURRENCY minor units


CATALOGUE = {
    "fine_art_print": Product("fine_art_print", "Fine art print (giclée on cotton rag)", 3.0, {
        "20x25": 1200, "30x30": 1600, "30x40": 1900, "40x50": 2600, "50x50": 3300, "50x70": 3900,
        "60x80": 5200, "70x100": 6900}),
    "canvas": Product("canvas", "Stretched canvas, gallery wrap", 40.0, {
        "30x40": 3500, "50x50": 5500, "40x60": 4900, "60x90": 7900, "80x120": 11900}),
    "poster": Product("poster", "Poster (matte, 200 g/m²)", 3.0, {
        "21x30": 600, "30x42": 900, "42x59": 1400, "50x70": 1800, "61x91": 2500}),
}
PRODUCTS = tuple(CATALOGUE)


def size_edges(size: str) -> tuple[float, float]:
    """(short, long) in cm of a size name; KeyError-free: ValueError for a malformed name."""
    short, _, long = size.partition("x")
    edges = sorted((float(short), float(long)))
    return edges[0], edges[1]


def oriented(size: str, width_px: int, height_px: int) -> tuple[float, float]:
    """(width, height) in cm of a size turned to the image's orientation."""
    short, long = size_edges(size)
    return (short, long) if height_px >= width_px else (long, short)


def centred_crop(width_px: int, height_px: int, aspect: float) -> tuple[int, int, int, int]:
    """(left, top, width, height): the largest centred box of width/height = aspect."""
    if width_px / height_px > aspect:
        width = max(1, round(height_px * aspect))
        return (width_px - width) // 2, 0, width, height_px
    height = max(1, round(width_px / aspect))
    return 0, (height_px - height) // 2, width_px, height


@dataclass(frozen=True)
class SizeOption:
    product: str
    size: str
    width_cm: float
    height_cm: float
    bleed_mm: float
    crop: tuple[int, int, int, int]  # of the original's pixels (upright)
    dpi: int  # what the crop gives at the trimmed size plus bleed
    cost: int  # CATALOGUE_CURRENCY minor units

    @property
    def allowed(self) -> bool:
        return self.dpi >= MIN_DPI

    @property
    def recommended(self) -> bool:
        return self.dpi >= RECOMMENDED_DPI

    @property
    def printed_cm(self) -> tuple[float, float]:
        """The sheet before trimming: the size plus bleed on both sides."""
        bleed_cm = self.bleed_mm / 10
        return self.width_cm + 2 * bleed_cm, self.height_cm + 2 * bleed_cm

    @property
    def file_dpi(self) -> int:
        return min(FILE_DPI, self.dpi)

    @property
    def file_pixels(self) -> tuple[int, int]:
        width_cm, height_cm = self.printed_cm
        return (round(width_cm / CM_PER_INCH * self.file_dpi), round(height_cm / CM_PER_INCH * self.file_dpi))

    def needed_pixels(self, dpi: int = MIN_DPI) -> tuple[int, int]:
        width_cm, height_cm = self.printed_cm
        return (round(width_cm / CM_PER_INCH * dpi), round(height_cm / CM_PER_INCH * dpi))

    def kept_fraction(self, width_px: int, height_px: int) -> float:
        return self.crop[2] * self.crop[3] / (width_px * height_px)

    def limitation(self) -> str | None:
        """Why this size is not offered, or why it is not recommended, in words; None when neither."""
        needed = self.needed_pixels(MIN_DPI if not self.allowed else RECOMMENDED_DPI)
        shown = f"{self.width_cm:g}x{self.height_cm:g} cm"
        if not self.allowed:
            return (f"{shown} needs at least {needed[0]}x{needed[1]} px ({MIN_DPI} DPI with bleed); this image "
                    f"gives {self.dpi} DPI there")
        if not self.recommended:
            return f"{shown} prints at {self.dpi} DPI; {RECOMMENDED_DPI} DPI ({needed[0]}x{needed[1]} px) is sharper"
        return None


def size_option(product: str, size: str, width_px: int, height_px: int) -> SizeOption:
    """How `size` of `product` prints from an upright image of width_px x height_px."""
    spec = CATALOGUE[product]
    width_cm, height_cm = oriented(size, width_px, height_px)
    bleed_cm = spec.bleed_mm / 10
    printed = (width_cm + 2 * bleed_cm, height_cm + 2 * bleed_cm)
    crop = centred_crop(width_px, height_px, printed[0] / printed[1])
    dpi = int(min(crop[2] / (printed[0] / CM_PER_INCH), crop[3] / (printed[1] / CM_PER_INCH)))
    return SizeOption(product, size, width_cm, height_cm, spec.bleed_mm, crop, dpi, spec.sizes[size])


def size_options(product: str, width_px: int, height_px: int) -> list[SizeOption]:
    """Every catalogue size of `product`, smallest first."""
    options = [size_option(product, size, width_px, height_px) for size in CATALOGUE[product].sizes]
    return sorted(options, key=lambda option: option.width_cm * option.height_cm)


def largest_allowed(product: str, width_px: int, height_px: int) -> SizeOption | None:
    allowed = [option for option in size_options(product, width_px, height_px) if option.allowed]
    return allowed[-1] if allowed else None
