"""The pipeline: the stage table (stages), which lane a trigger runs (plan), the lanes' first
stages (entry: the version check and the one build), the outcomes a lane records (outcomes),
`--fail-at` (inject) and the release state machine those outcomes walk (machine)."""
