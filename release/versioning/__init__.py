"""Version rules (pure): the accepted forms and tags (versions), the agreement of pyproject.toml,
uv.lock and the tag (check), which versions are consumed (consumed) and which is next
(fixforward), and writing the next one (bump)."""
