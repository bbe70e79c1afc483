//! `parseScalabilityMode`: reads `L<spatial>T<temporal>[_KEY]` (or `S...`)
//! from the start of a scalability mode string. Layer counts are 1 to 99
//! without leading zeros; anything else gives 1 spatial and 1 temporal layer.

use serde_json::{json, Value};

/// Reads a layer count of exactly `len` (1 or 2) digits at the start of `s`,
/// the first one non-zero.
fn layer_count(s: &[u8], len: usize) -> Option<u32> {
    let digits = s.get(..len)?;
    if !(b'1'..=b'9').contains(&digits[0]) || !digits.iter().all(u8::is_ascii_digit) {
        return None;
    }
    std::str::from_utf8(digits).ok()?.parse().ok()
}

fn parse(mode: &str) -> Option<(u32, u32, bool)> {
    let b = mode.as_bytes();
    if !matches!(b.first(), Some(b'L') | Some(b'S')) {
        return None;
    }
    let rest = &b[1..];
    // Spatial layers: two digits if followed by 'T', else one digit.
    let (spatial, rest) = [2usize, 1].iter().find_map(|&len| {
        let n = layer_count(rest, len)?;
        (rest.get(len) == Some(&b'T')).then(|| (n, &rest[len + 1..]))
    })?;
    // Temporal layers: greedy, nothing mandatory follows.
    let (temporal, rest) = [2usize, 1]
        .iter()
        .find_map(|&len| layer_count(rest, len).map(|n| (n, &rest[len..])))?;
    Some((spatial, temporal, rest.starts_with(b"_KEY")))
}

/// `{spatialLayers, temporalLayers, ksvc}` for the given mode.
pub fn parse_scalability_mode(mode: Option<&str>) -> Value {
    let (spatial, temporal, ksvc) = parse(mode.unwrap_or("")).unwrap_or((1, 1, false));
    json!({
        "spatialLayers": spatial,
        "temporalLayers": temporal,
        "ksvc": ksvc,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(mode: Option<&str>) -> (u64, u64, bool) {
        let v = parse_scalability_mode(mode);
        (
            v["spatialLayers"].as_u64().unwrap(),
            v["temporalLayers"].as_u64().unwrap(),
            v["ksvc"].as_bool().unwrap(),
        )
    }

    #[test]
    fn mediasoup_cases() {
        assert_eq!(p(Some("L1T3")), (1, 3, false));
        assert_eq!(p(Some("L3T2_KEY")), (3, 2, true));
        assert_eq!(p(Some("S2T3")), (2, 3, false));
        assert_eq!(p(Some("foo")), (1, 1, false));
        assert_eq!(p(None), (1, 1, false));
        assert_eq!(p(Some("S0T3")), (1, 1, false));
        assert_eq!(p(Some("S1T0")), (1, 1, false));
        assert_eq!(p(Some("L20T3")), (20, 3, false));
        assert_eq!(p(Some("S200T3")), (1, 1, false));
        assert_eq!(p(Some("L4T7_KEY_SHIFT")), (4, 7, true));
    }

    #[test]
    fn edge_cases() {
        assert_eq!(p(Some("")), (1, 1, false));
        assert_eq!(p(Some("l1t3")), (1, 1, false));
        assert_eq!(p(Some("L1T123")), (1, 12, false));
        assert_eq!(p(Some("L99T99_KEY")), (99, 99, true));
        assert_eq!(p(Some("L1T3_key")), (1, 3, false));
        assert_eq!(p(Some("L1T3foo")), (1, 3, false));
        assert_eq!(p(Some("L05T3")), (1, 1, false));
        assert_eq!(p(Some("L1T05")), (1, 1, false));
        assert_eq!(p(Some(" L1T3")), (1, 1, false));
        assert_eq!(p(Some("L1T")), (1, 1, false));
        assert_eq!(p(Some("L1T1_KE")), (1, 1, false));
    }
}
