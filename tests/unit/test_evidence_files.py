"""Evidence files' rules without a database: what a file's bytes show it to be, what
its name may be, and how the record of the same bytes is found again."""

from __future__ import annotations

import hashlib
from email.message import Message
from email.utils import collapse_rfc2231_value

import pytest

from api.rest.evidence_files import content_disposition
from domain import errors
from domain.evidence_files import (
    EvidenceFile,
    FileRef,
    FileType,
    attached,
    check_name,
    declared_type,
    evidence_file_id,
    sniff,
)
from tenants.demo.evidence import sign_in_sheet, site_photo
from tests.unit.builders import stamp

WEBP = b"RIFF\x24\x00\x00\x00WEBPVP8 " + b"\0" * 20


@pytest.mark.parametrize(
    ("content", "kind"),
    [
        (site_photo(2, 2), FileType.PNG),
        (sign_in_sheet("签到表", []), FileType.PDF),
        (b"\xff\xd8\xff\xdb" + b"\0" * 8, FileType.JPEG),
        (WEBP, FileType.WEBP),
        (b"RIFF\x24\x00\x00\x00WAVEfmt ", None),
        (b"GIF89a", None),
        (b"<svg xmlns='http://www.w3.org/2000/svg'/>", None),
        (b"", None),
    ],
)
def test_a_file_is_what_its_leading_bytes_show(content: bytes, kind: FileType | None) -> None:
    assert sniff(content) is kind


def test_a_declared_type_is_read_without_its_parameters_and_common_aliases() -> None:
    assert declared_type("Application/PDF; charset=binary") is FileType.PDF
    assert declared_type("image/jpg") is FileType.JPEG
    for refused in ("", "text/html", "image/svg+xml", "application/octet-stream"):
        with pytest.raises(errors.UnsupportedFileType) as caught:
            declared_type(refused)
        assert caught.value.details["allowed"] == [t.value for t in FileType]


def test_a_file_name_keeps_its_characters_but_is_never_a_path() -> None:
    assert (
        check_name("2026年 第一季度 签到表（扫描件）.pdf") == "2026年 第一季度 签到表（扫描件）.pdf"
    )
    for refused in (
        "../x.pdf",
        "a/b.pdf",
        "a\\b.pdf",
        "a\nb.pdf",
        "a\x00.pdf",
        "..",
        " ",
        "x" * 201,
    ):
        with pytest.raises(errors.InvalidValue):
            check_name(refused)


def test_the_content_must_be_of_the_declared_type_and_within_the_limit() -> None:
    photo = site_photo(2, 2)
    with pytest.raises(errors.FileTypeMismatch) as caught:
        EvidenceFile.upload(stamp(), "照片.jpg", FileType.JPEG, photo, 1000)
    assert caught.value.details == {"declared": "image/jpeg", "detected": "image/png"}
    with pytest.raises(errors.EvidenceFileTooLarge):
        EvidenceFile.upload(stamp(), "照片.png", FileType.PNG, photo, len(photo) - 1)
    with pytest.raises(errors.UnsupportedFileType):
        EvidenceFile.upload(stamp(), "照片.png", FileType.PNG, b"not an image", 1000)
    file = EvidenceFile.upload(stamp(), "照片.png", FileType.PNG, photo, len(photo))
    sha = hashlib.sha256(photo).hexdigest()
    assert file.ref() == FileRef(sha, "照片.png", "image/png", len(photo))


def test_the_same_bytes_are_one_record_per_tenant() -> None:
    sha = hashlib.sha256(b"x").hexdigest()
    assert evidence_file_id("a", sha) == evidence_file_id("a", sha)
    assert evidence_file_id("a", sha) != evidence_file_id("b", sha)


def test_an_event_names_each_attached_file_once_in_the_order_given() -> None:
    one, two = (
        FileRef("1" * 64, "一.png", "image/png", 1),
        FileRef("2" * 64, "二.pdf", "application/pdf", 2),
    )
    assert [f["sha256"] for f in attached([two, one, two])] == ["2" * 64, "1" * 64]


def test_a_download_names_the_file_in_utf8_with_an_ascii_fallback() -> None:
    header = content_disposition('会议"签到表";1.pdf')
    assert header.isascii()
    parsed = Message()
    parsed["Content-Disposition"] = header
    # As a client reads it (RFC 2231/5987): the UTF-8 name, and a plain ASCII one.
    params = parsed.get_params(header="content-disposition") or []
    encoded = [value for name, value in params if name == "filename" and isinstance(value, tuple)]
    plain = [value for name, value in params if name == "filename" and isinstance(value, str)]
    assert [collapse_rfc2231_value(v) for v in encoded] == ['会议"签到表";1.pdf']
    assert plain == ["________1.pdf"]
