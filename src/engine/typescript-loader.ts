let registered: Promise<void> | undefined;

/**
 * Lets `import()` load TypeScript programs (programs/ have no build step): registers tsx's
 * loader once, on first use. Only commands that run programs pay for it; the driver itself
 * runs as bundled JavaScript. Registering again when the driver already runs under tsx is
 * harmless: the loader skips files it has already transformed.
 */
export function registerTypeScript(): Promise<void> {
  registered ??= import('tsx/esm/api').then(({ register }) => {
    register();
  });
  return registered;
}
