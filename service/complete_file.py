"""Whether a file's bytes look whole: each format's own end marker (PDF ``%%EOF``, a zip's (OFD's) central
directory, JPEG's EOI, PNG's IEND, the XML root's end tag, the sizes BMP and WebP state). The drop folder uses
it so that a copy that stalled half-way is not taken for a finished file."""

from __future__ import annotations

import re

_XML_ROOT = re.compile(rb"<([A-Za-z_][\w.:-]*)[\s>/]")


def looks_complete(data: bytes) -> bool:
    """False when ``data`` is visibly cut off; True otherwise (a format without an end marker counts as whole)."""
    if not data:
        return True  # nothing to wait for: it is refused as empty, with its reason
    tail = data[-2048:]
    if data.startswith(b"%PDF"):
        return b"%%EOF" in tail
    if data.startswith(b"PK\x03\x04"):
        return b"PK\x05\x06" in data[-(65536 + 22) :]
    if data.startswith(b"\xff\xd8"):
        return b"\xff\xd9" in tail
    if data.startswith(b"\x89PNG"):
        return b"IEND" in tail
    if data.startswith(b"BM") and len(data) >= 6:
        return len(data) >= int.from_bytes(data[2:6], "little")
    if data.startswith(b"RIFF") and data[8:12] == b"WEBP":
        return len(data) >= int.from_bytes(data[4:8], "little") + 8
    text = data.lstrip(b"\xef\xbb\xbf \t\r\n")
    if text.startswith(b"<"):
        body = re.sub(rb"<\?.*?\?>|<!--.*?-->|<!DOCTYPE[^>]*>", b"", text[:4096], flags=re.S)
        root = _XML_ROOT.search(body)
        return root is None or data.rstrip().endswith(b"</" + root[1] + b">") or data.rstrip().endswith(b"/>")
    return True
