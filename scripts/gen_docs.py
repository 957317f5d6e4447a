"""Regenerate docs/errors.md, docs/schema.graphql and docs/openapi.json (tests check them)."""

from __future__ import annotations

import inspect
import json
from pathlib import Path
from tempfile import TemporaryDirectory

from api.app import create_app
from api.graphql.schema import schema
from api.platform import Platform
from api.problems import status_of
from domain import errors
from tenants.ledger import VersionConflict
from tenants.pipeline.policy import POLICY
from tenants.pipeline.read_policy import READS
from tenants.store.database import make_engine

DOCS = Path(__file__).resolve().parents[1] / "docs"

HEADER = """# Errors

Every error is an RFC 9457 problem (`application/problem+json`):

```json
{"type": "urn:gongjian:problem:quorum-not-met", "title": "QuorumNotMet", "status": 409,
 "detail": "1 of 4 units present, quorum is 0.5", "code": "quorum-not-met"}
```

`type` and `code` are stable: clients branch on them, never on `detail`.

## Errors raised by the HTTP layer

| status | code | when |
| --- | --- | --- |
| 400 | `malformed-body` | the body is not JSON at all |
| 400 | `graphql-request-invalid` | a `/graphql` request that is not GraphQL over HTTP (no JSON object with a `query`, an unsupported content type) |
| 401 | `unauthenticated` | no bearer token, or one that is unknown, expired or revoked |
| 403 | `forbidden` | the role may not send this command in this tenant (see docs/security.md) |
| 404 | `not-found` | an unknown path, or a tenant or record the caller may not see (answered exactly as unknown) |
| 405 | `method-not-allowed` | a method the path does not serve; `Allow` lists those it does |
| 413 | `payload-too-large` | a body over 256 KiB (an evidence file's upload has its own limit: `evidence-file-too-large`) |
| 429 | `rate-limited` | more requests than `GONGJIAN_RATE_LIMIT_COMMANDS` / `GONGJIAN_RATE_LIMIT_GRAPHQL` allow this user and role (off unless set); `Retry-After` says when to retry |
| 422 | `validation-error` | the body does not match the command (wrong type, missing or unknown field, bad id); `errors` lists each field |
| 422 | `idempotency-key-reused` | an `Idempotency-Key` sent again with a different request |
| 409 | `version-conflict` | `expected_version` differs, or another command changed the record first |
| 503 | `not-ready` | `GET /readyz`: the database does not answer, or a migration is pending (docs/operations.md) |

## Domain errors

| status | code | error | members besides `detail` |
| --- | --- | --- | --- |
"""

FOOTER = """
## GraphQL

A document that cannot run (syntax, unknown field, depth, size or more than 30
aliases) answers HTTP 400 with `errors[].extensions.code = GRAPHQL_VALIDATION_FAILED`.
A query whose cost is over the limit answers HTTP 400 with `QUERY_TOO_COSTLY` before
anything is read; `extensions.cost` and `extensions.limit` say by how much. The cost
counts every selected field times the sizes of the lists around it (`first: n`
counts n, a connection without it its default page size, a list without paging 10);
the limit is 20,000 (the README tour's page costs about 6,000), set by
`GONGJIAN_GRAPHQL_MAX_COST`: nest connections with the page sizes you need. Bad
arguments (page size, malformed cursor or one from another list, period, `atPosition` or `waitForPosition` outside 0 … head) give
`BAD_USER_INPUT`; a search's bad input also says which argument and why
(`extensions.argument`, `extensions.reason`: `EMPTY`, `TOO_LONG`, `CONTROL_CHARACTER`,
`TOO_MANY_TERMS`, `OUT_OF_RANGE`, `MALFORMED_CURSOR`, `TOO_MANY_TENANTS`; see
docs/search.md); `waitForPosition` not reached within 5 s per request (however many
aliases wait), or on a tenant whose projection is parked, gives `NOT_YET_PROJECTED`.
A query still running after its time limit (10 s, `GONGJIAN_GRAPHQL_TIME_LIMIT`) is
stopped and answers HTTP 400 with `QUERY_TIMED_OUT` (`extensions.limit`, seconds):
ask for smaller pages or fewer fields.

A repeated request (the same body from the same principal) may be answered from
the answer cache while the tenants it may read are unchanged; the header
`X-Gongjian-Answer` says `hit` or `miss`. The answer is the same either way.
"""


def errors_markdown() -> str:
    """The error catalogue, from the domain's error classes."""
    classes: list[type[errors.DomainError]] = [
        c for c in vars(errors).values() if inspect.isclass(c) and issubclass(c, errors.DomainError)
    ]
    classes.append(VersionConflict)
    rows = sorted((status_of(c("x")), c.code, c.__name__, c.members) for c in classes)
    return (
        HEADER
        + "".join(f"| {s} | `{code}` | `{name}` | {members} |\n" for s, code, name, members in rows)
        + FOOTER
    )


SECURITY_HEADER = """# Security: who may do what where

Every request but the health checks (`/healthz`, `/livez`, `/readyz`), `/docs`,
`/openapi.json` and the GraphiQL page carries
`Authorization: Bearer <token>`. Tokens are opaque (`gj_<id>_<secret>`), shown once,
recorded only as a SHA-256 digest in the platform's own log (issuing and revoking
are events there), and expire (90 days by default). Create the first one with
`gongjian token create --role platform_admin`; admins issue the rest through
`POST /tenants/{tenant_id}/tokens` and revoke them through
`POST /tenants/{tenant_id}/tokens/{token_id}/revocation`. Unsigned `dev:` tokens
work only when `GONGJIAN_DEV_TOKENS=1` (the server warns at start-up).

A revocation holds from the next request on. A process remembers the tokens it has
checked while the platform log's head stands still, and every request reads that head:
a command takes the remembered principal at the edge and confirms it against the head in
its own thread before anything runs (a token revoked since is refused with 401 there,
nothing appended); a GraphQL request reads the head with its answer cache's state. On a
read replica, reads see a revocation once the replica has replayed it
(docs/deployment.md).

A principal holds one role, scoped to a tenant (the platform admin to none), a unit
(a unit liaison) or a member record (a party member). Its *relation* to the tenant a
command is for decides: **own** tenant, **street of** the community, **community of**
the street, **sibling** community, **unrelated**, or **platform** (no tenant). A *bound*
grant also requires the command to be for the caller's own unit, member record or
resident id. Without a grant the answer is 403 where the caller may read the
tenant, and 404, exactly as for an unknown tenant, where it may not.

Reads (GraphQL): a principal reads its own tenant; a street's principals also read
its communities; the platform admin reads every tenant. Another tenant answers
exactly like an id that does not exist.

Personal data is shown in full to street admins, community secretaries and
auditors, and to the person or unit it is about (a party member's own record, a
liaison's own unit, a resident's own ratings). Every other reader, integrators
included, gets names with only the surname (王*), telephone numbers with only their
last four digits, and `null` or `***` for work units, year-review feedback,
residents' ids and comments, and the user id of whoever recorded an event. Event
`data` in `history` and `events` is masked the same way (`api/graphql/personal.py`).

Evidence files: uploading one is a command (`upload_evidence_file` below: whoever
reports with evidence, in the tenant whose log holds the record; a community's
secretary also in its street, for a rectification report). Downloading one
(`GET /tenants/{tenant_id}/evidence-files/{sha256}`) is a read of its tenant
(`download_evidence_file` below); a file attached only to residents' affairs, or to
nothing yet, is served only to street admins, community secretaries and auditors (an
unattached one also to whoever uploaded it): other readers get 403. Every download
checks the bytes against their SHA-256 first and serves them as an attachment, with
the stored type and `X-Content-Type-Options: nosniff`, so that no browser runs an
upload as a page.

On PostgreSQL, row-level security is a second barrier behind the scoping of every
read: each GraphQL transaction sees only the rows of the tenants its principal
reads (docs/deployment.md).

Domain rules in the table: the convener (the tenant's manager), never the reporting
unit, verifies execution; only the evaluated community or unit appeals, and no
appellant role resolves an appeal; a community's secretary files its report upward
in its own tenant (the same request records the receipt in the street's log), and
only the street acknowledges or returns it, in the street's tenant, where a
community's principals neither act nor read. Issuers may grant: platform admin any
role; street admin community secretary, unit liaison, party member, resident,
auditor and integrator tokens in its street and communities; community secretary
unit liaison, party member and resident tokens in its community. An integrator,
read-only otherwise, manages its own tenant's webhooks, and of those only the ones
it registered itself (docs/webhooks.md).

| command | who may send it |
| --- | --- |
"""


SECURITY_ERASURE = """
## Erasure and storage-only data (PIPL art. 47)

Personal data in events is sealed per person: party members' names, work units and
year-review feedback; representatives' and liaisons' names and telephone numbers;
the names of those who signed in at meetings; residents' comments. Each such field
is stored as `{"sealed": "<person id>", "ct": "<base64>"}`, AES-256-GCM under that
person's own key with a random 96-bit nonce, the tenant, person and field name bound
as associated data (a ciphertext moved to another person, tenant or field does not
open). The chain hash and Merkle leaf of each event cover the ciphertext. Keys live
in `es_person_keys`, never in the event table; one is made (and committed) just
before a person's data is first appended. Which fields are whose is declared once,
in `domain/personal_data.py`, which sealing and the masking above both read.

A person is named within a tenant:

| person id | who | sealed |
| --- | --- | --- |
| `member:<member id>` | a party member (a transferred member has a new id in each community: forget each) | name, work unit, year-review feedback |
| `resident:<resident id>` | a resident who rates commitments | comments (the resident id, the id their data is filed under, stays) |
| `unit:<unit id>:representative:<version>`, `unit:<unit id>:liaison:<version>` | the person one appointment names; `version` is the unit's version after it, as the unit's `history` shows | name and telephone |
| `attendee:<meeting id>:<unit id>` | whoever signed in for the unit at the meeting | name |

`gongjian forget --tenant T --person P [--reason R]` (an operator's command, run as
the application's role; not exposed over HTTP) destroys the person's key and writes
nothing to the log. In the same transaction it empties the tenant's read models,
which are then replayed: the person's fields read as `[已删除]` everywhere (records,
`history`, event `data`, `changes`; a contact as `{name: "[已删除]", phone: null}`),
for every reader, and the commands that load the person's record see the same.
Every chain, checkpoint and proof still verifies, since no stored byte changed. The
person's key row stays, without the key: data written for them later is stored
already erased. Evidence files' bytes are not sealed: a photo with a person's data is
removed from the evidence store by hand (docs/deployment.md); its digest stays in the
log. What remains: ids (of records, units, residents, meetings, and the
person id in each sealed field), non-personal fields, hashes and ciphertext. Events
stored in plaintext before sealing existed cannot be rewritten: they read as erased
like the rest, but their bytes stay in `es_events`. Text typed into fields that are
not personal data (minutes, service-log descriptions, reasons) is not erased.

`gongjian restrict --tenant T --person P --reason R` marks the person's data storage
only (PIPL art. 47 ¶2: the law or a retention period forbids deletion, or deletion is
technically impossible): the key and the data are kept, every read and every command
shows `[已限制处理]` instead, and an export carries only ciphertext (keys are never
exported). The mark is never lifted: processing may not resume, and the mark ends
only by `forget` once deletion is allowed.

Every process of the platform honours a forget: projection re-checks the keys with
every batch and refuses to write rows read with a key since destroyed; a process's
commands trust the keys they read for at most 2 seconds (`person_keys.MAX_AGE`),
then drop their cached records if anyone became unreadable; cached GraphQL answers
count the erased and restricted persons, so none read earlier is served again.

A destroyed key's bytes outlive the update that destroys it, so `forget` also purges
them from the database's own files where it can: on SQLite it zeroes the freed space
and empties the WAL; on PostgreSQL, run as the tables' owner, it waits (10 seconds at
most) until no transaction on the server is older than the erasure, then rewrites the
table (`VACUUM FULL es_person_keys`: a plain VACUUM frees the old row version without
overwriting it). When it cannot (run as the application's role, or an older
transaction outlasts the wait) it says so: run `VACUUM FULL es_person_keys` as the
owner later. WAL archives, backups and replicas keep the key until they age out:
keep them short-lived, and after restoring one, forget again every person erased
since it was taken (`SELECT tenant_id, person_id FROM es_person_keys WHERE key IS
NULL`, kept elsewhere).
"""


def security_markdown() -> str:
    """The policy table, one row per command, then how erasure works."""
    rows = []
    for name, grants in POLICY.items():
        who = "; ".join(
            f"{g.role.value} ({', '.join(sorted(r.value for r in g.relations))}"
            + (", own record only" if g.bound else "")
            + ")"
            for g in grants
        )
        rows.append(f"| `{name}` | {who} |\n")
    return SECURITY_HEADER + "".join(rows) + READS_HEADER + "".join(_read_rows()) + SECURITY_ERASURE


READS_HEADER = """
Reads beyond GraphQL have a table of their own (`tenants/pipeline/read_policy.py`),
with the same answers: 403 where the caller may read the tenant, 404 where it may not.

| read | who may make it |
| --- | --- |
"""


def _read_rows() -> list[str]:
    return [
        f"| `{name}` | "
        + "; ".join(
            f"{g.role.value} ({', '.join(sorted(r.value for r in g.relations))})" for g in grants
        )
        + " |\n"
        for name, grants in READS.items()
    ]


def openapi_json() -> str:
    """The REST contract, as served at /openapi.json."""
    with TemporaryDirectory() as folder:  # the contract needs no data: an empty file
        platform = Platform(make_engine(f"sqlite:///{folder}/openapi.db"))
        contract = create_app(platform).openapi()
        platform.close()
    return json.dumps(contract, ensure_ascii=False, indent=1, sort_keys=True) + "\n"


if __name__ == "__main__":
    (DOCS / "errors.md").write_text(errors_markdown())
    (DOCS / "schema.graphql").write_text(schema.as_str() + "\n")
    (DOCS / "security.md").write_text(security_markdown())
    (DOCS / "openapi.json").write_text(openapi_json())
    print("wrote docs/errors.md, docs/schema.graphql and docs/openapi.json")
