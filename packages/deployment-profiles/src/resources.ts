import { fileURLToPath } from 'node:url';
import type { Label } from './labels.ts';
import type { WeightFormat } from './model-memory.ts';
import type { EndpointKind, Network, RegistryKind, ServingId, TelemetryDestination, TierId, UpdateChannel } from './profiles.ts';
import { loadCustomResourceSchema, loadResource } from './resource-file.ts';
import type { CustomResourceSchema, YamlLoadOptions, YamlMapping } from './resource-file.ts';

/** An `Agent` custom resource that passed its CRD's schema. */
export interface AgentResource {
  readonly apiVersion: string;
  readonly kind: 'Agent';
  readonly metadata: { readonly name: string; readonly namespace?: string };
  readonly spec: {
    readonly description?: string;
    /** repository@sha256:<64 hex digits>. */
    readonly image: string;
    readonly taskKinds: readonly string[];
    readonly model: { readonly minContextTokens: number };
    readonly tiers: readonly TierId[];
    readonly dataLabels: readonly Label[];
    /** Factor III (the event-activation package): what wakes the agent. */
    readonly triggers?: readonly {
      readonly kind: 'webhook' | 'api-call' | 'chat-message' | 'schedule';
      readonly source?: string;
      readonly eventTypes?: readonly string[];
      readonly operation?: string;
      readonly schedule?: string;
    }[];
    readonly modelConfigRef?: { readonly name: string };
    readonly systemPromptRef?: { readonly name: string; readonly key: string };
    readonly allowedTools?: readonly string[];
    readonly budgetRef?: { readonly name: string };
  };
}

/** An `AgentDeployment` custom resource that passed its CRD's schema (defaults filled in). */
export interface AgentDeploymentResource {
  readonly apiVersion: string;
  readonly kind: 'AgentDeployment';
  readonly metadata: { readonly name: string; readonly namespace?: string };
  readonly spec: {
    readonly agentRef: { readonly name: string };
    readonly profile: TierId;
    readonly version: string;
    readonly replicas: number;
    readonly tools: readonly string[];
    readonly image: string;
    readonly registry: RegistryKind;
    readonly dataClearance: Label;
    readonly network: { readonly egress: Network };
    readonly hardware?: { readonly accelerators: number; readonly memoryGB: number; readonly reservedGB: number };
    readonly model: {
      readonly name: string;
      readonly endpoint: EndpointKind;
      readonly serving: ServingId;
      readonly parameters?: number;
      readonly weightFormat?: WeightFormat;
      readonly architecture?: { readonly layers: number; readonly kvHeads: number; readonly headDim: number };
      readonly contextTokens: number;
      readonly concurrentSequences: number;
      readonly kvCacheBits: number;
    };
    readonly telemetry: { readonly destinations: readonly { readonly kind: TelemetryDestination; readonly name: string }[] };
    readonly updates: { readonly channel: UpdateChannel };
  };
}

export const AGENT_CRD_PATH = fileURLToPath(new URL('../schema/agent.crd.yaml', import.meta.url));
export const AGENT_DEPLOYMENT_CRD_PATH = fileURLToPath(new URL('../schema/agentdeployment.crd.yaml', import.meta.url));

let agentSchema: CustomResourceSchema | undefined;
let deploymentSchema: CustomResourceSchema | undefined;

/** The compiled schema of the Agent CRD kept in this package. */
export function agentCustomResourceSchema(): CustomResourceSchema {
  agentSchema ??= loadCustomResourceSchema(AGENT_CRD_PATH);
  return agentSchema;
}

/** The compiled schema of the AgentDeployment CRD kept in this package. */
export function agentDeploymentCustomResourceSchema(): CustomResourceSchema {
  deploymentSchema ??= loadCustomResourceSchema(AGENT_DEPLOYMENT_CRD_PATH);
  return deploymentSchema;
}

/**
 * Parses one YAML document as an `Agent` and validates it against its CRD. Throws
 * `ResourceFileInvalid` listing each problem as `source:line: field.path: message`.
 */
export function loadAgent(yamlText: string, source: string, options: YamlLoadOptions = {}): AgentResource {
  return loadResource(yamlText, source, agentCustomResourceSchema(), options).value as unknown as AgentResource;
}

/** Like `loadAgent`, for an `AgentDeployment`; also returns the line lookup the profile rules report with. */
export function parseAgentDeployment(yamlText: string, source: string, options: YamlLoadOptions = {}): { readonly resource: AgentDeploymentResource; readonly lineOf: YamlMapping['lineOf'] } {
  const { value, lineOf } = loadResource(yamlText, source, agentDeploymentCustomResourceSchema(), options);
  return { resource: value as unknown as AgentDeploymentResource, lineOf };
}

/**
 * The part of an AgentDeployment the reconciler of Factor XI acts on, in the shape of its
 * `AgentDeploymentSpec` (`@12-factor-agentops/reconciler`): model name, replicas, tools,
 * version. Placement (profile, image, hardware, telemetry, updates) is this package's
 * concern and is checked before a spec reaches the reconciler.
 */
export interface ReconcilerSpec {
  readonly model: string;
  readonly replicas: number;
  readonly tools: readonly string[];
  readonly version: string;
}

/** Projects a validated deployment onto the reconciler's spec (see `ReconcilerSpec`). */
export function toReconcilerSpec(resource: AgentDeploymentResource): ReconcilerSpec {
  const { model, replicas, tools, version } = resource.spec;
  return { model: model.name, replicas, tools: [...tools], version };
}
