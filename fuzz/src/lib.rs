//! Helpers shared by the fuzz targets and the seed generator: a byte reader
//! that turns fuzz input into structured choices, fixed test credentials,
//! and builders for inputs that pass integrity checks (so the fuzzer spends
//! its time behind them instead of on them).

pub mod json;
pub mod stun;

/// Reads structured choices from fuzz input. Running out of bytes yields
/// zeros, so every input decodes to something (libFuzzer then learns which
/// bytes matter from coverage).
pub struct Reader<'a> {
    data: &'a [u8],
    pos: usize,
}

impl<'a> Reader<'a> {
    pub fn new(data: &'a [u8]) -> Self {
        Reader { data, pos: 0 }
    }

    pub fn is_empty(&self) -> bool {
        self.pos >= self.data.len()
    }

    pub fn remaining(&self) -> usize {
        self.data.len().saturating_sub(self.pos)
    }

    pub fn u8(&mut self) -> u8 {
        let b = self.data.get(self.pos).copied().unwrap_or(0);
        self.pos += 1;
        b
    }

    pub fn u16(&mut self) -> u16 {
        u16::from_be_bytes([self.u8(), self.u8()])
    }

    pub fn u32(&mut self) -> u32 {
        u32::from_be_bytes([self.u8(), self.u8(), self.u8(), self.u8()])
    }

    pub fn u64(&mut self) -> u64 {
        (u64::from(self.u32()) << 32) | u64::from(self.u32())
    }

    pub fn bool(&mut self) -> bool {
        self.u8() & 1 == 1
    }

    /// An index below `n` (`n` > 0).
    pub fn below(&mut self, n: usize) -> usize {
        if n <= 256 {
            self.u8() as usize % n
        } else {
            self.u16() as usize % n
        }
    }

    /// Up to `max` bytes, length-prefixed by one byte (scaled to `max`).
    pub fn bytes(&mut self, max: usize) -> &'a [u8] {
        let want = if max <= 255 {
            self.u8() as usize % (max + 1)
        } else {
            self.u16() as usize % (max + 1)
        };
        self.take(want)
    }

    /// Exactly the next `n` bytes, or fewer at the end of input.
    pub fn take(&mut self, n: usize) -> &'a [u8] {
        let start = self.pos.min(self.data.len());
        let end = (start + n).min(self.data.len());
        self.pos = start + n;
        &self.data[start..end]
    }

    /// Everything left.
    pub fn rest(&mut self) -> &'a [u8] {
        let start = self.pos.min(self.data.len());
        self.pos = self.data.len();
        &self.data[start..]
    }
}

/// Methods the `request` target sends (an input picks one by index, so the
/// seed generator shares this list).
pub const METHODS: &[&str] = &[
    "worker.createRouter",
    "worker.closeRouter",
    "worker.createWebRtcServer",
    "worker.closeWebRtcServer",
    "worker.dump",
    "worker.updateSettings",
    "router.createDirectTransport",
    "router.createPlainTransport",
    "router.createWebRtcTransport",
    "router.createWebRtcTransportWithServer",
    "router.closeTransport",
    "router.dump",
    "router.createAudioLevelObserver",
    "router.createActiveSpeakerObserver",
    "router.closeRtpObserver",
    "transport.connect",
    "transport.produce",
    "transport.consume",
    "transport.produceData",
    "transport.consumeData",
    "transport.closeProducer",
    "transport.closeConsumer",
    "transport.closeDataProducer",
    "transport.closeDataConsumer",
    "transport.setMaxIncomingBitrate",
    "transport.setMaxOutgoingBitrate",
    "transport.setMinOutgoingBitrate",
    "transport.restartIce",
    "transport.enableTraceEvent",
    "transport.dump",
    "transport.getStats",
    "producer.dump",
    "producer.getStats",
    "producer.pause",
    "producer.resume",
    "producer.enableTraceEvent",
    "consumer.dump",
    "consumer.getStats",
    "consumer.pause",
    "consumer.resume",
    "consumer.setPreferredLayers",
    "consumer.setPriority",
    "consumer.requestKeyFrame",
    "consumer.enableTraceEvent",
    "rtpObserver.pause",
    "rtpObserver.resume",
    "rtpObserver.addProducer",
    "rtpObserver.removeProducer",
    "webRtcServer.dump",
    "dataProducer.dump",
    "dataProducer.getStats",
    "dataProducer.pause",
    "dataProducer.resume",
    "dataConsumer.dump",
    "dataConsumer.getStats",
    "dataConsumer.pause",
    "dataConsumer.resume",
    "dataConsumer.setBufferedAmountLowThreshold",
    "dataConsumer.getBufferedAmount",
    "dataConsumer.send",
    "dataConsumer.setSubchannels",
    "dataConsumer.addSubchannel",
    "dataConsumer.removeSubchannel",
    "worker.bogus",
    "router.bogus",
    // Appended last, so earlier corpus entries keep their methods.
    "router.createPipeTransport",
];

/// Position of `method` in [`METHODS`].
pub fn method_index(method: &str) -> u8 {
    METHODS
        .iter()
        .position(|m| *m == method)
        .expect("known method") as u8
}

/// ICE credentials the `ice_server` and `stun` targets use, so that seeds
/// (and the fuzzer's splices of them) can authenticate.
pub const ICE_UFRAG: &str = "fuzzufrag0000000";
pub const ICE_PASSWORD: &str = "fuzzpassword00000000000000000000";
/// Credentials after an ICE restart.
pub const ICE_UFRAG2: &str = "fuzzufrag1111111";
pub const ICE_PASSWORD2: &str = "fuzzpassword11111111111111111111";

/// Fixed SRTP master key + salt material, long enough for every suite
/// (AEAD_AES_256_GCM needs 32 + 12).
pub const SRTP_KEY: [u8; 46] = [
    0x1f, 0x2e, 0x3d, 0x4c, 0x5b, 0x6a, 0x79, 0x88, 0x97, 0xa6, 0xb5, 0xc4, 0xd3, 0xe2, 0xf1, 0x00,
    0x0f, 0x1e, 0x2d, 0x3c, 0x4b, 0x5a, 0x69, 0x78, 0x87, 0x96, 0xa5, 0xb4, 0xc3, 0xd2, 0xe1, 0xf0,
    0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88, 0x99, 0xaa, 0xbb, 0xcc, 0xdd, 0xee,
];
