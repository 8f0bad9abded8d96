"""Images attached to messages: validated and decoded as uploads are, then re-encoded at most
2048 px on the long edge, so nothing of the sender's file (EXIF, GPS, ICC, trailing bytes)
reaches the other members."""

from dataclasses import dataclass

from .decode import DEFAULT_MAX_PIXELS, decode
from .derivatives import SIZES, encode, resize

ATTACHMENT_LONG_EDGE = SIZES["xlarge"]


@dataclass(frozen=True)
class Attachment:
    data: bytes
    mime: str
    extension: str
    width: int
    height: int


def reencode(data: bytes, *, max_pixels: int = DEFAULT_MAX_PIXELS) -> Attachment:
    """The attachment as it is kept and served: PNG where the image has transparency, else JPEG.
    Raises imaging.ImageRejected for what an upload would refuse."""
    decoded = decode(data, max_pixels=max_pixels, long_edge=ATTACHMENT_LONG_EDGE, admit=True)
    image = resize(decoded.image, ATTACHMENT_LONG_EDGE)
    if image.mode == "RGBA" and image.getchannel("A").getextrema()[0] < 255:
        return Attachment(encode(image, "png"), "image/png", "png", *image.size)
    return Attachment(encode(image, "jpeg"), "image/jpeg", "jpg", *image.size)
