"""Reports inside a zip attachment: which members to keep, read within limits.

Sites attach a report's tables, or the report in two formats, as a ``.zip``. ``fetch`` keeps the
archive itself out of sight (``.fetch/zip/``: it is not a report ``parse`` could read) and saves
the members that may hold a report next to the site's other files. An archive is untrusted
input: members are read only up to the size limit whatever their headers claim, encrypted or
nested archives and members of other types are listed as skipped with the reason, and member
names never leave the folder they are saved in.

>>> import io, zipfile
>>> buffer = io.BytesIO()
>>> with zipfile.ZipFile(buffer, "w") as archive:
...     archive.writestr("附件/2023年报.pdf", b"%PDF-1.4")
...     archive.writestr("说明.jpg", b"")
>>> [(m.name, m.skipped) for m in members(buffer.getvalue(), max_bytes=1024)]
[('附件/2023年报.pdf', None), ('说明.jpg', 'not a report format (.jpg)')]
"""

from __future__ import annotations

import io
import os
import zipfile
from dataclasses import dataclass

# Member types that may hold a report (a nested .zip is not unpacked).
REPORT_SUFFIXES = frozenset({".pdf", ".doc", ".docx", ".wps", ".odt", ".html", ".htm", ".txt"})
# Members looked at in one archive; the rest are listed as skipped.
MAX_MEMBERS = 200
_UTF8_FLAG = 0x800
_ENCRYPTED_FLAG = 0x1


@dataclass(frozen=True)
class Member:
    """One file of an archive: its name, and its bytes or why it was not extracted."""

    name: str
    data: bytes | None = None
    skipped: str | None = None


class NotAnArchiveError(ValueError):
    """The attachment is not a readable zip archive."""


def members(data: bytes, *, max_bytes: int) -> list[Member]:
    """Return the files of a zip archive in the order stored: extracted, or skipped with the reason.

    Raises :class:`NotAnArchiveError` when the bytes are not a zip archive that can be read.
    """
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, ValueError, EOFError) as error:
        raise NotAnArchiveError(f"not a readable zip archive ({error})") from error
    found = []
    with archive:
        files = [info for info in archive.infolist() if not info.is_dir()]
        for number, info in enumerate(files):
            name = member_name(info)
            if number >= MAX_MEMBERS:
                found.append(Member(name, skipped=f"past the first {MAX_MEMBERS} files of the archive"))
                continue
            found.append(_member(archive, info, name, max_bytes))
    return found


def _member(archive: zipfile.ZipFile, info: zipfile.ZipInfo, name: str, max_bytes: int) -> Member:
    suffix = os.path.splitext(name)[1].lower()
    if suffix == ".zip":
        return Member(name, skipped="an archive inside the archive (not unpacked)")
    if suffix not in REPORT_SUFFIXES:
        return Member(name, skipped=f"not a report format ({suffix or 'no extension'})")
    if info.flag_bits & _ENCRYPTED_FLAG:
        return Member(name, skipped="encrypted")
    too_large = f"over the size limit (more than {max_bytes} bytes)"
    if info.file_size > max_bytes:
        return Member(name, skipped=too_large)
    try:
        # The header's size may lie (a zip bomb): read one byte past the limit at most.
        with archive.open(info) as stream:
            content = stream.read(max_bytes + 1)
    except (zipfile.BadZipFile, NotImplementedError, OSError, EOFError, ValueError) as error:
        return Member(name, skipped=f"unreadable ({type(error).__name__}: {error})")
    if len(content) > max_bytes:
        return Member(name, skipped=too_large)
    return Member(name, data=content)


def member_name(info: zipfile.ZipInfo) -> str:
    """Decode a member's name: UTF-8 when flagged, else as Chinese Windows wrote it (GBK).

    Python reads unflagged names as code page 437; Chinese archives are written in GBK.
    """
    if info.flag_bits & _UTF8_FLAG:
        return info.filename
    raw = info.filename.encode("cp437")
    for encoding in ("utf-8", "gb18030"):
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError:
            continue
    return info.filename
