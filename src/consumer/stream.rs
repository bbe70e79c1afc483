//! The send side of a consumer: statistics, scores, RTCP and the
//! retransmission buffer, from `rtp_stream::RtpStreamSend`.

use crate::rtp_parameters::Codec;
use crate::rtp_stream::report::{StreamDump, StreamStats};
use crate::rtp_stream::{PacketInfo, RtpStreamParams, RtpStreamSend};

pub struct ConsumerStream {
    pub send: RtpStreamSend,
}

impl ConsumerStream {
    pub fn new(
        ssrc: u32,
        rtx: Option<(u8, u32)>,
        codec: &Codec,
        cname: &str,
        spatial: u8,
        temporal: u8,
        now_ms: u64,
    ) -> Self {
        let params = RtpStreamParams {
            encoding_idx: 0,
            ssrc,
            payload_type: codec.payload_type,
            mime_type: codec.mime_type.clone(),
            clock_rate: codec.clock_rate,
            rid: String::new(),
            cname: cname.to_string(),
            rtx_ssrc: rtx.map(|(_, s)| s).unwrap_or(0),
            rtx_payload_type: rtx.map(|(pt, _)| pt).unwrap_or(0),
            use_nack: codec.nack,
            use_pli: codec.pli,
            use_fir: codec.fir,
            use_in_band_fec: codec.use_in_band_fec,
            use_dtx: codec.use_dtx,
            spatial_layers: spatial,
            temporal_layers: temporal,
        };
        // Packets are kept once per producer stream, not per consumer.
        ConsumerStream {
            send: RtpStreamSend::new(params, now_ms).without_retransmission_buffer(),
        }
    }

    /// A packet this consumer just wrote into `bytes` (before SRTP).
    pub fn on_sent(&mut self, info: &PacketInfo, bytes: &[u8], now_ms: u64) {
        self.send.send_packet(info, bytes, now_ms);
    }

    pub fn dump(&self) -> StreamDump<'_> {
        self.send.dump()
    }

    pub fn stats(&mut self, now_ms: u64) -> StreamStats<'_> {
        self.send.get_stats(now_ms)
    }
}
