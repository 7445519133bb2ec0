//! How fingerprint values are written into columns, shared by the article rows and the
//! retrieval index: MinHash signatures as little-endian blobs, anchor and number lists as
//! space-separated words, anchors as integer keys.

use crate::fingerprint::anchors::AnchorKind;
use crate::fingerprint::minhash;
use twox_hash::XxHash3_64;

/// Seed of anchor keys.
pub const ANCHOR_SEED: u64 = 0x616e_6368_6f72_7321; // "anchors!"

/// Integer key of an anchor string: of the key it meets others by (a katakana word's is
/// the name of its skeleton, see [`AnchorKind::meeting`]).
#[must_use]
pub fn anchor_key(anchor: &str) -> i64 {
    minhash::to_key(XxHash3_64::oneshot_with_seed(
        ANCHOR_SEED,
        AnchorKind::meeting(anchor).as_bytes(),
    ))
}

/// A MinHash signature as bytes.
pub(crate) fn blob(sig: &[u32]) -> Vec<u8> {
    sig.iter().flat_map(|v| v.to_le_bytes()).collect()
}

/// A MinHash signature from its bytes.
pub(crate) fn unblob(b: &[u8]) -> Vec<u32> {
    b.chunks_exact(4)
        .map(|c| u32::from_le_bytes([c[0], c[1], c[2], c[3]]))
        .collect()
}

/// The words of a space-separated list.
pub(crate) fn words(s: &str) -> Vec<String> {
    s.split(' ')
        .filter(|x| !x.is_empty())
        .map(str::to_string)
        .collect()
}
