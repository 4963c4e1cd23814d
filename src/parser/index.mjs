// The parser Worker's entry (`main` in src/parser/wrangler.toml). It is JavaScript on purpose: `wrangler dev`, which
// runs this Worker beside the gateway, checks a TypeScript entry's bindings against the project's one
// worker-configuration.d.ts (the gateway's) and would say on every start that the types might be out of date.
export { default } from "./document-parser.ts";
