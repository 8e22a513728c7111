// deployment-profiles' defaults, one name each: the code reads them from here and the
// framework's table of defaults (docs/factors/README.md) is checked against them.

/**
 * The limit on alias expansion in a YAML file, past which it is refused as a resource
 * exhaustion attack: 100, the `maxAliasCount` default of the `yaml` library
 * (https://eemeli.org/yaml/#tojs-options).
 */
export const DEFAULT_MAX_YAML_ALIASES = 100;

/**
 * Bits per cached key or value element when a deployment does not say: 16, an fp16 cache,
 * the default of llama.cpp's server (`--cache-type-k` / `--cache-type-v` f16,
 * https://github.com/ggml-org/llama.cpp/blob/master/tools/server/README.md). The
 * AgentDeployment CRD declares the same default.
 */
export const DEFAULT_KV_CACHE_BITS = 16;

/** Sequences served at once when a deployment does not say: 1. The AgentDeployment CRD declares the same default. */
export const DEFAULT_CONCURRENT_SEQUENCES = 1;

/** Memory a deployment sets aside for the runtime when it does not say: 0 GB, so the fit check counts weights and KV cache only. */
export const DEFAULT_RESERVED_GB = 0;
