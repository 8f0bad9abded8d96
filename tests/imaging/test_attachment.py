"""Message attachments: re-encoded, bounded, without the sender's metadata."""

import io

import pytest
from PIL import Image

import imaging
from imaging.attachment import ATTACHMENT_LONG_EDGE, reencode
from tests.conftest import encoded, image_bytes, painting


def test_a_large_photo_is_bounded_and_loses_its_exif():
    exif = Image.Exif()
    exif[0x010F] = "SecretCam"
    kept = reencode(encoded(painting(1, size=(4000, 1000)), exif=exif.tobytes()))
    assert (kept.width, kept.height, kept.mime) == (ATTACHMENT_LONG_EDGE, 512, "image/jpeg")
    assert b"SecretCam" not in kept.data
    with Image.open(io.BytesIO(kept.data)) as image:
        assert image.size == (kept.width, kept.height) and not image.getexif()


def test_transparency_keeps_png_and_opaque_png_becomes_jpeg():
    clear = reencode(image_bytes("PNG", colour=(0, 0, 255, 80), mode="RGBA"))
    opaque = reencode(encoded(painting(2).convert("RGBA"), "PNG"))  # an alpha channel, all of it opaque
    assert clear.mime == "image/png" and opaque.mime == "image/jpeg"
    with Image.open(io.BytesIO(clear.data)) as image:
        assert image.mode == "RGBA" and image.getchannel("A").getextrema()[0] < 255


def test_what_an_upload_refuses_is_refused():
    with pytest.raises(imaging.ImageRejected):
        reencode(b"GIF89a not really")
    with pytest.raises(imaging.ImageRejected):
        reencode(image_bytes()[:150])
