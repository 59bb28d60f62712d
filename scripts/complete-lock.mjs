// Completes package-lock.json with the optional platform packages the registry reachable
// here does not serve (e.g. @rollup/rollup-darwin-x64, @esbuild/win32-x64, fsevents: 404).
// npm cannot write lock entries for packages it cannot fetch, and npm 11's `npm ci` then
// refuses the lock ("Missing: @rollup/rollup-android-arm64@ from lock file"; npm/cli#4828).
// Each missing optional dependency gets an entry with the os/cpu/libc its name states, so
// `npm ci` skips it on other platforms without fetching it. Run after `npm install`.
import fs from "node:fs";

const OS = ["aix", "android", "darwin", "freebsd", "linux", "netbsd", "openbsd", "openharmony", "sunos", "win32", "cygwin"];
const CPU = ["arm64", "x64", "ia32", "arm", "loong64", "ppc64", "riscv64", "s390x", "mips64el", "wasm32"];
const WORDS = { win32: "win32", windows: "win32", macos: "darwin", mac: "darwin", gnueabihf: "arm", musleabihf: "arm", x86_64: "x64", aarch64: "arm64", amd64: "x64", i686: "ia32" };

function platform(name) {
  const parts = name.toLowerCase().split(/[-/@_]+/).map((p) => WORDS[p] ?? p);
  const os = parts.find((p) => OS.includes(p));
  const cpu = parts.find((p) => CPU.includes(p));
  const libc = os === "linux" ? (name.includes("musl") ? "musl" : name.includes("gnu") ? "glibc" : undefined) : undefined;
  if (name === "fsevents") return { os: "darwin" };
  return { os, cpu, libc };
}

const file = process.argv[2] ?? "package-lock.json";
const lock = JSON.parse(fs.readFileSync(file, "utf8"));
const pkgs = lock.packages;
let added = 0;
for (const [where, entry] of Object.entries(pkgs)) {
  for (const [dep, range] of Object.entries(entry.optionalDependencies ?? {})) {
    // Resolution as Node does it: nested node_modules first, then each parent, then the root.
    let found = false;
    for (let base = where; ; base = base.slice(0, Math.max(0, base.lastIndexOf("/node_modules/")))) {
      if (pkgs[`${base ? `${base}/` : ""}node_modules/${dep}`]) found = true;
      if (found || !base) break;
    }
    if (found) continue;
    const version = String(range).replace(/^[~^=]/, "");
    if (!/^\d+\.\d+\.\d+/.test(version)) throw new Error(`${dep}: cannot pin range ${range}`);
    const { os, cpu, libc } = platform(dep);
    if (!os && !cpu) throw new Error(`${dep}: no platform in its name; add it to the lock by hand`);
    pkgs[`node_modules/${dep}`] = {
      version,
      ...(entry.dev ? { dev: true } : {}),
      optional: true,
      ...(os ? { os: [os] } : {}),
      ...(cpu ? { cpu: [cpu] } : {}),
      ...(libc ? { libc: [libc] } : {}),
    };
    added++;
  }
}
lock.packages = Object.fromEntries(Object.entries(pkgs).sort(([a], [b]) => (a === "" ? -1 : b === "" ? 1 : a < b ? -1 : a > b ? 1 : 0)));
fs.writeFileSync(file, `${JSON.stringify(lock, null, 2)}\n`);
console.log(`complete-lock: added ${added} optional platform entries`);
