"""Image analysis on small sRGB copies: perceptual hashes, colour histogram, palette, quality.

Every function here takes an already reduced image (the pipeline passes its 256 px or 640 px
derivative): hashes on a 256 px copy cost under 2 ms against hundreds on a full-size image,
and they shrink their input to 8-32 px anyway.
"""

import colorsys

import imagehash
import numpy as np
from PIL import Image

# --- Perceptual hashes ----------------------------------------------------------------------

HASH_KINDS = ("phash", "dhash", "whash", "colorhash")


def _to_signed64(value):
    """SQLite integers are signed 64-bit; a 64-bit hash is stored in two's complement."""
    return value - (1 << 64) if value >= (1 << 63) else value


def hash_to_int(image_hash):
    bits = np.asarray(image_hash.hash, dtype=bool).flatten()
    return _to_signed64(int("".join("1" if bit else "0" for bit in bits) or "0", 2))


def perceptual_hashes(image):
    """{kind: signed 64-bit int}. colorhash uses 14 x 3 bits, the others 8 x 8."""
    rgb = image.convert("RGB")
    return {
        "phash": hash_to_int(imagehash.phash(rgb)),
        "dhash": hash_to_int(imagehash.dhash(rgb)),
        "whash": hash_to_int(imagehash.whash(rgb)),
        "colorhash": hash_to_int(imagehash.colorhash(rgb, binbits=3)),
    }


def hamming(a, b):
    return ((a ^ b) & ((1 << 64) - 1)).bit_count()


# --- Colour histogram ----------------------------------------------------------------------

HUE_BINS, SATURATION_BINS, VALUE_BINS = 12, 3, 3
HISTOGRAM_SIZE = HUE_BINS * SATURATION_BINS * VALUE_BINS


def hsv_histogram(image):
    """An L1-normalised HSV histogram (12 hues x 3 saturations x 3 values) as float32.

    Hue bins are 30 degrees wide; greys fall in the low-saturation bins whatever their hue.
    """
    hsv = np.asarray(image.convert("RGB").convert("HSV"), dtype=np.uint16).reshape(-1, 3)
    h = hsv[:, 0] * HUE_BINS // 256
    s = hsv[:, 1] * SATURATION_BINS // 256
    v = hsv[:, 2] * VALUE_BINS // 256
    index = (h * SATURATION_BINS + s) * VALUE_BINS + v
    counts = np.bincount(index, minlength=HISTOGRAM_SIZE).astype(np.float32)
    return counts / max(float(counts.sum()), 1.0)


# --- Palette and colour names --------------------------------------------------------------

PALETTE_SIZE = 5
PALETTE_SAMPLE_EDGE = 64
COLOUR_NAMES = ("red", "orange", "yellow", "green", "teal", "blue", "purple", "pink", "brown",
                "black", "white", "grey", "beige")


def colour_name(rgb):
    """A plain colour word for an sRGB triple, from hue, saturation and value."""
    r, g, b = (channel / 255 for channel in rgb)
    hue, saturation, value = colorsys.rgb_to_hsv(r, g, b)
    degrees = hue * 360
    if value < 0.18:
        return "black"
    if saturation < 0.12 or (saturation < 0.2 and value < 0.5):
        return "white" if value > 0.85 else "grey"
    if 20 <= degrees < 50 and (value < 0.6 or saturation < 0.45):
        return "beige" if value > 0.7 and saturation < 0.45 else "brown"
    if degrees < 15 or degrees >= 345:
        return "brown" if value < 0.45 else "red"
    if degrees < 40:
        return "orange"
    if degrees < 70:
        return "yellow"
    if degrees < 160:
        return "green"
    if degrees < 195:
        return "teal"
    if degrees < 255:
        return "blue"
    if degrees < 290:
        return "purple"
    return "pink"


def palette(image, colours=PALETTE_SIZE):
    """The dominant colours, largest share first: [{hex, share, name}] with shares summing to ~1."""
    sample = image.convert("RGB")
    sample.thumbnail((PALETTE_SAMPLE_EDGE, PALETTE_SAMPLE_EDGE), Image.Resampling.BOX)
    quantised = sample.quantize(colors=colours, method=Image.Quantize.MEDIANCUT)
    levels = quantised.getpalette()[: colours * 3]
    counts = sorted(quantised.getcolors(colours) or [], reverse=True)
    total = sum(count for count, _ in counts) or 1
    result = []
    for count, index in counts:
        rgb = tuple(levels[index * 3: index * 3 + 3])
        result.append({"hex": "#{:02x}{:02x}{:02x}".format(*rgb), "share": round(count / total, 3),
                       "name": colour_name(rgb)})
    return result


def colour_tags(colours, min_share=0.1):
    """Distinct colour names that cover at least `min_share` of the image, for automatic tags."""
    shares = {}
    for colour in colours:
        shares[colour["name"]] = shares.get(colour["name"], 0) + colour["share"]
    return [name for name, share in sorted(shares.items(), key=lambda item: -item[1]) if share >= min_share]


# --- Quality report ------------------------------------------------------------------------

# Weights of each measure in the overall score; colourfulness counts little, because a
# monochrome drawing is not a worse picture of itself.
QUALITY_WEIGHTS = {"resolution": 0.3, "sharpness": 0.3, "exposure": 0.2, "contrast": 0.15, "colourfulness": 0.05}
PRINT_MEGAPIXELS = 4.0


def quality_report(image, width, height):
    """{score 0..1, measures, reasons} from the full size and a ~640 px copy of the image."""
    rgb = np.asarray(image.convert("RGB"), dtype=np.float32)
    luma = rgb @ np.array([0.299, 0.587, 0.114], dtype=np.float32)
    measures = {
        "megapixels": round(width * height / 1e6, 2),
        "sharpness": round(_laplacian_variance(luma), 1),
        "shadows_clipped": round(float(np.mean(luma <= 2)), 4),
        "highlights_clipped": round(float(np.mean(luma >= 253)), 4),
        "contrast": round(float(luma.std() / 255), 3),
        "colourfulness": round(_colourfulness(rgb), 1),
    }
    scores, reasons = _score(measures)
    total = sum(QUALITY_WEIGHTS[name] * value for name, value in scores.items())
    return {"score": round(total, 3), "measures": measures,
            "scores": {name: round(value, 3) for name, value in scores.items()}, "reasons": reasons}


def _laplacian_variance(luma):
    """Variance of the 4-neighbour Laplacian: low when edges are soft (blur, heavy compression)."""
    if luma.shape[0] < 3 or luma.shape[1] < 3:
        return 0.0
    lap = (luma[:-2, 1:-1] + luma[2:, 1:-1] + luma[1:-1, :-2] + luma[1:-1, 2:] - 4 * luma[1:-1, 1:-1])
    return float(lap.var())


def _colourfulness(rgb):
    """Hasler and Suesstrunk (2003): 0 for greys, above ~60 for vivid images."""
    rg = rgb[..., 0] - rgb[..., 1]
    yb = 0.5 * (rgb[..., 0] + rgb[..., 1]) - rgb[..., 2]
    return float(np.hypot(rg.std(), yb.std()) + 0.3 * np.hypot(rg.mean(), yb.mean()))


def _score(m):
    scores = {
        "resolution": min(1.0, m["megapixels"] / PRINT_MEGAPIXELS),
        "sharpness": min(1.0, m["sharpness"] / 150.0),
        "exposure": max(0.0, 1.0 - 4 * max(0.0, m["shadows_clipped"] + m["highlights_clipped"] - 0.02)),
        "contrast": min(1.0, m["contrast"] / 0.2),
        "colourfulness": min(1.0, m["colourfulness"] / 40.0),
    }
    reasons = []
    if scores["resolution"] < 1:
        reasons.append(f"Resolution is {m['megapixels']} MP; {PRINT_MEGAPIXELS:g} MP or more shows detail "
                       "on large screens and in print.")
    if scores["sharpness"] < 0.5:
        reasons.append("The image looks soft: edges are blurred or smoothed by compression.")
    if m["highlights_clipped"] > 0.05:
        reasons.append(f"{m['highlights_clipped']:.0%} of the image is pure white (blown highlights).")
    if m["shadows_clipped"] > 0.05:
        reasons.append(f"{m['shadows_clipped']:.0%} of the image is pure black (crushed shadows).")
    if scores["contrast"] < 0.5:
        reasons.append("Contrast is low: the tones are bunched together.")
    if scores["colourfulness"] < 0.25:
        reasons.append("Colours are muted or monochrome.")
    return scores, reasons
