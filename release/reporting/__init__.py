"""What a person reads of a run: the journey through the machine (journey), its renderings as
Markdown, HTML and SVG and the files they are written to, and a job's step summary on GitHub."""
