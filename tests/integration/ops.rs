//! Operations: `jaga explain`, `jaga tune --verdicts`, and the deploy files (dashboard, alert
//! rules) checked against the metrics this build really exports.

use crate::support::*;
use serde_json::Value;
use std::collections::BTreeSet;

#[test]
fn explain_follows_the_same_engine_as_replay_and_shows_text_only_when_asked() {
    let demo = repo().join("samples/demo.messages.jsonl");
    let conv = "demo-id-groom";
    let replayed: BTreeSet<String> = replay_events(&demo)
        .iter()
        .filter(|e| e["conversation_id"] == conv)
        .map(|e| e["event_id"].as_str().unwrap().to_string())
        .collect();
    assert!(!replayed.is_empty());

    let dir = tempfile::tempdir().unwrap();
    let page = dir.path().join("explain.html");
    let out = jaga()
        .args(["explain", "samples/demo.messages.jsonl", "--conversation", conv, "--json", "--html"])
        .arg(&page)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let t: Value = serde_json::from_slice(&out.stdout).unwrap();
    let messages = t["messages"].as_array().unwrap();
    let in_file = std::fs::read_to_string(&demo).unwrap().lines().filter(|l| l.contains(conv)).count();
    assert_eq!(messages.len(), in_file);
    let explained: BTreeSet<String> =
        messages.iter().filter_map(|m| m["event"]["event_id"].as_str()).map(str::to_string).collect();
    assert_eq!(explained, replayed, "explain and replay must emit the same events");
    // The alert crossing is where the first alert-or-higher level appears.
    let alert_at = t["crossings"].as_array().unwrap().iter().find(|c| c["level"] == "alert").unwrap()["index"].clone();
    let first_alert = messages.iter().position(|m| m["level"] == "alert" || m["level"] == "critical");
    assert_eq!(alert_at.as_u64().map(|i| i as usize), first_alert);
    assert_eq!(t["suspect"], "u_om9", "the adult, not the child");
    assert!(messages.iter().all(|m| m.get("excerpt").is_none()));
    let html = std::fs::read_to_string(&page).unwrap();
    assert!(html.contains("<svg") && !html.contains("rahasia"), "no message text without --excerpts");

    let out = jaga()
        .args(["explain", "samples/demo.messages.jsonl", "--conversation", conv, "--excerpts", "--html"])
        .arg(&page)
        .output()
        .unwrap();
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains("thresholds crossed: ") && text.contains("rahasia"), "{text}");
    assert!(std::fs::read_to_string(&page).unwrap().contains("rahasia kita berdua"));
}

#[test]
fn explain_of_an_unknown_conversation_names_some_that_exist() {
    let out = jaga().args(["explain", "samples/demo.messages.jsonl", "--conversation", "nope"]).output().unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("conversation \"nope\" is not in") && err.contains("demo-en-groom"), "{err}");
}

/// 60 reviewed events: reviewers confirm everything at risk ≥ 0.8, two in three at 0.6-0.8, and
/// one in five below; plus events nobody reviewed and a bad verdict line.
fn review_files(dir: &std::path::Path) -> (std::path::PathBuf, std::path::PathBuf) {
    let (mut events, mut verdicts) = (String::new(), String::new());
    for i in 0..80 {
        let risk = 0.4 + 0.59 * (i as f64 / 79.0);
        let id = format!("{i:032x}");
        let event = serde_json::json!({
            "schema_version": 1, "event_id": id, "conversation_id": format!("c{}", i / 2),
            "suspect_sender_id": "u", "risk_score": (risk * 10_000.0).round() / 10_000.0,
            "level": if risk >= 0.6 { "alert" } else { "watch" }, "stages": {}, "evidence": [],
            "window": {"first_message_id": "a", "last_message_id": "b", "count": 5}, "trigger_message_id": "b",
            "model_version": "m-test", "profile": "default@v1", "emitted_at": "2026-03-01T00:00:00Z"
        });
        events.push_str(&format!("{event}\n"));
        if i % 4 == 3 {
            continue; // not reviewed yet
        }
        let confirmed = if risk >= 0.8 {
            true
        } else if risk >= 0.6 {
            i % 3 != 0
        } else {
            i % 5 == 0
        };
        let verdict = serde_json::json!({
            "schema_version": 1, "event_id": id, "conversation_id": format!("c{}", i / 2),
            "verdict": if confirmed { "confirmed" } else { "false_alarm" }, "reviewer_id": "queue-1",
            "decided_at": "2026-03-02T00:00:00Z"
        });
        verdicts.push_str(&format!("{verdict}\n"));
    }
    verdicts.push_str("{\"schema_version\":1,\"event_id\":\"nope\"}\n");
    let (e, v) = (dir.join("events.jsonl"), dir.join("verdicts.jsonl"));
    std::fs::write(&e, events).unwrap();
    std::fs::write(&v, verdicts).unwrap();
    (e, v)
}

#[test]
fn tune_from_verdicts_writes_a_profile_with_its_support() {
    let dir = tempfile::tempdir().unwrap();
    let (events, verdicts) = review_files(dir.path());
    let out_profile = dir.path().join("reviewed.toml");
    let out = jaga()
        .args(["tune", "--target-precision", "0.9", "--min-support", "10", "--name", "reviewed", "--events"])
        .arg(&events)
        .arg("--verdicts")
        .arg(&verdicts)
        .arg("--out")
        .arg(&out_profile)
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{err}");
    assert!(err.contains("verdicts.jsonl:61: skipped: invalid_event_id"), "{err}");
    assert!(err.contains("60 events reviewed, 20 not yet"), "{err}");
    assert!(err.contains("support ") && err.contains("[measured]"), "{err}");
    let text = std::fs::read_to_string(&out_profile).unwrap();
    assert!(text.contains("[provenance.verdicts]") && text.contains("model_version = \"m-test\""), "{text}");
    assert!(!text.contains("achieved_recall"), "recall is not measurable from reviews");
    // Alert lands where reviewers confirm ≥ 90 %: inside the 0.6-0.8 band, not below it.
    let alert: f64 = text
        .lines()
        .find_map(|l| l.strip_prefix("alert = "))
        .and_then(|v| v.trim().parse().ok())
        .expect("alert threshold");
    assert!((0.6..0.81).contains(&alert), "alert {alert}");
    // The written profile is usable.
    let out = jaga().args(["replay", "samples/demo.messages.jsonl", "--profile"]).arg(&out_profile).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));

    // Too little review for the support asked: a clear refusal, no profile.
    let out = jaga()
        .args(["tune", "--target-precision", "0.9", "--min-support", "500", "--events"])
        .arg(&events)
        .arg("--verdicts")
        .arg(&verdicts)
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("fewer than the 500 needed"));
}

/// Metrics the dashboard and rules may use before this build exports them (deploy/README.md
/// lists them). Empty: everything they name exists.
const PENDING_METRICS: [&str; 0] = [];
/// Metrics from other exporters (Prometheus itself, kube-state-metrics).
const EXTERNAL_METRICS: [&str; 2] = ["up", "kube_pod_status_ready"];

/// Every metric family this build registers.
fn exported_metrics() -> BTreeSet<String> {
    let m = jaga::metrics::Metrics::new();
    // Vectors without pre-created children are only gathered once they have one.
    m.consumer_lag.with_label_values(&["0"]).set(0);
    m.state_restore_remaining.with_label_values(&["0"]).set(0);
    m.verdict_precision.with_label_values(&["alert"]).set(1.0);
    m.set_model_info("m", "p");
    m.registry.gather().iter().map(|f| f.name().to_string()).collect()
}

/// Metric names in a PromQL expression (identifiers that are not functions, keywords or labels).
fn metric_names(expr: &str) -> BTreeSet<String> {
    let mut names = BTreeSet::new();
    let bytes = expr.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        let c = bytes[i];
        if c == b'{' {
            // Skip label matchers entirely.
            while i < bytes.len() && bytes[i] != b'}' {
                i += 1;
            }
        } else if c == b'"' {
            i += 1;
            while i < bytes.len() && bytes[i] != b'"' {
                i += 1;
            }
        } else if c.is_ascii_alphabetic() || c == b'_' {
            let start = i;
            while i < bytes.len() && (bytes[i].is_ascii_alphanumeric() || bytes[i] == b'_' || bytes[i] == b':') {
                i += 1;
            }
            let word = &expr[start..i];
            let next = expr[i..].trim_start().chars().next();
            let is_call = next == Some('(');
            let is_metric =
                word.starts_with("jaga_") || word.starts_with("process_") || EXTERNAL_METRICS.contains(&word);
            if is_metric && !is_call {
                let base = ["_bucket", "_count", "_sum"].iter().fold(word, |w, s| w.strip_suffix(s).unwrap_or(w));
                names.insert(base.to_string());
            }
            continue;
        }
        i += 1;
    }
    names
}

fn assert_known(names: &BTreeSet<String>, exported: &BTreeSet<String>, file: &str) {
    for n in names {
        assert!(
            exported.contains(n) || PENDING_METRICS.contains(&n.as_str()) || EXTERNAL_METRICS.contains(&n.as_str()),
            "{file} uses {n}, which this build does not export and which is not listed as pending"
        );
    }
}

#[test]
fn dashboard_is_well_formed_and_uses_only_real_or_listed_metrics() {
    let text = std::fs::read_to_string(repo().join("deploy/grafana/jaga-dashboard.json")).unwrap();
    let d: Value = serde_json::from_str(&text).expect("the dashboard is JSON");
    assert!(d["uid"].is_string() && d["title"].is_string());
    assert!(d["schemaVersion"].as_u64().unwrap() >= 30);
    let vars: Vec<&str> =
        d["templating"]["list"].as_array().unwrap().iter().map(|v| v["name"].as_str().unwrap()).collect();
    assert!(vars.contains(&"datasource") && vars.contains(&"job"), "{vars:?}");

    let exported = exported_metrics();
    let panels = d["panels"].as_array().unwrap();
    let mut ids = BTreeSet::new();
    let mut boxes: Vec<(u64, u64, u64, u64, String)> = Vec::new();
    let mut used = BTreeSet::new();
    for p in panels {
        let title = p["title"].as_str().unwrap().to_string();
        assert!(ids.insert(p["id"].as_u64().unwrap()), "duplicate panel id in {title}");
        let g = &p["gridPos"];
        let (x, y, w, h) =
            (g["x"].as_u64().unwrap(), g["y"].as_u64().unwrap(), g["w"].as_u64().unwrap(), g["h"].as_u64().unwrap());
        assert!(w >= 1 && h >= 1 && x + w <= 24, "{title}: gridPos {g}");
        for (bx, by, bw, bh, other) in &boxes {
            let overlap = x < bx + bw && *bx < x + w && y < by + bh && *by < y + h;
            assert!(!overlap, "{title} overlaps {other}");
        }
        boxes.push((x, y, w, h, title.clone()));
        if p["type"] == "row" {
            continue;
        }
        assert_eq!(p["datasource"]["uid"], "${datasource}", "{title}");
        let targets = p["targets"].as_array().unwrap();
        assert!(!targets.is_empty(), "{title} has no query");
        let mut refs = BTreeSet::new();
        for t in targets {
            assert!(refs.insert(t["refId"].as_str().unwrap().to_string()), "{title}: duplicate refId");
            let expr = t["expr"].as_str().unwrap();
            assert!(expr.contains("job=~\"$job\""), "{title}: {expr} ignores the job filter");
            used.extend(metric_names(expr));
        }
    }
    assert_known(&used, &exported, "the dashboard");
    // What issue 10 asks the dashboard to show.
    for needed in [
        "jaga_records_consumed_total",
        "jaga_stage_latency_seconds",
        "jaga_consumer_lag_messages",
        "jaga_bad_records_total",
        "jaga_events_total",
        "jaga_live_conversations_bytes",
        "jaga_state_restore_remaining_records",
        "jaga_verdict_precision_ratio",
    ] {
        assert!(used.contains(needed), "no panel shows {needed}");
    }
}

#[test]
fn alert_rules_use_only_real_or_listed_metrics_and_the_readme_lists_the_pending_ones() {
    let rules = std::fs::read_to_string(repo().join("deploy/prometheus/jaga-rules.yml")).unwrap();
    // The expressions are the `expr:` blocks; metric_names skips labels and strings, and the
    // annotations name no metric, so reading the whole file is enough.
    let exprs: String = rules
        .lines()
        .filter(|l| !l.trim_start().starts_with('#') && !l.contains("summary:") && !l.contains("description:"))
        .collect::<Vec<_>>()
        .join("\n");
    let used = metric_names(&exprs);
    assert!(used.contains("jaga_consumer_lag_messages") && used.contains("jaga_dlq_records_total"), "{used:?}");
    assert_known(&used, &exported_metrics(), "jaga-rules.yml");

    let readme = std::fs::read_to_string(repo().join("deploy/README.md")).unwrap();
    for m in PENDING_METRICS {
        assert!(readme.contains(m), "deploy/README.md does not list pending metric {m}");
    }
}

#[test]
fn metric_names_reads_promql() {
    let n = metric_names(
        r#"histogram_quantile(0.95, sum by (le, stage) (rate(jaga_stage_latency_seconds_bucket{job=~"a|jaga_x"}[5m]))) / up"#,
    );
    assert_eq!(n, BTreeSet::from(["jaga_stage_latency_seconds".to_string(), "up".to_string()]));
}
