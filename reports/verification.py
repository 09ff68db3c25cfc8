"""The verification codes printed on documents and checked at /verify/.

A document asked for on its own (a plan document, a review packet, a cycle summary)
prints its job's code: 16 characters of base32, 80 random bits.

A packet inside a batch (the ZIP of a cycle's packets) prints a code of its own,
`<job id>-<plan id>-<tag>`, where the tag is an HMAC of the plan id keyed by the batch
job's code. The job's code itself is printed nowhere (the archive carries none), so a
person holding one packet can confirm that packet and nothing else: changing the plan id
needs the tag of another packet, which only the archive's table of contents lists.
"""

import base64
import hashlib
import hmac

TAG_LENGTH = 16  # base32 characters: 80 bits


def packet_tag(job_code: str, plan_id: int) -> str:
    digest = hmac.new(job_code.encode(), f"packet:{plan_id}".encode(), hashlib.sha256).digest()
    return base64.b32encode(digest).decode()[:TAG_LENGTH]


def packet_code(*, job_id: int, job_code: str, plan_id: int) -> str:
    """The code printed on the packet of `plan_id` in the batch job `job_id`."""
    return f"{job_id}-{plan_id}-{packet_tag(job_code, plan_id)}"


def parse_packet_code(code: str) -> tuple[int, int, str] | None:
    """(job id, plan id, tag) of a code shaped like a packet's, else None."""
    parts = code.split("-")
    if len(parts) != 3 or not parts[0].isdigit() or not parts[1].isdigit():
        return None
    if len(parts[0]) > 18 or len(parts[1]) > 18:
        return None
    return int(parts[0]), int(parts[1]), parts[2]


def packet_tag_matches(job_code: str, plan_id: int, tag: str) -> bool:
    return hmac.compare_digest(packet_tag(job_code, plan_id), tag)
