#!/bin/sh
# nginx on $PORT in front of uvicorn. Both must run: when either ends, so does the container.
# TLS when a certificate and key are mounted at /etc/staged-release/tls/, plain HTTP otherwise.
set -eu
run=/tmp/staged-release
tls=/etc/staged-release/tls
mkdir -p "${run}/nginx"

if [ -n "${UPSTREAM_PORT:-}" ]; then
    upstream="127.0.0.1:${UPSTREAM_PORT}"
    set -- --host 127.0.0.1 --port "${UPSTREAM_PORT}" "$@"
else
    upstream="unix:${run}/app.sock"
    # Only nginx reaches the socket, so the client address it forwards can be believed.
    set -- --uds "${run}/app.sock" --forwarded-allow-ips "*" "$@"
fi
if [ -f "${tls}/cert.pem" ] && [ -f "${tls}/key.pem" ]; then
    listen="${HOST}:${PORT} ssl"
    certificate="ssl_certificate ${tls}/cert.pem; ssl_certificate_key ${tls}/key.pem;"
else
    listen="${HOST}:${PORT}"
    certificate=""
fi
sed -e "s|@LISTEN@|${listen}|" -e "s|@UPSTREAM@|${upstream}|" -e "s|@TLS@|${certificate}|" \
    -e "s|@RUN@|${run}|g" /opt/staged-release/nginx.conf > "${run}/nginx/nginx.conf"

uvicorn "$@" "${APP}" &
app=$!
# -e: nginx opens its compiled-in error log before reading the configuration.
nginx -p "${run}/nginx" -c "${run}/nginx/nginx.conf" -e stderr -g "daemon off;" &
web=$!

stopping=""
trap 'stopping=yes; kill -TERM "${app}" "${web}" 2>/dev/null || true' INT TERM
# POSIX sh has no `wait -n`: look at both every second.
while [ -z "${stopping}" ] && kill -0 "${app}" 2>/dev/null && kill -0 "${web}" 2>/dev/null; do
    sleep 1
done
kill -TERM "${app}" "${web}" 2>/dev/null || true
wait "${app}" || true
wait "${web}" || true
# A stop we were asked for is a success; a server that died on its own is not.
[ -n "${stopping}" ]
