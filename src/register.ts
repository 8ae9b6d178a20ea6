// The preload: `node --import callscope/register app.js` (or --require).
// Everything happens synchronously before the app's first module loads, so the
// ESM hook and the require hooks are in place when the app imports anything.

import { start } from './start.js';

start({}, 'register');
