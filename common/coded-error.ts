// The one base of the kit's own errors: a stable UPPER_SNAKE `code` that logs, exit paths and the READMEs'
// error tables name, so callers and scripts match on the code, never on the prose.

export class CodedError<C extends string = string> extends Error {
  constructor(
    readonly code: C,
    message: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
    this.name = new.target.name;
  }
}
