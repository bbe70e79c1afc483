//! Scalability modes (`L<spatial>T<temporal>[_KEY]` or `S...`) as the
//! consumers read them: layer counts are 1 to 99 without leading zeros;
//! anything else means 1 spatial and 1 temporal layer.

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ScalabilityMode {
    pub spatial_layers: u8,
    pub temporal_layers: u8,
    /// K-SVC: spatial layers depend on each other only at key frames.
    pub ksvc: bool,
}

impl Default for ScalabilityMode {
    fn default() -> Self {
        Self {
            spatial_layers: 1,
            temporal_layers: 1,
            ksvc: false,
        }
    }
}

impl ScalabilityMode {
    /// Reads the mode at the start of `mode` (the default when absent or
    /// unreadable).
    pub fn parse(mode: Option<&str>) -> Self {
        mode.and_then(parse).unwrap_or_default()
    }
}

/// Reads a layer count of exactly `len` (1 or 2) digits at the start of `s`,
/// the first one non-zero.
fn layer_count(s: &[u8], len: usize) -> Option<u8> {
    let digits = s.get(..len)?;
    if !(b'1'..=b'9').contains(&digits[0]) || !digits.iter().all(u8::is_ascii_digit) {
        return None;
    }
    Some(digits.iter().fold(0u8, |n, d| n * 10 + (d - b'0')))
}

fn parse(mode: &str) -> Option<ScalabilityMode> {
    let b = mode.as_bytes();
    if !matches!(b.first(), Some(b'L') | Some(b'S')) {
        return None;
    }
    let rest = &b[1..];
    // Spatial layers: two digits if followed by 'T', else one digit.
    let (spatial_layers, rest) = [2usize, 1].iter().find_map(|&len| {
        let n = layer_count(rest, len)?;
        (rest.get(len) == Some(&b'T')).then(|| (n, &rest[len + 1..]))
    })?;
    // Temporal layers: greedy, nothing mandatory follows.
    let (temporal_layers, rest) = [2usize, 1]
        .iter()
        .find_map(|&len| layer_count(rest, len).map(|n| (n, &rest[len..])))?;
    Some(ScalabilityMode {
        spatial_layers,
        temporal_layers,
        ksvc: rest.starts_with(b"_KEY"),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(mode: Option<&str>) -> (u8, u8, bool) {
        let m = ScalabilityMode::parse(mode);
        (m.spatial_layers, m.temporal_layers, m.ksvc)
    }

    #[test]
    fn mediasoup_cases() {
        assert_eq!(p(Some("L1T3")), (1, 3, false));
        assert_eq!(p(Some("L3T2_KEY")), (3, 2, true));
        assert_eq!(p(Some("S2T3")), (2, 3, false));
        assert_eq!(p(Some("foo")), (1, 1, false));
        assert_eq!(p(None), (1, 1, false));
        assert_eq!(p(Some("S0T3")), (1, 1, false));
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
        assert_eq!(p(Some("L05T3")), (1, 1, false));
        assert_eq!(p(Some("L1T05")), (1, 1, false));
        assert_eq!(p(Some(" L1T3")), (1, 1, false));
        assert_eq!(p(Some("L1T")), (1, 1, false));
        assert_eq!(p(Some("L1T1_KE")), (1, 1, false));
    }
}
