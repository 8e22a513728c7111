// Where the site is hosted comes from the environment, so one build serves any host,
// including a sub-path (BASE_URL=/agentops/). Defaults suit a local preview.

export interface SiteLocation {
  readonly url: string;
  readonly baseUrl: string;
}

export function siteLocationFromEnv(env: Readonly<Record<string, string | undefined>>): SiteLocation {
  const url = (env.SITE_URL ?? 'http://localhost:3000').replace(/\/+$/, '');
  if (!/^https?:\/\/[^/]+$/.test(url)) {
    throw new Error(
      `SITE_URL must be an origin such as https://agentops.example.org (scheme and host, no path); got "${env.SITE_URL}". Put a sub-path in BASE_URL instead.`,
    );
  }
  let baseUrl = env.BASE_URL ?? '/';
  if (!baseUrl.startsWith('/')) baseUrl = `/${baseUrl}`;
  if (!baseUrl.endsWith('/')) baseUrl = `${baseUrl}/`;
  if (/[?#\s]/.test(baseUrl)) {
    throw new Error(`BASE_URL must be a path such as /agentops/; got "${env.BASE_URL}".`);
  }
  return { url, baseUrl };
}
