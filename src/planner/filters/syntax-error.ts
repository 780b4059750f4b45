/**
 * Thrown by the requirement and specifier parsers. It is a plain Error, not a
 * ConfigError: the parsers do not know where the text came from, so callers wrap it
 * with the key path or `file:line` the user needs to find it.
 */
export class RequirementSyntaxError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RequirementSyntaxError';
  }
}
