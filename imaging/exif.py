"""A small, safe EXIF summary: what a collector or an artist wants to see, never the location.

GPS tags are not read at all, and derivatives are encoded without any metadata, so a location
embedded by a phone never leaves the server.
"""

from fractions import Fraction

from PIL import ExifTags

_BASE = ExifTags.Base
# field -> (IFD, tag); IFD None is the main one (IFD0), otherwise the Exif sub-IFD.
SUMMARY_TAGS = {
    "camera_make": (None, _BASE.Make),
    "camera_model": (None, _BASE.Model),
    "software": (None, _BASE.Software),
    "artist": (None, _BASE.Artist),
    "copyright": (None, _BASE.Copyright),
    "date_taken": (ExifTags.IFD.Exif, _BASE.DateTimeOriginal),
    "lens_make": (ExifTags.IFD.Exif, _BASE.LensMake),
    "lens_model": (ExifTags.IFD.Exif, _BASE.LensModel),
    "exposure_time": (ExifTags.IFD.Exif, _BASE.ExposureTime),
    "f_number": (ExifTags.IFD.Exif, _BASE.FNumber),
    "iso": (ExifTags.IFD.Exif, _BASE.ISOSpeedRatings),
    "focal_length_mm": (ExifTags.IFD.Exif, _BASE.FocalLength),
}
MAX_TEXT = 200


def summarise(exif):
    """{field: value} for the summary tags present; malformed values are skipped, not guessed."""
    try:
        sub_ifd = exif.get_ifd(ExifTags.IFD.Exif)
    except Exception:  # noqa: BLE001 - a broken sub-IFD only loses its fields
        sub_ifd = {}
    summary = {}
    for field, (ifd, tag) in SUMMARY_TAGS.items():
        raw = (sub_ifd if ifd else exif).get(tag)
        if ifd is None and raw is None:
            continue
        value = _clean(raw, field)
        if value not in (None, ""):
            summary[field] = value
    if "date_taken" not in summary and (value := _clean(exif.get(_BASE.DateTime), "date_taken")):
        summary["date_taken"] = value
    return summary


def _clean(raw, field):
    if raw is None:
        return None
    if isinstance(raw, tuple) and raw:  # ISO is sometimes a tuple of speeds
        raw = raw[0]
    if isinstance(raw, bytes):
        raw = raw.decode("utf-8", "replace")
    if isinstance(raw, str):
        text = raw.replace("\x00", "").strip()[:MAX_TEXT]
        if field == "date_taken":
            return _iso_datetime(text)
        return text
    try:
        number = float(raw)
    except (TypeError, ValueError, ZeroDivisionError):
        return None
    if number != number or number < 0:  # NaN from a zero denominator, or nonsense
        return None
    if field == "exposure_time" and 0 < number < 1:
        return f"1/{round(1 / number)}"
    if field == "exposure_time":
        return f"{Fraction(number).limit_denominator(10)}"
    return int(number) if field == "iso" else round(number, 2)


def _iso_datetime(text):
    """EXIF writes '2024:05:01 14:03:22'; answer ISO 8601, or nothing if it is not a date."""
    if len(text) >= 19 and text[4] == ":" and text[7] == ":":
        candidate = f"{text[0:4]}-{text[5:7]}-{text[8:10]}T{text[11:19]}"
        if candidate[:4].isdigit() and candidate[:4] != "0000":
            return candidate
    return None
