/** The affected-stacks engine: which stacks a merge request affects, and why. */
export { type AffectedOptions, computeAffected, computeAffectedFromFiles, parseFileList, toChangedFiles } from './affected.js';
export {
  affectedFromChanges,
  type ChangesInput,
  defaultGraphCache,
  everyStack,
  type ProgramGraphOptions,
  programEntries,
  programImportGraph,
  relativeDir,
} from './affected-from-changes.js';
export { fileGraphCache, type GraphCache, type GraphCacheData } from './graph-cache.js';
export { defaultDeepenSteps, findMergeBase, type HistoryEvent, type HistoryOptions } from './history.js';
export { ImportGraph, type ImportGraphOptions, type ImportHit } from './import-graph.js';
export { type ImportKind, parseImports, type ReadSite, readTarget, type SourceScan, scanSource } from './import-scan.js';
export { defaultRootFiles, locateAffected, locators, watchLocator } from './locators.js';
export type {
  AffectedAction,
  AffectedReason,
  AffectedResult,
  AffectedStack,
  Locator,
  LocatorHit,
  LocatorInput,
  PreviousDefinition,
  ReasonKind,
} from './model.js';
export { type ModuleResolver, oxcResolver } from './module-resolver.js';
export { type FileStamp, fileSource, type ModuleSource, memorySource, stampOf } from './module-source.js';
export {
  detectStackReferences,
  findStackReferences,
  type InferredEdge,
  type InferredGraphNode,
  mergeInferredEdges,
  resolveReference,
  type StackReferenceScan,
} from './stack-references.js';
export { watchMatcher } from './watch-glob.js';
