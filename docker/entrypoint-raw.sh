#!/bin/sh
# uvicorn serving $APP. exec: uvicorn becomes PID 1, so `docker stop` signals it directly.
set -eu
exec uvicorn --host "${HOST}" --port "${PORT}" "$@" "${APP}"
