// A real OpenID provider on loopback for the SSO tests (tests/oidc_provider.py starts it).
//
// Environment: PORT (required), ISSUER (default http://127.0.0.1:PORT), REDIRECT_URIS and
// POST_LOGOUT_REDIRECT_URIS (comma-separated, for the client "skills"), CLIENT_SECRET,
// DISCOVERY_ISSUER (announce this issuer in the discovery document instead of the real
// one: a provider whose tokens carry another issuer than it says).
//
// The provider's own sign-in page is oidc-provider's development page: any login name
// and any password sign in. The login name is the account: its e-mail is the name when
// it holds an "@" (else name@example.test), verified unless the name starts with
// "unverified".
import Provider from 'oidc-provider';

const port = Number(process.env.PORT);
const issuer = process.env.ISSUER || `http://127.0.0.1:${port}`;
const list = (name) => (process.env[name] || '').split(',').filter(Boolean);

const client = {
  client_secret: process.env.CLIENT_SECRET || 'test-secret',
  redirect_uris: list('REDIRECT_URIS'),
  post_logout_redirect_uris: list('POST_LOGOUT_REDIRECT_URIS'),
  grant_types: ['authorization_code'],
  response_types: ['code'],
};

const configuration = {
  clients: [
    { ...client, client_id: 'skills' },
    // Its codes expire after one second: the tests of an expired code use it.
    { ...client, client_id: 'skills-short-codes' },
  ],
  claims: { openid: ['sub'], email: ['email', 'email_verified'] },
  features: {
    devInteractions: { enabled: true },
    rpInitiatedLogout: { enabled: true },
  },
  pkce: { required: () => false },
  cookies: { keys: ['test-only-cookie-key'] },
  ttl: {
    AuthorizationCode: (ctx, code, theClient) => (theClient.clientId === 'skills-short-codes' ? 1 : 60),
  },
  async findAccount(ctx, id) {
    const email = id.includes('@') ? id : `${id}@example.test`;
    return {
      accountId: id,
      async claims() {
        return { sub: id, email, email_verified: !id.startsWith('unverified') };
      },
    };
  },
};

const provider = new Provider(issuer, configuration);
if (process.env.DISCOVERY_ISSUER) {
  provider.use(async (ctx, next) => {
    await next();
    if (ctx.path === '/.well-known/openid-configuration' && ctx.body) {
      ctx.body = { ...ctx.body, issuer: process.env.DISCOVERY_ISSUER };
    }
  });
}
provider.listen(port, '127.0.0.1', () => {
  console.log(`oidc-provider listening on ${port}, issuer ${issuer}`);
});
