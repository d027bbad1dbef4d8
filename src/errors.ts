/**
 * Errors that carry data. Each has a stable `code` for logs and tests; the message is for developers.
 * Users never see these messages: channels answer with their own short, polite text.
 */

export class WorkplanError extends Error {
  readonly code: string;
  constructor(code: string, message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = new.target.name;
    this.code = code;
  }
}

/** A setting in the environment is missing or malformed. */
export class ConfigError extends WorkplanError {
  readonly variable: string;
  constructor(variable: string, message: string) {
    super('E_CONFIG', `${variable}: ${message}`);
    this.variable = variable;
  }
}

/** The saved index cannot be used (missing, partial, corrupt or built from other sources). */
export class IndexError extends WorkplanError {
  readonly dir: string;
  readonly reason: string;
  /**
   * missing: no index yet; stale: built from other reports, dictionaries or an older format (the
   * normal case after a change, rebuilt without a warning); damaged: partial or corrupt files.
   */
  readonly kind: 'missing' | 'stale' | 'damaged';
  constructor(dir: string, reason: string, options?: ErrorOptions & { kind?: IndexError['kind'] }) {
    super('E_INDEX', `index at ${dir} is unusable: ${reason}`, options);
    this.dir = dir;
    this.reason = reason;
    this.kind = options?.kind ?? 'damaged';
  }
}

/** The report sources or dictionaries under data/ cannot be read. */
export class CorpusError extends WorkplanError {
  readonly file: string;
  constructor(file: string, message: string, options?: ErrorOptions) {
    super('E_CORPUS', `${file}: ${message}`, options);
    this.file = file;
  }
}

/** A question that cannot be asked (empty, blank). */
export class InputError extends WorkplanError {
  constructor(message: string) {
    super('E_INPUT', message);
  }
}

/** A model or embedding server failed or answered with something unusable. */
export class UpstreamError extends WorkplanError {
  readonly provider: string;
  readonly status?: number;
  constructor(provider: string, message: string, status?: number, options?: ErrorOptions) {
    super('E_UPSTREAM', `${provider}: ${message}`, options);
    this.provider = provider;
    if (status !== undefined) this.status = status;
  }
}
