import type { ForgeSettings } from './ci-settings.js';
import type { Forge, ForgeOptions } from './forge.js';
import { githubForge } from './github.js';
import { gitlabForge } from './gitlab.js';

/** The forge for a context (from {@link forgeSettingsFromEnv} or built by hand, e.g. in tests). */
export function createForge(ctx: ForgeSettings, options: ForgeOptions = {}): Forge {
  return ctx.platform === 'gitlab' ? gitlabForge(ctx, options) : githubForge(ctx, options);
}
