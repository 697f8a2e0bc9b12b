// Amplify JS v6 (unchanged, from npm) against the embedded pool: signUp, resendSignUpCode,
// confirmSignUp with the outbox code, a wrong password, signIn (SRP, then USER_PASSWORD_AUTH),
// getCurrentUser, fetchUserAttributes, fetchAuthSession (+ forceRefresh), signOut (local with
// RevokeToken, then global), and an unconfirmed user's CONFIRM_SIGN_UP step.
//
// Not run by `cargo test` (it needs npm): run it by hand with
//   mkdir /tmp/amp && cd /tmp/amp && npm init -y && npm install aws-amplify@6
//   cp <repo>/tests/interop/amplify_signin.mjs . && EP=http://127.0.0.1:9229 node amplify_signin.mjs
// against `cognito-tui serve`. Exits non-zero on the first failure.
import { Amplify } from 'aws-amplify';
import { signUp, confirmSignUp, signIn, signOut, fetchAuthSession, getCurrentUser, fetchUserAttributes, resendSignUpCode } from 'aws-amplify/auth';

const endpoint = process.env.EP;
Amplify.configure({
  Auth: { Cognito: { userPoolId: 'us-east-1_cognitotui', userPoolClientId: 'democlientcognitotui000001', userPoolEndpoint: endpoint,
    loginWith: { username: true } } },
});
const log = (...a) => console.log(...a);
const name = 'amp' + Math.floor(Math.random() * 1e6);
const pw = 'Amp-Passw0rd!';
try {
  let r = await signUp({ username: name, password: pw, options: { userAttributes: { email: name + '@example.org' } } });
  log('signUp', JSON.stringify(r.nextStep), r.isSignUpComplete);
  r = await resendSignUpCode({ username: name });
  log('resend', JSON.stringify(r));
  const outbox = await (await fetch(endpoint + '/_local/outbox')).json();
  const code = outbox.filter(e => e.username === name).pop().code;
  r = await confirmSignUp({ username: name, confirmationCode: code });
  log('confirm', JSON.stringify(r.nextStep), r.isSignUpComplete);
  try { await signIn({ username: name, password: 'Wrong-Passw0rd!' }); log('WRONG PASSWORD ACCEPTED'); process.exit(1); }
  catch (e) { log('wrong pw:', e.name, e.message); }
  r = await signIn({ username: name, password: pw });
  log('signIn', JSON.stringify(r.nextStep), r.isSignedIn);
  const u = await getCurrentUser();
  log('currentUser', u.username, u.userId);
  log('attrs', JSON.stringify(await fetchUserAttributes()));
  let s = await fetchAuthSession();
  log('session has tokens', !!s.tokens?.accessToken, s.tokens?.idToken?.payload['cognito:username']);
  s = await fetchAuthSession({ forceRefresh: true });
  log('refreshed', !!s.tokens?.accessToken);
  await signOut();
  log('signed out');
  r = await signIn({ username: name, password: pw, options: { authFlowType: 'USER_PASSWORD_AUTH' } });
  log('signIn USER_PASSWORD_AUTH', r.isSignedIn);
  await signOut({ global: true });
  log('global signed out');
  try { await signIn({ username: 'carol', password: 'DemoPassw0rd!' }); } catch (e) { log('carol', e.name); }
  r = await signIn({ username: 'carol', password: 'DemoPassw0rd!' }).catch(e => ({err: e.name}));
  log('carol again', JSON.stringify(r));
} catch (e) { log('ERROR', e.name, e.message, e.stack); process.exit(1); }
