//! Charts drawn on the server as inline SVG, from plain data: horizontal
//! bars (a funnel, progress), columns (a histogram) and bars either side
//! of zero (how far each of several things stands above or below a
//! middle).
//!
//! Every chart is an `<svg role="img">` named by its own `<title>` and
//! described by its `<desc>`, with a `viewBox` and `width="100%"` so it
//! shrinks to a 360 px phone. Each bar carries its figure in text beside
//! it, so no meaning rests on colour; the page shows the same figures as a
//! table too. Colours are classes styled in `static/portal.css` (the
//! content security policy forbids inline styles), with presentation
//! attributes as a fallback.
//!
//! Every label and title is escaped here: the markup this module returns
//! is the one thing a template may show unescaped. Pure string building:
//! imports nothing from rocket, sqlx or the rest of the web layer.

use std::fmt::Write as _;

use serde::Serialize;

/// The drawing's width in `viewBox` units; the page scales it to fit.
const WIDTH: f64 = 480.0;
/// Units kept at the end of each bar for its figure.
const FIGURE_ROOM: f64 = 64.0;
/// Labels longer than this many characters are cut (the table has them whole).
const LABEL_CHARS: usize = 46;
/// The bar colour (the site's accent, 7.6:1 on white).
const FILL: &str = "#0b5d4b";
/// The colour of bars below zero (8.1:1 on white), shown on the other side of the axis too.
const FILL_BELOW: &str = "#7a3e00";
/// Text and axis colour.
const INK: &str = "#1b1b1b";

/// One bar: what it stands for, its value, and the value as shown.
#[derive(Debug, Clone, PartialEq)]
pub struct Bar {
    /// What the bar stands for, as plain text (escaped here).
    pub label: String,
    /// Its length in the chart's units.
    pub value: f64,
    /// The figure written beside it ("12", "+0.4").
    pub shown: String,
}

impl Bar {
    /// A bar of a count, shown as the whole number.
    pub fn count(label: impl Into<String>, value: i64) -> Self {
        Self {
            label: label.into(),
            value: value as f64,
            shown: value.to_string(),
        }
    }
}

/// A chart as a page shows it: an id for its parts, its title, a summary
/// in words, and the SVG markup.
#[derive(Debug, Clone, Serialize)]
pub struct Chart {
    /// The prefix of the element ids (`<id>-title`, `<id>-desc`).
    pub id: String,
    /// What the chart shows.
    pub title: String,
    /// What it shows, in a sentence or two.
    pub summary: String,
    /// The `<svg>` element, every text in it escaped.
    pub svg: String,
}

/// Escapes text for SVG (XML) content and attribute values.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for ch in text.chars() {
        match ch {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c if c.is_control() => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

/// `text` cut to [`LABEL_CHARS`] characters, with an ellipsis when cut.
fn cut(text: &str) -> String {
    if text.chars().count() <= LABEL_CHARS {
        text.to_owned()
    } else {
        let mut s: String = text.chars().take(LABEL_CHARS - 1).collect();
        s.push('…');
        s
    }
}

/// A number for an SVG attribute: at most one decimal, no `-0`.
fn n(v: f64) -> String {
    let r = (v * 10.0).round() / 10.0;
    if r == 0.0 {
        "0".to_owned()
    } else {
        format!("{r}")
    }
}

/// The opening `<svg>` with its title and description.
fn open(id: &str, title: &str, summary: &str, height: f64) -> String {
    let id = escape(id);
    format!(
        "<svg class=\"chart__svg\" role=\"img\" aria-labelledby=\"{id}-title\" \
         aria-describedby=\"{id}-desc\" viewBox=\"0 0 {w} {h}\" width=\"100%\" \
         preserveAspectRatio=\"xMinYMin meet\" focusable=\"false\">\
         <title id=\"{id}-title\">{title}</title><desc id=\"{id}-desc\">{summary}</desc>",
        w = n(WIDTH),
        h = n(height),
        title = escape(title),
        summary = escape(summary),
    )
}

/// A line of text at (`x`, `y`); `anchor` is `start`, `middle` or `end`.
fn text(svg: &mut String, x: f64, y: f64, anchor: &str, class: &str, content: &str) {
    let _ = write!(
        svg,
        "<text x=\"{}\" y=\"{}\" text-anchor=\"{anchor}\" class=\"{class}\" fill=\"{INK}\">{}</text>",
        n(x),
        n(y),
        escape(content)
    );
}

/// A rectangle; bars of no length are left out.
fn rect(svg: &mut String, x: f64, y: f64, w: f64, h: f64, class: &str, fill: &str) {
    if w <= 0.0 || h <= 0.0 {
        return;
    }
    let _ = write!(
        svg,
        "<rect x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" class=\"{class}\" fill=\"{fill}\"/>",
        n(x),
        n(y),
        n(w),
        n(h)
    );
}

/// A line from (`x1`, `y1`) to (`x2`, `y2`).
fn line(svg: &mut String, x1: f64, y1: f64, x2: f64, y2: f64) {
    let _ = write!(
        svg,
        "<line x1=\"{}\" y1=\"{}\" x2=\"{}\" y2=\"{}\" stroke=\"{INK}\" stroke-width=\"1\" class=\"chart__axis\"/>",
        n(x1),
        n(y1),
        n(x2),
        n(y2)
    );
}

/// The largest value, or 0 for no bars or only non-positive values.
fn largest(values: impl Iterator<Item = f64>) -> f64 {
    values.filter(|v| v.is_finite()).fold(0.0, f64::max)
}

/// Height of one row of a bar chart: its label line, then its bar.
const ROW: f64 = 46.0;
/// Thickness of a bar.
const BAR: f64 = 18.0;

/// Horizontal bars, one row each (the label above its bar, the figure at
/// its end), scaled so the longest bar fills the width; with no bar above
/// zero every bar is empty and the figures still read.
pub fn horizontal_bars(id: &str, title: &str, summary: &str, bars: &[Bar]) -> Chart {
    let height = (bars.len().max(1) as f64) * ROW + 4.0;
    let mut svg = open(id, title, summary, height);
    let max = largest(bars.iter().map(|b| b.value));
    let room = WIDTH - FIGURE_ROOM;
    for (i, b) in bars.iter().enumerate() {
        let top = i as f64 * ROW;
        text(
            &mut svg,
            0.0,
            top + 16.0,
            "start",
            "chart__label",
            &cut(&b.label),
        );
        let w = if max > 0.0 && b.value.is_finite() {
            (b.value.max(0.0) / max * room).max(0.0)
        } else {
            0.0
        };
        rect(&mut svg, 0.0, top + 22.0, w, BAR, "chart__bar", FILL);
        text(
            &mut svg,
            w + 6.0,
            top + 36.0,
            "start",
            "chart__figure",
            &b.shown,
        );
    }
    close(
        id,
        title,
        summary,
        svg,
        bars.is_empty().then_some((0.0, 28.0)),
    )
}

/// Bars either side of a zero line in the middle: a bar to the right for a
/// value above zero, to the left for one below, each with its signed
/// figure at its outer end and its label above, scaled so the largest
/// distance from zero fills half the room.
pub fn diverging_bars(id: &str, title: &str, summary: &str, bars: &[Bar]) -> Chart {
    let height = (bars.len().max(1) as f64) * ROW + 4.0;
    let mut svg = open(id, title, summary, height);
    let max = largest(bars.iter().map(|b| b.value.abs()));
    let mid = WIDTH / 2.0;
    let half = mid - FIGURE_ROOM;
    line(&mut svg, mid, 18.0, mid, height);
    for (i, b) in bars.iter().enumerate() {
        let top = i as f64 * ROW;
        text(
            &mut svg,
            0.0,
            top + 16.0,
            "start",
            "chart__label",
            &cut(&b.label),
        );
        let w = if max > 0.0 && b.value.is_finite() {
            b.value.abs() / max * half
        } else {
            0.0
        };
        if b.value < 0.0 {
            rect(
                &mut svg,
                mid - w,
                top + 22.0,
                w,
                BAR,
                "chart__bar chart__bar--below",
                FILL_BELOW,
            );
            text(
                &mut svg,
                mid - w - 6.0,
                top + 36.0,
                "end",
                "chart__figure",
                &b.shown,
            );
        } else {
            rect(&mut svg, mid, top + 22.0, w, BAR, "chart__bar", FILL);
            text(
                &mut svg,
                mid + w + 6.0,
                top + 36.0,
                "start",
                "chart__figure",
                &b.shown,
            );
        }
    }
    close(
        id,
        title,
        summary,
        svg,
        bars.is_empty().then_some((0.0, 28.0)),
    )
}

/// One column of a histogram: the values from `from` up to `to`, and how
/// many fell there.
#[derive(Debug, Clone, PartialEq)]
pub struct Bin {
    /// Where it starts (shown under its left edge).
    pub from: f64,
    /// Where it ends (shown under the last column's right edge).
    pub to: f64,
    /// How many values it holds.
    pub count: i64,
}

/// Height of the columns' drawing area.
const PLOT: f64 = 180.0;

/// Columns side by side, one per bin, their counts above them and the bin
/// edges below, scaled so the tallest column fills the height.
pub fn histogram(id: &str, title: &str, summary: &str, bins: &[Bin]) -> Chart {
    let top = 22.0;
    let base = top + PLOT;
    let height = base + 26.0;
    let mut svg = open(id, title, summary, height);
    let max = largest(bins.iter().map(|b| b.count as f64));
    let left = 12.0;
    let room = WIDTH - 2.0 * left;
    let step = room / bins.len().max(1) as f64;
    for (i, b) in bins.iter().enumerate() {
        let x = left + i as f64 * step;
        let h = if max > 0.0 {
            b.count.max(0) as f64 / max * PLOT
        } else {
            0.0
        };
        rect(
            &mut svg,
            x + 1.0,
            base - h,
            step - 2.0,
            h,
            "chart__bar",
            FILL,
        );
        let label = b.count.to_string();
        text(
            &mut svg,
            x + step / 2.0,
            base - h - 5.0,
            "middle",
            "chart__figure",
            &label,
        );
        text(
            &mut svg,
            x,
            base + 18.0,
            "middle",
            "chart__tick",
            &edge(b.from),
        );
        if i + 1 == bins.len() {
            text(
                &mut svg,
                x + step,
                base + 18.0,
                "middle",
                "chart__tick",
                &edge(b.to),
            );
        }
    }
    line(&mut svg, left, base, WIDTH - left, base);
    close(
        id,
        title,
        summary,
        svg,
        bins.is_empty().then_some((left, base - 8.0)),
    )
}

/// A bin edge as written under the axis: whole numbers without decimals.
fn edge(v: f64) -> String {
    if (v - v.round()).abs() < 1e-9 {
        format!("{}", v.round() as i64)
    } else {
        format!("{v:.1}")
    }
}

/// Ends a chart's drawing: "Nothing to show yet" at `empty_at` when there
/// was nothing to draw, then the closing tag.
fn close(
    id: &str,
    title: &str,
    summary: &str,
    mut svg: String,
    empty_at: Option<(f64, f64)>,
) -> Chart {
    if let Some((x, y)) = empty_at {
        text(
            &mut svg,
            x,
            y,
            "start",
            "chart__label",
            "Nothing to show yet",
        );
    }
    svg.push_str("</svg>");
    Chart {
        id: id.to_owned(),
        title: title.to_owned(),
        summary: summary.to_owned(),
        svg,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rects(svg: &str) -> Vec<(f64, f64)> {
        // (x, width) of every bar
        svg.split("<rect ")
            .skip(1)
            .map(|r| {
                let r = &r[..r.find("/>").unwrap()];
                let attr = |name: &str| -> f64 {
                    let at = r
                        .find(&format!(" {name}=\""))
                        .or_else(|| r.starts_with(&format!("{name}=\"")).then_some(0));
                    let s = &r[at.unwrap()..];
                    let s = &s[s.find('"').unwrap() + 1..];
                    s[..s.find('"').unwrap()].parse().unwrap()
                };
                (attr("x"), attr("width"))
            })
            .collect()
    }

    #[test]
    fn labels_and_titles_are_escaped() {
        let c = horizontal_bars(
            "c",
            "A <b> & \"c\"",
            "it's <here>",
            &[Bar::count("<script>alert(1)</script> & 'x'", 3)],
        );
        assert!(!c.svg.contains("<script>"), "{}", c.svg);
        assert!(!c.svg.contains("<b>"));
        assert!(c
            .svg
            .contains("&lt;script&gt;alert(1)&lt;/script&gt; &amp; &#39;x&#39;"));
        assert!(c
            .svg
            .contains("<title id=\"c-title\">A &lt;b&gt; &amp; &quot;c&quot;</title>"));
        assert!(c
            .svg
            .contains("<desc id=\"c-desc\">it&#39;s &lt;here&gt;</desc>"));
        let d = diverging_bars("d\"><x", "t", "s", &[]);
        assert!(d.svg.contains("aria-labelledby=\"d&quot;&gt;&lt;x-title\""));
    }

    fn tens(counts: &[i64]) -> Vec<Bin> {
        counts
            .iter()
            .enumerate()
            .map(|(i, c)| Bin {
                from: i as f64 * 10.0,
                to: (i + 1) as f64 * 10.0,
                count: *c,
            })
            .collect()
    }

    #[test]
    fn a_chart_is_named_and_scales_to_its_box() {
        let c = histogram(
            "h",
            "Scores",
            "Most score near 60.",
            &tens(&[0, 0, 0, 0, 0, 1, 0, 0, 0, 0]),
        );
        assert!(c
            .svg
            .starts_with("<svg class=\"chart__svg\" role=\"img\" aria-labelledby=\"h-title\""));
        assert!(c.svg.contains("viewBox=\"0 0 480 "));
        assert!(c.svg.contains("width=\"100%\""));
        assert!(c.svg.ends_with("</svg>"));
        assert_eq!(c.svg.matches("<svg").count(), 1);
    }

    #[test]
    fn bars_scale_to_the_largest() {
        let c = horizontal_bars(
            "b",
            "t",
            "s",
            &[Bar::count("a", 10), Bar::count("b", 5), Bar::count("c", 0)],
        );
        let r = rects(&c.svg);
        assert_eq!(r.len(), 2, "a bar of nothing is not drawn");
        assert_eq!(r[0].1, WIDTH - FIGURE_ROOM);
        assert_eq!(r[1].1, (WIDTH - FIGURE_ROOM) / 2.0);
        assert!(c.svg.contains(">10</text>") && c.svg.contains(">0</text>"));
    }

    #[test]
    fn one_bar_fills_the_room() {
        let c = horizontal_bars("b", "t", "s", &[Bar::count("only", 1)]);
        assert_eq!(rects(&c.svg), vec![(0.0, WIDTH - FIGURE_ROOM)]);
        let h = histogram("h", "t", "s", &tens(&[1]));
        assert_eq!(rects(&h.svg).len(), 1);
        assert!(h.svg.contains("height=\"180\""), "{}", h.svg);
    }

    #[test]
    fn zero_data_draws_no_bar_and_says_so() {
        let c = horizontal_bars("b", "t", "s", &[Bar::count("a", 0), Bar::count("b", 0)]);
        assert!(rects(&c.svg).is_empty());
        assert!(c.svg.contains(">a</text>") && c.svg.contains(">0</text>"));
        let e = horizontal_bars("e", "t", "s", &[]);
        assert!(e.svg.contains("Nothing to show yet"));
        let h = histogram("h", "t", "s", &tens(&[0; 10]));
        assert!(rects(&h.svg).is_empty());
        assert_eq!(
            h.svg.matches(">0</text>").count(),
            11,
            "ten counts and the first edge"
        );
        let d = diverging_bars("d", "t", "s", &[]);
        assert!(d.svg.contains("Nothing to show yet") && !d.svg.contains("NaN"));
    }

    #[test]
    fn diverging_bars_stand_either_side_of_zero() {
        let bars = [
            Bar {
                label: "up".into(),
                value: 0.5,
                shown: "+0.5".into(),
            },
            Bar {
                label: "down".into(),
                value: -1.0,
                shown: "−1.0".into(),
            },
        ];
        let c = diverging_bars("l", "t", "s", &bars);
        let r = rects(&c.svg);
        let mid = WIDTH / 2.0;
        let half = mid - FIGURE_ROOM;
        assert_eq!(r[0], (mid, half / 2.0));
        assert_eq!(r[1], (mid - half, half));
        assert!(c.svg.contains("chart__bar--below"));
        assert!(c.svg.contains(">+0.5</text>") && c.svg.contains(">−1.0</text>"));
    }

    #[test]
    fn long_labels_are_cut() {
        let long = "x".repeat(100);
        let c = horizontal_bars("b", "t", "s", &[Bar::count(long.as_str(), 1)]);
        assert!(c.svg.contains(&format!("{}…", "x".repeat(LABEL_CHARS - 1))));
        assert!(!c.svg.contains(&long));
    }
}
