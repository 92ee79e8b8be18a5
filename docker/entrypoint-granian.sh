#!/bin/sh
# granian serving $APP over ASGI. exec: granian becomes PID 1, so
# `docker stop` signals it directly.
set -eu
exec granian --interface asgi --host "${HOST}" --port "${PORT}" "$@" "${APP}"
