//! Latency histogram: 1 µs buckets up to 10 ms, 100 µs buckets up to 1 s.

use serde_json::{json, Value};

const FINE: usize = 10_000; // 1 µs each: 0 .. 10 ms
const COARSE: usize = 9_900; // 100 µs each: 10 ms .. 1 s

pub struct Histogram {
    buckets: Vec<u64>,
    overflow: u64,
    count: u64,
    sum_ns: u128,
    max_ns: u64,
}

impl Default for Histogram {
    fn default() -> Self {
        Histogram {
            buckets: vec![0; FINE + COARSE],
            overflow: 0,
            count: 0,
            sum_ns: 0,
            max_ns: 0,
        }
    }
}

impl Histogram {
    pub fn record(&mut self, ns: u64) {
        let us = (ns / 1000) as usize;
        let b = if us < FINE {
            Some(us)
        } else {
            Some(FINE + (us - FINE) / 100).filter(|&b| b < FINE + COARSE)
        };
        match b {
            Some(b) => self.buckets[b] += 1,
            None => self.overflow += 1,
        }
        self.count += 1;
        self.sum_ns += ns as u128;
        self.max_ns = self.max_ns.max(ns);
    }

    pub fn merge(&mut self, o: &Histogram) {
        for (a, b) in self.buckets.iter_mut().zip(&o.buckets) {
            *a += b;
        }
        self.overflow += o.overflow;
        self.count += o.count;
        self.sum_ns += o.sum_ns;
        self.max_ns = self.max_ns.max(o.max_ns);
    }

    /// Upper edge of the bucket holding quantile `q`, in µs.
    fn quantile_us(&self, q: f64) -> Option<f64> {
        if self.count == 0 {
            return None;
        }
        let rank = ((q * self.count as f64).ceil() as u64).max(1);
        let mut seen = 0;
        for (i, &c) in self.buckets.iter().enumerate() {
            seen += c;
            if seen >= rank {
                let upper = if i < FINE {
                    i as f64 + 1.0
                } else {
                    (FINE + (i - FINE + 1) * 100) as f64
                };
                return Some(upper.min(self.max_ns as f64 / 1e3));
            }
        }
        Some(self.max_ns as f64 / 1e3)
    }

    pub fn summary(&self) -> Value {
        json!({
            "count": self.count,
            "mean": if self.count > 0 { (self.sum_ns / self.count as u128) as f64 / 1e3 } else { 0.0 },
            "p50": self.quantile_us(0.50),
            "p90": self.quantile_us(0.90),
            "p99": self.quantile_us(0.99),
            "p999": self.quantile_us(0.999),
            "max": self.max_ns as f64 / 1e3,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quantiles() {
        let mut h = Histogram::default();
        for us in 1..=1000u64 {
            h.record(us * 1000 - 500);
        }
        h.record(50_000_000); // 50 ms: coarse bucket
        let s = h.summary();
        assert_eq!(s["p50"], 501.0); // rank 501 of 1001
        assert_eq!(s["p99"], 991.0);
        assert_eq!(s["max"], 50_000.0);
        assert_eq!(s["count"], 1001);
    }
}
