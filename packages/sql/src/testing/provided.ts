// What the global setup provides to tests: `inject('postgresUrl')` is typed wherever
// `@12-factor-agentops/sql/testing` is imported.
export {};

declare module 'vitest' {
  export interface ProvidedContext {
    /** Superuser URL of the run's throwaway PostgreSQL server. */
    postgresUrl: string;
  }
}
