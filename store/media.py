"""Image files on disk, addressed by the SHA-256 of the uploaded bytes.

    media/originals/ab/<sha256>.<ext>          the upload, byte for byte
    media/derived/ab/<sha256>/<name>.<ext>     renditions: thumbnails, other sizes, watermarked

Identical uploads share one original and one set of renditions. Files are written atomically
(temporary file, fsync, rename), so a reader never sees half a file. Rows name files by their
path relative to the media root, so the folder can move.
"""

import errno
import os
import re
import secrets
import shutil
from pathlib import Path

# The errors of a write that found no room: the disk, or the user's quota.
DISK_FULL = frozenset({errno.ENOSPC, getattr(errno, "EDQUOT", errno.ENOSPC)})

_SHA256 = re.compile(r"^[0-9a-f]{64}$")
_NAME = re.compile(r"^[a-z0-9-]{1,40}\.[a-z0-9]{1,5}$")


class MediaStore:
    def __init__(self, root):
        self.root = Path(root)

    # --- paths ------------------------------------------------------------------------

    def original(self, sha256, extension):
        _check_sha(sha256)
        return Path("originals") / sha256[:2] / f"{sha256}.{extension}"

    def rendition(self, sha256, name):
        """Relative path of a rendition; `name` is like 'medium.webp' or 'full-wm-1a2b.jpg'."""
        _check_sha(sha256)
        if not _NAME.match(name):
            raise ValueError(f"bad rendition name {name!r}")
        return Path("derived") / sha256[:2] / sha256 / name

    def attachment(self, sha256, extension):
        """Relative path of a message's image (re-encoded, so its hash is of the kept bytes)."""
        _check_sha(sha256)
        return Path("attachments") / sha256[:2] / f"{sha256}.{extension}"

    def absolute(self, relative):
        return self.root / relative

    def exists(self, relative):
        return (self.root / relative).is_file()

    def read(self, relative):
        return (self.root / relative).read_bytes()

    # --- writing and removing ------------------------------------------------------------

    def write(self, relative, data):
        """Write atomically unless the file exists already; True if this call created it."""
        path = self.root / relative
        if path.is_file():
            return False
        path.parent.mkdir(parents=True, exist_ok=True)
        temporary = path.with_name(f".{path.name}.{secrets.token_hex(6)}.tmp")
        try:
            with open(temporary, "xb") as handle:
                handle.write(data)
                handle.flush()
                os.fsync(handle.fileno())
            os.replace(temporary, path)
        except BaseException:
            temporary.unlink(missing_ok=True)
            raise
        _fsync_directory(path.parent)
        return True

    def remove(self, relative):
        (self.root / relative).unlink(missing_ok=True)

    def remove_image(self, sha256, original):
        """The original (its relative path, as rows keep it) and every rendition of one image."""
        self.remove(original)
        shutil.rmtree(self.root / "derived" / sha256[:2] / sha256, ignore_errors=True)
        for folder in (self.root / "originals" / sha256[:2], self.root / "derived" / sha256[:2]):
            _remove_if_empty(folder)

    def files(self):
        """Every file under the root, relative (temporary files included), for audits and tests."""
        return sorted(p.relative_to(self.root) for p in self.root.rglob("*") if p.is_file())


def _check_sha(sha256):
    if not _SHA256.match(sha256):
        raise ValueError(f"not a SHA-256 hex digest: {sha256!r}")


def _fsync_directory(directory):
    """Make the rename itself durable (POSIX); a no-op where directories cannot be opened."""
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def _remove_if_empty(folder):
    try:
        folder.rmdir()
    except OSError:
        pass  # not empty, or already gone
