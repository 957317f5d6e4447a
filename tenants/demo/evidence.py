"""Demo evidence files, made in code: a scanned sign-in sheet (a one-page PDF) and a
site photo (a PNG), small and valid, so that no binary sits in the repository."""

from __future__ import annotations

import struct
import zlib

from domain.evidence_files import FileType
from domain.stamp import Stamp
from tenants.commands.ledger import Ledger


def sign_in_sheet(title: str, attendees: list[str]) -> bytes:
    """A one-page PDF sign-in sheet (签到表): the title and one line per attendee, in
    the standard Chinese font every PDF reader knows (STSong-Light, not embedded)."""
    lines = [(title, 20, 780)] + [
        (f"{n}. {name}", 14, 730 - 28 * n) for n, name in enumerate(attendees, start=1)
    ]
    text = "".join(
        f"BT /F1 {size} Tf 72 {y} Td <{line.encode('utf-16-be').hex().upper()}> Tj ET\n"
        for line, size, y in lines
    ).encode()
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] "
        b"/Resources << /Font << /F1 4 0 R >> >> /Contents 6 0 R >>",
        b"<< /Type /Font /Subtype /Type0 /BaseFont /STSong-Light /Encoding /UniGB-UCS2-H "
        b"/DescendantFonts [5 0 R] >>",
        b"<< /Type /Font /Subtype /CIDFontType0 /BaseFont /STSong-Light "
        b"/CIDSystemInfo << /Registry (Adobe) /Ordering (GB1) /Supplement 2 >> >>",
        b"<< /Length %d >>\nstream\n" % len(text) + text + b"endstream",
    ]
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    return bytes(out)


def site_photo(width: int = 96, height: int = 64) -> bytes:
    """A PNG "photo" of a finished site: a sky-to-ground gradient."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
        )

    rows = b"".join(
        b"\x00"
        + bytes(
            channel
            for x in range(width)
            for channel in (
                (90 + y * 2) % 256,
                (150 + x) % 256,
                (230 - y * 3) % 256,
            )
        )
        for y in range(height)
    )
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(rows, 9))
        + chunk(b"IEND", b"")
    )


def upload_report_evidence(
    ledger: Ledger, stamp: Stamp, title: str, attendees: list[str]
) -> list[str]:
    """Upload the sign-in sheet of a site acceptance and a photo of the site; return
    their SHA-256 digests, to attach to an execution report."""
    sheet = ledger.upload_evidence_file(
        stamp, "现场验收签到表.pdf", FileType.PDF, sign_in_sheet(title, attendees)
    )
    photo = ledger.upload_evidence_file(stamp, "完工现场照片.png", FileType.PNG, site_photo())
    return [str(sheet.extra["sha256"]), str(photo.extra["sha256"])]
