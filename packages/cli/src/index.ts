export { buildProgram, main } from './main.js';
export { EXIT, exitCodeFor } from './output.js';
