import { TroupeError } from '../team/errors.js';

/** The codes of the errors the testing kit throws. */
export const TestingErrorCode = ['APPROVAL_NOT_REACHED'] as const;
/** One of the codes of TestingError, the stable names to match on. */
export type TestingErrorCode = (typeof TestingErrorCode)[number];

/** A test helper that did not see what it waited for (a run that never reached its approval). */
export class TestingError extends TroupeError {
  static override readonly codes: readonly string[] = TestingErrorCode;
  declare readonly code: TestingErrorCode;

  constructor(code: TestingErrorCode, message: string, options?: { cause?: unknown }) {
    super(code, message, options);
    this.name = 'TestingError';
  }
}
