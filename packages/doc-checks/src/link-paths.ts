// Resolves a link as GitHub does for a file in the repository: relative to the linking file.
import { posix } from 'node:path';

export type ResolvedLink =
  | { readonly kind: 'external' }
  | { readonly kind: 'site-absolute' }
  | { readonly kind: 'outside-repo' }
  | { readonly kind: 'local'; readonly path: string; readonly fragment: string | undefined };

/** Resolves `target` written in `fromFile` (both repository-relative) to a repository path and fragment. */
export function resolveLink(fromFile: string, target: string): ResolvedLink {
  if (/^[a-z][a-z0-9+.-]*:/i.test(target) || target.startsWith('//')) return { kind: 'external' };
  const hash = target.indexOf('#');
  const rawPath = (hash < 0 ? target : target.slice(0, hash)).replace(/\?.*$/, '');
  const fragment = hash < 0 ? undefined : decode(target.slice(hash + 1));
  if (rawPath === '') return { kind: 'local', path: fromFile, fragment };
  if (rawPath.startsWith('/')) return { kind: 'site-absolute' };
  const path = posix.normalize(posix.join(posix.dirname(fromFile), decode(rawPath))).replace(/\/$/, '');
  if (path === '..' || path.startsWith('../')) return { kind: 'outside-repo' };
  return { kind: 'local', path, fragment };
}

function decode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}
