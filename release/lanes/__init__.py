"""The lanes: the stage table (stages), which lane a trigger runs (plan, from a GitHub event by
github), the lanes' first stages (entry: the version check and the one build) and the report
every run writes (report)."""
