//! Rendering: tables for people, JSON for programs, Atom / JSON Feed for feed readers.
//! Text that came from a feed is stripped of terminal escapes before it reaches a terminal
//! and escaped before it reaches markup.

pub mod export;
pub mod json;
pub mod table;
pub mod views;
