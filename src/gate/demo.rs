//! A simulated morning at an entrance (filled in below).
