// The Maglev profiles by name.
import { flowpinError, show } from "../errors.js";
import { cilium } from "./cilium.js";
import { envoy } from "./envoy.js";
import { ipvs } from "./ipvs.js";
import { katran } from "./katran.js";
import type { MaglevProfile, MaglevProfileName } from "./maglev-profile.js";

export const MAGLEV_PROFILES: Readonly<Record<MaglevProfileName, MaglevProfile>> = Object.freeze({ envoy, katran, cilium, ipvs });
export const MAGLEV_PROFILE_NAMES = Object.keys(MAGLEV_PROFILES) as MaglevProfileName[];

export function maglevProfile(name: unknown): MaglevProfile {
  if (typeof name === "string" && Object.prototype.hasOwnProperty.call(MAGLEV_PROFILES, name)) {
    return MAGLEV_PROFILES[name as MaglevProfileName];
  }
  throw flowpinError("UNKNOWN_PROFILE", `profile must be one of ${MAGLEV_PROFILE_NAMES.join(", ")}, got ${show(name)}`);
}
