// Checking a tenant's verifiable history in the browser, with no trust in the page's
// server beyond the public key it publishes (docs/verification.md): a checkpoint's
// Ed25519 signature, an event's RFC 9162 inclusion proof and the consistency proof
// between two checkpoints. WebCrypto does the hashing and the signature; where the
// browser lacks it (a plain-HTTP intranet address is not a secure context), each
// check answers null: "could not check here", never "valid".

const subtle = globalThis.crypto?.subtle;

const hex = (text) => Uint8Array.from(text.match(/../g) || [], (pair) => parseInt(pair, 16));
const same = (a, b) => a.length === b.length && a.every((byte, i) => byte === b[i]);

async function sha256(...parts) {
  const joined = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const part of parts) {
    joined.set(part, at);
    at += part.length;
  }
  return new Uint8Array(await subtle.digest("SHA-256", joined));
}

const node = (left, right) => sha256(Uint8Array.of(1), left, right);

let published = null;
/** The platform's public keys by key id (/.well-known/gongjian-keys, no token). */
async function keys() {
  if (!published) {
    published = fetch("/.well-known/gongjian-keys").then((answer) => answer.json())
      .then((body) => new Map(body.keys.map((k) => [k.kid, k])));
  }
  return published;
}

/** Does the checkpoint's signature hold, for this tenant and these very values?
 * true, false, or null (no WebCrypto Ed25519 here). */
export async function signatureHolds(checkpoint, tenantId) {
  if (!subtle) return null;
  const lines = checkpoint.signedMessage.split("\n");
  const says = lines[0] === "gongjian-checkpoint/v1" && lines[1] === tenantId && lines[2] === String(checkpoint.size)
    && lines[3] === checkpoint.headHash && lines[4] === checkpoint.root;
  if (!says) return false;
  const key = (await keys()).get(checkpoint.keyId);
  if (!key) return false;
  try {
    const raw = Uint8Array.from(atob(key.public_key), (c) => c.charCodeAt(0));
    const imported = await subtle.importKey("raw", raw, { name: "Ed25519" }, false, ["verify"]);
    return await subtle.verify({ name: "Ed25519" }, imported, hex(checkpoint.signature),
      new TextEncoder().encode(checkpoint.signedMessage));
  } catch (error) {
    if (error?.name === "NotSupportedError") return null;
    return false;
  }
}

/** Does the inclusion proof lead from the event's leaf to ``root`` (RFC 9162 2.1.3.2)? */
export async function inclusionHolds(proof, root) {
  if (!subtle) return null;
  let fn = proof.leafIndex;
  let sn = proof.treeSize - 1;
  if (fn > sn) return false;
  let r = hex(proof.leafHash);
  for (const p of proof.path.map(hex)) {
    if (sn === 0) return false;
    if (fn % 2 === 1 || fn === sn) {
      r = await node(p, r);
      while (fn % 2 === 0 && fn !== 0) {
        fn = Math.floor(fn / 2);
        sn = Math.floor(sn / 2);
      }
    } else {
      r = await node(r, p);
    }
    fn = Math.floor(fn / 2);
    sn = Math.floor(sn / 2);
  }
  return sn === 0 && same(r, hex(root));
}

/** Does the tree of ``toSize`` events extend the one of ``fromSize`` (RFC 9162 2.1.4.2)? */
export async function consistencyHolds(proof) {
  if (!subtle) return null;
  const first = hex(proof.fromRoot);
  const second = hex(proof.toRoot);
  let path = proof.proof.map(hex);
  if (proof.fromSize === proof.toSize) return path.length === 0 && same(first, second);
  if ((proof.fromSize & (proof.fromSize - 1)) === 0) path = [first, ...path];
  if (!path.length) return false;
  let fn = proof.fromSize - 1;
  let sn = proof.toSize - 1;
  while (fn % 2 === 1) {
    fn = Math.floor(fn / 2);
    sn = Math.floor(sn / 2);
  }
  let fr = path[0];
  let sr = path[0];
  for (const c of path.slice(1)) {
    if (sn === 0) return false;
    if (fn % 2 === 1 || fn === sn) {
      fr = await node(c, fr);
      sr = await node(c, sr);
      while (fn % 2 === 0 && fn !== 0) {
        fn = Math.floor(fn / 2);
        sn = Math.floor(sn / 2);
      }
    } else {
      sr = await node(sr, c);
    }
    fn = Math.floor(fn / 2);
    sn = Math.floor(sn / 2);
  }
  return sn === 0 && same(fr, first) && same(sr, second);
}
