// What benchmarks measure: the library under test and the engines to run it on.
export { hashes, engines } from "../src/index.js";
