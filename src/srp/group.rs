//! Cognito's group for the `srp` crate (RustCrypto, on constant-time crypto-bigint), and the
//! group arithmetic both sides need. Everything Cognito-specific (k, u, x, the HKDF and the
//! claim) stays in `mod.rs`; this file only exponentiates.
//!
//! - client: `A = g^a` ([`srp::Client::compute_public_ephemeral`]), `v = g^x`
//!   ([`srp::Client::compute_g_x`]) and `S = (B − k·g^x)^(a + u·x)`
//!   ([`srp::Client::compute_premaster_secret`]);
//! - server: `B = k·v + g^b` ([`srp::Server::compute_b_pub`]) and `S = (A·v^u)^b`
//!   ([`srp::Server::compute_premaster_secret`]).
//!
//! The crate's exponentiation takes time proportional to the exponent's storage size, not its
//! value; our private exponents are 256 bits (see the module docs of `srp`), so each of those
//! costs a 256-bit window walk over 3072-bit Montgomery products.

use std::sync::LazyLock;

use sha2_srp::Sha256;
use srp::bigint::U3072;
use srp::bigint::modular::{BoxedMontyParams, ConstMontyForm};

use super::num::BigUint;

/// RFC 3526 3072-bit MODP prime, as Cognito uses it.
pub const N_HEX: &str = concat!(
    "FFFFFFFFFFFFFFFFC90FDAA22168C234C4C6628B80DC1CD129024E088A67CC74020BBEA63B139B22514A08798E3404DD",
    "EF9519B3CD3A431B302B0A6DF25F14374FE1356D6D51C245E485B576625E7EC6F44C42E9A637ED6B0BFF5CB6F406B7ED",
    "EE386BFB5A899FA5AE9F24117C4B1FE649286651ECE45B3DC2007CB8A163BF0598DA48361C55D39A69163FA8FD24CF5F",
    "83655D23DCA3AD961C62F356208552BB9ED529077096966D670C354E4ABC9804F1746C08CA18217C32905E462E36CE3B",
    "E39E772C180E86039B2783A2EC07A28FB5C55DF06F4C52C9DE2BCBF6955817183995497CEA956AE515D2261898FA0510",
    "15728E5A8AAAC42DAD33170D04507A33A85521ABDF1CBA64ECFB850458DBEF0A8AEA71575D060C7DB3970F85A6E1E4C7",
    "ABF5AE8CDB0933D71E8C94E04A25619DCEE3D2261AD2EE6BF12FFA06D98A0864D87602733EC86A64521F2B18177B200C",
    "BBE117577A615D6C770988C0BAD946E208E24FA074E5AB3143DB5BFCE0FD108E4B82D120A93AD2CAFFFFFFFFFFFFFFFF",
);

srp::bigint::const_monty_params!(
    CognitoModulus,
    U3072,
    N_HEX,
    "N as crypto-bigint Montgomery parameters, computed at compile time"
);

/// Cognito's SRP group: the RFC 3526 3072-bit prime with g = 2. (The `srp` crate's own
/// `G3072` is RFC 5054's, which uses the same prime with g = 5.)
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct CognitoGroup;

impl srp::Group for CognitoGroup {
    type Element = ConstMontyForm<CognitoModulus, { U3072::LIMBS }>;
    const G: Self::Element = ConstMontyForm::new(&U3072::from_u8(2));
}

/// The `srp` crate's client and server for Cognito's group. The digest parameter is only used
/// by the crate's RFC 5054 proofs, which Cognito does not have; we never call them.
type Client = srp::Client<CognitoGroup, Sha256>;
type Server = srp::Server<CognitoGroup, Sha256>;

static CLIENT: LazyLock<Client> = LazyLock::new(Client::new);
static SERVER: LazyLock<Server> = LazyLock::new(Server::new);
static PARAMS: LazyLock<BoxedMontyParams> =
    LazyLock::new(|| <CognitoGroup as srp::Group>::generator().params().clone());

/// Bits of storage of N: values are widened to this before they enter Montgomery form.
const N_BITS: u32 = U3072::BITS;

static N: LazyLock<BigUint> = LazyLock::new(|| BigUint::from_boxed((**PARAMS.modulus()).clone()));

/// N.
pub(super) fn modulus() -> &'static BigUint {
    &N
}

/// The generator g = 2.
pub(super) fn generator() -> BigUint {
    BigUint::from_boxed(<CognitoGroup as srp::Group>::generator().retrieve())
}

/// A value reduced into [0, N) and stored at N's size, as the crate's Montgomery form expects
/// (it would otherwise truncate a wider value).
fn reduced(v: &BigUint) -> srp::bigint::BoxedUint {
    (v % &N).widened(N_BITS)
}

/// `A = g^a mod N`.
pub(super) fn client_public(a: &BigUint) -> BigUint {
    BigUint::from_bytes_be(&CLIENT.compute_public_ephemeral(&a.as_boxed().to_be_bytes()))
}

/// `g^x mod N` (a verifier, or the `g^x` inside the client's S).
pub(super) fn g_pow(x: &BigUint) -> BigUint {
    BigUint::from_boxed(CLIENT.compute_g_x(x.as_boxed()))
}

/// The client's `S = (B − k·g^x)^(a + u·x) mod N`.
pub(super) fn client_premaster(
    b_pub: &BigUint,
    k: &BigUint,
    x: &BigUint,
    a: &BigUint,
    u: &BigUint,
) -> BigUint {
    BigUint::from_boxed(CLIENT.compute_premaster_secret(
        &reduced(b_pub),
        &reduced(k),
        x.as_boxed(),
        a.as_boxed(),
        u.as_boxed(),
    ))
}

/// The server's `B = k·v + g^b mod N`.
pub(super) fn server_public(b: &BigUint, k: &BigUint, v: &BigUint) -> BigUint {
    BigUint::from_boxed(SERVER.compute_b_pub(b.as_boxed(), &reduced(k), &reduced(v)))
}

/// The server's `S = (A·v^u)^b mod N`.
pub(super) fn server_premaster(a_pub: &BigUint, v: &BigUint, u: &BigUint, b: &BigUint) -> BigUint {
    BigUint::from_boxed(SERVER.compute_premaster_secret(
        &reduced(a_pub),
        &reduced(v),
        u.as_boxed(),
        b.as_boxed(),
    ))
}
