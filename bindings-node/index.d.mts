// Types of the ES module entry (index.mjs): index.d.ts's names, and the module as the default export.
export * from './index.js';
import * as helm from './index.js';
export default helm;
