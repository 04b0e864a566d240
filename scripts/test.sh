#!/usr/bin/env bash
# The whole test suite: system packages the tests need, type-check, lint, format, build, tests.
set -euo pipefail
cd "$(dirname "$0")/.."

# Real components the tests run: Distribution's registry, htpasswd, lspci (ground truth),
# chromium (the HTML report), kubectl (checks the API server fake).
need=()
command -v docker-registry >/dev/null || [ -x /usr/bin/docker-registry ] || need+=(docker-registry)
command -v htpasswd >/dev/null || need+=(apache2-utils)
command -v lspci >/dev/null || need+=(pciutils)
command -v openssl >/dev/null || need+=(openssl)
# The audit page's browser test drives Debian's chromium (playwright-core, no download).
[ -x /usr/bin/chromium ] || need+=(chromium)
# The real kubectl checks the API server fake (test/k8s/kubectl.test.ts).
command -v kubectl >/dev/null || need+=(kubernetes-client)
# The completion scripts are read by the real shells, the man page by groff.
command -v zsh >/dev/null || need+=(zsh)
command -v fish >/dev/null || need+=(fish)
command -v groff >/dev/null || need+=(groff-base)
if [ ${#need[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ]; then
    echo "installing: ${need[*]}"
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null
  else
    echo "missing ${need[*]} (run as root or install them); tests that need them will fail" >&2
  fi
fi

npm run build
npx eslint .
npx prettier --check . >/dev/null || { npx prettier --check .; exit 1; }
node --enable-source-maps --test --test-concurrency=2 dist/test/
