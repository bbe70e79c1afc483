//! The AES-CM key derivation function of RFC 3711 4.3.3 with a key
//! derivation rate of 0 (the only rate DTLS-SRTP and mediasoup use), also
//! used by the GCM suites (RFC 7714 11; AES-256 master keys per RFC 6188).

use aes::cipher::KeyInit;
use aes::{Aes128Enc, Aes256Enc};

use super::aes_cm::apply_keystream;
use super::error::SrtpError;

/// Key derivation labels (RFC 3711 4.3.2).
#[derive(Clone, Copy, Debug)]
#[repr(u8)]
pub(crate) enum Label {
    RtpEncryption = 0,
    RtpAuth = 1,
    RtpSalt = 2,
    RtcpEncryption = 3,
    RtcpAuth = 4,
    RtcpSalt = 5,
}

/// The master key's AES key schedule, used only while deriving.
// Lives briefly on the stack during construction; boxing would only add an allocation.
#[allow(clippy::large_enum_variant)]
pub(crate) enum Kdf {
    Aes128(Aes128Enc, [u8; 14]),
    Aes256(Aes256Enc, [u8; 14]),
}

impl Kdf {
    /// `master_salt` is 14 bytes (AES-CM) or 12 (GCM); a short salt is
    /// padded with zeros on the right to the KDF's 112 bits.
    pub(crate) fn new(master_key: &[u8], master_salt: &[u8]) -> Result<Self, SrtpError> {
        if master_salt.len() > 14 {
            return Err(SrtpError::BadKeyLength);
        }
        let mut salt = [0u8; 14];
        salt[..master_salt.len()].copy_from_slice(master_salt);
        match master_key.len() {
            16 => Ok(Kdf::Aes128(
                Aes128Enc::new_from_slice(master_key).unwrap(),
                salt,
            )),
            32 => Ok(Kdf::Aes256(
                Aes256Enc::new_from_slice(master_key).unwrap(),
                salt,
            )),
            _ => Err(SrtpError::BadKeyLength),
        }
    }

    /// Fills `out` with the PRF output for `label`:
    /// AES-CM keyed by the master key, IV = (salt XOR label * 2^48) * 2^16.
    pub(crate) fn derive(&self, label: Label, out: &mut [u8]) {
        let salt = match self {
            Kdf::Aes128(_, s) | Kdf::Aes256(_, s) => s,
        };
        let mut iv = [0u8; 16];
        iv[..14].copy_from_slice(salt);
        iv[7] ^= label as u8;
        out.fill(0);
        match self {
            Kdf::Aes128(c, _) => apply_keystream(c, &iv, out),
            Kdf::Aes256(c, _) => apply_keystream(c, &iv, out),
        }
    }

    pub(crate) fn derive_array<const N: usize>(&self, label: Label) -> [u8; N] {
        let mut out = [0u8; N];
        self.derive(label, &mut out);
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::srtp::test_util::hex;

    /// RFC 3711 Appendix B.3.
    #[test]
    fn rfc3711_b3_key_derivation() {
        let kdf = Kdf::new(
            &hex("E1F97A0D3E018BE0D64FA32C06DE4139"),
            &hex("0EC675AD498AFEEBB6960B3AABE6"),
        )
        .unwrap();
        let key: [u8; 16] = kdf.derive_array(Label::RtpEncryption);
        let salt: [u8; 14] = kdf.derive_array(Label::RtpSalt);
        let auth: [u8; 20] = kdf.derive_array(Label::RtpAuth);
        assert_eq!(key.to_vec(), hex("C61E7A93744F39EE10734AFE3FF7A087"));
        assert_eq!(salt.to_vec(), hex("30CBBC08863D8C85D49DB34A9AE1"));
        assert_eq!(
            auth.to_vec(),
            hex("CEBE321F6FF7716B6FD4AB49AF256A156D38BAA4")
        );
    }

    #[test]
    fn rejects_bad_lengths() {
        assert!(Kdf::new(&[0; 15], &[0; 14]).is_err());
        assert!(Kdf::new(&[0; 24], &[0; 14]).is_err());
        assert!(Kdf::new(&[0; 16], &[0; 15]).is_err());
    }
}
