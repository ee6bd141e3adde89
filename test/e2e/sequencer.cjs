// Runs the e2e files in name order (00-install, 10-servers, 20-lifecycle).
const Sequencer = require('@jest/test-sequencer').default;
class ByName extends Sequencer {
  sort(tests) {
    return [...tests].sort((a, b) => a.path.localeCompare(b.path));
  }
}
module.exports = ByName;
