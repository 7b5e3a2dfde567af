"""Sentence embeddings with sentence-transformers, the way the configured model wants them."""

from __future__ import annotations

import logging
import os
import re
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from index.errors import ModelLoadError

if TYPE_CHECKING:
    from sentence_transformers import SentenceTransformer

log = logging.getLogger("kb.embed")

# Model families that expect instruction prefixes but whose published sentence-transformers config
# does not declare them as prompts. Checked only when the model itself declares no prompts.
KNOWN_PREFIXES: tuple[tuple[re.Pattern[str], str, str], ...] = (
    (re.compile(r"(^|[/_-])(multilingual-)?e5([-_]|$)", re.IGNORECASE), "query: ", "passage: "),
)

DEFAULT_BATCH_SIZE = 32


@dataclass(frozen=True)
class Prefixes:
    query: str = ""
    passage: str = ""


def detect_prefixes(name: str, prompts: dict[str, str] | None, architecture_name: str = "") -> Prefixes:
    """Prefixes the model expects: its own declared prompts first, else a known family's convention."""
    prompts = prompts or {}
    query = prompts.get("query")
    passage = prompts.get("passage", prompts.get("document"))
    if query is not None or passage is not None:
        return Prefixes(query=query or "", passage=passage or "")
    for pattern, q, p in KNOWN_PREFIXES:
        if pattern.search(name) or pattern.search(architecture_name):
            return Prefixes(query=q, passage=p)
    return Prefixes()


class TokenizerGate:
    """When two threads may use one model's tokenizer at once.

    The fast tokenizer keeps its truncation and padding settings in shared state and changes them
    only when a call asks for others. Two encodes ask for the same ones, so once the tokenizer holds
    them, encodes may run together (two question encoders on two cores serve far more questions
    than one); a call with other settings (counting a passage's tokens) changes that state under a
    running encode and garbles its batch ("expected sequence of length 71 at dim 1 (got 59)", or
    "Already borrowed"), so it runs alone, and the first encode after it runs alone to set them back.
    """

    def __init__(self) -> None:
        self._changed = threading.Condition()
        self._encoding = 0
        self._alone = False
        self._waiting_alone = 0
        self._set_for_encoding = False

    @contextmanager
    def alone(self) -> Iterator[None]:
        with self._changed:
            self._waiting_alone += 1
            while self._alone or self._encoding:
                self._changed.wait()
            self._waiting_alone -= 1
            self._alone = True
        try:
            yield
        finally:
            with self._changed:
                self._alone = False
                self._set_for_encoding = False
                self._changed.notify_all()

    @contextmanager
    def encoding(self) -> Iterator[None]:
        with self._changed:
            # A waiting token count goes first, so a stream of encodes cannot hold it off.
            while self._alone or self._waiting_alone:
                self._changed.wait()
            together = self._set_for_encoding
            if together:
                self._encoding += 1
            else:
                self._alone = True
        done = False
        try:
            yield
            done = True
        finally:
            with self._changed:
                if together:
                    self._encoding -= 1
                else:
                    self._alone = False
                    self._set_for_encoding = done
                self._changed.notify_all()


class Embedder:
    """Wraps one sentence-transformers model: loading, prefixes, token counts and encoding.

    Vectors are L2-normalised float32 so that FAISS inner product equals cosine similarity.
    """

    def __init__(self, model_name: str, *, device: str = "cpu", batch_size: int = DEFAULT_BATCH_SIZE):
        self.model_name = model_name
        self.batch_size = batch_size
        self._gate = TokenizerGate()
        self.model = _load(model_name, device)
        # The card's base model, never the card as text: rendering it runs the model on example
        # sentences, in this thread (see index/batching.py on why only one thread may run it on
        # several cores).
        card = getattr(self.model, "model_card_data", None)
        self.prefixes = detect_prefixes(
            model_name, getattr(self.model, "prompts", None), str(getattr(card, "base_model", None) or "")
        )
        self.dimension = _dimension(self.model)
        self.max_seq_length = int(self.model.max_seq_length or 512)
        self.tokenizer = self.model.tokenizer
        # Special tokens ([CLS]/[SEP] or <s>/</s>) count against the model's window too.
        self._special = len(self.tokenizer("", add_special_tokens=True)["input_ids"])
        self._passage_prefix_tokens = self._raw_tokens(self.prefixes.passage) if self.prefixes.passage else 0
        # A default prompt or a truncated dimension is applied by ``model.encode`` only.
        self._direct = (getattr(self.model, "default_prompt_name", None) is None
                        and getattr(self.model, "truncate_dim", None) is None)
        # ``model.encode`` switches to eval mode on every call; the direct call relies on it once.
        self.model.eval()
        self._device = self.model.device
        # sentence-transformers 6 renamed ``tokenize`` to ``preprocess``.
        self._features = getattr(self.model, "preprocess", None) or self.model.tokenize

    def _raw_tokens(self, text: str) -> int:
        with self._gate.alone():
            return len(self.tokenizer(text, add_special_tokens=False, truncation=False, verbose=False)["input_ids"])

    def passage_tokens(self, text: str) -> int:
        """Tokens that ``text`` takes in the model's window as a passage, prefix and specials included."""
        return self._raw_tokens(text) + self._passage_prefix_tokens + self._special

    def encode_passages(self, texts: Sequence[str], *, progress: bool = False) -> np.ndarray:
        return self._encode([self.prefixes.passage + t for t in texts], progress=progress)

    def encode_queries(self, texts: Sequence[str]) -> np.ndarray:
        return self._encode([self.prefixes.query + t for t in texts], progress=False)

    def _encode(self, texts: list[str], *, progress: bool) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        with self._gate.encoding():
            if self._direct and not progress and len(texts) <= self.batch_size:
                vectors = self._one_batch(texts)
            else:
                vectors = self.model.encode(
                    texts,
                    batch_size=self.batch_size,
                    normalize_embeddings=True,
                    convert_to_numpy=True,
                    show_progress_bar=progress,
                )
        return np.ascontiguousarray(vectors, dtype=np.float32)

    def _one_batch(self, texts: list[str]) -> np.ndarray:
        """What ``model.encode`` returns for texts that fit one batch, bit for bit, without its
        per-call set-up.

        A question is one short batch, and ``encode`` spends ~4 ms of Python on each call before
        and after the forward pass (``eval()`` and finding the device walk every module and
        parameter; length sorting and progress bars serve long lists): a sixth of a question's
        encode on one core, all of it holding the GIL that the other encoding thread and the
        request threads need under load. The model is already in eval mode and stays on its device.
        """
        import torch

        with torch.inference_mode():
            features = self._features(texts)
            if self._device.type != "cpu":
                from sentence_transformers.util import batch_to_device

                features = batch_to_device(features, self._device)
            embeddings = self.model(features)["sentence_embedding"]
            embeddings = torch.nn.functional.normalize(embeddings, p=2, dim=1)
            return embeddings.cpu().numpy()


def torch_threads() -> int:
    """Torch's intra-op threads for the calling thread: by default, the machine's physical cores."""
    import torch

    return int(torch.get_num_threads())


def set_torch_threads(threads: int) -> None:
    """Torch's intra-op threads for model calls made from the calling thread.

    Torch keeps the number per thread once a thread has run with it, and hands the last number
    set to threads it starts later, so call this from the thread that encodes. A thread's first
    parallel step sets its number to the last one set anywhere, undoing a number set before it:
    reading the number first makes torch do that now.
    """
    import torch

    torch.get_num_threads()
    torch.set_num_threads(threads)


def _load(model_name: str, device: str) -> SentenceTransformer:
    try:
        from sentence_transformers import SentenceTransformer
    except ImportError as exc:  # pragma: no cover - a broken install, not a user error
        raise ModelLoadError("sentence-transformers er ikke installeret; kør `make` igen.") from exc

    # Keep the underlying libraries from printing a traceback-sized warning per failed HTTP attempt,
    # and the per-tensor "Loading weights" bar from cluttering `kb` output and JSON pipes.
    logging.getLogger("sentence_transformers").setLevel(logging.ERROR)
    try:
        from transformers.utils import logging as transformers_logging

        transformers_logging.disable_progress_bar()
    except ImportError:  # pragma: no cover
        pass
    is_local = os.path.isdir(os.path.expanduser(model_name))
    try:
        model = SentenceTransformer(
            os.path.expanduser(model_name) if is_local else model_name,
            device=device,
            local_files_only=_offline(),
        )
    except Exception as exc:  # noqa: BLE001 - any load failure becomes one clear message
        hint = (
            f"Embedding-modellen {model_name!r} kunne ikke indlæses ({type(exc).__name__}: "
            f"{str(exc).splitlines()[0] if str(exc) else 'ingen detaljer'}). "
        )
        if is_local:
            hint += "Mappen findes, men indeholder ikke en sentence-transformers-model."
        else:
            hint += (
                "Uden netforbindelse skal modellen ligge lokalt: download den på en maskine med net "
                "(fx `huggingface-cli download intfloat/multilingual-e5-small --local-dir DIR`) og sæt "
                "KB_EMBEDDING_MODEL=DIR."
            )
        raise ModelLoadError(hint) from exc
    log.info("loaded embedding model %s (dim=%s, max_seq_length=%s)", model_name, _dimension(model),
             model.max_seq_length)
    return model


def _dimension(model: SentenceTransformer) -> int:
    # sentence-transformers 6 renamed the method; keep working with both spellings.
    getter = getattr(model, "get_embedding_dimension", None) or model.get_sentence_embedding_dimension
    return int(getter() or 0)


def _offline() -> bool:
    return os.environ.get("HF_HUB_OFFLINE", "") in {"1", "true", "TRUE"}
