// `npm start`: says what it is about to do, builds, then runs the main job (`flowpin simulate`),
// and says how long each step took, so the README's and --help's figures can be checked.
import { spawnSync } from "node:child_process";

const step = (what, cmd, args) => {
  const t = performance.now();
  const r = spawnSync(cmd, args, { stdio: "inherit" });
  if (r.status !== 0) process.exit(r.status ?? 1);
  return ((performance.now() - t) / 1000).toFixed(1);
};

console.log(
  "flowpin: npm start builds the library (AssemblyScript to Wasm, then tsup; about 20 s on two cores)\n" +
    "and runs the main job, `flowpin simulate`: balance and churn of 1000 backends when backends are\n" +
    "removed or added, for Maglev, rendezvous, ring and jump hashing and the stateful policies (round\n" +
    "robin, random, least connections, power of two choices) (about 10 s). Build log first:\n",
);
const build = step("build", "npm", ["run", "--silent", "build"]);
console.log(`\nflowpin: built in ${build} s. Simulating:\n`);
const sim = step("simulate", process.execPath, ["dist/cli.js", "simulate"]);
console.log(`\nflowpin: simulate took ${sim} s (build ${build} s).`);
