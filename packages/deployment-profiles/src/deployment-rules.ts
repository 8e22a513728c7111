import type { YamlLoadOptions } from './resource-file.ts';
import { clears, joinLabels, labelRank } from './labels.ts';
import { GB, memoryNeed } from './model-memory.ts';
import type { MemoryNeed } from './model-memory.ts';
import { networkWithin, profileFor } from './profiles.ts';
import type { DeploymentProfile, TierId } from './profiles.ts';
import { parseAgentDeployment } from './resources.ts';
import type { AgentDeploymentResource, AgentResource } from './resources.ts';

/** Each rule a deployment is checked against, with the field its violations name. The README's table is this list. */
export const DEPLOYMENT_RULES = [
  { id: 'image-digest', field: 'spec.image', refuses: 'an image named by tag (or by name alone) where the profile requires a digest' },
  { id: 'registry-allowed', field: 'spec.registry', refuses: 'a registry kind the profile does not list (anything but site-local at the edge, a public registry from the datacenter)' },
  { id: 'registry-host-public', field: 'spec.image', refuses: 'an image on a registry on the internet (docker.io, ghcr.io, quay.io, …, or no host, which means docker.io) declared as a site-local or internal registry' },
  { id: 'network-egress', field: 'spec.network.egress', refuses: 'egress wider than the profile\'s network (internet from the datacenter, any network from the edge)' },
  { id: 'endpoint-kind', field: 'spec.model.endpoint', refuses: 'a hosted model API in a profile that only serves models itself' },
  { id: 'serving-software', field: 'spec.model.serving', refuses: 'serving software the profile does not list, or a serving/endpoint pair that contradicts itself' },
  { id: 'model-figures', field: 'spec.model.{parameters,weightFormat,architecture}, spec.hardware', refuses: 'a self-hosted model without the figures the fit check needs' },
  { id: 'model-fits-memory', field: 'spec.hardware.memoryGB', refuses: 'weights plus KV cache larger than the declared memory less the reserved part' },
  { id: 'accelerator-count', field: 'spec.hardware.accelerators', refuses: 'more accelerators than the profile\'s hardware class has (one at the edge)' },
  { id: 'telemetry-destination', field: 'spec.telemetry.destinations[i].kind', refuses: 'telemetry sent where the profile does not allow (anything off site from the edge, anything external from the datacenter)' },
  { id: 'update-channel', field: 'spec.updates.channel', refuses: 'an update channel the profile does not allow (anything but transfer media at the edge)' },
  { id: 'data-clearance', field: 'spec.dataClearance', refuses: 'data labelled above the profile\'s clearance ceiling (RESTRICTED in the connected tier)' },
  { id: 'agent-exists', field: 'spec.agentRef.name', refuses: 'a reference to an Agent that was not given (checked when Agents are passed)' },
  { id: 'agent-image-digest', field: 'spec.image', refuses: 'an image digest other than the Agent\'s' },
  { id: 'agent-tier', field: 'spec.profile', refuses: 'a profile the Agent does not list in spec.tiers' },
  { id: 'agent-data-labels', field: 'spec.dataClearance', refuses: 'data labelled above the highest label in the Agent\'s spec.dataLabels' },
  { id: 'agent-context', field: 'spec.model.contextTokens', refuses: 'a context shorter than the Agent\'s spec.model.minContextTokens' },
] as const;

export type DeploymentRuleId = (typeof DEPLOYMENT_RULES)[number]['id'];

/** One broken rule: which rule, the field path, its line in the file (0 when checked without a file) and what to change. */
export interface DeploymentViolation {
  readonly rule: DeploymentRuleId;
  readonly field: string;
  readonly line: number;
  readonly message: string;
}

/** The memory arithmetic of a self-hosted deployment, shown with its verdict. */
export interface MemoryFit extends MemoryNeed {
  readonly availableBytes: number;
  readonly fits: boolean;
}

/** The outcome of checking one deployment against its profile. Plain data. */
export interface DeploymentVerdict {
  readonly source: string;
  readonly name: string;
  readonly profile: TierId;
  readonly accepted: boolean;
  readonly violations: readonly DeploymentViolation[];
  /** Present when the model is self-hosted and its figures were given. */
  readonly memory: MemoryFit | undefined;
}

/** Options of `validateAgentDeployment`. */
export interface DeploymentCheckOptions extends YamlLoadOptions {
  /** The Agents deployments may refer to; when given, the `agent-*` rules run. */
  readonly agents?: readonly AgentResource[];
}

/**
 * Validates an AgentDeployment file: first against its CRD (a file that is not YAML, or not
 * a well-formed AgentDeployment, throws `ResourceFileInvalid` with line and field path), then
 * against its profile's rules. A deployment that breaks rules is not an exception: the
 * verdict says `accepted: false` and lists every violation with its rule, field and line.
 */
export function validateAgentDeployment(yamlText: string, source: string, options: DeploymentCheckOptions = {}): DeploymentVerdict {
  const { resource, lineOf } = parseAgentDeployment(yamlText, source, options);
  return checkAgentDeployment(resource, source, options.agents, (field) => lineOf(segmentsOf(field)));
}

/** The profile rules on an already loaded resource; `lineOf` maps a field path to its line (0 without a file). */
export function checkAgentDeployment(
  resource: AgentDeploymentResource,
  source: string,
  agents?: readonly AgentResource[],
  lineOf: (field: string) => number = () => 0,
): DeploymentVerdict {
  const { spec } = resource;
  const profile = profileFor(spec.profile);
  const violations: DeploymentViolation[] = [];
  const broke = (rule: DeploymentRuleId, field: string, message: string): void => {
    violations.push({ rule, field, line: lineOf(field), message });
  };
  checkImage(spec, profile, broke);
  if (!networkWithin(spec.network.egress, profile.network)) {
    broke('network-egress', 'spec.network.egress', `egress "${spec.network.egress}" is wider than the ${profile.id} profile's network "${profile.network}"; set egress to ${profile.network === 'none' ? '"none"' : `"${profile.network}" or less`}`);
  }
  const memory = checkModel(spec, profile, broke);
  spec.telemetry.destinations.forEach((destination, index) => {
    if (!profile.telemetryDestinations.includes(destination.kind)) {
      broke('telemetry-destination', `spec.telemetry.destinations[${index}].kind`, `telemetry to "${destination.name}" is ${destination.kind}; the ${profile.id} profile sends telemetry only ${listed(profile.telemetryDestinations)}`);
    }
  });
  if (!profile.updateChannels.includes(spec.updates.channel)) {
    broke('update-channel', 'spec.updates.channel', `updates by "${spec.updates.channel}" are not allowed in the ${profile.id} profile; use ${listed(profile.updateChannels)}`);
  }
  if (!clears(profile.clearanceCeiling, spec.dataClearance)) {
    broke('data-clearance', 'spec.dataClearance', `${spec.dataClearance} data may not be processed in the ${profile.id} tier, whose ceiling is ${profile.clearanceCeiling}; deploy to a tier cleared for ${spec.dataClearance}`);
  }
  if (agents !== undefined) checkAgent(resource, agents, broke);
  return { source, name: resource.metadata.name, profile: profile.id, accepted: violations.length === 0, violations, memory };
}

type Broke = (rule: DeploymentRuleId, field: string, message: string) => void;

/**
 * Registries on the internet, by host. An image reference without a registry host is pulled
 * from Docker Hub, so it counts as docker.io.
 */
export const INTERNET_REGISTRY_HOSTS: readonly string[] = [
  'docker.io', 'index.docker.io', 'registry-1.docker.io', 'ghcr.io', 'quay.io', 'gcr.io', 'registry.k8s.io', 'k8s.gcr.io',
  'public.ecr.aws', 'mcr.microsoft.com', 'nvcr.io', 'registry.gitlab.com',
];

const DIGEST = /@sha256:[0-9a-f]{64}$/;

/** The registry host of an image reference, as a container runtime reads it (docker.io when none is named). */
export function imageRegistryHost(image: string): string {
  const slash = image.indexOf('/');
  if (slash < 0) return 'docker.io';
  const first = image.slice(0, slash);
  return first.includes('.') || first.includes(':') || first === 'localhost' ? first.toLowerCase() : 'docker.io';
}

function checkImage(spec: AgentDeploymentResource['spec'], profile: DeploymentProfile, broke: Broke): void {
  if (profile.imagePinning === 'digest' && !DIGEST.test(spec.image)) {
    broke('image-digest', 'spec.image', `"${spec.image}" is not pinned by digest; the ${profile.id} profile pulls only image@sha256:<64 hex digits>, which cannot change under the same name`);
  }
  if (!profile.registries.includes(spec.registry)) {
    broke('registry-allowed', 'spec.registry', `a ${spec.registry} registry is not reachable in the ${profile.id} profile; mirror the image to ${listed(profile.registries)}`);
  }
  const host = imageRegistryHost(spec.image);
  const hostPort = host.replace(/:\d+$/, '');
  const onInternet = INTERNET_REGISTRY_HOSTS.includes(hostPort) || hostPort.endsWith('.gcr.io');
  if (onInternet && spec.registry !== 'public') {
    broke('registry-host-public', 'spec.image', `"${spec.image}" is pulled from ${host}, a registry on the internet, but spec.registry says ${spec.registry}; name the ${spec.registry} registry's host in the image`);
  }
}

function checkModel(spec: AgentDeploymentResource['spec'], profile: DeploymentProfile, broke: Broke): MemoryFit | undefined {
  const { model, hardware } = spec;
  // A hosted API at the edge is one mistake, reported once: its serving software is not
  // checked against a profile that refuses the endpoint itself.
  if (!profile.endpointKinds.includes(model.endpoint)) {
    broke('endpoint-kind', 'spec.model.endpoint', `a ${model.endpoint} model endpoint is not allowed in the ${profile.id} profile; use ${listed(profile.endpointKinds)}`);
  } else if (!profile.serving.includes(model.serving)) {
    broke('serving-software', 'spec.model.serving', `${model.serving} is not serving software of the ${profile.id} profile; use ${listed(profile.serving)}`);
  } else if ((model.serving === 'hosted-api') !== (model.endpoint === 'hosted-api')) {
    broke('serving-software', 'spec.model.serving', `serving "${model.serving}" contradicts endpoint "${model.endpoint}": a hosted API is served by its provider, a self-hosted model by your own software`);
  }
  if (hardware !== undefined && profile.hardware.maxAccelerators !== null && hardware.accelerators > profile.hardware.maxAccelerators) {
    broke('accelerator-count', 'spec.hardware.accelerators', `${hardware.accelerators} accelerators exceed the ${profile.id} hardware class (${profile.hardware.class}: at most ${profile.hardware.maxAccelerators})`);
  }
  if (model.endpoint !== 'self-hosted') return undefined;
  const missing = [
    model.parameters === undefined ? 'spec.model.parameters' : undefined,
    model.weightFormat === undefined ? 'spec.model.weightFormat' : undefined,
    model.architecture === undefined ? 'spec.model.architecture' : undefined,
    hardware === undefined ? 'spec.hardware' : undefined,
  ].filter((field) => field !== undefined);
  const first = missing[0];
  if (first !== undefined || model.parameters === undefined || model.weightFormat === undefined || model.architecture === undefined || hardware === undefined) {
    broke('model-figures', first ?? 'spec.model', `a self-hosted model needs ${missing.join(', ')} to check that it fits; copy them from the model's published configuration and the hardware's specification`);
    return undefined;
  }
  const need = memoryNeed({ parameters: model.parameters, weightFormat: model.weightFormat, ...model.architecture, contextTokens: model.contextTokens, concurrentSequences: model.concurrentSequences, kvCacheBits: model.kvCacheBits });
  const availableBytes = Math.max(0, hardware.memoryGB - hardware.reservedGB) * GB;
  const fits = need.totalBytes <= availableBytes;
  if (!fits) {
    broke(
      'model-fits-memory',
      'spec.hardware.memoryGB',
      `${model.name} needs ${gb(need.totalBytes)}: weights ${gb(need.weightsBytes)} (${count(model.parameters)} parameters × ${model.weightFormat}) + KV cache ${gb(need.kvCacheBytes)} (${count(need.kvBytesPerToken)} bytes/token × ${count(model.contextTokens)} tokens × ${model.concurrentSequences} sequence${model.concurrentSequences === 1 ? '' : 's'}), more than the ${gb(availableBytes)} available (${hardware.memoryGB} GB − ${hardware.reservedGB} GB reserved); use a smaller weight format, a shorter context, fewer sequences or more memory`,
    );
  }
  return { ...need, availableBytes, fits };
}

function checkAgent(resource: AgentDeploymentResource, agents: readonly AgentResource[], broke: Broke): void {
  const { spec } = resource;
  const agent = agents.find((candidate) => candidate.metadata.name === spec.agentRef.name);
  if (agent === undefined) {
    broke('agent-exists', 'spec.agentRef.name', `no Agent named "${spec.agentRef.name}" was given (${agents.length === 0 ? 'none were' : `known: ${agents.map((known) => known.metadata.name).join(', ')}`}); deploy the Agent first or fix the name`);
    return;
  }
  const digest = spec.image.match(DIGEST)?.[0];
  const agentDigest = agent.spec.image.match(DIGEST)?.[0];
  if (digest !== agentDigest) {
    broke('agent-image-digest', 'spec.image', `the image digest ${digest === undefined ? '(none)' : digest.slice(1)} is not the Agent's ${agentDigest?.slice(1) ?? '(none)'}; a mirror must serve the same bytes`);
  }
  if (!agent.spec.tiers.includes(spec.profile)) {
    broke('agent-tier', 'spec.profile', `Agent "${agent.metadata.name}" is built for ${listed(agent.spec.tiers)}, not ${spec.profile}`);
  }
  const highest = joinLabels(agent.spec.dataLabels);
  if (labelRank(spec.dataClearance) > labelRank(highest)) {
    broke('agent-data-labels', 'spec.dataClearance', `Agent "${agent.metadata.name}" is built for data up to ${highest}, not ${spec.dataClearance}`);
  }
  if (spec.model.contextTokens < agent.spec.model.minContextTokens) {
    broke('agent-context', 'spec.model.contextTokens', `a context of ${count(spec.model.contextTokens)} tokens is shorter than the ${count(agent.spec.model.minContextTokens)} Agent "${agent.metadata.name}" needs`);
  }
}

function listed(values: readonly string[]): string {
  return values.map((value) => `"${value}"`).join(', ').replace(/, ([^,]*)$/, ' or $1');
}

function gb(bytes: number): string {
  return `${(bytes / GB).toLocaleString('en-US', { maximumFractionDigits: 2 })} GB`;
}

function count(value: number): string {
  return value.toLocaleString('en-US');
}

// 'spec.telemetry.destinations[0].kind' → ['spec', 'telemetry', 'destinations', 0, 'kind']
function segmentsOf(field: string): (string | number)[] {
  return field.split(/\.|\[(\d+)\]/).filter((part) => part !== undefined && part !== '').map((part) => (/^\d+$/.test(part) ? Number(part) : part));
}
