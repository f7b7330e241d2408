/**
 * Limits on what a stack file may hold. Stack files are a few hundred bytes; the limits are far
 * above any real one and only stop input made to exhaust memory or the stack (alias bombs, very
 * deep nesting, huge files), with an error that names the limit instead of a crash.
 */
export interface StackFileLimits {
  /** Largest stack file, in bytes. */
  maxBytes: number;
  /** The `yaml` package's `maxAliasCount`: how far aliases may expand (its own measure). */
  maxAliasCount: number;
  /** Deepest nesting of maps and lists, in the YAML and in the value after aliases expand. */
  maxDepth: number;
}

export const defaultStackFileLimits: StackFileLimits = {
  // 256 KiB is some 3,000 config keys. The full parser reads it in ~0.2 s of CPU here, and a
  // file of that size nested as deep as it can go is refused in ~0.6 s; at 1 MiB that was 2.4 s.
  maxBytes: 256 * 1024,
  maxAliasCount: 100,
  maxDepth: 64,
};

/** `1 MiB`, `512 KiB`, `300 bytes`: for messages. */
export function formatBytes(n: number): string {
  if (n >= 1024 * 1024 && n % (1024 * 1024) === 0) return `${n / (1024 * 1024)} MiB`;
  if (n >= 1024 && n % 1024 === 0) return `${n / 1024} KiB`;
  return `${n} bytes`;
}
