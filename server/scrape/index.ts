export { ScrapeManager, type ScrapeManagerOptions, type TargetsJSON, type ActiveTargetJSON, type DroppedTargetJSON, type TargetMetadataJSON, type RelabelStepJSON } from "./manager";
export { ScrapePool, type ScrapePoolOptions, type DroppedTarget } from "./scrape-pool";
export { ScrapeLoop, acceptHeader, isStaleNaN, mutateSampleLabels, verifyLabelLimits, STALE_NAN_BITS, type Appendable, type ScrapeLoopOptions, type ScrapeReport } from "./scrape-loop";
export { Target, populateLabels, discoveredLabels, targetURL, targetRelabelSteps, type TargetHealth, type TargetMetricMetadata } from "./target";
export { newHTTPClient, type FetchLike } from "./http-client";
