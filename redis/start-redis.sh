#!/bin/sh
# Starts Redis for MyMidas with its password in a config file, never in a process's arguments (any user of
# the host can list those with ps). docker-compose.yml runs this as the redis container's entrypoint:
# it writes a 0600 file that includes redis.conf and adds `requirepass`, then hands over to the image's
# own entrypoint (which drops to the redis user) with only that file's path.
set -eu
case "${REDIS_PASSWORD:-}" in
  '') echo 'start-redis: REDIS_PASSWORD is not set (scripts/gen-secrets.sh makes one)' >&2; exit 78 ;;
  *[!A-Za-z0-9_-]*) echo 'start-redis: REDIS_PASSWORD may hold only letters, digits, - and _ (scripts/gen-secrets.sh makes one)' >&2; exit 78 ;;
esac
dir="${REDIS_RUNTIME_DIR:-/tmp/mymidas-redis}"
umask 077
mkdir -p "$dir"
conf="$dir/redis.conf"
printf 'include %s\nrequirepass %s\n' "${REDIS_BASE_CONF:-/usr/local/etc/redis/redis.conf}" "$REDIS_PASSWORD" > "$conf"
if [ "$(id -u)" = 0 ] && id redis >/dev/null 2>&1; then chown -R redis "$dir"; fi
# The server itself does not need the variable; the healthcheck reads the container's own copy.
unset REDIS_PASSWORD
exec "${REDIS_ENTRYPOINT:-docker-entrypoint.sh}" redis-server "$conf"
