//! Worker settings: what `createWorker()` and `updateSettings()` accept,
//! validated the way mediasoup-worker validates its command line.

use crate::error::{Error, Result};
use serde_json::Value;

pub use crate::channel::{parse_log_tags, LogLevel, SettingsUpdate};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WorkerSettings {
    pub log_level: LogLevel,
    pub log_tags: Vec<String>,
    pub rtc_min_port: u16,
    pub rtc_max_port: u16,
    pub dtls_certificate_file: Option<String>,
    pub dtls_private_key_file: Option<String>,
    pub libwebrtc_field_trials: Option<String>,
}

impl Default for WorkerSettings {
    fn default() -> Self {
        WorkerSettings {
            log_level: LogLevel::Error,
            log_tags: Vec::new(),
            rtc_min_port: 10000,
            rtc_max_port: 59999,
            dtls_certificate_file: None,
            dtls_private_key_file: None,
            libwebrtc_field_trials: None,
        }
    }
}

fn parse_port(value: &Value, name: &str) -> Result<Option<u16>> {
    match value {
        Value::Null => Ok(None),
        Value::Number(n) => {
            let port = n
                .as_f64()
                .filter(|p| p.fract() == 0.0 && (0.0..=65535.0).contains(p))
                .ok_or_else(|| Error::type_error(format!("invalid {name} (must be 0-65535)")))?;
            Ok(Some(port as u16))
        }
        _ => Err(Error::type_error(format!("{name} must be a number"))),
    }
}

fn parse_non_empty_string(value: &Value, name: &str) -> Result<Option<String>> {
    match value {
        Value::Null => Ok(None),
        Value::String(s) if s.is_empty() => Ok(None),
        Value::String(s) => Ok(Some(s.clone())),
        _ => Err(Error::type_error(format!("{name} must be a string"))),
    }
}

impl WorkerSettings {
    /// Parses the settings object given to `createWorker()` (already stripped
    /// of `appData` by JS). Missing fields take mediasoup's defaults.
    pub fn from_json(value: &Value) -> Result<Self> {
        let mut settings = WorkerSettings::default();
        let get = |key: &str| value.get(key).unwrap_or(&Value::Null);

        match get("logLevel") {
            Value::Null => {}
            Value::String(s) => settings.log_level = LogLevel::parse(s)?,
            _ => return Err(Error::type_error("logLevel must be a string")),
        }
        settings.log_tags = parse_log_tags(get("logTags"));
        if let Some(port) = parse_port(get("rtcMinPort"), "rtcMinPort")? {
            settings.rtc_min_port = port;
        }
        if let Some(port) = parse_port(get("rtcMaxPort"), "rtcMaxPort")? {
            settings.rtc_max_port = port;
        }
        if settings.rtc_max_port < settings.rtc_min_port {
            return Err(Error::type_error(
                "rtcMaxPort cannot be less than rtcMinPort",
            ));
        }
        settings.dtls_certificate_file =
            parse_non_empty_string(get("dtlsCertificateFile"), "dtlsCertificateFile")?;
        settings.dtls_private_key_file =
            parse_non_empty_string(get("dtlsPrivateKeyFile"), "dtlsPrivateKeyFile")?;
        match (
            &settings.dtls_certificate_file,
            &settings.dtls_private_key_file,
        ) {
            (Some(_), None) => return Err(Error::type_error("missing dtlsPrivateKeyFile")),
            (None, Some(_)) => return Err(Error::type_error("missing dtlsCertificateFile")),
            _ => {}
        }
        settings.libwebrtc_field_trials =
            parse_non_empty_string(get("libwebrtcFieldTrials"), "libwebrtcFieldTrials")?;
        Ok(settings)
    }

    /// Applies `worker.updateSettings({ logLevel, logTags })`.
    /// Applies `worker.updateSettings()` (parsed at the boundary).
    pub fn update(&mut self, update: SettingsUpdate) {
        if let Some(level) = update.log_level {
            self.log_level = level;
        }
        if let Some(tags) = update.log_tags {
            self.log_tags = tags;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn defaults_match_mediasoup() {
        let s = WorkerSettings::from_json(&json!({})).unwrap();
        assert_eq!(s.log_level, LogLevel::Error);
        assert_eq!((s.rtc_min_port, s.rtc_max_port), (10000, 59999));
    }

    #[test]
    fn rejects_bad_values_with_type_error() {
        for bad in [
            json!({"logLevel": "chicken"}),
            json!({"rtcMinPort": 1000, "rtcMaxPort": 999}),
            json!({"rtcMinPort": 1000, "rtcMaxPort": 65536}),
            json!({"rtcMinPort": -1}),
            json!({"rtcMinPort": "10"}),
            json!({"dtlsCertificateFile": "/a.pem"}),
            json!({"dtlsPrivateKeyFile": "/a.pem"}),
        ] {
            let err = WorkerSettings::from_json(&bad).unwrap_err();
            assert_eq!(err.kind, crate::error::ErrorKind::TypeError, "{bad}");
        }
    }

    #[test]
    fn accepts_full_range_and_filters_tags() {
        let s = WorkerSettings::from_json(&json!({
            "rtcMinPort": 0, "rtcMaxPort": 65535, "logTags": ["info", "bogus", 3, "ice", "info"]
        }))
        .unwrap();
        assert_eq!((s.rtc_min_port, s.rtc_max_port), (0, 65535));
        assert_eq!(s.log_tags, vec!["info", "ice"]);
    }

    #[test]
    fn update_validates_log_level() {
        let mut s = WorkerSettings::default();
        assert!(SettingsUpdate::parse(&json!({"logLevel": "chicken"})).is_err());
        assert!(SettingsUpdate::parse(&json!({"logLevel": 3})).is_err());
        s.update(SettingsUpdate::parse(&json!({"logLevel": "debug", "logTags": ["ice"]})).unwrap());
        assert_eq!(s.log_level, LogLevel::Debug);
        assert_eq!(s.log_tags, vec!["ice"]);
    }
}
