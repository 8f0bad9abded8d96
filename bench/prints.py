"""Print-ready files from a 12 MP original (4000 x 3000 JPEG), beside plain Pillow.

Prints figures; asserts nothing. Run with `make bench` (or `python -m bench.prints`).
- imaging.printfile.make_print_file for three products: the largest fine art print and canvas the
  pixels allow, and a small poster (decode, sRGB, crop, resample, JPEG q95 4:4:4 with the ICC
  profile and DPI);
- the peer, plain Pillow on the same pixels: open, resize to the same sheet with LANCZOS (no
  reducing_gap), save as JPEG q95 (no colour management, no crop, no profile); the ratio is ours
  over the peer's, in the same run;
- the peak resident memory of a fresh process that makes one file (the largest of the three).
BENCH_SAMPLES (default 5) sets the runs per figure.
"""

import io
import multiprocessing
import os
import resource
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import numpy as np  # noqa: E402
from PIL import Image, ImageDraw  # noqa: E402

from imaging import printfile  # noqa: E402
from market import prints  # noqa: E402

WIDTH, HEIGHT = 4000, 3000
SAMPLES = int(os.environ.get("BENCH_SAMPLES", "5"))


def original() -> bytes:
    """A 12 MP 'photograph of a painting': gradients, shapes and fine noise, so that JPEG has texture to code."""
    rng = np.random.default_rng(22)
    ramp = np.linspace(0, 1, WIDTH, dtype=np.float32)[None, :, None]
    base = (ramp * np.array([180, 90, 40], np.float32) + (1 - ramp) * np.array([30, 60, 150], np.float32))
    pixels = np.broadcast_to(base, (HEIGHT, WIDTH, 3)).copy()
    pixels += rng.normal(0, 12, pixels.shape).astype(np.float32)
    image = Image.fromarray(np.clip(pixels, 0, 255).astype(np.uint8))
    draw = ImageDraw.Draw(image)
    for _ in range(60):
        x, y = int(rng.integers(0, WIDTH)), int(rng.integers(0, HEIGHT))
        size = int(rng.integers(80, 900))
        colour = tuple(int(c) for c in rng.integers(0, 256, 3))
        draw.ellipse((x, y, x + size, y + size // 2), fill=colour)
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=92)
    return buffer.getvalue()


def median_ms(work) -> float:
    times = []
    for _ in range(SAMPLES):
        started = time.perf_counter()
        work()
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)


def plain_pillow(data: bytes, pixels: tuple[int, int]) -> bytes:
    with Image.open(io.BytesIO(data)) as image:
        sheet = image.convert("RGB").resize(pixels, Image.Resampling.LANCZOS)
    buffer = io.BytesIO()
    sheet.save(buffer, "JPEG", quality=95)
    return buffer.getvalue()


def main():
    data = original()
    print(f"original: {WIDTH} x {HEIGHT} JPEG, {len(data) / 1e6:.1f} MB; {SAMPLES} runs per figure (median)")
    cases = [prints.largest_allowed("fine_art_print", WIDTH, HEIGHT), prints.largest_allowed("canvas", WIDTH, HEIGHT),
             prints.size_option("poster", "21x30", WIDTH, HEIGHT)]
    print(f"{'product':<16}{'size':>7}{'sheet px':>13}{'DPI':>5}{'MB':>6}{'ours ms':>9}{'Pillow ms':>11}{'ratio':>7}")
    for option in cases:
        made = printfile.make_print_file(data, option.crop, option.file_pixels, option.file_dpi)
        ours = median_ms(lambda option=option: printfile.make_print_file(data, option.crop, option.file_pixels,
                                                                         option.file_dpi))
        peer = median_ms(lambda option=option: plain_pillow(data, option.file_pixels))
        sheet = f"{made.width}x{made.height}"
        print(f"{option.product:<16}{option.size:>7}{sheet:>13}{made.dpi:>5}{len(made.data) / 1e6:>6.1f}"
              f"{ours:>9.0f}{peer:>11.0f}{ours / peer:>7.2f}")
    largest = max(cases, key=lambda option: option.file_pixels[0] * option.file_pixels[1])
    with multiprocessing.get_context("spawn").Pool(1) as pool:
        baseline, peak = pool.apply(_peak_rss_mib, (data, largest))
    print(f"peak resident memory making the {largest.product} file in a fresh process: {peak:.0f} MiB "
          f"({peak - baseline:.0f} MiB above the process before it)")


def _status_mib(field):
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _peak_rss_mib(data, option):
    """(resident MiB before, peak MiB during) one file. A forked child starts with its parent's
    peak, so the peak is reset first (Linux: "5" into clear_refs)."""
    Path("/proc/self/clear_refs").write_text("5")
    baseline = _status_mib("VmRSS")
    printfile.make_print_file(data, option.crop, option.file_pixels, option.file_dpi)
    return baseline, _status_mib("VmHWM")


if __name__ == "__main__":
    main()
