//! Synthetic conversation generator (filled in by the dataset work).
