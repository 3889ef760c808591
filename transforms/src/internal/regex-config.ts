import { configError } from './config.js';
import { compileJavaRegex, JavaRegexSyntaxError, type JavaRegex } from '../regex/java-regex.js';

/** Compiles a Java regex config value. @throws ConfigValidationError on `key` when invalid or unsupported. */
export function compileRegexConfig(key: string, pattern: string): JavaRegex {
  try {
    return compileJavaRegex(pattern);
  } catch (err) {
    if (err instanceof JavaRegexSyntaxError) throw configError(key, pattern, `Invalid regex: ${err.message}`);
    throw err;
  }
}
