"""What a release is made of: the one build of sdist and wheel (build), its manifest of names and
sha256 (manifest), what a built file says about itself (metadata), and a scratch copy of the
source to build from (source). A compiled project's wheels: one per Python, repaired (compiled),
which tags PyPI accepts and an interpreter installs (wheels), and wheels built elsewhere taken
in, verified (prebuilt)."""
