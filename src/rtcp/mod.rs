//! RTCP on the hot path: allocation-free parsing of compound packets
//! ([`iter_compound`]), typed views of each packet (SR/RR report blocks,
//! SDES, BYE, APP, NACK, PLI, FIR, REMB, transport-cc, XR RRT/DLRR),
//! builders writing into caller buffers, and in-place rewrites needed when
//! relaying feedback ([`set_feedback_media_ssrc`], ...).
//!
//! Behaviour follows mediasoup's `RTC::RTCP` (worker 3.14) unless a doc
//! comment says otherwise. Malformed input yields `Err`, never a panic.

mod bye;
mod common;
mod compound;
mod error;
mod feedback;
mod report;
mod sdes;
mod transport_cc;
mod xr;

pub use bye::{write_bye, App, Bye};
pub use common::{
    is_rtcp, Header, COMMON_HEADER_SIZE, PSFB_AFB, PSFB_FIR, PSFB_PLI, PT_APP, PT_BYE, PT_PSFB,
    PT_RR, PT_RTPFB, PT_SDES, PT_SR, PT_XR, RTPFB_NACK, RTPFB_TCC,
};
pub use compound::{
    iter_compound, iter_compound_mut, parse_packet, CompoundIter, CompoundIterMut, OtherPacket,
    RtcpPacket,
};
pub use error::RtcpError;
pub use feedback::{
    set_feedback_media_ssrc, set_feedback_sender_ssrc, set_fir_ssrc, write_fir, write_fir_entries,
    write_nack, write_nack_items, write_pli, write_remb, Fir, GenericNack, LostSeqs, Pli, Remb,
};
pub use report::{
    write_receiver_report, write_sender_report, ReceiverReport, ReportBlock, ReportBlockIter,
    SenderReport,
};
pub use sdes::{write_sdes_cname, Sdes, SdesChunk, SdesChunkIter, SdesItemIter, SDES_CNAME};
pub use transport_cc::{
    write_transport_cc, TransportCc, TCC_BASE_TIME_TICK_MS, TCC_TIME_WRAP_PERIOD_MS,
};
pub use xr::{write_xr_dlrr, write_xr_rrt, DlrrItem, DlrrIter, Xr, XrBlock, XrBlockIter};

#[cfg(test)]
mod tests_fuzz;
#[cfg(test)]
mod tests_roundtrip;
#[cfg(test)]
mod tests_vectors;
