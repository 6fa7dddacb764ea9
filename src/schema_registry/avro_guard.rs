//! A walk over an Avro body against its writer's schema, before the body
//! is given to apache-avro: bytes from a topic are untrusted, and
//! apache-avro 0.22 recurses once per nesting level without a limit (a
//! recursive schema and one byte per level overflow the stack, which no
//! `catch_unwind` catches), trusts item counts of items that take no bytes
//! (`null`, a record without fields: a few bytes claim billions of items),
//! and reads a body that ends early as `null`.
//!
//! The walk allocates nothing that grows with the body. It accepts a body
//! only if
//! - every length (bytes, string, map key) fits in what is left of it, and
//!   every varint ends within it and within 10 bytes (5 for an `int`);
//! - nesting is at most `max_depth` deep (records, arrays, maps, unions and
//!   named references each count one level, as each is one stack frame in
//!   apache-avro's decoder);
//! - what decoding it allocates stays within `budget` bytes: each value
//!   (record, field, array or map item, union branch, scalar) counts
//!   [`VALUE_COST`], plus the strings apache-avro copies from the schema
//!   into every value (an enum's symbol, a record's field names), whatever
//!   the item widths;
//! - union branches and enum symbols are in range;
//!
//! and it tells how many bytes one datum takes, so bytes after it are
//! seen.

use apache_avro::schema::{DecimalSchema, InnerDecimalSchema, NamesRef, UuidSchema};
use apache_avro::Schema;

/// What one decoded value costs in the budget: about an
/// `apache_avro::types::Value` and its share of the collection holding it.
pub(crate) const VALUE_COST: usize = 64;

/// The allocation budget of a body of `len` bytes: 256 bytes per byte of
/// body plus 16 MiB. Each value counts [`VALUE_COST`], each enum value the
/// symbol apache-avro copies into it, each record the field names it
/// copies. An honest datum costs about 100–200 bytes per byte of body (1–2
/// values a byte).
pub(crate) fn budget(len: usize) -> usize {
    len.saturating_mul(256).saturating_add(16 << 20)
}

/// What the walk found of a datum it accepted.
#[derive(Debug, PartialEq)]
pub(crate) struct Datum {
    /// The bytes it takes.
    pub len: usize,
    /// How deep it nests (1: a scalar).
    pub depth: usize,
}

/// Walks one datum of `schema` at the start of `body`.
pub(crate) fn walk(
    schema: &Schema,
    names: &NamesRef<'_>,
    body: &[u8],
    max_depth: usize,
    budget: usize,
) -> Result<Datum, String> {
    let mut w = Walk {
        body,
        pos: 0,
        spent: 0,
        deepest: 0,
        max_depth,
        budget,
        names,
    };
    w.value(schema, None, 1)?;
    Ok(Datum {
        len: w.pos,
        depth: w.deepest,
    })
}

struct Walk<'a, 'n> {
    body: &'a [u8],
    pos: usize,
    spent: usize,
    deepest: usize,
    max_depth: usize,
    budget: usize,
    names: &'a NamesRef<'n>,
}

impl Walk<'_, '_> {
    fn early_end(&self, what: &str) -> String {
        format!("the body ends in the middle of {what} (at byte {})", self.pos)
    }

    fn take(&mut self, n: usize, what: &str) -> Result<(), String> {
        let left = self.body.len() - self.pos;
        if n > left {
            return Err(format!(
                "{what} of {n} bytes at byte {}, with {left} bytes left in the body",
                self.pos
            ));
        }
        self.pos += n;
        Ok(())
    }

    /// A zigzag varint of at most `max_bytes` bytes.
    fn varint(&mut self, max_bytes: usize, what: &str) -> Result<i64, String> {
        let start = self.pos;
        let mut acc: u64 = 0;
        for i in 0..max_bytes {
            let Some(&b) = self.body.get(self.pos) else {
                return Err(self.early_end(what));
            };
            self.pos += 1;
            acc |= u64::from(b & 0x7f) << (7 * i);
            if b & 0x80 == 0 {
                return Ok((acc >> 1) as i64 ^ -((acc & 1) as i64));
            }
        }
        Err(format!("{what} at byte {start} runs past {max_bytes} bytes"))
    }

    fn long(&mut self, what: &str) -> Result<i64, String> {
        self.varint(10, what)
    }

    fn int(&mut self, what: &str) -> Result<i32, String> {
        let start = self.pos;
        let v = self.varint(5, what)?;
        i32::try_from(v).map_err(|_| format!("{what} at byte {start} is {v}, out of an int's range"))
    }

    /// A length-prefixed run of bytes (bytes, string, map key).
    fn sized(&mut self, what: &str) -> Result<(), String> {
        let start = self.pos;
        let len = self.long(what)?;
        let len = usize::try_from(len).map_err(|_| format!("{what} at byte {start} has length {len}"))?;
        self.take(len, what)
    }

    /// Spends `cost` bytes of the allocation budget.
    fn spend(&mut self, cost: usize) -> Result<(), String> {
        self.spent = self.spent.saturating_add(cost);
        if self.spent > self.budget {
            return Err(format!(
                "decoding the body ({} bytes) would allocate more than {} bytes: more than any honest datum of that size",
                self.body.len(),
                self.budget
            ));
        }
        Ok(())
    }

    fn value(&mut self, schema: &Schema, ns: Option<&str>, depth: usize) -> Result<(), String> {
        if depth > self.max_depth {
            return Err(format!(
                "the datum nests deeper than {} levels (at byte {})",
                self.max_depth, self.pos
            ));
        }
        self.deepest = self.deepest.max(depth);
        self.spend(VALUE_COST)?;
        match schema {
            Schema::Null => Ok(()),
            Schema::Boolean => self.take(1, "a boolean"),
            Schema::Int | Schema::Date | Schema::TimeMillis => self.int("an int").map(drop),
            Schema::Long
            | Schema::TimeMicros
            | Schema::TimestampMillis
            | Schema::TimestampMicros
            | Schema::TimestampNanos
            | Schema::LocalTimestampMillis
            | Schema::LocalTimestampMicros
            | Schema::LocalTimestampNanos => self.long("a long").map(drop),
            Schema::Float => self.take(4, "a float"),
            Schema::Double => self.take(8, "a double"),
            Schema::BigDecimal => {
                // Bytes holding a length-prefixed big integer and a scale:
                // apache-avro allocates by the inner length.
                let start = self.pos;
                let len = self.long("a big-decimal")?;
                let outer = usize::try_from(len)
                    .ok()
                    .filter(|l| *l <= self.body.len() - self.pos)
                    .ok_or_else(|| format!("a big-decimal at byte {start} has length {len}"))?;
                let end = self.pos + outer;
                let inner = self.long("a big-decimal's digits")?;
                if usize::try_from(inner).map_or(true, |i| i > end.saturating_sub(self.pos)) {
                    return Err(format!(
                        "a big-decimal at byte {start} claims {inner} bytes of digits in {outer} bytes"
                    ));
                }
                self.pos = end;
                Ok(())
            }
            Schema::Bytes
            | Schema::Uuid(UuidSchema::Bytes)
            | Schema::Decimal(DecimalSchema {
                inner: InnerDecimalSchema::Bytes,
                ..
            }) => self.sized("bytes"),
            Schema::String | Schema::Uuid(UuidSchema::String) => self.sized("a string"),
            Schema::Fixed(f)
            | Schema::Uuid(UuidSchema::Fixed(f))
            | Schema::Duration(f)
            | Schema::Decimal(DecimalSchema {
                inner: InnerDecimalSchema::Fixed(f),
                ..
            }) => self.take(f.size, "a fixed"),
            Schema::Enum(e) => {
                let start = self.pos;
                let longest = e.symbols.iter().map(String::len).max().unwrap_or(0);
                self.spend(longest)?;
                let i = self.int("an enum index")?;
                if usize::try_from(i).map_or(true, |i| i >= e.symbols.len()) {
                    return Err(format!(
                        "enum index {i} at byte {start}: {} has {} symbols",
                        e.name,
                        e.symbols.len()
                    ));
                }
                Ok(())
            }
            Schema::Union(u) => {
                let start = self.pos;
                let i = self.long("a union branch")?;
                let variants = u.variants();
                let Some(branch) = usize::try_from(i).ok().and_then(|i| variants.get(i)) else {
                    return Err(format!(
                        "union branch {i} at byte {start}: the union has {} branches",
                        variants.len()
                    ));
                };
                self.value(branch, ns, depth + 1)
            }
            Schema::Array(a) => self.blocks("an array", |w| w.value(&a.items, ns, depth + 1)),
            Schema::Map(m) => self.blocks("a map", |w| {
                w.sized("a map key")?;
                w.value(&m.types, ns, depth + 1)
            }),
            Schema::Record(r) => {
                let fq = r.name.fully_qualified_name(ns);
                for field in &r.fields {
                    self.spend(field.name.len())?;
                    self.value(&field.schema, fq.namespace(), depth + 1)?;
                }
                Ok(())
            }
            Schema::Ref { name } => {
                let fq = name.fully_qualified_name(ns);
                let Some(named) = self.names.get(fq.as_ref()) else {
                    return Err(format!("the writer's schema names {fq}, which it does not define"));
                };
                self.value(named, fq.namespace(), depth + 1)
            }
        }
    }

    /// Array or map blocks: a count (negative: followed by the block's size
    /// in bytes), that many items, until a count of 0.
    fn blocks(&mut self, what: &str, mut item: impl FnMut(&mut Self) -> Result<(), String>) -> Result<(), String> {
        loop {
            let start = self.pos;
            let n = self.long(what)?;
            if n == 0 {
                return Ok(());
            }
            if n < 0 {
                self.long(what)?;
            }
            let n = n
                .checked_abs()
                .ok_or_else(|| format!("{what} block at byte {start} counts {n} items"))?;
            for _ in 0..n {
                item(self)?;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use apache_avro::schema::ResolvedSchema;

    fn walk(schema: &str, body: &[u8], max_depth: usize) -> Result<usize, String> {
        let schema = Schema::parse_str(schema).unwrap();
        let names = ResolvedSchema::try_from(&schema).unwrap();
        super::walk(&schema, names.get_names(), body, max_depth, budget(body.len())).map(|d| d.len)
    }

    #[test]
    fn lengths_and_varints_must_fit() {
        assert_eq!(walk(r#""string""#, &[6, b'a', b'b', b'c'], 8), Ok(4));
        assert!(walk(r#""string""#, &[6, b'a'], 8).unwrap_err().contains("3 bytes"));
        assert!(walk(r#""long""#, &[0x80; 3], 8)
            .unwrap_err()
            .contains("ends in the middle"));
        assert!(walk(r#""long""#, &[0x80; 11], 8).unwrap_err().contains("past 10 bytes"));
        assert!(walk(r#""int""#, &[0xfe, 0xff, 0xff, 0xff, 0x1f], 8)
            .unwrap_err()
            .contains("range"));
        assert!(walk(r#""bytes""#, &[1], 8).unwrap_err().contains("length -1"));
    }

    #[test]
    fn truncation_is_not_null() {
        let s = r#"{"type":"record","name":"R","fields":[{"name":"id","type":"long"},{"name":"note","type":["null","string"]}]}"#;
        assert_eq!(walk(s, &[2, 2, 2, b'x'], 8), Ok(4));
        assert!(walk(s, &[2, 2], 8).unwrap_err().contains("ends in the middle"));
        assert!(walk(s, &[2], 8).unwrap_err().contains("ends in the middle"));
    }

    #[test]
    fn recursion_is_capped() {
        let s = r#"{"type":"record","name":"Node","fields":[{"name":"next","type":["null","Node"]}]}"#;
        let mut body = vec![2u8; 1000];
        body.push(0);
        let e = walk(s, &body, 64).unwrap_err();
        assert!(e.contains("deeper than 64"), "{e}");
        assert_eq!(walk(s, &[2, 2, 0], 64), Ok(3));
        let schema = Schema::parse_str(s).unwrap();
        let names = ResolvedSchema::try_from(&schema).unwrap();
        let d = super::walk(&schema, names.get_names(), &[2, 2, 0], 64, 10_000).unwrap();
        // Each node: record, union, reference; the last union holds a null.
        assert_eq!(d, Datum { len: 3, depth: 9 });
    }

    #[test]
    fn zero_width_items_are_counted() {
        let s = r#"{"type":"array","items":{"type":"array","items":"null"}}"#;
        // One outer block of 100 inner arrays, each claiming ~11M nulls.
        let mut body = vec![0xc8, 0x01];
        for _ in 0..100 {
            body.extend_from_slice(&[0x80, 0x80, 0x80, 0x0b, 0]);
        }
        body.push(0);
        let e = walk(s, &body, 64).unwrap_err();
        assert!(e.contains("would allocate more than"), "{e}");
    }

    #[test]
    fn copies_from_the_schema_are_charged() {
        let long = "a".repeat(100_000);
        let e = format!(r#"{{"type":"array","items":{{"type":"enum","name":"E","symbols":["{long}"]}}}}"#);
        let mut body = vec![0xa0, 0x9c, 0x01];
        body.resize(body.len() + 10_001, 0);
        assert!(walk(&e, &body, 8).unwrap_err().contains("would allocate"));
        let name = "f".repeat(10_000);
        let r = format!(
            r#"{{"type":"array","items":{{"type":"record","name":"R","fields":[{{"name":"{name}","type":"null"}}]}}}}"#
        );
        assert!(walk(&r, &[0x80, 0xf4, 0x03, 0], 8)
            .unwrap_err()
            .contains("would allocate"));
        let big = r#"{"type":"bytes","logicalType":"big-decimal"}"#;
        assert!(walk(big, &[0x0c, 0x80, 0x94, 0xeb, 0xdc, 0x03, 0], 8)
            .unwrap_err()
            .contains("claims"));
        assert_eq!(walk(big, &[0x06, 0x02, 0x7f, 0x04], 8), Ok(4));
    }

    #[test]
    fn branches_and_symbols_in_range() {
        assert!(walk(r#"["null","int"]"#, &[4], 8).unwrap_err().contains("2 branches"));
        assert!(walk(r#"{"type":"enum","name":"E","symbols":["A","B"]}"#, &[4], 8)
            .unwrap_err()
            .contains("2 symbols"));
    }
}
