"""The cores of one machine, shared by a server's processes (``KB_WORKERS``): who is encoding now.

Each process encodes its questions on torch threads of its own (``index/batching.py``). A lone
question is fastest on every core, but two processes that each run a question on every core at
the same moment stall one another at each of the model's parallel steps. Alone, a process would
have to assume the worst and keep to its share (cores ÷ processes), which makes a lone question
slower than it need be.

So the processes say, through a shared file, when they encode: one slot per process, holding
"encoding now" or the (monotonic, machine-wide) time its last encode ended. Another process counts
as encoding while it encodes and for ``RECENT`` seconds after. Under load a process's encodes
follow one another a few milliseconds apart, so both processes see each other busy all the time
and keep to one core each; a flag that only said "encoding now" flickered between batches, and
the two processes' torch threads on every core then stalled one another (at concurrency 8, 90
searches/s against 141 with one core each, MiniLM on two cores). A lone client on a kept-alive
connection always reaches the same process, which finds the other idle and takes every core.

A process claims its slot with an exclusive lock on a slot file, which the operating system
releases when the process dies, so a killed process never counts as encoding for ever: a reader
that finds a slot "encoding now" for longer than ``CHECK_AFTER`` tries its lock, and clears the
slot when it gets it. Reading the slots is racy by design; a process that starts to encode just
after another read them costs one question on one core too many, once.

The table has room for more processes than one server runs (``TABLE_SLOTS``): two servers on one
data dir (a blue/green switch) and the replacements uvicorn starts on SIGHUP while the processes
they replace still run all count, so none of them takes every core while another encodes.
"""

from __future__ import annotations

import contextlib
import fcntl
import logging
import math
import mmap
import os
import struct
import time
from pathlib import Path
from typing import IO

log = logging.getLogger("kb.cores")

RECENT = 0.05  # seconds after its last encode that another process still counts as encoding
CLAIM_RETRY = 1.0  # seconds between a slotless process's tries to take a slot that has been freed
# Slots in the shared table, whatever one server's KB_WORKERS: room for a second server on the same
# data dir and for SIGHUP's replacements. Reading them all is a few microseconds per encode.
TABLE_SLOTS = 32
# How long a slot may say "encoding now" before a reader checks that its process is alive (an
# encode takes milliseconds; a process killed in the middle of one leaves the mark behind).
CHECK_AFTER = 1.0
_SLOT = struct.Struct("<d")  # per process: math.inf while encoding, else when its last encode ended
_IDLE = -math.inf  # never encoded (or dead)


class CoreShare:
    def __init__(self, folder: Path, slots: int = TABLE_SLOTS) -> None:
        """Claim one of at least ``slots`` slots in ``folder`` (``OSError`` when the folder is unusable).

        With every slot taken (more than ``TABLE_SLOTS`` processes on the data dir) this process
        has none: it reads the others' but is invisible to them until a slot is freed, which it
        takes at its next encode (at most one try every ``CLAIM_RETRY`` seconds).
        """
        folder.mkdir(parents=True, exist_ok=True)
        slots = max(slots, TABLE_SLOTS)
        size = slots * _SLOT.size
        fd = os.open(folder / "encoding", os.O_RDWR | os.O_CREAT, 0o644)
        try:
            if os.fstat(fd).st_size < size:
                os.ftruncate(fd, size)  # zero bytes: time 0.0, long ago; two processes may both do it
            self._bytes = mmap.mmap(fd, size)
        finally:
            os.close(fd)
        self._slots = slots
        self._folder = folder
        self._lock: IO[str] | None = None
        self.slot: int | None = None
        self._claimed_at = time.monotonic()
        self._busy_since: dict[int, float] = {}  # other slots seen "encoding now", and since when
        if not self._claim():
            log.warning("all %d encoder slots in %s are taken; this process's encoding is not counted "
                        "until one is freed", slots, folder)

    def _claim(self) -> bool:
        self._claimed_at = time.monotonic()
        for slot in range(self._slots):
            fh = open(self._folder / f"slot-{slot}.lock", "w")  # noqa: SIM115 - held for the process's life
            try:
                fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                fh.close()
                continue
            self._lock, self.slot = fh, slot
            self._set(_IDLE)  # whatever a dead process left
            return True
        return False

    def encoding(self, busy: bool) -> None:
        if self.slot is None and time.monotonic() - self._claimed_at >= CLAIM_RETRY:
            with contextlib.suppress(OSError):
                if self._claim():
                    log.info("took encoder slot %d in %s, which another process freed", self.slot, self._folder)
        self._set(math.inf if busy else time.monotonic())

    def others_encoding(self) -> int:
        """How many other processes are encoding now, or were a moment ago (``RECENT``)."""
        now = time.monotonic()
        since = now - RECENT
        count = 0
        for slot, (value,) in enumerate(_SLOT.iter_unpack(self._bytes)):
            if slot == self.slot or value < since:
                continue
            if value == math.inf and not self._alive(slot, now):
                continue
            count += 1
        return count

    def _alive(self, slot: int, now: float) -> bool:
        """Whether the process that marked ``slot`` "encoding now" still holds it; clears it if not."""
        first_seen = self._busy_since.setdefault(slot, now)
        if now - first_seen < CHECK_AFTER:
            return True
        del self._busy_since[slot]  # checked at most once per CHECK_AFTER while the mark stays
        try:
            fh = open(self._folder / f"slot-{slot}.lock", "w")  # noqa: SIM115 - closed below
        except OSError:
            return True
        with fh:
            try:
                fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                return True  # held: its process lives, and encodes (or has just begun again)
            _SLOT.pack_into(self._bytes, slot * _SLOT.size, _IDLE)  # the dead process's mark
            fcntl.flock(fh, fcntl.LOCK_UN)
        log.info("encoder slot %d in %s was marked busy by a process that is gone; cleared", slot, self._folder)
        return False

    def _set(self, value: float) -> None:
        if self.slot is not None:
            _SLOT.pack_into(self._bytes, self.slot * _SLOT.size, value)

    def close(self) -> None:
        self._claimed_at = math.inf  # never tries for a slot again
        self._set(_IDLE)
        with contextlib.suppress(ValueError, BufferError):
            self._bytes.close()
        if self._lock is not None:
            self._lock.close()  # releases the slot
            self._lock = None
