//! Minimal SRTP for one SSRC per session, AES_CM_128_HMAC_SHA1_80 only
//! (RFC 3711, key derivation rate 0). Allocation-free; packets are
//! transformed in place. Written independently of the SFU's `src/srtp` so
//! that the benchmark also checks interop; the tests compare it with
//! webrtc-srtp.

use aes::cipher::{KeyIvInit, StreamCipher};
use hmac::{Hmac, Mac};
use sha1::Sha1;

type Aes128Ctr = ctr::Ctr128BE<aes::Aes128>;

pub const KEY_AND_SALT_LEN: usize = 30;
pub const TAG_LEN: usize = 10;

#[derive(Debug, PartialEq, Eq)]
pub enum SrtpError {
    Malformed,
    Auth,
}

pub struct Srtp {
    enc_key: [u8; 16],
    salt: [u8; 14],
    mac: Hmac<Sha1>,
    // Rollover state of the one SSRC this session sees (send or receive).
    started: bool,
    roc: u32,
    s_l: u16,
}

/// AES-CM PRF of RFC 3711 section 4.3.3 with kdr = 0.
fn derive(master_key: &[u8], master_salt: &[u8], label: u8, out: &mut [u8]) {
    let mut iv = [0u8; 16];
    iv[..14].copy_from_slice(master_salt);
    iv[7] ^= label;
    out.fill(0);
    let mut c = Aes128Ctr::new(master_key.into(), (&iv).into());
    c.apply_keystream(out);
}

/// Length of the RTP header (fixed part, CSRCs, extension).
pub fn rtp_header_len(buf: &[u8]) -> Option<usize> {
    if buf.len() < 12 || buf[0] >> 6 != 2 {
        return None;
    }
    let mut len = 12 + 4 * (buf[0] & 0x0F) as usize;
    if buf[0] & 0x10 != 0 {
        if buf.len() < len + 4 {
            return None;
        }
        let words = u16::from_be_bytes([buf[len + 2], buf[len + 3]]) as usize;
        len += 4 + 4 * words;
    }
    (len <= buf.len()).then_some(len)
}

impl Srtp {
    /// `key_and_salt`: the 30 bytes of mediasoup's `srtpParameters.keyBase64`.
    pub fn new(key_and_salt: &[u8]) -> Self {
        assert_eq!(key_and_salt.len(), KEY_AND_SALT_LEN);
        let (mk, ms) = key_and_salt.split_at(16);
        let mut enc_key = [0u8; 16];
        let mut auth_key = [0u8; 20];
        let mut salt = [0u8; 14];
        derive(mk, ms, 0, &mut enc_key);
        derive(mk, ms, 1, &mut auth_key);
        derive(mk, ms, 2, &mut salt);
        Srtp {
            enc_key,
            salt,
            mac: <Hmac<Sha1> as Mac>::new_from_slice(&auth_key).expect("hmac key"),
            started: false,
            roc: 0,
            s_l: 0,
        }
    }

    fn crypt(&self, ssrc: u32, index: u64, payload: &mut [u8]) {
        let mut iv = [0u8; 16];
        iv[..14].copy_from_slice(&self.salt);
        for (i, b) in ssrc.to_be_bytes().iter().enumerate() {
            iv[4 + i] ^= b;
        }
        for (i, b) in index.to_be_bytes()[2..].iter().enumerate() {
            iv[8 + i] ^= b;
        }
        let mut c = Aes128Ctr::new((&self.enc_key).into(), (&iv).into());
        c.apply_keystream(payload);
    }

    fn tag(&self, authenticated: &[u8], roc: u32) -> [u8; 20] {
        let mut m = self.mac.clone();
        m.update(authenticated);
        m.update(&roc.to_be_bytes());
        m.finalize().into_bytes().into()
    }

    /// Encrypts the RTP packet `buf[..len]` in place and appends the tag;
    /// `buf` needs `TAG_LEN` spare bytes. Returns the new length.
    pub fn protect(&mut self, buf: &mut [u8], len: usize) -> Result<usize, SrtpError> {
        let hl = rtp_header_len(&buf[..len]).ok_or(SrtpError::Malformed)?;
        if buf.len() < len + TAG_LEN {
            return Err(SrtpError::Malformed);
        }
        let seq = u16::from_be_bytes([buf[2], buf[3]]);
        let ssrc = u32::from_be_bytes([buf[8], buf[9], buf[10], buf[11]]);
        if !self.started {
            self.started = true;
        } else if seq < self.s_l && self.s_l - seq > 0x8000 {
            self.roc = self.roc.wrapping_add(1);
        }
        self.s_l = seq;
        let index = ((self.roc as u64) << 16) | seq as u64;
        self.crypt(ssrc, index, &mut buf[hl..len]);
        let t = self.tag(&buf[..len], self.roc);
        buf[len..len + TAG_LEN].copy_from_slice(&t[..TAG_LEN]);
        Ok(len + TAG_LEN)
    }

    /// Authenticates and decrypts the SRTP packet `buf[..len]` in place.
    /// Returns the RTP length. No replay protection (not needed here).
    pub fn unprotect(&mut self, buf: &mut [u8], len: usize) -> Result<usize, SrtpError> {
        if len < 12 + TAG_LEN {
            return Err(SrtpError::Malformed);
        }
        let rtp_len = len - TAG_LEN;
        let hl = rtp_header_len(&buf[..rtp_len]).ok_or(SrtpError::Malformed)?;
        let seq = u16::from_be_bytes([buf[2], buf[3]]);
        let ssrc = u32::from_be_bytes([buf[8], buf[9], buf[10], buf[11]]);
        // RFC 3711 appendix A: guess the ROC of this packet.
        let v = if !self.started {
            0
        } else if self.s_l < 0x8000 {
            if seq > self.s_l && seq - self.s_l > 0x8000 {
                self.roc.wrapping_sub(1)
            } else {
                self.roc
            }
        } else if self.s_l - 0x8000 > seq {
            self.roc.wrapping_add(1)
        } else {
            self.roc
        };
        let t = self.tag(&buf[..rtp_len], v);
        // Not constant-time: a benchmark receiver, not a security boundary.
        if t[..TAG_LEN] != buf[rtp_len..len] {
            return Err(SrtpError::Auth);
        }
        let index = ((v as u64) << 16) | seq as u64;
        self.crypt(ssrc, index, &mut buf[hl..rtp_len]);
        if !self.started {
            self.started = true;
            self.s_l = seq;
            self.roc = v;
        } else if v == self.roc.wrapping_add(1) || (v == self.roc && seq > self.s_l) {
            self.roc = v;
            self.s_l = seq;
        }
        Ok(rtp_len)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use webrtc_srtp::context::Context;
    use webrtc_srtp::protection_profile::ProtectionProfile;

    fn key() -> Vec<u8> {
        (0..30u8)
            .map(|i| i.wrapping_mul(37).wrapping_add(5))
            .collect()
    }

    fn packet(seq: u16, ext: bool) -> Vec<u8> {
        let mut p = vec![
            0x80,
            0xE5,
            (seq >> 8) as u8,
            seq as u8,
            0,
            0,
            1,
            2,
            0xde,
            0xad,
            0xbe,
            0xef,
        ];
        if ext {
            p[0] |= 0x10;
            p.extend_from_slice(&[0xBE, 0xDE, 0, 1, 0x10, 0xAA, 0, 0]);
        }
        p.extend((0..200u32).map(|i| (i * 7 + seq as u32) as u8));
        p
    }

    fn reference() -> Context {
        let k = key();
        Context::new(
            &k[..16],
            &k[16..],
            ProtectionProfile::Aes128CmHmacSha1_80,
            None,
            None,
        )
        .unwrap()
    }

    #[test]
    fn protect_matches_webrtc_srtp_across_rollover() {
        let mut ours = Srtp::new(&key());
        let mut theirs = reference();
        for i in 0..70_000u32 {
            let seq = (65_000 + i) as u16;
            let p = packet(seq, i % 3 == 0);
            let mut buf = p.clone();
            buf.resize(p.len() + TAG_LEN, 0);
            let n = ours.protect(&mut buf, p.len()).unwrap();
            if i % 97 == 0 || (535..=537).contains(&i) || i > 69_990 {
                let r = theirs.encrypt_rtp(&p).unwrap();
                assert_eq!(&buf[..n], &r[..], "seq {seq} i {i}");
            } else {
                // Keep webrtc-srtp's rollover state in step.
                theirs.encrypt_rtp(&p).unwrap();
            }
        }
    }

    #[test]
    fn unprotect_reads_webrtc_srtp_and_rejects_tampering() {
        let mut ours = Srtp::new(&key());
        let mut theirs = reference();
        for i in 0..70_000u32 {
            let seq = (60_000 + i) as u16;
            let p = packet(seq, i % 2 == 0);
            let enc = theirs.encrypt_rtp(&p).unwrap();
            let mut buf = enc.to_vec();
            let n = ours.unprotect(&mut buf, enc.len()).unwrap();
            assert_eq!(&buf[..n], &p[..]);
        }
        let p = packet(7, false);
        let mut buf = theirs.encrypt_rtp(&p).unwrap().to_vec();
        let l = buf.len();
        buf[20] ^= 1;
        assert_eq!(ours.unprotect(&mut buf, l), Err(SrtpError::Auth));
    }
}
