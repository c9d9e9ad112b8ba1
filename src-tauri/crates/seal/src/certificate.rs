//! X.509 facts a person at a seal needs: holder, organisation identifier, country, validity,
//! qualified-seal statements. (Owned by the token work; filled in next.)
