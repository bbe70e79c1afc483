//! AES-GCM as SRTP/SRTCP use it (RFC 7714): the session-key AEAD of one
//! direction and the IV construction.

use aes_gcm::aead::generic_array::GenericArray;
use aes_gcm::aead::AeadInPlace;
use aes_gcm::{Aes128Gcm, Aes256Gcm, KeyInit};

use super::suite::GCM_TAG_LEN;

// By value: no pointer chase per packet; built once per session.
#[allow(clippy::large_enum_variant)]
#[derive(Clone)]
enum Aead {
    Aes128(Aes128Gcm),
    Aes256(Aes256Gcm),
}

/// One direction's GCM context; key schedule and GHASH key computed once.
#[derive(Clone)]
pub(crate) struct GcmContext {
    aead: Aead,
    salt: [u8; 12],
}

impl GcmContext {
    /// `key` is 16 or 32 bytes (the caller derived it with the suite's length).
    pub(crate) fn new(key: &[u8], salt: &[u8; 12]) -> Self {
        let aead = if key.len() == 32 {
            Aead::Aes256(Aes256Gcm::new_from_slice(key).unwrap())
        } else {
            Aead::Aes128(Aes128Gcm::new_from_slice(key).unwrap())
        };
        Self { aead, salt: *salt }
    }

    /// RTP IV: `(00 00 || SSRC || ROC || SEQ) XOR salt` (RFC 7714 8.1).
    pub(crate) fn rtp_iv(&self, ssrc: u32, index: u64) -> [u8; 12] {
        let mut iv = [0u8; 12];
        iv[2..6].copy_from_slice(&ssrc.to_be_bytes());
        iv[6..12].copy_from_slice(&index.to_be_bytes()[2..8]);
        self.xor_salt(iv)
    }

    /// SRTCP IV: `(00 00 || SSRC || 00 00 || 0 || index) XOR salt` (RFC 7714 9.1).
    pub(crate) fn rtcp_iv(&self, ssrc: u32, index: u32) -> [u8; 12] {
        let mut iv = [0u8; 12];
        iv[2..6].copy_from_slice(&ssrc.to_be_bytes());
        iv[8..12].copy_from_slice(&(index & 0x7fff_ffff).to_be_bytes());
        self.xor_salt(iv)
    }

    fn xor_salt(&self, mut iv: [u8; 12]) -> [u8; 12] {
        for (b, s) in iv.iter_mut().zip(self.salt) {
            *b ^= s;
        }
        iv
    }

    /// Encrypts `data` in place and returns the tag.
    pub(crate) fn seal(&self, iv: &[u8; 12], aad: &[u8], data: &mut [u8]) -> [u8; GCM_TAG_LEN] {
        let nonce = GenericArray::from_slice(iv);
        // Only fails beyond GCM's 64 GiB plaintext limit, impossible here.
        let tag = match &self.aead {
            Aead::Aes128(c) => c.encrypt_in_place_detached(nonce, aad, data),
            Aead::Aes256(c) => c.encrypt_in_place_detached(nonce, aad, data),
        }
        .expect("GCM input within limits");
        tag.into()
    }

    /// Verifies the tag (constant time, inside aes-gcm) and only then
    /// decrypts `data` in place. On failure `data` is untouched.
    pub(crate) fn open(&self, iv: &[u8; 12], aad: &[u8], data: &mut [u8], tag: &[u8]) -> bool {
        if tag.len() != GCM_TAG_LEN {
            return false;
        }
        let nonce = GenericArray::from_slice(iv);
        let tag = GenericArray::from_slice(tag);
        match &self.aead {
            Aead::Aes128(c) => c.decrypt_in_place_detached(nonce, aad, data, tag),
            Aead::Aes256(c) => c.decrypt_in_place_detached(nonce, aad, data, tag),
        }
        .is_ok()
    }

    /// Undoes a successful `open` (CTR is its own inverse), for packets
    /// rejected after authentication so the caller's buffer is unchanged.
    pub(crate) fn reseal(&self, iv: &[u8; 12], aad: &[u8], data: &mut [u8]) {
        self.seal(iv, aad, data);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::srtp::test_util::hex;

    // RFC 7714 16/17 publish session keys (no KDF): key 00..0f / 00..1f,
    // salt "Quid pro quo".
    const SALT: &str = "517569642070726f2071756f";
    const RTP: &str = "8040f17b8041f8d35501a0b2\
                       47616c6c69612065737420\
                       6f6d6e6973206469766973\
                       6120696e20706172746573\
                       20747265 73";
    const RTCP: &str = "81c8000d4d617273\
                        4e5450314e545032525450200000042a0000e9304c756e61\
                        deadbeefdeadbeefdeadbeefdeadbeefdeadbeef";

    fn ctx(key_len: usize) -> GcmContext {
        let key: Vec<u8> = (0..key_len as u8).collect();
        GcmContext::new(&key, &hex(SALT).try_into().unwrap())
    }

    fn rtp_vector(ctx: &GcmContext, expected: &str) {
        let plain = hex(RTP);
        let iv = ctx.rtp_iv(0x5501a0b2, 0xf17b);
        assert_eq!(iv.to_vec(), hex("51753c6580c2726f20718414"));
        let mut pkt = plain.clone();
        let (aad, payload) = pkt.split_at_mut(12);
        let tag = ctx.seal(&iv, aad, payload);
        pkt.extend_from_slice(&tag);
        assert_eq!(pkt, hex(expected));

        let mut tampered = pkt.clone();
        tampered[20] ^= 1;
        let (head, tag) = tampered.split_at_mut(plain.len());
        let (aad, ct) = head.split_at_mut(12);
        assert!(!ctx.open(&iv, aad, ct, tag));

        let (head, tag) = pkt.split_at_mut(plain.len());
        let (aad, ct) = head.split_at_mut(12);
        assert!(ctx.open(&iv, aad, ct, tag));
        assert_eq!(head.to_vec(), plain);
    }

    fn rtcp_vector(ctx: &GcmContext, expected: &str) {
        let plain = hex(RTCP);
        let index = 0x5d4;
        let iv = ctx.rtcp_iv(0x4d617273, index);
        assert_eq!(iv.to_vec(), hex("517524055203726f207170bb"));
        let trailer = (0x8000_0000u32 | index).to_be_bytes();
        let mut aad = [0u8; 12];
        aad[..8].copy_from_slice(&plain[..8]);
        aad[8..].copy_from_slice(&trailer);
        let mut pkt = plain.clone();
        let tag = ctx.seal(&iv, &aad, &mut pkt[8..]);
        pkt.extend_from_slice(&tag);
        pkt.extend_from_slice(&trailer);
        assert_eq!(pkt, hex(expected));

        let n = plain.len();
        let (head, rest) = pkt.split_at_mut(n);
        assert!(ctx.open(&iv, &aad, &mut head[8..], &rest[..16]));
        assert_eq!(head.to_vec(), plain);
    }

    /// RFC 7714 16.1.1 / 16.1.2 (AEAD_AES_128_GCM, RTP).
    #[test]
    fn rfc7714_16_1_rtp_aes128() {
        rtp_vector(
            &ctx(16),
            "8040f17b8041f8d35501a0b2f24de3a3fb34de6cacba861c9d7e4bcabe633bd5\
             0d294e6f42a5f47a51c7d19b36de3adf8833899d7f27beb16a9152cf765ee4390cce",
        );
    }

    /// RFC 7714 16.2.1 / 16.2.2 (AEAD_AES_256_GCM, RTP).
    #[test]
    fn rfc7714_16_2_rtp_aes256() {
        rtp_vector(
            &ctx(32),
            "8040f17b8041f8d35501a0b232b1de78a822fe12ef9f78fa332e33aab1801238\
             9a58e2f3b50b2a0276ffae0f1ba63799b87b7aa3db36dfffd6b0f9bb7878d7a76c13",
        );
    }

    /// RFC 7714 17.1 (AEAD_AES_128_GCM, SRTCP, index 0x5d4).
    #[test]
    fn rfc7714_17_1_rtcp_aes128() {
        rtcp_vector(
            &ctx(16),
            "81c8000d4d61727363e94885dcdab67ca727d7662f6b7e997ff5c0f76c06f32d\
             c676a5f1730d6fda4ce09b4686303ded0bb9275bc84aa45896cf4d2fc5abf872\
             45d9eade800005d4",
        );
    }

    /// RFC 7714 17.2 (AEAD_AES_256_GCM, SRTCP, index 0x5d4).
    #[test]
    fn rfc7714_17_2_rtcp_aes256() {
        rtcp_vector(
            &ctx(32),
            "81c8000d4d617273d50ae4d1f5ce5d304ba297e47d470c282c3ece5dbffe0a50\
             a2eaa5c1110555be8415f658c61de0476f1b6fad1d1eb30c4446839f57ff6f6c\
             b26ac3be800005d4",
        );
    }
}
