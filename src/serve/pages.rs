//! The HTML pages: the story index, one story, the origin of a URL, and the error pages.
//! Pages work without JavaScript; feed text is escaped by the `html` helpers.

use super::html::{
    self, esc, lang_badges, link, page, query_value, time, time_or_dash, time_short, url_link,
};
use super::query::Params;
use super::timeline::Credits;
use super::{App, Failure, html_response, with_store};
use crate::domain::StoryId;
use crate::output::json::{self, languages_of, original_of, title_of};
use crate::output::table::why_line;
use crate::store::Store;
use crate::store::stories::{MemberView, StoryView};
use crate::store::web::StoryFilter;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use std::fmt::Write;

/// Stories on one page of the index.
pub const PAGE_SIZE: u32 = 50;

/// Durations offered by the index's "updated within" filter.
const SINCE_CHOICES: [(&str, &str); 5] = [
    ("1h", "last hour"),
    ("24h", "last 24 hours"),
    ("7d", "last 7 days"),
    ("30d", "last 30 days"),
    ("365d", "last year"),
];

/// An error as a page.
#[must_use]
pub fn error_page(f: &Failure) -> Response {
    let title = match f {
        Failure::NotFound(_) => "Not found",
        Failure::BadRequest(_) => "Bad request",
        Failure::Internal(_) => "Server error",
    };
    let body = format!(
        "<h1>{title}</h1>\n<p class=\"error\">{}</p>\n<p><a href=\"/\">All stories</a></p>",
        esc(f.message())
    );
    html_response(f.status(), page(title, &body))
}

/// Any path no route claims.
pub async fn not_found(uri: axum::http::Uri) -> Response {
    error_page(&Failure::NotFound(format!(
        "there is no page at {}",
        uri.path()
    )))
}

fn respond(r: Result<String, Failure>) -> Response {
    match r {
        Ok(body) => html_response(StatusCode::OK, body),
        Err(f) => error_page(&f),
    }
}

/// `GET /`: the stories.
pub async fn index(State(app): State<App>, Query(p): Query<Params>) -> Response {
    respond(index_page(&app, &p).await)
}

async fn index_page(app: &App, p: &Params) -> Result<String, Failure> {
    let since = p.since()?;
    let all = p.all()?;
    let page_no = p.page()?;
    let filter = StoryFilter {
        since: since.map(|d| {
            crate::store::now().timestamp() - i64::try_from(d.as_secs()).unwrap_or(i64::MAX / 2)
        }),
        min_members: if all { 1 } else { 2 },
        lang: p.lang(),
        site: p.site(),
        q: p.q(),
        // One more than shown tells whether there is a next page.
        limit: i64::from(PAGE_SIZE) + 1,
        offset: i64::from(page_no - 1) * i64::from(PAGE_SIZE),
    };
    let f2 = filter.clone();
    let views = with_store(&app.db, move |s| {
        let ids = s.find_stories(&f2)?;
        ids.into_iter()
            .map(|id| s.story_view(id).map_err(Failure::from))
            .collect::<Result<Vec<_>, _>>()
    })
    .await?;
    Ok(index_html(p, &filter, page_no, &views))
}

/// The index page for one page of story views (`views` may hold one extra story, which
/// only says that a next page exists).
#[must_use]
pub fn index_html(p: &Params, f: &StoryFilter, page_no: u32, views: &[StoryView]) -> String {
    let mut b = String::new();
    b.push_str("<h1>Stories</h1>\n");
    filter_form(&mut b, p, f);
    let shown = &views[..views.len().min(PAGE_SIZE as usize)];
    if shown.is_empty() {
        b.push_str("<p class=\"muted\">No stories match. ");
        if f.min_members > 1 {
            b.push_str(
                "Single-article stories are hidden; tick “single articles too” to see them.",
            );
        }
        b.push_str("</p>\n");
    } else {
        let first = u64::from(page_no - 1) * u64::from(PAGE_SIZE) + 1;
        let _ = writeln!(
            b,
            "<p class=\"muted\">Stories {first}–{}, most recently updated first.</p>\n<ol class=\"stories\" start=\"{first}\">",
            first + shown.len() as u64 - 1
        );
        for v in shown {
            story_item(&mut b, v);
        }
        b.push_str("</ol>\n");
    }
    let has_next = views.len() > PAGE_SIZE as usize;
    if page_no > 1 || has_next {
        b.push_str("<nav class=\"pager\" aria-label=\"pages\">");
        if page_no > 1 {
            let _ = write!(
                b,
                "<a rel=\"prev\" href=\"/?{}\">← Newer</a>",
                esc(&page_query(p, page_no - 1))
            );
        } else {
            b.push_str("<span></span>");
        }
        if has_next {
            let _ = write!(
                b,
                "<a rel=\"next\" href=\"/?{}\">Older →</a>",
                esc(&page_query(p, page_no + 1))
            );
        }
        b.push_str("</nav>\n");
    }
    page("Stories", &b)
}

/// The query string of the same filters on another page.
fn page_query(p: &Params, page_no: u32) -> String {
    let mut parts: Vec<String> = Vec::new();
    for (k, v) in [
        ("q", p.q()),
        ("lang", p.lang()),
        ("site", p.site()),
        ("since", p.since.clone().filter(|s| !s.trim().is_empty())),
        ("all", p.all().unwrap_or(false).then(|| "1".to_string())),
    ] {
        if let Some(v) = v {
            parts.push(format!("{k}={}", query_value(&v)));
        }
    }
    parts.push(format!("page={page_no}"));
    parts.join("&")
}

fn filter_form(b: &mut String, p: &Params, f: &StoryFilter) {
    let val = |v: Option<String>| esc(&v.unwrap_or_default());
    b.push_str("<form class=\"filters\" method=\"get\" action=\"/\" role=\"search\">");
    let _ = write!(
        b,
        "<label>Title contains<input type=\"search\" name=\"q\" value=\"{}\"></label>\
         <label>Language<input name=\"lang\" size=\"5\" value=\"{}\" placeholder=\"any\"></label>\
         <label>Site<input name=\"site\" size=\"16\" value=\"{}\" placeholder=\"any\"></label>",
        val(p.q()),
        val(p.lang()),
        val(p.site())
    );
    let since = p.since.as_deref().map(str::trim).unwrap_or_default();
    b.push_str("<label>Updated within<select name=\"since\"><option value=\"\">any time</option>");
    let mut known = since.is_empty();
    for (v, label) in SINCE_CHOICES {
        let sel = if v == since {
            known = true;
            " selected"
        } else {
            ""
        };
        let _ = write!(b, "<option value=\"{v}\"{sel}>{label}</option>");
    }
    if !known {
        let _ = write!(b, "<option value=\"{0}\" selected>{0}</option>", esc(since));
    }
    b.push_str("</select></label>");
    let _ = writeln!(
        b,
        "<label class=\"check\"><input type=\"checkbox\" name=\"all\" value=\"1\"{}> single articles too</label>\
         <button type=\"submit\">Filter</button></form>",
        if f.min_members <= 1 { " checked" } else { "" }
    );
}

/// The site a member is shown under.
fn site_of(m: &MemberView) -> &str {
    m.site.as_deref().unwrap_or(&m.feed)
}

/// A site name linking to the index filtered by it.
fn site_link(m: &MemberView) -> String {
    match &m.site {
        Some(s) => format!("<a href=\"/?site={}\">{}</a>", query_value(s), esc(s)),
        None => esc(&m.feed),
    }
}

fn untitled(t: &str) -> &str {
    if t.trim().is_empty() { "(untitled)" } else { t }
}

fn story_item(b: &mut String, v: &StoryView) {
    let first = v.members.iter().map(|m| m.first_seen).min();
    let last = v.members.iter().map(|m| m.first_seen).max();
    let original = original_of(v).map_or_else(
        || "<span class=\"muted\">unknown</span>".to_string(),
        |o| format!("{} ({})", site_link(o), esc(&o.lang)),
    );
    let n = v.members.len();
    let _ = writeln!(
        b,
        "<li><article><h2><a href=\"/story/{}\">{}</a></h2>\
         <p class=\"meta\">{} original: {original} · {n} {} · first seen {} · last seen {}</p>\
         </article></li>",
        v.id.0,
        esc(untitled(&title_of(v))),
        lang_badges(&languages_of(v)),
        if n == 1 { "copy" } else { "copies" },
        time_or_dash(first),
        time_or_dash(last),
    );
}

/// `GET /story/{id}`: one story; a merged id redirects to the story it joined.
pub async fn story(State(app): State<App>, Path(id): Path<String>) -> Response {
    let Ok(id) = id.parse::<i64>() else {
        return error_page(&Failure::NotFound(format!("no story with id {id}")));
    };
    let r = with_store(&app.db, move |s| story_lookup(s, id)).await;
    match r {
        Ok(StoryPage::Redirect(to)) => Redirect::permanent(&format!("/story/{to}")).into_response(),
        Ok(StoryPage::Html(body)) => html_response(StatusCode::OK, body),
        Err(f) => error_page(&f),
    }
}

/// What `/story/{id}` answers.
#[derive(Debug)]
pub enum StoryPage {
    /// The id was merged into this story.
    Redirect(i64),
    /// The page.
    Html(String),
}

/// Looks a story up and renders it (the benchmark times exactly this).
///
/// # Errors
/// 404 for an unknown id; database failures.
pub fn story_lookup(s: &Store, id: i64) -> Result<StoryPage, Failure> {
    let resolved = s.resolve_story(id)?;
    if resolved.0 != id {
        return Ok(StoryPage::Redirect(resolved.0));
    }
    let mut v = s.story_view(StoryId(id))?;
    crate::output::views::readable_anchors(s, &mut v)?;
    Ok(StoryPage::Html(story_html(&v)))
}

/// The story page.
#[must_use]
pub fn story_html(v: &StoryView) -> String {
    let j = json::story(v);
    let title = untitled(&j.title);
    let mut b = String::new();
    let _ = writeln!(
        b,
        "<p class=\"muted\"><a href=\"/\">← Stories</a> · story {} · <a href=\"/api/story/{}\">JSON</a></p>\n<h1>{}</h1>",
        v.id.0,
        v.id.0,
        esc(title)
    );
    let _ = writeln!(
        b,
        "<p>{} · {} {} · updated {}</p>",
        lang_badges(&j.languages),
        v.members.len(),
        if v.members.len() == 1 {
            "copy"
        } else {
            "copies"
        },
        time(v.updated)
    );
    b.push_str("<section aria-labelledby=\"original\"><h2 id=\"original\">Original</h2>\n");
    match original_of(v) {
        Some(o) => {
            let _ = writeln!(
                b,
                "<dl class=\"kv\"><dt>Site</dt><dd>{}</dd><dt>Language</dt><dd>{}</dd>\
                 <dt>Link</dt><dd>{}</dd><dt>Published</dt><dd>{}</dd><dt>First seen</dt><dd>{}</dd>\
                 <dt>Feed</dt><dd>{}</dd></dl>",
                site_link(o),
                esc(&o.lang),
                o.url.as_deref().map_or_else(|| "–".to_string(), url_link),
                time_or_dash(o.published),
                time(o.first_seen),
                url_link(&o.feed),
            );
        }
        None => b.push_str("<p><strong>Unknown.</strong></p>\n"),
    }
    b.push_str("<p class=\"muted\">Because:</p><ul class=\"evidence\">");
    for e in &j.original_evidence {
        let _ = write!(b, "<li>{}</li>", esc(e));
    }
    b.push_str("</ul></section>\n");
    timeline_section(&mut b, v);
    copies_section(&mut b, v);
    page(title, &b)
}

fn timeline_section(b: &mut String, v: &StoryView) {
    let _ = writeln!(
        b,
        "<section aria-labelledby=\"timeline\"><h2 id=\"timeline\">Timeline</h2>\n<figure><div class=\"scroll\">{}</div>\
         <figcaption><span class=\"key\"><i class=\"original\"></i>original</span>\
         <span class=\"key\"><i class=\"duplicate\"></i>duplicate</span>\
         <span class=\"key\"><i class=\"syndicated\"></i>syndicated</span>\
         <span class=\"key\"><i class=\"translation\"></i>translation</span>\
         <span class=\"key\"><i class=\"credit\"></i>credits (arrow to the credited copy)</span><br>\
         Time after the original (publication time, else first seen), on a log scale; \
         one lane per language. Copies left of 0 claim an earlier time.</figcaption></figure></section>",
        super::timeline::svg(v)
    );
}

fn copies_section(b: &mut String, v: &StoryView) {
    let t0 = original_of(v).map(|o| o.published.unwrap_or(o.first_seen));
    let _ = writeln!(
        b,
        "<section aria-labelledby=\"copies\"><h2 id=\"copies\">Copies ({})</h2>\n<div class=\"scroll\"><table>\
         <thead><tr><th>Relation</th><th>Lang</th><th>Site</th><th>Title</th><th>Published (UTC)</th>\
         <th>First seen (UTC)</th><th>After original</th><th>Why it joined</th></tr></thead><tbody>",
        v.members.len()
    );
    let credits = Credits::of(v);
    for (k, m) in v.members.iter().enumerate() {
        let after = t0.map_or_else(
            || "–".to_string(),
            |t0| html::delay((m.published.unwrap_or(m.first_seen) - t0).num_seconds()),
        );
        let _ = writeln!(
            b,
            "<tr id=\"m{}\"><td class=\"nowrap\">{}</td><td lang=\"{}\">{}</td><td class=\"nowrap\">{}</td><td class=\"title\">{}</td>\
             <td class=\"when\">{}</td><td class=\"when\">{}</td><td class=\"when\">{after}</td><td class=\"why\">{}</td></tr>",
            m.id.0,
            html::relation(m.relation),
            esc(&m.lang),
            esc(&m.lang),
            site_link(m),
            link(m.url.as_deref().unwrap_or(""), untitled(&m.title)),
            m.published.map_or_else(|| "–".to_string(), time_short),
            time_short(m.first_seen),
            why_html(v, k, &credits),
        );
    }
    b.push_str("</tbody></table></div></section>\n");
}

/// Why a member joined: its kind of match and score, opening to every field of its
/// reason; then what it credits (a link to the credited copy's row when it is here).
fn why_html(v: &StoryView, k: usize, credits: &Credits) -> String {
    let m = &v.members[k];
    let mut s = String::new();
    let r = &m.reason;
    match r.get("kind").and_then(|k| k.as_str()) {
        None if Some(m.id) == v.original => s.push_str("the original"),
        None => s.push('–'),
        Some(kind) => {
            let score = r.get("score").and_then(serde_json::Value::as_f64);
            let _ = write!(
                s,
                "<details><summary>{}{}</summary><dl class=\"kv\">",
                esc(&kind.replace('_', " ")),
                score.map(|x| format!(" · {x:.2}")).unwrap_or_default()
            );
            for key in ["kind", "score", "jaccard", "containment", "anchor_score"] {
                if let Some(x) = r.get(key).filter(|x| !x.is_null()) {
                    let shown = x.as_str().map_or_else(|| x.to_string(), str::to_string);
                    let _ = write!(s, "<dt>{key}</dt><dd>{}</dd>", esc(&shown));
                }
            }
            // The anchors as the texts write them when known, else their keys.
            if let Some(a) = r
                .get("shared_text")
                .or_else(|| r.get("shared_anchors"))
                .and_then(|a| a.as_array())
            {
                let list: Vec<&str> = a.iter().filter_map(|x| x.as_str()).collect();
                let _ = write!(
                    s,
                    "<dt>shared anchors</dt><dd>{}</dd>",
                    esc(&list.join(" · "))
                );
            }
            if let Some(u) = r.get("matched").and_then(|u| u.as_str()) {
                let _ = write!(s, "<dt>matched</dt><dd>{}</dd>", matched_link(v, r, u));
            }
            s.push_str("</dl></details>");
        }
    }
    let credited = credits_html(v, k, credits);
    if !credited.is_empty() {
        let _ = write!(
            s,
            "<div class=\"muted\">credits {}</div>",
            credited.join(", ")
        );
    }
    s
}

/// What a member credits: copies of this story link to their row, other URLs to
/// themselves, and names (`name:site`) stand as text unless a credited copy has that site.
fn credits_html(v: &StoryView, k: usize, credits: &Credits) -> Vec<String> {
    let m = &v.members[k];
    let credited = |c: &str| credits.named(c, k).next().map(|j| &v.members[j]);
    let linked: Vec<&MemberView> = m.credits.iter().filter_map(|c| credited(c)).collect();
    let mut out: Vec<String> = Vec::new();
    for c in &m.credits {
        let shown = match (credited(c), c.strip_prefix("name:")) {
            (Some(t), _) => member_link(t),
            (None, Some(name)) if linked.iter().any(|t| t.site.as_deref() == Some(name)) => {
                continue;
            }
            (None, Some(name)) => format!("“{}” by name", esc(name)),
            (None, None) => url_link(c),
        };
        if !out.contains(&shown) {
            out.push(shown);
        }
    }
    out
}

/// A link to a member's row on the story page.
fn member_link(t: &MemberView) -> String {
    format!(
        "<a href=\"#m{}\">{} ({})</a>",
        t.id.0,
        esc(site_of(t)),
        esc(&t.lang)
    )
}

/// The member a reason matched: a link to its row when it is in this story.
fn matched_link(v: &StoryView, r: &serde_json::Value, url: &str) -> String {
    let id = r.get("matched_id").and_then(serde_json::Value::as_i64);
    match v.members.iter().find(|m| Some(m.id.0) == id) {
        Some(t) => member_link(t),
        None => url_link(url),
    }
}

/// `GET /origin?url=…`: the original of an article's story, and why.
pub async fn origin(State(app): State<App>, Query(p): Query<Params>) -> Response {
    let Some(url) = p.url() else {
        return html_response(StatusCode::OK, page("Trace a URL", &origin_form("")));
    };
    let u = url.clone();
    let r = with_store(&app.db, move |s| {
        let j = crate::output::views::origin_json(s, &u)?;
        let title = j["story"]
            .as_i64()
            .map(|id| s.story_view(StoryId(id)))
            .transpose()?
            .map(|v| title_of(&v));
        Ok((j, title))
    })
    .await;
    match r {
        Ok((j, title)) => html_response(
            StatusCode::OK,
            origin_html(&url, &j, title.as_deref().unwrap_or_default()),
        ),
        Err(f) => {
            let body = format!(
                "{}<p class=\"error\"><strong>{}</strong></p>",
                origin_form(&url),
                esc(f.message())
            );
            html_response(f.status(), page("Trace a URL", &body))
        }
    }
}

fn origin_form(url: &str) -> String {
    format!(
        "<h1>Trace a URL to its original</h1>\n<form class=\"filters\" method=\"get\" action=\"/origin\">\
         <label class=\"wide\">Article URL (any copy)<input type=\"url\" name=\"url\" required value=\"{}\"></label>\
         <button type=\"submit\">Trace</button></form>\n",
        esc(url)
    )
}

/// The origin page for what `origin_json` answered about `url`, in a story titled `title`.
#[must_use]
pub fn origin_html(url: &str, j: &serde_json::Value, title: &str) -> String {
    let s = |v: &serde_json::Value| v.as_str().unwrap_or_default().to_string();
    let mut b = origin_form(url);
    let story = j["story"].as_i64().unwrap_or_default();
    let langs: Vec<String> = j["story_languages"]
        .as_array()
        .map(|a| a.iter().map(s).collect())
        .unwrap_or_default();
    let _ = writeln!(
        b,
        "<section aria-labelledby=\"answer\"><h2 id=\"answer\">Answer</h2>\n\
         <p>{} is the <strong>{}</strong> ({}) in <a href=\"/story/{story}\">story {story}</a>, \
         “{}”, which has {} copies in {}.</p>",
        url_link(url),
        esc(&s(&j["relation"])),
        esc(&s(&j["lang"])),
        esc(untitled(title)),
        j["copies"].as_u64().unwrap_or_default(),
        lang_badges(&langs)
    );
    match j["original"].as_object() {
        Some(o) => {
            let site = o.get("site").map(s).unwrap_or_default();
            let site_html = if site.is_empty() {
                esc(&o.get("feed").map(s).unwrap_or_default())
            } else {
                format!(
                    "<a href=\"/?site={}\">{}</a>",
                    query_value(&site),
                    esc(&site)
                )
            };
            let published = o
                .get("published")
                .and_then(|p| p.as_str())
                .and_then(|p| chrono::DateTime::parse_from_rfc3339(p).ok())
                .map(|p| p.with_timezone(&chrono::Utc));
            let _ = writeln!(
                b,
                "<dl class=\"kv\"><dt>Original</dt><dd>{}</dd><dt>Site</dt><dd>{site_html}</dd>\
                 <dt>Language</dt><dd>{}</dd><dt>Published</dt><dd>{}</dd></dl>",
                url_link(&o.get("url").map(s).unwrap_or_default()),
                esc(&o.get("lang").map(s).unwrap_or_default()),
                time_or_dash(published),
            );
        }
        None => b.push_str("<p><strong>Original: unknown.</strong></p>\n"),
    }
    b.push_str("<p class=\"muted\">Because:</p><ul class=\"evidence\">");
    for e in j["original_evidence"].as_array().into_iter().flatten() {
        let _ = write!(b, "<li>{}</li>", esc(&s(e)));
    }
    b.push_str("</ul>\n");
    if let Some(chain) = j["chain"].as_array().filter(|c| !c.is_empty()) {
        b.push_str("<p class=\"muted\">Credit chain (each credits the next):</p><ol>");
        for c in chain {
            let _ = write!(b, "<li>{}</li>", url_link(&s(c)));
        }
        b.push_str("</ol>\n");
    }
    if let Some(w) = why_line(&j["why_in_story"]) {
        let _ = writeln!(b, "<p>This copy {}.</p>", esc(&w));
    }
    b.push_str("</section>");
    page("Origin", &b)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn empty_stories(n: i64) -> Vec<StoryView> {
        (1..=n)
            .map(|i| StoryView {
                id: StoryId(i),
                original: None,
                evidence: vec![],
                members: vec![],
                updated: chrono::DateTime::from_timestamp(1_700_000_000, 0).unwrap(),
            })
            .collect()
    }

    #[test]
    fn index_pages_keep_their_filters() {
        let p = Params {
            q: Some("a&b".into()),
            lang: Some("de".into()),
            ..Params::default()
        };
        let f = StoryFilter {
            min_members: 2,
            ..StoryFilter::default()
        };
        let first = index_html(&p, &f, 1, &empty_stories(51));
        assert_eq!(first.matches("<li>").count(), 50);
        assert!(first.contains("rel=\"next\" href=\"/?q=a%26b&amp;lang=de&amp;page=2\""));
        assert!(!first.contains("rel=\"prev\""));
        let last = index_html(&p, &f, 2, &empty_stories(3));
        assert!(last.contains("<ol class=\"stories\" start=\"51\">"));
        assert!(last.contains("Stories 51–53"));
        assert!(last.contains("rel=\"prev\" href=\"/?q=a%26b&amp;lang=de&amp;page=1\""));
        assert!(!last.contains("rel=\"next\""));
        assert!(last.contains("value=\"a&amp;b\""));
        let huge = index_html(&p, &f, u32::MAX, &empty_stories(1));
        assert!(huge.contains("Stories 214748364701–214748364701"));
    }
}
