//! One received encoding of a producer: the router-side identity of the
//! stream (mapped SSRC, layer) around its receive statistics machine.

use super::report::StreamScore;
use super::store::PacketStore;
use crate::rtp::codecs::{codec_from_mime, Codec as PayloadCodec, DependencyDescriptorReader};
use crate::rtp_parameters::{Codec, Encoding};
use crate::rtp_stream::report::{DumpShape, StreamDump, StreamStats};
use crate::rtp_stream::{RtpStreamParams, RtpStreamRecv};

/// mediasoup's Producer waits this long before NACKing a missing packet.
const SEND_NACK_DELAY_MS: u64 = 10;

pub struct ProducerStream {
    pub encoding_idx: usize,
    pub ssrc: u32,
    pub mapped_ssrc: u32,
    pub rid: Option<String>,
    pub payload_codec: PayloadCodec,
    pub recv: RtpStreamRecv,
    /// Received packets for consumers' retransmissions (video with NACK).
    pub store: Option<Box<PacketStore>>,
    /// The stream's Dependency Descriptor template structure (mediasoup
    /// keeps one per receive stream).
    pub dd: DependencyDescriptorReader,
}

impl ProducerStream {
    #[allow(clippy::too_many_arguments)]
    pub fn new(
        encoding_idx: usize,
        ssrc: u32,
        mapped_ssrc: u32,
        codec: &Codec,
        encoding: &Encoding,
        cname: &str,
        simulcast: bool,
        now_ms: u64,
    ) -> Self {
        let params = RtpStreamParams {
            encoding_idx,
            ssrc,
            payload_type: codec.payload_type,
            mime_type: codec.mime_type.clone(),
            clock_rate: codec.clock_rate,
            rid: encoding.rid.clone().unwrap_or_default(),
            cname: cname.to_string(),
            rtx_ssrc: 0,
            rtx_payload_type: 0,
            use_nack: codec.nack,
            use_pli: codec.pli,
            use_fir: codec.fir,
            use_in_band_fec: codec.use_in_band_fec,
            use_dtx: codec.use_dtx || encoding.dtx,
            spatial_layers: encoding.spatial_layers,
            temporal_layers: encoding.temporal_layers,
        };
        ProducerStream {
            encoding_idx,
            ssrc,
            mapped_ssrc,
            rid: encoding.rid.clone(),
            payload_codec: codec_from_mime(&codec.mime_type),
            store: (codec.nack && codec.mime_type.to_ascii_lowercase().starts_with("video/"))
                .then(Box::default),
            recv: RtpStreamRecv::new(params, SEND_NACK_DELAY_MS, simulcast, now_ms),
            dd: DependencyDescriptorReader::default(),
        }
    }

    pub fn rtx_ssrc(&self) -> Option<u32> {
        self.recv.has_rtx().then(|| self.recv.rtx_ssrc())
    }

    /// In the shape of mediasoup's producer dump (`rtpStreams` entries).
    pub fn dump(&self) -> StreamDump<'_> {
        self.recv.dump(DumpShape::Unpacked)
    }

    pub fn stats(&mut self, now_ms: u64) -> StreamStats<'_> {
        self.recv.get_stats(now_ms)
    }

    /// `{encodingIdx, ssrc, rid?, score}` for the producer's `score` event.
    pub fn score(&self) -> StreamScore<'_> {
        StreamScore {
            encoding_idx: self.encoding_idx,
            ssrc: self.ssrc,
            rid: self.rid.as_deref(),
            score: self.recv.score(),
        }
    }
}
