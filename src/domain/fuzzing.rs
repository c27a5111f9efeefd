//! Damaged files for the property tests that feed the parsers of uploads
//! (the cleaners, type sniffing): a valid file with bytes flipped, cut
//! short, chunks repeated, dropped or spliced with the tokens its format
//! is built of, since purely random bytes never pass a file's first check.
//! Test-only; the case count comes from `PROPTEST_CASES` (256 by default).

use proptest::prelude::*;
use proptest::sample::Index;

/// Bytes that mean something to one of the formats: numbers where a
/// length is read, PDF syntax, JPEG markers, PNG chunk types, zip
/// signatures and XML punctuation.
const TOKENS: [&[u8]; 30] = [
    b"4294967295",
    b"99999999999999999999",
    b"-1",
    b"0",
    b" 0 R",
    b"<<",
    b">>",
    b"[",
    b"]",
    b"(",
    b")",
    b"/Type /ObjStm",
    b"stream\n",
    b"endstream",
    b"endobj",
    b"xref",
    b"trailer",
    b"startxref",
    b"%%EOF",
    b"\xFF",
    b"\xFF\xD8",
    b"\xFF\xD9",
    b"\xFF\xDA\x00\x02",
    b"\xFF\xE1\xFF\xFF",
    b"IEND",
    b"\xFF\xFF\xFF\xFFIDAT",
    b"PK\x03\x04",
    b"PK\x01\x02",
    b"<w:t a=\"",
    b"<!--",
];

/// One way of damaging a file; positions scale to whatever its length is.
#[derive(Debug, Clone)]
pub enum Mutation {
    Flip(Index, u8),
    Set(Index, u8),
    Truncate(Index),
    Repeat { from: Index, len: usize, to: Index },
    Drop { from: Index, len: usize },
    Insert(Index, Vec<u8>),
    Splice(Index, Index),
}

fn mutation() -> impl Strategy<Value = Mutation> {
    prop_oneof![
        4 => (any::<Index>(), 1u8..).prop_map(|(at, bits)| Mutation::Flip(at, bits)),
        2 => (any::<Index>(), any::<u8>()).prop_map(|(at, byte)| Mutation::Set(at, byte)),
        1 => any::<Index>().prop_map(Mutation::Truncate),
        2 => (any::<Index>(), 1usize..2048, any::<Index>())
            .prop_map(|(from, len, to)| Mutation::Repeat { from, len, to }),
        1 => (any::<Index>(), 1usize..512).prop_map(|(from, len)| Mutation::Drop { from, len }),
        1 => (any::<Index>(), proptest::collection::vec(any::<u8>(), 1..16))
            .prop_map(|(at, bytes)| Mutation::Insert(at, bytes)),
        3 => (any::<Index>(), any::<Index>()).prop_map(|(at, token)| Mutation::Splice(at, token)),
    ]
}

/// `file` with the mutations applied in turn.
pub fn apply(file: &[u8], mutations: &[Mutation]) -> Vec<u8> {
    let mut out = file.to_vec();
    for m in mutations {
        let len = out.len();
        let at = |i: &Index| i.index(len + 1);
        match m {
            Mutation::Flip(i, bits) if len > 0 => out[i.index(len)] ^= bits,
            Mutation::Set(i, byte) if len > 0 => out[i.index(len)] = *byte,
            Mutation::Truncate(i) => out.truncate(at(i)),
            Mutation::Repeat { from, len: n, to } if len > 0 => {
                let start = from.index(len);
                let chunk = out[start..len.min(start + n)].to_vec();
                let to = at(to);
                out.splice(to..to, chunk);
            }
            Mutation::Drop { from, len: n } if len > 0 => {
                let start = from.index(len);
                out.drain(start..len.min(start + n));
            }
            Mutation::Insert(i, bytes) => {
                let to = at(i);
                out.splice(to..to, bytes.iter().copied());
            }
            Mutation::Splice(i, token) => {
                let to = at(i);
                out.splice(to..to, token.get(&TOKENS).iter().copied());
            }
            _ => {}
        }
    }
    out
}

/// Files to feed a parser: mostly one of the valid `seeds` damaged one to
/// six times, sometimes random bytes (short, then long), sometimes a seed
/// with random bytes after a valid start.
pub fn damaged(seeds: Vec<Vec<u8>>) -> impl Strategy<Value = Vec<u8>> {
    let seeds = proptest::sample::select(seeds);
    prop_oneof![
        6 => (seeds.clone(), proptest::collection::vec(mutation(), 1..7))
            .prop_map(|(seed, mutations)| apply(&seed, &mutations)),
        1 => proptest::collection::vec(any::<u8>(), 0..64),
        1 => proptest::collection::vec(any::<u8>(), 0..4096),
        1 => (seeds, any::<Index>(), proptest::collection::vec(any::<u8>(), 0..512))
            .prop_map(|(seed, cut, tail)| {
                let mut out = seed[..cut.index(seed.len() + 1)].to_vec();
                out.extend(tail);
                out
            }),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::strategy::ValueTree;
    use proptest::test_runner::TestRunner;

    #[test]
    fn mutations_change_files_and_stay_near_their_size() {
        let seed = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\n%%EOF\n".to_vec();
        let strategy = damaged(vec![seed.clone()]);
        let mut runner = TestRunner::deterministic();
        let mut changed = 0;
        for _ in 0..200 {
            let file = strategy.new_tree(&mut runner).expect("a case").current();
            assert!(file.len() <= seed.len() + 6 * 2048 + 4096, "{}", file.len());
            changed += usize::from(file != seed);
        }
        assert!(changed > 180, "only {changed} of 200 files were damaged");
    }
}
