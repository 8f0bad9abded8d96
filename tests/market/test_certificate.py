"""Licence certificates render with or without a Unicode font on the system."""

import io

import pytest
from pypdf import PdfReader

from market import certificate


def text(**fields):
    return certificate.CertificateText(**{
        "license_id": "lic-1", "title": "“Great Wave” 北斎", "artwork_id": "w-1", "licensor": "Hokusai Studio",
        "licensee": "Zoë Müller", "status": "active", "lines": [("Usage", "editorial"), ("Fee", "250.00 EUR")],
        "verify_url": "https://easel.example/api/licenses/lic-1/verify", "issued_at": "2026-12-04", **fields})


def read(pdf):
    return " ".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)


def test_without_a_unicode_font_latin_1_stands_in(monkeypatch):
    monkeypatch.setattr(certificate, "FONT_CANDIDATES", ())
    shown = read(certificate.render(text()))
    assert '"Great Wave" ??' in shown and "Zoë Müller" in shown and "lic-1" in shown


def test_with_a_unicode_font_its_scripts_are_kept_and_the_rest_marked():
    if certificate._font_path() is None:
        pytest.skip("no DejaVu Sans on this system (Debian fonts-dejavu-core)")
    shown = read(certificate.render(text(licensee="Зоя Καλή")))
    assert "“Great Wave” ??" in shown and "Зоя Καλή" in shown
