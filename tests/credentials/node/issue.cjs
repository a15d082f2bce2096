// An outside test issuer signing with the npm tools: makes an Ed25519 Multikey for did:web:<host>,
// signs the credential on stdin ({"credential": {...}, "host": "issuer.example"}) with
// @digitalbazaar/vc and the eddsa-rdfc-2022 cryptosuite, and prints {"credential", "did"}. Offline:
// contexts come from the bundle that make install gathers from the npm packages.
'use strict';
const fs = require('fs');
const path = require('path');
const vc = require('@digitalbazaar/vc');
const Ed25519Multikey = require('@digitalbazaar/ed25519-multikey');
const {DataIntegrityProof} = require('@digitalbazaar/data-integrity');
const {cryptosuite} = require('@digitalbazaar/eddsa-rdfc-2022-cryptosuite');

const root = path.resolve(__dirname, '..', '..', '..');
const bundle = JSON.parse(fs.readFileSync(
  process.env.MILEPOST_CREDENTIAL_CONTEXTS || path.join(root, 'node_modules', '.milepost-jsonld-contexts.json')));

async function main() {
  const input = JSON.parse(fs.readFileSync(0, 'utf8'));
  const did = `did:web:${input.host}`;
  const key = await Ed25519Multikey.generate({controller: did});
  key.id = `${did}#${key.publicKeyMultibase}`;
  const method = {id: key.id, type: 'Multikey', controller: did, publicKeyMultibase: key.publicKeyMultibase};
  const didDocument = {'@context': ['https://www.w3.org/ns/did/v1', 'https://w3id.org/security/multikey/v1'],
    id: did, verificationMethod: [method], assertionMethod: [key.id]};
  const documentLoader = async url => {
    if(bundle.contexts[url]) {
      return {contextUrl: null, documentUrl: url, document: bundle.contexts[url]};
    }
    throw new Error(`offline: no document for ${url}`);
  };
  const suite = new DataIntegrityProof({signer: key.signer(), cryptosuite});
  const credential = await vc.issue({credential: input.credential, suite, documentLoader});
  console.log(JSON.stringify({credential, did: didDocument}));
}
main().catch(e => { console.error(e); process.exit(1); });
