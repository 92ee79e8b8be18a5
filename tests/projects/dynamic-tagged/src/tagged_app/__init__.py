"""A fixture whose version is its git tag."""
