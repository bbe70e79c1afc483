//! How subchannels cross a pipe (mediasoup 3.27's `SubchannelsCodec`): a
//! pipe DataConsumer puts the message's subchannels, required and ignored
//! subchannel in front of its payload, and the PipeTransport on the other
//! side takes them off again for its router's DataConsumers.
//!
//! Layout (big endian): an 8-byte magic token whose two low bits flag a
//! required (0x2) and an ignored (0x1) subchannel, a 2-byte count, the
//! subchannels, then the required and the ignored one when flagged.

const MAGIC: u64 = 0xA5F0_9CB3_D6E1_F28C;
const REQUIRED_FLAG: u64 = 0x2;
const IGNORED_FLAG: u64 = 0x1;

/// A message's subchannel filter.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SubchannelFilter {
    pub subchannels: Vec<u16>,
    pub required: Option<u16>,
    pub ignored: Option<u16>,
}

/// `payload` with the filter in front (unchanged when there is no filter).
pub fn encode(payload: &[u8], filter: &SubchannelFilter) -> Vec<u8> {
    if filter.subchannels.is_empty() && filter.required.is_none() && filter.ignored.is_none() {
        return payload.to_vec();
    }
    let count = filter.subchannels.len().min(usize::from(u16::MAX));
    let mut magic = MAGIC;
    if filter.required.is_some() {
        magic |= REQUIRED_FLAG;
    }
    if filter.ignored.is_some() {
        magic |= IGNORED_FLAG;
    }
    let mut out = Vec::with_capacity(14 + count * 2 + payload.len());
    out.extend_from_slice(&magic.to_be_bytes());
    out.extend_from_slice(&(count as u16).to_be_bytes());
    for s in &filter.subchannels[..count] {
        out.extend_from_slice(&s.to_be_bytes());
    }
    for value in [filter.required, filter.ignored].into_iter().flatten() {
        out.extend_from_slice(&value.to_be_bytes());
    }
    out.extend_from_slice(payload);
    out
}

/// The filter and the payload behind it; a message without a (complete)
/// header is returned whole with no filter, as mediasoup does.
pub fn decode(message: &[u8]) -> (SubchannelFilter, &[u8]) {
    let none = (SubchannelFilter::default(), message);
    if message.len() < 10 {
        return none;
    }
    let magic = u64::from_be_bytes(message[..8].try_into().expect("8 bytes"));
    if magic & !(REQUIRED_FLAG | IGNORED_FLAG) != MAGIC {
        return none;
    }
    let count = usize::from(u16::from_be_bytes([message[8], message[9]]));
    let required = magic & REQUIRED_FLAG != 0;
    let ignored = magic & IGNORED_FLAG != 0;
    let needed = 10 + count * 2 + 2 * usize::from(required) + 2 * usize::from(ignored);
    if message.len() < needed {
        return none;
    }
    let u16_at = |at: usize| u16::from_be_bytes([message[at], message[at + 1]]);
    let subchannels = (0..count).map(|i| u16_at(10 + i * 2)).collect();
    let mut at = 10 + count * 2;
    let mut take = |present: bool| {
        present.then(|| {
            let value = u16_at(at);
            at += 2;
            value
        })
    };
    let filter = SubchannelFilter {
        subchannels,
        required: take(required),
        ignored: take(ignored),
    };
    (filter, &message[needed..])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_and_leaves_plain_messages_alone() {
        let filter = SubchannelFilter {
            subchannels: vec![123, 124],
            required: Some(666),
            ignored: Some(7),
        };
        let wire = encode(b"hello", &filter);
        assert_eq!(&wire[..8], &(MAGIC | 3).to_be_bytes());
        assert_eq!(wire.len(), 8 + 2 + 4 + 2 + 2 + 5);
        assert_eq!(decode(&wire), (filter, &b"hello"[..]));
        assert_eq!(encode(b"x", &SubchannelFilter::default()), b"x");
        assert_eq!(
            decode(b"short"),
            (SubchannelFilter::default(), &b"short"[..])
        );
        // A header that announces more than it holds is not one.
        let mut cut = encode(
            b"",
            &SubchannelFilter {
                subchannels: vec![1, 2, 3],
                ..Default::default()
            },
        );
        cut.truncate(12);
        assert_eq!(decode(&cut).0, SubchannelFilter::default());
    }
}
