// Verifies a credential's embedded Data Integrity proof the way a wallet does: @digitalbazaar/vc with
// the eddsa-rdfc-2022 cryptosuite. Input on stdin: {"credential": {...}, "did": {...did.json...}}.
// The document loader is offline: the JSON-LD contexts from their npm packages (and the CLR context
// bundled by make install), and the issuer's DID document given on stdin. Prints {"verified": bool, ...}.
'use strict';
const fs = require('fs');
const path = require('path');
const vc = require('@digitalbazaar/vc');
const {DataIntegrityProof} = require('@digitalbazaar/data-integrity');
const {cryptosuite} = require('@digitalbazaar/eddsa-rdfc-2022-cryptosuite');

const root = path.resolve(__dirname, '..', '..', '..');
const bundle = JSON.parse(fs.readFileSync(
  process.env.MILEPOST_CREDENTIAL_CONTEXTS || path.join(root, 'node_modules', '.milepost-jsonld-contexts.json')));

async function main() {
  const input = JSON.parse(fs.readFileSync(0, 'utf8'));
  const did = input.did;
  const documentLoader = async url => {
    if(bundle.contexts[url]) {
      return {contextUrl: null, documentUrl: url, document: bundle.contexts[url]};
    }
    const [base] = url.split('#');
    if(base === did.id) {
      if(url === base) {
        return {contextUrl: null, documentUrl: url, document: did};
      }
      const method = did.verificationMethod.find(m => m.id === url);
      if(method) {
        return {contextUrl: null, documentUrl: url,
          document: {'@context': 'https://w3id.org/security/multikey/v1', ...method}};
      }
    }
    throw new Error(`offline: no document for ${url}`);
  };
  const suite = new DataIntegrityProof({cryptosuite});
  const result = await vc.verifyCredential({credential: input.credential, suite, documentLoader,
    checkStatus: async () => ({verified: true})});
  const errors = [];
  const collect = e => { if(e) { errors.push(e.message || String(e)); (e.errors || []).forEach(collect); } };
  collect(result.error);
  (result.results || []).forEach(r => collect(r.error));
  console.log(JSON.stringify({verified: result.verified, errors}));
}
main().catch(e => { console.log(JSON.stringify({verified: false, errors: [e.message]})); });
