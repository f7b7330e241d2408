let registered: Promise<void> | undefined;

/**
 * This module itself runs as TypeScript: the driver runs from its sources (bin/gitops.js with a
 * stale dist/), whose tsx loader already loads programs. A second loader would transform each
 * program twice (dynamic `import()` gets wrapped twice), so a dynamic provider's serialized code
 * (`__provider`) would differ from a run of the bundled driver, and an update plan made by one
 * would be rejected by the other ("violates plan: properties changed: =~__provider").
 */
const underTypeScript = import.meta.url.endsWith('.ts');

/**
 * Lets `import()` load TypeScript programs (programs/ have no build step): registers tsx's
 * loader once, on first use. Only commands that run programs pay for it; the driver itself
 * runs as bundled JavaScript.
 */
export function registerTypeScript(): Promise<void> {
  registered ??= underTypeScript
    ? Promise.resolve()
    : import('tsx/esm/api').then(({ register }) => {
        register();
      });
  return registered;
}
