// Amplify JS v6 (npm `aws-amplify@6`, unchanged) and remembered devices, against
// `cognito-tui serve` through `Auth.Cognito.userPoolEndpoint`: signIn (Amplify confirms the
// new device itself), rememberDevice, signOut, signIn again with device SRP, fetchDevices,
// forgetDevice; then a device the pool no longer knows, which Amplify drops and signs in
// without.
//
// Environment:
//   POOL_ENDPOINT   base URL of the server (no trailing slash)
//   DEVICE_POOL_ID, DEVICE_CLIENT_ID   a pool that tracks devices (DeviceOnlyRememberedOnUserPrompt)
//   DEVICE_USER, DEVICE_PASSWORD       a confirmed user of that pool
//
// Prints one "ok: ..." line per check and "ALL OK" at the end; on the first failure prints
// "FAIL: ..." and exits 1. Never prints passwords, tokens or device secrets.
import { Amplify } from 'aws-amplify';
import {
  fetchAuthSession,
  fetchDevices,
  forgetDevice,
  rememberDevice,
  signIn,
  signOut,
} from 'aws-amplify/auth';
import { cognitoUserPoolsTokenProvider } from 'aws-amplify/auth/cognito';

function fail(msg) {
  console.log(`FAIL: ${msg}`);
  process.exit(1);
}

function env(name) {
  const v = process.env[name];
  if (!v) fail(`missing environment variable ${name}`);
  return v;
}

const ok = (msg) => console.log(`ok: ${msg}`);

const ENDPOINT = env('POOL_ENDPOINT').replace(/\/$/, '');
const POOL_ID = env('DEVICE_POOL_ID');
const CLIENT_ID = env('DEVICE_CLIENT_ID');
const USER = env('DEVICE_USER');
const PASSWORD = env('DEVICE_PASSWORD');

// Amplify names the device from `navigator` (Node 20 has none): a name a person would see.
if (typeof globalThis.navigator === 'undefined') {
  globalThis.navigator = { userAgent: 'cognito-tui interop (Node.js)' };
}

Amplify.configure({
  Auth: {
    Cognito: {
      userPoolId: POOL_ID,
      userPoolClientId: CLIENT_ID,
      userPoolEndpoint: ENDPOINT,
      loginWith: { username: true, email: false },
    },
  },
});

// A storage the test can read: where Amplify keeps the device's key.
const store = new Map();
cognitoUserPoolsTokenProvider.setKeyValueStorage({
  setItem: async (k, v) => void store.set(k, v),
  getItem: async (k) => (store.has(k) ? store.get(k) : null),
  removeItem: async (k) => void store.delete(k),
  clear: async () => store.clear(),
});

function stored(suffix) {
  for (const [k, v] of store) if (k.endsWith(`.${suffix}`)) return v;
  return null;
}

async function raw(operation, body) {
  const r = await fetch(`${ENDPOINT}/`, {
    method: 'POST',
    headers: {
      'content-type': 'application/x-amz-json-1.1',
      'x-amz-target': `AWSCognitoIdentityProviderService.${operation}`,
    },
    body: JSON.stringify(body),
  });
  return { status: r.status, body: await r.json() };
}

async function accessClaims() {
  const { tokens } = await fetchAuthSession();
  if (!tokens?.accessToken) fail('no access token after sign-in');
  return { token: tokens.accessToken.toString(), claims: tokens.accessToken.payload };
}

async function signInDone(what) {
  const r = await signIn({ username: USER, password: PASSWORD });
  if (!r.isSignedIn) fail(`${what}: not signed in, next step ${JSON.stringify(r.nextStep)}`);
}

try {
  // 1. First sign-in: the pool announces a new device; Amplify confirms it (ConfirmDevice).
  await signInDone('first signIn');
  const deviceKey = stored('deviceKey');
  const groupKey = stored('deviceGroupKey');
  if (!deviceKey || !groupKey || !stored('randomPasswordKey')) {
    fail('Amplify kept no device after the first sign-in (NewDeviceMetadata / ConfirmDevice)');
  }
  if (!/^[\w-]+_[0-9a-f-]+$/.test(deviceKey)) fail(`DeviceKey has Cognito's shape: ${deviceKey}`);
  let devices = await fetchDevices();
  if (devices.length !== 1 || devices[0].id !== deviceKey) {
    fail(`fetchDevices after the first sign-in: ${JSON.stringify(devices.map((d) => d.id))}`);
  }
  if (devices[0].attributes['dev:device_remembered_status'] !== 'not_remembered') {
    fail(`a device the user was not asked about is not remembered: ${JSON.stringify(devices[0].attributes)}`);
  }
  if (devices[0].name !== 'cognito-tui interop (Node.js)') fail(`device_name: ${devices[0].name}`);
  ok('signIn: NewDeviceMetadata, ConfirmDevice with the device verifier, not yet remembered');

  // 2. rememberDevice: UpdateDeviceStatus remembered.
  await rememberDevice();
  devices = await fetchDevices();
  if (devices[0].attributes['dev:device_remembered_status'] !== 'remembered') {
    fail(`rememberDevice: ${JSON.stringify(devices[0].attributes)}`);
  }
  ok('rememberDevice: the device is remembered');

  // 3. signOut keeps the device; the next signIn proves it with device SRP.
  await signOut();
  if (stored('deviceKey') !== deviceKey) fail('signOut dropped the device key');
  await signInDone('signIn with the remembered device');
  const { token, claims } = await accessClaims();
  if (claims.device_key !== deviceKey) {
    fail(`the access token names the device: ${claims.device_key}`);
  }
  if (stored('deviceKey') !== deviceKey) fail('device SRP sign-in replaced the device');
  ok('signIn again: DEVICE_SRP_AUTH, DEVICE_PASSWORD_VERIFIER, access token with device_key');

  // 4. fetchDevices: still one device, remembered, with its last sign-in.
  devices = await fetchDevices();
  if (devices.length !== 1 || !devices[0].lastAuthenticatedDate) {
    fail(`fetchDevices after device SRP: ${JSON.stringify(devices)}`);
  }
  ok('fetchDevices: the remembered device with its last authentication date');

  // 5. forgetDevice: ForgetDevice, and Amplify drops the device.
  await forgetDevice();
  devices = await fetchDevices();
  if (devices.length !== 0) fail(`forgetDevice left ${devices.length} device(s)`);
  if (stored('deviceKey')) fail('forgetDevice kept the device key in Amplify\'s storage');
  const gone = await raw('GetDevice', { AccessToken: token, DeviceKey: deviceKey });
  if (gone.status !== 400 || gone.body.__type !== 'ResourceNotFoundException'
      || gone.body.message !== 'Device does not exist.') {
    fail(`GetDevice of a forgotten device: ${gone.status} ${JSON.stringify(gone.body)}`);
  }
  ok('forgetDevice: ListDevices empty, GetDevice answers ResourceNotFoundException');

  // 6. A device forgotten behind Amplify's back: its sign-in is refused with "Device does not
  //    exist.", and Amplify retries without it and gets a new device.
  await signOut();
  await signInDone('signIn after forgetting (new device)');
  const second = stored('deviceKey');
  if (!second || second === deviceKey) fail('no new device after forgetDevice');
  const { token: t2 } = await accessClaims();
  const forgot = await raw('ForgetDevice', { AccessToken: t2, DeviceKey: second });
  if (forgot.status !== 200) fail(`raw ForgetDevice: ${forgot.status} ${JSON.stringify(forgot.body)}`);
  await signOut();
  await signInDone('signIn with a device the pool forgot');
  const third = stored('deviceKey');
  if (!third || third === second) fail('Amplify kept the forgotten device');
  ok('a device the pool forgot: ResourceNotFoundException, Amplify signs in again with a new device');

  await signOut();
  console.log('ALL OK');
  process.exit(0);
} catch (e) {
  fail(`${e?.name ?? 'Error'}: ${e?.message ?? e}`);
}
