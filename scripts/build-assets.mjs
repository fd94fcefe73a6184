// Compiles the partnership's CSS with Sass and copies GOV.UK Frontend's JS, fonts-free assets.
import { cpSync, mkdirSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import * as sass from "sass";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const out = join(root, "frontoffice", "static");
const dist = join(root, "node_modules", "govuk-frontend", "dist", "govuk");

mkdirSync(out, { recursive: true });
const result = sass.compile(join(root, "assets", "scss", "application.scss"), {
  style: "compressed",
  importers: [new sass.NodePackageImporter()],
  quietDeps: true,
  silenceDeprecations: ["mixed-decls", "import"],
});
writeFileSync(join(out, "application.css"), result.css);
cpSync(join(dist, "govuk-frontend.min.js"), join(out, "govuk-frontend.min.js"));
cpSync(join(dist, "assets", "images"), join(out, "images"), { recursive: true });
cpSync(join(dist, "assets", "manifest.json"), join(out, "manifest.json"));
console.log(`built ${join(out, "application.css")} (${result.css.length} bytes)`);
