"""Reading a local file with limits: regular files only, never more than the cap.

``Path.read_bytes`` trusts the file: on ``/dev/zero`` it grows memory until the machine
gives out, on a FIFO it waits forever for a writer, and a size check before it trusts
``st_size``, which a device, a FIFO or a file growing meanwhile does not honour. So the
file is opened without blocking, refused unless ``fstat`` says it is a regular file, and
read up to ``max_bytes + 1`` bytes: one byte over the cap proves it is too large, whatever
its reported size.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

from index.errors import ExtractionError

_CHUNK_BYTES = 1 << 20
_CAP_HINT = "NEWSDESK_MAX_ITEM_BYTES"


def read_file_capped(path: Path, max_bytes: int, *, name: str | None = None) -> bytes:
    """The bytes of a regular file of at most ``max_bytes``.

    Args:
        path: the file.
        max_bytes: the largest file accepted; at most one byte more is ever read.
        name: how the item is named in errors (the path as given by default).

    Raises:
        ExtractionError: not a regular file (device, FIFO, socket, folder), or over the cap.
        OSError: the file cannot be opened or read.
    """
    item = name or str(path)
    # O_NONBLOCK: opening a FIFO for reading would otherwise wait for a writer forever.
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    try:
        mode = os.fstat(fd).st_mode
        if not stat.S_ISREG(mode):
            raise ExtractionError(f"not a regular file ({_kind(mode)}), not read", item=item)
        size = os.fstat(fd).st_size
        if size > max_bytes:
            raise ExtractionError(
                f"the file is {size} bytes, over the size cap of {max_bytes} ({_CAP_HINT})",
                item=item,
            )
        chunks: list[bytes] = []
        received = 0
        while received <= max_bytes:
            chunk = os.read(fd, min(_CHUNK_BYTES, max_bytes + 1 - received))
            if not chunk:
                break
            chunks.append(chunk)
            received += len(chunk)
    finally:
        os.close(fd)
    if received > max_bytes:
        raise ExtractionError(
            f"the file is larger than the size cap of {max_bytes} bytes ({_CAP_HINT})", item=item
        )
    return b"".join(chunks)


def _kind(mode: int) -> str:
    """A plain name for a non-regular file type."""
    if stat.S_ISFIFO(mode):
        return "a FIFO"
    if stat.S_ISCHR(mode):
        return "a character device"
    if stat.S_ISBLK(mode):
        return "a block device"
    if stat.S_ISSOCK(mode):
        return "a socket"
    if stat.S_ISDIR(mode):
        return "a folder"
    return "a special file"
