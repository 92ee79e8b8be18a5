"""What a project declares: [project] and [tool.staged-release] read into one frozen Config
(project, settings, checked against settings.schema.json by schemas), the images and E2E tables
(images, e2e), the one placeholder dialect (placeholders), where tests and version files are
(layout) and what `init` detects (detect)."""
