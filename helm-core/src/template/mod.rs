//! A Go `text/template` engine (lexer → parser → compiled form → executor) with a function table.
//!
//! It knows nothing of charts: Helm's renderer gives it template sources, a [`funcs::FuncTable`]
//! and the data `.`. Output must be byte-identical to Go's, including Go's own printing of
//! values (`<no value>`, `map[a:1]`, `1e+06`) and its error texts.

pub mod funcs;
