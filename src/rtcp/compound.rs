//! Compound RTCP: allocation-free iteration over the packets of a compound
//! datagram, and the typed [`RtcpPacket`] view of each packet.

use super::bye::{App, Bye};
use super::common::{
    strip_padding, Header, PSFB_AFB, PSFB_FIR, PSFB_PLI, PT_APP, PT_BYE, PT_PSFB, PT_RR, PT_RTPFB,
    PT_SDES, PT_SR, PT_XR, RTPFB_NACK, RTPFB_TCC,
};
use super::feedback::{Fir, GenericNack, Pli, Remb};
use super::report::{ReceiverReport, SenderReport};
use super::sdes::Sdes;
use super::transport_cc::TransportCc;
use super::xr::Xr;
use super::RtcpError;

/// One RTCP packet of a compound packet.
#[derive(Debug, Clone)]
pub enum RtcpPacket<'a> {
    SenderReport(SenderReport<'a>),
    ReceiverReport(ReceiverReport<'a>),
    Sdes(Sdes<'a>),
    Bye(Bye<'a>),
    App(App<'a>),
    /// RTPFB FMT 1.
    Nack(GenericNack<'a>),
    /// PSFB FMT 1.
    Pli(Pli<'a>),
    /// PSFB FMT 4.
    Fir(Fir<'a>),
    /// PSFB FMT 15 with the "REMB" identifier.
    Remb(Remb<'a>),
    /// RTPFB FMT 15.
    TransportCc(TransportCc<'a>),
    /// PT 207.
    Xr(Xr<'a>),
    /// Any other RTCP packet type / feedback message type.
    Other(OtherPacket<'a>),
}

/// An RTCP packet not interpreted here.
#[derive(Debug, Clone, Copy)]
pub struct OtherPacket<'a> {
    /// Packet type.
    pub pt: u8,
    /// Count / FMT field.
    pub fmt: u8,
    /// The whole packet.
    pub data: &'a [u8],
}

impl<'a> RtcpPacket<'a> {
    /// The whole packet bytes (header included, padding included).
    pub fn raw(&self) -> &'a [u8] {
        match self {
            RtcpPacket::SenderReport(p) => p.raw(),
            RtcpPacket::ReceiverReport(p) => p.raw(),
            RtcpPacket::Sdes(p) => p.raw(),
            RtcpPacket::Bye(p) => p.raw(),
            RtcpPacket::App(p) => p.raw(),
            RtcpPacket::Nack(p) => p.raw(),
            RtcpPacket::Pli(p) => p.raw(),
            RtcpPacket::Fir(p) => p.raw(),
            RtcpPacket::Remb(p) => p.raw(),
            RtcpPacket::TransportCc(p) => p.raw(),
            RtcpPacket::Xr(p) => p.raw(),
            RtcpPacket::Other(p) => p.data,
        }
    }

    /// Packet type (second byte).
    pub fn packet_type(&self) -> u8 {
        self.raw()[1]
    }
}

/// Parses exactly one RTCP packet. `pkt` must be the packet's bytes (its
/// length field must cover at most `pkt.len()` bytes; extra bytes beyond
/// the length field are ignored).
pub fn parse_packet(pkt: &[u8]) -> Result<RtcpPacket<'_>, RtcpError> {
    let h = Header::parse(pkt)?;
    let raw = pkt.get(..h.packet_len()).ok_or(RtcpError::BadLength)?;
    let p = strip_padding(raw);
    Ok(match (h.pt, h.count) {
        (PT_SR, _) => RtcpPacket::SenderReport(SenderReport::parse(raw, p)?),
        (PT_RR, _) => RtcpPacket::ReceiverReport(ReceiverReport::parse(raw, p)?),
        (PT_SDES, _) => RtcpPacket::Sdes(Sdes::parse(raw, p)?),
        (PT_BYE, _) => RtcpPacket::Bye(Bye::parse(raw, p)?),
        (PT_APP, _) => RtcpPacket::App(App::parse(raw, p)?),
        (PT_RTPFB, RTPFB_NACK) => RtcpPacket::Nack(GenericNack::parse(raw, p)?),
        (PT_RTPFB, RTPFB_TCC) => RtcpPacket::TransportCc(TransportCc::parse(raw, p)?),
        (PT_PSFB, PSFB_PLI) => RtcpPacket::Pli(Pli::parse(raw, p)?),
        (PT_PSFB, PSFB_FIR) => RtcpPacket::Fir(Fir::parse(raw, p)?),
        (PT_PSFB, PSFB_AFB) if Remb::is_remb(p) => RtcpPacket::Remb(Remb::parse(raw, p)?),
        (PT_XR, _) => RtcpPacket::Xr(Xr::parse(raw, p)?),
        (pt, fmt) => {
            if (pt == PT_RTPFB || pt == PT_PSFB) && p.len() < 12 {
                return Err(RtcpError::TooShort);
            }
            RtcpPacket::Other(OtherPacket { pt, fmt, data: raw })
        }
    })
}

/// Iterator over a compound RTCP packet; see [`iter_compound`].
#[derive(Debug, Clone)]
pub struct CompoundIter<'a> {
    rest: &'a [u8],
    started: bool,
    done: bool,
}

/// Iterates the packets of a compound RTCP datagram without allocating.
/// Yields `Err` once and then stops on the first malformed packet (packets
/// before it have been yielded, as mediasoup keeps them); an empty input
/// yields `Err(TooShort)`.
pub fn iter_compound(data: &[u8]) -> CompoundIter<'_> {
    CompoundIter {
        rest: data,
        started: false,
        done: false,
    }
}

impl<'a> Iterator for CompoundIter<'a> {
    type Item = Result<RtcpPacket<'a>, RtcpError>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.done {
            return None;
        }
        if self.rest.is_empty() {
            self.done = true;
            return if self.started {
                None
            } else {
                Some(Err(RtcpError::TooShort))
            };
        }
        self.started = true;
        let r = Header::parse(self.rest).and_then(|h| {
            let n = h.packet_len();
            if n > self.rest.len() {
                return Err(RtcpError::BadLength);
            }
            let (pkt, rest) = self.rest.split_at(n);
            self.rest = rest;
            parse_packet(pkt)
        });
        if r.is_err() {
            self.done = true;
        }
        Some(r)
    }
}

/// Mutable iterator over the raw packets of a compound; see
/// [`iter_compound_mut`].
#[derive(Debug)]
pub struct CompoundIterMut<'a> {
    rest: &'a mut [u8],
    started: bool,
    done: bool,
}

/// Splits a compound RTCP datagram into mutable per-packet slices (only the
/// common header and length are checked), for in-place rewrites such as
/// [`super::set_feedback_media_ssrc`]. Same error behaviour as
/// [`iter_compound`]. Read a slice with [`parse_packet`].
pub fn iter_compound_mut(data: &mut [u8]) -> CompoundIterMut<'_> {
    CompoundIterMut {
        rest: data,
        started: false,
        done: false,
    }
}

impl<'a> Iterator for CompoundIterMut<'a> {
    type Item = Result<&'a mut [u8], RtcpError>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.done {
            return None;
        }
        if self.rest.is_empty() {
            self.done = true;
            return if self.started {
                None
            } else {
                Some(Err(RtcpError::TooShort))
            };
        }
        self.started = true;
        let n = match Header::parse(self.rest) {
            Ok(h) if h.packet_len() <= self.rest.len() => h.packet_len(),
            Ok(_) => {
                self.done = true;
                return Some(Err(RtcpError::BadLength));
            }
            Err(e) => {
                self.done = true;
                return Some(Err(e));
            }
        };
        let rest = std::mem::take(&mut self.rest);
        let (pkt, rest) = rest.split_at_mut(n);
        self.rest = rest;
        Some(Ok(pkt))
    }
}
