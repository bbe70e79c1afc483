//! AES counter mode as SRTP uses it (RFC 3711 4.1.1), and the AES-CM +
//! HMAC-SHA1 context of one direction of SRTP or SRTCP.

use aes::cipher::consts::U16;
use aes::cipher::{BlockEncrypt, BlockSizeUser, KeyInit};
use aes::{Aes128Enc, Block};
use hmac::{Hmac, Mac};
use sha1::Sha1;
use subtle::ConstantTimeEq;

/// Blocks encrypted per `encrypt_blocks` call: enough for the AES-NI
/// backend to pipeline (it works on 8 blocks at a time).
const PAR_BLOCKS: usize = 8;

/// XORs `data` with the AES-CTR keystream whose first counter block is `iv`.
/// The counter is the whole 128-bit block, incremented big-endian.
pub(crate) fn apply_keystream<C>(cipher: &C, iv: &[u8; 16], data: &mut [u8])
where
    C: BlockEncrypt + BlockSizeUser<BlockSize = U16>,
{
    let mut counter = u128::from_be_bytes(*iv);
    let mut blocks = [Block::default(); PAR_BLOCKS];
    for chunk in data.chunks_mut(PAR_BLOCKS * 16) {
        let n = chunk.len().div_ceil(16);
        for block in &mut blocks[..n] {
            block.copy_from_slice(&counter.to_be_bytes());
            counter = counter.wrapping_add(1);
        }
        cipher.encrypt_blocks(&mut blocks[..n]);
        for (d, k) in chunk.chunks_mut(16).zip(blocks.iter()) {
            if let Ok(d16) = <&mut [u8; 16]>::try_from(&mut *d) {
                let k16: [u8; 16] = (*k).into();
                *d16 = (u128::from_ne_bytes(*d16) ^ u128::from_ne_bytes(k16)).to_ne_bytes();
            } else {
                for (x, y) in d.iter_mut().zip(k.iter()) {
                    *x ^= y;
                }
            }
        }
    }
}

/// The counter-mode IV: `(salt * 2^16) XOR (SSRC * 2^64) XOR (index * 2^16)`.
/// `index` is the 48-bit SRTP packet index or the 31-bit SRTCP index.
pub(crate) fn packet_iv(salt: &[u8; 14], ssrc: u32, index: u64) -> [u8; 16] {
    let mut iv = [0u8; 16];
    iv[..14].copy_from_slice(salt);
    for (b, s) in iv[4..8].iter_mut().zip(ssrc.to_be_bytes()) {
        *b ^= s;
    }
    for (b, i) in iv[8..16].iter_mut().zip((index << 16).to_be_bytes()) {
        *b ^= i;
    }
    iv
}

/// Session keys of one AES-CM direction (SRTP or SRTCP), with the AES key
/// schedule and the HMAC inner/outer states computed once.
#[derive(Clone)]
pub(crate) struct CmContext {
    cipher: Aes128Enc,
    salt: [u8; 14],
    mac: Hmac<Sha1>,
    tag_len: usize,
}

impl CmContext {
    pub(crate) fn new(
        key: &[u8; 16],
        salt: &[u8; 14],
        auth_key: &[u8; 20],
        tag_len: usize,
    ) -> Self {
        debug_assert!(tag_len <= 20);
        Self {
            cipher: Aes128Enc::new(key.into()),
            salt: *salt,
            mac: <Hmac<Sha1> as Mac>::new_from_slice(auth_key).expect("HMAC takes any key length"),
            tag_len,
        }
    }

    pub(crate) fn tag_len(&self) -> usize {
        self.tag_len
    }

    /// Encrypts or decrypts (the same operation) in place.
    pub(crate) fn crypt(&self, ssrc: u32, index: u64, data: &mut [u8]) {
        apply_keystream(&self.cipher, &packet_iv(&self.salt, ssrc, index), data);
    }

    /// HMAC-SHA1 over `a || b`, untruncated. Cloning the keyed state copies a
    /// few hundred bytes on the stack; no key schedule is recomputed.
    pub(crate) fn mac(&self, a: &[u8], b: &[u8]) -> [u8; 20] {
        let mut mac = self.mac.clone();
        mac.update(a);
        mac.update(b);
        mac.finalize().into_bytes().into()
    }

    /// Constant-time check of a received (truncated) tag.
    pub(crate) fn verify(&self, a: &[u8], b: &[u8], tag: &[u8]) -> bool {
        let full = self.mac(a, b);
        tag.len() == self.tag_len && bool::from(full[..self.tag_len].ct_eq(tag))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::srtp::test_util::hex;

    /// RFC 3711 Appendix B.2: the keystream for session key 2B7E..., salt
    /// F0F1...FCFD, SSRC 0, index 0, across the whole 65282-block segment.
    #[test]
    fn rfc3711_b2_keystream() {
        let cipher = Aes128Enc::new_from_slice(&hex("2B7E151628AED2A6ABF7158809CF4F3C")).unwrap();
        let salt: [u8; 14] = hex("F0F1F2F3F4F5F6F7F8F9FAFBFCFD").try_into().unwrap();
        let iv = packet_iv(&salt, 0, 0);
        assert_eq!(iv.to_vec(), hex("F0F1F2F3F4F5F6F7F8F9FAFBFCFD0000"));

        let mut ks = vec![0u8; 65282 * 16];
        apply_keystream(&cipher, &iv, &mut ks);
        assert_eq!(
            ks[..48].to_vec(),
            hex("E03EAD0935C95E80E166B16DD92B4EB4\
                 D23513162B02D0F72A43A2FE4A5F97AB\
                 41E95B3BB0A2E8DD477901E4FCA894C0")
        );
        assert_eq!(
            ks[0xFEFF * 16..].to_vec(),
            hex("EC8CDF7398607CB0F2D21675EA9EA1E4\
                 362B7C3C6773516318A077D7FC5073AE\
                 6A2CC3787889374FBEB4C81B17BA6C44")
        );

        // Odd lengths and offsets see the same stream.
        for len in [1usize, 15, 16, 17, 127, 128, 129, 300] {
            let mut part = vec![0u8; len];
            apply_keystream(&cipher, &iv, &mut part);
            assert_eq!(part[..], ks[..len]);
        }
    }

    #[test]
    fn iv_mixes_ssrc_and_index() {
        let salt = [0u8; 14];
        let iv = packet_iv(&salt, 0x1122_3344, 0x0000_5566_7788_99AA);
        assert_eq!(iv.to_vec(), hex("00000000112233445566778899AA0000"));
    }
}
