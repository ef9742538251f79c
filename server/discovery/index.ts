export { DiscoveryManager, type DiscoveryManagerOptions, type TargetSets } from "./manager";
export { type TargetGroup, parseTargetGroups, TargetGroupError } from "./target-group";
export { type Discoverer } from "./provider";
export { StaticDiscoverer, staticGroups } from "./static";
export { FileDiscoverer, readTargetGroupFile, listFiles, globToRegExp } from "./file";
export { HTTPDiscoverer } from "./http";
export { DNSDiscoverer, lookupGroup, joinHostPort, type DNSResolver } from "./dns";
