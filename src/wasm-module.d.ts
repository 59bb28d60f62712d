// `.wasm` imports, as workerd and edge-light bundlers provide them: a compiled module.
declare module "*.wasm" {
  const module: WebAssembly.Module;
  export default module;
}
