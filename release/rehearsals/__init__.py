"""Rehearsals on local stand-ins: one lane from a scratch copy (lane), the whole release state
machine with fix-forward (machine), and the generated workflow under act (workflow)."""
