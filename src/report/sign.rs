//! Detached Ed25519 signatures of a report's `SHA256SUMS` (issue 19, item 7):
//! the only module that knows ed25519-dalek. Keys are the PEM files OpenSSL
//! writes (`openssl genpkey -algorithm ed25519`, `openssl pkey -pubout`), and
//! the signature is the raw 64 bytes, so anyone can check a report folder
//! without Cordon:
//! `openssl pkeyutl -verify -pubin -inkey key.pub.pem -rawin -in SHA256SUMS -sigfile SHA256SUMS.sig`.

use ed25519_dalek::pkcs8::{DecodePrivateKey, DecodePublicKey, EncodePublicKey};
use ed25519_dalek::{Signature, Signer, SigningKey, Verifier, VerifyingKey};
use thiserror::Error;

/// A key or signature that cannot be used.
#[derive(Debug, Error, miette::Diagnostic)]
pub enum SignError {
    /// The private key does not read.
    #[error("`{file}` is not an Ed25519 private key in PKCS#8 PEM: {reason}")]
    #[diagnostic(
        code(cordon::report::sign_key),
        help("make one with `openssl genpkey -algorithm ed25519 -out key.pem`")
    )]
    PrivateKey {
        /// The key file.
        file: String,
        /// Why.
        reason: String,
    },
    /// The public key does not read.
    #[error("`{file}` is not an Ed25519 public key in PEM: {reason}")]
    #[diagnostic(
        code(cordon::report::public_key),
        help("derive it with `openssl pkey -in key.pem -pubout -out key.pub.pem`")
    )]
    PublicKey {
        /// The key file.
        file: String,
        /// Why.
        reason: String,
    },
}

/// A signing key, read from PEM.
pub struct Key(SigningKey);

impl Key {
    /// Reads a PKCS#8 PEM Ed25519 private key (`file` names it in errors).
    pub fn from_pem(file: &str, pem: &str) -> Result<Key, SignError> {
        SigningKey::from_pkcs8_pem(pem)
            .map(Key)
            .map_err(|e| SignError::PrivateKey { file: file.to_string(), reason: e.to_string() })
    }

    /// The detached signature of `bytes`: 64 raw bytes.
    pub fn sign(&self, bytes: &[u8]) -> Vec<u8> {
        self.0.sign(bytes).to_bytes().to_vec()
    }

    /// The public key in PEM (SubjectPublicKeyInfo), to hand to verifiers.
    pub fn public_pem(&self) -> String {
        self.0
            .verifying_key()
            .to_public_key_pem(ed25519_dalek::pkcs8::spki::der::pem::LineEnding::LF)
            .unwrap_or_default()
    }

    /// The SHA-256 of the public key's 32 bytes, to name it.
    pub fn fingerprint(&self) -> String {
        crate::source::sha256_hex(self.0.verifying_key().as_bytes())
    }
}

/// A public key, read from PEM.
pub struct PublicKey(VerifyingKey);

impl PublicKey {
    /// Reads a PEM Ed25519 public key (`file` names it in errors).
    pub fn from_pem(file: &str, pem: &str) -> Result<PublicKey, SignError> {
        VerifyingKey::from_public_key_pem(pem)
            .map(PublicKey)
            .map_err(|e| SignError::PublicKey { file: file.to_string(), reason: e.to_string() })
    }

    /// Whether `signature` (64 raw bytes) signs `bytes` under this key.
    pub fn verifies(&self, bytes: &[u8], signature: &[u8]) -> bool {
        let Ok(sig) = <[u8; 64]>::try_from(signature) else { return false };
        self.0.verify(bytes, &Signature::from_bytes(&sig)).is_ok()
    }

    /// The SHA-256 of the key's 32 bytes.
    pub fn fingerprint(&self) -> String {
        crate::source::sha256_hex(self.0.as_bytes())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    // An RFC 8032 test key (section 7.1, test 1) in PKCS#8 PEM.
    const KEY: &str = "-----BEGIN PRIVATE KEY-----\nMC4CAQAwBQYDK2VwBCIEIJ1hsZ3v/VpguoRK9JLsLMREScVpezJpGXA7rAMcrn9g\n-----END PRIVATE KEY-----\n";

    #[test]
    fn a_signature_verifies_under_its_key_and_not_after_an_edit() {
        let key = Key::from_pem("k.pem", KEY).expect("key");
        let public = PublicKey::from_pem("k.pub.pem", &key.public_pem()).expect("public key");
        assert_eq!(key.fingerprint(), public.fingerprint());
        let sig = key.sign(b"abc  report.pdf\n");
        assert_eq!(sig.len(), 64);
        assert!(public.verifies(b"abc  report.pdf\n", &sig));
        assert!(!public.verifies(b"abd  report.pdf\n", &sig));
        assert!(!public.verifies(b"abc  report.pdf\n", &sig[..63]));
        // RFC 8032's public key for this secret.
        assert!(key.public_pem().contains("MCowBQYDK2VwAyEA11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo="));
        assert!(matches!(Key::from_pem("x.pem", "not a key"), Err(SignError::PrivateKey { .. })));
    }
}
