"""What a project declares: [project] and [tool.staged-release] read into one frozen Config
(project, settings, checked against settings.schema.json by schemas), the images and E2E tables
(images, e2e), the one placeholder dialect (placeholders), where tests and version files are
(layout) and what `init` detects (detect)."""

# What the suite owns in a project: state, logs, reports. Here, not in project, so that a cell can
# start its index server there before the project's reading (packaging's parser) is loaded.
STATE_DIR = ".staged-release"
