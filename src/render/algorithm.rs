//! Algorithms (hillshade, slope, ...): see the following commits.
