// A real OpenID Connect provider for the single sign-on tests: panva's oidc-provider with its
// development log-in pages (any login name, any password). tests/accounts/conftest.py starts it
// on a free port:  node server.mjs <port>
//
// - One static client: id "maturity", secret "maturity-test-secret" (client_secret_basic/post).
// - Any login is an account: the login name is the e-mail address, verified; its "sub" is
//   "sub-" + the address. A login name starting with "slow-" gets an authorization code that
//   expires after one second (the expired-code test).
// - Redirect URIs: the client accepts any callback path under the prefixes in REDIRECT_PREFIXES
//   (comma-separated), since the Django test servers' ports are chosen at random.
import { createServer } from 'node:http';

import Provider from 'oidc-provider';

const port = Number(process.argv[2] || process.env.PORT || 0);
const host = process.env.OIDC_HOST || '127.0.0.1';
const issuer = process.env.OIDC_ISSUER || `http://${host}:${port}`;
const prefixes = (process.env.REDIRECT_PREFIXES || 'http://testserver/').split(',');

const configuration = {
  clients: [
    {
      client_id: 'maturity',
      client_secret: 'maturity-test-secret',
      redirect_uris: ['http://testserver/accounts/oidc/placeholder/login/callback/'],
      grant_types: ['authorization_code'],
      response_types: ['code'],
    },
  ],
  async findAccount(ctx, id) {
    const email = id.toLowerCase();
    return {
      accountId: id,
      async claims() {
        const name = email.split('@')[0].replace(/^slow-/, '').replace(/[._-]/g, ' ');
        return { sub: `sub-${email}`, email, email_verified: true, name };
      },
    };
  },
  claims: { openid: ['sub'], email: ['email', 'email_verified'], profile: ['name'] },
  features: { devInteractions: { enabled: true } },
  // First-party client: no consent page; the grant is made at log-in.
  async loadExistingGrant(ctx) {
    const grant = new ctx.oidc.provider.Grant({
      clientId: ctx.oidc.client.clientId,
      accountId: ctx.oidc.session.accountId,
    });
    grant.addOIDCScope('openid email profile');
    await grant.save();
    return grant;
  },
  ttl: {
    AccessToken: 600,
    IdToken: 600,
    Grant: 600,
    Interaction: 600,
    Session: 600,
    AuthorizationCode(ctx, code) {
      return String(code.accountId || '').startsWith('slow-') ? 1 : 60;
    },
  },
  cookies: { keys: ['maturity-oidc-test-cookie-key'] },
};

const provider = new Provider(issuer, configuration);
const allowed = (uri) => prefixes.some((prefix) => uri.startsWith(prefix));
provider.Client.prototype.redirectUriAllowed = function redirectUriAllowed(uri) {
  return allowed(uri);
};

const server = createServer(provider.callback());
server.listen(port, host, () => {
  console.log(`oidc-provider listening on ${issuer}`);
});
