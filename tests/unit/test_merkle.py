"""The Merkle tree against RFC 6962/9162's reference vectors, and its proofs
checked both ways on every small tree: each valid proof verifies, each altered one
does not."""

from __future__ import annotations

import pytest

from tenants.store import merkle

# The certificate-transparency reference leaves and tree heads (sizes 1 to 8).
LEAVES = [bytes.fromhex(h) for h in
          ("", "00", "10", "2021", "3031", "40414243", "5051525354555657",
           "606162636465666768696a6b6c6d6e6f")]  # fmt: skip
ROOTS = [
    "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
    "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
    "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
    "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
    "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
    "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
    "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
    "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
]
PATHS = {  # (leaf index, tree size): audit path
    (0, 8): ["96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
             "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
             "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4"],
    (5, 8): ["bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
             "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
             "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"],
}  # fmt: skip
CONSISTENCY = {
    (1, 8): PATHS[(0, 8)],
    (6, 8): ["0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
             "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
             "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"],
}  # fmt: skip


def _tree(leaves: list[bytes]) -> merkle.Subtrees:
    return merkle.in_memory([merkle.leaf_hash(leaf) for leaf in leaves])


def test_tree_heads_match_the_reference() -> None:
    tree = _tree(LEAVES)
    assert merkle.root(tree, 0) == merkle.EMPTY_ROOT
    assert [merkle.root(tree, n).hex() for n in range(1, 9)] == ROOTS


def test_proofs_match_the_reference() -> None:
    tree = _tree(LEAVES)
    for (index, size), path in PATHS.items():
        assert [h.hex() for h in merkle.inclusion_proof(tree, index, size)] == path
    for (old, new), proof in CONSISTENCY.items():
        assert [h.hex() for h in merkle.consistency_proof(tree, old, new)] == proof


def _flip(value: bytes) -> bytes:
    return bytes([value[0] ^ 1]) + value[1:]


@pytest.mark.parametrize("size", range(1, 34))
def test_every_inclusion_proof_verifies_and_no_altered_one_does(size: int) -> None:
    leaves = [merkle.leaf_hash(b"event %d" % i) for i in range(size)]
    tree = merkle.in_memory(leaves)
    head = merkle.root(tree, size)
    for index in range(size):
        path = merkle.inclusion_proof(tree, index, size)
        assert len(path) <= max(1, (size - 1).bit_length())
        assert merkle.verify_inclusion(index, size, leaves[index], path, head)
        other = (index + 1) % size
        if other != index:
            assert not merkle.verify_inclusion(other, size, leaves[index], path, head)
        assert not merkle.verify_inclusion(index, size, _flip(leaves[index]), path, head)
        for at in range(len(path)):
            altered = [*path[:at], _flip(path[at]), *path[at + 1 :]]
            assert not merkle.verify_inclusion(index, size, leaves[index], altered, head)
        if path:
            assert not merkle.verify_inclusion(index, size, leaves[index], path[:-1], head)


@pytest.mark.parametrize("new", range(1, 34))
def test_every_consistency_proof_verifies_and_no_altered_one_does(new: int) -> None:
    leaves = [merkle.leaf_hash(b"event %d" % i) for i in range(new)]
    tree = merkle.in_memory(leaves)
    new_root = merkle.root(tree, new)
    for old in range(1, new + 1):
        old_root = merkle.root(tree, old)
        proof = merkle.consistency_proof(tree, old, new)
        assert merkle.verify_consistency(old, new, old_root, new_root, proof)
        assert not merkle.verify_consistency(old, new, _flip(old_root), new_root, proof)
        assert not merkle.verify_consistency(old, new, old_root, _flip(new_root), proof)
        for at in range(len(proof)):
            altered = [*proof[:at], _flip(proof[at]), *proof[at + 1 :]]
            assert not merkle.verify_consistency(old, new, old_root, new_root, altered)
        # A rewritten history: the same old size, one earlier leaf changed.
        forged = merkle.in_memory([_flip(leaves[0]), *leaves[1:]])
        if old < new:
            assert not merkle.verify_consistency(
                old, new, merkle.root(forged, old), new_root, proof
            )
