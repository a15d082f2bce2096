// A real OpenID Connect provider for the Milepost test suite: node-oidc-provider (certified by the
// OpenID Foundation) on 127.0.0.1 and a free port. Started by tests/signin/conftest.py.
//
// Environment:
//   OIDC_CLIENTS  JSON list of clients to register (client_id, client_secret, redirect_uris)
//   OIDC_PORT     port to listen on (0 or unset: a free one)
// Prints "READY <issuer>" on stdout once it answers.
//
// Test-only additions (never part of a real provider):
//   POST /__test/accounts   JSON {sub, email, email_verified, name, id_token_mutation}: add or change
//                           an account; its login page answer is its `sub`.
//   id_token_mutation makes the token endpoint hand out a deliberately broken ID token for that
//   account, so the relying party's checks can be tested against the real endpoints:
//     wrong_audience | expired | tampered | wrong_issuer | wrong_nonce
import http from 'node:http';
import { once } from 'node:events';

import * as jose from 'jose';
import Provider from 'oidc-provider';

const clients = JSON.parse(process.env.OIDC_CLIENTS || '[]').map((c) => ({
  grant_types: ['authorization_code'],
  response_types: ['code'],
  token_endpoint_auth_method: 'client_secret_basic',
  ...c,
}));
const accounts = new Map();

const { privateKey } = await jose.generateKeyPair('RS256', { extractable: true });
const signingJwk = { ...(await jose.exportJWK(privateKey)), kid: 'test-key-1', alg: 'RS256', use: 'sig' };

const server = http.createServer();
server.listen(Number(process.env.OIDC_PORT || 0), '127.0.0.1');
await once(server, 'listening');
const issuer = `http://127.0.0.1:${server.address().port}`;

const provider = new Provider(issuer, {
  clients,
  jwks: { keys: [signingJwk] },
  cookies: { keys: ['milepost-test-provider-cookie-key'] },
  claims: { openid: ['sub'], email: ['email', 'email_verified'], profile: ['name'] },
  // Put the scope claims in the ID token itself, as Google and Microsoft do.
  conformIdTokenClaims: false,
  features: { devInteractions: { enabled: false } },
  pkce: { required: () => true }, // proves the relying party always sends a S256 challenge
  interactions: { url: (ctx, interaction) => `/interaction/${interaction.uid}` },
  async findAccount(ctx, id) {
    const account = accounts.get(id);
    if (!account) return undefined;
    return {
      accountId: id,
      async claims() {
        return { sub: id, email: account.email, email_verified: account.email_verified, name: account.name };
      },
    };
  },
});

// Post-process the token endpoint's answer for accounts marked with a mutation.
provider.use(async (ctx, next) => {
  await next();
  if (ctx.path !== '/token' || ctx.status !== 200 || !ctx.body || !ctx.body.id_token) return;
  const token = ctx.body.id_token;
  const claims = jose.decodeJwt(token);
  const mutation = accounts.get(claims.sub)?.id_token_mutation;
  if (!mutation) return;
  const now = Math.floor(Date.now() / 1000);
  const resign = (changes) => new jose.SignJWT({ ...claims, ...changes })
    .setProtectedHeader({ alg: 'RS256', kid: signingJwk.kid })
    .sign(privateKey);
  if (mutation === 'tampered') {
    // Change the payload, keep the provider's original signature.
    const [header, , signature] = token.split('.');
    const payload = Buffer.from(JSON.stringify({ ...claims, email: 'someone.else@district.example' })).toString('base64url');
    ctx.body = { ...ctx.body, id_token: `${header}.${payload}.${signature}` };
  } else if (mutation === 'wrong_audience') {
    ctx.body = { ...ctx.body, id_token: await resign({ aud: 'some-other-app', azp: 'some-other-app' }) };
  } else if (mutation === 'expired') {
    ctx.body = { ...ctx.body, id_token: await resign({ iat: now - 7200, exp: now - 3600 }) };
  } else if (mutation === 'wrong_issuer') {
    ctx.body = { ...ctx.body, id_token: await resign({ iss: 'http://127.0.0.1:1' }) };
  } else if (mutation === 'wrong_nonce') {
    ctx.body = { ...ctx.body, id_token: await resign({ nonce: 'not-the-nonce-that-was-sent' }) };
  }
});

const callback = provider.callback();

function page(res, status, html) {
  res.statusCode = status;
  res.setHeader('Content-Type', 'text/html; charset=utf-8');
  res.end(`<!doctype html><html lang="en"><title>Test provider</title><body>${html}</body></html>`);
}

async function readBody(req) {
  const chunks = [];
  for await (const chunk of req) chunks.push(chunk);
  return Buffer.concat(chunks).toString();
}

async function interaction(req, res, uid, action) {
  const details = await provider.interactionDetails(req, res);
  if (details.uid !== uid) return page(res, 400, 'interaction mismatch');
  const { prompt, params, session } = details;
  if (prompt.name === 'login') {
    if (action !== 'login' || req.method !== 'POST') {
      return page(res, 200, `<h1>Sign in</h1><form method="post" action="/interaction/${uid}/login">
        <label for="login">Account</label><input id="login" name="login"><button>Sign in</button></form>`);
    }
    const login = new URLSearchParams(await readBody(req)).get('login');
    if (!accounts.has(login)) return page(res, 400, 'unknown account');
    return provider.interactionFinished(req, res, { login: { accountId: login } }, { mergeWithLastSubmission: false });
  }
  if (prompt.name === 'consent') {
    // Consent is auto-approved for every account of this test provider.
    let grant = details.grantId ? await provider.Grant.find(details.grantId) : undefined;
    if (!grant) grant = new provider.Grant({ accountId: session.accountId, clientId: params.client_id });
    if (prompt.details.missingOIDCScope) grant.addOIDCScope(prompt.details.missingOIDCScope.join(' '));
    if (prompt.details.missingOIDCClaims) grant.addOIDCClaims(prompt.details.missingOIDCClaims);
    const grantId = await grant.save();
    return provider.interactionFinished(req, res, { consent: { grantId } }, { mergeWithLastSubmission: true });
  }
  return page(res, 400, `unexpected prompt ${prompt.name}`);
}

server.on('request', async (req, res) => {
  try {
    const url = new URL(req.url, issuer);
    if (url.pathname === '/__test/accounts' && req.method === 'POST') {
      const account = JSON.parse(await readBody(req));
      accounts.set(account.sub, account);
      res.setHeader('Content-Type', 'application/json');
      res.end(JSON.stringify({ ok: true }));
      return;
    }
    const match = url.pathname.match(/^\/interaction\/([^/]+)(?:\/(login))?$/);
    if (match) {
      await interaction(req, res, match[1], match[2]);
      return;
    }
    callback(req, res);
  } catch (err) {
    console.error(err);
    if (!res.headersSent) page(res, 500, String(err && err.message));
  }
});

process.stdout.write(`READY ${issuer}\n`);
for (const signal of ['SIGTERM', 'SIGINT']) process.on(signal, () => server.close(() => process.exit(0)));
