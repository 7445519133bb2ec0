//! MinHash over shingle hashes, and the LSH band keys kept in SQLite.
//!
//! Each of the [`PERMUTATIONS`] hash functions is `a·x + b` (wrapping, `a` odd) over the
//! 64-bit shingle hash, keeping the high 32 bits. `a`, `b` come from [`SEED`] by SplitMix64.

use twox_hash::XxHash3_64;

/// Values in a signature.
pub const PERMUTATIONS: usize = 128;
/// Seed of the permutation constants.
pub const SEED: u64 = 0x9E37_79B9_7F4A_7C15;
/// LSH rows per band: 42 bands of 3 rows find pairs with Jaccard 0.3 two times in three,
/// 0.4 nineteen times in twenty, and almost never unrelated texts.
pub const ROWS: usize = 3;
/// LSH bands (`BANDS * ROWS <= PERMUTATIONS`).
pub const BANDS: usize = 42;

fn splitmix(state: &mut u64) -> u64 {
    *state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
    let mut z = *state;
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

fn constants() -> [(u64, u64); PERMUTATIONS] {
    let mut s = SEED;
    let mut out = [(0, 0); PERMUTATIONS];
    for c in &mut out {
        *c = (splitmix(&mut s) | 1, splitmix(&mut s));
    }
    out
}

/// The signature of a set of shingle hashes; all `u32::MAX` for an empty set.
#[must_use]
pub fn signature(shingles: &[u64]) -> Vec<u32> {
    let consts = constants();
    let mut sig = vec![u32::MAX; PERMUTATIONS];
    for &x in shingles {
        for (slot, &(a, b)) in sig.iter_mut().zip(consts.iter()) {
            #[allow(clippy::cast_possible_truncation)] // the high 32 bits, on purpose
            let h = (a.wrapping_mul(x).wrapping_add(b) >> 32) as u32;
            if h < *slot {
                *slot = h;
            }
        }
    }
    sig
}

/// Estimated Jaccard similarity of two signatures.
#[must_use]
pub fn jaccard(a: &[u32], b: &[u32]) -> f64 {
    let n = a.len().min(b.len());
    if n == 0 {
        return 0.0;
    }
    let same = a
        .iter()
        .zip(b)
        .filter(|(x, y)| x == y && **x != u32::MAX)
        .count();
    #[allow(clippy::cast_precision_loss)]
    let j = same as f64 / n as f64;
    j
}

/// Containment of the smaller set in the larger, from Jaccard and the set sizes:
/// |A∩B| = J(|A|+|B|)/(1+J).
#[must_use]
pub fn containment(j: f64, size_a: u32, size_b: u32) -> f64 {
    let small = f64::from(size_a.min(size_b).max(1));
    let inter = j * (f64::from(size_a) + f64::from(size_b)) / (1.0 + j);
    (inter / small).min(1.0)
}

/// LSH keys of a signature: one 63-bit key per band (band index mixed in).
#[must_use]
pub fn band_keys(sig: &[u32]) -> Vec<i64> {
    let mut out = Vec::with_capacity(BANDS);
    let mut buf = [0u8; 4 * ROWS + 8];
    for band in 0..BANDS {
        let rows = sig.get(band * ROWS..(band + 1) * ROWS);
        let Some(rows) = rows else { break };
        if rows.iter().all(|&v| v == u32::MAX) {
            continue;
        }
        buf[..8].copy_from_slice(&(band as u64).to_le_bytes());
        for (i, v) in rows.iter().enumerate() {
            buf[8 + 4 * i..12 + 4 * i].copy_from_slice(&v.to_le_bytes());
        }
        out.push(to_key(XxHash3_64::oneshot_with_seed(SEED, &buf)));
    }
    out
}

/// A 64-bit hash as a non-negative SQLite integer key.
#[must_use]
pub fn to_key(h: u64) -> i64 {
    i64::try_from(h >> 1).unwrap_or(i64::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn identical_sets_have_jaccard_one_and_equal_bands() {
        let s: Vec<u64> = (0..200).collect();
        let a = signature(&s);
        assert!((jaccard(&a, &signature(&s)) - 1.0).abs() < 1e-9);
        assert_eq!(band_keys(&a), band_keys(&signature(&s)));
        assert_eq!(band_keys(&a).len(), BANDS);
    }

    #[test]
    fn jaccard_estimate_is_close() {
        // |A∩B| = 100, |A∪B| = 300 → J = 1/3
        let a: Vec<u64> = (0..200).map(|x| x * 7919).collect();
        let b: Vec<u64> = (100..300).map(|x| x * 7919).collect();
        let j = jaccard(&signature(&a), &signature(&b));
        assert!((j - 1.0 / 3.0).abs() < 0.12, "{j}");
    }

    #[test]
    fn containment_of_a_trimmed_copy() {
        // B ⊂ A, |B| = 50, |A| = 200 → J = 0.25, containment 1
        assert!((containment(0.25, 200, 50) - 1.0).abs() < 1e-9);
    }

    #[test]
    fn empty_set_is_all_max() {
        assert!(signature(&[]).iter().all(|&v| v == u32::MAX));
        assert!(band_keys(&signature(&[])).is_empty());
        assert!(jaccard(&signature(&[]), &signature(&[])) < 1e-9);
    }
}
