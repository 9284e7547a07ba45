// A real OpenID provider for the single sign-on tests: the npm package oidc-provider, with one
// client (PKCE required), a few accounts and a sign-in page that a plain form POST completes.
//
// Environment: OIDC_MODULES (the node_modules folder holding oidc-provider), PORT, CLIENT_ID,
// CLIENT_SECRET, REDIRECT_URIS (comma-separated), optionally EXTRA_ACCOUNTS (JSON: sub -> claims).
// It prints "ready" when it listens.
//
// Test switch: POST /test/next-id-token with a body of one word makes the next ID token the
// token endpoint returns wrong in that way, re-signed with the provider's own key:
//   aud     (for another client)   iss (from another issuer)   exp (expired an hour ago)
//   sig     (signed with a key the provider does not publish)
import http from 'node:http';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

const modules = process.env.OIDC_MODULES;
const load = (path) => import(pathToFileURL(join(modules, path)).href);
const { default: Provider } = await load('oidc-provider/lib/index.js');
const jose = await load('jose/dist/node/esm/index.js');

const port = Number(process.env.PORT);
const issuer = `http://127.0.0.1:${port}`;

// sub -> claims. The accounts the tests sign in as.
const ACCOUNTS = {
  'ada-1': { email: 'ada.lovelace@demo-school.example', email_verified: true, name: 'Ada Lovelace' },
  'una-2': { email: 'una.verified@demo-school.example', email_verified: false, name: 'Una Verified' },
  'nina-3': { email: 'nina.nowhere@no-school.example', email_verified: true, name: 'Nina Nowhere' },
  'omar-4': { email: 'omar.other@other-school.example', email_verified: true, name: 'Omar Other' },
  'newt-5': { email: 'newt.newcomer@demo-school.example', email_verified: true, name: 'Newt Newcomer' },
  ...JSON.parse(process.env.EXTRA_ACCOUNTS || '{}'),
};

const signingKey = await jose.generateKeyPair('RS256', { extractable: true });
const strangerKey = await jose.generateKeyPair('RS256');
const privateJwk = { ...(await jose.exportJWK(signingKey.privateKey)), kid: 'test-key', alg: 'RS256', use: 'sig' };

const provider = new Provider(issuer, {
  clients: [{
    client_id: process.env.CLIENT_ID,
    client_secret: process.env.CLIENT_SECRET,
    redirect_uris: process.env.REDIRECT_URIS.split(','),
    grant_types: ['authorization_code'],
    response_types: ['code'],
  }],
  pkce: { methods: ['S256'], required: () => true },
  jwks: { keys: [privateJwk] },
  cookies: { keys: ['oidc-test-cookie-key'] },
  claims: { amr: null, acr: null, auth_time: null, sid: null, openid: ['sub', 'amr', 'auth_time'], email: ['email', 'email_verified'], profile: ['name'] },
  conformIdTokenClaims: false, // the ID token carries the email, as Google's and Entra's do
  features: { devInteractions: { enabled: false } },
  interactions: { url: (ctx, interaction) => `/interaction/${interaction.uid}` },
  async findAccount(ctx, sub) {
    if (!ACCOUNTS[sub]) return undefined;
    return { accountId: sub, claims: async () => ({ sub, ...ACCOUNTS[sub] }) };
  },
  // No consent screen: the client is the site itself.
  async loadExistingGrant(ctx) {
    const grant = new ctx.oidc.provider.Grant({
      clientId: ctx.oidc.client.clientId, accountId: ctx.oidc.session.accountId,
    });
    grant.addOIDCScope('openid email profile');
    await grant.save();
    return grant;
  },
  renderError(ctx, out) {
    ctx.type = 'html';
    ctx.body = `<!doctype html><title>Error</title><h1>${out.error}</h1><p>${out.error_description || ''}</p>`;
  },
});
provider.proxy = false;

let nextIdToken = null;

provider.use(async (ctx, next) => {
  await next();
  if (ctx.path !== '/token' || !nextIdToken || !ctx.body || !ctx.body.id_token) return;
  const how = nextIdToken;
  nextIdToken = null;
  const claims = jose.decodeJwt(ctx.body.id_token);
  const now = Math.floor(Date.now() / 1000);
  let key = signingKey.privateKey;
  if (how === 'aud') claims.aud = 'another-client';
  if (how === 'iss') claims.iss = 'http://127.0.0.1:1';
  if (how === 'exp') Object.assign(claims, { iat: now - 7200, exp: now - 3600 });
  if (how === 'sig') key = strangerKey.privateKey;
  ctx.body = {
    ...ctx.body,
    id_token: await new jose.SignJWT(claims).setProtectedHeader({ alg: 'RS256', kid: 'test-key' }).sign(key),
  };
});

const escape = (s) => String(s).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

function loginPage(uid) {
  const options = Object.entries(ACCOUNTS)
    .map(([sub, a]) => `<option value="${sub}">${escape(a.name)} (${escape(a.email)})</option>`).join('');
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Test provider: sign in</title></head>
<body><main><h1>Test provider</h1>
<form method="post" action="/interaction/${uid}/login">
<label for="login">Account</label> <select id="login" name="login">${options}</select>
<label for="amr">Methods</label> <input id="amr" name="amr" value="pwd">
<button type="submit">Sign in to the test provider</button>
</form></main></body></html>`;
}

async function readForm(req) {
  let body = '';
  for await (const chunk of req) body += chunk;
  return new URLSearchParams(body);
}

const callback = provider.callback();

const server = http.createServer(async (req, res) => {
  try {
    const url = new URL(req.url, issuer);
    const match = url.pathname.match(/^\/interaction\/([^/]+)(\/login)?$/);
    if (url.pathname === '/test/next-id-token' && req.method === 'POST') {
      nextIdToken = (await readForm(req)).toString().replace(/=$/, '') || null;
      res.writeHead(204).end();
    } else if (match && !match[2] && req.method === 'GET') {
      const { uid } = await provider.interactionDetails(req, res);
      res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' }).end(loginPage(uid));
    } else if (match && match[2] && req.method === 'POST') {
      await provider.interactionDetails(req, res);
      const form = await readForm(req);
      const accountId = form.get('login');
      if (!ACCOUNTS[accountId]) {
        res.writeHead(400).end('unknown account');
        return;
      }
      const amr = (form.get('amr') || 'pwd').split(/[\s,]+/).filter(Boolean);
      await provider.interactionFinished(req, res, { login: { accountId, amr } },
        { mergeWithLastSubmission: false });
    } else {
      callback(req, res);
    }
  } catch (error) {
    res.writeHead(500).end(String(error));
  }
});

server.listen(port, '127.0.0.1', () => console.log('ready'));
process.on('SIGTERM', () => server.close(() => process.exit(0)));
