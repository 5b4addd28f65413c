"""Files the operator names: read as UTF-8 text and written into existing folders, every failure a sentence.

Nothing here lets an OSError or a UnicodeDecodeError through: a missing file, a folder where a file was
meant, a file that cannot be read, a Latin-1 (or any non-UTF-8) file, a folder that does not exist to
write into — each is a CliError naming the file and what to do.
"""

from __future__ import annotations

import codecs
import errno
import io
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO

from bots.core.i18n import N_
from circlecart.errors import CliError
from circlecart.speech import note


def read_text(path: Path) -> str:
    """The file's text. UTF-8 (with or without a byte order mark); UTF-16 with a byte order mark is decoded
    too (YAML allows it, and spreadsheet programs write CSV so), and the CLI says it did."""
    try:
        data = path.read_bytes()
    except OSError as error:
        raise reading_error(path, error) from None
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            text = data.decode("utf-16")
        except UnicodeDecodeError:
            raise _not_utf16(path) from None
        note(N_("{path} is UTF-16 text, not UTF-8: read it as UTF-16."), path=path)
        return text
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise _not_utf8(path, data[: error.start].count(b"\n") + 1, data[error.start]) from None


def _not_utf8(path: Path, line: int, byte: int) -> CliError:
    return CliError(
        N_(
            "{path} is not UTF-8 text: line {line} has the byte 0x{byte}, as Latin-1 or Windows-1252 files "
            "do. Save it as UTF-8 and run the command again."
        ),
        path=path,
        line=line,
        byte=f"{byte:02X}",
    )


def _not_utf16(path: Path) -> CliError:
    return CliError(N_("{path} starts like UTF-16 text but is not: save it as UTF-8."), path=path)


@contextmanager
def read_lines(path: Path, *, announce: bool = True) -> Iterator[Iterator[str]]:
    """The file's lines, read and decoded as they are consumed (each keeps its line end, as csv wants), with
    the same sentences as `read_text`: a 200,000-row catalog need not sit in memory twice (bytes and text)
    to be read. `announce=False` keeps the UTF-16 note for the first of several reads of the same file."""
    try:
        handle = path.open("rb")
    except OSError as error:
        raise reading_error(path, error) from None
    with handle:
        start = handle.read(2)
        handle.seek(0)
        if start in (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE):
            if announce:
                note(N_("{path} is UTF-16 text, not UTF-8: read it as UTF-16."), path=path)
            yield _utf16_lines(path, handle)
        else:
            yield _utf8_lines(path, handle)


def _utf8_lines(path: Path, handle: IO[bytes]) -> Iterator[str]:
    # A UTF-8 sequence never contains the byte of "\n", so each line decodes on its own and a bad byte is
    # named by its line, as `read_text` names it.
    for number, data in enumerate(_binary_lines(path, handle), start=1):
        if number == 1:
            data = data.removeprefix(codecs.BOM_UTF8)
        try:
            yield data.decode("utf-8")
        except UnicodeDecodeError as error:
            raise _not_utf8(path, number, data[error.start]) from None


def _binary_lines(path: Path, handle: IO[bytes]) -> Iterator[bytes]:
    while True:
        try:
            data = handle.readline()
        except OSError as error:
            raise reading_error(path, error) from None
        if not data:
            return
        yield data


def _utf16_lines(path: Path, handle: IO[bytes]) -> Iterator[str]:
    text = io.TextIOWrapper(handle, encoding="utf-16", newline="")
    try:
        yield from text
    except UnicodeDecodeError:
        raise _not_utf16(path) from None
    finally:
        text.detach()  # the caller's `with` closes the file


def reading_error(path: Path, error: OSError) -> CliError:
    if isinstance(error, FileNotFoundError):
        if not path.parent.exists():
            return CliError(
                N_("There is no folder {folder}, so there is no file {path}."), folder=path.parent, path=path
            )
        return CliError(N_("There is no file {path}."), path=path)
    if isinstance(error, IsADirectoryError):
        return CliError(N_("{path} is a folder, not a file: name a file."), path=path)
    if isinstance(error, PermissionError):
        return CliError(N_("{path} cannot be read: permission denied."), path=path)
    return CliError(N_("{path} cannot be read: {reason}."), path=path, reason=error.strerror or error)


def writing_error(path: Path, error: OSError) -> CliError:
    if isinstance(error, FileNotFoundError) or error.errno == errno.ENOENT:
        return CliError(
            N_("There is no folder {folder} to write {path} into: create it first, or name another file."),
            folder=path.parent,
            path=path,
        )
    if isinstance(error, IsADirectoryError):
        return CliError(N_("{path} is a folder: name a file to write."), path=path)
    if isinstance(error, PermissionError):
        return CliError(N_("{path} cannot be written: permission denied."), path=path)
    return CliError(N_("{path} cannot be written: {reason}."), path=path, reason=error.strerror or error)


@contextmanager
def written(path: Path) -> Iterator[IO[str]]:
    """A text file (UTF-8, CSV-friendly newlines) that appears at `path` whole or not at all: it is written
    beside it under a temporary name and renamed once the block ends without an error, so an export that
    fails half-way leaves no truncated file that looks complete. Every failure is a sentence."""
    if path.is_dir():
        raise writing_error(path, IsADirectoryError(errno.EISDIR, "is a directory", str(path)))
    partial = path.with_name(f".{path.name}.part")
    try:
        handle = partial.open("w", encoding="utf-8", newline="")
    except OSError as error:
        raise writing_error(path, error) from None
    try:
        with handle:
            yield handle
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    try:
        partial.replace(path)
    except OSError as error:
        partial.unlink(missing_ok=True)
        raise writing_error(path, error) from None


def write_text(path: Path, text: str) -> None:
    with written(path) as handle:
        handle.write(text)
