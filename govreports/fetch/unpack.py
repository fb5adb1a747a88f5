"""Reports inside a zip attachment: which members to keep, read within limits.

Sites attach a report's tables, or the report in two formats, as a ``.zip``. ``fetch`` keeps the
archive itself out of sight (``.fetch/zip/``: it is not a report ``parse`` could read) and saves
the members that may hold a report next to the site's other files. An archive is untrusted
input:

- an archive of more than :data:`MAX_MEMBERS` files is not unpacked, nor one whose directory
  is too large to hold only so many (checked before the directory is read);
- members are read one at a time, each up to the size limit whatever its header claims, and all
  of them together up to :data:`BUDGET` times the limit;
- encrypted members, archives inside the archive and members of other types are skipped with
  the reason; a name repeated in the archive gets its own key (``name~2``).

>>> import io, zipfile
>>> buffer = io.BytesIO()
>>> with zipfile.ZipFile(buffer, "w") as archive:
...     archive.writestr("附件/2023年报.pdf", b"%PDF-1.4")
...     archive.writestr("说明.jpg", b"")
>>> [(m.key, m.skipped) for m in members(buffer.getvalue(), max_bytes=1024)]
[('附件/2023年报.pdf', None), ('说明.jpg', 'not a report format (.jpg)')]
"""

from __future__ import annotations

import io
import os
import struct
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass

# Member types that may hold a report (a nested .zip is not unpacked).
REPORT_SUFFIXES = frozenset({".pdf", ".doc", ".docx", ".wps", ".odt", ".html", ".htm", ".txt"})
MAX_MEMBERS = 200
"""Files in one archive past which it is not unpacked (report archives hold a few)."""
BUDGET = 4
"""All the members of one archive are read up to this many times the size limit of one file."""
_UTF8_FLAG = 0x800
_ENCRYPTED_FLAG = 0x1
# End of central directory: signature, then the entry count at offset 10 (two bytes); it is in
# the last 22 bytes plus a comment of up to 65,535.
_END_RECORD = b"PK\x05\x06"
_END_SEARCH = 22 + 65_535
# The directory's entries take 46 bytes and their name, extra field and comment: a generous
# allowance for a name, so that MAX_MEMBERS fit, is the most a directory may take.
_MAX_DIRECTORY = 2 * MAX_MEMBERS * 1024
# Zip files that are documents, not archives of files: Word (OOXML), OpenDocument and OFD
# (China's standard for electronic documents).
_DOCUMENT_MEMBERS = frozenset({"[Content_Types].xml", "mimetype", "OFD.xml"})


@dataclass(frozen=True)
class Member:
    """One file of an archive: its name, its key in the archive, and its bytes or why it was not read.

    ``key`` is the name, made unique where the archive repeats it (``name~2``).
    """

    name: str
    key: str
    data: bytes | None = None
    skipped: str | None = None


class NotAnArchiveError(ValueError):
    """The attachment is not a zip archive that can be unpacked."""


def is_archive(data: bytes, name: str) -> bool:
    r"""Tell whether a download is a zip archive of files to unpack, from its content.

    A Word or OpenDocument file is a zip too, and is no archive. A zip that cannot be read is
    one when its name says so (``.zip``).

    >>> is_archive(b"%PDF-1.4", "nb.zip"), is_archive(b"PK\x03\x04 broken", "nb.zip")
    (False, True)
    """
    if not data.startswith(b"PK"):
        return False
    try:
        with _open(data) as archive:
            return _DOCUMENT_MEMBERS.isdisjoint(archive.namelist())
    except NotAnArchiveError:
        return name.lower().endswith(".zip")


def members(data: bytes, *, max_bytes: int) -> Iterator[Member]:
    """Yield the files of a zip archive in the order stored: read, or skipped with the reason.

    Raises :class:`NotAnArchiveError` (before yielding anything) when the bytes are not a zip
    archive that can be read, or it holds more than :data:`MAX_MEMBERS` files.
    """
    archive = _open(data)
    with archive:
        files = [info for info in archive.infolist() if not info.is_dir()]
        if len(files) > MAX_MEMBERS:
            raise NotAnArchiveError(
                f"an archive of {len(files)} files, more than {MAX_MEMBERS}: not unpacked"
            )
        budget = BUDGET * max_bytes
        keys: set[str] = set()
        for info in files:
            name = member_name(info)
            key, copy = name, 1
            while key in keys:
                copy += 1
                key = f"{name}~{copy}"
            keys.add(key)
            member = _member(archive, info, Member(name, key), max_bytes, budget)
            budget -= len(member.data or b"")
            yield member


def _open(data: bytes) -> zipfile.ZipFile:
    """Open a zip archive whose directory lists, and has room for, about MAX_MEMBERS entries at most.

    zipfile reads the whole directory whatever count the end record gives, so its size is
    checked too; ZIP64 archives (counts and sizes past 16 and 32 bits) are not unpacked.
    """
    end = data.rfind(_END_RECORD, max(0, len(data) - _END_SEARCH))
    if end < 0 or end + 22 > len(data):
        raise NotAnArchiveError("not a readable zip archive (no end of central directory)")
    entries, size = struct.unpack_from("<HI", data, end + 10)
    if entries > 2 * MAX_MEMBERS or size > _MAX_DIRECTORY:  # folders are entries too
        raise NotAnArchiveError(f"an archive of more than {MAX_MEMBERS} files: not unpacked")
    try:
        return zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, ValueError, EOFError, NotImplementedError) as error:
        raise NotAnArchiveError(f"not a readable zip archive ({error})") from error


def _member(
    archive: zipfile.ZipFile, info: zipfile.ZipInfo, member: Member, max_bytes: int, budget: int
) -> Member:
    suffix = os.path.splitext(member.name)[1].lower()
    if suffix == ".zip":
        return Member(member.name, member.key, skipped="an archive inside the archive (not unpacked)")
    if suffix not in REPORT_SUFFIXES:
        return Member(member.name, member.key, skipped=f"not a report format ({suffix or 'no extension'})")
    if info.flag_bits & _ENCRYPTED_FLAG:
        return Member(member.name, member.key, skipped="encrypted")
    too_large = f"over the size limit (more than {max_bytes} bytes)"
    spent = f"past the archive's budget ({BUDGET} times the size limit, spent on its other files)"
    if info.file_size > max_bytes:
        return Member(member.name, member.key, skipped=too_large)
    limit = min(max_bytes, budget)
    if info.file_size > limit:
        return Member(member.name, member.key, skipped=spent)
    try:
        # The header's size may lie (a zip bomb): read one byte past the limit at most.
        with archive.open(info) as stream:
            content = stream.read(limit + 1)
    except (zipfile.BadZipFile, NotImplementedError, OSError, EOFError, ValueError) as error:
        return Member(member.name, member.key, skipped=f"unreadable ({type(error).__name__}: {error})")
    if len(content) > limit:
        return Member(member.name, member.key, skipped=too_large if limit == max_bytes else spent)
    return Member(member.name, member.key, data=content)


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
