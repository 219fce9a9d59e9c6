// Preloaded into a daemon process under test (`node --require`): writes what the process loaded to
// $RECORD_MODULES when it exits, one per line: the Node built-ins (`NativeModule name`, from
// process.moduleLoadList), then every CommonJS file (`File /path`, from require.cache), which takes
// in the npm packages the daemon's ES modules import.
process.on('exit', () => {
  const files = Object.keys(require.cache).map((path) => `File ${path}`);
  require('node:fs').writeFileSync(process.env.RECORD_MODULES, [...process.moduleLoadList, ...files].join('\n'));
});
