// ES module entry of helm-rs: the same module as index.js (CommonJS), so that `import` and
// `require` in one program share one native module and one set of classes (instanceof holds).
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const helm = require('./index.js');

export const { Chart, Client, RemoteClient, loadChart, template, templateAsync } = helm;
export default helm;
