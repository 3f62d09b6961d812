"""Verifying the whole audit trail: the legacy chain, the prune checkpoints, the sealed blocks, the unsealed tail.

What each part proves:
- every event's own MAC (event key): its content and id are as written (edits, forged rows, swapped ids);
- every block's MAC and prev_mac (sealing key): blocks were neither rewritten, swapped, replayed nor removed from
  the middle; its count and digest: no event of the block was deleted or inserted since it was sealed;
- the signed prune checkpoints: events missing from old blocks were removed by audit_prune, nothing else;
- the anchor (a copy of the newest block's number and MAC kept outside the database): the chain was not cut
  back to an earlier block, or erased.
An unsealed event that is deleted leaves no trace until it is sealed (ids have legitimate gaps): run audit_seal
often (deploy/systemd/openemr-portal-audit-seal.timer) to keep that window short.
"""

from dataclasses import dataclass, field

from audit import legacy as legacy_chain
from audit.events import event_mac, same
from audit.models import AuditBlock, AuditEvent, AuditLegacyBoundary, AuditPruneCheckpoint
from audit.seal import DB, Digest, block_mac, checkpoint_signature, rows_in

EDITED, DELETED, INSERTED, BAD_BLOCK, MISSING_BLOCK, BAD_CHECKPOINT, TRUNCATED, LEGACY = (
    "edited", "deleted", "inserted", "bad block", "missing block", "bad checkpoint", "truncated", "legacy chain")


@dataclass
class Problem:
    kind: str
    where: str
    detail: str

    def __str__(self):
        return f"first bad {self.where}: {self.kind}: {self.detail}"


@dataclass
class Result:
    legacy: legacy_chain.Result = field(default_factory=legacy_chain.Result)
    blocks: int = 0
    last_block: AuditBlock | None = None
    sealed_events: int = 0
    pruned_through_block: int = 0
    unsealed_events: int = 0
    problem: Problem | None = None

    @property
    def ok(self):
        return self.problem is None

    def summary(self):
        parts = []
        if self.legacy.count or self.legacy.checkpoint:
            span = f" (seq {self.legacy.first_seq}..{self.legacy.last_seq})" if self.legacy.count else ""
            parts.append(f"{self.legacy.count} legacy chain events{span}")
        if self.last_block:
            pruned = f", events of blocks 1..{self.pruned_through_block} pruned" if self.pruned_through_block else ""
            parts.append(f"{self.sealed_events} events in {self.blocks} sealed blocks (through block "
                         f"{self.last_block.number}, id {self.last_block.last_id}{pruned})")
        parts.append(f"{self.unsealed_events} events not yet sealed")
        return "; ".join(parts)


def _checkpoints():
    """The latest valid prune checkpoint, or a Problem."""
    prev_signature, latest = "", None
    for cp in AuditPruneCheckpoint.objects.using(DB).order_by("through_block").iterator(chunk_size=1000):
        expected = checkpoint_signature(cp.created_at, cp.through_block, cp.through_id, cp.pruned_count,
                                        prev_signature)
        if cp.prev_signature != prev_signature or not same(expected, cp.signature):
            return None, Problem(BAD_CHECKPOINT, f"prune checkpoint through block {cp.through_block}",
                                 "its signature does not verify")
        prev_signature, latest = cp.signature, cp
    return latest, None


def _events(after_id, through_id, chunk_size, digest):
    """Check each event's own MAC between two ids, adding it to `digest`; a Problem for the first bad one."""
    for row in rows_in(after_id, through_id, chunk_size):
        if not same(event_mac(row), row["mac"]):
            return Problem(EDITED, f"event id {row['id']}", "its content or id does not match its MAC")
        digest.add(row)
    return None


def check_block(block, expected_number, prev_mac, prev_last, checkpoint, chunk_size):
    """A Problem with one block (and its events, unless pruned), or None; adds the event count to the result."""
    where = f"block {block.number}"
    if block.number != expected_number:
        return Problem(MISSING_BLOCK, f"block {expected_number}",
                       f"blocks jump from {expected_number - 1} to {block.number}"), 0
    expected = block_mac(block.number, block.first_id, block.last_id, block.count, block.digest, block.prev_mac,
                         block.sealed_at)
    if not same(expected, block.mac):
        return Problem(BAD_BLOCK, where, "its MAC does not verify (the block was rewritten)"), 0
    if block.prev_mac != prev_mac:
        return Problem(BAD_BLOCK, where, f"it does not follow block {block.number - 1} (swapped or replayed)"), 0
    if not prev_last < block.first_id <= block.last_id:
        return Problem(BAD_BLOCK, where, f"its ids overlap those of block {block.number - 1}"), 0
    if checkpoint and block.number <= checkpoint.through_block:
        return None, 0
    digest = Digest()
    problem = _events(prev_last, block.last_id, chunk_size, digest)
    if problem:
        return problem, 0
    if digest.count < block.count:
        return Problem(DELETED, where, f"{block.count - digest.count} of its {block.count} events (ids "
                                       f"{block.first_id}..{block.last_id}) are missing"), 0
    if digest.count > block.count or digest.first_id != block.first_id:
        return Problem(INSERTED, where, f"it holds {digest.count} events, {block.count} were sealed"), 0
    if not same(digest.hexdigest(), block.digest):
        return Problem(EDITED, where, "its events are not the ones that were sealed"), 0
    return None, digest.count


def _check_anchor(result, anchor):
    last = result.last_block
    wanted = anchor["block"]
    if last is None:
        return Problem(TRUNCATED, "chain", f"no sealed block, but the anchor names block {wanted} (erased)")
    if last.number < wanted:
        return Problem(TRUNCATED, "chain", f"it ends at block {last.number}, before the anchor's block {wanted}")
    block = AuditBlock.objects.using(DB).filter(number=wanted).first()
    if block is None or not same(anchor["mac"], block.mac):
        return Problem(BAD_BLOCK, f"block {wanted}", "it differs from the anchor")
    return None


def verify(chunk_size=2000, anchor=None):
    """Verify everything; a Result whose problem names the first bad thing found."""
    result = Result()
    boundaries = list(AuditLegacyBoundary.objects.using(DB).order_by("pk")[:2])
    if len(boundaries) > 1:
        result.problem = Problem(LEGACY, "legacy boundary", "there is more than one")
        return result
    boundary = boundaries[0] if boundaries else None
    result.legacy = legacy_chain.verify(boundary, chunk_size=chunk_size)
    if not result.legacy.ok:
        result.problem = Problem(LEGACY, "legacy chain", str(result.legacy.problem))
        return result
    legacy_last = boundary.last_id if boundary else 0
    stray = AuditEvent.objects.using(DB).filter(seq__isnull=True, id__lte=legacy_last).values_list("id").first()
    if stray:
        result.problem = Problem(INSERTED, f"event id {stray[0]}", "a new-style event inside the legacy chain")
        return result
    checkpoint, problem = _checkpoints()
    if problem:
        result.problem = problem
        return result
    prev_mac, prev_last = "", legacy_last
    for block in AuditBlock.objects.using(DB).order_by("number").iterator(chunk_size=1000):
        problem, count = check_block(block, result.blocks + 1, prev_mac, prev_last, checkpoint, chunk_size)
        if problem:
            result.problem = problem
            return result
        result.blocks += 1
        result.sealed_events += count
        result.last_block, prev_mac, prev_last = block, block.mac, block.last_id
    if checkpoint:
        result.pruned_through_block = checkpoint.through_block
        pruned = AuditBlock.objects.using(DB).filter(number=checkpoint.through_block).first()
        if pruned is None or pruned.last_id != checkpoint.through_id:
            result.problem = Problem(BAD_CHECKPOINT, f"prune checkpoint through block {checkpoint.through_block}",
                                     "it names a block that does not exist")
            return result
        restored = AuditEvent.objects.using(DB).filter(id__gt=legacy_last, id__lte=checkpoint.through_id) \
            .values_list("id").first()
        if restored:
            result.problem = Problem(INSERTED, f"event id {restored[0]}", "an event where events were pruned")
            return result
    tail = Digest()
    problem = _events(prev_last, 2**63 - 1, chunk_size, tail)
    if problem:
        result.problem = problem
        return result
    result.unsealed_events = tail.count
    if anchor is not None:
        result.problem = _check_anchor(result, anchor)
    return result
