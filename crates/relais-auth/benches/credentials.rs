//! What a sign-in costs the server: the Argon2id verification (the same for unknown accounts,
//! against the dummy hash), next to the other checks of a sign-in, in one run so that the
//! ratios hold on a noisy machine. `cargo bench -p relais-auth --bench credentials`.

use criterion::{Criterion, black_box, criterion_group, criterion_main};

use relais_auth::{password, recovery, secret, totp};

fn credentials(c: &mut Criterion) {
    let stored = password::hash("une longue phrase de passe");
    let mut g = c.benchmark_group("sign_in");
    g.sample_size(20);
    g.bench_function("argon2id_verify_known_account", |b| {
        b.iter(|| password::verify(black_box("une longue phrase de passe"), Some(&stored)))
    });
    g.bench_function("argon2id_verify_unknown_account_dummy", |b| {
        b.iter(|| password::verify(black_box("une longue phrase de passe"), None))
    });
    g.bench_function("check_new_password_common_list", |b| {
        b.iter(|| {
            password::check_new(
                black_box("une longue phrase de passe"),
                "claire@example.org",
            )
        })
    });
    let s = totp::new_secret();
    let now = chrono::Utc::now();
    let code = totp::code_at(&s, totp::step_of(now)).unwrap_or_default();
    g.bench_function("totp_verify_three_steps", |b| {
        b.iter(|| totp::verify(&s, black_box(&code), now))
    });
    g.bench_function("session_secret_sha256", |b| {
        let t = secret::new_secret();
        b.iter(|| secret::hash_secret(black_box(&t)))
    });
    g.bench_function("recovery_code_hash", |b| {
        b.iter(|| recovery::hash_code(black_box("abcde-fghjk")))
    });
    g.finish();
}

criterion_group!(benches, credentials);
criterion_main!(benches);
