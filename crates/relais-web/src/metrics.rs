//! Prometheus text metrics: requests and latencies by route, and index figures. Hand-written:
//! a handful of counters and one histogram family do not justify a metrics framework.

use std::collections::BTreeMap;
use std::fmt::Write;
use std::sync::Mutex;
use std::time::Duration;

/// Upper bounds of the latency histogram buckets, in seconds.
const BUCKETS: &[f64] = &[
    0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5,
];

#[derive(Debug, Default, Clone)]
struct Histogram {
    counts: Vec<u64>,
    sum: f64,
    count: u64,
}

/// Request counters and latency histograms, keyed by (method, route template, status).
#[derive(Debug, Default)]
pub struct Metrics {
    requests: Mutex<BTreeMap<(String, String, u16), u64>>,
    latency: Mutex<BTreeMap<(String, String), Histogram>>,
}

impl Metrics {
    /// Records one answered request. `route` is the matched route template, never the raw path
    /// (which could carry identifiers).
    pub fn observe(&self, method: &str, route: &str, status: u16, elapsed: Duration) {
        let secs = elapsed.as_secs_f64();
        if let Ok(mut r) = self.requests.lock() {
            *r.entry((method.to_owned(), route.to_owned(), status))
                .or_default() += 1;
        }
        if let Ok(mut l) = self.latency.lock() {
            let h = l
                .entry((method.to_owned(), route.to_owned()))
                .or_insert_with(|| Histogram {
                    counts: vec![0; BUCKETS.len()],
                    ..Histogram::default()
                });
            for (i, b) in BUCKETS.iter().enumerate() {
                if secs <= *b {
                    h.counts[i] += 1;
                }
            }
            h.sum += secs;
            h.count += 1;
        }
    }

    /// Renders the request metrics in the Prometheus text format.
    pub fn render(&self, out: &mut String) {
        out.push_str(
            "# HELP relais_http_requests_total HTTP requests answered, by route and status.\n",
        );
        out.push_str("# TYPE relais_http_requests_total counter\n");
        if let Ok(r) = self.requests.lock() {
            for ((m, route, s), n) in r.iter() {
                let _ = writeln!(
                    out,
                    "relais_http_requests_total{{method=\"{m}\",route=\"{}\",status=\"{s}\"}} {n}",
                    escape(route)
                );
            }
        }
        out.push_str("# HELP relais_http_request_duration_seconds Time to answer, by route.\n");
        out.push_str("# TYPE relais_http_request_duration_seconds histogram\n");
        if let Ok(l) = self.latency.lock() {
            for ((m, route), h) in l.iter() {
                let route = escape(route);
                for (i, b) in BUCKETS.iter().enumerate() {
                    let _ = writeln!(
                        out,
                        "relais_http_request_duration_seconds_bucket{{method=\"{m}\",route=\"{route}\",le=\"{b}\"}} {}",
                        h.counts[i]
                    );
                }
                let _ = writeln!(
                    out,
                    "relais_http_request_duration_seconds_bucket{{method=\"{m}\",route=\"{route}\",le=\"+Inf\"}} {}",
                    h.count
                );
                let _ = writeln!(
                    out,
                    "relais_http_request_duration_seconds_sum{{method=\"{m}\",route=\"{route}\"}} {}",
                    h.sum
                );
                let _ = writeln!(
                    out,
                    "relais_http_request_duration_seconds_count{{method=\"{m}\",route=\"{route}\"}} {}",
                    h.count
                );
            }
        }
    }
}

fn escape(s: &str) -> String {
    s.replace('\\', "\\\\")
        .replace('"', "\\\"")
        .replace('\n', "\\n")
}
