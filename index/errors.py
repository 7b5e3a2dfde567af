"""Errors raised by the index layer.

    KBIndexError
    ├── ModelLoadError      the embedding model cannot be loaded (no network, no cache, bad path)
    ├── NoLiveIndex         no index version has been built yet
    ├── ModelMismatch       the live index was built with another model than the one configured
    ├── CorruptIndex        an index version on disk is incomplete or unreadable
    ├── BuildFailed         a new version could not be built or failed validation
    ├── Busy                another build or rollback holds the data dir
    └── QuestionError       a question is empty or too long (a client error)

Messages are complete sentences a caseworker or an operator can act on.
"""

from __future__ import annotations


class KBIndexError(Exception):
    status_code = 500


class ModelLoadError(KBIndexError):
    status_code = 503


class NoLiveIndex(KBIndexError):
    status_code = 503


class ModelMismatch(KBIndexError):
    status_code = 503


class CorruptIndex(KBIndexError):
    status_code = 503


class BuildFailed(KBIndexError):
    status_code = 500


class Busy(KBIndexError):
    status_code = 409


class QuestionError(KBIndexError):
    status_code = 422
