"""Exceptions. Each also subclasses the builtin a caller would catch, and names the file.

>>> issubclass(NotAReportError, ValueError)
True
"""

from __future__ import annotations


class GovReportsError(Exception):
    """Base class of every error this package raises on purpose."""


class ReadError(GovReportsError, ValueError):
    """An input that cannot be turned into a report; the message names the file and the reason."""

    stage = "read"

    def __init__(self, source: str, reason: str) -> None:
        self.source = source
        self.reason = reason
        super().__init__(f"{source}: {reason}")


class EmptyInputError(ReadError):
    """The input holds no text at all."""


class UndecodableError(ReadError):
    """The bytes are in no text encoding we recognise."""

    stage = "decode"


class NotAReportError(ReadError):
    """The text is not a government information disclosure annual report."""

    stage = "detect"


class MultipleReportsError(ReadError):
    """The file holds more than one report: a second report's title and tables follow the first's."""

    stage = "detect"


class NoTablesError(ReadError):
    """The text reads as a report but none of 表二, 表三, 表四 could be found in it."""

    stage = "tables"


class NoValuesError(ReadError):
    """The report's tables were found, but not one of their values could be read."""


class CorruptFileError(ReadError):
    """The file is damaged or truncated: its format cannot be read."""


class ProtectedFileError(ReadError):
    """The file needs a password to open (an encrypted PDF, a protected Word file)."""


class UnsupportedInputError(ReadError):
    """The input is of a kind not read here: tables in images (OCR), a spreadsheet, Strict OOXML."""


class RefusedInputError(ReadError):
    """The input was refused to protect the machine: a zip bomb, or a file over the size limit.

    Also XML that declares entities (XXE, billion laughs), nesting or a decompressed size over
    the limits, and a file whose parsing takes longer than the time budget.
    """


class TimeLimitError(RefusedInputError):
    """Parsing the file took longer than the time budget for one report."""


class UnreadableFileError(ReadError):
    """The path cannot be opened: it vanished after listing, is a broken or looping link, or is unreadable."""

    stage = "open"


class NotARegularFileError(ReadError):
    """The path is a directory, a FIFO, a socket or a device, not a file that can be read."""

    stage = "open"


class TableEngineError(ReadError):
    """A PDF table engine could not read the file, or would misread it (the message says which)."""
