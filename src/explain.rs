//! `jaga explain`: one conversation, message by message, as the live processor saw it.
//!
//! A reviewer who gets an alert, or an engineer who gets a complaint about one, wants to see *when*
//! the risk rose and *which* messages moved it. [`explain`] drives the same [`Engine`] as `replay`
//! and `eval` (same normalisation, model, window and profile) and records, after every message, the
//! conversation's risk, level and suspect, and the message's own stage scores. [`render_text`] and
//! [`render_html`] turn that [`Timeline`] into a table or a self-contained page (inline SVG, no
//! scripts, nothing fetched from the network).
//!
//! Message text appears only when asked for (`--excerpts`), as short excerpts, HTML-escaped:
//! explanations get pasted into tickets and should not copy chat text by default.

use crate::engine::{Engine, Input};
use crate::eval::report::{escape_html, unit_ticks, Frame, CSS, GREY, LEVEL_COLORS};
use crate::event::{Level, Stage, NUM_STAGES};
use crate::message::ChatMessage;
use crate::model::ModelError;
use crate::normalize::excerpt;
use crate::policy::Thresholds;
use chrono::SecondsFormat;
use serde::Serialize;
use std::fmt::Write as _;

/// What a labelled conversation says about itself (docs/contracts.md §3), shown beside the model's view.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LabelInfo {
    pub label: String,
    pub onset: Option<usize>,
    pub suspect: Option<String>,
    pub stages: Vec<Stage>,
}

/// One message and the conversation's state right after it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MessageRow {
    pub index: usize,
    pub message_id: String,
    pub sender_id: String,
    pub sent_at: String,
    /// The conversation's calibrated risk after this message (`None`: not scored).
    pub risk: Option<f32>,
    /// The level that risk reaches (thresholds only; events also apply hysteresis and cooldown).
    pub level: Option<Level>,
    /// The participant the detector suspects after this message.
    pub suspect: Option<String>,
    /// This message's own stage probabilities, in [`Stage::ALL`] order.
    pub stages: [f32; NUM_STAGES],
    /// The stage this message most supports, when its probability reaches [`MIN_TOP_STAGE`]:
    /// naming a stage for a message that supports none would mislead a reviewer.
    pub top_stage: Option<Stage>,
    pub top_score: f32,
    /// The event this message triggered, if any.
    pub event: Option<EventMark>,
    /// Only with excerpts on.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub excerpt: Option<String>,
}

/// An event on the timeline.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct EventMark {
    pub level: Level,
    pub event_id: String,
    pub previous_level: Option<Level>,
}

/// Where the risk first reached a level's threshold.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Crossing {
    pub level: Level,
    pub threshold: f32,
    /// Index of the first message after which risk ≥ threshold; `None`: never.
    pub index: Option<usize>,
}

/// The whole explanation of one conversation.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Timeline {
    pub conversation_id: String,
    pub model_version: String,
    pub profile: String,
    pub thresholds: Thresholds,
    pub min_messages: u32,
    pub label: Option<LabelInfo>,
    pub messages: Vec<MessageRow>,
    pub crossings: Vec<Crossing>,
    pub max_risk: Option<f32>,
    /// The suspect after the last scored message.
    pub suspect: Option<String>,
}

impl Timeline {
    pub fn events(&self) -> impl Iterator<Item = (usize, &EventMark)> {
        self.messages.iter().filter_map(|m| m.event.as_ref().map(|e| (m.index, e)))
    }
}

/// Lowest probability at which a message's top stage is named.
pub const MIN_TOP_STAGE: f32 = 0.1;

/// Prefix of the conversation ids under which each message is scored alone; a control character,
/// so it cannot clash with a platform's ids in the same engine.
const PROBE_PREFIX: &str = "\u{1f}jaga-explain-probe:";

/// Scores `messages` (one conversation, in order) through `engine` in batches of `batch`, the way
/// `replay` does, and records the timeline. The engine is left without state afterwards.
///
/// The engine reports each message's effect on the *conversation*; a message's own stage
/// probabilities are not part of its outcome. The detector's stage vector for a window is the
/// maximum over the suspect's messages, so a window holding one message scores exactly that
/// message's probabilities: each message is therefore also scored alone, under a probe
/// conversation id. That encodes every message twice, which is fine for one conversation.
pub fn explain(
    engine: &mut Engine,
    messages: &[ChatMessage],
    label: Option<LabelInfo>,
    excerpt_chars: Option<usize>,
    batch: usize,
) -> Result<Timeline, ModelError> {
    let batch = batch.max(1);
    engine.forget_all();
    let mut outcomes = Vec::with_capacity(messages.len());
    for chunk in messages.chunks(batch) {
        let inputs: Vec<Input> = chunk.iter().map(|m| Input { message: m.clone(), source: None }).collect();
        outcomes.extend(engine.process(&inputs)?);
    }
    let mut own_stages = Vec::with_capacity(messages.len());
    for (c, chunk) in messages.chunks(batch).enumerate() {
        let probes: Vec<Input> = chunk
            .iter()
            .enumerate()
            .map(|(i, m)| {
                let mut probe = m.clone();
                probe.conversation_id = format!("{PROBE_PREFIX}{}", c * batch + i);
                Input { message: probe, source: None }
            })
            .collect();
        own_stages.extend(engine.process(&probes)?.into_iter().map(|o| o.score.map(|s| s.stages)));
    }
    engine.forget_all();

    let profile = engine.profile();
    let rows: Vec<MessageRow> = messages
        .iter()
        .zip(outcomes)
        .zip(own_stages)
        .enumerate()
        .map(|(index, ((m, o), stages))| {
            let stages = stages.unwrap_or([0.0; NUM_STAGES]);
            let (top_stage, top_score) = top_stage(&stages);
            MessageRow {
                index,
                message_id: m.message_id.clone(),
                sender_id: m.sender_id.clone(),
                sent_at: m.sent_at.to_rfc3339_opts(SecondsFormat::Secs, true),
                risk: o.score.as_ref().map(|s| s.risk),
                level: o.level,
                suspect: o.score.as_ref().map(|s| s.suspect.clone()),
                stages,
                top_stage,
                top_score,
                event: o.event.map(|e| EventMark {
                    level: e.level,
                    event_id: e.event_id,
                    previous_level: e.previous_level,
                }),
                excerpt: excerpt_chars.map(|n| excerpt(&m.text, n)),
            }
        })
        .collect();
    let t = profile.thresholds;
    let crossings = Level::ALL
        .into_iter()
        .map(|level| Crossing {
            level,
            threshold: t.of(level),
            index: rows.iter().find(|r| r.level.is_some_and(|l| l >= level)).map(|r| r.index),
        })
        .collect();
    Ok(Timeline {
        conversation_id: messages.first().map(|m| m.conversation_id.clone()).unwrap_or_default(),
        model_version: engine.model_version().to_string(),
        profile: engine.profile_id().to_string(),
        thresholds: t,
        min_messages: profile.min_messages,
        label,
        max_risk: rows.iter().filter_map(|r| r.risk).filter(|r| !r.is_nan()).reduce(f32::max),
        suspect: rows.iter().rev().find_map(|r| r.suspect.clone()),
        messages: rows,
        crossings,
    })
}

fn top_stage(stages: &[f32; NUM_STAGES]) -> (Option<Stage>, f32) {
    let (stage, score) =
        Stage::ALL.into_iter().map(|s| (s, stages[s.index()])).fold((Stage::ALL[0], f32::MIN), |best, cur| {
            if cur.1 > best.1 {
                cur
            } else {
                best
            }
        });
    ((score >= MIN_TOP_STAGE).then_some(stage), score)
}

fn opt3(x: Option<f32>) -> String {
    x.map_or("-".to_string(), |x| format!("{x:.3}"))
}

fn level_str(l: Option<Level>) -> &'static str {
    l.map_or("-", Level::as_str)
}

fn crossing_text(t: &Timeline) -> String {
    t.crossings
        .iter()
        .map(|c| match c.index {
            Some(i) => format!("{} ({:.2}) at #{i}", c.level, c.threshold),
            None => format!("{} ({:.2}) never", c.level, c.threshold),
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// The timeline as a plain-text table for a terminal.
pub fn render_text(t: &Timeline) -> String {
    let mut s = String::new();
    let th = &t.thresholds;
    let _ = writeln!(
        s,
        "conversation {} — {} messages; model {}, profile {} (watch {:.2}, alert {:.2}, critical {:.2}; no event before \
         message {})",
        t.conversation_id,
        t.messages.len(),
        t.model_version,
        t.profile,
        th.watch,
        th.alert,
        th.critical,
        t.min_messages
    );
    if let Some(l) = &t.label {
        let stages: Vec<&str> = l.stages.iter().map(|s| s.as_str()).collect();
        let _ = writeln!(
            s,
            "labelled {}: onset {}, suspect {}, stages {}",
            l.label,
            l.onset.map_or("-".into(), |o| format!("#{o}")),
            l.suspect.as_deref().unwrap_or("-"),
            if stages.is_empty() { "-".into() } else { stages.join(", ") }
        );
    }
    let id_w = t.messages.iter().map(|m| m.message_id.chars().count()).max().unwrap_or(2).clamp(2, 40);
    let sender_w = t.messages.iter().map(|m| m.sender_id.chars().count()).max().unwrap_or(6).clamp(6, 24);
    let _ = writeln!(
        s,
        "\n{:>4}  {:<id_w$}  {:<sender_w$}  {:>5}  {:<8}  {:<15}  {:>5}  event",
        "#", "message", "sender", "risk", "level", "top stage", "score"
    );
    for m in &t.messages {
        let event = m.event.as_ref().map_or(String::new(), |e| format!("{} {}", e.level, e.event_id));
        let _ = writeln!(
            s,
            "{:>4}  {:<id_w$}  {:<sender_w$}  {:>5}  {:<8}  {:<15}  {:>5.3}  {event}",
            m.index,
            m.message_id,
            m.sender_id,
            opt3(m.risk),
            level_str(m.level),
            m.top_stage.map_or("-", Stage::as_str),
            m.top_score
        );
        if let Some(x) = &m.excerpt {
            let _ = writeln!(s, "{:>4}  “{x}”", "");
        }
    }
    let _ = writeln!(s, "\nthresholds crossed: {}", crossing_text(t));
    let events: Vec<String> = t.events().map(|(i, e)| format!("#{i} {}", e.level)).collect();
    let _ = writeln!(s, "events: {}", if events.is_empty() { "none".into() } else { events.join(", ") });
    let _ = writeln!(
        s,
        "max risk {}; suspect after the last message: {}",
        opt3(t.max_risk),
        t.suspect.as_deref().unwrap_or("-")
    );
    s
}

/// Colour of a 0..1 stage score in the heat map: white to deep red.
fn heat(v: f32) -> String {
    let v = if v.is_finite() { v.clamp(0.0, 1.0) } else { 0.0 };
    let mix = |lo: f32, hi: f32| (lo + (hi - lo) * v).round() as u8;
    format!("#{:02x}{:02x}{:02x}", mix(255.0, 165.0), mix(255.0, 15.0), mix(255.0, 21.0))
}

fn level_color(level: Level) -> &'static str {
    LEVEL_COLORS[level as usize].1
}

/// The x position of message `i` of `n` as a fraction of the plot width: message centres.
fn col(i: usize, n: usize) -> f64 {
    (i as f64 + 0.5) / n.max(1) as f64
}

/// Message-index ticks: about ten, at round steps.
fn index_ticks(n: usize) -> Vec<(f64, String)> {
    let step = [1, 2, 5, 10, 20, 25, 50, 100, 200, 500].into_iter().find(|s| n / s <= 12).unwrap_or(1000);
    (0..n).step_by(step).map(|i| (col(i, n), i.to_string())).collect()
}

fn risk_svg(t: &Timeline) -> String {
    let n = t.messages.len();
    let f = Frame { w: 1180.0, h: 330.0, left: 52.0, right: 120.0, top: 22.0, bottom: 40.0 };
    let mut s = f.open("risk after each message");
    s.push_str(&f.axes(&index_ticks(n), &unit_ticks(), "message", "risk"));
    let th = &t.thresholds;
    for level in Level::ALL {
        let (y, color) = (f.y(f64::from(th.of(level))), level_color(level));
        let _ = write!(
            s,
            "<line x1=\"{:.1}\" y1=\"{y:.1}\" x2=\"{:.1}\" y2=\"{y:.1}\" stroke=\"{color}\" stroke-dasharray=\"6 4\" stroke-width=\"1.5\"/>\
             <text x=\"{:.1}\" y=\"{:.1}\" fill=\"{color}\">{level} {:.2}</text>",
            f.x(0.0),
            f.x(1.0),
            f.x(1.0) + 6.0,
            y + 4.0,
            th.of(level)
        );
    }
    if let Some(onset) = t.label.as_ref().and_then(|l| l.onset) {
        let x = f.x(col(onset, n));
        let _ = write!(
            s,
            "<line x1=\"{x:.1}\" y1=\"{:.1}\" x2=\"{x:.1}\" y2=\"{:.1}\" stroke=\"{GREY}\" stroke-dasharray=\"2 3\"/>\
             <text x=\"{:.1}\" y=\"{:.1}\" fill=\"#666\">labelled onset</text>",
            f.y(0.0),
            f.y(1.0),
            x + 4.0,
            f.y(1.0) + 10.0
        );
    }
    for (i, e) in t.events() {
        let x = f.x(col(i, n));
        let color = level_color(e.level);
        let _ = write!(
            s,
            "<line x1=\"{x:.1}\" y1=\"{:.1}\" x2=\"{x:.1}\" y2=\"{:.1}\" stroke=\"{color}\" stroke-width=\"2\" opacity=\"0.6\"/>\
             <text x=\"{x:.1}\" y=\"{:.1}\" text-anchor=\"middle\" fill=\"{color}\" font-weight=\"600\">{}</text>",
            f.y(0.0),
            f.y(1.0),
            f.y(1.0) - 6.0,
            e.level
        );
    }
    let points: Vec<(f64, f64, &MessageRow)> = t
        .messages
        .iter()
        .filter_map(|m| m.risk.filter(|r| r.is_finite()).map(|r| (f.x(col(m.index, n)), f.y(f64::from(r)), m)))
        .collect();
    let path: String = points
        .iter()
        .enumerate()
        .map(|(k, (x, y, _))| format!("{}{x:.1},{y:.1}", if k == 0 { 'M' } else { 'L' }))
        .collect::<Vec<_>>()
        .join(" ");
    let _ = write!(s, "<path d=\"{path}\" fill=\"none\" stroke=\"#2f6fb0\" stroke-width=\"2.5\"/>");
    for (x, y, m) in &points {
        let fill = m.level.map_or("#2f6fb0", level_color);
        let _ = write!(
            s,
            "<circle cx=\"{x:.1}\" cy=\"{y:.1}\" r=\"4\" fill=\"{fill}\" stroke=\"#fff\" stroke-width=\"1\">\
             <title>#{} {}: risk {}, {}</title></circle>",
            m.index,
            escape_html(&m.message_id),
            opt3(m.risk),
            level_str(m.level)
        );
    }
    s.push_str("</svg>");
    s
}

fn heatmap_svg(t: &Timeline) -> String {
    let n = t.messages.len().max(1);
    let (left, top, right) = (120.0, 8.0, 120.0);
    let row_h = 22.0;
    let width = 1180.0;
    let cell_w = (width - left - right) / n as f64;
    let rows = NUM_STAGES + 1;
    let height = top + row_h * rows as f64 + 34.0;
    let f = Frame { w: width, h: height, left, right, top, bottom: 0.0 };
    let mut s = f.open("each message's own stage scores");
    let suspect = t.suspect.as_deref();
    // Row 0: who wrote the message (the final suspect, or someone else).
    let _ =
        write!(s, "<text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"end\">sender</text>", left - 8.0, top + row_h * 0.68);
    for m in &t.messages {
        let is_suspect = Some(m.sender_id.as_str()) == suspect;
        let _ = write!(
            s,
            "<rect x=\"{:.1}\" y=\"{top:.1}\" width=\"{:.1}\" height=\"{:.1}\" fill=\"{}\"><title>#{} {}{}</title></rect>",
            left + cell_w * m.index as f64 + 0.5,
            (cell_w - 1.0).max(0.5),
            row_h - 6.0,
            if is_suspect { "#d9822b" } else { "#c9d6e3" },
            m.index,
            escape_html(&m.sender_id),
            if is_suspect { " (suspect)" } else { "" }
        );
    }
    for (r, stage) in Stage::ALL.into_iter().enumerate() {
        let y = top + row_h * (r + 1) as f64;
        let _ = write!(
            s,
            "<text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"end\">{}</text>",
            left - 8.0,
            y + row_h * 0.65,
            stage.as_str()
        );
        for m in &t.messages {
            let v = m.stages[stage.index()];
            let _ = write!(
                s,
                "<rect x=\"{:.1}\" y=\"{y:.1}\" width=\"{:.1}\" height=\"{:.1}\" fill=\"{}\" stroke=\"#f0f0f0\" stroke-width=\"0.5\">\
                 <title>#{} {}: {v:.3}</title></rect>",
                left + cell_w * m.index as f64,
                cell_w,
                row_h,
                heat(v),
                m.index,
                stage.as_str()
            );
        }
    }
    let y_axis = top + row_h * rows as f64;
    for (fx, label) in index_ticks(t.messages.len()) {
        let x = left + fx * (width - left - right);
        let _ = write!(s, "<text x=\"{x:.1}\" y=\"{:.1}\" text-anchor=\"middle\">{label}</text>", y_axis + 14.0);
    }
    let _ = write!(
        s,
        "<text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"middle\">message</text>",
        left + (width - left - right) / 2.0,
        y_axis + 30.0
    );
    // Legend: who wrote, then the colour scale.
    let lx = width - right + 16.0;
    let _ = write!(
        s,
        "<rect x=\"{lx:.1}\" y=\"{top:.1}\" width=\"10\" height=\"10\" fill=\"#d9822b\"/>\
         <text x=\"{:.1}\" y=\"{:.1}\">suspect</text>\
         <rect x=\"{:.1}\" y=\"{top:.1}\" width=\"10\" height=\"10\" fill=\"#c9d6e3\"/>\
         <text x=\"{:.1}\" y=\"{:.1}\">other</text>",
        lx + 14.0,
        top + 9.0,
        lx + 62.0,
        lx + 76.0,
        top + 9.0
    );
    for k in 0..=4 {
        let v = k as f32 / 4.0;
        let y = top + row_h * (k + 1) as f64;
        let _ = write!(
            s,
            "<rect x=\"{lx:.1}\" y=\"{y:.1}\" width=\"18\" height=\"{:.1}\" fill=\"{}\" stroke=\"#ccc\"/>\
             <text x=\"{:.1}\" y=\"{:.1}\">{v:.2}</text>",
            row_h - 4.0,
            heat(v),
            lx + 24.0,
            y + row_h * 0.6
        );
    }
    s.push_str("</svg>");
    s
}

const EXPLAIN_CSS: &str = ".level-watch{color:#b8860b;font-weight:600}.level-alert{color:#d9822b;font-weight:600}\
.level-critical{color:#c23b3b;font-weight:600}tr.event td{background:#fff6ea}td.text{text-align:left;white-space:pre-wrap;\
max-width:420px}td.id,td.sender,td.at{text-align:left;white-space:nowrap;font-family:ui-monospace,monospace;font-size:.92em}\
td.ev{text-align:left;white-space:nowrap}td.ev code{font-size:.8em}th.l{text-align:left}";

/// The timeline as one self-contained HTML page.
pub fn render_html(t: &Timeline) -> String {
    let mut h = String::new();
    let th = &t.thresholds;
    let title = format!("jaga explain: {}", t.conversation_id);
    let _ = write!(
        h,
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <title>{}</title><style>{CSS}{EXPLAIN_CSS}</style></head><body>\n<h1>{}</h1>\n\
         <p class=\"meta\">{} messages &middot; model <code>{}</code> &middot; profile <code>{}</code> \
         (watch {:.2}, alert {:.2}, critical {:.2}; no event before message {})</p>\n",
        escape_html(&title),
        escape_html(&title),
        t.messages.len(),
        escape_html(&t.model_version),
        escape_html(&t.profile),
        th.watch,
        th.alert,
        th.critical,
        t.min_messages
    );
    if let Some(l) = &t.label {
        let stages: Vec<&str> = l.stages.iter().map(|s| s.as_str()).collect();
        let _ = writeln!(
            h,
            "<p class=\"meta\">labelled <b>{}</b> &middot; onset {} &middot; suspect {} &middot; stages {}</p>",
            escape_html(&l.label),
            l.onset.map_or("&ndash;".into(), |o| format!("#{o}")),
            l.suspect.as_deref().map_or("&ndash;".into(), escape_html),
            if stages.is_empty() { "&ndash;".into() } else { stages.join(", ") }
        );
    }
    let events: Vec<String> =
        t.events().map(|(i, e)| format!("<span class=\"level-{}\">{}</span> at #{i}", e.level, e.level)).collect();
    let _ = writeln!(
        h,
        "<p>Max risk <b>{}</b> &middot; suspect after the last message <code>{}</code> &middot; thresholds crossed: {} \
         &middot; events: {}</p>",
        opt3(t.max_risk),
        escape_html(t.suspect.as_deref().unwrap_or("-")),
        escape_html(&crossing_text(t)),
        if events.is_empty() { "none".into() } else { events.join(", ") }
    );
    let _ = write!(
        h,
        "<h2>Risk after each message</h2>\n<p class=\"note\">The conversation's calibrated risk once each message \
         has arrived; dashed lines are the profile's thresholds, vertical bars the events the policy emitted \
         (hysteresis, cooldown and the minimum of {} messages decide those).</p>\n{}\n\
         <h2>Stage scores of each message</h2>\n<p class=\"note\">Each message's own probability for each grooming \
         stage (the stage head on that message alone). The top row marks the suspect's messages.</p>\n{}\n",
        t.min_messages,
        risk_svg(t),
        heatmap_svg(t)
    );
    let with_text = t.messages.iter().any(|m| m.excerpt.is_some());
    let _ = write!(
        h,
        "<h2>Timeline</h2>\n<table><thead><tr><th>#</th><th class=\"l\">message</th><th class=\"l\">sender</th><th class=\"l\">sent at</th><th>risk</th>\
         <th>level</th><th>top stage</th><th>score</th><th class=\"l\">event</th>{}</tr></thead><tbody>\n",
        if with_text { "<th class=\"l\">excerpt</th>" } else { "" }
    );
    for m in &t.messages {
        let level = m.level.map_or("&ndash;".to_string(), |l| format!("<span class=\"level-{l}\">{l}</span>"));
        let event = m.event.as_ref().map_or(String::new(), |e| {
            format!("<span class=\"level-{}\">{}</span> <code>{}</code>", e.level, e.level, escape_html(&e.event_id))
        });
        let _ = writeln!(
            h,
            "<tr{}><td>{}</td><td class=\"id\">{}</td><td class=\"sender\">{}</td><td class=\"at\">{}</td><td>{}</td>\
             <td>{level}</td><td>{}</td><td>{:.3}</td><td class=\"ev\">{event}</td>{}</tr>",
            if m.event.is_some() { " class=\"event\"" } else { "" },
            m.index,
            escape_html(&m.message_id),
            escape_html(&m.sender_id),
            escape_html(&m.sent_at),
            opt3(m.risk),
            m.top_stage.map_or("&ndash;", Stage::as_str),
            m.top_score,
            if with_text {
                format!("<td class=\"text\">{}</td>", escape_html(m.excerpt.as_deref().unwrap_or("")))
            } else {
                String::new()
            }
        );
    }
    h.push_str("</tbody></table>\n");
    let _ = write!(
        h,
        "<p class=\"note\">{}Written by <code>jaga explain</code>; self-contained, nothing is loaded from the network.</p>\n\
         </body></html>\n",
        if with_text { "" } else { "Message text is left out; <code>--excerpts</code> adds short excerpts. " }
    );
    h
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(index: usize, risk: f32, level: Option<Level>, secrecy: f32, event: Option<Level>) -> MessageRow {
        let mut stages = [0.05; NUM_STAGES];
        stages[Stage::Secrecy.index()] = secrecy;
        let (top_stage, top_score) = top_stage(&stages);
        MessageRow {
            index,
            message_id: format!("c<1>:{index}"),
            sender_id: if index % 2 == 0 { "u_a".into() } else { "u_b".into() },
            sent_at: "2026-03-01T10:00:00Z".into(),
            risk: Some(risk),
            level,
            suspect: Some("u_a".into()),
            stages,
            top_stage,
            top_score,
            event: event.map(|level| EventMark { level, event_id: format!("{index:032x}"), previous_level: None }),
            excerpt: None,
        }
    }

    fn timeline() -> Timeline {
        let messages = vec![
            row(0, 0.1, None, 0.1, None),
            row(1, 0.4, Some(Level::Watch), 0.2, None),
            row(2, 0.7, Some(Level::Alert), 0.9, Some(Level::Alert)),
            row(3, 0.5, Some(Level::Watch), 0.3, None),
        ];
        Timeline {
            conversation_id: "c<1>".into(),
            model_version: "m".into(),
            profile: "default@v1".into(),
            thresholds: Thresholds { watch: 0.35, alert: 0.6, critical: 0.85 },
            min_messages: 3,
            label: Some(LabelInfo {
                label: "grooming".into(),
                onset: Some(1),
                suspect: Some("u_a".into()),
                stages: vec![Stage::Secrecy],
            }),
            crossings: vec![
                Crossing { level: Level::Watch, threshold: 0.35, index: Some(1) },
                Crossing { level: Level::Alert, threshold: 0.6, index: Some(2) },
                Crossing { level: Level::Critical, threshold: 0.85, index: None },
            ],
            max_risk: Some(0.7),
            suspect: Some("u_a".into()),
            messages,
        }
    }

    #[test]
    fn top_stage_picks_the_highest_probability() {
        let mut s = [0.05; NUM_STAGES];
        s[Stage::Meeting.index()] = 0.8;
        assert_eq!(top_stage(&s), (Some(Stage::Meeting), 0.8));
        s[Stage::Meeting.index()] = 0.09;
        assert_eq!(top_stage(&s), (None, 0.09), "below the floor no stage is named");
    }

    #[test]
    fn text_names_crossings_events_and_the_suspect() {
        let text = render_text(&timeline());
        assert!(text.contains("watch (0.35) at #1, alert (0.60) at #2, critical (0.85) never"), "{text}");
        assert!(text.contains("events: #2 alert"), "{text}");
        assert!(text.contains("suspect after the last message: u_a"), "{text}");
        assert!(text.contains("labelled grooming: onset #1"), "{text}");
        assert!(text.lines().any(|l| l.contains("c<1>:2") && l.contains("secrecy") && l.contains("0.900")), "{text}");
    }

    #[test]
    fn html_is_self_contained_escaped_and_has_text_only_with_excerpts() {
        let mut t = timeline();
        let page = render_html(&t);
        assert!(page.contains("<svg") && page.matches("<svg").count() == 2, "a risk curve and a heat map");
        assert!(page.contains("c&lt;1&gt;:2") && !page.contains("c<1>:2"), "ids are escaped");
        // Nothing loaded from anywhere: the only URL is the SVG namespace.
        let without_ns = page.replace("http://www.w3.org/2000/svg", "");
        assert!(!without_ns.contains("http:") && !without_ns.contains("https:") && !without_ns.contains("<script"));
        assert!(!page.contains(">excerpt</th>"));
        assert!(page.contains("--excerpts"));
        // One heat-map cell per stage and message, coloured by score.
        assert_eq!(page.matches("stroke=\"#f0f0f0\"").count(), NUM_STAGES * t.messages.len());
        assert!(page.contains(&heat(0.9)));

        t.messages[2].excerpt = Some("jangan bilang <siapa2>".into());
        let page = render_html(&t);
        assert!(page.contains(">excerpt</th>") && page.contains("jangan bilang &lt;siapa2&gt;"));
    }

    #[test]
    fn heat_runs_from_white_to_red_and_survives_nan() {
        assert_eq!(heat(0.0), "#ffffff");
        assert_eq!(heat(1.0), "#a50f15");
        assert_eq!(heat(f32::NAN), "#ffffff");
        assert_eq!(heat(7.0), heat(1.0));
    }

    #[test]
    fn index_ticks_stay_readable_for_long_conversations() {
        assert_eq!(index_ticks(5).len(), 5);
        for n in [1usize, 13, 60, 240, 999] {
            let ticks = index_ticks(n);
            assert!(!ticks.is_empty() && ticks.len() <= 13, "{n}: {}", ticks.len());
            assert!(ticks.iter().all(|(f, _)| (0.0..=1.0).contains(f)));
        }
    }
}
