#!/usr/bin/env node
import('../dist/cmd/k8ts.js')
  .then((m) => m.main(process.argv.slice(2)))
  .then(() => process.exit(process.exitCode ?? 0))
  .catch((err) => {
    console.error(err && err.stack ? err.stack : String(err));
    process.exit(1);
  });
