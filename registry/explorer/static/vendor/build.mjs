// Rebuild the explorer's vendored map files from package-lock.json, reproducibly:
//   node build.mjs        (in this folder; needs node >= 20 and npm)
// It installs the locked packages in a temporary folder (`npm ci`), copies the built files and
// each package's licence here, and removes the temporary folder. Nothing is fetched at run time.
import { execFileSync } from "node:child_process";
import { copyFileSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const here = fileURLToPath(new URL(".", import.meta.url));
const FILES = [
  ["d3-array/dist/d3-array.min.js", "d3-array.min.js"],
  ["d3-geo/dist/d3-geo.min.js", "d3-geo.min.js"],
  ["topojson-client/dist/topojson-client.min.js", "topojson-client.min.js"],
  ["world-atlas/countries-50m.json", "countries-50m.json"],
];
const LICENCES = ["d3-array", "d3-geo", "topojson-client", "world-atlas"];

const work = mkdtempSync(join(tmpdir(), "explorer-vendor-"));
try {
  for (const name of ["package.json", "package-lock.json"]) copyFileSync(join(here, name), join(work, name));
  execFileSync("npm", ["ci", "--ignore-scripts", "--no-audit", "--no-fund"], { cwd: work, stdio: "inherit" });
  const modules = join(work, "node_modules");
  for (const [from, to] of FILES) copyFileSync(join(modules, from), join(here, to));
  for (const name of LICENCES) copyFileSync(join(modules, name, "LICENSE"), join(here, `LICENSE.${name}`));
} finally {
  rmSync(work, { recursive: true, force: true });
}
