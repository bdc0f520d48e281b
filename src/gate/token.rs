//! Person tokens as keyed hashes: what the log keeps instead of the token.
//!
//! A vendor's face or ID module gives each person an opaque token. Bound to
//! a temperature it is sensitive personal information (《个人信息保护法》
//! 第二十八条 lists medical and health information as sensitive), so libhsm
//! never stores it: it stores HMAC-SHA-256(site key, token). The site key is
//! supplied by the integrator at run time and is never written to the
//! database; the log keeps only a *fingerprint* of the key (the HMAC of a
//! fixed label) so that opening a log with the wrong key is detected instead
//! of silently producing unmatchable hashes. Watch-list matching compares
//! hashes: the integrator hashes the listed tokens with the same key.

use hmac::{Hmac, KeyInit, Mac};
use sha2::Sha256;

use super::record::TokenHash;
use hsm_core::CoreError;

/// Shortest accepted site key, bytes (the HMAC-SHA-256 security level wants
/// at least 32 random bytes; fewer is refused, not padded).
pub const MIN_KEY_BYTES: usize = 32;

/// The site key: HMAC-SHA-256 keyed hashing of person tokens.
#[derive(Clone)]
pub struct SiteKey {
    mac: Hmac<Sha256>,
}

impl core::fmt::Debug for SiteKey {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        // Never print key material.
        f.write_str("SiteKey(..)")
    }
}

const FINGERPRINT_LABEL: &[u8] = b"libhsm passage-log key fingerprint v1";

impl SiteKey {
    /// A site key from at least [`MIN_KEY_BYTES`] bytes.
    ///
    /// # Errors
    /// [`CoreError::InvalidArgument`] for a shorter key.
    pub fn new(key: &[u8]) -> Result<SiteKey, CoreError> {
        if key.len() < MIN_KEY_BYTES {
            return Err(CoreError::InvalidArgument {
                field: "site key length (bytes)",
                value: key.len() as f64,
                expected: "at least 32 bytes of secret key material",
            });
        }
        let mac = <Hmac<Sha256> as KeyInit>::new_from_slice(key).map_err(|_| {
            CoreError::InvalidArgument {
                field: "site key length (bytes)",
                value: key.len() as f64,
                expected: "a key HMAC-SHA-256 accepts",
            }
        })?;
        Ok(SiteKey { mac })
    }

    /// The keyed hash of `token`.
    #[must_use]
    pub fn hash(&self, token: &[u8]) -> TokenHash {
        let mut m = self.mac.clone();
        m.update(token);
        TokenHash(m.finalize().into_bytes().into())
    }

    /// The key's fingerprint: the hash of a fixed label. Stored in the log
    /// to detect a changed key; reveals nothing about the key.
    #[must_use]
    pub fn fingerprint(&self) -> TokenHash {
        self.hash(FINGERPRINT_LABEL)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc4231_case_2_style_vector() {
        // RFC 4231 test case 6 uses a 131-byte key of 0xaa; its message and
        // HMAC-SHA-256 are published.
        let key = [0xaau8; 131];
        let k = SiteKey::new(&key).unwrap_or_else(|e| unreachable!("{e}"));
        let h = k.hash(b"Test Using Larger Than Block-Size Key - Hash Key First");
        assert_eq!(
            h.to_hex(),
            "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54"
        );
    }

    #[test]
    fn short_keys_are_refused_and_debug_hides_the_key() {
        assert!(SiteKey::new(&[1u8; 31]).is_err());
        let k = SiteKey::new(&[7u8; 32]).unwrap_or_else(|e| unreachable!("{e}"));
        assert_eq!(format!("{k:?}"), "SiteKey(..)");
        assert_ne!(k.hash(b"a"), k.hash(b"b"));
        assert_ne!(k.fingerprint(), k.hash(b"a"));
    }
}
