"""The cores of one machine, shared by a server's processes (``KB_WORKERS``): who is encoding now.

Each process encodes its questions on torch threads of its own (``index/batching.py``). A lone
question is fastest on every core, but two processes that each run a question on every core at
the same moment stall one another at each of the model's parallel steps. Alone, a process would
have to assume the worst and keep to its share (cores ÷ processes), which makes a lone question
slower than it need be.

So the processes say, through a few bytes of a shared file, when they are encoding: one byte
per process, 1 while it encodes. A process claims its byte with an exclusive lock on a slot file,
which the operating system releases when the process dies, so a killed process never leaves its
byte set for ever: the process that takes its slot clears it. Reading the bytes is racy by
design; a process that starts to encode just after another read them costs one question on one
core too many, once.
"""

from __future__ import annotations

import contextlib
import fcntl
import logging
import mmap
import os
from pathlib import Path
from typing import IO

log = logging.getLogger("kb.cores")


class CoreShare:
    def __init__(self, folder: Path, slots: int) -> None:
        """Claim one of ``slots`` bytes in ``folder`` (``OSError`` when the folder is unusable).

        With every slot taken (more processes on the data dir than ``slots``, e.g. two servers)
        this process has no byte: it reads the others' but is invisible to them.
        """
        folder.mkdir(parents=True, exist_ok=True)
        fd = os.open(folder / "busy", os.O_RDWR | os.O_CREAT, 0o644)
        try:
            if os.fstat(fd).st_size < slots:
                os.ftruncate(fd, slots)  # the new bytes are zero; two processes may both do it
            self._bytes = mmap.mmap(fd, slots)
        finally:
            os.close(fd)
        self._slots = slots
        self._lock: IO[str] | None = None
        self.slot: int | None = None
        for slot in range(slots):
            fh = open(folder / f"slot-{slot}.lock", "w")  # noqa: SIM115 - held for the process's life
            try:
                fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                fh.close()
                continue
            self._lock, self.slot = fh, slot
            self._bytes[slot] = 0  # whatever a dead process left
            break
        if self.slot is None:
            log.warning("all %d encoder slots in %s are taken; this process's encoding is not counted", slots, folder)

    def encoding(self, busy: bool) -> None:
        if self.slot is not None:
            self._bytes[self.slot] = 1 if busy else 0

    def others_encoding(self) -> int:
        """How many other processes are encoding now."""
        busy = sum(self._bytes[:self._slots])
        return busy - (self._bytes[self.slot] if self.slot is not None else 0)

    def close(self) -> None:
        self.encoding(False)
        with contextlib.suppress(ValueError, BufferError):
            self._bytes.close()
        if self._lock is not None:
            self._lock.close()  # releases the slot
            self._lock = None
