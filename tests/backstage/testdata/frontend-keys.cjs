// Prints the app-config keys the installed packages' config schemas mark
// `@visibility frontend`, one path a line ("*" any map key, "[]" any list element), from
// Backstage's own schema loader over the app's and the backend's dependencies.
// Run from app/ with its node_modules: node ../tests/backstage/testdata/frontend-keys.cjs
const { loadConfigSchema } = require(require.resolve('@backstage/config-loader', { paths: [process.cwd()] }));

// refs holds the definitions on the current branch: a recursive type (a JSON value) is
// walked once per branch.
function walk(node, path, out, defs, refs = new Set()) {
  if (!node || typeof node !== 'object') return;
  if (node.$ref && defs) {
    const name = node.$ref.replace(/^#\/definitions\//, '');
    if (defs[name] && !refs.has(name)) {
      walk(defs[name], path, out, defs, new Set([...refs, name]));
    }
  }
  if (node.visibility === 'frontend' && path) out.add(path);
  for (const k of ['anyOf', 'oneOf', 'allOf']) {
    for (const s of node[k] || []) walk(s, path, out, defs, refs);
  }
  for (const [k, v] of Object.entries(node.properties || {})) {
    walk(v, path ? `${path}.${k}` : k, out, defs, refs);
  }
  for (const v of Object.values(node.patternProperties || {})) {
    walk(v, path ? `${path}.*` : '*', out, defs, refs);
  }
  if (node.additionalProperties && typeof node.additionalProperties === 'object') {
    walk(node.additionalProperties, path ? `${path}.*` : '*', out, defs, refs);
  }
  if (node.items) {
    for (const s of [].concat(node.items)) walk(s, `${path}[]`, out, defs, refs);
  }
}

(async () => {
  const schema = await loadConfigSchema({ dependencies: ['app', 'backend'] });
  const out = new Set();
  for (const { value } of schema.serialize().schemas) {
    walk(value, '', out, value.definitions);
  }
  process.stdout.write([...out].sort().join('\n') + '\n');
})().catch(e => { console.error(e); process.exit(1); });
