//! H264 `profile-level-id` handling (RFC 6184 section 8.1), with the
//! semantics of the `h264-profile-level-id` npm package (2.x) that mediasoup
//! uses for codec matching.

use serde_json::Value;

use super::js::{get, is_str, parse_int_hex, strict_eq, to_int32, truthy};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Profile {
    ConstrainedBaseline = 1,
    Baseline = 2,
    Main = 3,
    ConstrainedHigh = 4,
    High = 5,
    PredictiveHigh444 = 6,
}

/// Level 1b; every other level is its `level_idc` (10 for 1, 31 for 3.1...).
pub const LEVEL_1B: u8 = 0;
const LEVEL_1: u8 = 10;
const LEVEL_1_1: u8 = 11;
const LEVEL_3_1: u8 = 31;
const PLAIN_LEVELS: [u8; 15] = [10, 12, 13, 20, 21, 22, 30, 31, 32, 40, 41, 42, 50, 51, 52];

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ProfileLevelId {
    pub profile: Profile,
    pub level: u8,
}

/// Used when the SDP parameters carry no `profile-level-id`.
const DEFAULT: ProfileLevelId = ProfileLevelId {
    profile: Profile::ConstrainedBaseline,
    level: LEVEL_3_1,
};

/// `(profile_idc, profile_iop pattern, profile)`; in the pattern 'x' is a
/// wildcard bit, most significant bit first.
const PATTERNS: [(u8, &str, Profile); 9] = [
    (0x42, "x1xx0000", Profile::ConstrainedBaseline),
    (0x4d, "1xxx0000", Profile::ConstrainedBaseline),
    (0x58, "11xx0000", Profile::ConstrainedBaseline),
    (0x42, "x0xx0000", Profile::Baseline),
    (0x58, "10xx0000", Profile::Baseline),
    (0x4d, "0x0x0000", Profile::Main),
    (0x64, "00000000", Profile::High),
    (0x64, "00001100", Profile::ConstrainedHigh),
    (0xf4, "00000000", Profile::PredictiveHigh444),
];

fn bits_of(pattern: &str, c: u8) -> u8 {
    pattern
        .bytes()
        .fold(0u8, |acc, b| (acc << 1) | u8::from(b == c))
}

fn pattern_matches(pattern: &str, iop: u8) -> bool {
    let care = !bits_of(pattern, b'x');
    iop & care == bits_of(pattern, b'1')
}

/// Parses a 3-byte hex `profile-level-id`; `None` if it is not a string or
/// not a recognized profile/level.
pub fn parse_profile_level_id(v: &Value) -> Option<ProfileLevelId> {
    let s = v.as_str()?;
    if s.encode_utf16().count() != 6 {
        return None;
    }
    let numeric = parse_int_hex(s);
    if numeric == Some(0.0) {
        return None;
    }
    let n = numeric.map(to_int32).unwrap_or(0);
    let level_idc = (n & 0xff) as u8;
    let profile_iop = ((n >> 8) & 0xff) as u8;
    let profile_idc = ((n >> 16) & 0xff) as u8;
    let level = if level_idc == LEVEL_1_1 {
        // Constraint set 3 flag distinguishes level 1b from 1.1.
        if profile_iop & 0x10 != 0 {
            LEVEL_1B
        } else {
            LEVEL_1_1
        }
    } else if PLAIN_LEVELS.contains(&level_idc) {
        level_idc
    } else {
        return None;
    };
    PATTERNS
        .iter()
        .find(|(idc, pattern, _)| *idc == profile_idc && pattern_matches(pattern, profile_iop))
        .map(|(_, _, profile)| ProfileLevelId {
            profile: *profile,
            level,
        })
}

/// Canonical 3-byte hex string; `None` for level 1b on profiles that do not
/// allow it.
pub fn profile_level_id_to_string(p: ProfileLevelId) -> Option<String> {
    if p.level == LEVEL_1B {
        return match p.profile {
            Profile::ConstrainedBaseline => Some("42f00b".into()),
            Profile::Baseline => Some("42100b".into()),
            Profile::Main => Some("4d100b".into()),
            _ => None,
        };
    }
    let prefix = match p.profile {
        Profile::ConstrainedBaseline => "42e0",
        Profile::Baseline => "4200",
        Profile::Main => "4d00",
        Profile::ConstrainedHigh => "640c",
        Profile::High => "6400",
        Profile::PredictiveHigh444 => "f400",
    };
    Some(format!("{prefix}{:02x}", p.level))
}

/// The profile-level-id of SDP codec parameters: the default one when the
/// key is missing or falsy, `None` when present but invalid.
pub fn parse_sdp_profile_level_id(params: &Value) -> Option<ProfileLevelId> {
    match get(params, "profile-level-id") {
        v if truthy(v) => v.and_then(parse_profile_level_id),
        _ => Some(DEFAULT),
    }
}

/// Both parameter sets carry the same (valid) H264 profile.
pub fn is_same_profile(params1: &Value, params2: &Value) -> bool {
    match (
        parse_sdp_profile_level_id(params1),
        parse_sdp_profile_level_id(params2),
    ) {
        (Some(a), Some(b)) => a.profile == b.profile,
        _ => false,
    }
}

fn level_asymmetry_allowed(params: &Value) -> bool {
    let v = get(params, "level-asymmetry-allowed");
    matches!(v, Some(Value::Bool(true))) || strict_eq(v, Some(&Value::from(1))) || is_str(v, "1")
}

fn is_less_level(a: u8, b: u8) -> bool {
    if a == LEVEL_1B {
        return b != LEVEL_1 && b != LEVEL_1B;
    }
    if b == LEVEL_1B {
        return a != LEVEL_1;
    }
    a < b
}

fn min_level(a: u8, b: u8) -> u8 {
    if is_less_level(a, b) {
        a
    } else {
        b
    }
}

/// The error `generateProfileLevelIdStringForAnswer` throws.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AnswerError(pub &'static str);

/// The profile-level-id to answer with, given local supported and remote
/// offered parameters. `Ok(None)` when neither side has one.
pub fn generate_profile_level_id_string_for_answer(
    local: &Value,
    remote: &Value,
) -> Result<Option<String>, AnswerError> {
    if !truthy(get(local, "profile-level-id")) && !truthy(get(remote, "profile-level-id")) {
        return Ok(None);
    }
    let local_id =
        parse_sdp_profile_level_id(local).ok_or(AnswerError("invalid local_profile_level_id"))?;
    let remote_id =
        parse_sdp_profile_level_id(remote).ok_or(AnswerError("invalid remote_profile_level_id"))?;
    if local_id.profile != remote_id.profile {
        return Err(AnswerError("H264 Profile mismatch"));
    }
    let asymmetry = level_asymmetry_allowed(local) && level_asymmetry_allowed(remote);
    let level = if asymmetry {
        local_id.level
    } else {
        min_level(local_id.level, remote_id.level)
    };
    Ok(profile_level_id_to_string(ProfileLevelId {
        profile: local_id.profile,
        level,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn parse(s: &str) -> Option<ProfileLevelId> {
        parse_profile_level_id(&json!(s))
    }

    fn pli(profile: Profile, level: u8) -> Option<ProfileLevelId> {
        Some(ProfileLevelId { profile, level })
    }

    #[test]
    fn parsing_invalid_values() {
        assert_eq!(parse(""), None);
        assert_eq!(parse(" 42e01f"), None);
        assert_eq!(parse("4242e01f"), None);
        assert_eq!(parse("e01f"), None);
        assert_eq!(parse("gggggg"), None);
        assert_eq!(parse("000000"), None);
        // Invalid level.
        assert_eq!(parse("42e000"), None);
        assert_eq!(parse("42e00f"), None);
        assert_eq!(parse("42e0ff"), None);
        // Invalid profile.
        assert_eq!(parse("42e11f"), None);
        assert_eq!(parse("58601f"), None);
        assert_eq!(parse("64e01f"), None);
        // Not a string.
        assert_eq!(parse_profile_level_id(&json!(0x42e01f)), None);
    }

    #[test]
    fn parsing_levels() {
        assert_eq!(parse("42e01f").unwrap().level, 31);
        assert_eq!(parse("42e00b").unwrap().level, LEVEL_1_1);
        assert_eq!(parse("42f00b").unwrap().level, LEVEL_1B);
        assert_eq!(parse("42C02A").unwrap().level, 42);
        assert_eq!(parse("640c34").unwrap().level, 52);
    }

    #[test]
    fn parsing_profiles() {
        use Profile::*;
        assert_eq!(parse("42e01f"), pli(ConstrainedBaseline, 31));
        assert_eq!(parse("42C02A"), pli(ConstrainedBaseline, 42));
        assert_eq!(parse("4de01f"), pli(ConstrainedBaseline, 31));
        assert_eq!(parse("58f01f"), pli(ConstrainedBaseline, 31));
        assert_eq!(parse("42a01f"), pli(Baseline, 31));
        assert_eq!(parse("58A01F"), pli(Baseline, 31));
        assert_eq!(parse("4D401f"), pli(Main, 31));
        assert_eq!(parse("64001f"), pli(High, 31));
        assert_eq!(parse("640c1f"), pli(ConstrainedHigh, 31));
        assert_eq!(parse("f4001f"), pli(PredictiveHigh444, 31));
        // parseInt() accepts a 0x prefix and stops at the first non-hex digit.
        assert_eq!(parse("0x1f1f"), None);
    }

    #[test]
    fn to_string() {
        use Profile::*;
        let s = |p, l| {
            profile_level_id_to_string(ProfileLevelId {
                profile: p,
                level: l,
            })
        };
        assert_eq!(s(ConstrainedBaseline, 31).as_deref(), Some("42e01f"));
        assert_eq!(s(Baseline, 10).as_deref(), Some("42000a"));
        assert_eq!(s(Main, 31).as_deref(), Some("4d001f"));
        assert_eq!(s(ConstrainedHigh, 42).as_deref(), Some("640c2a"));
        assert_eq!(s(High, 42).as_deref(), Some("64002a"));
        assert_eq!(s(PredictiveHigh444, 31).as_deref(), Some("f4001f"));
        assert_eq!(s(ConstrainedBaseline, LEVEL_1B).as_deref(), Some("42f00b"));
        assert_eq!(s(Baseline, LEVEL_1B).as_deref(), Some("42100b"));
        assert_eq!(s(Main, LEVEL_1B).as_deref(), Some("4d100b"));
        assert_eq!(s(High, LEVEL_1B), None);
        // Round trips.
        for id in ["42e01f", "42e00b", "42f00b", "4d001f", "640c2a", "f4001f"] {
            assert_eq!(profile_level_id_to_string(parse(id).unwrap()).unwrap(), id);
        }
    }

    #[test]
    fn same_profile() {
        assert!(is_same_profile(&json!({}), &json!({})));
        assert!(is_same_profile(
            &json!({"profile-level-id": "42e01f"}),
            &json!({"profile-level-id": "42C02A"})
        ));
        assert!(is_same_profile(
            &json!({"profile-level-id": "42a01f"}),
            &json!({"profile-level-id": "58A01F"})
        ));
        assert!(is_same_profile(
            &json!({"profile-level-id": "42e01f"}),
            &json!({})
        ));
        assert!(!is_same_profile(
            &json!({}),
            &json!({"profile-level-id": "4d001f"})
        ));
        assert!(!is_same_profile(
            &json!({"profile-level-id": "42a01f"}),
            &json!({"profile-level-id": "640c1f"})
        ));
        assert!(!is_same_profile(
            &json!({"profile-level-id": "42000a"}),
            &json!({"profile-level-id": "64002a"})
        ));
        assert!(!is_same_profile(
            &json!({"profile-level-id": "zzzzzz"}),
            &json!({"profile-level-id": "zzzzzz"})
        ));
        // Empty string means the default profile.
        assert!(is_same_profile(
            &json!({"profile-level-id": ""}),
            &json!({})
        ));
    }

    fn answer(local: Value, remote: Value) -> Result<Option<String>, AnswerError> {
        generate_profile_level_id_string_for_answer(&local, &remote)
    }

    #[test]
    fn answer_without_ids() {
        assert_eq!(answer(json!({}), json!({})), Ok(None));
    }

    #[test]
    fn answer_errors() {
        assert_eq!(
            answer(json!({"profile-level-id": "64002a"}), json!({})),
            Err(AnswerError("H264 Profile mismatch"))
        );
        assert_eq!(
            answer(json!({"profile-level-id": "zzzzzz"}), json!({})),
            Err(AnswerError("invalid local_profile_level_id"))
        );
        assert_eq!(
            answer(json!({}), json!({"profile-level-id": "zzzzzz"})),
            Err(AnswerError("invalid remote_profile_level_id"))
        );
    }

    #[test]
    fn answer_level_symmetry() {
        // Asymmetry not allowed: the lower level wins.
        assert_eq!(
            answer(
                json!({"profile-level-id": "42e01f"}),
                json!({"profile-level-id": "42e015"})
            ),
            Ok(Some("42e015".into()))
        );
        assert_eq!(
            answer(
                json!({"profile-level-id": "42e015"}),
                json!({"profile-level-id": "42e01f"})
            ),
            Ok(Some("42e015".into()))
        );
        // Only one side allows asymmetry.
        assert_eq!(
            answer(
                json!({"profile-level-id": "42e01f", "level-asymmetry-allowed": 1}),
                json!({"profile-level-id": "42e015"})
            ),
            Ok(Some("42e015".into()))
        );
        // Both allow: the local level is kept.
        assert_eq!(
            answer(
                json!({"profile-level-id": "42e01f", "level-asymmetry-allowed": 1}),
                json!({"profile-level-id": "42e015", "level-asymmetry-allowed": "1"})
            ),
            Ok(Some("42e01f".into()))
        );
        assert_eq!(
            answer(
                json!({"profile-level-id": "42e01f", "level-asymmetry-allowed": true}),
                json!({"profile-level-id": "42e015", "level-asymmetry-allowed": 1})
            ),
            Ok(Some("42e01f".into()))
        );
        // "true" (string) and 2 do not count.
        assert_eq!(
            answer(
                json!({"profile-level-id": "42e01f", "level-asymmetry-allowed": "true"}),
                json!({"profile-level-id": "42e015", "level-asymmetry-allowed": 1})
            ),
            Ok(Some("42e015".into()))
        );
        // Missing local id: default (constrained baseline 3.1).
        assert_eq!(
            answer(json!({}), json!({"profile-level-id": "42e02a"})),
            Ok(Some("42e01f".into()))
        );
    }

    #[test]
    fn answer_level_1b() {
        // 1b is below 1.1 but not below 1.
        assert_eq!(
            answer(
                json!({"profile-level-id": "42f00b"}),
                json!({"profile-level-id": "42e00b"})
            ),
            Ok(Some("42f00b".into()))
        );
        assert_eq!(
            answer(
                json!({"profile-level-id": "42f00b"}),
                json!({"profile-level-id": "42e00a"})
            ),
            Ok(Some("42e00a".into()))
        );
        // The package's comparison is not symmetric: min(1, 1b) is 1b.
        assert_eq!(
            answer(
                json!({"profile-level-id": "42e00a"}),
                json!({"profile-level-id": "42f00b"})
            ),
            Ok(Some("42f00b".into()))
        );
    }
}
