import { describe, expect, it } from 'vitest';
import { siteLocationFromEnv } from '../site-env.ts';

describe('site location from the environment', () => {
  it('defaults to a local preview at the root', () => {
    expect(siteLocationFromEnv({})).toEqual({ url: 'http://localhost:3000', baseUrl: '/' });
  });

  it('hosts the same build under a sub-path, normalising slashes', () => {
    expect(siteLocationFromEnv({ SITE_URL: 'https://agentops.example.org/', BASE_URL: 'framework' })).toEqual({
      url: 'https://agentops.example.org',
      baseUrl: '/framework/',
    });
  });

  it('rejects a SITE_URL with a path, pointing to BASE_URL', () => {
    expect(() => siteLocationFromEnv({ SITE_URL: 'https://example.org/docs' })).toThrow(/Put a sub-path in BASE_URL/);
  });

  it('rejects a BASE_URL with a query or fragment', () => {
    expect(() => siteLocationFromEnv({ BASE_URL: '/docs?x=1' })).toThrow(/BASE_URL must be a path/);
  });
});
