"""Continuity scores from any Hugging Face causal language model.

Optional: needs the ``hf`` extra (``transformers`` and ``torch``), imported
only when an adapter is built, so the rest of the package never pays for it.
Nothing is downloaded here: the caller passes an already loaded model and
tokenizer (``from_pretrained`` on a local path, or one built in memory).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt

from newsdeinterleave.text import joiner

FloatArray = npt.NDArray[np.float64]


def _require_torch() -> Any:
    try:
        import torch
    except ImportError as exc:  # pragma: no cover - depends on the environment
        raise ImportError(
            "HFContinuityModel needs torch and transformers: pip install 'newsdeinterleave[hf]'"
        ) from exc
    return torch


@dataclass
class HFContinuityModel:
    """``log P(right | left) - log P(right | start)`` from token log-probs.

    The right fragment is tokenised on its own (with the joining space
    English needs in front) so both terms score exactly the same tokens; the
    left fragment's last ``max_chars`` chars are tokenised separately and put
    in front. "start" is the tokenizer's BOS token (else EOS, as GPT-2 uses
    it). The right fragment is cut to its first ``max_chars`` chars.
    """

    model: Any
    tokenizer: Any
    max_chars: int = 64
    batch_size: int = 32
    _start_id: int = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self._torch = _require_torch()
        start = self.tokenizer.bos_token_id
        if start is None:
            start = self.tokenizer.eos_token_id
        if start is None:
            raise ValueError("tokenizer has neither a BOS nor an EOS token to start from")
        self._start_id = int(start)
        self.model.eval()

    def _ids(self, text: str) -> list[int]:
        if not text:
            return []
        return list(self.tokenizer(text, add_special_tokens=False)["input_ids"])

    def _logprob(self, prefixes: list[list[int]], targets: list[list[int]]) -> FloatArray:
        """Summed log-prob of each target token sequence after its prefix."""
        torch = self._torch
        out = np.zeros(len(targets), dtype=np.float64)
        pad = self.tokenizer.pad_token_id
        pad = self._start_id if pad is None else int(pad)
        for lo in range(0, len(targets), self.batch_size):
            seqs = [
                p + t
                for p, t in zip(
                    prefixes[lo : lo + self.batch_size],
                    targets[lo : lo + self.batch_size],
                    strict=True,
                )
            ]
            width = max(len(s) for s in seqs)
            ids = torch.full((len(seqs), width), pad, dtype=torch.long)
            mask = torch.zeros((len(seqs), width), dtype=torch.long)
            for r, s in enumerate(seqs):
                ids[r, : len(s)] = torch.tensor(s, dtype=torch.long)
                mask[r, : len(s)] = 1
            with torch.no_grad():
                logits = self.model(input_ids=ids, attention_mask=mask).logits
            logp = torch.log_softmax(logits.float(), dim=-1)
            for r in range(len(seqs)):
                p_len = len(prefixes[lo + r])
                t = targets[lo + r]
                if not t:
                    continue
                pos = torch.arange(p_len - 1, p_len - 1 + len(t))
                out[lo + r] = float(logp[r, pos, torch.tensor(t)].sum())
        return out

    def continuity_batch(self, lefts: Sequence[str], rights: Sequence[str]) -> FloatArray:
        if len(lefts) != len(rights):
            raise ValueError("lefts and rights differ in length")
        start = [self._start_id]
        tails = [self._ids(left.strip()[-self.max_chars :]) for left in lefts]
        heads = []
        for left, right in zip(lefts, rights, strict=True):
            r = right.strip()[: self.max_chars]
            heads.append(self._ids(joiner(left.strip(), r) + r))
        cond = self._logprob([start + t for t in tails], heads)
        unique = {tuple(h): i for i, h in enumerate(dict.fromkeys(tuple(h) for h in heads))}
        base = self._logprob([start] * len(unique), [list(h) for h in unique])
        score = cond - base[[unique[tuple(h)] for h in heads]]
        score[[not t for t in tails]] = 0.0
        return score
