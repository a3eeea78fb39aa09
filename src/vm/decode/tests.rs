//! The direct decoder against the tree path it replaces.
