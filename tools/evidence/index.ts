// tools/evidence's public entry: the maturity and error-code checks and the evidence table.
export { checkErrorCodes, collectCodeSites } from './check-error-codes.ts';
export { checkMaturityEvidence } from './check-maturity.ts';
export {
  collectEvidence,
  getEvidenceCells,
  toSiteEvidence,
  EVIDENCE_COLUMNS,
  type ModuleEvidence,
} from './collect-evidence.ts';
export { readMutationScores, type MutationEvidence } from './mutation-scores.ts';
