/** The affected-stacks engine: which stacks a merge request affects, and why. */
export { computeAffected, computeAffectedFromFiles, parseFileList, toChangedFiles, type AffectedOptions } from './affected.js';
export {
  affectedFromChanges,
  defaultGraphCache,
  everyStack,
  programEntries,
  programImportGraph,
  relativeDir,
  type ChangesInput,
  type ProgramGraphOptions,
} from './affected-from-changes.js';
export { fileGraphCache, type GraphCache, type GraphCacheData } from './graph-cache.js';
export { renderGraphMermaid, renderGraphText, type DrawnNode } from './graph-render.js';
export { defaultDeepenSteps, findMergeBase, type HistoryEvent, type HistoryOptions } from './history.js';
export { ImportGraph, type ImportGraphOptions, type ImportHit } from './import-graph.js';
export { parseImports, readTarget, scanSource, type ImportKind, type ReadSite, type SourceScan } from './import-scan.js';
export { oxcResolver, type ModuleResolver } from './module-resolver.js';
export { defaultRootFiles, locateAffected, locators, watchLocator, type Locator, type LocatorHit, type LocatorInput } from './locators.js';
export type { AffectedAction, AffectedReason, AffectedResult, AffectedStack, PreviousDefinition, ReasonKind } from './model.js';
export { fileSource, memorySource, stampOf, type FileStamp, type ModuleSource } from './module-source.js';
export { watchMatcher } from './watch-glob.js';
export { affectedJson, describeReason, renderAffectedList, renderExplain, type AffectedJson } from './render.js';
export { detectStackReferences, findStackReferences, mergeInferredEdges, resolveReference, type InferredEdge, type InferredGraphNode, type StackReferenceScan } from './stack-references.js';
