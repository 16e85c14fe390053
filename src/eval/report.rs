//! The HTML report of an evaluation: one self-contained file a reviewer can open anywhere.
//!
//! Inline SVG and CSS only, no scripts and no fonts or styles from the network, so it can be
//! attached to a ticket or opened offline. Every piece of text that comes from data (message text,
//! conversation ids, model and profile names) is HTML-escaped: chat text is untrusted input.

use super::driver::ConvResult;
use super::metrics::{metric_rows, num, pr_curve, EvalReport};
use super::EvalError;
use std::fmt::Write as _;
use std::path::Path;

/// Most conversations listed in each of the false-alarm and miss sections.
pub const MAX_LISTED: usize = 100;

const BLUE: &str = "#2f6fb0";
const ORANGE: &str = "#d9822b";
const RED: &str = "#c23b3b";
pub(crate) const GREY: &str = "#888";
pub(crate) const LEVEL_COLORS: [(&str, &str); 3] = [("watch", "#d4a017"), ("alert", ORANGE), ("critical", RED)];

/// Escapes text for HTML element content and attribute values.
pub fn escape_html(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
    out
}

/// Writes the report to `path`.
pub fn write_html_report(report: &EvalReport, results: &[ConvResult], path: &Path) -> Result<(), EvalError> {
    std::fs::write(path, render_html(report, results))
        .map_err(|source| EvalError::Io { path: path.to_path_buf(), source })
}

/// The report as one HTML document.
pub fn render_html(report: &EvalReport, results: &[ConvResult]) -> String {
    let mut h = String::new();
    let t = &report.thresholds;
    let _ = write!(
        h,
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <title>jaga evaluation report</title><style>{CSS}</style></head><body>\n\
         <h1>jaga evaluation report</h1>\n\
         <p class=\"meta\">model <code>{}</code> &middot; profile <code>{}</code> \
         (watch {:.3}, alert {:.3}, critical {:.3}) &middot; {} conversations ({} grooming, {} benign, \
         {} hard negatives) &middot; k<sub>half</sub> = {}</p>\n",
        escape_html(&report.model_version),
        escape_html(&report.profile),
        t.watch,
        t.alert,
        t.critical,
        report.overall.conversations,
        report.overall.grooming,
        report.overall.benign,
        report.overall.hard_negatives,
        report.k_half,
    );
    h.push_str(
        "<p class=\"note\">A conversation is <b>flagged</b> when an event of level alert or critical fired \
         (watch alone does not flag). Latency is counted in messages from the labelled onset to the \
         first alert (0 = at the onset, negative = before it). Undefined values are shown as &ldquo;-&rdquo;.</p>\n",
    );

    h.push_str("<section id=\"metrics\"><h2>Metrics overall and per language</h2>\n");
    h.push_str(&metrics_table(report));
    h.push_str("</section>\n");

    h.push_str("<div class=\"charts\">\n<section id=\"pr-curve\"><h2>Precision&ndash;recall curve</h2>\n");
    h.push_str(&pr_svg(report, results));
    h.push_str(
        "<p class=\"note\">Ranking by each conversation's highest risk; the step curve is the one whose \
         area is auc_pr (average precision). Dots: flagging at the profile's thresholds on that risk; \
         the ring is what the policy's alert events achieved.</p></section>\n",
    );

    h.push_str("<section id=\"latency\"><h2>Warning latency</h2>\n");
    h.push_str(&latency_svg(results));
    h.push_str("<p class=\"note\">Flagged grooming conversations: messages from onset to the first alert.</p></section>\n</div>\n");

    h.push_str("<section id=\"risk-distributions\"><h2>Risk score distributions</h2>\n<div class=\"charts\">\n");
    type Keep = fn(&ConvResult) -> bool;
    let groups: [(&str, &str, Keep); 3] = [
        ("Benign (not hard negative)", BLUE, |r| !r.is_grooming() && !r.hard_negative),
        ("Hard negatives", ORANGE, |r| !r.is_grooming() && r.hard_negative),
        ("Grooming", RED, |r| r.is_grooming()),
    ];
    for (title, color, keep) in &groups {
        let values: Vec<f64> = results.iter().filter(|r| keep(r)).map(|r| f64::from(r.max_risk)).collect();
        let _ = write!(h, "<div><h3>{title} ({})</h3>", values.len());
        h.push_str(&risk_histogram_svg(&values, color, report));
        h.push_str("</div>\n");
    }
    h.push_str("</div><p class=\"note\">Each conversation's highest risk; dashed lines are the profile's thresholds.</p></section>\n");

    h.push_str("<section id=\"stages\"><h2>Per stage</h2>\n");
    h.push_str(&stage_table(report));
    h.push_str(
        "<p class=\"note\">A stage is predicted when the final suspect's stage score reached 0.5 anywhere in \
         the conversation, flagged or not; compared with the conversation's stage labels.</p></section>\n",
    );

    let mut false_alarms: Vec<&ConvResult> = results.iter().filter(|r| !r.is_grooming() && r.flagged()).collect();
    let mut misses: Vec<&ConvResult> = results.iter().filter(|r| r.is_grooming() && !r.flagged()).collect();
    false_alarms.sort_by(|a, b| b.max_risk.total_cmp(&a.max_risk));
    misses.sort_by(|a, b| b.max_risk.total_cmp(&a.max_risk));
    h.push_str(&conversation_list(
        "false-alarms",
        "False alarms",
        "benign conversations that were flagged, highest risk first, with the evidence at the first alert",
        &false_alarms,
    ));
    h.push_str(&conversation_list(
        "misses",
        "Misses",
        "grooming conversations that were never flagged, highest risk first, with the evidence at their highest risk",
        &misses,
    ));
    h.push_str("</body></html>\n");
    h
}

pub(crate) const CSS: &str = "body{font-family:system-ui,-apple-system,'Segoe UI',Roboto,sans-serif;margin:24px 32px;color:#222;\
max-width:1200px}h1{margin:0 0 6px}h2{margin:28px 0 8px;font-size:1.25em;border-bottom:1px solid #ddd;padding-bottom:4px}\
h3{margin:8px 0 4px;font-size:1em}.meta{color:#444}.note{color:#666;font-size:.88em;max-width:900px}\
table{border-collapse:collapse;font-size:.9em}th,td{padding:3px 10px;border-bottom:1px solid #eee;text-align:right}\
th:first-child,td:first-child{text-align:left}thead th{border-bottom:2px solid #ccc}\
.charts{display:flex;flex-wrap:wrap;gap:24px}.charts section{flex:1 1 520px}\
svg text{font-size:11px;fill:#333}.conv{border:1px solid #e3e3e3;border-radius:6px;padding:8px 12px;margin:8px 0}\
.conv .head{font-weight:600}.conv .sub{color:#666;font-size:.88em}.ev{margin:4px 0 0 12px;font-size:.9em}\
.ev .stage{display:inline-block;min-width:120px;color:#555}.ev .text{white-space:pre-wrap;background:#f7f7f7;\
padding:1px 4px;border-radius:3px}code{background:#f3f3f3;padding:0 3px;border-radius:3px}";

fn metrics_table(report: &EvalReport) -> String {
    let mut cols = vec![("overall", &report.overall)];
    cols.extend(report.by_language.iter().map(|(l, m)| (l.as_str(), m)));
    let mut h = String::from("<table><thead><tr><th>metric</th>");
    for (name, _) in &cols {
        let _ = write!(h, "<th>{name}</th>");
    }
    h.push_str("</tr></thead><tbody>\n");
    for (label, f) in metric_rows() {
        let _ = write!(h, "<tr><td>{}</td>", escape_html(label.trim_start()));
        for (_, m) in &cols {
            let _ = write!(h, "<td>{}</td>", f(m));
        }
        h.push_str("</tr>\n");
    }
    h.push_str("</tbody></table>\n");
    h
}

fn stage_table(report: &EvalReport) -> String {
    let mut h = String::from(
        "<table><thead><tr><th>stage</th><th>support</th><th>predicted</th><th>precision</th><th>recall</th><th>f1</th></tr></thead><tbody>\n",
    );
    for (stage, m) in &report.by_stage {
        let _ = writeln!(
            h,
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            stage.as_str(),
            m.support,
            m.predicted,
            num(m.precision, 3),
            num(m.recall, 3),
            num(m.f1, 3)
        );
    }
    h.push_str("</tbody></table>\n");
    h
}

/// Plot area of every chart (also used by `jaga explain`).
pub(crate) struct Frame {
    pub w: f64,
    pub h: f64,
    pub left: f64,
    pub right: f64,
    pub top: f64,
    pub bottom: f64,
}

impl Frame {
    pub fn x(&self, fx: f64) -> f64 {
        self.left + fx.clamp(0.0, 1.0) * (self.w - self.left - self.right)
    }
    pub fn y(&self, fy: f64) -> f64 {
        self.h - self.bottom - fy.clamp(0.0, 1.0) * (self.h - self.top - self.bottom)
    }
    pub fn open(&self, label: &str) -> String {
        format!(
            "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{w}\" height=\"{h}\" viewBox=\"0 0 {w} {h}\" role=\"img\" aria-label=\"{label}\">\
             <rect x=\"0\" y=\"0\" width=\"{w}\" height=\"{h}\" fill=\"#fff\"/>",
            w = self.w,
            h = self.h,
            label = escape_html(label)
        )
    }
    /// Axes with ticks at the given fractions and labels.
    pub fn axes(&self, xticks: &[(f64, String)], yticks: &[(f64, String)], xlabel: &str, ylabel: &str) -> String {
        let mut s = String::new();
        let (x0, x1, y0, y1) = (self.x(0.0), self.x(1.0), self.y(0.0), self.y(1.0));
        for (f, label) in yticks {
            let y = self.y(*f);
            let _ = write!(
                s,
                "<line x1=\"{x0}\" y1=\"{y:.1}\" x2=\"{x1}\" y2=\"{y:.1}\" stroke=\"#eee\"/>\
                 <text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"end\">{}</text>",
                x0 - 6.0,
                y + 4.0,
                escape_html(label)
            );
        }
        for (f, label) in xticks {
            let x = self.x(*f);
            let _ = write!(
                s,
                "<line x1=\"{x:.1}\" y1=\"{y0}\" x2=\"{x:.1}\" y2=\"{:.1}\" stroke=\"#999\"/>\
                 <text x=\"{x:.1}\" y=\"{:.1}\" text-anchor=\"middle\">{}</text>",
                y0 + 4.0,
                y0 + 16.0,
                escape_html(label)
            );
        }
        let _ = write!(
            s,
            "<line x1=\"{x0}\" y1=\"{y0}\" x2=\"{x1}\" y2=\"{y0}\" stroke=\"#666\"/>\
             <line x1=\"{x0}\" y1=\"{y0}\" x2=\"{x0}\" y2=\"{y1}\" stroke=\"#666\"/>\
             <text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"middle\">{}</text>\
             <text transform=\"translate(12 {:.1}) rotate(-90)\" text-anchor=\"middle\">{}</text>",
            (x0 + x1) / 2.0,
            self.h - 6.0,
            escape_html(xlabel),
            (y0 + y1) / 2.0,
            escape_html(ylabel)
        );
        s
    }
}

pub(crate) fn unit_ticks() -> Vec<(f64, String)> {
    (0..=4).map(|i| (i as f64 / 4.0, format!("{:.2}", i as f64 / 4.0))).collect()
}

fn pr_svg(report: &EvalReport, results: &[ConvResult]) -> String {
    let f = Frame { w: 560.0, h: 380.0, left: 52.0, right: 110.0, top: 14.0, bottom: 40.0 };
    let mut s = f.open("precision-recall curve");
    s.push_str(&f.axes(&unit_ticks(), &unit_ticks(), "recall", "precision"));
    let scored: Vec<(f32, bool)> = results.iter().map(|r| (r.max_risk, r.is_grooming())).collect();
    let positives = scored.iter().filter(|p| p.1).count();
    if positives == 0 || scored.is_empty() {
        let _ = write!(
            s,
            "<text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"middle\">no grooming conversations: no curve</text></svg>",
            f.x(0.5),
            f.y(0.5)
        );
        return s;
    }
    let prevalence = positives as f64 / scored.len() as f64;
    let _ = write!(
        s,
        "<line x1=\"{:.1}\" y1=\"{y:.1}\" x2=\"{:.1}\" y2=\"{y:.1}\" stroke=\"{GREY}\" stroke-dasharray=\"4 4\"/>\
         <text x=\"{:.1}\" y=\"{:.1}\">chance ({prevalence:.2})</text>",
        f.x(0.0),
        f.x(1.0),
        f.x(1.0) + 4.0,
        f.y(prevalence) + 4.0,
        y = f.y(prevalence)
    );
    let curve = pr_curve(&scored);
    let mut d = String::new();
    let mut prev_recall = 0.0;
    for (i, (_, p, r)) in curve.iter().enumerate() {
        let cmd = if i == 0 { 'M' } else { 'L' };
        let _ = write!(d, "{cmd}{:.1},{:.1} L{:.1},{:.1} ", f.x(prev_recall), f.y(*p), f.x(*r), f.y(*p));
        prev_recall = *r;
    }
    let _ = write!(s, "<path d=\"{d}\" fill=\"none\" stroke=\"{BLUE}\" stroke-width=\"2\"/>");
    let t = &report.thresholds;
    for ((name, color), threshold) in LEVEL_COLORS.iter().zip([t.watch, t.alert, t.critical]) {
        let flagged: Vec<bool> = scored.iter().filter(|(r, _)| *r >= threshold).map(|p| p.1).collect();
        let tp = flagged.iter().filter(|g| **g).count();
        let recall = tp as f64 / positives as f64;
        let precision = if flagged.is_empty() { 1.0 } else { tp as f64 / flagged.len() as f64 };
        let (x, y) = (f.x(recall), f.y(precision));
        let _ = write!(
            s,
            "<circle cx=\"{x:.1}\" cy=\"{y:.1}\" r=\"6\" fill=\"{color}\" stroke=\"#fff\" stroke-width=\"1.5\">\
             <title>{name} {threshold:.3}: precision {precision:.3}, recall {recall:.3}</title></circle>"
        );
    }
    if let (Some(p), Some(r)) = (report.overall.precision, report.overall.recall) {
        let _ = write!(
            s,
            "<circle cx=\"{:.1}\" cy=\"{:.1}\" r=\"9\" fill=\"none\" stroke=\"#222\" stroke-width=\"2\">\
             <title>policy events: precision {p:.3}, recall {r:.3}</title></circle>",
            f.x(r),
            f.y(p)
        );
    }
    // Legend to the right of the plot.
    let lx = f.w - f.right + 14.0;
    let mut ly = f.top + 10.0;
    for ((name, color), threshold) in LEVEL_COLORS.iter().zip([t.watch, t.alert, t.critical]) {
        let _ = write!(
            s,
            "<circle cx=\"{lx}\" cy=\"{ly}\" r=\"5\" fill=\"{color}\"/><text x=\"{}\" y=\"{}\">{name} {threshold:.2}</text>",
            lx + 9.0,
            ly + 4.0
        );
        ly += 18.0;
    }
    let _ = write!(
        s,
        "<circle cx=\"{lx}\" cy=\"{ly}\" r=\"6\" fill=\"none\" stroke=\"#222\" stroke-width=\"2\"/>\
         <text x=\"{}\" y=\"{}\">policy events</text><line x1=\"{}\" y1=\"{}\" x2=\"{}\" y2=\"{}\" stroke=\"{BLUE}\" stroke-width=\"2\"/>\
         <text x=\"{}\" y=\"{}\">max risk</text></svg>",
        lx + 9.0,
        ly + 4.0,
        lx - 6.0,
        ly + 18.0,
        lx + 6.0,
        ly + 18.0,
        lx + 9.0,
        ly + 22.0
    );
    s
}

/// Bars over a numeric domain `[lo, hi]` split into `counts.len()` equal bins.
fn bar_chart(
    counts: &[usize],
    (lo, hi): (f64, f64),
    xticks: &[(f64, String)],
    markers: &[(f64, &str, &str)],
    color: &str,
    xlabel: &str,
    size: (f64, f64),
) -> String {
    let f = Frame { w: size.0, h: size.1, left: 44.0, right: 12.0, top: 16.0, bottom: 38.0 };
    let max = counts.iter().copied().max().unwrap_or(0).max(1);
    let frac = |v: f64| (v - lo) / (hi - lo);
    let step = (max as f64 / 4.0).ceil().max(1.0) as usize;
    let top = step * 4;
    let yticks: Vec<(f64, String)> =
        (0..=4).map(|i| ((i * step) as f64 / top as f64, (i * step).to_string())).collect();
    let xt: Vec<(f64, String)> = xticks.iter().map(|(v, l)| (frac(*v), l.clone())).collect();
    let mut s = f.open(xlabel);
    s.push_str(&f.axes(&xt, &yticks, xlabel, "conversations"));
    let n = counts.len().max(1) as f64;
    for (i, &c) in counts.iter().enumerate() {
        if c == 0 {
            continue;
        }
        let (x0, x1) = (f.x(i as f64 / n), f.x((i + 1) as f64 / n));
        let (y, y0) = (f.y(c as f64 / top as f64), f.y(0.0));
        let _ = write!(
            s,
            "<rect x=\"{:.1}\" y=\"{y:.1}\" width=\"{:.1}\" height=\"{:.1}\" fill=\"{color}\" opacity=\"0.85\"><title>{c}</title></rect>",
            x0 + 0.5,
            (x1 - x0 - 1.0).max(0.5),
            y0 - y
        );
    }
    for (v, label, mcolor) in markers {
        let x = f.x(frac(*v));
        let _ = write!(
            s,
            "<line x1=\"{x:.1}\" y1=\"{:.1}\" x2=\"{x:.1}\" y2=\"{:.1}\" stroke=\"{mcolor}\" stroke-dasharray=\"5 3\" stroke-width=\"1.5\"/>\
             <text x=\"{:.1}\" y=\"{:.1}\" fill=\"{mcolor}\">{}</text>",
            f.y(0.0),
            f.y(1.0) - 4.0,
            x + 3.0,
            f.y(1.0) + 6.0,
            escape_html(label)
        );
    }
    s.push_str("</svg>");
    s
}

fn risk_histogram_svg(values: &[f64], color: &str, report: &EvalReport) -> String {
    const BINS: usize = 20;
    let mut counts = [0usize; BINS];
    for v in values {
        counts[((v.clamp(0.0, 1.0) * BINS as f64) as usize).min(BINS - 1)] += 1;
    }
    let t = &report.thresholds;
    let markers: Vec<(f64, &str, &str)> = LEVEL_COLORS
        .iter()
        .zip([t.watch, t.alert, t.critical])
        .map(|((name, c), v)| (f64::from(v), &name[..1], *c))
        .collect();
    let ticks: Vec<(f64, String)> = unit_ticks();
    bar_chart(&counts, (0.0, 1.0), &ticks, &markers, color, "max risk", (380.0, 220.0))
}

fn latency_svg(results: &[ConvResult]) -> String {
    const LO: i64 = -20;
    const HI: i64 = 40;
    let latencies: Vec<i64> = results.iter().filter_map(|r| r.latency()).map(|l| l.clamp(LO, HI)).collect();
    let (lo, hi) = match (latencies.iter().min(), latencies.iter().max()) {
        (Some(&a), Some(&b)) => (a.min(0), b.max(1)),
        _ => (0, 10),
    };
    let counts: Vec<usize> = (lo..=hi).map(|v| latencies.iter().filter(|&&l| l == v).count()).collect();
    let span = hi - lo;
    let every = (span / 8).max(1);
    let ticks: Vec<(f64, String)> = (lo..=hi)
        .filter(|v| (v - lo) % every == 0 || *v == 0)
        .map(|v| {
            let label = match v {
                LO => format!("≤{LO}"),
                HI => format!("≥{HI}"),
                _ => v.to_string(),
            };
            (v as f64 + 0.5, label)
        })
        .collect();
    let onset = [(0.0, "onset", GREY)];
    let mut s = bar_chart(
        &counts,
        (lo as f64, (hi + 1) as f64),
        &ticks,
        &onset,
        BLUE,
        "messages from onset to first alert",
        (560.0, 380.0),
    );
    if latencies.is_empty() {
        s = s.replace(
            "</svg>",
            "<text x=\"280\" y=\"180\" text-anchor=\"middle\">no flagged grooming conversation</text></svg>",
        );
    }
    s
}

fn conversation_list(id: &str, title: &str, what: &str, convs: &[&ConvResult]) -> String {
    let mut h = format!("<section id=\"{id}\"><h2>{title} ({})</h2><p class=\"note\">{what}.</p>\n", convs.len());
    if convs.is_empty() {
        h.push_str("<p>None.</p>\n");
    }
    for r in convs.iter().take(MAX_LISTED) {
        let alert = match r.events.iter().find(|e| e.level >= crate::event::Level::Alert) {
            Some(e) => format!("first {} at message {}", e.level, e.index),
            None => "no alert".to_string(),
        };
        let onset = r.onset.map(|o| format!(" &middot; onset {o}")).unwrap_or_default();
        let hard = if r.hard_negative { " &middot; hard negative" } else { "" };
        let _ = write!(
            h,
            "<div class=\"conv\"><div class=\"head\">{}</div><div class=\"sub\">{} &middot; {} messages &middot; max risk {:.3} &middot; {}{}{}</div>",
            escape_html(&r.id),
            r.language.as_str(),
            r.risk.len(),
            r.max_risk,
            alert,
            onset,
            hard
        );
        if r.evidence.is_empty() {
            h.push_str("<div class=\"ev\">no evidence message</div>");
        }
        for e in &r.evidence {
            let _ = write!(
                h,
                "<div class=\"ev\"><span class=\"stage\">#{} {} {:.2}</span> <span class=\"text\">{}</span></div>",
                e.index,
                e.stage.as_str(),
                e.score,
                escape_html(&e.text)
            );
        }
        h.push_str("</div>\n");
    }
    if convs.len() > MAX_LISTED {
        let _ = writeln!(h, "<p class=\"note\">&hellip; and {} more.</p>", convs.len() - MAX_LISTED);
    }
    h.push_str("</section>\n");
    h
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::dataset::Language;
    use crate::eval::driver::EvidenceItem;
    use crate::eval::metrics::tests::{profile, result};
    use crate::eval::metrics::DEFAULT_K_HALF;
    use crate::event::Stage;

    /// A varied, harmless set of results for rendering.
    pub(crate) fn sample() -> Vec<ConvResult> {
        let mut rs = Vec::new();
        for i in 0..40 {
            let grooming = i % 2 == 0;
            let risk = ((i * 37) % 100) as f32 / 100.0;
            let risk = if grooming { (risk + 0.4).min(0.99) } else { risk * 0.7 };
            let alert = (risk >= 0.6).then_some(2 + (i % 9));
            let mut r = result(&format!("conv-{i:03}"), grooming, risk, alert);
            r.language = Language::ALL[i % 3];
            r.hard_negative = !grooming && i % 4 == 1;
            r.stages = if grooming { vec![Stage::Secrecy, Stage::GiftsMoney] } else { Vec::new() };
            r.stage_max.insert(Stage::Secrecy, risk);
            r.evidence = vec![EvidenceItem {
                index: 3,
                stage: Stage::Secrecy,
                score: risk,
                text: "let's keep this between us, ok?".into(),
            }];
            rs.push(r);
        }
        rs
    }

    #[test]
    fn report_has_every_section_and_escapes_message_text() {
        let mut rs = sample();
        // A benign conversation that alerted, with hostile text in its evidence.
        let fa = rs.iter_mut().find(|r| !r.is_grooming() && r.flagged()).unwrap();
        fa.evidence[0].text = "<script>alert(1)</script> & \"quotes\"".into();
        fa.id = "<b>id</b>".into();
        let report = EvalReport::compute(&rs, &profile(), "model <v1>", DEFAULT_K_HALF).unwrap();
        let html = render_html(&report, &rs);
        for id in ["metrics", "pr-curve", "latency", "risk-distributions", "stages", "false-alarms", "misses"] {
            assert!(html.contains(&format!("<section id=\"{id}\">")), "missing section {id}");
        }
        assert!(!html.contains("<script"), "no script element, escaped or from the network");
        assert!(html.contains("&lt;script&gt;alert(1)&lt;/script&gt; &amp; &quot;quotes&quot;"));
        assert!(html.contains("&lt;b&gt;id&lt;/b&gt;") && html.contains("model &lt;v1&gt;"));
        // The only URLs are the SVG namespace names: nothing is loaded from the network.
        assert_eq!(html.matches("http").count(), html.matches("xmlns=\"http://www.w3.org/2000/svg\"").count());
        assert_eq!(html.matches("<svg").count(), 5, "PR curve, latency and three risk histograms");
        for level in ["watch", "alert", "critical"] {
            assert!(html.contains(&format!("<title>{level} ")), "threshold point {level} on the PR curve");
        }
        assert!(html.contains("Hard negatives") && html.contains("age_probing") && html.contains("mixed"));

        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("r.html");
        write_html_report(&report, &rs, &path).unwrap();
        assert_eq!(std::fs::read_to_string(&path).unwrap(), html);
        assert!(write_html_report(&report, &rs, &dir.path().join("missing/r.html")).is_err());
    }

    #[test]
    fn renders_without_grooming_or_alerts() {
        let rs = vec![result("b", false, 0.2, None)];
        let report = EvalReport::compute(&rs, &profile(), "m", DEFAULT_K_HALF).unwrap();
        let html = render_html(&report, &rs);
        assert!(html.contains("no grooming conversations") && html.contains("no flagged grooming conversation"));
        assert!(!html.contains("NaN"));
    }
}
