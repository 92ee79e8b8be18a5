"""The leaves every other package stands on: the one exception family (errors), the one place
that starts processes (runner), text that leaves the suite (text: redaction, plain text), check
verdicts, locks, git, progress lines, ordered parallel work, and local services (service: a free
loopback port, waiting until a server answers). core imports nothing else of release."""
