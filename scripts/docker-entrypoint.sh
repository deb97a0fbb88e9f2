#!/bin/sh
# Entrypoint of the image. The master key is never baked into the image: SERVICE_ACCOUNT_ENCRYPTION_KEY(S) when
# given; otherwise the key in MASTER_KEY_FILE (compose: a named volume), which the one-shot `migrate` service
# (MASTER_KEY_GENERATE=true) creates on first start. Back that volume up: without the key, stored keys are lost.
set -e
if [ -z "$SERVICE_ACCOUNT_ENCRYPTION_KEY" ] && [ -z "$SERVICE_ACCOUNT_ENCRYPTION_KEYS" ] && [ -n "$MASTER_KEY_FILE" ]; then
  if [ ! -s "$MASTER_KEY_FILE" ]; then
    if [ "$MASTER_KEY_GENERATE" = "true" ]; then
      mkdir -p "$(dirname "$MASTER_KEY_FILE")"
      (umask 077 && node -e "process.stdout.write(require('node:crypto').randomBytes(32).toString('base64'))" \
        > "$MASTER_KEY_FILE.tmp") && mv "$MASTER_KEY_FILE.tmp" "$MASTER_KEY_FILE"
      echo "Generated a master key into $MASTER_KEY_FILE (keep that volume: it decrypts the stored keys)" >&2
    else
      echo "No master key: set SERVICE_ACCOUNT_ENCRYPTION_KEY, or start the migrate service first ($MASTER_KEY_FILE)" >&2
      exit 1
    fi
  fi
  SERVICE_ACCOUNT_ENCRYPTION_KEY=$(cat "$MASTER_KEY_FILE")
  export SERVICE_ACCOUNT_ENCRYPTION_KEY
fi
exec "$@"
