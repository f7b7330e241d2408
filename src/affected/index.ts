/** The affected-stacks engine: which stacks a merge request affects, and why. */
export { computeAffected, computeAffectedFromFiles, parseFileList, toChangedFiles, type AffectedOptions } from './affected.js';
export { affectedFromChanges, everyStack, programEntries, programImportGraph, relativeDir, type ChangesInput } from './affected-from-changes.js';
export { renderGraphMermaid, renderGraphText, type DrawnNode } from './graph-render.js';
export { defaultDeepenSteps, findMergeBase, type HistoryEvent, type HistoryOptions } from './history.js';
export { ImportGraph, type ImportHit } from './import-graph.js';
export { defaultRootFiles, locateAffected, locators, type Locator, type LocatorHit, type LocatorInput } from './locators.js';
export type { AffectedAction, AffectedReason, AffectedResult, AffectedStack, PreviousDefinition, ReasonKind } from './model.js';
export { fileSource, memorySource, type ModuleSource } from './module-source.js';
export { affectedJson, describeReason, renderAffectedList, renderExplain, type AffectedJson } from './render.js';
export { detectStackReferences, findStackReferences, mergeInferredEdges, resolveReference, type InferredEdge, type InferredGraphNode, type StackReferenceScan } from './stack-references.js';
