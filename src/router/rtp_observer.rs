//! RTP observers in a router: which audio producers they watch and the
//! sans-IO detectors (`crate::observer`) that turn audio levels into events.

use crate::channel::Outbox;
use crate::ids::RouterKey;
use crate::observer::{ActiveSpeakerObserver, AudioLevelEvent, AudioLevelObserver};
use serde::Serialize;

/// Which observer a `router.create*Observer` request creates.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RtpObserverType {
    ActiveSpeaker,
    AudioLevel,
}

/// The options of a `router.create*Observer` request, parsed at the
/// boundary (`request`).
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum RtpObserverOptions {
    AudioLevel {
        max_entries: u16,
        threshold_dbov: i8,
        interval_ms: u16,
    },
    ActiveSpeaker {
        interval_ms: u16,
    },
}

pub enum Detector {
    AudioLevel(AudioLevelObserver),
    ActiveSpeaker(ActiveSpeakerObserver),
}

pub struct RtpObserver {
    pub id: String,
    pub router: RouterKey,
    pub detector: Detector,
}

impl RtpObserver {
    pub fn new(id: String, router: RouterKey, options: RtpObserverOptions) -> Self {
        let detector = match options {
            RtpObserverOptions::AudioLevel {
                max_entries,
                threshold_dbov,
                interval_ms,
            } => Detector::AudioLevel(AudioLevelObserver::new(
                max_entries,
                threshold_dbov,
                interval_ms,
            )),
            RtpObserverOptions::ActiveSpeaker { interval_ms } => {
                Detector::ActiveSpeaker(ActiveSpeakerObserver::new(interval_ms))
            }
        };
        RtpObserver {
            id,
            router,
            detector,
        }
    }

    pub fn has_producer(&self, producer_id: &str) -> bool {
        match &self.detector {
            Detector::AudioLevel(d) => d.has_producer(producer_id),
            Detector::ActiveSpeaker(d) => d.has_producer(producer_id),
        }
    }

    pub fn add_producer(&mut self, producer_id: &str) {
        match &mut self.detector {
            Detector::AudioLevel(d) => d.add_producer(producer_id),
            Detector::ActiveSpeaker(d) => d.add_producer(producer_id),
        }
    }

    pub fn remove_producer(&mut self, producer_id: &str) {
        match &mut self.detector {
            Detector::AudioLevel(d) => d.remove_producer(producer_id),
            Detector::ActiveSpeaker(d) => d.remove_producer(producer_id),
        }
    }

    pub fn set_paused(&mut self, paused: bool) {
        match (&mut self.detector, paused) {
            (Detector::AudioLevel(d), true) => d.pause(),
            (Detector::AudioLevel(d), false) => d.resume(),
            (Detector::ActiveSpeaker(d), true) => d.pause(),
            (Detector::ActiveSpeaker(d), false) => d.resume(),
        }
    }

    pub fn producer_paused(&mut self, producer_id: &str, paused: bool) {
        match (&mut self.detector, paused) {
            (Detector::AudioLevel(d), true) => d.producer_paused(producer_id),
            (Detector::AudioLevel(d), false) => d.producer_resumed(producer_id),
            (Detector::ActiveSpeaker(d), true) => d.producer_paused(producer_id),
            (Detector::ActiveSpeaker(d), false) => d.producer_resumed(producer_id),
        }
    }

    /// One audio level from an observed producer's packet.
    pub fn receive_level(&mut self, producer_id: &str, level: u8, now_ms: u64) {
        match &mut self.detector {
            Detector::AudioLevel(d) => d.receive_level(producer_id, level, now_ms),
            Detector::ActiveSpeaker(d) => d.receive_level(producer_id, level, now_ms),
        }
    }

    /// When `handle_timeout` must run next (worker clock, ms).
    pub fn poll_timeout(&self) -> Option<u64> {
        match &self.detector {
            Detector::AudioLevel(d) => d.poll_timeout(),
            Detector::ActiveSpeaker(d) => d.poll_timeout(),
        }
    }

    /// Runs due timers and emits the events mediasoup emits.
    pub fn handle_timeout(&mut self, now_ms: u64, outbox: &mut Outbox) {
        loop {
            if self.poll_timeout().is_none_or(|t| t > now_ms) {
                return;
            }
            match &mut self.detector {
                Detector::AudioLevel(d) => match d.handle_timeout(now_ms) {
                    Some(AudioLevelEvent::Volumes(volumes)) => {
                        let volumes: Vec<ProducerVolume> = volumes
                            .iter()
                            .map(|(producer_id, volume)| ProducerVolume {
                                producer_id,
                                volume: *volume,
                            })
                            .collect();
                        outbox.notification(&self.id, "audiolevelobserver.volumes", volumes);
                    }
                    Some(AudioLevelEvent::Silence) => {
                        outbox.notification(&self.id, "audiolevelobserver.silence", ())
                    }
                    None => {}
                },
                Detector::ActiveSpeaker(d) => {
                    if let Some(producer_id) = d.handle_timeout(now_ms) {
                        outbox.notification(
                            &self.id,
                            "activespeakerobserver.dominantspeaker",
                            DominantSpeaker {
                                producer_id: &producer_id,
                            },
                        );
                    }
                }
            }
        }
    }
}

/// One entry of `volumes`.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ProducerVolume<'a> {
    producer_id: &'a str,
    volume: i8,
}

/// The `dominantspeaker` payload.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct DominantSpeaker<'a> {
    producer_id: &'a str,
}
