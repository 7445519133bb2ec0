//! 64-bit SimHash over shingle hashes (each shingle one vote per bit), the fast path for
//! near-identical copies: a Hamming distance of at most [`NEAR`] bits. Four 16-bit blocks
//! are indexed, so by pigeonhole any such pair shares a block.

use super::minhash::to_key;

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

/// Index keys: each 16-bit block tagged with its position (and kept apart from MinHash
/// band keys by a tag bit pattern).
#[must_use]
pub fn block_keys(h: u64) -> [i64; 4] {
    let mut out = [0i64; 4];
    for (i, k) in out.iter_mut().enumerate() {
        let block = (h >> (16 * i)) & 0xFFFF;
        *k = to_key(0x5348_0000_0000_0000 ^ ((i as u64) << 16) ^ block ^ (block << 24));
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
}
