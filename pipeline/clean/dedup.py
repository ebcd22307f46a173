"""Near-duplicate releases: MinHash LSH over word shingles (datasketch).

The same release is often published twice: on the global site and a
country site, or re-posted with a changed headline or a fixed typo. Each
text becomes a set of 3-word shingles; ``NearDuplicateIndex.add`` answers
with the id of the first release whose estimated Jaccard similarity is at
least the threshold (0.8 by default), so a copy of a copy still points at
the original. Ids added again replace their earlier text (a re-cleaned
page must not be a duplicate of itself).

A signature is kept in the store as bytes (``to_bytes``/``from_bytes``:
its 128 hash values), so a run loads the signatures it has and computes
only those of new releases (``add_signature``).
"""

from __future__ import annotations

import re
from functools import cache
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from datasketch import MinHash

_WORD = re.compile(r"\w+")
SHINGLE_WORDS = 3
NUM_PERM = 128


@cache
def _scheme() -> str:
    """The hashing scheme of the signatures ``minhash`` makes (datasketch 2
    needs it named to rebuild a stored one)."""
    from datasketch import MinHash

    return MinHash(num_perm=1).scheme


def shingles(text: str, size: int = SHINGLE_WORDS) -> set[str]:
    words = _WORD.findall(text.casefold())
    if len(words) < size:
        return {" ".join(words)} if words else set()
    return {" ".join(words[i : i + size]) for i in range(len(words) - size + 1)}


def minhash(text: str, num_perm: int = NUM_PERM) -> MinHash | None:
    grams = shingles(text)
    if not grams:
        return None
    from datasketch import MinHash  # imported when needed: it takes a second

    signature = MinHash(num_perm=num_perm)
    signature.update_batch([g.encode("utf-8") for g in grams])
    return signature


def to_bytes(signature: MinHash) -> bytes:
    return np.asarray(signature.hashvalues, dtype="<u8").tobytes()


def from_bytes(data: bytes) -> MinHash:
    values = np.frombuffer(data, dtype="<u8").astype(np.uint64)
    from datasketch import MinHash

    return MinHash(num_perm=len(values), hashvalues=values, scheme=_scheme())


class NearDuplicateIndex:
    """Links each new release to the first earlier one it nearly copies."""

    def __init__(self, threshold: float = 0.8, num_perm: int = NUM_PERM) -> None:
        self.threshold = threshold
        self.num_perm = num_perm
        from datasketch import MinHashLSH

        self._lsh = MinHashLSH(threshold=threshold, num_perm=num_perm)
        self._signatures: dict[str, MinHash] = {}
        self._order: dict[str, int] = {}
        self._original: dict[str, str] = {}

    def __len__(self) -> int:
        return len(self._signatures)

    def __contains__(self, release_id: str) -> bool:
        return release_id in self._signatures

    def add(self, release_id: str, text: str) -> str | None:
        """Index the release; the id of the earlier release it copies, or None."""
        return self.add_signature(release_id, minhash(text, self.num_perm))

    def add_signature(self, release_id: str, signature: MinHash | None) -> str | None:
        """``add`` for a signature already made (stored, or computed by the caller)."""
        if release_id in self._signatures:
            self._lsh.remove(release_id)
            del self._signatures[release_id]
            self._original.pop(release_id, None)
        if signature is None:
            return None
        # Only releases first added before this one can be its original, so
        # re-adding an original never makes it a copy of its own copies.
        position = self._order.setdefault(release_id, len(self._order))
        candidates = [
            other
            for other in self._lsh.query(signature)
            if self._order[other] < position
            and signature.jaccard(self._signatures[other]) >= self.threshold
        ]
        self._lsh.insert(release_id, signature)
        self._signatures[release_id] = signature
        if not candidates:
            return None
        first = min(candidates, key=self._order.__getitem__)
        original = self._original.get(first, first)
        self._original[release_id] = original
        return original
