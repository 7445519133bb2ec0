//! One connection to either database: SQLite (the embedded default, one file) or
//! PostgreSQL (a shared server for many pollers). The other `store` modules write each
//! statement once, in the SQL both accept (`?N` placeholders, `ON CONFLICT`,
//! `RETURNING`); this module binds values, reads results and, for PostgreSQL, turns
//! placeholders into `$N` and SQLite's case-folding `LIKE` into `ILIKE`.
//!
//! Both connections are used from one thread at a time (a `Store` is not shared); the
//! PostgreSQL client sits in a `RefCell` so that statements can run through `&Db` as they
//! do through `&rusqlite::Connection`.

use crate::{Error, Result};
use std::cell::RefCell;
use std::collections::HashMap;

/// A value bound to a statement or read from a row.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Val<'a> {
    /// SQL NULL.
    Null,
    /// An integer (booleans are 0 and 1).
    Int(i64),
    /// A floating-point number.
    Real(f64),
    /// Text.
    Text(&'a str),
    /// Bytes.
    Blob(&'a [u8]),
}

/// A Rust value that can be bound to a statement.
pub trait ToSql {
    /// The value as bound.
    fn to_val(&self) -> Val<'_>;
}

/// A Rust value that can be read from a column.
pub trait FromSql: Sized {
    /// Converts a column's value.
    ///
    /// # Errors
    /// [`Error::Column`] when the value has another type.
    fn from_val(v: Val<'_>) -> Result<Self>;
}

macro_rules! int_to_sql {
    ($($t:ty),*) => {$(
        impl ToSql for $t {
            #[allow(clippy::cast_possible_wrap, clippy::cast_lossless)] // stored as SQL integers
            fn to_val(&self) -> Val<'_> {
                Val::Int(*self as i64)
            }
        }
        impl FromSql for $t {
            fn from_val(v: Val<'_>) -> Result<Self> {
                let i = i64::from_val(v)?;
                <$t>::try_from(i).map_err(|_| Error::Column(format!("{i} out of range for {}", stringify!($t))))
            }
        }
    )*};
}
int_to_sql!(i32, u32, u64, usize, u8, u16, i16);

impl ToSql for i64 {
    fn to_val(&self) -> Val<'_> {
        Val::Int(*self)
    }
}
impl FromSql for i64 {
    fn from_val(v: Val<'_>) -> Result<Self> {
        match v {
            Val::Int(i) => Ok(i),
            other => Err(Error::Column(format!(
                "expected an integer, found {other:?}"
            ))),
        }
    }
}
impl ToSql for bool {
    fn to_val(&self) -> Val<'_> {
        Val::Int(i64::from(*self))
    }
}
impl FromSql for bool {
    fn from_val(v: Val<'_>) -> Result<Self> {
        Ok(i64::from_val(v)? != 0)
    }
}
impl ToSql for f64 {
    fn to_val(&self) -> Val<'_> {
        Val::Real(*self)
    }
}
impl ToSql for f32 {
    fn to_val(&self) -> Val<'_> {
        Val::Real(f64::from(*self))
    }
}
impl FromSql for f64 {
    fn from_val(v: Val<'_>) -> Result<Self> {
        match v {
            Val::Real(x) => Ok(x),
            #[allow(clippy::cast_precision_loss)] // SQLite hands integral reals as integers
            Val::Int(i) => Ok(i as f64),
            other => Err(Error::Column(format!("expected a number, found {other:?}"))),
        }
    }
}
impl ToSql for str {
    fn to_val(&self) -> Val<'_> {
        Val::Text(self)
    }
}
impl ToSql for String {
    fn to_val(&self) -> Val<'_> {
        Val::Text(self)
    }
}
impl FromSql for String {
    fn from_val(v: Val<'_>) -> Result<Self> {
        match v {
            Val::Text(s) => Ok(s.to_string()),
            other => Err(Error::Column(format!("expected text, found {other:?}"))),
        }
    }
}
impl ToSql for [u8] {
    fn to_val(&self) -> Val<'_> {
        Val::Blob(self)
    }
}
impl ToSql for Vec<u8> {
    fn to_val(&self) -> Val<'_> {
        Val::Blob(self)
    }
}
impl FromSql for Vec<u8> {
    fn from_val(v: Val<'_>) -> Result<Self> {
        match v {
            Val::Blob(b) => Ok(b.to_vec()),
            other => Err(Error::Column(format!("expected bytes, found {other:?}"))),
        }
    }
}
impl<T: ToSql> ToSql for Option<T> {
    fn to_val(&self) -> Val<'_> {
        self.as_ref().map_or(Val::Null, ToSql::to_val)
    }
}
impl<T: FromSql> FromSql for Option<T> {
    fn from_val(v: Val<'_>) -> Result<Self> {
        match v {
            Val::Null => Ok(None),
            v => T::from_val(v).map(Some),
        }
    }
}
impl<T: ToSql + ?Sized> ToSql for &T {
    fn to_val(&self) -> Val<'_> {
        (**self).to_val()
    }
}
impl ToSql for Val<'_> {
    fn to_val(&self) -> Val<'_> {
        *self
    }
}

/// The values bound to one statement.
pub trait Params {
    /// In placeholder order.
    fn vals(&self) -> Vec<Val<'_>>;
}
impl Params for () {
    fn vals(&self) -> Vec<Val<'_>> {
        Vec::new()
    }
}
impl Params for &[&dyn ToSql] {
    fn vals(&self) -> Vec<Val<'_>> {
        self.iter().map(|v| v.to_val()).collect()
    }
}
impl Params for [&dyn ToSql; 0] {
    fn vals(&self) -> Vec<Val<'_>> {
        Vec::new()
    }
}
// Arrays of one type; lengths one by one, so that `[]` has one meaning (no parameters).
macro_rules! array_params {
    ($($n:literal)*) => {$(
        impl<T: ToSql> Params for [T; $n] {
            fn vals(&self) -> Vec<Val<'_>> {
                self.iter().map(ToSql::to_val).collect()
            }
        }
    )*};
}
array_params!(1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16);
impl<T: ToSql> Params for Vec<T> {
    fn vals(&self) -> Vec<Val<'_>> {
        self.iter().map(ToSql::to_val).collect()
    }
}

/// The values of an iterator as a statement's parameters.
pub fn params_from_iter<I: IntoIterator>(values: I) -> Vec<I::Item>
where
    I::Item: ToSql,
{
    values.into_iter().collect()
}

/// Parameters of mixed types: `params![a, b, c]`.
#[macro_export]
#[doc(hidden)]
macro_rules! sql_params {
    () => { () };
    ($($v:expr),+ $(,)?) => {
        &[$(&$v as &dyn $crate::store::db::ToSql),+] as &[&dyn $crate::store::db::ToSql]
    };
}
pub use crate::sql_params as params;

/// A column by position or by name.
pub trait ColumnIndex {
    /// Its position in a SQLite row.
    ///
    /// # Errors
    /// [`Error::Column`] when there is no such column.
    fn in_lite(&self, r: &rusqlite::Row<'_>) -> Result<usize>;
    /// Its position in a PostgreSQL row.
    ///
    /// # Errors
    /// [`Error::Column`] when there is no such column.
    fn in_pg(&self, r: &postgres::Row) -> Result<usize>;
}
impl ColumnIndex for usize {
    fn in_lite(&self, _: &rusqlite::Row<'_>) -> Result<usize> {
        Ok(*self)
    }
    fn in_pg(&self, _: &postgres::Row) -> Result<usize> {
        Ok(*self)
    }
}
impl ColumnIndex for &str {
    fn in_lite(&self, r: &rusqlite::Row<'_>) -> Result<usize> {
        Ok(r.as_ref().column_index(self)?)
    }
    fn in_pg(&self, r: &postgres::Row) -> Result<usize> {
        r.columns()
            .iter()
            .position(|c| c.name().eq_ignore_ascii_case(self))
            .ok_or_else(|| Error::Column(format!("no column {self}")))
    }
}

/// One result row.
pub enum Row<'a> {
    /// From SQLite.
    Lite(&'a rusqlite::Row<'a>),
    /// From PostgreSQL.
    Pg(&'a postgres::Row),
}

impl Row<'_> {
    /// The value of a column.
    ///
    /// # Errors
    /// [`Error::Column`] when there is no such column or its value has another type.
    pub fn get<I: ColumnIndex, T: FromSql>(&self, idx: I) -> Result<T> {
        match self {
            Row::Lite(r) => T::from_val(lite_val(r.get_ref(idx.in_lite(r)?)?)?),
            Row::Pg(r) => {
                let v: PgVal<'_> = r.try_get(idx.in_pg(r)?)?;
                T::from_val(v.0)
            }
        }
    }
}

fn lite_val(v: rusqlite::types::ValueRef<'_>) -> Result<Val<'_>> {
    use rusqlite::types::ValueRef;
    Ok(match v {
        ValueRef::Null => Val::Null,
        ValueRef::Integer(i) => Val::Int(i),
        ValueRef::Real(x) => Val::Real(x),
        ValueRef::Text(t) => Val::Text(
            std::str::from_utf8(t).map_err(|e| Error::Column(format!("text is not UTF-8: {e}")))?,
        ),
        ValueRef::Blob(b) => Val::Blob(b),
    })
}

impl rusqlite::ToSql for Val<'_> {
    fn to_sql(&self) -> rusqlite::Result<rusqlite::types::ToSqlOutput<'_>> {
        use rusqlite::types::{ToSqlOutput, ValueRef};
        Ok(ToSqlOutput::Borrowed(match *self {
            Val::Null => ValueRef::Null,
            Val::Int(i) => ValueRef::Integer(i),
            Val::Real(x) => ValueRef::Real(x),
            Val::Text(s) => ValueRef::Text(s.as_bytes()),
            Val::Blob(b) => ValueRef::Blob(b),
        }))
    }
}

/// A value as PostgreSQL sends or takes it: any column type the schema uses, converted by
/// the type the server names.
#[derive(Debug)]
struct PgVal<'a>(Val<'a>);

impl<'a> postgres::types::FromSql<'a> for PgVal<'a> {
    fn from_sql(
        ty: &postgres::types::Type,
        raw: &'a [u8],
    ) -> std::result::Result<Self, Box<dyn std::error::Error + Sync + Send>> {
        use postgres::types::Type;
        let be = |n: usize| -> std::result::Result<[u8; 8], String> {
            if raw.len() != n {
                return Err(format!("{ty} value of {} bytes", raw.len()));
            }
            let mut b = [0u8; 8];
            b[8 - n..].copy_from_slice(raw);
            Ok(b)
        };
        let v = match *ty {
            Type::BOOL => Val::Int(i64::from(raw.first().is_some_and(|b| *b != 0))),
            Type::INT2 => Val::Int(i64::from(i16::from_be_bytes(
                raw.try_into()
                    .map_err(|_| format!("int2 of {} bytes", raw.len()))?,
            ))),
            Type::INT4 => Val::Int(i64::from(i32::from_be_bytes(
                raw.try_into()
                    .map_err(|_| format!("int4 of {} bytes", raw.len()))?,
            ))),
            Type::OID => Val::Int(i64::from(u32::from_be_bytes(
                raw.try_into()
                    .map_err(|_| format!("oid of {} bytes", raw.len()))?,
            ))),
            Type::INT8 => Val::Int(i64::from_be_bytes(be(8)?)),
            Type::FLOAT4 => Val::Real(f64::from(f32::from_be_bytes(
                raw.try_into()
                    .map_err(|_| format!("float4 of {} bytes", raw.len()))?,
            ))),
            Type::FLOAT8 => Val::Real(f64::from_be_bytes(be(8)?)),
            Type::NUMERIC => numeric(raw)?,
            Type::BYTEA => Val::Blob(raw),
            _ => Val::Text(std::str::from_utf8(raw)?),
        };
        Ok(PgVal(v))
    }

    fn from_sql_null(
        _: &postgres::types::Type,
    ) -> std::result::Result<Self, Box<dyn std::error::Error + Sync + Send>> {
        Ok(PgVal(Val::Null))
    }

    fn accepts(_: &postgres::types::Type) -> bool {
        true
    }
}

/// A NUMERIC in PostgreSQL's binary form (what `SUM` of integers returns): an integer
/// when it has no fraction and fits, else a float.
fn numeric(raw: &[u8]) -> std::result::Result<Val<'static>, String> {
    let word = |i: usize| -> std::result::Result<i16, String> {
        raw.get(2 * i..2 * i + 2)
            .map(|b| i16::from_be_bytes([b[0], b[1]]))
            .ok_or_else(|| "truncated numeric".to_string())
    };
    let (ndigits, weight, sign, dscale) = (word(0)?, word(1)?, word(2)?, word(3)?);
    if sign == 0xC000_u16.cast_signed() {
        return Ok(Val::Real(f64::NAN));
    }
    let mut x = 0f64;
    for i in 0..usize::try_from(ndigits).unwrap_or(0) {
        let exp = i32::from(weight) - i32::try_from(i).unwrap_or(i32::MAX);
        x += f64::from(word(4 + i)?) * 10_000f64.powi(exp);
    }
    if sign == 0x4000 {
        x = -x;
    }
    #[allow(clippy::cast_possible_truncation)] // checked: integral and in range
    if dscale == 0 && x.abs() < 9.0e15 {
        return Ok(Val::Int(x as i64));
    }
    Ok(Val::Real(x))
}

impl postgres::types::ToSql for PgVal<'_> {
    fn to_sql(
        &self,
        ty: &postgres::types::Type,
        out: &mut bytes::BytesMut,
    ) -> std::result::Result<postgres::types::IsNull, Box<dyn std::error::Error + Sync + Send>>
    {
        use bytes::BufMut;
        use postgres::types::{IsNull, Type};
        match (self.0, ty) {
            (Val::Null, _) => return Ok(IsNull::Yes),
            (Val::Int(i), &Type::INT8) => out.put_i64(i),
            (Val::Int(i), &Type::INT4) => out.put_i32(i32::try_from(i)?),
            (Val::Int(i), &Type::INT2) => out.put_i16(i16::try_from(i)?),
            (Val::Int(i), &Type::BOOL) => out.put_u8(u8::from(i != 0)),
            #[allow(clippy::cast_precision_loss)]
            (Val::Int(i), &Type::FLOAT8) => out.put_f64(i as f64),
            (Val::Real(x), &Type::FLOAT8) => out.put_f64(x),
            #[allow(clippy::cast_possible_truncation)]
            (Val::Real(x), &Type::FLOAT4) => out.put_f32(x as f32),
            (Val::Int(i), _) if is_text(ty) => out.put_slice(i.to_string().as_bytes()),
            (Val::Real(x), _) if is_text(ty) => out.put_slice(x.to_string().as_bytes()),
            (Val::Text(s), _) if is_text(ty) => out.put_slice(s.as_bytes()),
            (Val::Blob(b), &Type::BYTEA) => out.put_slice(b),
            (v, ty) => return Err(format!("cannot bind {v:?} as {ty}").into()),
        }
        Ok(IsNull::No)
    }

    fn accepts(_: &postgres::types::Type) -> bool {
        true
    }

    postgres::types::to_sql_checked!();
}

fn is_text(ty: &postgres::types::Type) -> bool {
    use postgres::types::Type;
    [
        Type::TEXT,
        Type::VARCHAR,
        Type::BPCHAR,
        Type::NAME,
        Type::UNKNOWN,
    ]
    .contains(ty)
}

/// A statement's text for PostgreSQL: `?N` → `$N`, bare `?` numbered in order, `LIKE` →
/// `ILIKE` (SQLite's LIKE ignores ASCII case), `INSERT OR IGNORE` → `ON CONFLICT DO
/// NOTHING`. Quoted text is left alone.
#[must_use]
pub fn to_postgres(sql: &str) -> String {
    let mut out = String::with_capacity(sql.len() + 16);
    let mut next = 0usize;
    let mut chars = sql.chars().peekable();
    let mut quoted = false;
    while let Some(c) = chars.next() {
        if c == '\'' {
            quoted = !quoted;
            out.push(c);
            continue;
        }
        if quoted || c != '?' {
            out.push(c);
            continue;
        }
        let mut digits = String::new();
        while let Some(d) = chars.peek().filter(|d| d.is_ascii_digit()) {
            digits.push(*d);
            chars.next();
        }
        if digits.is_empty() {
            next += 1;
            out.push('$');
            out.push_str(&next.to_string());
        } else {
            next = digits.parse().unwrap_or(next);
            out.push('$');
            out.push_str(&digits);
        }
    }
    let mut s = out.replace(" LIKE ", " ILIKE ");
    if let Some(rest) = s.strip_prefix("INSERT OR IGNORE INTO") {
        let rest = rest.to_string();
        let (body, returning) = match rest.find(" RETURNING ") {
            Some(i) => (&rest[..i], &rest[i..]),
            None => (rest.as_str(), ""),
        };
        s = format!("INSERT INTO{body} ON CONFLICT DO NOTHING{returning}");
    }
    s
}

/// Values as the client takes a statement's parameters.
fn pg_params<'a>(pv: &'a [PgVal<'_>]) -> Vec<&'a (dyn postgres::types::ToSql + Sync)> {
    pv.iter()
        .map(|v| v as &(dyn postgres::types::ToSql + Sync))
        .collect()
}

/// A PostgreSQL client and the statements it prepared, by their SQLite text.
pub struct Pg {
    client: RefCell<postgres::Client>,
    /// Each prepared statement, with its place in `runs`.
    prepared: RefCell<HashMap<String, (postgres::Statement, usize)>>,
    /// How often each prepared statement ran, with its text (`RUST_LOG=firsthand=debug`
    /// shows the most frequent when the connection closes: each run is a round trip).
    runs: RefCell<Vec<(String, u64)>>,
}

impl Drop for Pg {
    fn drop(&mut self) {
        let runs = self.runs.get_mut();
        if runs.is_empty() || !tracing::enabled!(tracing::Level::DEBUG) {
            return;
        }
        let total: u64 = runs.iter().map(|r| r.1).sum();
        let mut top: Vec<(&String, &u64)> = runs.iter().map(|(s, n)| (s, n)).collect();
        top.sort_by(|a, b| b.1.cmp(a.1).then(a.0.cmp(b.0)));
        for (sql, n) in top.iter().take(8) {
            let line: String = sql.split_whitespace().collect::<Vec<_>>().join(" ");
            tracing::debug!(runs = n, statement = %line.chars().take(100).collect::<String>(), "postgresql statement");
        }
        tracing::debug!(statements = total, "postgresql connection closed");
    }
}

impl Pg {
    /// Connects (without TLS).
    ///
    /// # Errors
    /// When the server cannot be reached or refuses the login.
    pub fn connect(url: &str) -> std::result::Result<Self, postgres::Error> {
        let mut client = postgres::Client::connect(url, postgres::NoTls)?;
        // Commits do not wait for the WAL to reach the disk, as SQLite's WAL with
        // synchronous=NORMAL: a server crash may lose the last transactions (the pending
        // queue and the next poll redo them), never consistency.
        client.batch_execute("SET synchronous_commit = off")?;
        Ok(Self {
            client: RefCell::new(client),
            prepared: RefCell::new(HashMap::new()),
            runs: RefCell::new(Vec::new()),
        })
    }

    /// Creates the database a URL names, connecting to the server's `postgres` database
    /// (a database created meanwhile by somebody else is fine).
    ///
    /// # Errors
    /// When the server cannot be reached or the user may not create databases.
    pub fn create_database(url: &str) -> std::result::Result<(), postgres::Error> {
        let mut cfg: postgres::Config = url.parse()?;
        let name = cfg
            .get_dbname()
            .or(cfg.get_user())
            .unwrap_or("postgres")
            .to_string();
        cfg.dbname("postgres");
        let mut client = cfg.connect(postgres::NoTls)?;
        let quoted = format!("\"{}\"", name.replace('"', "\"\""));
        match client.batch_execute(&format!("CREATE DATABASE {quoted}")) {
            Err(e) if e.code() == Some(&postgres::error::SqlState::DUPLICATE_DATABASE) => Ok(()),
            other => other,
        }
    }

    fn statement(&self, sql: &str) -> Result<(postgres::Statement, usize)> {
        if let Some(s) = self.prepared.borrow().get(sql) {
            return Ok(s.clone());
        }
        let text = to_postgres(sql);
        let st = self
            .client
            .borrow_mut()
            .prepare(&text)
            .map_err(|source| Error::Statement { sql: text, source })?;
        let mut runs = self.runs.borrow_mut();
        runs.push((sql.to_string(), 0));
        let at = runs.len() - 1;
        self.prepared
            .borrow_mut()
            .insert(sql.to_string(), (st.clone(), at));
        Ok((st, at))
    }

    fn count(&self, at: usize) {
        if let Some(r) = self.runs.borrow_mut().get_mut(at) {
            r.1 += 1;
        }
    }

    fn run(&self, st: &postgres::Statement, vals: &[Val<'_>]) -> Result<u64> {
        let pv: Vec<PgVal<'_>> = vals.iter().map(|v| PgVal(*v)).collect();
        Ok(self.client.borrow_mut().execute(st, &pg_params(&pv))?)
    }

    fn rows(&self, st: &postgres::Statement, vals: &[Val<'_>]) -> Result<Vec<postgres::Row>> {
        let pv: Vec<PgVal<'_>> = vals.iter().map(|v| PgVal(*v)).collect();
        Ok(self.client.borrow_mut().query(st, &pg_params(&pv))?)
    }

    /// Runs statements without parameters (schema, transaction control).
    ///
    /// # Errors
    /// What the server says.
    pub fn batch(&self, sql: &str) -> Result<()> {
        Ok(self.client.borrow_mut().batch_execute(sql)?)
    }
}

/// A connection to one of the two databases.
pub enum Db {
    /// A SQLite file (or memory).
    Lite(rusqlite::Connection),
    /// A PostgreSQL server (boxed: its client and statement cache are large).
    Pg(Box<Pg>),
}

/// A prepared statement.
pub enum Stmt<'a> {
    /// SQLite's, from the connection's cache.
    Lite(rusqlite::CachedStatement<'a>),
    /// PostgreSQL's, with the client that runs it (and its place in the client's counts).
    Pg(&'a Pg, postgres::Statement, usize),
}

/// Rows of a query, read one at a time.
pub enum Rows<'a> {
    /// SQLite steps the statement.
    Lite(rusqlite::Rows<'a>),
    /// PostgreSQL's rows arrive whole.
    Pg(std::vec::IntoIter<postgres::Row>, Option<postgres::Row>),
}

impl Rows<'_> {
    /// The next row.
    ///
    /// # Errors
    /// What the database says.
    #[allow(clippy::should_implement_trait)] // a lending iterator: the row borrows `self`
    pub fn next(&mut self) -> Result<Option<Row<'_>>> {
        match self {
            Rows::Lite(r) => Ok(r.next()?.map(Row::Lite)),
            Rows::Pg(it, cur) => {
                *cur = it.next();
                Ok(cur.as_ref().map(Row::Pg))
            }
        }
    }
}

/// Rows of a query, each converted by a function.
pub struct MappedRows<'a, F> {
    rows: Rows<'a>,
    f: F,
}

impl<T, F: FnMut(&Row<'_>) -> Result<T>> Iterator for MappedRows<'_, F> {
    type Item = Result<T>;

    fn next(&mut self) -> Option<Result<T>> {
        match self.rows.next() {
            Ok(Some(r)) => Some((self.f)(&r)),
            Ok(None) => None,
            Err(e) => Some(Err(e)),
        }
    }
}

impl Stmt<'_> {
    /// Runs the statement; the number of rows it changed.
    ///
    /// # Errors
    /// What the database says.
    pub fn execute<P: Params>(&mut self, p: P) -> Result<usize> {
        let vals = p.vals();
        match self {
            Stmt::Lite(s) => Ok(s.execute(rusqlite::params_from_iter(vals.iter()))?),
            Stmt::Pg(pg, st, at) => {
                pg.count(*at);
                Ok(usize::try_from(pg.run(st, &vals)?).unwrap_or(usize::MAX))
            }
        }
    }

    /// Runs the query.
    ///
    /// # Errors
    /// What the database says.
    pub fn query<P: Params>(&mut self, p: P) -> Result<Rows<'_>> {
        let vals = p.vals();
        match self {
            Stmt::Lite(s) => Ok(Rows::Lite(
                s.query(rusqlite::params_from_iter(vals.iter()))?,
            )),
            Stmt::Pg(pg, st, at) => {
                pg.count(*at);
                Ok(Rows::Pg(pg.rows(st, &vals)?.into_iter(), None))
            }
        }
    }

    /// Runs the query and converts each row with `f`.
    ///
    /// # Errors
    /// What the database says.
    pub fn query_map<P: Params, T, F: FnMut(&Row<'_>) -> Result<T>>(
        &mut self,
        p: P,
        f: F,
    ) -> Result<MappedRows<'_, F>> {
        Ok(MappedRows {
            rows: self.query(p)?,
            f,
        })
    }

    /// Whether the query returns a row.
    ///
    /// # Errors
    /// What the database says.
    pub fn exists<P: Params>(&mut self, p: P) -> Result<bool> {
        Ok(self.query(p)?.next()?.is_some())
    }

    /// The first row, converted by `f`.
    ///
    /// # Errors
    /// [`Error::NoRow`] when there is none; what the database or `f` says.
    pub fn query_row<P: Params, T, F: FnOnce(&Row<'_>) -> Result<T>>(
        &mut self,
        p: P,
        f: F,
    ) -> Result<T> {
        let mut rows = self.query(p)?;
        match rows.next()? {
            Some(r) => f(&r),
            None => Err(Error::NoRow),
        }
    }
}

/// `Ok(None)` for a query that found no row.
pub trait OptionalExtension<T> {
    /// The row, or `None` when there was none.
    ///
    /// # Errors
    /// Every error but [`Error::NoRow`].
    fn optional(self) -> Result<Option<T>>;
}

impl<T> OptionalExtension<T> for Result<T> {
    fn optional(self) -> Result<Option<T>> {
        match self {
            Ok(v) => Ok(Some(v)),
            Err(Error::NoRow) => Ok(None),
            Err(e) => Err(e),
        }
    }
}

impl Db {
    /// Whether this is PostgreSQL.
    #[must_use]
    pub fn is_postgres(&self) -> bool {
        matches!(self, Db::Pg(_))
    }

    /// A prepared statement, from the connection's cache.
    ///
    /// # Errors
    /// When the database refuses the statement.
    pub fn prepare_cached(&self, sql: &str) -> Result<Stmt<'_>> {
        match self {
            Db::Lite(c) => Ok(Stmt::Lite(c.prepare_cached(sql)?)),
            Db::Pg(pg) => {
                let (st, at) = pg.statement(sql)?;
                Ok(Stmt::Pg(pg, st, at))
            }
        }
    }

    /// Runs one statement; the number of rows it changed.
    ///
    /// # Errors
    /// What the database says.
    pub fn execute<P: Params>(&self, sql: &str, p: P) -> Result<usize> {
        self.prepare_cached(sql)?.execute(p)
    }

    /// The first row of a query, converted by `f`.
    ///
    /// # Errors
    /// [`Error::NoRow`] when there is none; what the database or `f` says.
    pub fn query_row<P: Params, T, F: FnOnce(&Row<'_>) -> Result<T>>(
        &self,
        sql: &str,
        p: P,
        f: F,
    ) -> Result<T> {
        self.prepare_cached(sql)?.query_row(p, f)
    }

    /// Runs statements without parameters.
    ///
    /// # Errors
    /// What the database says.
    pub fn execute_batch(&self, sql: &str) -> Result<()> {
        match self {
            Db::Lite(c) => Ok(c.execute_batch(sql)?),
            Db::Pg(pg) => pg.batch(sql),
        }
    }
}

/// A write transaction: statements run through it as through the connection (it
/// dereferences to [`Db`]); it is rolled back unless committed.
pub struct Tx<'a> {
    db: &'a Db,
    open: bool,
}

/// Every write transaction on PostgreSQL holds this advisory lock: writers take turns, as
/// on SQLite (`BEGIN IMMEDIATE`), so concurrent pollers never deadlock on index rows.
pub const WRITE_LOCK: i64 = 0x6669_7273_7468_0001;

impl<'a> Tx<'a> {
    /// Begins a write transaction.
    ///
    /// # Errors
    /// When the database is busy past its timeout or refuses.
    pub fn begin(db: &'a Db) -> Result<Self> {
        match db {
            Db::Lite(c) => c.execute_batch("BEGIN IMMEDIATE")?,
            Db::Pg(pg) => {
                pg.batch("BEGIN")?;
                let tx = Self { db, open: true };
                db.execute("SELECT pg_advisory_xact_lock(?1)", [WRITE_LOCK])?;
                return Ok(tx);
            }
        }
        Ok(Self { db, open: true })
    }

    /// Begins a read transaction: every query in it sees one state of the database.
    ///
    /// # Errors
    /// What the database says.
    pub fn read(db: &'a Db) -> Result<Self> {
        db.execute_batch(match db {
            Db::Lite(_) => "BEGIN DEFERRED",
            Db::Pg(_) => "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY",
        })?;
        Ok(Self { db, open: true })
    }

    /// Commits.
    ///
    /// # Errors
    /// What the database says; nothing is written then.
    pub fn commit(mut self) -> Result<()> {
        self.open = false;
        self.db.execute_batch("COMMIT")
    }
}

impl Drop for Tx<'_> {
    fn drop(&mut self) {
        if self.open {
            // Nothing else can be done with a failed rollback: the connection is gone.
            let _ = self.db.execute_batch("ROLLBACK");
        }
    }
}

impl std::ops::Deref for Tx<'_> {
    type Target = Db;

    fn deref(&self) -> &Db {
        self.db
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholders_become_numbered_dollars_outside_quotes() {
        assert_eq!(
            to_postgres("SELECT a FROM t WHERE b = ?2 AND c = '?' AND d = ?1"),
            "SELECT a FROM t WHERE b = $2 AND c = '?' AND d = $1"
        );
        assert_eq!(
            to_postgres("VALUES (?, ?), (?, ?)"),
            "VALUES ($1, $2), ($3, $4)"
        );
        assert_eq!(
            to_postgres("INSERT OR IGNORE INTO t (a) VALUES (?1) RETURNING id"),
            "INSERT INTO t (a) VALUES ($1) ON CONFLICT DO NOTHING RETURNING id"
        );
        assert_eq!(
            to_postgres("SELECT 1 WHERE a LIKE ?1 ESCAPE '\\'"),
            "SELECT 1 WHERE a ILIKE $1 ESCAPE '\\'"
        );
    }

    #[test]
    fn numeric_sums_read_as_integers_or_floats() {
        // 12345678 = 1234 * 10000 + 5678: weight 1, two digits.
        let raw = [0, 2, 0, 1, 0, 0, 0, 0, 0x04, 0xD2, 0x16, 0x2E];
        assert_eq!(numeric(&raw).unwrap(), Val::Int(12_345_678));
        // -0.5 = 5000 * 10000^-1, dscale 1.
        let raw = [0, 1, 0xFF, 0xFF, 0x40, 0, 0, 1, 0x13, 0x88];
        assert_eq!(numeric(&raw).unwrap(), Val::Real(-0.5));
    }

    #[test]
    fn a_sqlite_row_reads_by_position_and_name() {
        let db = Db::Lite(rusqlite::Connection::open_in_memory().unwrap());
        let (a, b, c): (i64, Option<String>, f64) = db
            .query_row(
                "SELECT ?1 AS a, NULL AS b, ?2 AS c",
                params![7i64, 0.5f64],
                |r| Ok((r.get("a")?, r.get(1)?, r.get(2)?)),
            )
            .unwrap();
        assert_eq!((a, b, c), (7, None, 0.5));
        let none = db
            .query_row("SELECT 1 WHERE 0", (), |r| r.get::<_, i64>(0))
            .optional()
            .unwrap();
        assert_eq!(none, None);
    }
}
