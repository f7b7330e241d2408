import { type ApiCall, apiCall } from './api-call.js';
import type { ForgeSettings } from './ci-settings.js';
import type { ForgePlatform, ForgeUser } from './forge.js';
import { once } from './identity.js';

/**
 * What every API area of a platform shares: the context, calls whose failures become one
 * FORGE_ERROR naming method and path (never the token), our own user, the default branch.
 */
export interface ForgeApi {
  readonly platform: ForgePlatform;
  readonly ctx: ForgeSettings;
  /** One call under the project (`/projects/42/…`, `/repos/acme/infra/…`). */
  call<T>(method: ApiCall['method'], path: string, run: () => Promise<T>): Promise<T>;
  /** One call outside any project (`/user`, `/users/7`). */
  callRoot<T>(method: ApiCall['method'], path: string, run: () => Promise<T>): Promise<T>;
  /** The user behind our token, asked once per run (a failure is asked again). */
  self(): Promise<ForgeUser>;
  /** The project's default branch: the CI's variable, else asked of the API. */
  defaultBranch(): Promise<string>;
}

/** How a platform names its project in paths and answers the two questions every area asks. */
export interface ForgeApiSpec {
  platform: ForgePlatform;
  /** `/projects/42`, `/repos/acme/infra`: the prefix of project calls, as named in errors. */
  projectPath: string;
  whoAmI(api: ForgeApi): Promise<ForgeUser>;
  readDefaultBranch(api: ForgeApi): Promise<string>;
}

/** The {@link ForgeApi} of one context. */
export function forgeApi(ctx: ForgeSettings, spec: ForgeApiSpec): ForgeApi {
  const callRoot = <T>(method: ApiCall['method'], path: string, run: () => Promise<T>): Promise<T> =>
    apiCall({ platform: spec.platform, method, path }, ctx.token, ctx.tokenVariable, run);
  const api: ForgeApi = {
    platform: spec.platform,
    ctx,
    callRoot,
    call: (method, path, run) => callRoot(method, `${spec.projectPath}${path}`, run),
    self: once(() => spec.whoAmI(api)),
    defaultBranch: async () => ctx.defaultBranch || spec.readDefaultBranch(api),
  };
  return api;
}
