//! One direction of an SRTP session: protects or unprotects RTP and RTCP in
//! place with keys derived once, and per-SSRC index / replay state.

use std::fmt;

use base64::Engine as _;

use super::aes_cm::CmContext;
use super::error::SrtpError;
use super::gcm::GcmContext;
use super::header::{parse_rtcp, parse_rtp};
use super::kdf::{Kdf, Label};
use super::replay::{estimate_rtp_index, ReplayWindow, MAX_RTP_INDEX};
use super::ssrc_map::{SsrcMap, MAX_SSRCS};
use super::suite::{CryptoSuite, GCM_TAG_LEN, SRTCP_INDEX_LEN};

/// Largest SRTCP index (31 bits).
const MAX_RTCP_INDEX: u32 = 0x7fff_ffff;
/// The E bit of the SRTCP index word: payload is encrypted.
const E_BIT: u32 = 0x8000_0000;

/// Derived session keys of both SRTP and SRTCP (RFC 3711 4.3: separate labels).
// By value: no pointer chase per packet; built once per session.
#[allow(clippy::large_enum_variant)]
enum Keys {
    Cm { rtp: CmContext, rtcp: CmContext },
    Gcm { rtp: GcmContext, rtcp: GcmContext },
}

/// One direction of one SRTP session (mediasoup has one for inbound and one
/// for outbound per transport). Protecting and unprotecting never allocate
/// once an SSRC has been seen; a new SSRC may allocate once.
///
/// On any error the session state is unchanged and so are the packet bytes
/// in the caller's buffer.
pub struct SrtpSession {
    suite: CryptoSuite,
    keys: Keys,
    /// Highest SRTP packet index sent per SSRC (its ROC || SEQ).
    tx_rtp: SsrcMap<u64>,
    /// Last SRTCP index sent per SSRC.
    tx_rtcp: SsrcMap<u32>,
    rx_rtp: SsrcMap<ReplayWindow>,
    rx_rtcp: SsrcMap<ReplayWindow>,
}

impl fmt::Debug for SrtpSession {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Never print key material.
        f.debug_struct("SrtpSession")
            .field("suite", &self.suite)
            .field("tx_rtp_ssrcs", &self.tx_rtp.len())
            .field("rx_rtp_ssrcs", &self.rx_rtp.len())
            .finish_non_exhaustive()
    }
}

impl SrtpSession {
    /// `key_and_salt` is the master key followed by the master salt
    /// (mediasoup's decoded `keyBase64`), `suite.key_and_salt_len()` bytes.
    pub fn new(suite: CryptoSuite, key_and_salt: &[u8]) -> Result<Self, SrtpError> {
        Self::with_max_ssrcs(suite, key_and_salt, MAX_SSRCS)
    }

    /// Like `new`, keeping per-SSRC state for at most `max_ssrcs` SSRCs per
    /// kind (sent/received, RTP/RTCP), least recently used evicted first.
    pub fn with_max_ssrcs(
        suite: CryptoSuite,
        key_and_salt: &[u8],
        max_ssrcs: usize,
    ) -> Result<Self, SrtpError> {
        if key_and_salt.len() != suite.key_and_salt_len() {
            return Err(SrtpError::BadKeyLength);
        }
        let (master_key, master_salt) = key_and_salt.split_at(suite.master_key_len());
        let kdf = Kdf::new(master_key, master_salt)?;
        let keys = if suite.is_gcm() {
            let n = suite.master_key_len();
            let mut rtp_key = [0u8; 32];
            let mut rtcp_key = [0u8; 32];
            kdf.derive(Label::RtpEncryption, &mut rtp_key[..n]);
            kdf.derive(Label::RtcpEncryption, &mut rtcp_key[..n]);
            Keys::Gcm {
                rtp: GcmContext::new(&rtp_key[..n], &kdf.derive_array(Label::RtpSalt)),
                rtcp: GcmContext::new(&rtcp_key[..n], &kdf.derive_array(Label::RtcpSalt)),
            }
        } else {
            Keys::Cm {
                rtp: CmContext::new(
                    &kdf.derive_array(Label::RtpEncryption),
                    &kdf.derive_array(Label::RtpSalt),
                    &kdf.derive_array(Label::RtpAuth),
                    suite.rtp_tag_len(),
                ),
                rtcp: CmContext::new(
                    &kdf.derive_array(Label::RtcpEncryption),
                    &kdf.derive_array(Label::RtcpSalt),
                    &kdf.derive_array(Label::RtcpAuth),
                    suite.rtcp_tag_len(),
                ),
            }
        };
        Ok(Self {
            suite,
            keys,
            tx_rtp: SsrcMap::new(max_ssrcs),
            tx_rtcp: SsrcMap::new(max_ssrcs),
            rx_rtp: SsrcMap::new(max_ssrcs),
            rx_rtcp: SsrcMap::new(max_ssrcs),
        })
    }

    /// From mediasoup's `srtpParameters` (`cryptoSuite`, `keyBase64`).
    pub fn from_key_base64(suite: CryptoSuite, key_base64: &str) -> Result<Self, SrtpError> {
        let key = base64::engine::general_purpose::STANDARD
            .decode(key_base64.trim())
            .map_err(|_| SrtpError::BadKeyLength)?;
        Self::new(suite, &key)
    }

    pub fn suite(&self) -> CryptoSuite {
        self.suite
    }

    /// Encrypts the RTP packet in `buf[..len]` in place and appends the tag;
    /// returns the new length. `buf` must hold `len + rtp_overhead()` bytes.
    pub fn protect_rtp(&mut self, buf: &mut [u8], len: usize) -> Result<usize, SrtpError> {
        if len > buf.len() {
            return Err(SrtpError::BufferTooSmall);
        }
        let hdr = parse_rtp(&buf[..len])?;
        let tag_len = self.suite.rtp_tag_len();
        if buf.len() - len < tag_len {
            return Err(SrtpError::BufferTooSmall);
        }
        // The sender's ROC is estimated like the receiver's, so a resent old
        // sequence number (NACK without RTX) keeps the ROC it was first sent with.
        let highest = self.tx_rtp.get(hdr.ssrc).copied();
        let index = highest.map_or(u64::from(hdr.seq), |h| estimate_rtp_index(h, hdr.seq));
        if index > MAX_RTP_INDEX {
            return Err(SrtpError::KeyExhausted);
        }
        match &self.keys {
            Keys::Cm { rtp, .. } => {
                rtp.crypt(hdr.ssrc, index, &mut buf[hdr.len..len]);
                let roc = ((index >> 16) as u32).to_be_bytes();
                let mac = rtp.mac(&buf[..len], &roc);
                buf[len..len + tag_len].copy_from_slice(&mac[..tag_len]);
            }
            Keys::Gcm { rtp, .. } => {
                let iv = rtp.rtp_iv(hdr.ssrc, index);
                let (aad, rest) = buf.split_at_mut(hdr.len);
                let tag = rtp.seal(&iv, aad, &mut rest[..len - hdr.len]);
                buf[len..len + GCM_TAG_LEN].copy_from_slice(&tag);
            }
        }
        match self.tx_rtp.get_mut(hdr.ssrc) {
            Some(h) => *h = (*h).max(index),
            None => {
                self.tx_rtp.insert(hdr.ssrc, index);
            }
        }
        Ok(len + tag_len)
    }

    /// Authenticates and decrypts the SRTP packet in `buf[..len]` in place;
    /// returns the RTP length. Rejects replays (128-packet window per SSRC),
    /// checked only after the packet authenticated.
    pub fn unprotect_rtp(&mut self, buf: &mut [u8], len: usize) -> Result<usize, SrtpError> {
        if len > buf.len() {
            return Err(SrtpError::BufferTooSmall);
        }
        let tag_len = self.suite.rtp_tag_len();
        if len < 12 + tag_len {
            return Err(SrtpError::TooShort);
        }
        let body = len - tag_len;
        let hdr = parse_rtp(&buf[..body])?;
        let window = self.rx_rtp.get(hdr.ssrc).copied().unwrap_or_default();
        let index = window
            .highest()
            .map_or(u64::from(hdr.seq), |h| estimate_rtp_index(h, hdr.seq));
        if index > MAX_RTP_INDEX {
            return Err(SrtpError::KeyExhausted);
        }
        let fresh = window.check(index);
        let (head, tag) = buf[..len].split_at_mut(body);
        match &self.keys {
            Keys::Cm { rtp, .. } => {
                let roc = ((index >> 16) as u32).to_be_bytes();
                if !rtp.verify(head, &roc, tag) {
                    return Err(SrtpError::AuthFailed);
                }
                if !fresh {
                    return Err(SrtpError::Replayed);
                }
                rtp.crypt(hdr.ssrc, index, &mut head[hdr.len..]);
            }
            Keys::Gcm { rtp, .. } => {
                let iv = rtp.rtp_iv(hdr.ssrc, index);
                let (aad, ct) = head.split_at_mut(hdr.len);
                if !rtp.open(&iv, aad, ct, tag) {
                    return Err(SrtpError::AuthFailed);
                }
                if !fresh {
                    rtp.reseal(&iv, aad, ct);
                    return Err(SrtpError::Replayed);
                }
            }
        }
        match self.rx_rtp.get_mut(hdr.ssrc) {
            Some(w) => w.accept(index),
            None => self
                .rx_rtp
                .insert(hdr.ssrc, ReplayWindow::default())
                .accept(index),
        }
        Ok(body)
    }

    /// Encrypts the RTCP compound packet in `buf[..len]` (all but its first
    /// 8 bytes), appends E||SRTCP index and the tag; returns the new length.
    /// `buf` must hold `len + rtcp_overhead()` bytes.
    pub fn protect_rtcp(&mut self, buf: &mut [u8], len: usize) -> Result<usize, SrtpError> {
        self.protect_rtcp_inner(buf, len, true)
    }

    fn protect_rtcp_inner(
        &mut self,
        buf: &mut [u8],
        len: usize,
        encrypt: bool,
    ) -> Result<usize, SrtpError> {
        if len > buf.len() {
            return Err(SrtpError::BufferTooSmall);
        }
        let ssrc = parse_rtcp(&buf[..len])?;
        let overhead = self.suite.rtcp_overhead();
        if buf.len() - len < overhead {
            return Err(SrtpError::BufferTooSmall);
        }
        // Like libsrtp, the first index sent is 1.
        let last = self.tx_rtcp.get(ssrc).copied().unwrap_or(0);
        if last >= MAX_RTCP_INDEX {
            return Err(SrtpError::KeyExhausted);
        }
        let index = last + 1;
        let word = (if encrypt { E_BIT } else { 0 } | index).to_be_bytes();
        match &self.keys {
            Keys::Cm { rtcp, .. } => {
                if encrypt {
                    rtcp.crypt(ssrc, u64::from(index), &mut buf[8..len]);
                }
                buf[len..len + SRTCP_INDEX_LEN].copy_from_slice(&word);
                let end = len + SRTCP_INDEX_LEN;
                let mac = rtcp.mac(&buf[..end], &[]);
                let tag_len = rtcp.tag_len();
                buf[end..end + tag_len].copy_from_slice(&mac[..tag_len]);
            }
            Keys::Gcm { rtcp, .. } => {
                let iv = rtcp.rtcp_iv(ssrc, index);
                let tag = if encrypt {
                    let mut aad = [0u8; 8 + SRTCP_INDEX_LEN];
                    aad[..8].copy_from_slice(&buf[..8]);
                    aad[8..].copy_from_slice(&word);
                    rtcp.seal(&iv, &aad, &mut buf[8..len])
                } else {
                    // Unencrypted: the whole packet then the index word is AAD.
                    buf[len..len + SRTCP_INDEX_LEN].copy_from_slice(&word);
                    rtcp.seal(&iv, &buf[..len + SRTCP_INDEX_LEN], &mut [])
                };
                buf[len..len + GCM_TAG_LEN].copy_from_slice(&tag);
                buf[len + GCM_TAG_LEN..len + overhead].copy_from_slice(&word);
            }
        }
        *self.tx_rtcp.get_or_insert_with(ssrc, || 0) = index;
        Ok(len + overhead)
    }

    /// Authenticates and decrypts the SRTCP packet in `buf[..len]` in place;
    /// returns the RTCP length. Rejects replayed SRTCP indexes after
    /// authentication. Packets sent with the E bit clear are authenticated only.
    pub fn unprotect_rtcp(&mut self, buf: &mut [u8], len: usize) -> Result<usize, SrtpError> {
        if len > buf.len() {
            return Err(SrtpError::BufferTooSmall);
        }
        let overhead = self.suite.rtcp_overhead();
        if len < 8 + overhead {
            return Err(SrtpError::TooShort);
        }
        let ssrc = parse_rtcp(&buf[..len])?;
        let body = len - overhead;
        // AES-CM: body | E+index | tag. GCM: body | tag | E+index.
        let word_at = if self.suite.is_gcm() {
            len - SRTCP_INDEX_LEN
        } else {
            body
        };
        let word = u32::from_be_bytes(buf[word_at..word_at + 4].try_into().unwrap());
        let encrypted = word & E_BIT != 0;
        let index = word & MAX_RTCP_INDEX;
        let window = self.rx_rtcp.get(ssrc).copied().unwrap_or_default();
        let fresh = window.check(u64::from(index));
        match &self.keys {
            Keys::Cm { rtcp, .. } => {
                let (signed, tag) = buf[..len].split_at_mut(body + SRTCP_INDEX_LEN);
                if !rtcp.verify(signed, &[], tag) {
                    return Err(SrtpError::AuthFailed);
                }
                if !fresh {
                    return Err(SrtpError::Replayed);
                }
                if encrypted {
                    rtcp.crypt(ssrc, u64::from(index), &mut signed[8..body]);
                }
            }
            Keys::Gcm { rtcp, .. } => {
                let iv = rtcp.rtcp_iv(ssrc, index);
                if encrypted {
                    let mut aad = [0u8; 8 + SRTCP_INDEX_LEN];
                    aad[..8].copy_from_slice(&buf[..8]);
                    aad[8..].copy_from_slice(&word.to_be_bytes());
                    let (head, tag) = buf[..body + GCM_TAG_LEN].split_at_mut(body);
                    if !rtcp.open(&iv, &aad, &mut head[8..], tag) {
                        return Err(SrtpError::AuthFailed);
                    }
                    if !fresh {
                        rtcp.reseal(&iv, &aad, &mut head[8..]);
                        return Err(SrtpError::Replayed);
                    }
                } else {
                    // The AAD is body || index word, but the tag sits between
                    // them: move the word next to the body, verify, move back.
                    let mut tag = [0u8; GCM_TAG_LEN];
                    tag.copy_from_slice(&buf[body..body + GCM_TAG_LEN]);
                    buf[body..body + SRTCP_INDEX_LEN].copy_from_slice(&word.to_be_bytes());
                    let ok = rtcp.open(&iv, &buf[..body + SRTCP_INDEX_LEN], &mut [], &tag);
                    buf[body..body + SRTCP_INDEX_LEN].copy_from_slice(&tag[..SRTCP_INDEX_LEN]);
                    if !ok {
                        return Err(SrtpError::AuthFailed);
                    }
                    if !fresh {
                        return Err(SrtpError::Replayed);
                    }
                }
            }
        }
        match self.rx_rtcp.get_mut(ssrc) {
            Some(w) => w.accept(u64::from(index)),
            None => self
                .rx_rtcp
                .insert(ssrc, ReplayWindow::default())
                .accept(u64::from(index)),
        }
        Ok(body)
    }

    /// The rollover counter last used to send `ssrc`, if it was sent.
    pub fn tx_roc(&self, ssrc: u32) -> Option<u32> {
        self.tx_rtp.get(ssrc).map(|i| (i >> 16) as u32)
    }

    /// The rollover counter of the highest packet received from `ssrc`.
    pub fn rx_roc(&self, ssrc: u32) -> Option<u32> {
        self.rx_rtp
            .get(ssrc)
            .and_then(|w| w.highest())
            .map(|i| (i >> 16) as u32)
    }

    #[cfg(test)]
    pub(crate) fn protect_rtcp_unencrypted(
        &mut self,
        buf: &mut [u8],
        len: usize,
    ) -> Result<usize, SrtpError> {
        self.protect_rtcp_inner(buf, len, false)
    }
}
