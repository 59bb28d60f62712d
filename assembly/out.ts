// The one static result slot of the ABI: 64- and 128-bit results are written here
// little-endian (u64 at [0, 8), second u64 at [8, 16)), because returning i64 to JS
// would hand the caller a BigInt and cost an allocation per call.
export const OUT: usize = memory.data(16, 16);
