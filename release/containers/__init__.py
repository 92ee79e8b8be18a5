"""Docker: the engine a run uses, a private one when none answers (engine; its run directory's
housekeeping in _housekeeping, what it does with containers in _containers), the registry and its
local stand-in (registry; the token handshake in _auth), and the offline base image
(base_image)."""
