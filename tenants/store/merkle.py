"""A tenant's Merkle tree over its events, as RFC 9162 (§2.1) defines it.

Leaf ``i`` (0-based) is event position ``i + 1``; its data are the event row's
canonical bytes (``tenants.store.chain.canonical_bytes``). Hashes are SHA-256 with
the RFC's domain separation: a leaf is ``H(0x00 || data)``, an inner node
``H(0x01 || left || right)``.

Everything here is written against one accessor, ``Subtrees``: the hash of the
*perfect* subtree at ``(level, index)``, covering leaves ``[index·2^level,
(index+1)·2^level)``. Every hash the RFC's recursions need is either such a
subtree or composed of them along a right edge, so a tree held in memory and a
tree whose nodes are stored in the database (``tenants.store.checkpoints``) give
the same roots and proofs, and a proof needs O(log n) subtrees.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence

Subtrees = Callable[[int, int], bytes]  # (level, index) -> hash of that perfect subtree
EMPTY_ROOT = hashlib.sha256(b"").digest()


def leaf_hash(data: bytes) -> bytes:
    """The hash of one leaf."""
    return hashlib.sha256(b"\x00" + data).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    """The hash of an inner node."""
    return hashlib.sha256(b"\x01" + left + right).digest()


def _split(n: int) -> int:
    """The largest power of two smaller than ``n`` (n > 1)."""
    return 1 << ((n - 1).bit_length() - 1)


def subtree_hash(subtrees: Subtrees, start: int, end: int) -> bytes:
    """MTH of leaves ``[start, end)``, a range the RFC's recursions produce: its left
    parts are perfect subtrees aligned on their size."""
    n = end - start
    if n <= 0:
        raise ValueError("an empty range has no subtree hash")
    if n & (n - 1) == 0 and start % n == 0:
        return subtrees(n.bit_length() - 1, start // n)
    k = _split(n)
    return node_hash(
        subtree_hash(subtrees, start, start + k), subtree_hash(subtrees, start + k, end)
    )


def root(subtrees: Subtrees, size: int) -> bytes:
    """The tree head of the first ``size`` leaves."""
    return EMPTY_ROOT if size == 0 else subtree_hash(subtrees, 0, size)


def inclusion_proof(subtrees: Subtrees, index: int, size: int) -> list[bytes]:
    """The audit path of leaf ``index`` in the tree of ``size`` leaves (RFC 9162 §2.1.3.1)."""
    if not 0 <= index < size:
        raise ValueError(f"leaf {index} is not in a tree of {size}")
    path: list[bytes] = []
    start, end = 0, size
    while end - start > 1:
        k = _split(end - start)
        if index < start + k:
            path.append(subtree_hash(subtrees, start + k, end))
            end = start + k
        else:
            path.append(subtree_hash(subtrees, start, start + k))
            start += k
    path.reverse()  # the RFC lists the path from the leaf upwards
    return path


def consistency_proof(subtrees: Subtrees, old: int, new: int) -> list[bytes]:
    """The proof that the tree of ``new`` leaves extends the one of ``old`` (§2.1.4.1)."""
    if not 0 < old <= new:
        raise ValueError(f"no consistency proof from {old} to {new}")
    proof: list[bytes] = []
    start, end, m, whole = 0, new, old, True
    while m != end - start:
        k = _split(end - start)
        if m <= k:
            proof.append(subtree_hash(subtrees, start + k, end))
            end = start + k
        else:
            proof.append(subtree_hash(subtrees, start, start + k))
            start, m, whole = start + k, m - k, False
    if not whole:
        proof.append(subtree_hash(subtrees, start, end))
    proof.reverse()
    return proof


def verify_inclusion(
    index: int, size: int, leaf: bytes, path: Sequence[bytes], expected_root: bytes
) -> bool:
    """Check an audit path against a tree head (RFC 9162 §2.1.3.2)."""
    if not 0 <= index < size:
        return False
    fn, sn, r = index, size - 1, leaf
    for p in path:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            r = node_hash(p, r)
            if not fn & 1:
                while fn & 1 == 0 and fn != 0:
                    fn >>= 1
                    sn >>= 1
        else:
            r = node_hash(r, p)
        fn >>= 1
        sn >>= 1
    return sn == 0 and r == expected_root


def verify_consistency(
    old: int, new: int, old_root: bytes, new_root: bytes, proof: Sequence[bytes]
) -> bool:
    """Check that the tree of ``new`` leaves extends the one of ``old`` (§2.1.4.2)."""
    if not 0 < old <= new:
        return False
    if old == new:
        return not proof and old_root == new_root
    path = list(proof)
    if old & (old - 1) == 0:  # a power of two: the old root is the first node
        path.insert(0, old_root)
    if not path:
        return False
    fn, sn = old - 1, new - 1
    while fn & 1:
        fn >>= 1
        sn >>= 1
    fr = sr = path[0]
    for c in path[1:]:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            fr = node_hash(c, fr)
            sr = node_hash(c, sr)
            if not fn & 1:
                while fn & 1 == 0 and fn != 0:
                    fn >>= 1
                    sn >>= 1
        else:
            sr = node_hash(sr, c)
        fn >>= 1
        sn >>= 1
    return fr == old_root and sr == new_root and sn == 0


def in_memory(leaves: Sequence[bytes]) -> Subtrees:
    """Subtrees of a tree whose leaf hashes are all in memory (computed on demand,
    each kept once computed)."""
    kept: dict[tuple[int, int], bytes] = {}

    def subtrees(level: int, index: int) -> bytes:
        if level == 0:
            return leaves[index]
        found = kept.get((level, index))
        if found is None:
            found = node_hash(subtrees(level - 1, 2 * index), subtrees(level - 1, 2 * index + 1))
            kept[(level, index)] = found
        return found

    return subtrees
