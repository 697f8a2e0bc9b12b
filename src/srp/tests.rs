//! Known-answer vectors (PROTOCOL.md appendix A) and round trips.

use super::*;

fn a_dotnet() -> BigUint {
    let mut bytes = vec![0x02u8; 1024];
    bytes[1023] = 0;
    BigUint::from_bytes_be(&bytes)
}

const A1_B_KEY: &str = "8d340308265ada665b1b2c730fb65ff0b6dc746b63c2d7e9f08b8aa9306d4848268bc0c17ee4a2999173ca62af59fd74ba5d00f16c96bea082b163f2c3a0b745455d62cb9577425b4b5d4dadba163a8e7759a7c0256795f464682770588c84e82f2c63d4701751476da8e8a7b1a131e78560fe7b56b6761fcef88dcc486f403369a0cac2f04c25ed6d5e08b5a2f488500a0d5af4972cfa1213bfca37bbae189c8d58465b13193204f21ea01d267c7688e6e6cb5d3f5a8005db680d272308ee823816032dd2c8fc3b95b6fd0a742feb127e3d094cd002a5e6b209415ff82f6abf50d5da43910a0336e9a6fc33dd101bf13f22f13fcb3ea3809aae4917d7c426fb8c0a894030c75d3e15f0e1078a9d89e5154391cde6111ac14fab9fa3b3a880da7dbd47fd5a055937581d26b5d225c076e82f980dcbd77b3950d270d8b622dca9c9bcd8fd6435a59b9690b3c9e2bdabf58cae3420c19066abc420145b1b66f226a6493c96588c2d53b637798fcaa573379f2251848065fe1fafb68ed5e79135e9";
const A1_B_AUTH: &str = "f6c76f03232c3a93a634f5e49a74efbfffcd2b81f0dacb2bce0274ae68601b3d42a98feb96ba6a310cc2d4183edac62d571d0d220258d8753a80c4f8815a10953a21964f19c824916f46417f46d921d7956bf5c10c63e7b1c84ce6e2bc407b4e0a103a529313f439182c6450ed434d049e0d9dd5da8cf3a1d1f6f2839f55754a7b17444b8c55ff6b13bf63f61e473ad6fad9f4a1a0b2541b200de07c10296d679b36bf683245cee039842ad9579031e26cb0931ac202fe713fa2c64f920a9830722f708d5ede7ab0521363e45fb2ad0afefbd65264c39f46d0c4011e2e8dbf8d6c53764719599a359b17bcd4d7e37c76e9e68adde0dc586a29f835a2decab335a49408fbc8452d2696743f4465d12748851889d405d7287296e93f9abfb9f11806235bb588e8381a0060a174f5b0959eedba81b94eb383e80465323b1fc85478edcca4b67403a45b73ccbdcd9eaeacebd5f2ca32c7344fdbbc15a2a3d060c2b822851a282370a8dacbbfedbc511376a6e8ad95a5ce28fc2b9c37751c8d4314b9";
const A1_SECRET_BLOCK: &str = "iZY+s7lYj4/5me1dgBZ9QR0vYOoatfBhec3Rc3kqPFAGIWAwxmaoXkOR1+kEvm0Aic/CxgXe0KHTTZuyKpsMfjbo2J2YweeAtj47z6HCgVScBHeJ5il4NUhGJ6ehqWPls5ub233161UU/SxKAZYySbB8NNHIQidPNxEvBycU5gOeO9cOv4dlm3dwSRNFlg8OWJysI7+ZXUgSWdfUBqog90wkIfLr7HirXnd3axiqpHqAApu4Ls7JFvgXxJa74ZJLtFobED/qSc4ALtRiAPwhKkomxhSXDF1S3dD+LcTQaR0/gJY1+p1CuyTCQNBTVz5idOq8NhG/mMupKow7i54xWJp3gWCeRLMRYD5Od/b7QSgtBYZeLT2rDPb6T8oy8qScK4gq+1Ye6KmXTtmdc7XBhwtyCk4xA8YBjeXO/Gq3G+rzpqMOS9e8P/EZ1xldkcme0qYesbUiKSVO30N2lPKo3qzWyq6zFi0pINpCiWLD+qdWa9Arofsml2IYgCxZwmoIRVk8vd/+UdhErVRFdOmMZWQVLki0K09UgrnvLLBcMxc4wq8myUmMivVpxg8vSaexrxGxDVnKZHgfl0jFCEWIYyMvPAspOo9bBT1l+oQlVpf6RPKWlxgE4JSiWd9LD3PMdtETsyrWv1IxtktyzGI27UVanj0gGfesM56/FNImaxh+eoTBq4fJWxvfN0FvB90Ib/ZV+oJZ3jj8pKrZmDohutOQZqEIP5mme3UMGbkeF1zVnBuPT/Ujyb94RayMB4qvqnZap87o8gJ4iv0yp+HMAAxvPSvYJSr/dny/jEdsWM8aKU+a9+n3aMPo/97DSIyiw2E3jcorR2emlichUHqdwDg/GAACUMTmV6peecDdhuF/KNZXBF4GEsoutDzPSsaXnQ11qKejULZt//fQ/e5JzWbUVhWXBOiRr4JmbPdmWo9WIORrg/yrAlSe9RNnJOW+OCsAKLZYEHfuueUQYaxOpBTst+YQXzbwNYyX47H8nUDVXRLiA0zAoQHeTMXN8lL688MTICEUNaJW9QWjrNIaTPic0oJ6CxVM/ayd8qv28EQ9BhyyE5yEreC9y+bpUQjTwxe62H/j0NiMsE5806dhx2RzxBlEYl51hs1aqwpQ6NGn51bwZPZ5O7YitLyYdAoEdTo0hCXTKF2ITbSy8ZDv5cxQSv5zyXeHRfa/o1GSHWPawy3lYjHChVVj/ALBjpFVPJJwByQZqgXsrvuknWk7QFAi21acQxm/4pqPVtFNVW7yZ51FawlQu6rKKfu1kyTJ6CKlcdXuJFv/NxQLPLq/to4b0UHNaD/mymwr0GSEn9GxpVB4fjhL4L2BRxCpt4lfLtx1KMiTivUMIhrVShnrgUy2mpd/jooMsSf17GSvCYReg9dsaqvZXqbEMv6P2BX+RNXicLSfeDO9NyZhtuWZxyLJ5IlagOpVNbtGb/HCEQy+zF8ySzho6e8vHxNodJX+xwCxRyKl6wbEdSEulWgm5WaUmsfySrNqLKassfrTdKLHyWUvjbWucEFzS0ddu+Q7j5RGaZ4MO7Qf1hN57WUE7irwXBc9UoAWI3Sggb+oDDuVKN5PMF6cL+3/yfetGX0Wrh9tk34z5pizLmOgqOqkMW5yFDqw8/pRqQA4Qo+VrpHL1a4vANgmOHw98918pFiCG5lacOQn4FmA2QGWfNxU72qy6MLPnTgN/olShAFNFgckIn2F";

#[test]
fn k_matches_published_value() {
    assert_eq!(
        to_hex(&GROUP.k),
        "538282c4354742d7cbbde2359fcf67f9f5b3a6b08791e5011b43b8a5b66d9ee6"
    );
    // The Go vector's decimal k.
    assert_eq!(
        GROUP.k.to_string(),
        "37772559067617796309459009502931177628717927509759535181635788491848250400486"
    );
}

#[test]
fn pad_is_java_to_byte_array() {
    assert_eq!(pad(&BigUint::from(2u32)), vec![2]);
    assert_eq!(
        pad(&BigUint::from(0x8123abcdu32)),
        vec![0, 0x81, 0x23, 0xab, 0xcd]
    );
    assert_eq!(pad(&BigUint::from(0x0123u32)), vec![0x01, 0x23]);
    assert_eq!(pad(&GROUP.n).len(), 385);
}

#[test]
fn a1_dotnet_authentication_key() {
    let c = ClientEphemeral::from_private(a_dotnet());
    let sk = c
        .shared_key(
            "Pj8nlkpKR",
            "User5",
            "Password1!",
            "b704a27deb8cf5efec43a40eac5b60d2",
            A1_B_KEY,
        )
        .unwrap();
    assert_eq!(B64.encode(sk.key), "LmbBsy/4chqMRYOhmtmCrA==");
}

#[test]
fn a1_dotnet_claim_signature() {
    let c = ClientEphemeral::from_private(a_dotnet());
    let claim = c
        .password_claim(
            "Pj8nlkpKR",
            "User5",
            "Password1!",
            "b704a27deb8cf5efec43a40eac5b60d2",
            A1_B_AUTH,
            A1_SECRET_BLOCK,
            "Thu Jun 15 07:00:00 UTC 2017",
        )
        .unwrap();
    assert_eq!(
        claim.signature,
        "QwHbbUqF6DSSepJh2QqTWDCb1XjmqaxnnW5kDn5dz7E="
    );
    // The trace never carries the password or the raw key.
    let dump = format!("{:?}", claim.trace);
    assert!(!dump.contains("Password1!"));
    assert_eq!(claim.trace.secret_block_bytes, 1_284);
}

#[test]
fn a1_dotnet_device_key_hash_and_secret_hash() {
    let h = sha256(&[b"Pj8nlkpKR", b"User5", b":", b"Password1!"]);
    assert_eq!(
        B64.encode(h),
        "rJra60Rbj/4QW4UdYVl7wde78eMoiaw7Wk+WoDqo5K8="
    );
    assert_eq!(
        secret_hash("Mess", "age", "secret"),
        "qnR8UCqJggD55PohusaBNviGoOJ67HC6Btry4qXLVZc="
    );
}

#[test]
fn a2_go_vectors() {
    let c = ClientEphemeral::from_private(BigUint::from(1_234_567_890u32));
    let block = B64.encode(b"secretssecrestssecrets");
    assert_eq!(pool_name("eu-west-1_myPool"), "myPool");
    let sk = c
        .shared_key("myPool", "test", "test", "499602d2", "499602d2")
        .unwrap();
    assert_eq!(hex::encode(sk.key), "d96cde6c95dda17175c1293140c5a81f");
    let claim = c
        .password_claim(
            "myPool",
            "test",
            "test",
            "499602d2",
            "499602d2",
            &block,
            "Tue Jul 10 11:01:00 UTC 2018",
        )
        .unwrap();
    assert_eq!(
        claim.signature,
        "tdvQu/Li/qWl8Nni0aFPs+MwY4rvKZm0kSMrGIMSUHk="
    );
    assert_eq!(
        secret_hash("test", "123abd", "clientSecret"),
        "LoIX/oPJWZzFYv8liJYRo+CHv16FNDY10JlZEDjL3Vg="
    );
    let u = compute_u(
        &BigUint::parse_hex("6D797365637265746861736841").unwrap(),
        &BigUint::parse_hex("6D797365637265746861736842").unwrap(),
    );
    assert_eq!(
        u.to_string(),
        "39743664823761398449876968619416475559594078623923024211668626611155104513539"
    );
}

const A4_V: &str = "375b2d97264949ef0386a9f49bfa974f07476c6e508a0ee6dd366a72af3fef3a0b8d3e29f484d5e4774c0461cf9f8f206b604e2a49487aae84a2ab9fbc3fc110f3904f851e1d61887490bd578c5bab72a05e3ec09fc95abd588dec784ac6cc819f199dfd46843d4ff9c5880a5476f6275f11d35ca83d07c6e153be122346a0b536b402eed93ad7380ca187d9a19bfb9c67b9436b790f25387f81bcbc0d860b40e6b672eddec666f06ac512a6c108e282a2a97ca2695d238a34aa5f3376acd8429b8307211c50500e53d31b51b849614c29a20346f71d4c530d1a0bde485ae3edfd55d6ac6f31f7a01c183369fe34d785fdb6e62e7f91c09194d038e4797948b469d105534fb29dc9295f506c134655a7506e2ebb70ddc4ab30d4370a87a5f4606cd30b4e3bd1744a76bfb55b330cfcc2dfc51f1de823585f74cafeb5f4dd562ec264b22bad0d6de6d717138766d74583bb338e42aa84d84606a2a61c653847f58545fd9ab4f36162d5eea562a3396bdcfd435d73bdc1aecdf52dca2db36bbf9f";
const A4_A: &str = "f2c4e7407ccfac452a7c7e1034e8388bf70b3aea30007fd146ae4c54b341d252f7752a43f24cd28368a96f455f9ee00eb4312863c2560b7162587cd2c962b588cae47a9ac339433f9fc7d3563c1abb952acc1e3dd565fc9ecde1ac7cc593627494abc14dbb2410bc3dc4a0cf5e6f2f7af643f1d2c888180b50375a28902031b3c7052284d5d32b9dd8ee35c6c0cb9ee52288bcbc52deb224c55391da65ec10e66f8c41cc7d0c12b7a75f171ada3cb4c21fba22c4ad59ad4685cd63080d92d959cc54fcda8022cb856ce27c6e2ae2c81f6f9fa8cad13cfb22dc202b650e14014498bf3afd56c95a8cf956c46e3aedb2f20b4d1d8ebf2e9ef26955e228142b1168b1bfd7383d403ccbb00d89ca6843e39b7a44d7741a063bd4edb9c054606f59c7416327aa574b2f6d910606d9677c5018d07e080cd342ac446d35fd481f7818c780deb9508aeba3483493e43c98c6885e09883b8feb7e903e16468e7a1fc3df0cc55c71d1b3e4b4574d40699be76bca7abdf7938cfb2068cacca3b49b35a49099";
const A4_B: &str = "ab9d9c09ed15140c971dc34ef07c8ea85d138f63b5d646c4968672deb53f2f469b66525cc8389b720688aefc8c5878910de6f393a7427de036d172f58cf08ffd5cea6568c0b4e244b6f4f1464d5c456df5b52a30c473f19c1d2e8b935323a010d9abea9e5332a60333bdba1cc27384dd11d36b3bd698fe18c9fbd877d83446dbc1e39047d4a0e352a9b88fe4be64e4e14aaa16e1fbdd4182a28ab9bd199aed4b77e8611967bb249878dc184b8f848437f030721f7495ca84248ec3fbdcbbeba77797fcfecd0e80363e97aaaee22e1a2f42469e780a98407a7a3816fd2ce3a330d18e7d3b8ae29246c9ea737a68f459d4eb48932de50ca380c6947ee4a5ec93189ddea944c07dde96424a1e859d0bdfee76d6f59a399995e3eed1020432f0a714edb071e2f14004d32f47091bb16d490586b505b3aad444ac2be882e5e15874822c847715b0d8bda6c92a01fe54a8e4cdb4516be1fcca347d6da5d7e61fa5dd11227b79a62cb8e067140602d1256fe1cb91fdaaba40a8db54c90dd9a06e932536";
const A4_S: &str = "2f3ce82c83083f3eecf4b0df3276c4d804cba2bea3ead575f0acb1d8174a843e0d2fbfd4aebdde7ccc7357f6cb9cd789660f5f00164bfeb2278118259083f9ecee9dcd1344f758be5a29c41345a43217d234a698d6ec7192b5036d9c0042e969d42f05795284d7e59de3f741a2d3369658ce171117c78957ba94aa4f384fdb10757157d12db6b232c8f78ceb14d649289756d4f5f3ddefa3468ab8a6b1b1d04f5e5a2a93bd0c77c43d84ef2f000144aee40b4690c985d2aa4436d742481150a1931b049a46a53cc2e39abf2a97be33fb405d584b26928cc4b60c2d120b5ac259adecf8adf1e883f8239d82575b3f7e45884e2e6b30a45e40f9726ecf652ab6d9f5e67a3d34e9311c3e0ff7568912873aca941f603b84a62ef67e59a0c6d60e50a155096b802af4f9125099a1e2a6facc67f5b924e1483147779eaec89f21517ebea1cdba71859ec877b6a80f33f076a3f872f17dad66eed9c474ba249a4a98961c3c3bf2dfb40859540f41de1c4617286a7a522704f6c37d1cfb2288fe1d0b21";

fn h(s: &str) -> BigUint {
    BigUint::parse_hex(s).unwrap()
}

#[test]
fn a3_server_round_trip_vector() {
    let salt = h("8f3c0a1b2d4e5f60718293a4b5c6d7e8");
    let x = compute_x("TestPool", "alice", "Passw0rd!", &salt);
    assert_eq!(
        to_hex(&x),
        "f62b45b4711506c17d16e0d8c116fd81da14c76c9901f6a1f0c2fb6d706326b3"
    );
    let v = compute_verifier("TestPool", "alice", "Passw0rd!", &salt);
    assert_eq!(to_hex(&v), A4_V);
    let a = h(&"11".repeat(32));
    let b = h(&"22".repeat(32));
    let client = ClientEphemeral::from_private(a);
    assert_eq!(client.a_hex(), A4_A);
    let server = ServerEphemeral::from_private(b, &v);
    assert_eq!(to_hex(server.public()), A4_B);
    let u = compute_u(client.public(), server.public());
    assert_eq!(
        to_hex(&u),
        "2b9b73267c1dc43ec210083e32fbaacc2ba9f353ebb6836409689f1ce903066e"
    );
    // S on both sides: the server's in full, the client's through the fingerprint it shows.
    let s_server = group::server_premaster(client.public(), &v, &u, server.private());
    assert_eq!(to_hex(&s_server), A4_S);
    let sk = client
        .shared_key("TestPool", "alice", "Passw0rd!", &to_hex(&salt), A4_B)
        .unwrap();
    assert_eq!(sk.s_fingerprint, fingerprint(&pad(&h(A4_S))));

    let block_b64 = "b3BhcXVlLXNlY3JldC1ibG9jay0wMTIzNDU2Nzg5";
    let ts = "Mon Jan 6 09:05:03 UTC 2025";
    let claim = client
        .password_claim(
            "TestPool",
            "alice",
            "Passw0rd!",
            &to_hex(&salt),
            A4_B,
            block_b64,
            ts,
        )
        .unwrap();
    assert_eq!(
        claim.signature,
        "vXICR67dgZV9SN9evhQOiDtGIO/dTdWZ3X3uobEL6x0="
    );
    let key = server_key(client.public(), server.private(), server.public(), &v).unwrap();
    assert_eq!(hex::encode(key), "bba386d845d073cb35b10e42056986aa");
    let block = B64.decode(block_b64).unwrap();
    assert!(
        server_verify_claim(
            "TestPool",
            "alice",
            &v,
            client.public(),
            server.private(),
            server.public(),
            &block,
            ts,
            &claim.signature
        )
        .unwrap()
    );
}

#[test]
fn random_round_trip_and_wrong_password() {
    let salt = random_salt();
    let v = compute_verifier("Pool", "bob", "Correct-h0rse", &salt);
    for (password, ok) in [("Correct-h0rse", true), ("Correct-h0rsf", false)] {
        let client = ClientEphemeral::generate();
        let server = ServerEphemeral::generate(&v);
        let ts = timestamp_now();
        let claim = client
            .password_claim(
                "Pool",
                "bob",
                password,
                &to_hex(&salt),
                &to_hex(server.public()),
                "AAECAw==",
                &ts,
            )
            .unwrap();
        let verified = server_verify_claim(
            "Pool",
            "bob",
            &v,
            client.public(),
            server.private(),
            server.public(),
            &[0, 1, 2, 3],
            &ts,
            &claim.signature,
        )
        .unwrap();
        assert_eq!(verified, ok, "password {password}");
    }
}

#[test]
fn illegal_values_are_refused() {
    let c = ClientEphemeral::generate();
    let n_hex = to_hex(&GROUP.n);
    assert_eq!(
        c.shared_key("P", "u", "p", "01", &n_hex).err(),
        Some(SrpError::IllegalB)
    );
    assert_eq!(
        c.shared_key("P", "u", "p", "01", "zz").err(),
        Some(SrpError::BadHex("SRP_B"))
    );
    let v = BigUint::from(5u32);
    let s = ServerEphemeral::generate(&v);
    assert_eq!(
        server_key(&GROUP.n, s.private(), s.public(), &v).err(),
        Some(SrpError::IllegalA)
    );
}

#[test]
fn timestamp_format_has_unpadded_day() {
    let t = time::macros::datetime!(2022-01-01 00:00:00 UTC);
    assert_eq!(format_timestamp(t), "Sat Jan 1 00:00:00 UTC 2022");
    let t = time::macros::datetime!(2025-01-06 09:05:03 UTC);
    assert_eq!(format_timestamp(t), "Mon Jan 6 09:05:03 UTC 2025");
    assert_eq!(parse_timestamp("Mon Jan 6 09:05:03 UTC 2025"), Some(t));
    assert_eq!(parse_timestamp("Mon Jan 06 09:05:03 UTC 2025"), Some(t));
    assert_eq!(parse_timestamp("garbage"), None);
    assert_eq!(parse_timestamp("Mon Jan 6 25:05:03 UTC 2025"), None);
}

#[test]
fn a_verifier_from_x_is_g_to_the_x() {
    // g = 2: 2^10 = 1024, well below N.
    assert_eq!(
        verifier_from_x(&BigUint::from(10u8)),
        BigUint::from(1024u32)
    );
    let salt = BigUint::from(0xfeed_beef_u64);
    let x = compute_x("cognitotui", "alice", "Passw0rd!", &salt);
    assert_eq!(
        verifier_from_x(&x),
        compute_verifier("cognitotui", "alice", "Passw0rd!", &salt)
    );
}

#[test]
fn the_derivation_shows_every_step_and_both_sides_reach_the_same_key() {
    let salt = random_salt();
    let v = compute_verifier("Pool1", "alice", "Passw0rd!", &salt);
    let server = ServerEphemeral::generate(&v);
    let client = ClientEphemeral::generate();
    let block = B64.encode([7u8; 64]);
    let ts = "Tue Jan 7 09:05:03 UTC 2025";
    let claim = client
        .password_claim(
            "Pool1",
            "alice",
            "Passw0rd!",
            &to_hex(&salt),
            &to_hex(server.public()),
            &block,
            ts,
        )
        .unwrap();
    let d = &claim.derivation;
    // The signature is HMAC(K, message) from the shown values alone.
    let key = hex::decode(&d.key).unwrap();
    let mac = claim_mac(
        &key,
        &d.pool_name,
        &d.user_id_for_srp,
        &[7u8; 64],
        &d.timestamp,
    );
    assert_eq!(B64.encode(mac), claim.signature);
    assert_eq!(d.signature, claim.signature);
    // K = HKDF(S, u) from the shown S and u.
    let s = BigUint::parse_hex(&d.s).unwrap();
    let u = BigUint::parse_hex(&d.u).unwrap();
    assert_eq!(hex::encode(derive_key(&u, &s)), d.key);
    assert_eq!(d.a_pub, client.a_hex());

    let side = server_check_claim(
        "Pool1",
        "alice",
        &v,
        client.public(),
        server.private(),
        server.public(),
        &[7u8; 64],
        ts,
        &claim.signature,
    )
    .unwrap();
    assert!(side.signature_matched);
    assert_eq!((&side.key, &side.s, &side.u), (&d.key, &d.s, &d.u));
    assert_eq!(side.b_pub, d.b_pub);

    // A wrong password reaches another K, and the pool says the signature did not match.
    let wrong = client
        .password_claim(
            "Pool1",
            "alice",
            "nope",
            &to_hex(&salt),
            &side.b_pub,
            &block,
            ts,
        )
        .unwrap();
    let side2 = server_check_claim(
        "Pool1",
        "alice",
        &v,
        client.public(),
        server.private(),
        server.public(),
        &[7u8; 64],
        ts,
        &wrong.signature,
    )
    .unwrap();
    assert!(!side2.signature_matched);
    assert_ne!(side2.key, wrong.derivation.key);

    // Nothing private is serialised: no a, no b, no v, no x, no password.
    let json = serde_json::to_string(d).unwrap() + &serde_json::to_string(&side).unwrap();
    let a = d.a.as_ref().unwrap().reveal().to_string();
    assert!(!json.contains(&a), "a leaked");
    assert!(!json.contains(&to_hex(server.private())), "b leaked");
    assert!(!json.contains(&to_hex(&v)), "v leaked");
    assert!(!json.contains("Passw0rd!"));
    assert!(!format!("{d:?}").contains(&a), "Debug shows a");
    // The list names every quantity the reader needs, in order.
    let names: Vec<&str> = d.quantities().iter().map(|q| q.name).collect();
    assert_eq!(
        names,
        [
            "a",
            "A",
            "B",
            "salt",
            "u",
            "k",
            "x",
            "S",
            "K",
            "message",
            "PASSWORD_CLAIM_SIGNATURE"
        ]
    );
    let q = d.quantities();
    assert!(matches!(&q[0].value, Shown::Secret(h) if h.reveal() == a));
    assert!(matches!(&q[6].value, Shown::Fingerprint(f) if f.starts_with("sha256:")));
}
