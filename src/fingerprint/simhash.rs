//! 64-bit SimHash over shingle hashes (each shingle one vote per bit), the fast path for
//! near-identical copies: a Hamming distance of at most [`NEAR`] bits. The hash is cut
//! into [`BLOCKS`] blocks and every pair of blocks is indexed: a pair at distance 3 or less
//! differs in at most three blocks, so by pigeonhole two blocks, one indexed pair, agree.
//! A key covers about 26 bits, so unrelated articles rarely share one even among millions
//! (single 16-bit blocks gave every article ~15 random candidates per key at 1M).

use super::minhash::to_key;
use twox_hash::XxHash3_64;

/// Largest Hamming distance read as "near-identical".
pub const NEAR: u32 = 3;

/// SimHash of a set of 64-bit hashes (0 for an empty set).
#[must_use]
pub fn compute(hashes: &[u64]) -> u64 {
    if hashes.is_empty() {
        return 0;
    }
    let mut votes = [0i32; 64];
    for &h in hashes {
        for (bit, v) in votes.iter_mut().enumerate() {
            if h >> bit & 1 == 1 {
                *v += 1;
            } else {
                *v -= 1;
            }
        }
    }
    votes
        .iter()
        .enumerate()
        .filter(|(_, v)| **v > 0)
        .fold(0u64, |acc, (bit, _)| acc | 1 << bit)
}

/// Hamming distance.
#[must_use]
pub fn distance(a: u64, b: u64) -> u32 {
    (a ^ b).count_ones()
}

/// Blocks the hash is cut into (13, 13, 13, 13 and 12 bits).
pub const BLOCKS: usize = 5;

/// Index keys: every pair of blocks, tagged with the pair's positions (and kept apart
/// from MinHash band keys by a tag bit pattern).
#[must_use]
pub fn block_keys(h: u64) -> [i64; BLOCKS * (BLOCKS - 1) / 2] {
    let block = |i: usize| (h >> (13 * i)) & if i < 4 { 0x1FFF } else { 0xFFF };
    let mut out = [0i64; BLOCKS * (BLOCKS - 1) / 2];
    let mut k = 0;
    for i in 0..BLOCKS {
        for j in i + 1..BLOCKS {
            let tag = ((i * BLOCKS + j) as u64) << 56;
            let key = 0x5348_0000_0000_0000u64 ^ tag ^ (block(i) << 13) ^ block(j);
            out[k] = to_key(XxHash3_64::oneshot(&key.to_le_bytes()));
            k += 1;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn close_hashes_share_a_block_and_unrelated_sets_are_far() {
        let a: Vec<u64> = (0..300u64)
            .map(|x| twox_hash::XxHash3_64::oneshot(&x.to_le_bytes()))
            .collect();
        let b: Vec<u64> = (1000..1300u64)
            .map(|x| twox_hash::XxHash3_64::oneshot(&x.to_le_bytes()))
            .collect();
        let (ha, hb) = (compute(&a), compute(&b));
        assert_eq!(compute(&a), ha);
        assert!(distance(ha, hb) > 16, "{}", distance(ha, hb));
        let near = ha ^ 0b1000_0000_0000_0001_0000_0001;
        assert_eq!(distance(ha, near), 3);
        let ka = block_keys(ha);
        assert!(block_keys(near).iter().any(|k| ka.contains(k)));
        assert!(!block_keys(hb).iter().any(|k| ka.contains(k)));
    }

    #[test]
    fn every_hash_within_near_shares_a_key_and_keys_are_specific() {
        let h = 0x0123_4567_89AB_CDEFu64;
        let keys = block_keys(h);
        // Every flip of up to three bits (all positions, in steps that cover each block
        // boundary) keeps one pair of blocks whole.
        for a in 0..64 {
            for b in (a..64).step_by(5) {
                for c in (b..64).step_by(7) {
                    let near = h ^ (1 << a) ^ (1 << b) ^ (1 << c);
                    assert!(distance(h, near) <= NEAR);
                    assert!(
                        block_keys(near).iter().any(|k| keys.contains(k)),
                        "bits {a} {b} {c}"
                    );
                }
            }
        }
        // Flipping one bit in each of four blocks leaves no pair whole.
        let far = h ^ 1 ^ (1 << 13) ^ (1 << 26) ^ (1 << 39);
        assert!(!block_keys(far).iter().any(|k| keys.contains(k)));
        // The same blocks at other positions are other keys.
        let mut all: Vec<i64> = keys.to_vec();
        all.sort_unstable();
        all.dedup();
        assert_eq!(all.len(), keys.len());
    }
}
