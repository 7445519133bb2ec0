//! HTML building blocks: escaping, safe links, times, badges and the page shell with its
//! inline stylesheet (light and dark, fluid, no external assets). Every text that came
//! from a feed goes through [`esc`]; only http(s) URLs ever become an `href`.

use chrono::{DateTime, Utc};
use std::fmt::Write;

/// Escapes text for HTML element content and quoted attribute values (`& < > " '`;
/// control characters dropped).
pub use crate::output::export::xml_escape as esc;

/// The URL as it may stand in an `href`: only absolute http(s) URLs, serialised by the
/// URL parser (so a browser reads the same scheme), else `None`.
#[must_use]
pub fn safe_href(raw: &str) -> Option<String> {
    let u = url::Url::parse(raw.trim()).ok()?;
    matches!(u.scheme(), "http" | "https").then(|| u.to_string())
}

/// A link to an outside page when `url` is http(s); otherwise the text alone.
#[must_use]
pub fn link(url: &str, text: &str) -> String {
    match safe_href(url) {
        Some(href) => format!(
            "<a href=\"{}\" rel=\"nofollow noopener noreferrer\">{}</a>",
            esc(&href),
            esc(text)
        ),
        None => format!("<span class=\"nolink\">{}</span>", esc(text)),
    }
}

/// A URL shown as a link to itself (or as text when it is not http(s)); it may break
/// anywhere, so a long URL does not widen its table column.
#[must_use]
pub fn url_link(url: &str) -> String {
    format!("<span class=\"url\">{}</span>", link(url, url))
}

/// A `<time>` element, UTC to the minute.
#[must_use]
pub fn time(t: DateTime<Utc>) -> String {
    format!(
        "<time datetime=\"{}\">{}</time>",
        t.to_rfc3339(),
        t.format("%Y-%m-%d %H:%M UTC")
    )
}

/// A `<time>` element without the zone (for table cells whose header says UTC).
#[must_use]
pub fn time_short(t: DateTime<Utc>) -> String {
    format!(
        "<time datetime=\"{}\">{}</time>",
        t.to_rfc3339(),
        t.format("%Y-%m-%d %H:%M")
    )
}

/// [`time`], or a dash.
#[must_use]
pub fn time_or_dash(t: Option<DateTime<Utc>>) -> String {
    t.map_or_else(|| "–".to_string(), time)
}

/// A delay such as `+3h 20m` or `−2d 1h` (the sign tells before or after the original).
#[must_use]
pub fn delay(secs: i64) -> String {
    let sign = if secs < 0 { "−" } else { "+" };
    let s = secs.unsigned_abs();
    let (d, h, m) = (s / 86_400, s % 86_400 / 3600, s % 3600 / 60);
    match (d, h) {
        (0, 0) => format!("{sign}{m}m"),
        (0, _) => format!("{sign}{h}h {m:02}m"),
        _ => format!("{sign}{d}d {h}h"),
    }
}

/// Languages as badges, each a link to the index filtered by it.
#[must_use]
pub fn lang_badges(langs: &[String]) -> String {
    let mut s = String::from("<span class=\"badges\">");
    for l in langs {
        let _ = write!(
            s,
            "<a class=\"badge\" href=\"/?lang={}\" lang=\"{}\">{}</a>",
            query_value(l),
            esc(l),
            esc(l)
        );
    }
    s.push_str("</span>");
    s
}

/// Percent-encodes a query parameter value (the result is also safe in an attribute).
#[must_use]
pub fn query_value(v: &str) -> String {
    url::form_urlencoded::byte_serialize(v.as_bytes()).collect()
}

/// A relation as a coloured label.
#[must_use]
pub fn relation(r: crate::domain::Relation) -> String {
    format!("<span class=\"rel {0}\">{0}</span>", r.as_str())
}

const CSS: &str = r#"
:root{--bg:#fdfdfc;--fg:#1d1f23;--muted:#5c6370;--line:#d8dbe0;--card:#f3f4f6;--accent:#0b57d0;
--original:#c2410c;--duplicate:#6b7280;--syndicated:#1d4ed8;--translation:#15803d;--credit:#7c3aed}
@media (prefers-color-scheme:dark){:root{--bg:#141518;--fg:#e7e8ea;--muted:#a3a8b2;--line:#363a42;
--card:#1f2126;--accent:#8ab4f8;--original:#fb923c;--duplicate:#9ca3af;--syndicated:#93b4ff;
--translation:#6ee7a0;--credit:#c4a5ff}}
*{box-sizing:border-box}
html{-webkit-text-size-adjust:100%}
body{margin:0 auto;max-width:74rem;padding:0 1rem 2rem;background:var(--bg);color:var(--fg);
font:16px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;overflow-wrap:break-word}
a{color:var(--accent)}
header{display:flex;flex-wrap:wrap;gap:.25rem 1rem;align-items:baseline;padding:.75rem 0;
border-bottom:1px solid var(--line);margin-bottom:1rem}
header .brand{font-weight:700;font-size:1.15rem;text-decoration:none;color:var(--fg)}
header nav{display:flex;flex-wrap:wrap;gap:.25rem .9rem}
h1{font-size:1.5rem;line-height:1.25;margin:.5rem 0}
h2{font-size:1.15rem;margin:1.5rem 0 .5rem}
.muted,.meta{color:var(--muted);font-size:.92rem}
.badges{display:inline-flex;flex-wrap:wrap;gap:.25rem}
.badge{display:inline-block;padding:0 .45rem;border:1px solid var(--line);border-radius:.6rem;
background:var(--card);color:var(--fg);font-size:.8rem;text-decoration:none;font-variant:all-small-caps}
.rel{font-weight:600;font-size:.9rem}
.rel.original{color:var(--original)}.rel.duplicate{color:var(--duplicate)}
.rel.syndicated{color:var(--syndicated)}.rel.translation{color:var(--translation)}
ol.stories{list-style:none;padding:0;margin:0}
ol.stories li{padding:.7rem 0;border-bottom:1px solid var(--line)}
ol.stories h2{margin:0 0 .2rem;font-size:1.05rem}
ol.stories h2 a{text-decoration:none}ol.stories h2 a:hover{text-decoration:underline}
ol.stories p{margin:0}
form.filters{display:flex;flex-wrap:wrap;gap:.5rem;align-items:end;padding:.75rem;background:var(--card);
border-radius:.5rem}
form.filters label{display:flex;flex-direction:column;font-size:.8rem;color:var(--muted)}
form.filters label.check{flex-direction:row;gap:.3rem;align-items:center}
form.filters label.wide{flex:1 1 20rem}form.filters label.wide input{width:100%}
input,select,button{font:inherit;color:var(--fg);background:var(--bg);border:1px solid var(--line);
border-radius:.35rem;padding:.3rem .45rem;max-width:100%}
input[type=search],input[type=url]{min-width:min(16rem,100%)}
button{cursor:pointer;background:var(--accent);color:var(--bg);border-color:var(--accent)}
.pager{display:flex;justify-content:space-between;margin:1rem 0}
.scroll{overflow-x:auto}
table{border-collapse:collapse;width:100%;font-size:.92rem}
th,td{text-align:left;vertical-align:top;padding:.4rem .5rem;border-bottom:1px solid var(--line)}
th{font-weight:600;color:var(--muted);white-space:nowrap}
td.when,td.nowrap{white-space:nowrap}
td.title{min-width:12rem}td.why{min-width:11rem}
.url{overflow-wrap:anywhere}
tr:target{background:var(--card)}
dl.kv{display:grid;grid-template-columns:max-content 1fr;gap:.15rem .8rem;margin:.3rem 0}
dl.kv dt{color:var(--muted)}dl.kv dd{margin:0}
details summary{cursor:pointer}
ul.evidence{margin:.3rem 0;padding-left:1.2rem}
.nolink{color:var(--muted)}
figure{margin:0}
figure svg{width:100%;min-width:36rem;height:auto;display:block;background:var(--card);border-radius:.5rem}
figcaption{font-size:.85rem;color:var(--muted);margin-top:.3rem}
.tl text{fill:var(--muted);font-size:11px;font-family:inherit}
.tl .lang{fill:var(--fg);font-weight:600;font-size:12px}
.tl .grid{stroke:var(--line);stroke-width:1}
.tl .lane{stroke:var(--line);stroke-width:1;stroke-dasharray:2 3}
.tl .dot{stroke:var(--bg);stroke-width:1.5}
.tl .original{fill:var(--original)}.tl .duplicate{fill:var(--duplicate)}
.tl .syndicated{fill:var(--syndicated)}.tl .translation{fill:var(--translation)}
.tl .credit{stroke:var(--credit);stroke-width:1.6;stroke-opacity:.7;fill:none}
.tl .arrowhead{fill:var(--credit)}
.key{display:inline-flex;align-items:center;gap:.25rem;margin-right:.8rem}
.key i{display:inline-block;width:.7rem;height:.7rem;border-radius:50%}
.key i.original{background:var(--original)}.key i.duplicate{background:var(--duplicate)}
.key i.syndicated{background:var(--syndicated)}.key i.translation{background:var(--translation)}
.key i.credit{background:var(--credit);height:.15rem;border-radius:0}
footer{margin-top:2rem;color:var(--muted);font-size:.8rem}
"#;

/// A whole page: `title` is plain text (escaped here), `body` is built markup.
#[must_use]
pub fn page(title: &str, body: &str) -> String {
    let mut s = String::with_capacity(body.len() + CSS.len() + 1024);
    s.push_str("<!doctype html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n");
    s.push_str("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n");
    s.push_str("<meta name=\"color-scheme\" content=\"light dark\">\n");
    s.push_str("<meta name=\"referrer\" content=\"no-referrer\">\n");
    let _ = writeln!(s, "<title>{} · firsthand</title>", esc(title));
    s.push_str("<link rel=\"alternate\" type=\"application/atom+xml\" title=\"firsthand stories\" href=\"/feed.atom\">\n");
    s.push_str("<link rel=\"alternate\" type=\"application/feed+json\" title=\"firsthand stories\" href=\"/feed.json\">\n");
    let _ = writeln!(s, "<style>{CSS}</style>\n</head>\n<body>");
    s.push_str(
        "<header><a class=\"brand\" href=\"/\">firsthand</a><nav aria-label=\"main\">\
         <a href=\"/\">Stories</a><a href=\"/origin\">Trace a URL</a>\
         <a href=\"/feed.atom\">Atom</a><a href=\"/feed.json\">JSON Feed</a>\
         <a href=\"/api/stories\">API</a><a href=\"/metrics\">Metrics</a></nav></header>\n<main>\n",
    );
    s.push_str(body);
    let _ = write!(
        s,
        "\n</main>\n<footer>firsthand {} · read-only view of the story database</footer>\n</body>\n</html>\n",
        env!("CARGO_PKG_VERSION")
    );
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_http_urls_become_links() {
        assert_eq!(
            link("javascript:alert(1)", "x"),
            "<span class=\"nolink\">x</span>"
        );
        assert!(!link(" JavaScript:alert(1)", "x").contains("href"));
        assert!(!link("java\tscript:alert(1)", "x").contains("href"));
        assert!(!link("data:text/html,<b>", "x").contains("href"));
        assert!(!link("/relative", "x").contains("href"));
        let l = link("https://a.example/x?\" onmouseover=\"y", "<b>");
        assert!(
            l.starts_with("<a href=\"https://a.example/x?%22%20onmouseover=%22y\""),
            "{l}"
        );
        assert!(l.contains("&lt;b&gt;"));
    }

    #[test]
    fn escapes_attributes_and_text() {
        assert_eq!(esc("\" onmouseover=\"x"), "&quot; onmouseover=&quot;x");
        assert_eq!(esc("<script>"), "&lt;script&gt;");
        assert_eq!(query_value("a b&c\"<"), "a+b%26c%22%3C");
    }

    #[test]
    fn delays_read_naturally() {
        assert_eq!(delay(0), "+0m");
        assert_eq!(delay(59 * 60), "+59m");
        assert_eq!(delay(3 * 3600 + 20 * 60), "+3h 20m");
        assert_eq!(delay(-(2 * 86_400 + 3600)), "−2d 1h");
    }

    #[test]
    fn page_has_viewport_and_escaped_title() {
        let p = page("<x>", "<p>hi</p>");
        assert!(p.contains("name=\"viewport\""));
        assert!(p.contains("<title>&lt;x&gt; · firsthand</title>"));
        assert!(p.contains("prefers-color-scheme:dark"));
    }
}
