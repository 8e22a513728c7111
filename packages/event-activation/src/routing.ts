import { InvalidOptionError } from '@12-factor-agentops/core';

/**
 * Event type → the one agent that handles it. A key is an exact type (`issues.opened`) or a
 * family (`issues`: the part before the first `.`); the exact type wins.
 */
export type RoutingTable = Readonly<Record<string, string>>;

const AGENT_NAME = /^[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?$/;

/** Checks a routing table: every key non-empty, every agent a lowercase name. Returns a frozen copy. */
export function defineRoutes(table: RoutingTable): RoutingTable {
  if (typeof table !== 'object' || table === null || Array.isArray(table)) throw new InvalidOptionError('routes', 'an object of event type to agent name', table);
  const copy: Record<string, string> = Object.create(null) as Record<string, string>;
  for (const [eventType, agent] of Object.entries(table)) {
    if (eventType === '' || eventType.length > 128) throw new InvalidOptionError('routes key', 'an event type of 1 to 128 characters', eventType);
    if (typeof agent !== 'string' || !AGENT_NAME.test(agent)) {
      throw new InvalidOptionError(`routes["${eventType}"]`, 'an agent name of lowercase letters, digits and inner "-", 1 to 64 characters', agent);
    }
    copy[eventType] = agent;
  }
  return Object.freeze(copy);
}

/** The agent that handles `eventType`: an exact entry, else its family's, else undefined (unrouted). */
export function routeEvent(table: RoutingTable, eventType: string | null): string | undefined {
  if (eventType === null) return undefined;
  if (Object.hasOwn(table, eventType)) return table[eventType];
  const dot = eventType.indexOf('.');
  const family = dot === -1 ? undefined : eventType.slice(0, dot);
  return family !== undefined && Object.hasOwn(table, family) ? table[family] : undefined;
}
