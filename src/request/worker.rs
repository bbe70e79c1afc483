//! Worker-level bodies: `createWorker()` settings, `updateSettings()`,
//! `createWebRtcServer()`.

use super::listen::{listen_infos, ListenInfoBody};
use super::string_field;
use crate::channel::{LogLevel, SettingsUpdate, WorkerSettings, LOG_TAGS};
use crate::error::{Error, Result};
use crate::json_in::{body, Js};
use crate::transport::webrtc_server::WebRtcServerOptions;
use serde::Deserialize;

#[derive(Debug, Default, Deserialize)]
#[serde(default, rename_all = "camelCase")]
struct SettingsBody {
    log_level: Js<String>,
    log_tags: Js<Vec<Js<String>>>,
    rtc_min_port: Js<f64>,
    rtc_max_port: Js<f64>,
    dtls_certificate_file: Js<String>,
    dtls_private_key_file: Js<String>,
    libwebrtc_field_trials: Js<String>,
}

fn log_level(value: &Js<String>) -> Result<Option<LogLevel>> {
    match value {
        Js::Absent | Js::Null => Ok(None),
        Js::Set(level) => LogLevel::parse(level).map(Some),
        Js::Wrong => Err(Error::type_error("logLevel must be a string")),
    }
}

/// The known tags of a `logTags` array, in order, once each; unknown or
/// non-string tags are dropped silently, as mediasoup does.
fn log_tags(value: &Js<Vec<Js<String>>>) -> Vec<String> {
    let mut tags: Vec<String> = Vec::new();
    for tag in value.get().into_iter().flatten().filter_map(Js::as_str) {
        if LOG_TAGS.contains(&tag) && !tags.iter().any(|t| t == tag) {
            tags.push(tag.to_string());
        }
    }
    tags
}

fn port(value: &Js<f64>, name: &str) -> Result<Option<u16>> {
    match value {
        Js::Absent | Js::Null => Ok(None),
        Js::Set(p) if p.fract() == 0.0 && (0.0..=65535.0).contains(p) => Ok(Some(*p as u16)),
        Js::Set(_) => Err(Error::type_error(format!(
            "invalid {name} (must be 0-65535)"
        ))),
        Js::Wrong => Err(Error::type_error(format!("{name} must be a number"))),
    }
}

fn non_empty_string(value: &Js<String>, name: &str) -> Result<Option<String>> {
    match value {
        Js::Absent | Js::Null => Ok(None),
        Js::Set(s) => Ok((!s.is_empty()).then(|| s.clone())),
        Js::Wrong => Err(Error::type_error(format!("{name} must be a string"))),
    }
}

/// The settings object given to `createWorker()` (JSON text, already
/// stripped of `appData` by JS). Missing fields take mediasoup's defaults.
pub fn worker_settings(text: &str) -> Result<WorkerSettings> {
    let b: SettingsBody = body(text);
    let mut settings = WorkerSettings::default();
    if let Some(level) = log_level(&b.log_level)? {
        settings.log_level = level;
    }
    settings.log_tags = log_tags(&b.log_tags);
    if let Some(p) = port(&b.rtc_min_port, "rtcMinPort")? {
        settings.rtc_min_port = p;
    }
    if let Some(p) = port(&b.rtc_max_port, "rtcMaxPort")? {
        settings.rtc_max_port = p;
    }
    if settings.rtc_max_port < settings.rtc_min_port {
        return Err(Error::type_error(
            "rtcMaxPort cannot be less than rtcMinPort",
        ));
    }
    settings.dtls_certificate_file =
        non_empty_string(&b.dtls_certificate_file, "dtlsCertificateFile")?;
    settings.dtls_private_key_file =
        non_empty_string(&b.dtls_private_key_file, "dtlsPrivateKeyFile")?;
    match (
        &settings.dtls_certificate_file,
        &settings.dtls_private_key_file,
    ) {
        (Some(_), None) => return Err(Error::type_error("missing dtlsPrivateKeyFile")),
        (None, Some(_)) => return Err(Error::type_error("missing dtlsCertificateFile")),
        _ => {}
    }
    settings.libwebrtc_field_trials =
        non_empty_string(&b.libwebrtc_field_trials, "libwebrtcFieldTrials")?;
    Ok(settings)
}

/// `worker.updateSettings({ logLevel, logTags })`.
pub fn settings_update(text: &str) -> Result<SettingsUpdate> {
    let b: SettingsBody = body(text);
    Ok(SettingsUpdate {
        log_level: log_level(&b.log_level)?,
        log_tags: b.log_tags.is_given().then(|| log_tags(&b.log_tags)),
    })
}

#[derive(Debug, Default, Deserialize)]
#[serde(default, rename_all = "camelCase")]
struct WebRtcServerBody {
    web_rtc_server_id: Js<String>,
    listen_infos: Js<Vec<Js<ListenInfoBody>>>,
}

/// `worker.createWebRtcServer()`.
pub fn webrtc_server(text: &str) -> Result<WebRtcServerOptions> {
    let b: WebRtcServerBody = body(text);
    let web_rtc_server_id = string_field(&b.web_rtc_server_id, "webRtcServerId")?;
    if b.listen_infos.get().is_none() {
        return Err(Error::type_error("missing listenInfos"));
    }
    Ok(WebRtcServerOptions {
        web_rtc_server_id,
        listen_infos: listen_infos(&b.listen_infos)?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::ErrorKind;

    #[test]
    fn defaults_match_mediasoup() {
        let s = worker_settings("{}").unwrap();
        assert_eq!(s.log_level, LogLevel::Error);
        assert_eq!((s.rtc_min_port, s.rtc_max_port), (10000, 59999));
    }

    #[test]
    fn rejects_bad_values_with_type_error() {
        for bad in [
            r#"{"logLevel": "chicken"}"#,
            r#"{"logLevel": 3}"#,
            r#"{"rtcMinPort": 1000, "rtcMaxPort": 999}"#,
            r#"{"rtcMinPort": 1000, "rtcMaxPort": 65536}"#,
            r#"{"rtcMinPort": -1}"#,
            r#"{"rtcMinPort": "10"}"#,
            r#"{"dtlsCertificateFile": "/a.pem"}"#,
            r#"{"dtlsPrivateKeyFile": "/a.pem"}"#,
        ] {
            let err = worker_settings(bad).unwrap_err();
            assert_eq!(err.kind, ErrorKind::TypeError, "{bad}");
        }
    }

    #[test]
    fn accepts_full_range_and_filters_tags() {
        let s = worker_settings(
            r#"{"rtcMinPort": 0, "rtcMaxPort": 65535, "logTags": ["ice", "bogus", 3, "ice", "rtp"],
                "dtlsCertificateFile": "", "logLevel": null}"#,
        )
        .unwrap();
        assert_eq!((s.rtc_min_port, s.rtc_max_port), (0, 65535));
        assert_eq!(s.log_tags, vec!["ice", "rtp"]);
        assert_eq!(s.dtls_certificate_file, None);
    }

    #[test]
    fn update_reads_level_and_tags() {
        let u = settings_update(r#"{"logLevel": "debug", "logTags": "x"}"#).unwrap();
        assert_eq!(u.log_level, Some(LogLevel::Debug));
        assert_eq!(u.log_tags, Some(vec![]));
        let u = settings_update(r#"{"logTags": null}"#).unwrap();
        assert_eq!((u.log_level, u.log_tags), (None, None));
        assert!(settings_update(r#"{"logLevel": 1}"#).is_err());
    }

    #[test]
    fn webrtc_server_needs_listen_infos() {
        for (text, message) in [
            (r#"{}"#, "missing webRtcServerId"),
            (r#"{"webRtcServerId": "s"}"#, "missing listenInfos"),
            (
                r#"{"webRtcServerId": "s", "listenInfos": []}"#,
                "empty listenInfos",
            ),
        ] {
            assert_eq!(webrtc_server(text).unwrap_err().message, message);
        }
    }
}
