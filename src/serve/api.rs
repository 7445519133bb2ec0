//! The machine routes: `/api/stories` and `/api/story/{id}` print exactly what
//! `firsthand stories --json` and `story ID --json` print; `/feed.atom` and `/feed.json`
//! are the deduplicated feed of `firsthand export` (with non-http links left out).

use super::html::safe_href;
use super::query::Params;
use super::{App, Failure, mime, typed_response, with_store};
use crate::output::views::views;
use crate::output::{export, json};
use crate::store::stories::StoryView;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;

/// Stories in the exported feed, as `firsthand export` writes them.
pub const FEED_STORIES: i64 = 500;

fn json_error(f: &Failure) -> Response {
    let body = serde_json::json!({ "error": f.message() }).to_string();
    typed_response(f.status(), mime::JSON, body)
}

fn text_error(f: &Failure) -> Response {
    typed_response(f.status(), mime::TEXT, format!("{}\n", f.message()))
}

/// Pretty JSON and a newline, as the command line prints it.
fn cli_json<T: serde::Serialize>(v: &T) -> Result<String, Failure> {
    serde_json::to_string_pretty(v)
        .map(|s| s + "\n")
        .map_err(|e| Failure::Internal(format!("cannot write JSON: {e}")))
}

/// `GET /api/stories?since=&limit=&all=`: the array of `stories --json`.
pub async fn stories(State(app): State<App>, Query(p): Query<Params>) -> Response {
    let run = async {
        let (since, limit, all) = (p.since()?, p.limit()?, p.all()?);
        with_store(&app.db, move |s| {
            let list = views(s, since, all, limit)?;
            cli_json(&list.iter().map(json::story).collect::<Vec<_>>())
        })
        .await
    };
    match run.await {
        Ok(body) => typed_response(StatusCode::OK, mime::JSON, body),
        Err(f) => json_error(&f),
    }
}

/// `GET /api/story/{id}`: the object of `story ID --json` (a merged id answers with the
/// story it joined, as the command does).
pub async fn story(State(app): State<App>, Path(id): Path<String>) -> Response {
    let Ok(id) = id.parse::<i64>() else {
        return json_error(&Failure::NotFound(format!("no story with id {id}")));
    };
    let r = with_store(&app.db, move |s| {
        let mut v = s.story_view(s.resolve_story(id)?)?;
        crate::output::views::readable_anchors(s, &mut v)?;
        cli_json(&json::story(&v))
    })
    .await;
    match r {
        Ok(body) => typed_response(StatusCode::OK, mime::JSON, body),
        Err(f) => json_error(&f),
    }
}

/// `GET /feed.atom?since=`: `firsthand export --format atom`.
pub async fn atom(State(app): State<App>, Query(p): Query<Params>) -> Response {
    feed(&app, &p, mime::ATOM, |list| {
        export::atom(list, crate::store::now())
    })
    .await
}

/// `GET /feed.json?since=`: `firsthand export --format json`.
pub async fn json_feed(State(app): State<App>, Query(p): Query<Params>) -> Response {
    feed(&app, &p, mime::JSON_FEED, |list| {
        export::json_feed(list) + "\n"
    })
    .await
}

/// The views with every link that is not http(s) taken out, so that a feed item's
/// `javascript:` link never becomes an `href` in a feed reader (`export` writes member
/// URLs into `<link href>` and the entry's HTML as they are).
fn linkable(mut list: Vec<StoryView>) -> Vec<StoryView> {
    for v in &mut list {
        for m in &mut v.members {
            m.url = m.url.take().filter(|u| safe_href(u).is_some());
        }
    }
    list
}

async fn feed(
    app: &App,
    p: &Params,
    content_type: &'static str,
    render: fn(&[StoryView]) -> String,
) -> Response {
    let run = async {
        let since = p.since()?;
        with_store(&app.db, move |s| {
            Ok(render(&linkable(views(
                s,
                since,
                true,
                Some(FEED_STORIES),
            )?)))
        })
        .await
    };
    match run.await {
        Ok(body) => typed_response(StatusCode::OK, content_type, body),
        Err(f) => text_error(&f),
    }
}
