//! Recorded sensor streams on disk (filled in below).
