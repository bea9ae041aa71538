//! The serde side: a `Serializer` that turns any `T: Serialize` into [`Sink`] calls,
//! following serde_json's data model (see the module above for the mapping).

use std::fmt;

use serde::ser::{self, Impossible, Serialize};

use super::Sink;
use crate::value::Failure;

/// serde needs an error type of its own; it only carries a [`Failure`] through.
pub struct Error(pub Failure);

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.0 {
            Failure::Nix => f.write_str("Nix reported an error"),
            Failure::Message(m) => f.write_str(m),
        }
    }
}

impl fmt::Debug for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

impl std::error::Error for Error {}

impl ser::Error for Error {
    fn custom<T: fmt::Display>(msg: T) -> Self {
        Error(Failure::Message(msg.to_string()))
    }
}

type Result<T = ()> = std::result::Result<T, Error>;

fn lift(r: std::result::Result<(), Failure>) -> Result {
    r.map_err(Error)
}

fn no_nul(s: &str, what: &str) -> Result {
    if s.as_bytes().contains(&0) {
        Err(Error(format!("{what} contains a NUL character").into()))
    } else {
        Ok(())
    }
}

/// A u64 or i128 the way serde_json numbers became Nix values: an int when it fits
/// i64, a float when it only fits u64, an error beyond.
fn wide_int<S: Sink>(sink: &mut S, v: i128) -> Result {
    if let Ok(i) = i64::try_from(v) {
        lift(sink.int(i))
    } else if let Ok(u) = u64::try_from(v) {
        lift(sink.float(u as f64))
    } else {
        Err(Error("a result number is out of range".into()))
    }
}

/// Serializes one value onto the sink's stack.
pub struct Ser<'a, S>(pub &'a mut S);

impl<'a, S: Sink> ser::Serializer for Ser<'a, S> {
    type Ok = ();
    type Error = Error;
    type SerializeSeq = List<'a, S>;
    type SerializeTuple = List<'a, S>;
    type SerializeTupleStruct = List<'a, S>;
    type SerializeTupleVariant = List<'a, S>;
    type SerializeMap = Attrs<'a, S>;
    type SerializeStruct = Attrs<'a, S>;
    type SerializeStructVariant = Attrs<'a, S>;

    fn serialize_bool(self, v: bool) -> Result {
        lift(self.0.bool(v))
    }
    fn serialize_i8(self, v: i8) -> Result {
        lift(self.0.int(v.into()))
    }
    fn serialize_i16(self, v: i16) -> Result {
        lift(self.0.int(v.into()))
    }
    fn serialize_i32(self, v: i32) -> Result {
        lift(self.0.int(v.into()))
    }
    fn serialize_i64(self, v: i64) -> Result {
        lift(self.0.int(v))
    }
    fn serialize_i128(self, v: i128) -> Result {
        wide_int(self.0, v)
    }
    fn serialize_u8(self, v: u8) -> Result {
        lift(self.0.int(v.into()))
    }
    fn serialize_u16(self, v: u16) -> Result {
        lift(self.0.int(v.into()))
    }
    fn serialize_u32(self, v: u32) -> Result {
        lift(self.0.int(v.into()))
    }
    fn serialize_u64(self, v: u64) -> Result {
        wide_int(self.0, v.into())
    }
    fn serialize_u128(self, v: u128) -> Result {
        wide_int(self.0, i128::try_from(v).unwrap_or(i128::MAX))
    }
    fn serialize_f32(self, v: f32) -> Result {
        self.serialize_f64(v.into())
    }
    fn serialize_f64(self, v: f64) -> Result {
        // serde_json has no NaN or infinity and makes them null.
        lift(if v.is_finite() { self.0.float(v) } else { self.0.null() })
    }
    fn serialize_char(self, v: char) -> Result {
        self.serialize_str(v.encode_utf8(&mut [0; 4]))
    }
    fn serialize_str(self, v: &str) -> Result {
        no_nul(v, "a result string")?;
        lift(self.0.string(v))
    }
    fn serialize_bytes(self, v: &[u8]) -> Result {
        // serde_json: a list of numbers.
        for b in v {
            lift(self.0.int((*b).into()))?;
        }
        lift(self.0.list(v.len()))
    }
    fn serialize_none(self) -> Result {
        lift(self.0.null())
    }
    fn serialize_some<T: Serialize + ?Sized>(self, value: &T) -> Result {
        value.serialize(self)
    }
    fn serialize_unit(self) -> Result {
        lift(self.0.null())
    }
    fn serialize_unit_struct(self, _name: &'static str) -> Result {
        lift(self.0.null())
    }
    fn serialize_unit_variant(self, _: &'static str, _: u32, variant: &'static str) -> Result {
        self.serialize_str(variant)
    }
    fn serialize_newtype_struct<T: Serialize + ?Sized>(self, _: &'static str, value: &T) -> Result {
        value.serialize(self)
    }
    fn serialize_newtype_variant<T: Serialize + ?Sized>(self, _: &'static str, _: u32, variant: &'static str, value: &T) -> Result {
        name(self.0, variant)?;
        value.serialize(Ser(&mut *self.0))?;
        lift(self.0.attrs(1, false))
    }
    fn serialize_seq(self, _len: Option<usize>) -> Result<List<'a, S>> {
        Ok(List::new(self.0, false))
    }
    fn serialize_tuple(self, _len: usize) -> Result<List<'a, S>> {
        Ok(List::new(self.0, false))
    }
    fn serialize_tuple_struct(self, _: &'static str, _len: usize) -> Result<List<'a, S>> {
        Ok(List::new(self.0, false))
    }
    fn serialize_tuple_variant(self, _: &'static str, _: u32, variant: &'static str, _len: usize) -> Result<List<'a, S>> {
        name(self.0, variant)?;
        Ok(List::new(self.0, true))
    }
    fn serialize_map(self, _len: Option<usize>) -> Result<Attrs<'a, S>> {
        Ok(Attrs::new(self.0, false, true))
    }
    fn serialize_struct(self, _: &'static str, _len: usize) -> Result<Attrs<'a, S>> {
        Ok(Attrs::new(self.0, false, false))
    }
    fn serialize_struct_variant(self, _: &'static str, _: u32, variant: &'static str, _len: usize) -> Result<Attrs<'a, S>> {
        name(self.0, variant)?;
        Ok(Attrs::new(self.0, true, false))
    }
}

fn name<S: Sink>(sink: &mut S, s: &str) -> Result {
    no_nul(s, "an attribute name")?;
    lift(sink.name(s))
}

/// An open list (or, for a tuple variant, the list inside `{ <variant> = [ … ]; }`,
/// whose name is already pushed). Counting the elements, rather than trusting serde's
/// length hint, keeps the stack consistent whatever a `Serialize` impl does.
pub struct List<'a, S> {
    sink: &'a mut S,
    n: usize,
    variant: bool,
}

impl<'a, S: Sink> List<'a, S> {
    fn new(sink: &'a mut S, variant: bool) -> Self {
        List { sink, n: 0, variant }
    }
    fn push<T: Serialize + ?Sized>(&mut self, value: &T) -> Result {
        value.serialize(Ser(&mut *self.sink))?;
        self.n += 1;
        Ok(())
    }
    fn close(self) -> Result {
        lift(self.sink.list(self.n))?;
        if self.variant {
            lift(self.sink.attrs(1, false))?;
        }
        Ok(())
    }
}

impl<S: Sink> ser::SerializeSeq for List<'_, S> {
    type Ok = ();
    type Error = Error;
    fn serialize_element<T: Serialize + ?Sized>(&mut self, value: &T) -> Result {
        self.push(value)
    }
    fn end(self) -> Result {
        self.close()
    }
}

impl<S: Sink> ser::SerializeTuple for List<'_, S> {
    type Ok = ();
    type Error = Error;
    fn serialize_element<T: Serialize + ?Sized>(&mut self, value: &T) -> Result {
        self.push(value)
    }
    fn end(self) -> Result {
        self.close()
    }
}

impl<S: Sink> ser::SerializeTupleStruct for List<'_, S> {
    type Ok = ();
    type Error = Error;
    fn serialize_field<T: Serialize + ?Sized>(&mut self, value: &T) -> Result {
        self.push(value)
    }
    fn end(self) -> Result {
        self.close()
    }
}

impl<S: Sink> ser::SerializeTupleVariant for List<'_, S> {
    type Ok = ();
    type Error = Error;
    fn serialize_field<T: Serialize + ?Sized>(&mut self, value: &T) -> Result {
        self.push(value)
    }
    fn end(self) -> Result {
        self.close()
    }
}

/// An open attrset (or the one inside `{ <variant> = { … }; }`).
pub struct Attrs<'a, S> {
    sink: &'a mut S,
    n: usize,
    variant: bool,
    map: bool,
}

impl<'a, S: Sink> Attrs<'a, S> {
    fn new(sink: &'a mut S, variant: bool, map: bool) -> Self {
        Attrs { sink, n: 0, variant, map }
    }
    fn field<T: Serialize + ?Sized>(&mut self, key: &str, value: &T) -> Result {
        name(self.sink, key)?;
        self.push_value(value)
    }
    fn push_value<T: Serialize + ?Sized>(&mut self, value: &T) -> Result {
        value.serialize(Ser(&mut *self.sink))?;
        self.n += 1;
        Ok(())
    }
    fn close(self) -> Result {
        lift(self.sink.attrs(self.n, self.map))?;
        if self.variant {
            lift(self.sink.attrs(1, false))?;
        }
        Ok(())
    }
}

impl<S: Sink> ser::SerializeMap for Attrs<'_, S> {
    type Ok = ();
    type Error = Error;
    fn serialize_key<T: Serialize + ?Sized>(&mut self, key: &T) -> Result {
        key.serialize(KeySer(&mut *self.sink))
    }
    fn serialize_value<T: Serialize + ?Sized>(&mut self, value: &T) -> Result {
        self.push_value(value)
    }
    fn end(self) -> Result {
        self.close()
    }
}

impl<S: Sink> ser::SerializeStruct for Attrs<'_, S> {
    type Ok = ();
    type Error = Error;
    fn serialize_field<T: Serialize + ?Sized>(&mut self, key: &'static str, value: &T) -> Result {
        self.field(key, value)
    }
    fn end(self) -> Result {
        self.close()
    }
}

impl<S: Sink> ser::SerializeStructVariant for Attrs<'_, S> {
    type Ok = ();
    type Error = Error;
    fn serialize_field<T: Serialize + ?Sized>(&mut self, key: &'static str, value: &T) -> Result {
        self.field(key, value)
    }
    fn end(self) -> Result {
        self.close()
    }
}

/// Map keys become attribute names. Like serde_json: strings, chars, integers,
/// booleans and unit variants (by name); anything else is an error. (serde_json also
/// takes floats, formatted by `ryu`; no result of the plugin has float keys.)
struct KeySer<'a, S>(&'a mut S);

fn key_error() -> Error {
    Error("a map key must be a string, an integer, a boolean or a unit variant".into())
}

impl<S: Sink> ser::Serializer for KeySer<'_, S> {
    type Ok = ();
    type Error = Error;
    type SerializeSeq = Impossible<(), Error>;
    type SerializeTuple = Impossible<(), Error>;
    type SerializeTupleStruct = Impossible<(), Error>;
    type SerializeTupleVariant = Impossible<(), Error>;
    type SerializeMap = Impossible<(), Error>;
    type SerializeStruct = Impossible<(), Error>;
    type SerializeStructVariant = Impossible<(), Error>;

    fn serialize_str(self, v: &str) -> Result {
        name(self.0, v)
    }
    fn serialize_char(self, v: char) -> Result {
        name(self.0, v.encode_utf8(&mut [0; 4]))
    }
    fn serialize_bool(self, v: bool) -> Result {
        name(self.0, if v { "true" } else { "false" })
    }
    fn serialize_i8(self, v: i8) -> Result {
        name(self.0, &v.to_string())
    }
    fn serialize_i16(self, v: i16) -> Result {
        name(self.0, &v.to_string())
    }
    fn serialize_i32(self, v: i32) -> Result {
        name(self.0, &v.to_string())
    }
    fn serialize_i64(self, v: i64) -> Result {
        name(self.0, &v.to_string())
    }
    fn serialize_i128(self, v: i128) -> Result {
        name(self.0, &v.to_string())
    }
    fn serialize_u8(self, v: u8) -> Result {
        name(self.0, &v.to_string())
    }
    fn serialize_u16(self, v: u16) -> Result {
        name(self.0, &v.to_string())
    }
    fn serialize_u32(self, v: u32) -> Result {
        name(self.0, &v.to_string())
    }
    fn serialize_u64(self, v: u64) -> Result {
        name(self.0, &v.to_string())
    }
    fn serialize_u128(self, v: u128) -> Result {
        name(self.0, &v.to_string())
    }
    fn serialize_unit_variant(self, _: &'static str, _: u32, variant: &'static str) -> Result {
        name(self.0, variant)
    }
    fn serialize_newtype_struct<T: Serialize + ?Sized>(self, _: &'static str, value: &T) -> Result {
        value.serialize(self)
    }

    fn serialize_f32(self, _: f32) -> Result {
        Err(key_error())
    }
    fn serialize_f64(self, _: f64) -> Result {
        Err(key_error())
    }
    fn serialize_bytes(self, _: &[u8]) -> Result {
        Err(key_error())
    }
    fn serialize_none(self) -> Result {
        Err(key_error())
    }
    fn serialize_some<T: Serialize + ?Sized>(self, _: &T) -> Result {
        Err(key_error())
    }
    fn serialize_unit(self) -> Result {
        Err(key_error())
    }
    fn serialize_unit_struct(self, _: &'static str) -> Result {
        Err(key_error())
    }
    fn serialize_newtype_variant<T: Serialize + ?Sized>(self, _: &'static str, _: u32, _: &'static str, _: &T) -> Result {
        Err(key_error())
    }
    fn serialize_seq(self, _: Option<usize>) -> Result<Self::SerializeSeq> {
        Err(key_error())
    }
    fn serialize_tuple(self, _: usize) -> Result<Self::SerializeTuple> {
        Err(key_error())
    }
    fn serialize_tuple_struct(self, _: &'static str, _: usize) -> Result<Self::SerializeTupleStruct> {
        Err(key_error())
    }
    fn serialize_tuple_variant(self, _: &'static str, _: u32, _: &'static str, _: usize) -> Result<Self::SerializeTupleVariant> {
        Err(key_error())
    }
    fn serialize_map(self, _: Option<usize>) -> Result<Self::SerializeMap> {
        Err(key_error())
    }
    fn serialize_struct(self, _: &'static str, _: usize) -> Result<Self::SerializeStruct> {
        Err(key_error())
    }
    fn serialize_struct_variant(self, _: &'static str, _: u32, _: &'static str, _: usize) -> Result<Self::SerializeStructVariant> {
        Err(key_error())
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use serde::Serialize;

    use super::*;

    /// Records the postfix program as text.
    #[derive(Default)]
    struct Record(Vec<String>);

    impl Sink for Record {
        fn null(&mut self) -> std::result::Result<(), Failure> {
            self.0.push("null".into());
            Ok(())
        }
        fn bool(&mut self, b: bool) -> std::result::Result<(), Failure> {
            self.0.push(b.to_string());
            Ok(())
        }
        fn int(&mut self, i: i64) -> std::result::Result<(), Failure> {
            self.0.push(format!("int {i}"));
            Ok(())
        }
        fn float(&mut self, f: f64) -> std::result::Result<(), Failure> {
            self.0.push(format!("float {f:?}"));
            Ok(())
        }
        fn string(&mut self, s: &str) -> std::result::Result<(), Failure> {
            self.0.push(format!("{s:?}"));
            Ok(())
        }
        fn name(&mut self, s: &str) -> std::result::Result<(), Failure> {
            self.0.push(format!("name {s}"));
            Ok(())
        }
        fn list(&mut self, n: usize) -> std::result::Result<(), Failure> {
            self.0.push(format!("list {n}"));
            Ok(())
        }
        fn attrs(&mut self, n: usize, from_map: bool) -> std::result::Result<(), Failure> {
            self.0.push(format!("attrs {n}{}", if from_map { " map" } else { "" }));
            Ok(())
        }
        fn finish(&mut self, _: *mut crate::ffi::nix_value) -> std::result::Result<(), Failure> {
            Ok(())
        }
    }

    fn program<T: Serialize>(v: &T) -> std::result::Result<String, String> {
        let mut r = Record::default();
        v.serialize(Ser(&mut r)).map_err(|e| e.to_string())?;
        Ok(r.0.join("; "))
    }

    #[derive(Serialize)]
    #[serde(rename_all = "kebab-case")]
    enum E {
        UnitCase,
        New(u8),
        Tuple(u8, bool),
        Struct { a: Option<u8> },
    }

    #[test]
    fn follows_serde_json_data_model() {
        #[derive(Serialize)]
        struct S {
            none: Option<String>,
            big: u64,
            nan: f64,
            unit: E,
            tuple: E,
        }
        let s = S { none: None, big: u64::MAX, nan: f64::NAN, unit: E::UnitCase, tuple: E::Tuple(1, true) };
        assert_eq!(
            program(&s).unwrap(),
            "name none; null; name big; float 1.8446744073709552e19; name nan; null; \
             name unit; \"unit-case\"; name tuple; name tuple; int 1; true; list 2; attrs 1; \
             attrs 5"
        );
        assert_eq!(program(&E::New(3)).unwrap(), "name new; int 3; attrs 1");
        assert_eq!(program(&E::Struct { a: Some(1) }).unwrap(), "name struct; name a; int 1; attrs 1; attrs 1");
        let m: BTreeMap<u8, Vec<()>> = [(7, vec![(), ()])].into();
        assert_eq!(program(&m).unwrap(), "name 7; null; null; list 2; attrs 1 map");
    }

    #[test]
    fn nul_in_strings_and_names_is_an_error() {
        let e = program(&"a\0b").unwrap_err();
        assert_eq!(e, "a result string contains a NUL character");
        let m: BTreeMap<&str, u8> = [("a\0", 1)].into();
        assert_eq!(program(&m).unwrap_err(), "an attribute name contains a NUL character");
    }

    #[test]
    fn map_keys_that_are_not_scalars_are_an_error() {
        let m: BTreeMap<Vec<u8>, u8> = [(vec![1], 1)].into();
        assert!(program(&m).unwrap_err().contains("map key must be"));
    }
}
