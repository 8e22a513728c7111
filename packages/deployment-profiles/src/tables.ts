// Tables derived from the data, so a page that shows them can be checked against the one
// source instead of being retyped.
import { GB, kvCacheBytesPerToken, memoryNeed } from './model-memory.ts';
import type { WeightFormat } from './model-memory.ts';
import { DEPLOYMENT_RULES } from './deployment-rules.ts';
import { deploymentProfiles } from './profiles.ts';
import { ROUTER_RULES } from './route-decision.ts';
import type { DeploymentProfile } from './profiles.ts';
import { REFERENCE_MODELS } from './reference-models.ts';

/** A table as cells of text: what a Markdown table on a page must say, cell for cell. */
export interface TextTable {
  readonly columns: readonly string[];
  readonly rows: readonly (readonly string[])[];
}

/** The three profiles, one row each. */
export function profileTable(): TextTable {
  const { profiles, servingSoftware } = deploymentProfiles();
  const servingName = new Map(servingSoftware.map((software) => [software.id, software.name]));
  return {
    columns: ['Tier', 'Network', 'Hardware', 'Serving', 'Images from', 'Updates', 'Telemetry to', 'Data up to', 'Calls models in', 'Fails first', 'Agent then'],
    rows: profiles.map((profile) => [
      `${profile.tier}: ${profile.name}`,
      profile.network,
      hardwareCell(profile),
      profile.serving.map((id) => servingName.get(id) ?? id).join(', '),
      profile.registries.join(', '),
      profile.updateChannels.join(', '),
      profile.telemetryDestinations.join(', '),
      profile.clearanceCeiling,
      profile.reaches.join(', '),
      profile.firstFailure,
      profile.agentResponse,
    ]),
  };
}

function hardwareCell(profile: DeploymentProfile): string {
  const reference = profile.hardware.reference;
  if (reference === null) return profile.hardware.class;
  return `${profile.hardware.class}; e.g. ${reference.count} × ${reference.accelerator.replace(/ in an? .*$/, '')}, ${reference.count * reference.memoryGBEach} GB`;
}

// bf16 takes as many bytes as fp16 and fp32 fits no tier that fp16 does not; both are left out.
const DEFAULT_FIT_FORMATS: readonly WeightFormat[] = ['fp16', 'fp8', 'q8_0', 'q4_0'];

/** Options of `fitTable`: the context and concurrency every row is computed for. */
export interface FitTableOptions {
  readonly contextTokens?: number;
  readonly concurrentSequences?: number;
  readonly kvCacheBits?: number;
  readonly formats?: readonly WeightFormat[];
}

/**
 * For each reference model and weight format: weights, KV cache and total in GB, and
 * whether that total fits each profile's reference hardware (`-` for a tier without one).
 * Nothing is reserved for the runtime here, so a "yes" close to the limit needs headroom.
 */
export function fitTable(options: FitTableOptions = {}): TextTable {
  const contextTokens = options.contextTokens ?? 8192;
  const concurrentSequences = options.concurrentSequences ?? 1;
  const kvCacheBits = options.kvCacheBits ?? 16;
  const formats = options.formats ?? DEFAULT_FIT_FORMATS;
  const profiles = deploymentProfiles().profiles;
  const rows: string[][] = [];
  for (const model of REFERENCE_MODELS) {
    for (const weightFormat of formats) {
      const need = memoryNeed({ parameters: model.parameters, weightFormat, ...model.config, contextTokens, concurrentSequences, kvCacheBits });
      rows.push([
        model.name,
        weightFormat,
        gb(need.weightsBytes),
        `${kvCacheBytesPerToken(model.config, kvCacheBits).toLocaleString('en-US')} B × ${contextTokens.toLocaleString('en-US')} × ${concurrentSequences} = ${gb(need.kvCacheBytes)}`,
        gb(need.totalBytes),
        ...profiles.map((profile) => {
          const reference = profile.hardware.reference;
          if (reference === null) return '-';
          return need.totalBytes <= reference.count * reference.memoryGBEach * GB ? 'yes' : 'no';
        }),
      ]);
    }
  }
  return {
    columns: ['Model', 'Weights', 'Weights GB', 'KV cache GB', 'Total GB', ...profiles.map((profile) => `Fits ${profile.id}`)],
    rows,
  };
}

/** The validator's rules: id, what each refuses, the field its violations name. */
export function deploymentRuleTable(): TextTable {
  return { columns: ['Rule', 'Refuses', 'Field'], rows: DEPLOYMENT_RULES.map((rule) => [`\`${rule.id}\``, rule.refuses, `\`${rule.field}\``]) };
}

/** The router's rules in the order they are applied, with the refusal each one gives. */
export function routerRuleTable(): TextTable {
  return {
    columns: ['#', 'Rule', 'Passes when', 'Refusal'],
    rows: ROUTER_RULES.map((rule, index) => [String(index + 1), `\`${rule.id}\``, rule.rule, rule.refusal === null ? '(chooses)' : `\`${rule.refusal}\``]),
  };
}

/**
 * The same cells with rows and columns swapped: the first column becomes the header row. A
 * table with few rows and many columns (the three profiles) reads better this way on a page.
 */
export function transposeTable(table: TextTable): TextTable {
  const grid = [table.columns, ...table.rows];
  const transposed = table.columns.map((_column, index) => grid.map((row) => row[index] ?? ''));
  return { columns: transposed[0] ?? [], rows: transposed.slice(1) };
}

/** A `TextTable` as a GitHub-flavoured Markdown table. */
export function renderMarkdownTable(table: TextTable): string {
  const line = (cells: readonly string[]): string => `| ${cells.map((cell) => cell.replace(/\|/g, '\\|')).join(' | ')} |`;
  return [line(table.columns), line(table.columns.map(() => '---')), ...table.rows.map(line)].join('\n');
}

function gb(bytes: number): string {
  return (bytes / GB).toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 });
}
