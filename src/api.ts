// The public API shared by every entry point (index, workerd, js).
export * as hashes from "./hashes.js";
export { FlowpinError, FlowpinTypeError, FlowpinRangeError, type FlowpinErrorCode } from "./errors.js";
export { engine, engines, useEngine, init } from "./engine/state.js";
export { initFromModule, type WasmModule } from "./engine/provider-module.js";
export type { EngineKind } from "./engine/engine.js";
export { VERSION } from "./version.js";
export { parseAddress, parseFlow, parsePort, parseProtocol, formatAddress, canonicalFlowBytes, type Flow, type Address, type ProtocolName, type ParsedFlow } from "./flow.js";
export { FlowHasher, MS_RSS_KEY, SYMMETRIC_RSS_KEY, CILIUM_DEFAULT_SEED, type FlowHasherOptions, type FlowHasherProfile, type FlowHash, type FlowProfile, type GlbHashField } from "./flow-hasher.js";
export { FlowBatch, type FlowBatchOptions } from "./flow-batch.js";
export { PacketStatus, packetStatusName, type PacketHashes, type PacketStatusCode } from "./packet.js";
export { readPcap, type Pcap, type PcapPacket } from "./pcap.js";
export {
  Maglev,
  type MaglevOptions,
  type MaglevBackend,
  type MaglevEntry,
  type MaglevProfileName,
  type MaglevProfileOptions,
  type MaglevStats,
  type MaglevDiff,
  type MaglevBackendDiff,
  type MaglevShared,
  type FlowHashFunction,
} from "./maglev.js";
export { GlbTable, type GlbTableOptions, type GlbBackendInput, type GlbBindInput, type GlbBackend, type GlbBind, type GlbState, type GlbSwapRule, type GlbStats, type GlbDiff } from "./glb.js";
export type { GlbFileTable, GlbFileBackend, GlbFileBind } from "./glb-bytes.js";
export { jump, JUMP_MAX_BUCKETS } from "./jump.js";
export type { BackendTable } from "./lookup.js";
export { Ring, RING_DEFAULT_MIN_SIZE, RING_DEFAULT_MAX_SIZE, type RingOptions, type RingBackend, type RingEntry } from "./ring.js";
export { Rendezvous, type RendezvousOptions, type RendezvousBackend, type RendezvousEntry, type RendezvousProfile, type RendezvousHasher, type RendezvousStats, type RendezvousDiff } from "./rendezvous.js";
export { systems, system, systemDefinition, SYSTEM_DEFINITIONS } from "./systems/index.js";
export type { SystemName, Route, RouteOptions, RouteDiff, RouteChange, System, SystemDefinition, SystemTables, SystemTable, SystemSlotTable, SystemGlbTable, SystemRingTable, NativeParseOptions } from "./systems/system.js";
export type { RouteArrays } from "./engine/route-kernel.js";
export type { FlowpinSystemConfig, FlowpinSystemBackend, FlowpinBackendState, FlowpinRouter, FlowColumns } from "./systems/flowpin/index.js";
export type { EnvoyClusterConfig, EnvoyHost, EnvoyHashPolicy, EnvoyHealth, EnvoyLbPolicy, EnvoyRequest, EnvoyRoute } from "./systems/envoy/index.js";
export type { GlbSystemConfig, GlbForwardingTable, GlbTableConfig, GlbBackendConfig, GlbBindConfig, GlbDirectorConfig, GlbHashFieldsConfig, GlbFlow, GlbInput, GlbRoute, GlbAltRoute } from "./systems/glb/index.js";
export type { NginxConfig, NginxServer, NginxFlow, NginxRoute, NginxServerChange, NginxConfOptions } from "./systems/nginx/index.js";
export type { KatranConfig, KatranVip, KatranReal, KatranVipFlag, KatranRealEntry, KatranInput, KatranModifyAction } from "./systems/katran/index.js";
export type { CiliumConfig, CiliumService, CiliumBackend, CiliumBackendState, CiliumProtocol, CiliumVersion, CiliumSeeds, CiliumInput, CiliumRoute, CiliumReason, CiliumState } from "./systems/cilium/index.js";
export type { IpvsConfig, IpvsServiceConfig, IpvsOperation, IpvsFamily, IpvsProtocol, IpvsForward, IpvsSchedulerFlag, IpvsFlow, IpvsInput, IpvsRoute, IpvsDestination, IpvsSystem, IpvsadmParseOptions } from "./systems/ipvs/index.js";
export type { HaproxyConfig, HaproxyServerConfig, HaproxyOperation, HaproxyRuntimeState, HaproxyHashFunction, HaproxyConnection, HaproxyRoute, HaproxyRouteOptions, HaproxySystem, HaproxyServerState } from "./systems/haproxy/index.js";
export { Balancer, ConnTable, healthCheck, BALANCER_POLICIES, STATEFUL_POLICIES, MAX_CONNECTIONS, type BalancerOptions, type BalancerBackend, type BalancerPolicy, type TablePolicy, type StatefulPolicy, type BackendState, type BalancerPick, type PickReason, type BalancerChanges, type BalancerChange, type BackendCounters, type UsableBackend, type ConnTableOptions, type ConnTableStats, type HealthCheckOptions } from "./balancer/index.js";

// System classes are types only: the published declarations must not offer them as values
// (a class re-exported with `export type` comes out of the declaration bundler as a value).
import type { GlbSystem as GlbSystemClass } from "./systems/glb/index.js";
/**
 * The object `systems.glb()` returns (a type only: build one with `systems.glb(config)`).
 * @interface
 */
export type GlbSystem = GlbSystemClass;
import type { NginxSystem as NginxSystemClass } from "./systems/nginx/index.js";
/**
 * The object `systems.nginx()` returns (a type only: build one with `systems.nginx(config)`).
 * @interface
 */
export type NginxSystem = NginxSystemClass;
import type { KatranSystem as KatranSystemClass } from "./systems/katran/index.js";
/**
 * The object `systems.katran()` returns (a type only: build one with `systems.katran(config)`).
 * @interface
 */
export type KatranSystem = KatranSystemClass;
import type { CiliumSystem as CiliumSystemClass } from "./systems/cilium/index.js";
/**
 * The object `systems.cilium()` returns (a type only: build one with `systems.cilium(config)`).
 * @interface
 */
export type CiliumSystem = CiliumSystemClass;
