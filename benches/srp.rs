//! SRP cost per sign-in. Client: A = g^a plus the PASSWORD_VERIFIER claim (what a user waits for
//! on their own machine). Server: B plus verifying the claim (what the embedded pool pays).

use std::hint::black_box;

use base64::Engine as _;
use cognito_tui::srp::{
    ClientEphemeral, ServerEphemeral, compute_verifier, random_salt, server_verify_claim, to_hex,
};
use criterion::{Criterion, criterion_group, criterion_main};

const POOL: &str = "cognitotui";
const USER: &str = "alice";
const PASSWORD: &str = "Passw0rd!";
const TS: &str = "Mon Jan 6 09:05:03 UTC 2025";

fn bench(c: &mut Criterion) {
    let salt = random_salt();
    let v = compute_verifier(POOL, USER, PASSWORD, &salt);
    let block = vec![7u8; 64];
    let block_b64 = base64::engine::general_purpose::STANDARD.encode(&block);
    let server = ServerEphemeral::generate(&v);
    let b_hex = to_hex(server.public());
    let salt_hex = to_hex(&salt);

    c.bench_function("client: A + password claim", |b| {
        b.iter(|| {
            let client = ClientEphemeral::generate();
            let claim = client
                .password_claim(POOL, USER, PASSWORD, &salt_hex, &b_hex, &block_b64, TS)
                .unwrap();
            black_box((client.a_hex(), claim.signature))
        })
    });

    let client = ClientEphemeral::generate();
    let claim = client
        .password_claim(POOL, USER, PASSWORD, &salt_hex, &b_hex, &block_b64, TS)
        .unwrap();
    c.bench_function("server: B + verify claim", |b| {
        b.iter(|| {
            let s = ServerEphemeral::generate(&v);
            let ok = server_verify_claim(
                POOL,
                USER,
                &v,
                client.public(),
                server.private(),
                server.public(),
                &block,
                TS,
                &claim.signature,
            )
            .unwrap();
            black_box((s.public().bits(), ok))
        })
    });

    c.bench_function("server: verifier for a new password", |b| {
        b.iter(|| black_box(compute_verifier(POOL, USER, PASSWORD, &salt)))
    });
}

criterion_group!(benches, bench);
criterion_main!(benches);
