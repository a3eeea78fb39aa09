//! Host tests of the external term format: golden vectors from OTP 25, round trips, hostile
//! input, and (when `erl` is installed) byte equality with the running `term_to_binary/1`.

extern crate std;

use alloc::boxed::Box;
use alloc::string::{String, ToString};
use alloc::vec;
use alloc::vec::Vec;
use core::cmp::Ordering;
use num_bigint::BigInt;
use std::process::Command;

use super::*;

fn atom(s: &str) -> ExtTerm {
    ExtTerm::Atom(s.to_string())
}

fn int(i: i64) -> ExtTerm {
    ExtTerm::Integer(i)
}

fn list(elements: Vec<ExtTerm>) -> ExtTerm {
    ExtTerm::List(elements, Box::new(ExtTerm::Nil))
}

/// Terms with the Erlang expression that builds them.
fn cases() -> Vec<(&'static str, ExtTerm)> {
    let big: BigInt = "123456789012345678901234567890"
        .parse()
        .expect("valid literal");
    let huge = (BigInt::from(1) << 2100u32) - 1;
    vec![
        ("0", int(0)),
        ("255", int(255)),
        ("256", int(256)),
        ("-1", int(-1)),
        ("2147483647", int(2147483647)),
        ("2147483648", int(2147483648)),
        ("-2147483648", int(-2147483648)),
        ("-2147483649", int(-2147483649)),
        ("9223372036854775807", int(i64::MAX)),
        ("-9223372036854775808", int(i64::MIN)),
        ("123456789012345678901234567890", ExtTerm::BigInteger(big.clone())),
        ("-123456789012345678901234567890", ExtTerm::BigInteger(-big)),
        ("(1 bsl 2100) - 1", ExtTerm::BigInteger(huge)),
        ("1.5", ExtTerm::Float(1.5)),
        ("-0.1", ExtTerm::Float(-0.1)),
        ("1.0e300", ExtTerm::Float(1.0e300)),
        ("a", atom("a")),
        ("'hello world'", atom("hello world")),
        ("list_to_atom([228])", atom("\u{e4}")),
        ("list_to_atom([1000])", atom("\u{3e8}")),
        ("list_to_atom(lists:duplicate(255, 1000))", atom(&"\u{3e8}".repeat(255))),
        ("list_to_atom(lists:duplicate(255, $a))", atom(&"a".repeat(255))),
        ("{}", ExtTerm::Tuple(vec![])),
        ("{a, 1}", ExtTerm::Tuple(vec![atom("a"), int(1)])),
        (
            "list_to_tuple(lists:seq(1, 300))",
            ExtTerm::Tuple((1..=300).map(int).collect()),
        ),
        ("[]", ExtTerm::Nil),
        ("[1, 2, 3]", list(vec![int(1), int(2), int(3)])),
        ("[256]", list(vec![int(256)])),
        ("[a | b]", ExtTerm::List(vec![atom("a")], Box::new(atom("b")))),
        ("[1, 2 | 3]", ExtTerm::List(vec![int(1), int(2)], Box::new(int(3)))),
        (
            "lists:duplicate(70000, 1)",
            list(core::iter::repeat_n(int(1), 70000).collect()),
        ),
        ("<<>>", ExtTerm::Binary(vec![])),
        ("<<1, 2, 3>>", ExtTerm::Binary(vec![1, 2, 3])),
        ("<<1:1>>", ExtTerm::BitBinary(vec![0x80], 1)),
        ("<<1, 2, 3:3>>", ExtTerm::BitBinary(vec![1, 2, 0x60], 3)),
        ("#{}", ExtTerm::Map(vec![])),
        (
            "#{x => 1, 1.0 => a, 1 => b, 2 => c, 0.5 => d, \"s\" => 2, {1} => 3, [] => 4, <<>> => 5}",
            ExtTerm::Map(vec![
                (atom("x"), int(1)),
                (ExtTerm::Float(1.0), atom("a")),
                (int(1), atom("b")),
                (int(2), atom("c")),
                (ExtTerm::Float(0.5), atom("d")),
                (list(vec![int(115)]), int(2)),
                (ExtTerm::Tuple(vec![int(1)]), int(3)),
                (ExtTerm::Nil, int(4)),
                (ExtTerm::Binary(vec![]), int(5)),
            ]),
        ),
        (
            "#{{b, 2} => x, {a, 3} => y, {a, 2, 1} => z, -5 => w, zz => v, aa => u}",
            ExtTerm::Map(vec![
                (ExtTerm::Tuple(vec![atom("b"), int(2)]), atom("x")),
                (ExtTerm::Tuple(vec![atom("a"), int(3)]), atom("y")),
                (
                    ExtTerm::Tuple(vec![atom("a"), int(2), int(1)]),
                    atom("z"),
                ),
                (int(-5), atom("w")),
                (atom("zz"), atom("v")),
                (atom("aa"), atom("u")),
            ]),
        ),
        (
            "fun lists:map/2",
            ExtTerm::ExportFun {
                module: "lists".to_string(),
                function: "map".to_string(),
                arity: 2,
            },
        ),
        (
            "[{a, [<<\"x\">>, 1.5, -7]}, #{k => [1 | 2]}]",
            list(vec![
                ExtTerm::Tuple(vec![
                    atom("a"),
                    list(vec![ExtTerm::Binary(b"x".to_vec()), ExtTerm::Float(1.5), int(-7)]),
                ]),
                ExtTerm::Map(vec![(
                    atom("k"),
                    ExtTerm::List(vec![int(1)], Box::new(int(2))),
                )]),
            ]),
        ),
    ]
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| std::format!("{b:02x}")).collect()
}

/// Vectors produced by OTP 25.2.3's `term_to_binary/1`, including node-bound terms that cannot
/// be written as Erlang source.
const GOLDEN: &[(&str, &[u8])] = &[
    (
        "self()",
        &[
            131, 88, 100, 0, 13, 110, 111, 110, 111, 100, 101, 64, 110, 111, 104, 111, 115, 116, 0,
            0, 0, 9, 0, 0, 0, 0, 0, 0, 0, 0,
        ],
    ),
    (
        "port",
        &[
            131, 89, 100, 0, 13, 110, 111, 110, 111, 100, 101, 64, 110, 111, 104, 111, 115, 116, 0,
            0, 0, 0, 0, 0, 0, 0,
        ],
    ),
    (
        "make_ref()",
        &[
            131, 90, 0, 3, 100, 0, 13, 110, 111, 110, 111, 100, 101, 64, 110, 111, 104, 111, 115,
            116, 0, 0, 0, 0, 0, 2, 148, 40, 186, 152, 0, 1, 157, 86, 153, 102,
        ],
    ),
    (
        "fun(X) -> X end",
        &[
            131, 112, 0, 0, 0, 160, 1, 6, 83, 97, 170, 70, 21, 144, 209, 189, 241, 235, 98, 209,
            166, 235, 8, 0, 0, 0, 42, 0, 0, 0, 1, 100, 0, 8, 101, 114, 108, 95, 101, 118, 97, 108,
            97, 42, 98, 0, 50, 155, 13, 88, 100, 0, 13, 110, 111, 110, 111, 100, 101, 64, 110, 111,
            104, 111, 115, 116, 0, 0, 0, 9, 0, 0, 0, 0, 0, 0, 0, 0, 104, 6, 97, 4, 106, 100, 0, 4,
            110, 111, 110, 101, 100, 0, 4, 110, 111, 110, 101, 116, 0, 0, 0, 0, 108, 0, 0, 0, 1,
            104, 5, 100, 0, 6, 99, 108, 97, 117, 115, 101, 97, 4, 108, 0, 0, 0, 1, 104, 3, 100, 0,
            3, 118, 97, 114, 97, 4, 100, 0, 1, 88, 106, 106, 108, 0, 0, 0, 1, 104, 3, 100, 0, 3,
            118, 97, 114, 97, 4, 100, 0, 1, 88, 106, 106,
        ],
    ),
    ("<<1:1>>", &[131, 77, 0, 0, 0, 1, 1, 128]),
    ("2147483648", &[131, 110, 4, 0, 0, 0, 0, 128]),
    ("-2147483649", &[131, 110, 4, 1, 1, 0, 0, 128]),
    ("[1,2|3]", &[131, 108, 0, 0, 0, 2, 97, 1, 97, 2, 97, 3]),
    ("[1,2,3]", &[131, 107, 0, 3, 1, 2, 3]),
    ("list_to_atom([228])", &[131, 100, 0, 1, 228]),
    ("list_to_atom([1000])", &[131, 119, 2, 207, 168]),
];

#[test]
fn golden_vectors_round_trip() {
    for (what, bytes) in GOLDEN {
        let term = decode(bytes).unwrap_or_else(|e| panic!("{what}: {e}"));
        assert_eq!(encode(&term), *bytes, "{what}");
    }
}

#[test]
fn golden_node_terms_decode_to_fields() {
    let pid = decode(GOLDEN[0].1).expect("pid");
    assert_eq!(
        pid,
        ExtTerm::Pid {
            node: "nonode@nohost".to_string(),
            id: 9,
            serial: 0,
            creation: 0
        }
    );
    match &decode(GOLDEN[3].1).expect("fun") {
        ExtTerm::LocalFun {
            module,
            arity,
            index,
            old_index,
            free,
            ..
        } => {
            assert_eq!(
                (module.as_str(), *arity, *index, *old_index),
                ("erl_eval", 1, 42, 42)
            );
            assert_eq!(free.len(), 1);
        }
        other => panic!("not a fun: {other:?}"),
    }
}

#[test]
fn encode_decode_round_trip() {
    for (source, term) in cases() {
        let bytes = encode(&term);
        let back = decode(&bytes).unwrap_or_else(|e| panic!("{source}: {e}"));
        // Maps come back in encoding order; compare as terms.
        assert_eq!(compare(&back, &term), Ordering::Equal, "{source}");
        if !matches!(term, ExtTerm::Map(_)) {
            assert_eq!(back, term, "{source}");
        }
    }
}

fn erl_available() -> bool {
    Command::new("erl")
        .args(["-noshell", "-eval", "halt()."])
        .output()
        .map(|o| o.status.success())
        .unwrap_or(false)
}

#[test]
fn encode_matches_running_erl() {
    if !erl_available() {
        std::println!("NOTICE: erl not found; skipping the comparison with term_to_binary/1");
        return;
    }
    let cases = cases();
    let mut script = String::from("Ts = [");
    for (i, (source, _)) in cases.iter().enumerate() {
        if i > 0 {
            script.push_str(", ");
        }
        script.push_str(source);
    }
    script.push_str(
        "], [io:format(\"~s~n\", [binary:encode_hex(term_to_binary(T))]) || T <- Ts], halt().",
    );
    let output = Command::new("erl")
        .args(["-noshell", "-eval", &script])
        .output()
        .expect("erl runs");
    assert!(output.status.success(), "erl failed: {:?}", output);
    let text = String::from_utf8(output.stdout).expect("utf-8 output");
    let lines: Vec<&str> = text.lines().map(|l| l.trim_end_matches('\r')).collect();
    assert_eq!(lines.len(), cases.len(), "erl output: {text}");
    for ((source, term), line) in cases.iter().zip(lines) {
        let ours = hex(&encode(term));
        assert_eq!(ours, line.to_lowercase(), "term_to_binary({source})");
        // And erl's bytes decode to the same term.
        let bytes: Vec<u8> = (0..line.len() / 2)
            .map(|i| u8::from_str_radix(&line[2 * i..2 * i + 2], 16).expect("hex"))
            .collect();
        let decoded = decode(&bytes).unwrap_or_else(|e| panic!("{source}: {e}"));
        assert_eq!(compare(&decoded, term), Ordering::Equal, "{source}");
    }
}

#[test]
fn decodes_legacy_encodings() {
    // SMALL_ATOM_EXT and latin-1 conversion.
    assert_eq!(decode(&[131, 115, 1, 0xe4]), Ok(atom("\u{e4}")));
    // Textual FLOAT_EXT.
    let mut text = vec![131, 99];
    let digits = b"1.50000000000000000000e+00";
    text.extend_from_slice(digits);
    text.resize(2 + 31, 0);
    assert_eq!(decode(&text), Ok(ExtTerm::Float(1.5)));
    // PID_EXT, PORT_EXT, REFERENCE_EXT, NEW_REFERENCE_EXT with u8 creation.
    let node = [100, 0, 1, b'n'];
    let mut pid = vec![131, 103];
    pid.extend_from_slice(&node);
    pid.extend_from_slice(&[0, 0, 0, 5, 0, 0, 0, 1, 2]);
    assert_eq!(
        decode(&pid),
        Ok(ExtTerm::Pid {
            node: "n".to_string(),
            id: 5,
            serial: 1,
            creation: 2
        })
    );
    let mut port = vec![131, 102];
    port.extend_from_slice(&node);
    port.extend_from_slice(&[0, 0, 0, 7, 3]);
    assert_eq!(
        decode(&port),
        Ok(ExtTerm::Port {
            node: "n".to_string(),
            id: 7,
            creation: 3
        })
    );
    let mut v4 = vec![131, 120];
    v4.extend_from_slice(&node);
    v4.extend_from_slice(&[0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 4]);
    let v4_port = decode(&v4).expect("v4 port");
    assert_eq!(encode(&v4_port), v4);
    let mut r = vec![131, 114, 0, 2];
    r.extend_from_slice(&node);
    r.extend_from_slice(&[1, 0, 0, 0, 1, 0, 0, 0, 2]);
    assert_eq!(
        decode(&r),
        Ok(ExtTerm::Reference {
            node: "n".to_string(),
            creation: 1,
            ids: vec![1, 2]
        })
    );
    // An empty STRING_EXT is [] and a LIST_EXT whose tail is a list is flattened.
    assert_eq!(decode(&[131, 107, 0, 0]), Ok(ExtTerm::Nil));
    assert_eq!(
        decode(&[131, 108, 0, 0, 0, 1, 97, 1, 107, 0, 1, 2]),
        Ok(list(vec![int(1), int(2)]))
    );
    // A small big that fits is an Integer.
    assert_eq!(decode(&[131, 110, 1, 1, 5]), Ok(int(-5)));
}

#[test]
fn decodes_compressed_terms() {
    let term = list(core::iter::repeat_n(atom("abc"), 1000).collect());
    let body = &encode(&term)[1..];
    let mut bytes = vec![131, 80];
    bytes.extend_from_slice(&(body.len() as u32).to_be_bytes());
    bytes.extend_from_slice(&miniz_oxide::deflate::compress_to_vec_zlib(body, 6));
    assert_eq!(decode(&bytes), Ok(term));
    // A lying size is rejected, whether too small or too large.
    let mut lie = bytes.clone();
    lie[2..6].copy_from_slice(&((body.len() - 1) as u32).to_be_bytes());
    assert!(matches!(decode(&lie), Err(EtfError::BadCompression { .. })));
    lie[2..6].copy_from_slice(&u32::MAX.to_be_bytes());
    assert!(matches!(decode(&lie), Err(EtfError::BadCompression { .. })));
}

#[test]
fn rejects_malformed_input() {
    assert_eq!(decode(&[]), Err(EtfError::Truncated { offset: 0 }));
    assert_eq!(
        decode(&[130, 97, 1]),
        Err(EtfError::BadVersion { found: 130 })
    );
    assert!(matches!(
        decode(&[131, 200]),
        Err(EtfError::UnknownTag { tag: 200, .. })
    ));
    assert!(matches!(
        decode(&[131, 97, 1, 0]),
        Err(EtfError::TrailingBytes { offset: 3 })
    ));
    // Counts larger than the input are refused before any allocation.
    assert!(matches!(
        decode(&[131, 105, 0xff, 0xff, 0xff, 0xff]),
        Err(EtfError::BadLength { .. })
    ));
    assert!(matches!(
        decode(&[131, 108, 0xff, 0xff, 0xff, 0xff, 106]),
        Err(EtfError::BadLength { .. })
    ));
    assert!(matches!(
        decode(&[131, 116, 0x7f, 0xff, 0xff, 0xff]),
        Err(EtfError::BadLength { .. })
    ));
    assert!(matches!(
        decode(&[131, 109, 0xff, 0xff, 0xff, 0xff, 1]),
        Err(EtfError::Truncated { .. })
    ));
    // Invalid UTF-8 atom, bad floats, bad sign, bad bit count.
    assert!(matches!(
        decode(&[131, 119, 1, 0xff]),
        Err(EtfError::BadAtom { .. })
    ));
    let mut nan = vec![131, 70];
    nan.extend_from_slice(&f64::NAN.to_bits().to_be_bytes());
    assert!(matches!(decode(&nan), Err(EtfError::BadFloat { .. })));
    assert!(matches!(
        decode(&[131, 110, 1, 2, 5]),
        Err(EtfError::BadSign { .. })
    ));
    assert!(matches!(
        decode(&[131, 77, 0, 0, 0, 1, 0, 1]),
        Err(EtfError::BadBitCount { .. })
    ));
    // No bytes take no bits (erl's <<>>); with bits they are refused.
    assert_eq!(
        decode(&[131, 77, 0, 0, 0, 0, 0]),
        Ok(ExtTerm::Binary(vec![]))
    );
    for bits in [1, 8, 9] {
        assert!(matches!(
            decode(&[131, 77, 0, 0, 0, 0, bits]),
            Err(EtfError::BadBitCount { .. })
        ));
    }
    assert!(matches!(
        decode(&[131, 90, 0, 6, 100, 0, 1, b'n', 0, 0, 0, 0]),
        Err(EtfError::BadReference { .. })
    ));
}

#[test]
fn every_prefix_of_a_term_fails_cleanly() {
    for (source, term) in cases() {
        let bytes = encode(&term);
        if bytes.len() > 4096 {
            continue;
        }
        for end in 0..bytes.len() {
            assert!(decode(&bytes[..end]).is_err(), "{source} prefix {end}");
        }
    }
}

#[test]
fn deep_nesting_is_an_error_not_a_crash() {
    let mut bytes = vec![131];
    for _ in 0..100_000 {
        bytes.extend_from_slice(&[104, 1]);
    }
    bytes.push(106);
    assert!(matches!(decode(&bytes), Err(EtfError::TooDeep { .. })));
    // Nested list tails count too.
    let mut bytes = vec![131];
    for _ in 0..100_000 {
        bytes.extend_from_slice(&[108, 0, 0, 0, 1, 97, 1]);
    }
    bytes.push(106);
    assert!(matches!(decode(&bytes), Err(EtfError::TooDeep { .. })));
    // Within the limit is fine, and a higher limit can be asked for.
    let mut bytes = vec![131];
    for _ in 0..DEFAULT_MAX_DEPTH {
        bytes.extend_from_slice(&[104, 1]);
    }
    bytes.push(106);
    assert!(decode(&bytes).is_ok());
}

#[test]
fn term_order() {
    let ordered = [
        int(-1),
        ExtTerm::Float(0.5),
        int(1),
        ExtTerm::Float(1.5),
        atom("a"),
        atom("b"),
        ExtTerm::Tuple(vec![]),
        ExtTerm::Tuple(vec![int(9)]),
        ExtTerm::Tuple(vec![int(1), int(1)]),
        ExtTerm::Map(vec![]),
        ExtTerm::Nil,
        list(vec![int(1)]),
        list(vec![int(1), int(2)]),
        list(vec![int(2)]),
        ExtTerm::BitBinary(vec![0x00], 1),
        ExtTerm::Binary(vec![1]),
        ExtTerm::BitBinary(vec![0x80], 1),
    ];
    for w in ordered.windows(2) {
        assert_eq!(
            compare(&w[0], &w[1]),
            Ordering::Less,
            "{:?} < {:?}",
            w[0],
            w[1]
        );
    }
    assert_eq!(compare(&int(1), &ExtTerm::Float(1.0)), Ordering::Equal);
    assert_eq!(compare_keys(&int(2), &ExtTerm::Float(1.0)), Ordering::Less);
}

#[test]
fn error_messages_name_the_problem() {
    let e = decode(&[131, 200]).expect_err("unknown tag");
    assert_eq!(e.to_string(), "unknown external term tag 200 at byte 1");
}

#[test]
fn minor_version_0_writes_text_floats() {
    // term_to_binary([1.5, -0.1, 1.0e300, 5.0e-324], [{minor_version, 0}]) on OTP 25.
    let expected: &[u8] = &[
        131, 108, 0, 0, 0, 4, 99, 49, 46, 53, 48, 48, 48, 48, 48, 48, 48, 48, 48, 48, 48, 48, 48,
        48, 48, 48, 48, 48, 48, 101, 43, 48, 48, 0, 0, 0, 0, 0, 99, 45, 49, 46, 48, 48, 48, 48, 48,
        48, 48, 48, 48, 48, 48, 48, 48, 48, 48, 48, 53, 53, 53, 49, 101, 45, 48, 49, 0, 0, 0, 0,
        99, 49, 46, 48, 48, 48, 48, 48, 48, 48, 48, 48, 48, 48, 48, 48, 48, 48, 48, 53, 50, 53, 48,
        101, 43, 51, 48, 48, 0, 0, 0, 0, 99, 52, 46, 57, 52, 48, 54, 53, 54, 52, 53, 56, 52, 49,
        50, 52, 54, 53, 52, 52, 49, 55, 55, 101, 45, 51, 50, 52, 0, 0, 0, 0, 106,
    ];
    let term = list(vec![
        ExtTerm::Float(1.5),
        ExtTerm::Float(-0.1),
        ExtTerm::Float(1.0e300),
        ExtTerm::Float(5.0e-324),
    ]);
    assert_eq!(
        encode_with(&term, EncodeOptions { minor_version: 0 }),
        expected
    );
    assert_eq!(decode(expected), Ok(term));
}

#[test]
fn decode_prefix_reports_bytes_used() {
    assert_eq!(decode_prefix(&[131, 97, 1, 2, 3]), Ok((int(1), 3)));
    let body = &encode(&atom("abc"))[1..];
    let mut bytes = vec![131, 80];
    bytes.extend_from_slice(&(body.len() as u32).to_be_bytes());
    bytes.extend_from_slice(&miniz_oxide::deflate::compress_to_vec_zlib(body, 6));
    let len = bytes.len();
    bytes.extend_from_slice(&[9, 9]);
    assert_eq!(decode_prefix(&bytes), Ok((atom("abc"), len)));
    assert!(matches!(decode(&bytes), Err(EtfError::TrailingBytes { offset }) if offset == len));
}

#[test]
fn text_floats_match_running_erl() {
    if !erl_available() {
        std::println!("NOTICE: erl not found; skipping the minor_version 0 comparison");
        return;
    }
    let floats = [
        0.1,
        1.0 / 3.0,
        1e-300,
        123456.789,
        -2.5e-10,
        0.0,
        1e22,
        2.0f64.powi(60),
    ];
    // Pass the exact bits, so erl sees the same doubles.
    let bits: Vec<String> = floats.iter().map(|f| f.to_bits().to_string()).collect();
    let script = std::format!(
        "[begin <<F:64/float>> = <<B:64>>, io:format(\"~s~n\", \
         [binary:encode_hex(term_to_binary(F, [{{minor_version, 0}}]))]) end || B <- [{}]], halt().",
        bits.join(",")
    );
    let output = Command::new("erl")
        .args(["-noshell", "-eval", &script])
        .output()
        .expect("erl runs");
    let text = String::from_utf8(output.stdout).expect("utf-8");
    let lines: Vec<&str> = text.lines().map(|l| l.trim_end_matches('\r')).collect();
    assert_eq!(lines.len(), floats.len(), "erl output: {text} {script}");
    for (f, line) in floats.iter().zip(lines) {
        let ours = hex(&encode_with(
            &ExtTerm::Float(*f),
            EncodeOptions { minor_version: 0 },
        ));
        assert_eq!(ours, line.to_lowercase(), "{f}");
    }
}

/// A million levels: far beyond what native recursion survives on a test thread's stack.
const DEEP: usize = 1_000_000;

/// `DEEP` nested one-element lists and tuples around `inner`, alternating.
fn deep_ext(inner: ExtTerm) -> ExtTerm {
    let mut t = inner;
    for i in 0..DEEP {
        t = if i % 2 == 0 {
            ExtTerm::List(vec![t], Box::new(ExtTerm::Nil))
        } else {
            ExtTerm::Tuple(vec![t, int(i as i64)])
        };
    }
    t
}

#[test]
fn deep_terms_encode_decode_compare_and_drop_without_recursion() {
    let a = deep_ext(atom("x"));
    let b = deep_ext(atom("y"));
    let bytes = encode(&a);
    assert!(bytes.len() > 5 * DEEP);
    assert!(matches!(decode(&bytes), Err(EtfError::TooDeep { .. })));
    let back = decode_with_depth(&bytes, usize::MAX).expect("decodes");
    assert_eq!(compare(&back, &a), Ordering::Equal);
    assert_eq!(compare_keys(&a, &b), Ordering::Less);
    assert_eq!(compare(&b, &a), Ordering::Greater);
    assert_eq!(encode(&back), bytes);
    // Dropping `a`, `b` and `back` at the end of the test walks them without recursion.
}

#[test]
fn deep_terms_clone_and_compare_equal_without_recursion() {
    let a = deep_ext(list(vec![int(1), atom("x")]));
    let copy = a.clone();
    assert!(copy == a);
    let b = deep_ext(list(vec![int(1), atom("y")]));
    assert!(a != b);
    let fun = ExtTerm::LocalFun {
        module: "m".to_string(),
        arity: 0,
        uniq: [7; 16],
        index: 1,
        old_index: 1,
        old_uniq: 2,
        pid: Box::new(ExtTerm::Pid {
            node: "nonode@nohost".to_string(),
            id: 3,
            serial: 0,
            creation: 0,
        }),
        free: vec![a, ExtTerm::Map(vec![(int(1), b)])],
    };
    assert!(fun.clone() == fun);
}
