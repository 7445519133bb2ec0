use std::io::BufRead;

use mediatype::{MediaTypeBuf, names};

use crate::model::LinkTarget::CommentsFeed;
use crate::model::{Category, Content, Entry, Feed, FeedType, Generator, Image, Link, Person, Text};
use crate::parser::util;
use crate::parser::util::if_some_then;
use crate::parser::ParseFeedResult;
use crate::parser::{Parser, common};
use crate::xml::{Element, NS};


/// Parses an Atom feed into our model
pub(crate) fn parse_feed<R: BufRead>(parser: &Parser, root: Element<R>) -> ParseFeedResult<Feed> {
    let mut feed = Feed::new(FeedType::Atom);

    // Extract top-level info
    feed.language = handle_language_attr(&root);

    for child in root.children() {
        let child = child?;
        match child.ns_and_tag() {
            (NS::Atom, "id") => if_some_then(child.child_as_text(), |id| feed.id = id),

            (NS::Atom, "title") => feed.title = handle_text(child)?,

            (NS::Atom, "updated") => if_some_then(child.child_as_text(), |text| feed.updated = parser.parse_timestamp(&text)),

            (NS::Atom, "author") => if_some_then(handle_person("author", child)?, |person| feed.authors.push(person)),

            (NS::Atom, "link") => if_some_then(handle_link(child), |link| feed.links.push(link)),

            (NS::Atom, "category") => if_some_then(handle_category(child), |category| feed.categories.push(category)),

            (NS::Atom, "contributor") => if_some_then(handle_person("contributor", child)?, |person| feed.contributors.push(person)),

            (NS::Atom, "generator") => feed.generator = handle_generator(child),

            (NS::Atom, "icon") => feed.icon = handle_image(child),

            (NS::Atom, "logo") => feed.logo = handle_image(child),

            (NS::Atom, "rights") => feed.rights = handle_text(child)?,

            (NS::Atom, "subtitle") | (NS::Atom, "tagline") => feed.description = handle_text(child)?,

            (NS::Atom, "modified") => if_some_then(child.child_as_text(), |text| feed.updated = parser.parse_timestamp(&text)),

            (NS::Atom, "entry") => if_some_then(handle_entry(parser, child)?, |entry| feed.entries.push(entry)),

            // Nothing required for unknown elements
            _ => {}
        }
    }

    Ok(feed)
}

/// Parses an Atom entry into our model
///
/// Note that the entry is wrapped in an empty Feed to keep the API consistent
pub(crate) fn parse_entry<R: BufRead>(parser: &Parser, root: Element<R>) -> ParseFeedResult<Feed> {
    let mut feed = Feed::new(FeedType::Atom);

    if_some_then(handle_entry(parser, root)?, |entry| feed.entries.push(entry));

    Ok(feed)
}

// Handles "xml:base" as an attribute (e.g. in Atom feeds)
fn handle_base_attr<R: BufRead>(element: &Element<R>) -> Option<String> {
    element.attr_value("xml:base")
}

// Handles an Atom <category>
fn handle_category<R: BufRead>(element: Element<R>) -> Option<Category> {
    // Always need a term
    if let Some(term) = element.attr_value("term") {
        let mut category = Category::new(&term);

        for attr in element.attributes {
            match attr.name.as_str() {
                "scheme" => category.scheme = Some(attr.value.clone()),
                "label" => category.label = Some(attr.value.clone()),

                // Nothing required for unknown attributes
                _ => {}
            }
        }

        Some(category)
    } else {
        // A missing category isn't fatal
        None
    }
}

// Handles an Atom <content> element
//
// firsthand: content without `src` is a text construct with the wider set of types Atom 0.3
// and 1.0 allow (see `handle_text`): base64 for other media types, `application/xhtml+xml`,
// `type=""`. Content with `src` and a body keeps the body's absence out of the way rather than
// refusing the feed.
fn handle_content<R: BufRead>(element: Element<R>) -> ParseFeedResult<Option<Content>> {
    // Extract the content type so we can parse the body
    let content_type = element.attr_value("type");

    if let Some(src) = element.attr_value("src") {
        // > If the "src" attribute is present, the "type" attribute SHOULD be provided and MUST be a MIME media type, rather than "text", "html", or "xhtml".
        // According to the spec the content type only SHOULD be provided. `Content` has a
        // media type as required, so a missing or unreadable type is treated as text/html.
        let mime = content_type.as_deref().and_then(|ct| ct.parse::<MediaTypeBuf>().ok()).unwrap_or_else(|| MediaTypeBuf::new(names::TEXT, names::HTML));

        let content = Content {
            body: None,
            content_type: mime,
            src: Some(Link {
                href: src,
                target: None,
                rel: None,
                media_type: content_type,
                href_lang: None,
                title: None,
                length: None,
            }),
            ..Default::default()
        };

        return Ok(Some(content));
    }

    Ok(handle_text(element)?.map(|text| Content {
        body: Some(text.content),
        content_type: text.content_type,
        ..Default::default()
    }))
}

// Handles an Atom <entry>
fn handle_entry<R: BufRead>(parser: &Parser, element: Element<R>) -> ParseFeedResult<Option<Entry>> {
    // Note we have started a new MediaRSS entry scope
    parser.mediarss.entry_begin();

    // Parse the entry
    let mut entry = Entry::default();
    for child in element.children() {
        let child = child?;
        match child.ns_and_tag() {
            // Extract the fields from the spec
            (NS::Atom, "id") => if_some_then(child.child_as_text(), |id| entry.id = id),

            (NS::Atom, "title") => entry.title = handle_text(child)?,

            (NS::Atom, "updated") => if_some_then(child.child_as_text(), |text| entry.updated = parser.parse_timestamp(&text)),

            (NS::Atom, "author") => if_some_then(handle_person("author", child)?, |person| entry.authors.push(person)),

            (NS::Atom, "content") => {
                entry.base = handle_base_attr(&child);
                entry.language = handle_language_attr(&child);
                entry.content = handle_content(child)?;
            }

            (NS::Atom, "link") => if_some_then(handle_link(child), |link| entry.links.push(link)),

            (NS::Atom, "summary") => entry.summary = handle_text(child)?,

            (NS::Atom, "category") => if_some_then(handle_category(child), |category| entry.categories.push(category)),

            (NS::Atom, "contributor") => if_some_then(handle_person("contributor", child)?, |person| entry.contributors.push(person)),

            // Some feeds have "pubDate" instead of "published"
            (NS::Atom, "published") | (NS::Atom, "pubDate") => if_some_then(child.child_as_text(), |text| entry.published = parser.parse_timestamp(&text)),

            (NS::Atom, "rights") => entry.rights = handle_text(child)?,

            // firsthand: Atom 0.3's dates, and DC terms
            (NS::Atom, "issued") | (NS::Atom, "created") | (NS::DublinCoreTerms, "issued") | (NS::DublinCoreTerms, "created") if entry.published.is_none() => {
                if_some_then(child.child_as_text(), |text| entry.published = parser.parse_timestamp(&text))
            }

            (NS::Atom, "modified") | (NS::DublinCoreTerms, "modified") if entry.updated.is_none() => if_some_then(child.child_as_text(), |text| entry.updated = parser.parse_timestamp(&text)),

            // According to https://validator.w3.org/feed/docs/warning/CommentRSS.html we need to support both
            (NS::WellFormedWebComments, "commentRss") | (NS::WellFormedWebComments, "commentRSS") => {
                if_some_then(common::handle_link(Some(CommentsFeed), child), |link| entry.links.push(link))
            }

            // Handle MediaRSS elements
            (NS::MediaRSS, _) => parser.mediarss.handle_entry_mediarss_element(child)?,

            // Nothing required for unknown elements
            _ => {}
        }
    }

    // Handle completion of an entry, potentially emitting media objects if we've found them along the way
    parser.mediarss.entry_end(&mut entry);

    // firsthand: feedparser's "guidislink": an id that is a web address is the link of an
    // entry without an alternate link
    if !entry.links.iter().any(|l| l.rel.as_deref().is_none_or(|r| r == "alternate")) {
        if let Some(link) = common::guid_as_link(&entry.id, element.xml_base.as_ref()) {
            entry.links.insert(0, link);
        }
    }

    Ok(Some(entry))
}

// Handles an Atom <generator>
fn handle_generator<R: BufRead>(element: Element<R>) -> Option<Generator> {
    element.child_as_text().map(|content| {
        let mut generator = Generator::new(&content);

        for attr in element.attributes {
            match attr.name.as_str() {
                "uri" => generator.uri = Some(attr.value.clone()),
                "version" => generator.version = Some(attr.value.clone()),
                // Nothing required for unknown attributes
                _ => {}
            }
        }

        generator
    })
}

// Handles an Atom <icon> or <logo>
fn handle_image<R: BufRead>(element: Element<R>) -> Option<Image> {
    element
        .child_as_text()
        .map(|raw_uri| {
            util::parse_uri(&raw_uri, element.xml_base.as_ref())
                .map(|parsed| parsed.to_string())
                .unwrap_or(raw_uri)
        })
        .map(Image::new)
}

// Handles "xml:lang" as an attribute (e.g. in Atom feeds)
fn handle_language_attr<R: BufRead>(element: &Element<R>) -> Option<String> {
    element.attr_value("xml:lang")
}

// Handles an Atom <link>
pub(crate) fn handle_link<R: BufRead>(element: Element<R>) -> Option<Link> {
    // Always need an href; firsthand: or the address as the element's text
    let href = element.attr_value("href").or_else(|| element.child_as_text().map(|t| t.trim().to_string()).filter(|t| !t.is_empty()));
    href.map(|href| {
        let mut link = Link::new(href, element.xml_base.as_ref());

        for attr in element.attributes {
            match attr.name.as_str() {
                "rel" => link.rel = Some(attr.value.clone()),
                "type" => link.media_type = Some(attr.value.clone()),
                "hreflang" => link.href_lang = Some(attr.value.clone()),
                "title" => link.title = Some(attr.value.clone()),
                "length" => link.length = attr.value.parse::<u64>().ok(),

                // Nothing required for unrecognised attributes
                _ => {}
            }
        }

        // Default "rel" to "alternate" if not set
        if link.rel.is_none() {
            link.rel = Some(String::from("alternate"));
        }

        link
    })
}

// Handles an Atom <author> or <contributor>
fn handle_person<R: BufRead>(role: &str, element: Element<R>) -> ParseFeedResult<Option<Person>> {
    let mut maybe_name = None;
    let mut maybe_uri = None;
    let mut maybe_email = None;
    for child in element.children() {
        let child = child?;
        let tag_name = child.name.as_str();
        let child_text = child.child_as_text();
        match (tag_name, child_text) {
            // Extract the fields from the spec
            ("name", Some(name)) => maybe_name = Some(name),
            ("uri", uri) => maybe_uri = uri,
            ("email", email) => maybe_email = email,

            // Nothing required for unknown elements
            _ => {}
        }
    }

    // Need either a name or an email
    let person = if maybe_name.is_some() || maybe_email.is_some() {
        let mut person = Person::empty();
        person.name = maybe_name;
        person.email = maybe_email;
        person.role = Some(role.into());
        person.uri = maybe_uri;
        Some(person)
    } else {
        None
    };

    Ok(person)
}

// Directly handles an Atom <title>, <summary>, <rights> or <subtitle> element
//
// firsthand: the text constructs of Atom 1.0 and 0.3 as feedparser reads them, never refusing
// a feed for an unknown type:
// * `text`, `text/plain`, `type=""` or none: plain text, kept literally;
// * `html`, `text/html` and other `text/*` carrying markup: escaped HTML;
// * `xhtml`, `application/xhtml+xml`: inline XHTML (its wrapping div dropped); as escaped text
//   with Atom 0.3's `mode="escaped"`;
// * other `+xml`/`/xml` types: inline XML; any other media type: base64 (RFC 4287 4.1.3.3);
// * Atom 0.3's `mode="base64"`, `mode="escaped"`, `mode="xml"` override the above.
// Relative links in HTML and XHTML resolve against the xml:base in scope.
pub(crate) fn handle_text<R: BufRead>(element: Element<R>) -> ParseFeedResult<Option<Text>> {
    let type_attr = element.attr_value("type").map(|t| t.trim().to_ascii_lowercase()).unwrap_or_default();
    let mode = element.attr_value("mode").map(|m| m.trim().to_ascii_lowercase()).unwrap_or_default();

    enum Kind {
        Plain,
        Html,
        Xhtml,
        Xml,
        Base64,
    }
    let kind = match (type_attr.as_str(), mode.as_str()) {
        (_, "base64") => Kind::Base64,
        ("xhtml" | "application/xhtml+xml", "escaped") => Kind::Html,
        (_, "xml") => Kind::Xml,
        ("" | "text" | "text/plain", _) => Kind::Plain,
        ("html" | "text/html", _) => Kind::Html,
        ("xhtml" | "application/xhtml+xml", _) => Kind::Xhtml,
        (t, _) if t.starts_with("text/") => Kind::Html,
        (t, _) if t.ends_with("+xml") || t.ends_with("/xml") => Kind::Xml,
        (_, "escaped") => Kind::Html,
        _ => Kind::Base64,
    };
    let media = |kind: &Kind| match kind {
        Kind::Plain => MediaTypeBuf::new(names::TEXT, names::PLAIN),
        Kind::Xhtml => MediaTypeBuf::new(names::APPLICATION, names::XHTML),
        _ => MediaTypeBuf::new(names::TEXT, names::HTML),
    };
    // Markup left unescaped in a plain-text construct is markup all the same.
    let kind = match kind {
        Kind::Plain => match element.child_as_text_or_markup()? {
            Some((s, false)) => return Ok(Some(Text::new(s))),
            Some((s, true)) => return Ok(Some(Text::html(element.resolve_uris_in(s)))),
            None => return Ok(None),
        },
        kind => kind,
    };
    let text = match kind {
        Kind::Plain => None,
        Kind::Html => element.child_as_text_sloppy()?.map(|s| Text::new(element.resolve_uris_in(s))),
        Kind::Xml => element.children_as_string()?.map(|s| Text::new(element.resolve_uris_in(s))),
        Kind::Xhtml => element.children_as_xhtml()?.map(|s| Text::new(element.resolve_uris_in(s))),
        Kind::Base64 => element.child_as_text().map(|s| {
            let decoded = util::decode_base64(&s).and_then(|b| String::from_utf8(b).ok()).unwrap_or(s);
            // The decoded document is text or HTML as its type says, else HTML when it looks like it
            let html = match type_attr.as_str() {
                "" | "text" | "text/plain" => false,
                "html" | "text/html" | "xhtml" | "application/xhtml+xml" => true,
                _ => common::looks_like_html(&decoded),
            };
            let mut text = Text::new(element.resolve_uris_in(decoded));
            if html {
                text.content_type = media(&Kind::Html);
            }
            text
        }),
    };
    Ok(text.map(|mut t| {
        if !matches!(kind, Kind::Base64) {
            t.content_type = media(&kind);
        }
        t
    }))
}
