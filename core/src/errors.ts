/** Errors with messages a user or admin can act on. `code` is stable for APIs. */
export class AppError extends Error {
  constructor(
    message: string,
    readonly code: string,
    readonly status: number,
  ) {
    super(message);
    this.name = new.target.name;
  }
}

export class NotFoundError extends AppError {
  constructor(message: string, code = 'not_found') {
    super(message, code, 404);
  }
}

export class ConflictError extends AppError {
  constructor(message: string, code = 'conflict') {
    super(message, code, 409);
  }
}

export class ValidationError extends AppError {
  constructor(message: string, code = 'invalid') {
    super(message, code, 400);
  }
}

/** The batch lock moved on: this run no longer holds it and must not write awards. */
export class StaleFenceError extends AppError {
  constructor(message = 'This batch run no longer holds the batch lock; another run took over.') {
    super(message, 'stale_fence', 409);
  }
}

/** A dependency (Redis) cannot be reached right now: a 503 the caller should retry. */
export class DependencyUnavailableError extends AppError {
  constructor(
    message = 'The database is unreachable; retrying. Try again in a few seconds.',
    readonly dependency = 'redis',
  ) {
    super(message, 'dependency_unavailable', 503);
  }
}
