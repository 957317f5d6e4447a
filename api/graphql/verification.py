"""Verifiable history in GraphQL: a tenant's signed checkpoints, inclusion proofs of
its events and consistency proofs between its checkpoints.

Hashes, roots and signatures are lower-case hex; docs/verification.md shows how to
check each with ``cryptography`` and ``hashlib`` alone.
"""

from __future__ import annotations

import asyncio
from collections import defaultdict
from datetime import datetime
from functools import partial
from typing import Any

import strawberry
from graphql import GraphQLError
from sqlalchemy import Connection, Row
from strawberry.dataloader import DataLoader
from strawberry.types import Info

from api.graphql.loaders import Context
from tenants.store import checkpoints as signed
from tenants.store import tree

Ctx = Info[Context, None]


@strawberry.type(
    description="A signed checkpoint: the tenant's log of `size` events, its chain hash "
    "at `size` and its Merkle tree head, signed with the platform's Ed25519 key "
    "(`keyId`, published at /.well-known/gongjian-keys). Hashes and the signature are hex."
)
class Checkpoint:
    size: int = strawberry.field(description="the tree size: events at positions 1..size")
    head_hash: str = strawberry.field(description="the chain hash at position `size`")
    root: str = strawberry.field(description="the RFC 9162 Merkle tree head of 1..size")
    taken_at: datetime
    key_id: str
    signature: str = strawberry.field(description="Ed25519 signature of `signedMessage`")
    signed_message: str = strawberry.field(description="the exact text that is signed")

    @classmethod
    def of(cls, checkpoint: signed.Checkpoint) -> Checkpoint:
        return cls(
            size=checkpoint.size,
            head_hash=checkpoint.head_hash.hex(),
            root=checkpoint.root.hex(),
            taken_at=checkpoint.taken_at,
            key_id=checkpoint.key_id,
            signature=checkpoint.signature.hex(),
            signed_message=checkpoint.message().decode(),
        )

    @classmethod
    def of_row(cls, row: Row[Any]) -> Checkpoint:
        return cls.of(signed.Checkpoint.of(row))


@strawberry.type(
    description="An RFC 9162 inclusion proof of one event in a checkpoint's tree: hash "
    "the leaf up `path` (leaf first) and compare with the checkpoint's signed root."
)
class InclusionProof:
    leaf_index: int = strawberry.field(description="position - 1")
    tree_size: int
    leaf_hash: str = strawberry.field(
        description="SHA-256(0x00 ‖ the event row's canonical bytes), hex"
    )
    root: str
    path: list[str]
    checkpoint: Checkpoint


@strawberry.type(
    description="An RFC 9162 consistency proof: the tree of `toSize` events extends the "
    "tree of `fromSize` (both roots signed by their checkpoints)."
)
class ConsistencyProof:
    from_size: int
    to_size: int
    from_root: str
    to_root: str
    proof: list[str]


def _bad(message: str) -> GraphQLError:
    return GraphQLError(message, extensions={"code": "BAD_USER_INPUT"})


def _checkpoint_for(
    conn: Connection, tenant_id: str, size: int | None, at: int | None
) -> tuple[signed.Checkpoint | None, GraphQLError | None]:
    """The checkpoint a proof is against: the one of ``size`` events, or the newest
    the reader sees at ``at``; or why there is none to give."""
    if size is None:
        return signed.latest(conn, tenant_id, at), None
    found = signed.at_size(conn, tenant_id, size)
    if found is None or (at is not None and size > at):
        return None, _bad(f"the tenant has no checkpoint of size {size}")
    return found, None


ProofKey = tuple[str, int, int | None, int | None]  # tenant, position, size asked, read at


async def inclusion(
    info: Ctx, tenant_id: str, position: int, size: int | None
) -> InclusionProof | None:
    """The proof of the event at ``position`` against the checkpoint of ``size``
    (None: the newest the request may see), or None when no checkpoint covers it.
    The proofs a request asks for are built together, per tenant and checkpoint."""
    context = info.context
    loader: DataLoader[ProofKey, InclusionProof | None] = context.shared(
        "inclusion_proofs", lambda: DataLoader(partial(_prove_all, context))
    )
    return await loader.load((tenant_id, position, size, context.position(info, tenant_id)))


async def first_covering(info: Ctx, tenant_id: str, position: int) -> InclusionProof | None:
    """The proof of the event at ``position`` against the first checkpoint that covers
    it (the one taken when it was recorded), or None while none does."""
    at = info.context.position(info, tenant_id)

    def find() -> signed.Checkpoint | None:
        with info.context.reads.connect() as conn:
            return signed.covering(conn, tenant_id, position, at)

    found = await asyncio.to_thread(find)
    return None if found is None else await inclusion(info, tenant_id, position, found.size)


async def _prove_all(
    context: Context, keys: list[ProofKey]
) -> list[InclusionProof | GraphQLError | None]:
    def prove() -> list[InclusionProof | GraphQLError | None]:
        answers: dict[ProofKey, InclusionProof | GraphQLError | None] = {}
        groups: dict[tuple[str, int | None, int | None], list[int]] = defaultdict(list)
        for tenant_id, position, size, at in keys:
            groups[(tenant_id, size, at)].append(position)
        with context.reads.connect() as conn:
            for (tenant_id, size, at), positions in groups.items():
                found, problem = _checkpoint_for(conn, tenant_id, size, at)
                covered = []
                for p in positions:
                    key = (tenant_id, p, size, at)
                    if problem is not None:
                        answers[key] = problem
                    elif found is not None and p <= found.size:
                        covered.append(p)
                    elif size is None:
                        answers[key] = None  # no checkpoint covers it yet
                    else:
                        answers[key] = _bad(
                            f"the checkpoint of size {size} does not cover position {p}"
                        )
                if found is None or not covered:
                    continue
                checkpoint = Checkpoint.of(found)
                for p, (leaf, path) in tree.inclusion_proofs(
                    conn, tenant_id, covered, found.size
                ).items():
                    answers[(tenant_id, p, size, at)] = InclusionProof(
                        leaf_index=p - 1,
                        tree_size=found.size,
                        leaf_hash=leaf.hex(),
                        root=found.root.hex(),
                        path=[h.hex() for h in path],
                        checkpoint=checkpoint,
                    )
        return [answers[key] for key in keys]

    return await asyncio.to_thread(prove)


async def consistency(info: Ctx, tenant_id: str, old: int, new: int) -> ConsistencyProof:
    """The proof that the checkpoint of ``new`` events extends the one of ``old``."""
    at = info.context.position(info, tenant_id)
    if not 0 < old <= new or (at is not None and new > at):
        raise _bad("give two checkpoint sizes, 0 < from <= to")

    def prove() -> ConsistencyProof:
        with info.context.reads.connect() as conn:
            first = signed.at_size(conn, tenant_id, old)
            second = signed.at_size(conn, tenant_id, new)
            if first is None or second is None:
                missing = old if first is None else new
                raise _bad(f"the tenant has no checkpoint of size {missing}")
            proof = tree.consistency_proof(conn, tenant_id, old, new)
        return ConsistencyProof(
            from_size=old,
            to_size=new,
            from_root=first.root.hex(),
            to_root=second.root.hex(),
            proof=[h.hex() for h in proof],
        )

    return await asyncio.to_thread(prove)
