// Preloaded into a daemon process under test (`node --require`): writes the Node built-ins the
// process loaded, one per line, to $RECORD_BUILTINS when it exits.
process.on('exit', () => {
  require('node:fs').writeFileSync(process.env.RECORD_BUILTINS, process.moduleLoadList.join('\n'));
});
