//! Hash maps for the matcher's integer keys (article ids, anchor keys): an FxHash-style
//! multiply-rotate hasher instead of SipHash, which was a tenth of the matching time.
//! The keys are row ids and hashes of feed text, so there is nothing to gain from a keyed
//! hash here.

use std::collections::{HashMap, HashSet};
use std::hash::{BuildHasherDefault, Hasher};

/// The hasher.
#[derive(Debug, Default, Clone, Copy)]
pub struct IntHasher(u64);

impl IntHasher {
    const K: u64 = 0x517c_c1b7_2722_0a95;

    fn add(&mut self, x: u64) {
        self.0 = (self.0.rotate_left(5) ^ x).wrapping_mul(Self::K);
    }
}

impl Hasher for IntHasher {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        for chunk in bytes.chunks(8) {
            let mut b = [0u8; 8];
            b[..chunk.len()].copy_from_slice(chunk);
            self.add(u64::from_le_bytes(b));
        }
    }

    fn write_u64(&mut self, x: u64) {
        self.add(x);
    }

    fn write_i64(&mut self, x: i64) {
        self.add(x.cast_unsigned());
    }

    fn write_usize(&mut self, x: usize) {
        self.add(x as u64);
    }
}

/// A `HashMap` with [`IntHasher`].
pub type IntMap<K, V> = HashMap<K, V, BuildHasherDefault<IntHasher>>;

/// A `HashSet` with [`IntHasher`].
pub type IntSet<K> = HashSet<K, BuildHasherDefault<IntHasher>>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_what_it_is_given() {
        let mut m: IntMap<(i64, i64), usize> = IntMap::default();
        for i in 0..1000i64 {
            m.insert((i, i * 7), usize::try_from(i).unwrap());
        }
        assert_eq!(m.len(), 1000);
        assert_eq!(m.get(&(10, 70)), Some(&10));
        assert_eq!(m.get(&(70, 10)), None);
    }
}
