export { LABELS, clears, isLabel, joinLabels, labelRank, parseLabel } from './labels.ts';
export type { Label } from './labels.ts';
export { PROFILES_PATH, PROFILES_SCHEMA_PATH, TIER_IDS, deploymentProfiles, isTierId, networkWithin, parseTier, profileFor, validateProfilesData } from './profiles.ts';
export type {
  DeploymentProfile,
  EndpointKind,
  Network,
  ProfilesData,
  ReferenceHardware,
  RegistryKind,
  ServingId,
  ServingSoftware,
  TelemetryDestination,
  TierId,
  UpdateChannel,
} from './profiles.ts';
export { BITS_PER_WEIGHT, GB, WEIGHT_FORMATS, decoderParameters, kvCacheBytesPerToken, memoryNeed, weightsBytes } from './model-memory.ts';
export type { AttentionShape, DecoderConfig, MemoryNeed, ServedModel, WeightFormat } from './model-memory.ts';
export { REFERENCE_MODELS } from './reference-models.ts';
export type { ReferenceModel } from './reference-models.ts';
export { loadCustomResourceSchema, parseYamlMapping } from './resource-file.ts';
export type { CustomResourceSchema, YamlLoadOptions, YamlMapping } from './resource-file.ts';
export {
  AGENT_CRD_PATH,
  AGENT_DEPLOYMENT_CRD_PATH,
  agentCustomResourceSchema,
  agentDeploymentCustomResourceSchema,
  loadAgent,
  parseAgentDeployment,
  toReconcilerSpec,
} from './resources.ts';
export type { AgentDeploymentResource, AgentResource, ReconcilerSpec } from './resources.ts';
export { DEPLOYMENT_RULES, INTERNET_REGISTRY_HOSTS, checkAgentDeployment, imageRegistryHost, validateAgentDeployment } from './deployment-rules.ts';
export type { DeploymentCheckOptions, DeploymentRuleId, DeploymentVerdict, DeploymentViolation, MemoryFit } from './deployment-rules.ts';
export { NAME_PATTERN, validateCatalogue } from './catalogue.ts';
export type { CatalogueEndpoint, EndpointCatalogue } from './catalogue.ts';
export { ROUTER_RULES, parseRouteHealth, parseRouteRequest, routeHealth } from './route-decision.ts';
export type {
  CandidateCounts,
  ChosenEndpoint,
  RefusalReason,
  RefusedDecision,
  RouteDecision,
  RouteHealth,
  RouteRequest,
  RoutedDecision,
  RouterRuleId,
} from './route-decision.ts';
export { LinearScanRouter, ModelRouter } from './router.ts';
export { routingDecisionId, toRoutingRecord } from './decision-record.ts';
export type { RoutingRecord } from './decision-record.ts';
export { deploymentRuleTable, fitTable, profileTable, renderMarkdownTable, routerRuleTable, transposeTable } from './tables.ts';
export type { FitTableOptions, TextTable } from './tables.ts';
export { InvalidCatalogue, InvalidRouteRequest, ProfilesDataInvalid, ResourceFileInvalid, UnknownLabel, UnknownTier } from './errors.ts';
export type { FieldIssue, ResourceIssue, ResourceProblemKind } from './errors.ts';
export { DEFAULT_CONCURRENT_SEQUENCES, DEFAULT_KV_CACHE_BITS, DEFAULT_MAX_YAML_ALIASES, DEFAULT_RESERVED_GB } from './defaults.ts';
