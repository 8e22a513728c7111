/** The declared spec of one agent deployment: what should run, not what does. */
export interface AgentDeploymentSpec {
  /** Model the agent calls, by the name the runtime serves it under. */
  readonly model: string;
  /** How many copies of the agent run. */
  readonly replicas: number;
  /** Tools the agent may call; order does not matter. */
  readonly tools: readonly string[];
  /** Version of the agent's code and prompt. */
  readonly version: string;
}

/** A spec or an agent name failed validation; nothing was stored. */
export class InvalidAgentSpec extends Error {
  override readonly name = 'InvalidAgentSpec';
  readonly agent: string;
  readonly field: string;

  constructor(agent: string, field: string, problem: string) {
    super(`Agent deployment "${agent}": ${problem}. Fix the declared spec and apply it again.`);
    this.agent = agent;
    this.field = field;
  }
}

// The shape of a Kubernetes object name (RFC 1123 label), so the same names work there.
const AGENT_NAME = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;

function describeValue(value: unknown): string {
  return `${JSON.stringify(value) ?? String(value)} (${typeof value})`;
}

/**
 * Checks a name and a spec that came from outside and returns a frozen copy of the spec.
 * Throws `InvalidAgentSpec` naming the field, the value and the rule it broke.
 */
export function validateAgentSpec(name: string, spec: unknown): AgentDeploymentSpec {
  if (typeof name !== 'string' || !AGENT_NAME.test(name)) {
    throw new InvalidAgentSpec(String(name), 'name', `the name must be 1-63 lowercase letters, digits or "-", starting and ending with a letter or digit, got ${describeValue(name)}`);
  }
  if (typeof spec !== 'object' || spec === null) throw new InvalidAgentSpec(name, 'spec', `the spec must be an object, got ${describeValue(spec)}`);
  const { model, replicas, tools, version } = spec as Record<string, unknown>;
  if (typeof model !== 'string' || model.trim() === '') throw new InvalidAgentSpec(name, 'model', `\`model\` must be a non-empty string, got ${describeValue(model)}`);
  if (typeof replicas !== 'number' || !Number.isInteger(replicas) || replicas < 0) {
    throw new InvalidAgentSpec(name, 'replicas', `\`replicas\` must be a whole number from 0 up, got ${describeValue(replicas)}`);
  }
  if (!Array.isArray(tools) || tools.some((tool) => typeof tool !== 'string' || tool === '')) {
    throw new InvalidAgentSpec(name, 'tools', `\`tools\` must be a list of non-empty strings, got ${describeValue(tools)}`);
  }
  const duplicate = tools.find((tool, index) => tools.indexOf(tool) !== index);
  if (duplicate !== undefined) throw new InvalidAgentSpec(name, 'tools', `\`tools\` lists "${String(duplicate)}" twice`);
  if (typeof version !== 'string' || version.trim() === '') throw new InvalidAgentSpec(name, 'version', `\`version\` must be a non-empty string, got ${describeValue(version)}`);
  return Object.freeze({ model, replicas, tools: Object.freeze([...(tools as string[])]), version });
}

/** True when two specs ask for the same thing (tools compared as a set). */
export function specsEqual(a: AgentDeploymentSpec, b: AgentDeploymentSpec): boolean {
  if (a.model !== b.model || a.replicas !== b.replicas || a.version !== b.version) return false;
  if (a.tools.length !== b.tools.length) return false;
  const tools = new Set(a.tools);
  return b.tools.every((tool) => tools.has(tool));
}

/** One write that brings an observed deployment in line with its declared spec. */
export type AgentAction =
  | { readonly kind: 'create'; readonly name: string; readonly spec: AgentDeploymentSpec }
  | { readonly kind: 'update'; readonly name: string; readonly spec: AgentDeploymentSpec; readonly from: AgentDeploymentSpec }
  | { readonly kind: 'delete'; readonly name: string };

/**
 * The difference between desired and observed for one name, as at most one action:
 * `undefined` means they already agree. Pure, so it is tested on its own.
 */
export function planAction(
  name: string,
  desired: AgentDeploymentSpec | undefined,
  observed: AgentDeploymentSpec | undefined,
): AgentAction | undefined {
  if (desired === undefined) return observed === undefined ? undefined : { kind: 'delete', name };
  if (observed === undefined) return { kind: 'create', name, spec: desired };
  return specsEqual(desired, observed) ? undefined : { kind: 'update', name, spec: desired, from: observed };
}
