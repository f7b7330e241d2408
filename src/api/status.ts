/**
 * What the backend says of a stack beyond its deployed commit, when that needs its own state:
 * `unreadable` (its records are damaged or cannot be fetched), `pending-operations` (a killed run
 * left operations of unknown outcome in its state), `unknown-outcome` (gitops recorded creates
 * whose outcome it could not learn), `locked` (a lock is on it: a run in progress, or one left
 * by a killed run), `partially-deployed` (its state holds resources but no gitops deploy of it
 * succeeded). Undefined when none applies.
 */
export type HealthState = 'unreadable' | 'pending-operations' | 'unknown-outcome' | 'locked' | 'partially-deployed';

/**
 * Where a stack stands against Git's head. `behind`: `deploy --since-deployed` would deploy it
 * (its inputs, or a dependency's, changed since its deployed commit). `deleted`: its identity
 * left the head catalogue but its deploy record says it still runs. `unknown`: its deployed
 * commit is not in this clone. The states of {@link HealthState} (damage, pending operations,
 * unknown outcomes, locks, a partial deploy) take precedence: they need saying first.
 */
export type DeployState = 'up-to-date' | 'behind' | 'never-deployed' | 'deleted' | 'unknown' | HealthState;

/** One stack's provenance. */
export interface StackStatus {
  name: string;
  project: string;
  stack: string;
  state: DeployState;
  /** The commit its deploy record names, in full where this clone has it; undefined when never deployed. */
  deployed?: string;
  /**
   * The newest commit after the deployed one that changed any of its inputs; the deployed commit
   * when none did (its inputs at head are those deployed); undefined when not known.
   */
  headCommit?: string;
  /** Why it is behind, or what is unknown: one line each. */
  reasons: string[];
}

export interface StatusResult {
  head: string;
  stacks: StackStatus[];
}
