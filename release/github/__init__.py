"""GitHub: the release workflow generated from the stage table (workflow, its pinned actions and
tools), the event a job runs for (events), the plan job's gates (at_plan, gates), the API calls
they make (api) and the tag's GitHub Release (releases)."""
