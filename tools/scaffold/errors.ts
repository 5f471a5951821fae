/** Why a scaffold or generator refused; the code is stable, the message names the file or value. */
export type ScaffoldErrorCode =
  | 'PLUMEGO_SCAFFOLD_BAD_NAME'
  | 'PLUMEGO_SCAFFOLD_UNKNOWN_TEMPLATE'
  | 'PLUMEGO_SCAFFOLD_TEMPLATE_UNAVAILABLE'
  | 'PLUMEGO_SCAFFOLD_EXISTS'
  | 'PLUMEGO_SCAFFOLD_UNKNOWN_VARIABLE'
  | 'PLUMEGO_SCAFFOLD_NOT_A_REPOSITORY'
  | 'PLUMEGO_SCAFFOLD_ENTRY_INVALID';

export class ScaffoldError extends Error {
  override readonly name = 'ScaffoldError';
  constructor(
    readonly code: ScaffoldErrorCode,
    message: string,
  ) {
    super(message);
  }
}
