#!/usr/bin/env bash
# The auditor's walkthrough (README, "An auditor's walkthrough"), against a running
# demo server (`bash scripts/run`): a checkpoint, an inclusion proof checked by hand,
# an as-of diff, an export, its offline verification, and a tampered copy failing.
# GONGJIAN_URL names the server (default http://127.0.0.1:8000); the CLI reads the
# same database as the server (GONGJIAN_DATABASE_URL, default ./gongjian.db).
set -euo pipefail
cd "$(dirname "$0")/.."
B=${GONGJIAN_URL:-http://127.0.0.1:8000}
T=fenglin-kangjian
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
BIN=${GONGJIAN_BIN:-.venv/bin}
GJ=$BIN/gongjian
PY=$BIN/python
DB=${GONGJIAN_DATABASE_URL:-sqlite:///./gongjian.db}
# The embedded demo keeps its signing key next to the database file.
if [ -z "${GONGJIAN_SIGNING_KEY_FILE:-}" ] && [ -f "${DB#sqlite:///}.signing-key.pem" ]; then
  export GONGJIAN_SIGNING_KEY_FILE="${DB#sqlite:///}.signing-key.pem"
fi
AUDITOR="Authorization: Bearer $($GJ token create --role auditor --tenant fenglin --user auditor-li --expires-days 1 | tail -1)"
gql() {
  curl -sf -X POST "$B/graphql" -H 'Content-Type: application/json' -H "$AUDITOR" \
    -d "$($PY -c 'import json,sys;print(json.dumps({"query":sys.argv[1]}))' "$1")"
}

echo "== 1. The published key, and a checkpoint of every log that moved"
curl -sf "$B/.well-known/gongjian-keys" > "$WORK/keys.json"
cat "$WORK/keys.json"; echo
$GJ checkpoint

echo "== 2. An inclusion proof of the community's first event, checked by hand"
gql "{ tenant(id: \"$T\") { checkpoints(first: 1) { nodes { size root keyId signature signedMessage } }
  events(first: 1) { nodes { position type proof { leafIndex treeSize leafHash root path } } } } }" > "$WORK/proof.json"
$PY - "$WORK/proof.json" "$WORK/keys.json" <<'EOF'
import base64, hashlib, json, sys
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

tenant = json.load(open(sys.argv[1]))["data"]["tenant"]
keys = {k["kid"]: k for k in json.load(open(sys.argv[2]))["keys"]}
cp = tenant["checkpoints"]["nodes"][0]
key = Ed25519PublicKey.from_public_bytes(base64.b64decode(keys[cp["keyId"]]["public_key"]))
key.verify(bytes.fromhex(cp["signature"]), cp["signedMessage"].encode())  # raises if forged
event = tenant["events"]["nodes"][0]
p = event["proof"]
H = lambda b: hashlib.sha256(b).digest()
fn, sn, r = p["leafIndex"], p["treeSize"] - 1, bytes.fromhex(p["leafHash"])
for h in map(bytes.fromhex, p["path"]):  # RFC 9162 section 2.1.3.2
    if fn & 1 or fn == sn:
        r = H(b"\x01" + h + r)
        while not fn & 1 and fn:
            fn, sn = fn >> 1, sn >> 1
    else:
        r = H(b"\x01" + r + h)
    fn, sn = fn >> 1, sn >> 1
assert sn == 0 and r == bytes.fromhex(cp["root"]) == bytes.fromhex(p["root"]), "not included"
print(f"checkpoint {cp['size']} signed by {cp['keyId']}: signature holds")
print(f"event {event['position']} ({event['type']}) is leaf {p['leafIndex']} of that tree: "
      f"{len(p['path'])} hashes prove it")
EOF

echo "== 3. What changed between two positions (an as-of diff)"
gql "{ tenant(id: \"$T\") { changes(fromPosition: 20, toPosition: 40, first: 3) { totalCount
  nodes { table recordId fields { field before after } } } } }"; echo

echo "== 4. The auditor exports the community's log"
curl -sf "$B/tenants/$T/export" -H "$AUDITOR" -o "$WORK/$T.gongjian-export"
ls -l "$WORK/$T.gongjian-export"

echo "== 5. Verified offline, against the key published in step 1"
$GJ verify-export "$WORK/$T.gongjian-export" --keys "$WORK/keys.json"

echo "== 6. A tampered copy (one byte of the last event changed) fails"
cp "$WORK/$T.gongjian-export" "$WORK/tampered.gongjian-export"
$PY - "$WORK/tampered.gongjian-export" <<'EOF'
import sys
path = sys.argv[1]
data = bytearray(open(path, "rb").read())
data[-2] ^= 0x01  # inside the last event's state
open(path, "wb").write(bytes(data))
EOF
if $GJ verify-export "$WORK/tampered.gongjian-export" --keys "$WORK/keys.json"; then
  echo "the tampered export verified: this must not happen" >&2
  exit 1
fi
echo "== the tampered export was refused, naming where it breaks"
